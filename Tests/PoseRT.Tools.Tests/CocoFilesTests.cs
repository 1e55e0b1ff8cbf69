using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using PoseRT.Coco;

namespace PoseRT.Tests
{
    public class CocoFilesTests
    {
        private static string MiniAnnotations => Path.Combine(RepoPaths.CocoMini, "annotations", "person_keypoints_mini.json");

        private static string MiniDetections => Path.Combine(RepoPaths.CocoMini, "person_detections_AP_H_56_mini.json");

        [Fact]
        public void Reads_the_coco_mini_annotation_file()
        {
            var file = CocoKeypointFile.Load(MiniAnnotations);
            Assert.Equal(4, file.Images.Count);
            Assert.Equal(14, file.Annotations.Count);
            Assert.Single(file.Categories);
            Assert.Equal(17, file.Categories[0].KeypointNames.Count);

            var first = file.Annotations[0];
            Assert.Equal(442619, first.Id);
            Assert.Equal(785, first.ImageId);
            Assert.Equal(17, first.NumKeypoints);
            Assert.Equal(new CocoBox(280.79, 44.73, 218.7, 346.68), first.Bbox);
            Assert.Equal(27789.11055, first.Area);
            Assert.Equal(51, first.Keypoints.Length);
            Assert.Equal("000000000785.jpg", file.FindImage(785)!.FileName);
            Assert.Equal(5, file.AnnotationsOf(196141).Count);
            Assert.Empty(file.AnnotationsOf(123));
            Assert.Equal(2, file.Annotations.Count(a => a.NumKeypoints == 0));
        }

        [Fact]
        public void Save_writes_info_licenses_supercategory_and_a_one_based_skeleton_when_given_and_reads_back()
        {
            var gt = CocoKeypointFile.Load(MiniAnnotations);
            var person = new CocoCategory(1, "person", CocoKeypoints.Schema.Names) { Supercategory = "person", Skeleton = CocoKeypoints.Schema.Skeleton };
            var dir = RepoPaths.NewTempDir("gt-save-info");
            var withInfo = new CocoKeypointFile(gt.Images, gt.Annotations, new[] { person }, "with info")
            {
                Info = new System.Text.Json.Nodes.JsonObject { ["description"] = "test set", ["seed"] = 7 },
            };
            string path = Path.Combine(dir, "info.json");
            withInfo.Save(path);
            using (var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllBytes(path)))
            {
                var root = doc.RootElement;
                Assert.Equal(new[] { "info", "licenses", "images", "annotations", "categories" }, root.EnumerateObject().Select(p => p.Name).ToArray());
                Assert.Equal("test set", root.GetProperty("info").GetProperty("description").GetString());
                Assert.Equal(7, root.GetProperty("info").GetProperty("seed").GetInt32());
                Assert.Equal(0, root.GetProperty("licenses").GetArrayLength());
                var category = root.GetProperty("categories")[0];
                Assert.Equal(new[] { "id", "name", "supercategory", "keypoints", "skeleton" }, category.EnumerateObject().Select(p => p.Name).ToArray());
                var skeleton = category.GetProperty("skeleton");
                Assert.Equal(CocoKeypoints.Schema.Skeleton.Count, skeleton.GetArrayLength());
                for (int i = 0; i < skeleton.GetArrayLength(); i++)
                {
                    Assert.Equal(CocoKeypoints.Schema.Skeleton[i].From + 1, skeleton[i][0].GetInt32());
                    Assert.Equal(CocoKeypoints.Schema.Skeleton[i].To + 1, skeleton[i][1].GetInt32());
                }
                Assert.Equal(new[] { "id", "image_id", "category_id", "iscrowd", "keypoints", "num_keypoints", "bbox", "area" },
                    root.GetProperty("annotations")[0].EnumerateObject().Select(p => p.Name).ToArray());
            }
            var back = CocoKeypointFile.Load(path);
            Assert.Equal(gt.Images, back.Images);
            Assert.Equal(gt.Annotations.Count, back.Annotations.Count);

