using System;
using System.IO;
using PoseRT.Runtime;
using PoseRT.Tests.Inference;
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
            var gt = new CocoValidator(Annotations, images, null);
            var dets = new CocoValidator(Annotations, images, Path.Combine(RepoPaths.CocoMini, "person_detections_AP_H_56_mini.json"));
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
        public void A_missing_validation_image_is_an_error_naming_it_before_training_starts()
        {
            // posert run's policy (TopDownRunner): a score without some images is not the set's score.
            var dir = RepoPaths.NewTempDir("val-missing");
            File.Copy(Path.Combine(RepoPaths.CocoMini, "images", "000000000785.jpg"), Path.Combine(dir, "000000000785.jpg"));
            var e = Assert.Throws<FileNotFoundException>(() => new CocoValidator(Annotations, dir, null));
            Assert.Contains("000000040083.jpg' of image_id 40083", e.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void An_undecodable_validation_image_fails_the_validation_naming_it_instead_of_counting_as_missed()
        {
            var dir = RepoPaths.NewTempDir("val-corrupt");
            foreach (var f in Directory.GetFiles(Path.Combine(RepoPaths.CocoMini, "images")))
                File.Copy(f, Path.Combine(dir, Path.GetFileName(f)));
            string corrupt = Path.Combine(dir, "000000196141.jpg");
            File.WriteAllText(corrupt, "not a jpeg");
            var validator = new CocoValidator(Annotations, dir, null);
            Assert.Equal(12, validator.BoxCount);

            // A real (1x1 convolution) ONNX model: the images before the corrupt one are run for real first.
            using var estimator = PoseEstimator.Load(new TestModel().Build(), new PoseEstimatorOptions { Provider = ExecutionProvider.Cpu, CpuThreads = 1 }, "conv1x1 test model");
            var e = Assert.Throws<InvalidDataException>(() => validator.Evaluate(estimator));
            Assert.Contains($"image_id 196141: Image file '{corrupt}' cannot be decoded", e.Message, StringComparison.Ordinal);

            // The same set with the image restored validates.
            File.Copy(Path.Combine(RepoPaths.CocoMini, "images", "000000196141.jpg"), corrupt, overwrite: true);
            Assert.InRange(validator.Evaluate(estimator).EvaluatedResultCount, 4, 12); // each image keeps at least its best pose
        }
    }
}
