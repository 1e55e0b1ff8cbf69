using System.IO;
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
            var spec = new PoseTrainingSpec
            {
                TrainAnnotations = Path.Combine(RepoPaths.CocoMini, "annotations", "person_keypoints_mini.json"),
                TrainImages = Path.Combine(RepoPaths.CocoMini, "images"),
                Model = PoseNetOptions.Tiny(),
                Augmentation = Augmentation.Paper,
                Train = new TrainOptions { Epochs = 2, BatchSize = 4, Threads = 1, Workers = 2, OutputDir = dir, LogEverySteps = 1, StopAfterSteps = 4 },
            };
            var first = PoseTraining.Run(spec);
            Assert.False(first.Training.Completed);
            Assert.Equal(12, first.Samples);
            var second = PoseTraining.Run(spec with { Train = spec.Train with { Resume = true, StopAfterSteps = null } });
            Assert.True(second.Training.Completed);
            Assert.Equal(6, second.Training.Steps);
            Assert.All(second.Training.Epochs, e => Assert.True(double.IsFinite(e.Loss) && e.Loss > 0));
            Assert.True(File.Exists(Path.Combine(dir, TrainingSession.BestModelFile)));
        }
    }
}
