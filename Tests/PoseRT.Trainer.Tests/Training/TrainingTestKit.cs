using System;
using System.IO;
using PoseRT.Trainer;
using PoseRT.Trainer.Data;
using PoseRT.Trainer.Training;
using TorchSharp;

namespace PoseRT.Tests.Training
{
    /// <summary>Small real runs: a conv net on generated blobs, single-threaded so runs are fast and exact on 2 cores.</summary>
    internal static class TrainingTestKit
    {
        public static TrainOptions Options(string dir, int epochs = 3) => new()
        {
            Epochs = epochs,
            BatchSize = 8,
            LrMilestones = new[] { 2 },
            WarmupSteps = 4,
            Seed = 7,
            Threads = 1,
            Workers = 2,
            Prefetch = 2,
            CheckpointEverySteps = 3,
            LogEverySteps = 2,
            OutputDir = dir,
        };

        public static TrainResult Run(TrainOptions options, IPoseDataset data, Validator? validate = null, DataWarnings? warnings = null, int width = 8)
        {
            TorchRuntime.EnsureLoaded();
            torch.manual_seed(options.Seed);
            using var model = new SmallConvNet(data.Shape.Channels, data.Shape.Joints, width);
            return TrainingSession.Run(model, data, options, "smallconv-test", validate, null, warnings);
        }

        public static byte[] Weights(string dir, string file = TrainingSession.FinalModelFile) => File.ReadAllBytes(Path.Combine(dir, file));
    }
}
