using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using InferenceSession = Microsoft.ML.OnnxRuntime.InferenceSession;
using PoseRT.Runtime.Model;
using PoseRT.Tests.Models;
using PoseRT.Trainer.Data;
using PoseRT.Trainer.Models;
using PoseRT.Trainer.Training;

namespace PoseRT.Tests.Training
{
    [Collection(TorchStateCollection.Name)]
    public class PoseTrainingTests
    {
        [Fact]
        public void The_tiny_pose_model_trains_on_real_coco_images_and_resumes()
        {
            var dir = RepoPaths.NewTempDir("pose-mini");
            var spec = Mini(Augmentation.Paper, new TrainOptions { Epochs = 2, BatchSize = 4, Threads = 1, Workers = 2, OutputDir = dir, LogEverySteps = 1, StopAfterSteps = 4 });
            var first = PoseTraining.Run(spec);
            Assert.False(first.Training.Completed);
            Assert.Equal(12, first.Samples);
            var second = PoseTraining.Run(spec with { Train = spec.Train with { Resume = true, StopAfterSteps = null } });
            Assert.True(second.Training.Completed);
            Assert.Equal(6, second.Training.Steps);
            Assert.All(second.Training.Epochs, e => Assert.True(double.IsFinite(e.Loss) && e.Loss > 0));
            Assert.True(File.Exists(Path.Combine(dir, TrainingSession.BestModelFile)));
        }

        [Fact]
        public void A_run_from_init_weights_starts_from_them_records_them_and_resumes_only_with_them()
        {
            var dir = RepoPaths.NewTempDir("pose-init");
            var first = Mini(Augmentation.FlipOnly, new TrainOptions { Epochs = 1, BatchSize = 4, Threads = 1, Workers = 1, OutputDir = Path.Combine(dir, "first"), LogEverySteps = 1 });
            string weights = PoseTraining.Run(first).Training.BestModelPath;

            var second = first with { InitialWeights = weights, Train = first.Train with { OutputDir = Path.Combine(dir, "second"), Epochs = 2 } };
            using (var saved = PoseNet.Create(first.Model))
            using (var started = PoseTraining.CreateModel(second))
            using (var fresh = PoseTraining.CreateModel(first))
            {
                PoseNetWeights.Load(saved, weights);
                Assert.Equal(ModelTestUtil.StateValues(saved), ModelTestUtil.StateValues(started));
                Assert.NotEqual(ModelTestUtil.StateValues(saved), ModelTestUtil.StateValues(fresh));
            }

            // Past the first epoch's end (3 steps of 4 of the 12 persons), where the checkpoint is written.
            var stopped = PoseTraining.Run(second with { Train = second.Train with { StopAfterSteps = 4 } });
            Assert.False(stopped.Training.Completed);
            // The checkpoint records which weights the run began from: resuming it as a fresh start is refused by name.
            var refused = Assert.Throws<InvalidOperationException>(() => PoseTraining.Run(second with { InitialWeights = null, Train = second.Train with { Resume = true } }));
            Assert.Contains("--init", refused.Message, StringComparison.Ordinal);

            var done = PoseTraining.Run(second with { Train = second.Train with { Resume = true } });
            Assert.True(done.Training.Completed);
            Assert.Equal(6, done.Training.Steps);
            using var session = new InferenceSession(done.OnnxPath!);
            var info = PoseModelInfo.FromMetadata(session.ModelMetadata.CustomMetadataMap, done.OnnxPath!);
            using var provenance = JsonDocument.Parse(info.Provenance);
            Assert.Equal($"{TrainingSession.BestModelFile} sha256 {ModelManifest.ComputeSha256(weights)}", provenance.RootElement.GetProperty("init").GetString());
        }

        [Fact]
        public void Init_weights_of_another_model_are_refused_naming_the_file()
        {
            var dir = RepoPaths.NewTempDir("pose-init-other");
            var path = Path.Combine(dir, "static.pt");
            var staticOptions = PoseNetOptions.Tiny(ActivationKind.Static);
            using (var other = PoseNet.Create(staticOptions)) TrainingSession.SaveWeights(other, path);
            var spec = Mini(Augmentation.FlipOnly, new TrainOptions()) with { InitialWeights = path };
            var e = Assert.Throws<InvalidDataException>(() => PoseTraining.CreateModel(spec).Dispose());
            Assert.Contains(path, e.Message, StringComparison.Ordinal);
        }

        /// <summary>The tiny model on coco-mini's 12 persons.</summary>
        private static PoseTrainingSpec Mini(Augmentation augmentation, TrainOptions train) => new()
        {
            TrainAnnotations = Path.Combine(RepoPaths.CocoMini, "annotations", "person_keypoints_mini.json"),
            TrainImages = Path.Combine(RepoPaths.CocoMini, "images"),
            Model = PoseNetOptions.Tiny(),
            Augmentation = augmentation,
            Train = train,
        };
    }
}
