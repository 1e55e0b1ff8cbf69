using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using OpenCvSharp;
using PoseRT.Tests.Inference;

namespace PoseRT.Tests
{
    /// <summary>
    /// The bad-input corpus of <c>posert</c> (run, score, synth), run through the real program: each case generates
    /// its inputs, runs <c>dotnet posert.dll</c> and checks exit code, message, no stack trace, time and outputs
    /// (<see cref="CliCorpus.Check"/>).
    /// </summary>
    public class BadInputCorpusTests
    {
        private const string Program = "posert";

        private static string MiniAnnotations => Path.Combine(RepoPaths.CocoMini, "annotations", "person_keypoints_mini.json");

        private static string MiniImages => Path.Combine(RepoPaths.CocoMini, "images");

        private static string MiniDetections => Path.Combine(RepoPaths.CocoMini, "person_detections_AP_H_56_mini.json");

        private static string Model => CorpusModels.Shipped;

        private const string FirstImage = "000000000785.jpg";

        /// <summary>
        /// <c>posert run</c> on the mini set with the case's annotations (gt.json), images (images/) and model (m.onnx)
        /// where its folder has them, and extra options.
        /// </summary>
        private static string[] RunArgs(string dir, params string[] extra) => Run(Gt(dir), Images(dir), ModelPath(dir), extra);

        /// <summary><c>posert run</c> with these files (one thread, ground-truth boxes unless the options say otherwise).</summary>
        private static string[] Run(string gt, string images, string model, params string[] extra) =>
            new[] { "run", "--model", model, "--gt", gt, "--images", images }
                .Concat(extra.Contains("--threads") ? Array.Empty<string>() : new[] { "--threads", "1" })
                .Concat(extra.Contains("--detections") ? Array.Empty<string>() : new[] { "--gt-boxes" }).Concat(extra).ToArray();

        private static string P(string dir, string name) => Path.Combine(dir, name);

        private static bool Exists(string path) => File.Exists(path) || Directory.Exists(path);

        private static string Gt(string dir) => Exists(P(dir, "gt.json")) ? P(dir, "gt.json") : MiniAnnotations;

        private static string Images(string dir) => Exists(P(dir, "images")) ? P(dir, "images") : MiniImages;

        private static string ModelPath(string dir) => Exists(P(dir, "m.onnx")) ? P(dir, "m.onnx") : Model;

        /// <summary>A copy of the mini images with <see cref="FirstImage"/> replaced by <paramref name="bytes"/>.</summary>
        private static Action<string> ReplaceImage(Func<byte[]> bytes) => dir =>
        {
            string images = Path.Combine(dir, "images");
            Directory.CreateDirectory(images);
            foreach (string f in Directory.GetFiles(MiniImages)) File.Copy(f, Path.Combine(images, Path.GetFileName(f)));
            File.WriteAllBytes(Path.Combine(images, FirstImage), bytes());
        };

        /// <summary>The mini annotations with one change made by <paramref name="edit"/>, written to gt.json.</summary>
        private static Action<string> EditGroundTruth(Action<JsonObject> edit) => dir =>
        {
            var json = JsonNode.Parse(File.ReadAllText(MiniAnnotations))!.AsObject();
            edit(json);
            File.WriteAllText(Path.Combine(dir, "gt.json"), json.ToJsonString());
        };

        private static JsonObject FirstAnnotation(JsonObject gt) => gt["annotations"]!.AsArray()[0]!.AsObject();

        /// <summary>The mini annotations as text, changed by <paramref name="edit"/>, written to gt.json.</summary>
        private static Action<string> GroundTruthText(Func<string, string> edit) => dir =>
            File.WriteAllText(P(dir, "gt.json"), edit(JsonNode.Parse(File.ReadAllText(MiniAnnotations))!.ToJsonString()));

        /// <summary>Writes <paramref name="text"/> to <paramref name="name"/> in the case's folder.</summary>
        private static Action<string> Text(string name, string text) => dir => File.WriteAllText(P(dir, name), text);

        /// <summary>Writes <paramref name="bytes"/> to <paramref name="name"/> in the case's folder.</summary>
        private static Action<string> Bytes(string name, Func<byte[]> bytes) => dir => File.WriteAllBytes(P(dir, name), bytes());

        /// <summary>A detection file det.json holding <paramref name="entries"/> (JSON objects, comma separated).</summary>
        private static Action<string> DetectionFile(string entries) => Text("det.json", "[" + entries + "]");

        private static string[] WithDetections(string dir, params string[] extra) => RunArgs(dir, new[] { "--detections", P(dir, "det.json") }.Concat(extra).ToArray());

        /// <summary>One detection of image 785 with the given fields (JSON text).</summary>
        private static string Detection(string bbox = "[300, 40, 200, 340]", string score = "0.9", string imageId = "785") =>
            $"{{\"image_id\": {imageId}, \"category_id\": 1, \"bbox\": {bbox}, \"score\": {score}}}";

        /// <summary>A keypoint results file r.json holding <paramref name="entries"/>.</summary>
        private static Action<string> ResultsFile(string entries) => Text("r.json", "[" + entries + "]");

        /// <summary>One keypoint result of image 785 with <paramref name="values"/> keypoint numbers.</summary>
        private static string Result(int values = 51, string imageId = "785", string score = "0.9", string category = "1") =>
            $"{{\"image_id\": {imageId}, \"category_id\": {category}, \"keypoints\": [{string.Join(",", Enumerable.Repeat("1", values))}], \"score\": {score}}}";

        private static string[] ScoreArgs(string dir, params string[] extra) =>
            new[] { "score", "--gt", Gt(dir), "--results", P(dir, "r.json") }.Concat(extra).ToArray();

