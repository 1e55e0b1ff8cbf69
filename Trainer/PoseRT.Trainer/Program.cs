using System.CommandLine;
using PoseRT.Cli;
using PoseRT.Trainer.Commands;

namespace PoseRT.Trainer
{
    internal static class Program
    {
        private static int Main(string[] args)
        {
            // Each command lives in Commands/<Name>Command.cs.
            var root = new RootCommand("PoseRT trainer: MobileNet + DY-ReLU keypoint models, COCO training, ONNX export.")
            {
                CheckCommand.Create(),
                TrainCommand.Create(),
                AblationCommand.Create(),
                SummaryCommand.Create(),
                ExportCommand.Create(),
                QuantizeCommand.Create(),
            };
            return CommandLineApp.Run(root, "posert-train", args);
        }
    }
}
