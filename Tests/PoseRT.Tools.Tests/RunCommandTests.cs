using System;
using System.IO;
using System.Linq;
using PoseRT.Cli;
using PoseRT.Coco;
using PoseRT.Runtime;
using PoseRT.Tools.Commands;

namespace PoseRT.Tests
{
    public class RunCommandTests
    {
        private static RunCommand.Settings Settings(string dir, bool gtBoxes, string? detections = null, string? images = null) =>
            new("stand-in.onnx", CocoTestData.MiniAnnotations, images ?? CocoTestData.MiniImages, detections, gtBoxes, Flip: true,
                Path.Combine(dir, "results.json"), Path.Combine(dir, "plots"), Path.Combine(dir, "stats.json"), DeviceChoice.Parse("cpu", DeviceChoice.AllKinds), 1)
            { ModelBytes = CocoTestData.SmallStandInModel };

        [Fact]
        public void Ground_truth_boxes_run_end_to_end_with_rescored_poses_a_table_and_plots()
        {
            var dir = RepoPaths.NewTempDir("run-gt");
            var output = new StringWriter();
            var error = new StringWriter();
            Assert.Equal(0, RunCommand.Execute(Settings(dir, gtBoxes: true), output, error, liveProgress: false));
            Assert.Equal(string.Empty, error.ToString());
            Assert.Contains("4 images, 12 boxes", output.ToString(), StringComparison.Ordinal);
            Assert.Contains("4/4 images", output.ToString(), StringComparison.Ordinal);
            Assert.Contains("APm", output.ToString(), StringComparison.Ordinal);

            var gt = CocoKeypointFile.Load(CocoTestData.MiniAnnotations);
            var results = CocoResultsFile.Load(Path.Combine(dir, "results.json"));
            Assert.InRange(results.Count, 1, 12);
            foreach (var r in results)
            {
                Assert.NotNull(gt.FindImage(r.ImageId));
                // Ground-truth boxes score 1, so the pose score is the mean of the keypoint scores above 0.2.
                var scores = Enumerable.Range(0, 17).Select(k => r.Keypoints[3 * k + 2]).Where(s => s > 0.2).ToArray();
                Assert.Equal(scores.Length == 0 ? 0 : scores.Average(), r.Score, 5);
            }
            var stats = new CocoKeypointEvaluator(gt).Evaluate(results).Stats;
            Assert.Contains($"{stats.AP.ToString("F4", System.Globalization.CultureInfo.InvariantCulture)}", output.ToString(), StringComparison.Ordinal);
            Assert.True(File.Exists(Path.Combine(dir, "stats.json")));
            Assert.True(File.Exists(Path.Combine(dir, "plots", "keypoint-error.png")));
        }

        [Fact]
        public void The_118_detections_run_end_to_end_and_oks_nms_never_adds_poses()
        {
            var dir = RepoPaths.NewTempDir("run-det");
            var output = new StringWriter();
            Assert.Equal(0, RunCommand.Execute(Settings(dir, gtBoxes: false, CocoTestData.MiniDetections), output, TextWriter.Null, liveProgress: false));
            Assert.Contains("4 images, 118 boxes", output.ToString(), StringComparison.Ordinal);
            var results = CocoResultsFile.Load(Path.Combine(dir, "results.json"));
            Assert.InRange(results.Count, 4, 118);
            // Each image keeps at least its best pose.
            Assert.Equal(4, results.Select(r => r.ImageId).Distinct().Count());
        }

        [Fact]
        public void The_command_line_parses_into_a_run()
        {
            var dir = RepoPaths.NewTempDir("run-cli");
            var model = Path.Combine(dir, "stand-in.onnx");
            File.WriteAllBytes(model, CocoTestData.SmallStandInModel);
            var results = Path.Combine(dir, "res.json");
            int code = RunCommand.Create().Parse(new[]
            {
                "--model", model, "--gt", CocoTestData.MiniAnnotations, "--images", CocoTestData.MiniImages, "--gt-boxes", "--no-flip",
                "--device", "cpu", "--threads", "1", "--out", results,
            }).Invoke();
            Assert.Equal(0, code);
            Assert.InRange(CocoResultsFile.Load(results).Count, 1, 12);

            // Both box sources, or neither: refused before anything runs.
            Assert.Equal(2, RunCommand.Create().Parse(new[] { "--model", model, "--gt", CocoTestData.MiniAnnotations, "--images", CocoTestData.MiniImages }).Invoke());
            Assert.Equal(2, RunCommand.Create().Parse(new[] { "--model", model, "--gt", CocoTestData.MiniAnnotations, "--images", CocoTestData.MiniImages, "--gt-boxes", "--detections", CocoTestData.MiniDetections }).Invoke());
        }

