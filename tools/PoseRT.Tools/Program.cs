using System.CommandLine;

namespace PoseRT.Tools
{
    internal static class Program
    {
        private static int Main(string[] args)
        {
            // Each command lives in Commands/<Name>Command.cs and is added here.
            var root = new RootCommand("PoseRT tools: COCO evaluation, synthetic data, benchmarks.")
            {
                Commands.BenchCommand.Create(),
                Commands.SynthCommand.Create(),
            };
            return root.Parse(args).Invoke();
        }
    }
}