        private static string[] Bench(string dir, params string[] extra) =>
            new[] { "bench", "--model", ModelPath(dir) }.Concat(extra).ToArray();

        private static string[] Synth(string dir, params string[] extra) =>
            new[] { "synth", "--out", P(dir, "synth") }.Concat(extra).ToArray();

        private static byte[] Png(int width, int height)
        {
            using var image = new Mat(height, width, MatType.CV_8UC3, Scalar.All(77));
            Cv2.ImEncode(".png", image, out byte[] bytes);
            return bytes;
        }

        /// <summary>A real PNG of the first image's size, cut after half its bytes.</summary>
        private static byte[] TruncatedPng()
        {
            byte[] png = Png(640, 425);
            return png[..(png.Length / 2)];
        }

        private static byte[] TinyJpeg()
        {
            using var pixel = new Mat(1, 1, MatType.CV_8UC3, Scalar.All(128));
            Cv2.ImEncode(".jpg", pixel, out byte[] bytes);
            return bytes;
        }

        private static readonly string MiniGtBoxesResults = "results.json";

        /// <summary>Every case; the README's reliability section counts them.</summary>
        internal static readonly CliCase[] Cases =
        {
            new() { Name = "run-threads-huge", Args = d => RunArgs(d, "--threads", "100000"), Message = _ => "--threads 100000: must be from 0 to" },
            new() { Name = "run-threads-negative", Args = d => RunArgs(d, "--threads", "-1"), Message = _ => "--threads -1" },
            new() { Name = "run-threads-not-a-number", Args = d => RunArgs(d, "--threads", "many"), Message = _ => "'many'" },
            new() { Name = "run-device-negative", Args = d => RunArgs(d, "--device", "cuda:-1"), Message = _ => "--device 'cuda:-1': only cuda and directml take a GPU index, a number from 0 to 63" },
            new() { Name = "run-device-unknown", Args = d => RunArgs(d, "--device", "gpu"), Message = _ => "--device 'gpu' is not one of auto, cpu, cuda, directml" },
            new() { Name = "run-refinement-unknown", Args = d => RunArgs(d, "--refinement", "Subpixel"), Message = _ => "'Subpixel'" },
            new() { Name = "bench-model-missing", Args = d => new[] { "bench", "--model", Path.Combine(d, "none.onnx") }, Message = d => Path.Combine(d, "none.onnx") },
            new() { Name = "bench-model-not-onnx", Setup = d => File.WriteAllText(Path.Combine(d, "bad.onnx"), "not a model"), Args = d => new[] { "bench", "--model", Path.Combine(d, "bad.onnx") }, Message = d => Path.Combine(d, "bad.onnx") },
            new() { Name = "bench-boxes-zero", Args = _ => new[] { "bench", "--synthetic", "--boxes", "0" }, Message = _ => "--boxes 0" },
            new() { Name = "bench-threads-huge", Args = _ => new[] { "bench", "--synthetic", "--threads", "100000" }, Message = _ => "--threads 100000" },
            new() { Name = "bench-device-cpu-index", Args = _ => new[] { "bench", "--synthetic", "--device", "cpu:2" }, Message = _ => "--device 'cpu:2'" },
            new() { Name = "run-boxes-cap-zero", Args = d => RunArgs(d, "--max-boxes-per-image", "0"), Message = _ => "--max-boxes-per-image 0" },
            new() { Name = "run-unknown-option", Args = d => RunArgs(d, "--bogus"), Message = _ => "--bogus" },
            new() { Name = "run-no-boxes-given", Args = d => new[] { "run", "--model", Model, "--gt", MiniAnnotations, "--images", MiniImages }, Message = _ => "--detections FILE or --gt-boxes" },
            new()
            {
                Name = "run-out-unwritable", Args = d => RunArgs(d, "--out", "/sys/posert-corpus/results.json"),
                Message = _ => "--out '/sys/posert-corpus/results.json' cannot be written",
            },
            new()
            {
                Name = "run-json-is-a-folder", Setup = d => Directory.CreateDirectory(Path.Combine(d, "stats")),
                Args = d => RunArgs(d, "--json", Path.Combine(d, "stats"), "--out", Path.Combine(d, MiniGtBoxesResults)),
                Message = d => $"--json '{Path.Combine(d, "stats")}' is a folder", Untouched = new[] { "stats", MiniGtBoxesResults },
            },
            new()
            {
                Name = "run-plots-is-a-file", Setup = d => File.WriteAllText(Path.Combine(d, "plots"), "mine"),
                Args = d => RunArgs(d, "--plots", Path.Combine(d, "plots"), "--out", Path.Combine(d, MiniGtBoxesResults), "--json", Path.Combine(d, "stats.json")),
                Message = d => $"--plots '{Path.Combine(d, "plots")}' is a file", Untouched = new[] { "plots", MiniGtBoxesResults, "stats.json" },
            },
            new()
            {
                Name = "run-png-header-100000x100000", Setup = ReplaceImage(() => CliCorpus.PngHeader(100000, 100000)),
                Args = d => RunArgs(d, "--out", Path.Combine(d, MiniGtBoxesResults)), Message = _ => "claims 100000x100000 pixels", Untouched = new[] { MiniGtBoxesResults },
            },
            new()
            {
                Name = "run-jpeg-header-65000x65000", Setup = ReplaceImage(() => CliCorpus.JpegHeader(65000, 65000)),
                Args = d => RunArgs(d, "--out", Path.Combine(d, MiniGtBoxesResults)), Message = _ => "claims 65000x65000 pixels", Untouched = new[] { MiniGtBoxesResults },
            },
            new()
            {
                Name = "run-image-not-decodable", Setup = ReplaceImage(() => "not a jpeg"u8.ToArray()),
                Args = d => RunArgs(d, "--out", Path.Combine(d, MiniGtBoxesResults)), Message = _ => FirstImage + "' cannot be decoded", Untouched = new[] { MiniGtBoxesResults },
            },
            new()
            {
                Name = "run-jpeg-truncated", Setup = ReplaceImage(() => File.ReadAllBytes(Path.Combine(MiniImages, FirstImage))[..20000]),
                Args = d => RunArgs(d, "--out", Path.Combine(d, MiniGtBoxesResults)), Message = _ => FirstImage + "' is truncated", Untouched = new[] { MiniGtBoxesResults },
            },
            new()
            {
                Name = "run-image-size-contradicts-annotation", Setup = ReplaceImage(TinyJpeg),
                Args = d => RunArgs(d, "--out", Path.Combine(d, MiniGtBoxesResults)), Message = _ => "is 1x1 pixels, but image_id 785", Untouched = new[] { MiniGtBoxesResults },
            },
            new()
            {
                Name = "run-image-missing", Setup = ReplaceImage(() => Array.Empty<byte>()) + (d => File.Delete(Path.Combine(d, "images", FirstImage))),
                Args = d => RunArgs(d), Message = _ => FirstImage + "' of image_id 785",
            },
            new()
            {
                Name = "run-detections-over-cap",
                Setup = d => File.WriteAllText(Path.Combine(d, "det.json"),
                    "[" + string.Join(",", Enumerable.Range(0, 301).Select(i => $"{{\"image_id\": 785, \"category_id\": 1, \"bbox\": [{i % 600}, 10, 30, 60], \"score\": 0.9}}")) + "]"),
                Args = d => RunArgs(d, "--detections", Path.Combine(d, "det.json"), "--out", Path.Combine(d, MiniGtBoxesResults)),
                Message = _ => "image_id 785 has more than 300 person detections, the cap on boxes per image (posert run: --max-boxes-per-image)", Untouched = new[] { MiniGtBoxesResults },
            },
            new()
            {
                Name = "run-detections-unknown-image",
                Setup = d => File.WriteAllText(Path.Combine(d, "det.json"), "[{\"image_id\": 4, \"category_id\": 1, \"bbox\": [1, 2, 30, 40], \"score\": 0.9}]"),
                Args = d => RunArgs(d, "--detections", Path.Combine(d, "det.json")), Message = _ => "'image_id' 4 is not an image of",
            },
            new()
            {
                Name = "run-gt-negative-bbox-width", Setup = EditGroundTruth(gt => FirstAnnotation(gt)["bbox"] = new JsonArray(10.0, 10.0, -5.0, 50.0)),
                Args = d => RunArgs(d), Message = _ => "'bbox' has width -5",
            },
            new()
            {
                Name = "run-gt-negative-bbox-height", Setup = EditGroundTruth(gt => FirstAnnotation(gt)["bbox"] = new JsonArray(10.0, 10.0, 5.0, -1.0)),
                Args = d => RunArgs(d), Message = _ => "and height -1; neither may be negative",
            },
            new()
            {
                Name = "run-gt-visibility-7", Setup = EditGroundTruth(gt => FirstAnnotation(gt)["keypoints"]!.AsArray()[2] = 7),
                Args = d => RunArgs(d), Message = _ => "visibility of keypoint 0 (nose) is 7, expected 0, 1 or 2",
            },
            new()
            {
                Name = "run-gt-image-width-0", Setup = EditGroundTruth(gt => gt["images"]!.AsArray()[0]!["width"] = 0),
                Args = d => RunArgs(d), Message = _ => "images[0] (image_id 785): 'width' is 0",
            },
            new()
            {
                Name = "run-gt-image-height-negative", Setup = EditGroundTruth(gt => gt["images"]!.AsArray()[1]!["height"] = -3),
                Args = d => RunArgs(d), Message = _ => "'height' is -3",
            },
            new()
            {
                Name = "run-gt-not-json", Setup = d => File.WriteAllText(Path.Combine(d, "gt.json"), "{ images: "),
                Args = d => RunArgs(d), Message = d => Path.Combine(d, "gt.json"),
            },
            new()
            {
                Name = "run-model-missing", Args = d => new[] { "run", "--model", Path.Combine(d, "none.onnx"), "--gt", MiniAnnotations, "--images", MiniImages, "--gt-boxes" },
                Message = d => Path.Combine(d, "none.onnx"),
            },
            new()
            {
                Name = "score-plots-is-an-existing-file", Setup = d => { File.WriteAllText(Path.Combine(d, "plots.png"), "mine"); File.WriteAllText(Path.Combine(d, "r.json"), "[]"); },
                Args = d => new[] { "score", "--gt", MiniAnnotations, "--results", Path.Combine(d, "r.json"), "--json", Path.Combine(d, "s.json"), "--plots", Path.Combine(d, "plots.png") },
                Message = d => $"--plots '{Path.Combine(d, "plots.png")}' is a file", Untouched = new[] { "s.json", "plots.png" },
            },
            new()
            {
                Name = "score-json-unwritable", Setup = d => File.WriteAllText(Path.Combine(d, "r.json"), "[]"),
                Args = d => new[] { "score", "--gt", MiniAnnotations, "--results", Path.Combine(d, "r.json"), "--json", "/sys/s.json" },
                Message = _ => "--json '/sys/s.json' cannot be written",
            },
            new()
            {
                Name = "score-gt-negative-bbox", Setup = EditGroundTruth(gt => FirstAnnotation(gt)["bbox"] = new JsonArray(1.0, 1.0, -2.0, 3.0)) + (d => File.WriteAllText(Path.Combine(d, "r.json"), "[]")),
                Args = d => new[] { "score", "--gt", Path.Combine(d, "gt.json"), "--results", Path.Combine(d, "r.json"), "--json", Path.Combine(d, "s.json") },
                Message = _ => "'bbox' has width -2", Untouched = new[] { "s.json" },
            },
            new()
            {
                Name = "score-results-missing", Args = d => new[] { "score", "--gt", MiniAnnotations, "--results", Path.Combine(d, "nope.json") },
                Message = _ => "nope.json' does not exist",
            },
            new()
            {
                Name = "score-results-score-nan", Setup = d => File.WriteAllText(Path.Combine(d, "r.json"),
                    $"[{{\"image_id\": 785, \"category_id\": 1, \"keypoints\": [{string.Join(",", Enumerable.Repeat("1", 51))}], \"score\": NaN}}]"),
                Args = d => new[] { "score", "--gt", MiniAnnotations, "--results", Path.Combine(d, "r.json") }, Message = d => Path.Combine(d, "r.json"),
            },
            new() { Name = "score-no-files", Args = _ => new[] { "score" }, Message = _ => "--gt and --results are both required" },
            new()
            {
                Name = "synth-video-odd-size", Args = d => new[] { "synth", "--video", "--width", "641", "--height", "361", "--frames", "2", "--out", Path.Combine(d, "clip") },
                Message = _ => "must be even", Untouched = new[] { "clip" },
            },
            new()
            {
                Name = "synth-out-unwritable", Args = _ => new[] { "synth", "--images", "1", "--out", "/sys/posert-synth" },
                Message = _ => "--out '/sys/posert-synth' cannot be written",
            },
            // ---- posert run: the annotation file (its structure, then entries; the mini set's first annotation is edited)
            new() { Name = "run-gt-missing", Args = d => Run(P(d, "none.json"), MiniImages, Model), Message = d => $"'{P(d, "none.json")}' does not exist" },
            new() { Name = "run-gt-is-a-folder", Setup = d => Directory.CreateDirectory(P(d, "gt.json")), Args = d => RunArgs(d), Message = d => $"'{P(d, "gt.json")}' is a folder, not a file" },
            new() { Name = "run-gt-empty-file", Setup = Text("gt.json", ""), Args = d => RunArgs(d), Message = d => P(d, "gt.json") + ": invalid COCO keypoint annotation file" },
            new() { Name = "run-gt-top-level-list", Setup = Text("gt.json", "[]"), Args = d => RunArgs(d), Message = d => P(d, "gt.json") + ": invalid COCO keypoint annotation file at $" },
            new() { Name = "run-gt-json-null", Setup = Text("gt.json", "null"), Args = d => RunArgs(d), Message = _ => "the COCO keypoint annotation file is JSON 'null'" },
            new() { Name = "run-gt-cut-in-half", Setup = GroundTruthText(t => t[..(t.Length / 2)]), Args = d => RunArgs(d), Message = d => P(d, "gt.json") + ": invalid COCO keypoint annotation file" },
            new() { Name = "run-gt-trailing-garbage", Setup = GroundTruthText(t => t + " x"), Args = d => RunArgs(d), Message = d => P(d, "gt.json") + ": invalid COCO keypoint annotation file" },
            new()
            {
                Name = "run-gt-utf8-bom-is-read",
                Setup = EditGroundTruth(gt => FirstAnnotation(gt)["bbox"] = new JsonArray(10.0, 10.0, -5.0, 50.0))
                    + (d => File.WriteAllBytes(P(d, "gt.json"), new byte[] { 0xEF, 0xBB, 0xBF }.Concat(File.ReadAllBytes(P(d, "gt.json"))).ToArray())),
                Args = d => RunArgs(d), Message = _ => "annotations[0] (image_id 785): 'bbox' has width -5",
            },
            new() { Name = "run-gt-images-missing", Setup = EditGroundTruth(gt => gt.Remove("images")), Args = d => RunArgs(d), Message = _ => "'images' is missing" },
            new() { Name = "run-gt-annotations-missing", Setup = EditGroundTruth(gt => gt.Remove("annotations")), Args = d => RunArgs(d), Message = _ => "'annotations' is missing" },
            new() { Name = "run-gt-categories-missing", Setup = EditGroundTruth(gt => gt.Remove("categories")), Args = d => RunArgs(d), Message = _ => "'categories' is missing" },
            new()
            {
                Name = "run-gt-category-absent", Setup = EditGroundTruth(gt => gt["categories"] = new JsonArray()),
                Args = d => RunArgs(d), Message = _ => "annotations[0] (image_id 785): 'category_id' 1 is not in 'categories'",
            },
            new()
            {
                Name = "run-gt-image-referenced-but-absent", Setup = EditGroundTruth(gt => FirstAnnotation(gt)["image_id"] = 999999),
                Args = d => RunArgs(d), Message = _ => "annotations[0] (image_id 999999): 'image_id' 999999 is not in 'images'",
            },
            new()
            {
                Name = "run-gt-duplicate-annotation-id", Setup = EditGroundTruth(gt => gt["annotations"]!.AsArray()[1]!["id"] = FirstAnnotation(gt)["id"]!.GetValue<long>()),
                Args = d => RunArgs(d), Message = _ => "'id' 442619 is used by an earlier annotation too",
            },
            new()
            {
                Name = "run-gt-duplicate-image-id", Setup = EditGroundTruth(gt => gt["images"]!.AsArray()[1]!["id"] = 785),
                Args = d => RunArgs(d), Message = _ => "images[1] (image_id 785): 'id' 785 is used by an earlier image too",
            },
            new()
            {
                Name = "run-gt-null-entry", Setup = EditGroundTruth(gt => gt["annotations"]!.AsArray()[0] = null),
                Args = d => RunArgs(d), Message = _ => "annotations[0] is null, expected an object",
            },
            new()
            {
                Name = "run-gt-image-id-missing", Setup = EditGroundTruth(gt => gt["images"]!.AsArray()[0]!.AsObject().Remove("id")),
                Args = d => RunArgs(d), Message = _ => "images[0]: 'id' is missing",
            },
            new()
            {
                Name = "run-gt-file-name-missing", Setup = EditGroundTruth(gt => gt["images"]!.AsArray()[0]!.AsObject().Remove("file_name")),
                Args = d => RunArgs(d), Message = _ => "images[0] (image_id 785): 'file_name' is missing",
            },
            new()
            {
                Name = "run-gt-file-name-leaves-image-folder", Setup = EditGroundTruth(gt => gt["images"]!.AsArray()[0]!["file_name"] = "../../etc/hostname"),
                Args = d => RunArgs(d), Message = _ => "images[0] (image_id 785): 'file_name' is '../../etc/hostname', a path outside the image folder",
            },
            new()
            {
                Name = "run-gt-keypoints-50-values", Setup = EditGroundTruth(gt => FirstAnnotation(gt)["keypoints"]!.AsArray().RemoveAt(50)),
                Args = d => RunArgs(d), Message = _ => "'keypoints' must hold 51 values (x, y, v/score for 17 keypoints), got 50",
            },
            new()
            {
                Name = "run-gt-keypoints-a-string", Setup = EditGroundTruth(gt => FirstAnnotation(gt)["keypoints"] = "367,81,2"),
                Args = d => RunArgs(d), Message = _ => "at $.annotations[0].keypoints",
            },
            new()
            {
                Name = "run-gt-keypoint-named-nan", Setup = EditGroundTruth(gt => FirstAnnotation(gt)["keypoints"]!.AsArray()[0] = "NaN"),
                Args = d => RunArgs(d), Message = _ => "'keypoints' value 0 is NaN, not a finite number",
            },
            new()
            {
                Name = "run-gt-keypoints-missing", Setup = EditGroundTruth(gt => FirstAnnotation(gt).Remove("keypoints")),
                Args = d => RunArgs(d), Message = _ => "annotations[0] (image_id 785): 'keypoints' is missing",
            },
            new()
            {
                Name = "run-gt-num-keypoints-18", Setup = EditGroundTruth(gt => FirstAnnotation(gt)["num_keypoints"] = 18),
                Args = d => RunArgs(d), Message = _ => "'num_keypoints' is 18, expected 0 to 17",
            },
            new()
            {
                Name = "run-gt-num-keypoints-missing", Setup = EditGroundTruth(gt => FirstAnnotation(gt).Remove("num_keypoints")),
                Args = d => RunArgs(d), Message = _ => "'num_keypoints' is missing",
            },
            new()
            {
                Name = "run-gt-bbox-3-values", Setup = EditGroundTruth(gt => FirstAnnotation(gt)["bbox"] = new JsonArray(1.0, 2.0, 3.0)),
                Args = d => RunArgs(d), Message = _ => "'bbox' must hold 4 values [x, y, w, h], got 3",
            },
            new()
            {
                Name = "run-gt-bbox-missing", Setup = EditGroundTruth(gt => FirstAnnotation(gt).Remove("bbox")),
                Args = d => RunArgs(d), Message = _ => "annotations[0] (image_id 785): 'bbox' is missing",
            },
            new()
            {
                Name = "run-gt-number-beyond-double", Setup = GroundTruthText(t => t.Replace("\"bbox\":[280.79", "\"bbox\":[1e400", StringComparison.Ordinal)),
                Args = d => RunArgs(d), Message = _ => "annotations[0]",
            },
            new()
            {
                Name = "run-gt-id-not-an-integer", Setup = EditGroundTruth(gt => FirstAnnotation(gt)["id"] = 1.5),
                Args = d => RunArgs(d), Message = _ => "at $.annotations[0].id",
            },
            new()
            {
                Name = "run-gt-area-negative", Setup = EditGroundTruth(gt => FirstAnnotation(gt)["area"] = -1.0),
                Args = d => RunArgs(d), Message = _ => "'area' is -1, expected a finite number >= 0",
            },
            new()
            {
                Name = "run-gt-iscrowd-5", Setup = EditGroundTruth(gt => FirstAnnotation(gt)["iscrowd"] = 5),
                Args = d => RunArgs(d), Message = _ => "'iscrowd' is 5, expected 0 or 1",
            },

            // ---- posert run: the image folder and its images
            new() { Name = "run-images-folder-missing", Args = d => Run(MiniAnnotations, P(d, "nowhere"), Model), Message = d => $"'{P(P(d, "nowhere"), FirstImage)}' of image_id 785" },
            new() { Name = "run-images-is-a-file", Setup = Text("images", "a file"), Args = d => RunArgs(d), Message = d => $"'{P(P(d, "images"), FirstImage)}' of image_id 785" },
            new()
            {
                Name = "run-image-zero-bytes", Setup = ReplaceImage(() => Array.Empty<byte>()),
                Args = d => RunArgs(d, "--out", P(d, MiniGtBoxesResults)), Message = _ => FirstImage + "' cannot be decoded", Untouched = new[] { MiniGtBoxesResults },
            },
            new()
            {
                Name = "run-png-truncated", Setup = ReplaceImage(TruncatedPng),
                Args = d => RunArgs(d, "--out", P(d, MiniGtBoxesResults)), Message = _ => FirstImage + "' is truncated or corrupt: the PNG file", Untouched = new[] { MiniGtBoxesResults },
            },
            new()
            {
                Name = "run-png-header-0x5", Setup = ReplaceImage(() => CliCorpus.PngHeader(0, 5)),
                Args = d => RunArgs(d), Message = _ => FirstImage + "' has a header size of 0x5 pixels",
            },
            new()
            {
                Name = "run-bmp-header-70000x70000", Setup = ReplaceImage(() => CliCorpus.BmpHeader(70000, 70000)),
                Args = d => RunArgs(d), Message = _ => FirstImage + "' claims 70000x70000 pixels",
            },

            // ---- posert run: the detection file
            new() { Name = "run-detections-missing", Args = d => WithDetections(d), Message = d => $"COCO detection file '{P(d, "det.json")}' does not exist" },
            new() { Name = "run-detections-not-json", Setup = Text("det.json", "image 785: 1 2 30 40"), Args = d => WithDetections(d), Message = d => P(d, "det.json") + ": invalid COCO detection file" },
            new() { Name = "run-detections-an-object", Setup = Text("det.json", "{\"image_id\": 785}"), Args = d => WithDetections(d), Message = d => P(d, "det.json") + ": invalid COCO detection file at $" },
            new() { Name = "run-detections-bbox-3-values", Setup = DetectionFile(Detection(bbox: "[1, 2, 30]")), Args = d => WithDetections(d), Message = _ => "detections[0] (image_id 785): 'bbox' must hold 4 values" },
            new()
            {
                Name = "run-detections-bbox-negative-width", Setup = DetectionFile(Detection() + "," + Detection(bbox: "[300, 40, -200, 340]")),
                Args = d => WithDetections(d, "--out", P(d, MiniGtBoxesResults)), Message = _ => "detections[1] (image_id 785): 'bbox' has width -200", Untouched = new[] { MiniGtBoxesResults },
            },
            new() { Name = "run-detections-bbox-beyond-float-pixels", Setup = DetectionFile(Detection(bbox: "[1e30, 40, 200, 340]")), Args = d => WithDetections(d), Message = _ => "detections[0] (image_id 785): 'bbox' value 0 is 1E+30, beyond 16777216 pixels" },
            new() { Name = "run-detections-score-missing", Setup = Text("det.json", "[{\"image_id\": 785, \"category_id\": 1, \"bbox\": [1, 2, 30, 40]}]"), Args = d => WithDetections(d), Message = _ => "detections[0] (image_id 785): 'score' is missing" },
            new() { Name = "run-detections-score-negative", Setup = DetectionFile(Detection(score: "-0.5")), Args = d => WithDetections(d), Message = _ => "'score' is -0.5; scores must be finite and not negative" },
            new() { Name = "run-detections-score-named-nan", Setup = DetectionFile(Detection(score: "\"NaN\"")), Args = d => WithDetections(d), Message = _ => "'score' is NaN; scores must be finite" },
            new() { Name = "run-detections-image-id-a-string", Setup = DetectionFile(Detection(imageId: "\"785\"")), Args = d => WithDetections(d), Message = _ => "at $[0].image_id" },
            new() { Name = "run-detections-and-gt-boxes", Setup = DetectionFile(Detection()), Args = d => WithDetections(d, "--gt-boxes"), Message = _ => "give exactly one of --detections FILE or --gt-boxes" },

            // ---- posert run: the model
            new() { Name = "run-model-zero-bytes", Setup = Bytes("m.onnx", Array.Empty<byte>), Args = d => RunArgs(d), Message = d => P(d, "m.onnx") + ":" },
            new() { Name = "run-model-is-a-png", Setup = Bytes("m.onnx", () => Png(8, 8)), Args = d => RunArgs(d), Message = d => P(d, "m.onnx") + ": ONNX Runtime cannot load it as a model" },
            new() { Name = "run-model-truncated", Setup = Bytes("m.onnx", CorpusModels.ShippedHalf), Args = d => RunArgs(d), Message = d => P(d, "m.onnx") + ": ONNX Runtime cannot load it as a model" },
            new() { Name = "run-model-is-a-folder", Setup = d => Directory.CreateDirectory(P(d, "m.onnx")), Args = d => RunArgs(d), Message = d => $"'{P(d, "m.onnx")}'" },
            new() { Name = "run-model-without-posert-metadata", Setup = Bytes("m.onnx", () => new TestModel { WriteMetadata = false }.Build()), Args = d => RunArgs(d), Message = d => P(d, "m.onnx") + ": the model has no PoseRT metadata" },
            new() { Name = "run-model-metadata-contradicts-graph", Setup = Bytes("m.onnx", CorpusModels.MetadataContradictsGraph), Args = d => RunArgs(d), Message = d => P(d, "m.onnx") + ": input 'image' has shape [?, 3, 64, 48]; the model description needs [N, 3, 256, 192]" },
            new() { Name = "run-model-two-inputs", Setup = Bytes("m.onnx", () => new TestModel { SecondInput = true }.Build()), Args = d => RunArgs(d), Message = d => P(d, "m.onnx") + ": a pose model has one input (an image batch); this one has 2" },
            new()
            {
                Name = "run-model-heatmaps-nan", Setup = Bytes("m.onnx", CorpusModels.NanHeatmaps), Args = d => RunArgs(d, "--out", P(d, MiniGtBoxesResults)),
                Message = d => P(d, "m.onnx") + ": the model's heatmaps hold NaN or infinite values", Untouched = new[] { MiniGtBoxesResults },
            },

            // ---- posert run: outputs and the command line
            new()
            {
                Name = "run-out-is-the-gt", Setup = EditGroundTruth(_ => { }), Args = d => RunArgs(d, "--out", P(d, "gt.json")),
                Message = d => $"--out '{P(d, "gt.json")}' is the same path as --gt", Untouched = new[] { "gt.json" },
            },
            new()
            {
                Name = "run-json-is-the-out", Args = d => RunArgs(d, "--out", P(d, "r.json"), "--json", P(d, "r.json")),
                Message = d => $"--json '{P(d, "r.json")}' is the same path as --out", Untouched = new[] { "r.json" },
            },
            new()
            {
                Name = "run-out-under-a-file", Setup = Text("file", "mine"), Args = d => RunArgs(d, "--out", P(P(d, "file"), "r.json")),
                Message = d => $"'{P(d, "file")}' is a file, so no folder can be made there", Untouched = new[] { "file" },
            },
            new() { Name = "run-out-in-proc", Args = d => RunArgs(d, "--out", "/proc/posert/r.json"), Message = _ => "--out '/proc/posert/r.json' cannot be written" },
            new() { Name = "run-flip-and-no-flip", Args = d => RunArgs(d, "--flip", "--no-flip"), Message = _ => "--flip and --no-flip contradict each other" },
            new() { Name = "run-boxes-cap-not-a-number", Args = d => RunArgs(d, "--max-boxes-per-image", "lots"), Message = _ => "'lots'" },
            new() { Name = "run-threads-overflow", Args = d => RunArgs(d, "--threads", "99999999999"), Message = _ => "'99999999999'" },
            new() { Name = "run-model-option-missing", Args = _ => new[] { "run", "--gt", MiniAnnotations, "--images", MiniImages, "--gt-boxes" }, Message = _ => "'--model' is required" },
            new() { Name = "run-option-without-value", Args = d => RunArgs(d, "--json"), Message = _ => "--json" },

            // ---- posert score
            new() { Name = "score-gt-missing", Setup = ResultsFile(Result()), Args = d => new[] { "score", "--gt", P(d, "none.json"), "--results", P(d, "r.json") }, Message = d => $"'{P(d, "none.json")}' does not exist" },
            new() { Name = "score-results-not-json", Setup = Text("r.json", "results: none"), Args = d => ScoreArgs(d), Message = d => P(d, "r.json") + ": invalid COCO keypoint results file" },
            new() { Name = "score-results-empty-file", Setup = Text("r.json", ""), Args = d => ScoreArgs(d), Message = d => P(d, "r.json") + ": invalid COCO keypoint results file" },
            new() { Name = "score-results-an-object", Setup = Text("r.json", "{}"), Args = d => ScoreArgs(d), Message = _ => "expected a JSON list of results, found StartObject" },
            new() { Name = "score-results-unclosed-list", Setup = Text("r.json", "[" + Result()), Args = d => ScoreArgs(d), Message = d => P(d, "r.json") + ": invalid COCO keypoint results file at $[1]" },
            new() { Name = "score-results-entry-a-number", Setup = ResultsFile("7"), Args = d => ScoreArgs(d), Message = _ => "results[0]: 'entry' is a Number, expected an object" },
            new() { Name = "score-results-keypoints-50", Setup = ResultsFile(Result(values: 50)), Args = d => ScoreArgs(d), Message = _ => "results[0] (image_id 785): 'keypoints' must hold 51 values" },
            new() { Name = "score-results-score-a-string", Setup = ResultsFile(Result(score: "\"high\"")), Args = d => ScoreArgs(d), Message = _ => "results[0] (image_id 785): 'score' is" },
            new() { Name = "score-results-image-id-missing", Setup = Text("r.json", "[{\"category_id\": 1, \"keypoints\": [], \"score\": 1}]"), Args = d => ScoreArgs(d), Message = _ => "results[0]: 'image_id' is missing" },
            new() { Name = "score-results-with-segmentation", Setup = Text("r.json", "[" + Result()[..^1] + ", \"segmentation\": []}]"), Args = d => ScoreArgs(d), Message = _ => "'segmentation' is present" },
            new()
            {
                Name = "score-json-is-the-results", Setup = ResultsFile(Result()), Args = d => ScoreArgs(d, "--json", P(d, "r.json")),
                Message = d => $"--json '{P(d, "r.json")}' is the same path as --results", Untouched = new[] { "r.json" },
            },
            new() { Name = "score-plots-in-proc", Setup = ResultsFile(Result()), Args = d => ScoreArgs(d, "--plots", "/proc/posert-plots"), Message = _ => "--plots '/proc/posert-plots' cannot be written" },
            new() { Name = "score-only-gt", Args = _ => new[] { "score", "--gt", MiniAnnotations }, Message = _ => "--gt and --results are both required" },
            new() { Name = "score-bench-keep-unwritable", Args = _ => new[] { "score", "--benchmark", "--bench-keep", "/proc/posert-bench" }, Message = _ => "--bench-keep '/proc/posert-bench' cannot be written" },
            new()
            {
                Name = "score-bench-keep-is-a-file", Setup = Text("keep", "mine"), Args = d => new[] { "score", "--benchmark", "--bench-keep", P(d, "keep") },
                Message = d => $"--bench-keep '{P(d, "keep")}' is a file", Untouched = new[] { "keep" },
            },
            new() { Name = "score-bench-persons-zero", Args = _ => new[] { "score", "--benchmark", "--bench-persons", "0" }, Message = _ => "--bench-persons and --bench-images must be positive" },

            // ---- posert synth
            new() { Name = "synth-images-zero", Args = d => Synth(d, "--images", "0"), Message = _ => "Images must be at least 1 (got 0)", Untouched = new[] { "synth" } },
            new() { Name = "synth-width-too-small", Args = d => Synth(d, "--width", "16"), Message = _ => "Width must be between 32 and 4096 pixels (got 16)", Untouched = new[] { "synth" } },
            new() { Name = "synth-height-huge", Args = d => Synth(d, "--height", "100000"), Message = _ => "Height must be between 32 and 4096 pixels (got 100000)", Untouched = new[] { "synth" } },
            new() { Name = "synth-people-min-above-max", Args = d => Synth(d, "--people-min", "5", "--people-max", "2"), Message = _ => "PeopleMax (2) must not be below PeopleMin (5)", Untouched = new[] { "synth" } },
            new() { Name = "synth-people-max-17", Args = d => Synth(d, "--people-max", "17"), Message = _ => "PeopleMax must be at most 16 (got 17)", Untouched = new[] { "synth" } },
            new() { Name = "synth-difficulty-nan", Args = d => Synth(d, "--difficulty", "NaN"), Message = _ => "Difficulty must be between 0 and 1 (got NaN)", Untouched = new[] { "synth" } },
            new() { Name = "synth-threads-zero", Args = d => Synth(d, "--threads", "0"), Message = _ => "MaxDegreeOfParallelism must be at least 1 (got 0)", Untouched = new[] { "synth" } },
            new() { Name = "synth-preview-negative", Args = d => Synth(d, "--preview", "-1"), Message = _ => "--preview -1: must be at least 0", Untouched = new[] { "synth" } },
            new() { Name = "synth-preview-format-gif", Args = d => Synth(d, "--preview-format", "gif"), Message = _ => "'gif'", Untouched = new[] { "synth" } },
            new() { Name = "synth-features-unknown", Args = d => Synth(d, "--features", "shadows,fog"), Message = _ => "Synthetic feature 'fog' is not one of: all, none, or a comma-separated list", Untouched = new[] { "synth" } },
            new() { Name = "synth-features-empty-item", Args = d => Synth(d, "--features", "camera,"), Message = _ => "Synthetic feature '' is not one of", Untouched = new[] { "synth" } },
            new() { Name = "synth-video-features", Args = d => Synth(d, "--video", "--features", "all"), Message = _ => "--features applies to still images", Untouched = new[] { "synth" } },
            new() { Name = "synth-seed-not-a-number", Args = d => Synth(d, "--seed", "abc"), Message = _ => "'abc'", Untouched = new[] { "synth" } },
            new() { Name = "synth-out-missing", Args = _ => new[] { "synth", "--images", "1" }, Message = _ => "'--out' is required" },
            new() { Name = "synth-out-is-a-file", Setup = Text("synth", "mine"), Args = d => Synth(d), Message = d => $"--out '{P(d, "synth")}' is a file", Untouched = new[] { "synth" } },
            new() { Name = "synth-video-frames-zero", Args = d => Synth(d, "--video", "--frames", "0"), Message = _ => "Frames must be at least 1 (got 0)", Untouched = new[] { "synth" } },
            new() { Name = "synth-video-fps-zero", Args = d => Synth(d, "--video", "--fps", "0"), Message = _ => "Fps must be in (0, 240] (got 0)", Untouched = new[] { "synth" } },
            new() { Name = "synth-video-people-zero", Args = d => Synth(d, "--video", "--people", "0"), Message = _ => "People must be between 1 and 16 (got 0)", Untouched = new[] { "synth" } },
            new() { Name = "synth-video-name-with-slash", Args = d => Synth(d, "--video", "--name", "../clip"), Message = _ => "Name '../clip' is not a valid file name", Untouched = new[] { "synth" } },

            // ---- posert bench
            new() { Name = "bench-neither-model-nor-synthetic", Args = _ => new[] { "bench" }, Message = _ => "give either --model FILE or --synthetic" },
            new() { Name = "bench-model-and-synthetic", Args = d => Bench(d, "--synthetic"), Message = _ => "give either --model FILE or --synthetic" },
            new() { Name = "bench-model-is-a-folder", Setup = d => Directory.CreateDirectory(P(d, "m.onnx")), Args = d => Bench(d), Message = d => $"'{P(d, "m.onnx")}'" },
            new() { Name = "bench-model-without-posert-metadata", Setup = Bytes("m.onnx", () => new TestModel { WriteMetadata = false }.Build()), Args = d => Bench(d), Message = d => P(d, "m.onnx") + ": the model has no PoseRT metadata" },
            new() { Name = "bench-frames-zero", Args = d => Bench(d, "--frames", "0"), Message = _ => "--frames 0: must be from 1 to" },
            new() { Name = "bench-warmup-negative", Args = d => Bench(d, "--warmup", "-1"), Message = _ => "--warmup -1: must be from 0 to" },
            new() { Name = "bench-refinement-unknown", Args = d => Bench(d, "--refinement", "Cubic"), Message = _ => "'Cubic'" },
            new() { Name = "bench-cpu-parallelism-unknown", Args = d => Bench(d, "--cpu-parallelism", "Boxes"), Message = _ => "'Boxes'" },
            new() { Name = "bench-boxes-above-max", Args = d => Bench(d, "--boxes", "100000"), Message = _ => "--boxes 100000: must be from 1 to" },
            new() { Name = "root-unknown-option", Args = _ => new[] { "--verbose" }, Message = _ => "--verbose" },
            new() { Name = "no-command", Args = _ => Array.Empty<string>(), Message = _ => "Required command was not provided" },
            new() { Name = "unknown-command", Args = _ => new[] { "evaluate" }, Message = _ => "'evaluate'" },
        };

        public static IEnumerable<object[]> CaseNames() => CliCorpus.Names(Cases);

        [Theory]
        [MemberData(nameof(CaseNames))]
        public void Bad_input_gets_one_clear_line_the_documented_exit_code_and_no_partial_output(string name) => CliCorpus.Check(Program, Cases, name);
    }
}