            // Without them the file is images, annotations and categories only.
            string plain = Path.Combine(dir, "plain.json");
            gt.Save(plain);
            using var plainDoc = System.Text.Json.JsonDocument.Parse(File.ReadAllBytes(plain));
            Assert.Equal(new[] { "images", "annotations", "categories" }, plainDoc.RootElement.EnumerateObject().Select(p => p.Name).ToArray());
            Assert.Equal(new[] { "id", "name", "keypoints" }, plainDoc.RootElement.GetProperty("categories")[0].EnumerateObject().Select(p => p.Name).ToArray());
        }

        [Fact]
        public void Reads_the_118_box_detection_file()
        {
            var detections = CocoDetectionFile.Load(MiniDetections);
            Assert.Equal(118, detections.Count);
            Assert.Equal(785, detections[0].ImageId);
            Assert.Equal(0.9999731779098511, detections[0].Score);
            Assert.Equal(277.1183158543966, detections[0].Bbox.X);
            Assert.All(detections, d => Assert.Equal(1, d.CategoryId));
        }

        [Fact]
        public void Results_round_trip_exactly_and_the_write_leaves_no_temporary_file()
        {
            var dir = RepoPaths.NewTempDir("results");
            var path = Path.Combine(dir, "res.json");
            var kp = Enumerable.Range(0, 51).Select(i => i * 1.1 + 1e-7).ToArray();
            var results = new[]
            {
                new CocoKeypointResult(785, 1, kp, 0.123456789012345),
                new CocoKeypointResult(40083, 1, kp, 1.0, new CocoBox(1.5, 2.5, 3.25, 4.125)),
            };
            CocoResultsFile.Save(path, results);
            CocoResultsFile.Save(path, results); // overwriting an existing file works too
            Assert.Equal(new[] { "res.json" }, Directory.GetFiles(dir).Select(Path.GetFileName).ToArray());

            var back = CocoResultsFile.Load(path);
            Assert.Equal(2, back.Count);
            Assert.Equal(0.123456789012345, back[0].Score);
            Assert.True(back[0].Keypoints.SequenceEqual(kp));
            Assert.Null(back[0].Bbox);
            Assert.Equal(new CocoBox(1.5, 2.5, 3.25, 4.125), back[1].Bbox);
        }

