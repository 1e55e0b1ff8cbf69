using System.IO;
using PoseRT.Runtime;
using PoseRT.Runtime.Model;
using PoseRT.Synthetic;
using PoseRT.Trainer.Data;
using PoseRT.Trainer.Models;
using PoseRT.Trainer.Training;
using TorchSharp;

namespace PoseRT.Tests.Training
{
    /// <summary>
    /// Generate a small synthetic set, train the tiny model on it, validate through ONNX + Runtime + COCO
    /// evaluator, export, reload the exported file in the Runtime and score it again.
    /// </summary>
    [Collection(TorchStateCollection.Name)]
    public class EndToEndTests
    {
        [Fact]
        public void Synthetic_set_trained_tiny_model_beats_the_untrained_one_by_a_real_AP_margin()
        {
            var dir = RepoPaths.NewTempDir("e2e");
            var set = SyntheticPeople.GenerateDataset(new SyntheticOptions
            {
                Images = 24, Width = 192, Height = 256, Seed = 5, PeopleMin = 1, PeopleMax = 1, Difficulty = 0.1,
                AllowPartiallyOutside = false, MaxDegreeOfParallelism = 2,
            }, Path.Combine(dir, "synth"));

            var model = PoseNetOptions.Tiny();
            var validator = new CocoValidator(set.AnnotationPath, set.ImageDirectory, null, new DataWarnings());
            double untrained;
            torch.manual_seed(3);
            using (var fresh = PoseNet.Create(model))
            {
                fresh.eval();
                untrained = validator.Validate(fresh, 1).Score;
            }

            var spec = new PoseTrainingSpec
            {
                TrainAnnotations = set.AnnotationPath,
                TrainImages = set.ImageDirectory,
                ValAnnotations = set.AnnotationPath,
                Model = model,
                Augmentation = Augmentation.FlipOnly,
                Train = new TrainOptions
                {
                    Epochs = E2EEpochs, BatchSize = 4, LrMilestones = new[] { E2EEpochs - 3 }, Seed = 3, Threads = 1, Workers = 2,
                    ValidateEveryEpochs = 10, CheckpointEverySteps = 0, OutputDir = Path.Combine(dir, "run"),
                },
            };
            var result = PoseTraining.Run(spec);
            Assert.True(result.Training.Completed);
            Assert.NotNull(result.OnnxPath);

            // The exported file, loaded as a user would, gives the best validation score again.
            using var estimator = PoseEstimator.Load(result.OnnxPath!, new PoseEstimatorOptions { Provider = ExecutionProvider.Cpu, CpuThreads = 1 });
            double exported = validator.Evaluate(estimator).Stats.AP;
            Assert.Equal(result.Training.BestScore, exported, 6);
            Assert.Contains("\"seed\":3", estimator.ModelInfo.Provenance, System.StringComparison.Ordinal);
            Assert.Contains("person_keypoints_synthetic.json", estimator.ModelInfo.Provenance, System.StringComparison.Ordinal);

            Assert.True(exported > untrained + E2EMargin, $"AP untrained {untrained:F3} -> trained {exported:F3}");
        }

        private const int E2EEpochs = 20;
        private const double E2EMargin = 0.2;
    }
}