        [Fact]
        public void The_refinement_option_moves_keypoints_and_keeps_their_scores()
        {
            var quarter = RunWith("run-quarter", PeakRefinement.QuarterOffset, out string quarterLine);
            var dark = RunWith("run-dark", PeakRefinement.Dark, out string darkLine);
            Assert.Contains("QuarterOffset refinement", quarterLine, StringComparison.Ordinal);
            Assert.Contains("Dark refinement", darkLine, StringComparison.Ordinal);
            Assert.Equal(quarter.Count, dark.Count);
            int moved = 0;
            for (int i = 0; i < quarter.Count; i++)
            {
                Assert.Equal(quarter[i].ImageId, dark[i].ImageId);
                for (int k = 0; k < 17; k++)
                {
                    // Refinement moves a peak below one heatmap cell and leaves its score alone.
                    Assert.Equal(quarter[i].Keypoints[3 * k + 2], dark[i].Keypoints[3 * k + 2], 5);
                    if (quarter[i].Keypoints[3 * k] != dark[i].Keypoints[3 * k] || quarter[i].Keypoints[3 * k + 1] != dark[i].Keypoints[3 * k + 1]) moved++;
                }
            }
            Assert.True(moved > 0, "DARK moved no keypoint: the option did not reach the estimator");

            // And from the command line: a value outside the three is refused before anything runs.
            var dir = RepoPaths.NewTempDir("run-refinement-cli");
            var model = Path.Combine(dir, "stand-in.onnx");
            File.WriteAllBytes(model, CocoTestData.SmallStandInModel);
            string[] Args(string value) => new[]
            {
                "--model", model, "--gt", CocoTestData.MiniAnnotations, "--images", CocoTestData.MiniImages, "--gt-boxes", "--device", "cpu",
                "--threads", "1", "--refinement", value,
            };
            Assert.Equal(0, RunCommand.Create().Parse(Args("Dark")).Invoke());
            Assert.NotEqual(0, RunCommand.Create().Parse(Args("Subpixel")).Invoke());
        }

        private static System.Collections.Generic.IReadOnlyList<CocoKeypointResult> RunWith(string name, PeakRefinement refinement, out string modelLine)
        {
            var dir = RepoPaths.NewTempDir(name);
            var output = new StringWriter();
            Assert.Equal(0, RunCommand.Execute(Settings(dir, gtBoxes: true) with { Refinement = refinement }, output, TextWriter.Null, liveProgress: false));
            modelLine = output.ToString().Split('\n').First(l => l.StartsWith("model ", StringComparison.Ordinal));
            return CocoResultsFile.Load(Path.Combine(dir, "results.json"));
        }

        [Fact]
        public void A_missing_image_file_is_named_before_any_inference()
        {
            var dir = RepoPaths.NewTempDir("run-missing");
            var images = Path.Combine(dir, "images");
            Directory.CreateDirectory(images);
            foreach (var f in Directory.GetFiles(CocoTestData.MiniImages).Where(f => !f.EndsWith("000000196141.jpg", StringComparison.Ordinal)))
                File.Copy(f, Path.Combine(images, Path.GetFileName(f)));
            var error = new StringWriter();
            Assert.Equal(2, RunCommand.Execute(Settings(dir, gtBoxes: true, images: images), TextWriter.Null, error, liveProgress: false));
            Assert.Contains("000000196141.jpg' of image_id 196141", error.ToString(), StringComparison.Ordinal);
            Assert.False(File.Exists(Path.Combine(dir, "results.json")));
        }

        [Fact]
        public void Detections_on_unknown_images_and_undecodable_images_are_reported()
        {
            var dir = RepoPaths.NewTempDir("run-bad");
            var detections = Path.Combine(dir, "det.json");
            File.WriteAllText(detections, "[{\"image_id\": 785, \"category_id\": 1, \"bbox\": [1, 2, 30, 40], \"score\": 0.9}, {\"image_id\": 4, \"category_id\": 1, \"bbox\": [1, 2, 30, 40], \"score\": 0.9}]");
            var error = new StringWriter();
            Assert.Equal(2, RunCommand.Execute(Settings(dir, gtBoxes: false, detections), TextWriter.Null, error, liveProgress: false));
            Assert.Contains("detections[1] (image_id 4): 'image_id' 4 is not an image of", error.ToString(), StringComparison.Ordinal);

            var images = Path.Combine(dir, "images");
            Directory.CreateDirectory(images);
            foreach (var f in Directory.GetFiles(CocoTestData.MiniImages)) File.WriteAllText(Path.Combine(images, Path.GetFileName(f)), "not a jpeg");
            error = new StringWriter();
            Assert.Equal(2, RunCommand.Execute(Settings(dir, gtBoxes: true, images: images), TextWriter.Null, error, liveProgress: false));
            Assert.Contains("image_id 785: Image file", error.ToString(), StringComparison.Ordinal);
            Assert.Contains("cannot be decoded", error.ToString(), StringComparison.Ordinal);
        }
    }
}
