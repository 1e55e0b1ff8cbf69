using System;
using System.CommandLine;
using TorchSharp;

namespace PoseRT.Trainer
{
    internal static class Program
    {
        private static int Main(string[] args)
        {
            var root = new RootCommand("PoseRT trainer: MobileNet + DY-ReLU keypoint models, COCO training, ONNX export.");
            var check = new Command("check", "Load LibTorch and report its version and threads.");
            check.SetAction(_ =>
            {
                TorchRuntime.EnsureLoaded();
                Console.WriteLine($"TorchSharp {typeof(torch).Assembly.GetName().Version}, LibTorch CPU, {torch.get_num_threads()} threads");
                return 0;
            });
            root.Subcommands.Add(check);
            return root.Parse(args).Invoke();
        }
    }
}
