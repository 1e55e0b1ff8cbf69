using System.CommandLine;
using PoseRT.Cli;
using PoseRT.Tools.Commands;

namespace PoseRT.Tools
{
    internal static class Program
    {
        private static int Main(string[] args)
        {
            // Each command lives in Commands/<Name>Command.cs and is added here.
            var root = new RootCommand("PoseRT tools: COCO evaluation, synthetic data, benchmarks.")
            {
                BenchCommand.Create(),
                SynthCommand.Create(),
                ScoreCommand.Create(),
                RunCommand.Create(),
            };
            return CommandLineApp.Run(root, "posert", args);
        }
    }
}
