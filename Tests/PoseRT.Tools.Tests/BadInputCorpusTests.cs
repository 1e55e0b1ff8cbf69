using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using OpenCvSharp;

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

        private static string Model => Directory.GetFiles(Path.Combine(RepoPaths.Root, "Models"), "*.onnx").OrderBy(f => f, StringComparer.Ordinal).First();

        private const string FirstImage = "000000000785.jpg";

        /// <summary><c>posert run</c> on the mini set with the case's images, annotations and extra options.</summary>
        private static string[] RunArgs(string dir, params string[] extra) =>
            new[] { "run", "--model", Model, "--gt", Gt(dir), "--images", Images(dir) }
                .Concat(extra.Contains("--threads") ? Array.Empty<string>() : new[] { "--threads", "1" })
                .Concat(extra.Contains("--detections") ? Array.Empty<string>() : new[] { "--gt-boxes" }).Concat(extra).ToArray();

        private static string Gt(string dir) => File.Exists(Path.Combine(dir, "gt.json")) ? Path.Combine(dir, "gt.json") : MiniAnnotations;

        private static string Images(string dir) => Directory.Exists(Path.Combine(dir, "images")) ? Path.Combine(dir, "images") : MiniImages;

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
            new() { Name = "no-command", Args = _ => Array.Empty<string>(), Message = _ => "Required command was not provided" },
            new() { Name = "unknown-command", Args = _ => new[] { "evaluate" }, Message = _ => "'evaluate'" },
        };

        public static IEnumerable<object[]> CaseNames() => CliCorpus.Names(Cases);

        [Theory]
        [MemberData(nameof(CaseNames))]
        public void Bad_input_gets_one_clear_line_the_documented_exit_code_and_no_partial_output(string name) => CliCorpus.Check(Program, Cases, name);
    }
}
