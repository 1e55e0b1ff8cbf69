using System.CommandLine;
using PoseRT.Cli;
using PoseRT.Demo.Commands;

namespace PoseRT.Demo
{
    internal static class Program
    {
        private static int Main(string[] args)
        {
            RootCommand root = RunCommand.CreateRoot();
            root.Subcommands.Add(ReceiveCommand.Create());
            return CommandLineApp.Run(root, "posert-demo", args);
        }
    }
}
