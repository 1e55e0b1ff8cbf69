using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using PoseRT.Coco;
using PoseRT.Runtime;

namespace PoseRT.Tests
{
    /// <summary>The one top-down driver behind <c>posert run</c> and training validation, and its error policy.</summary>
    public class TopDownRunnerTests
    {
        private static PoseEstimator LoadModel() =>
            PoseEstimator.Load(CocoTestData.SmallStandInModel, new PoseEstimatorOptions { Provider = ExecutionProvider.Cpu, CpuThreads = 1 }, "stand-in");

        private static string CopyOfMiniImages(string name)
        {
            var dir = Path.Combine(RepoPaths.NewTempDir(name), "images");
            Directory.CreateDirectory(dir);
            foreach (var f in Directory.GetFiles(CocoTestData.MiniImages)) File.Copy(f, Path.Combine(dir, Path.GetFileName(f)));
            return dir;
        }

        [Fact]
        public void Ground_truth_boxes_run_image_by_image_with_progress_and_oks_nms()
        {
            var runner = new TopDownRunner(CocoKeypointFile.Load(CocoTestData.MiniAnnotations), CocoTestData.MiniImages, null);
            Assert.False(runner.UsesDetections);
            Assert.Equal(4, runner.ImageCount);
            Assert.Equal(12, runner.BoxCount);
            using var estimator = LoadModel();
            var results = new List<CocoKeypointResult>();
            var done = new List<int>();
            Assert.Equal(12, runner.Run(estimator, new PoseEstimatorOptions().BoxPadding, results, done.Add));
            Assert.Equal(new[] { 1, 2, 3, 4 }, done);
            Assert.InRange(results.Count, 4, 12); // OKS-NMS never adds poses, and keeps each image's best
            Assert.Equal(new long[] { 785, 40083, 196141, 197388 }, results.Select(r => r.ImageId).Distinct().ToArray());

            // A second run over the same prepared boxes (validation every few epochs) gives the same results.
            var again = new List<CocoKeypointResult>();
            runner.Run(estimator, new PoseEstimatorOptions().BoxPadding, again);
            Assert.Equal(results.Select(r => r.Score), again.Select(r => r.Score));
        }

        [Fact]
        public void An_undecodable_image_that_is_run_is_an_error_naming_it_and_one_without_boxes_is_not_read()
        {
            var images = CopyOfMiniImages("runner-corrupt");
            string corrupt = Path.Combine(images, "000000040083.jpg");
            File.WriteAllText(corrupt, "not a jpeg");
            var gt = CocoKeypointFile.Load(CocoTestData.MiniAnnotations);
            using var estimator = LoadModel();

            // Detections on image 785 only: the corrupt image has nothing to run and is not decoded.
            var detections = Path.Combine(Path.GetDirectoryName(images)!, "det.json");
            File.WriteAllText(detections, "[{\"image_id\": 785, \"category_id\": 1, \"bbox\": [100, 50, 120, 300], \"score\": 0.9}]");
            var results = new List<CocoKeypointResult>();
            Assert.Equal(1, new TopDownRunner(gt, images, detections).Run(estimator, 1.25f, results));
            Assert.Equal(785, Assert.Single(results).ImageId);

            // Ground-truth boxes run it: the error names the image and the file, as in posert run and validation.
            var e = Assert.Throws<InvalidDataException>(() => new TopDownRunner(gt, images, null).Run(estimator, 1.25f, new List<CocoKeypointResult>()));
            Assert.Contains($"image_id 40083: Image file '{corrupt}' cannot be decoded", e.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void A_missing_image_or_a_picture_of_another_size_is_refused()
        {
            var images = CopyOfMiniImages("runner-size");
            var gt = CocoKeypointFile.Load(CocoTestData.MiniAnnotations);
            File.Delete(Path.Combine(images, "000000197388.jpg"));
            var missing = Assert.Throws<FileNotFoundException>(() => new TopDownRunner(gt, images, null));
            Assert.Contains("000000197388.jpg' of image_id 197388 (images[3] of", missing.Message, StringComparison.Ordinal);

            // 785 is 640x425; image 40083 says 500x333.
            File.Copy(Path.Combine(CocoTestData.MiniImages, "000000197388.jpg"), Path.Combine(images, "000000197388.jpg"));
            File.Copy(Path.Combine(CocoTestData.MiniImages, "000000000785.jpg"), Path.Combine(images, "000000040083.jpg"), overwrite: true);
            using var estimator = LoadModel();
            var e = Assert.Throws<InvalidDataException>(() => new TopDownRunner(gt, images, null).Run(estimator, 1.25f, new List<CocoKeypointResult>()));
            Assert.Contains("is 640x425 pixels, but image_id 40083", e.Message, StringComparison.Ordinal);
        }
    }
}