        [Theory]
        [InlineData("[{\"image_id\": 5, \"category_id\": 1, \"keypoints\": [1,2,3], \"score\": 0.5}]", "results[0] (image_id 5): 'keypoints' must hold 51 values")]
        [InlineData("[{\"image_id\": 5, \"category_id\": 1, \"keypoints\": KP, \"score\": \"NaN\"}]", "results[0] (image_id 5): 'score' is NaN")]
        [InlineData("[{\"image_id\": 5, \"category_id\": 1, \"keypoints\": KP, \"score\": 0.5}, {\"image_id\": 7, \"category_id\": 1, \"keypoints\": KP, \"score\": -0.5}]", "results[1] (image_id 7): 'score' is -0.5")]
        [InlineData("[{\"image_id\": 5, \"category_id\": 1, \"keypoints\": KP}]", "results[0] (image_id 5): 'score' is missing")]
        [InlineData("[{\"category_id\": 1, \"keypoints\": KP, \"score\": 1}]", "results[0]: 'image_id' is missing")]
        [InlineData("[{\"image_id\": 5, \"category_id\": 1, \"keypoints\": KP, \"score\": 0.5}, {\"image_id\": 5, \"category_id\": 1, \"keypoints\": KP, \"score\": NaN}]", "invalid COCO keypoint results file at $[1] (line 1")]
        [InlineData("[{\"image_id\": 5, \"category_id\": 1, \"keypoints\": KP, \"score\": 0.5}", "invalid COCO keypoint results file")]
        [InlineData("{\"image_id\": 5}", "invalid COCO keypoint results file")]
        [InlineData("[{\"image_id\": \"abc\", \"category_id\": 1, \"keypoints\": KP, \"score\": 0.5}]", "results[0]: 'image_id' is the string \"abc\", expected an integer")]
        [InlineData("[{\"image_id\": 5, \"category_id\": 1, \"keypoints\": KP, \"score\": 0.5, \"bbox\": [1, 2]}]", "results[0] (image_id 5): 'bbox' must hold 4 values")]
        [InlineData("[{\"image_id\": 5, \"category_id\": 1, \"keypoints\": KP, \"score\": 0.5, \"segmentation\": {\"counts\": \"x\"}}]", "'segmentation' is present")]
        [InlineData("[{\"image_id\": 5, \"category_id\": 1, \"keypoints\": KP, \"score\": 0.5}] x", "invalid COCO keypoint results file")]
        [InlineData("", "invalid COCO keypoint results file")]
        public void Bad_results_files_are_reported_by_entry_and_field(string json, string expected)
        {
            var kp = "[" + string.Join(",", Enumerable.Repeat("1.5", 51)) + "]";
            var path = Path.Combine(RepoPaths.NewTempDir("bad-results"), "res.json");
            File.WriteAllText(path, json.Replace("KP", kp, StringComparison.Ordinal));
            var ex = Assert.Throws<CocoFormatException>(() => CocoResultsFile.Load(path));
            Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
            Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void Large_results_files_stream_through_buffer_refills_unchanged()
        {
            // ~1.3 MB: more than the reader's 1 MiB buffer, so entries straddle refills.
            var rng = new Random(3);
            var results = Enumerable.Range(0, 1500).Select(i => new CocoKeypointResult(i % 7, 1,
                Enumerable.Range(0, 51).Select(_ => rng.NextDouble() * 1000).ToArray(), rng.NextDouble())).ToList();
            var path = Path.Combine(RepoPaths.NewTempDir("big-results"), "res.json");
            CocoResultsFile.Save(path, results);
            Assert.True(new FileInfo(path).Length > 1 << 20);
            var back = CocoResultsFile.Load(path);
            Assert.Equal(results.Count, back.Count);
            for (int i = 0; i < results.Count; i++)
            {
                Assert.Equal(results[i].ImageId, back[i].ImageId);
                Assert.Equal(results[i].Score, back[i].Score);
                Assert.True(results[i].Keypoints.SequenceEqual(back[i].Keypoints), $"entry {i}");
            }
        }

        [Fact]
        public void Bad_annotation_entries_name_the_index_image_and_field()
        {
            var text = File.ReadAllText(MiniAnnotations);
            var dir = RepoPaths.NewTempDir("bad-ann");

            var noNum = Path.Combine(dir, "a.json");
            File.WriteAllText(noNum, text.Replace("\"num_keypoints\": 14,", string.Empty, StringComparison.Ordinal));
            var ex = Assert.Throws<CocoFormatException>(() => CocoKeypointFile.Load(noNum));
            Assert.Contains("annotations[1] (image_id 40083): 'num_keypoints' is missing", ex.Message, StringComparison.Ordinal);

            var badImage = Path.Combine(dir, "b.json");
            File.WriteAllText(badImage, text.Replace("\"image_id\": 785", "\"image_id\": 786", StringComparison.Ordinal));
            ex = Assert.Throws<CocoFormatException>(() => CocoKeypointFile.Load(badImage));
            Assert.Contains("annotations[0] (image_id 786): 'image_id' 786 is not in 'images'", ex.Message, StringComparison.Ordinal);

            var truncated = Path.Combine(dir, "c.json");
            File.WriteAllText(truncated, text[..(text.Length / 2)]);
            ex = Assert.Throws<CocoFormatException>(() => CocoKeypointFile.Load(truncated));
            Assert.Contains("invalid COCO keypoint annotation file", ex.Message, StringComparison.Ordinal);

            Assert.Throws<FileNotFoundException>(() => CocoKeypointFile.Load(Path.Combine(dir, "missing.json")));
        }

        [Theory]
        [InlineData("../secret.jpg")]
        [InlineData("sub/../../secret.jpg")]
        [InlineData("/etc/passwd")]
        [InlineData("..\\\\secret.jpg")]
        public void Image_file_names_that_leave_the_image_folder_are_refused(string fileName)
        {
            var text = File.ReadAllText(MiniAnnotations);
            string first = System.Text.RegularExpressions.Regex.Match(text, "\"file_name\": *\"([^\"]*)\"").Groups[1].Value;
            var file = Path.Combine(RepoPaths.NewTempDir("escape"), "a.json");
            File.WriteAllText(file, text.Replace("\"" + first + "\"", "\"" + fileName + "\"", StringComparison.Ordinal));
            var ex = Assert.Throws<CocoFormatException>(() => CocoKeypointFile.Load(file));
            Assert.Contains("images[0]", ex.Message, StringComparison.Ordinal);
            Assert.Contains("'file_name'", ex.Message, StringComparison.Ordinal);
            Assert.Contains("outside the image folder", ex.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void Image_file_names_in_subfolders_are_read()
        {
            var text = File.ReadAllText(MiniAnnotations);
            string first = System.Text.RegularExpressions.Regex.Match(text, "\"file_name\": *\"([^\"]*)\"").Groups[1].Value;
            var file = Path.Combine(RepoPaths.NewTempDir("subfolder"), "a.json");
            File.WriteAllText(file, text.Replace("\"" + first + "\"", "\"val2017/" + first + "\"", StringComparison.Ordinal));
            Assert.Equal("val2017/" + first, CocoKeypointFile.Load(file).Images[0].FileName);
        }

        [Fact]
        public void Lenient_load_leaves_out_bad_annotation_entries_and_reports_each()
        {
            var text = File.ReadAllText(MiniAnnotations);
            int all = CocoKeypointFile.Load(MiniAnnotations).Annotations.Count;
            var dir = RepoPaths.NewTempDir("lenient-ann");
            var path = Path.Combine(dir, "a.json");
            // Entry 1 loses num_keypoints, entry 0 points at an unknown image, and one more entry repeats entry 0's id.
            var json = System.Text.Json.Nodes.JsonNode.Parse(text.Replace("\"num_keypoints\": 14,", string.Empty, StringComparison.Ordinal))!;
            var anns = json["annotations"]!.AsArray();
            long firstId = (long)anns[0]!["id"]!;
            anns[0]!["image_id"] = 786;
            anns[2]!["id"] = (long)anns[3]!["id"]!;
            File.WriteAllText(path, json.ToJsonString());

            var skipped = new List<CocoFormatException>();
            var file = CocoKeypointFile.Load(path, skipped.Add);
            Assert.Equal(all - 3, file.Annotations.Count);
            Assert.Equal(new[] { 0, 1, 3 }, skipped.Select(e => e.EntryIndex));
            Assert.Equal(new[] { "image_id", "num_keypoints", "id" }, skipped.Select(e => e.Field));
            Assert.All(skipped, e => Assert.Equal(path, e.FilePath));
            Assert.DoesNotContain(file.Annotations, a => a.Id == firstId);
            // The strict load of the same file still fails on the first bad entry.
            Assert.Throws<CocoFormatException>(() => CocoKeypointFile.Load(path));

            // Structure errors are never skippable.
            File.WriteAllText(path, text[..(text.Length / 2)]);
            Assert.Throws<CocoFormatException>(() => CocoKeypointFile.Load(path, skipped.Add));
        }

        [Fact]
        public void Implausible_annotations_fail_the_strict_load_and_are_skipped_and_counted_by_the_lenient_one()
        {
            var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(MiniAnnotations))!.AsObject();
            var annotations = json["annotations"]!.AsArray();
            annotations[0]!["bbox"] = new System.Text.Json.Nodes.JsonArray(1.0, 2.0, -3.0, 4.0);  // negative width
            annotations[1]!["keypoints"]!.AsArray()[5] = 7;                                       // visibility 7
            json["images"]!.AsArray()[3]!["width"] = 0;                                            // image 197388: width 0
            int onThatImage = annotations.Count(a => (long)a!["image_id"]! == 197388);
            string path = Path.Combine(RepoPaths.NewTempDir("coco-implausible"), "gt.json");
            File.WriteAllText(path, json.ToJsonString());

            var strict = Assert.Throws<CocoFormatException>(() => CocoKeypointFile.Load(path));
            Assert.Contains("'width' is 0, expected a positive number of pixels", strict.Message, StringComparison.Ordinal);

            var skipped = new List<CocoFormatException>();
            var file = CocoKeypointFile.Load(path, skipped.Add);
            Assert.Equal(3, file.Images.Count);
            Assert.Equal(1 + 1 + 1 + onThatImage, skipped.Count); // the image, the two bad entries, the image's annotations
            Assert.Contains(skipped, e => e.Message.Contains("annotations[0]", StringComparison.Ordinal) && e.Field == "bbox");
            Assert.Contains(skipped, e => e.Message.Contains("visibility of keypoint 1 (left_eye) is 7", StringComparison.Ordinal));
            Assert.Equal(14 - 2 - onThatImage, file.Annotations.Count);
        }
    }
}
