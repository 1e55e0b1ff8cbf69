using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using PoseRT.Coco;
using PoseRT.Tools.Commands;

namespace PoseRT.Tests
{
    public class ScoreCommandTests
    {
        private static string MiniAnnotations => Path.Combine(RepoPaths.CocoMini, "annotations", "person_keypoints_mini.json");

        [Fact]
        public void Ground_truth_keypoints_as_results_score_ap_one_and_the_json_has_the_ten_keys()
        {
            var dir = RepoPaths.NewTempDir("score");
            var gt = CocoKeypointFile.Load(MiniAnnotations);
            var resultsPath = Path.Combine(dir, "res.json");
            CocoResultsFile.Save(resultsPath, gt.Annotations.Where(a => a.NumKeypoints > 0).Select(a => CocoTestData.Copy(a, 1.0)));
            var jsonPath = Path.Combine(dir, "stats.json");
            var output = new StringWriter();
            var error = new StringWriter();

            Assert.Equal(0, ScoreCommand.Execute(MiniAnnotations, resultsPath, jsonPath, Path.Combine(dir, "plots"), output, error));
            Assert.StartsWith("AP      1.000000   Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets= 20 ] = 1.000", output.ToString(), StringComparison.Ordinal);
            Assert.Equal(string.Empty, error.ToString());
            // Every labelled keypoint is exact and scored 0.9: each threshold shows all of them, all right.
            int labelled = gt.Annotations.Where(a => !a.IsCrowd).Sum(a => a.NumKeypoints);
            Assert.Contains($"keypoint scores: {labelled} labelled keypoints, {labelled} right (", output.ToString(), StringComparison.Ordinal);
            Assert.Contains($"  score >= 0.5: {labelled,5} shown, {labelled,5} right (100 % of shown)", output.ToString(), StringComparison.Ordinal);

            using var doc = JsonDocument.Parse(File.ReadAllText(jsonPath));
            Assert.Equal(CocoKeypointStats.Names, doc.RootElement.EnumerateObject().Select(p => p.Name).ToArray());
            Assert.All(doc.RootElement.EnumerateObject(), p => Assert.Equal(1.0, p.Value.GetDouble()));

            // Plots are real PNGs.
            foreach (var name in new[] { "pr-curves.png", "keypoint-error.png" })
            {
                var png = File.ReadAllBytes(Path.Combine(dir, "plots", name));
                Assert.True(png.Length > 1000, name);
                Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png[..4]);
            }
        }

        [Fact]
        public void Bad_input_ends_with_one_line_naming_the_problem_and_exit_code_2()
        {
            var dir = RepoPaths.NewTempDir("score-bad");
            var stray = Path.Combine(dir, "stray.json");
            var kp = string.Join(",", Enumerable.Repeat("1", 51));
            File.WriteAllText(stray, $"[{{\"image_id\": 785, \"category_id\": 1, \"keypoints\": [{kp}], \"score\": 0.5}}, {{\"image_id\": 12, \"category_id\": 1, \"keypoints\": [{kp}], \"score\": 0.5}}]");
            var error = new StringWriter();
            Assert.Equal(2, ScoreCommand.Execute(MiniAnnotations, stray, null, null, TextWriter.Null, error));
            Assert.Contains("results[1] (image_id 12): 'image_id' 12 is not an image of the ground truth", error.ToString(), StringComparison.Ordinal);

            error = new StringWriter();
            Assert.Equal(2, ScoreCommand.Execute(MiniAnnotations, Path.Combine(dir, "nope.json"), null, null, TextWriter.Null, error));
            Assert.Contains("nope.json' does not exist", error.ToString(), StringComparison.Ordinal);
        }

        [Fact]
        public void Annotation_files_written_by_save_read_back_equal()
        {
            var gt = CocoKeypointFile.Load(MiniAnnotations);
            var path = Path.Combine(RepoPaths.NewTempDir("gt-save"), "gt.json");
            gt.Save(path);
            var back = CocoKeypointFile.Load(path);
            Assert.Equal(gt.Images, back.Images);
            Assert.Equal(gt.Annotations.Count, back.Annotations.Count);
            for (int i = 0; i < gt.Annotations.Count; i++)
            {
                var a = gt.Annotations[i];
                var b = back.Annotations[i];
                Assert.Equal((a.Id, a.ImageId, a.CategoryId, a.NumKeypoints, a.Bbox, a.Area, a.IsCrowd), (b.Id, b.ImageId, b.CategoryId, b.NumKeypoints, b.Bbox, b.Area, b.IsCrowd));
                Assert.True(a.Keypoints.SequenceEqual(b.Keypoints));
            }
            Assert.Equal(gt.Categories[0].KeypointNames, back.Categories[0].KeypointNames);
        }
    }
}
