using System;
using System.CommandLine;
using TorchSharp;

namespace PoseRT.Trainer.Commands
{
    internal static class CheckCommand
    {
        public static Command Create()
        {
            var check = new Command("check", "Load LibTorch and report its version and threads.");
            check.SetAction(_ =>
            {
                TorchRuntime.EnsureLoaded();
                Console.WriteLine($"TorchSharp {typeof(torch).Assembly.GetName().Version}, LibTorch CPU, {torch.get_num_threads()} threads");
                return 0;
            });
            return check;
        }
    }
}
