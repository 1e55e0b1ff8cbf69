using System.IO;
using PoseRT.Trainer.Data;
using PoseRT.Trainer.Models;
using PoseRT.Trainer.Training;
using TorchSharp;

namespace PoseRT.Tests.Training
{
    [Collection(TorchStateCollection.Name)]
    public class CocoValidatorTests
    {
        private static string Annotations => Path.Combine(RepoPaths.CocoMini, "annotations", "person_keypoints_mini.json");

        [Fact]
        public void Validation_runs_ground_truth_boxes_or_the_detection_file_through_the_runtime_and_evaluator()
        {
            var images = Path.Combine(RepoPaths.CocoMini, "images");
            var gt = new CocoValidator(Annotations, images, null, new DataWarnings());
            var dets = new CocoValidator(Annotations, images, Path.Combine(RepoPaths.CocoMini, "person_detections_AP_H_56_mini.json"), new DataWarnings());
            Assert.Equal(12, gt.BoxCount); // HRNet's GT boxes: persons with any keypoint value
            Assert.False(gt.UsesDetections);
            Assert.True(dets.UsesDetections);
            Assert.Equal(118, dets.BoxCount);

            torch.manual_seed(1);
            using var model = PoseNet.Create(PoseNetOptions.Tiny());
            model.eval();
            var r = gt.Validate(model, 1);
            Assert.InRange(r.Score, 0, 1);
            Assert.Equal(r.Score, r.Metrics["AP"]);
            Assert.Equal(10, r.Metrics.Count);
            Assert.InRange(dets.Validate(model, 1).Metrics["AR"], 0, 1);
        }

        [Fact]
        public void A_missing_validation_image_is_counted_not_fatal()
        {
            var dir = RepoPaths.NewTempDir("val-missing");
            File.Copy(Path.Combine(RepoPaths.CocoMini, "images", "000000000785.jpg"), Path.Combine(dir, "000000000785.jpg"));
            var w = new DataWarnings();
            var v = new CocoValidator(Annotations, dir, null, w);
            Assert.Equal(1, v.BoxCount);
            Assert.Equal(3, w.Counts()["missing validation image"]);
        }
    }
}
