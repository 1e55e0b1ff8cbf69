using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using OpenCvSharp;
using PoseRT.Tests.Inference;

namespace PoseRT.Tests
{
    /// <summary>
    /// The bad-input corpus of <c>posert-demo</c>, run through the real program (<c>dotnet posert-demo.dll</c>) on
    /// inputs each case generates; checked by <see cref="CliCorpus.Check"/>.
    /// </summary>
    public class BadInputCorpusTests
    {
        private const string Program = "posert-demo";

        private static string P(string dir, string name) => Path.Combine(dir, name);

        /// <summary>The demo's command line: no window, the given input and output, and extra options.</summary>
        private static string[] Demo(string input, string output, params string[] extra) =>
            new[] { "--window", "off", "-i", input, "-o", output }.Concat(extra).ToArray();

        /// <summary>A folder "in" with the first 3 frames of the bundled clip as JPEGs, plus <paramref name="extra"/> files.</summary>
        private static Action<string> Folder(params (string Name, Func<byte[]> Bytes)[] extra) => dir =>
        {
            string input = P(dir, "in");
            Directory.CreateDirectory(input);
            var frames = Clip.LoadFrames(3);
            for (int i = 0; i < frames.Count; i++)
            {
                Cv2.ImWrite(P(input, $"f{i}.jpg"), frames[i]);
                frames[i].Dispose();
            }
            foreach (var (name, bytes) in extra) System.IO.File.WriteAllBytes(P(input, name), bytes());
        };

        private static Action<string> File(string name, Func<byte[]> bytes) => dir => System.IO.File.WriteAllBytes(P(dir, name), bytes());

        private static readonly Func<byte[]> Garbage = () => "not an image"u8.ToArray();

        private static byte[] SmallerImage()
        {
            using var image = new Mat(120, 160, MatType.CV_8UC3, Scalar.All(90));
            Cv2.ImEncode(".png", image, out byte[] bytes);
            return bytes;
        }

        private static byte[] NanModel()
        {
            var model = new TestModel();
            Array.Fill(model.Bias, float.NaN);
            return model.Build();
        }

        private static Action<string> Existing(string name, string text) => dir => System.IO.File.WriteAllText(P(dir, name), text);

        private static Action<string> ExistingFrames(string name) => dir =>
        {
            Directory.CreateDirectory(P(dir, name));
            System.IO.File.WriteAllText(P(P(dir, name), "frame_000000.png"), "an earlier run's frame");
            System.IO.File.WriteAllText(P(P(dir, name), "notes.txt"), "mine");
        };

        /// <summary>Every case; the README's reliability section counts them.</summary>
        internal static readonly CliCase[] Cases =
        {
            new()
            {
                Name = "image-png-header-100000x100000", Setup = File("huge.png", () => CliCorpus.PngHeader(100000, 100000)),
                Args = d => Demo(P(d, "huge.png"), P(d, "out.mp4")), Message = d => $"'{P(d, "huge.png")}' claims 100000x100000 pixels", Untouched = new[] { "out.mp4" },
            },
            new()
            {
                Name = "image-jpeg-header-65000x65000", Setup = File("huge.jpg", () => CliCorpus.JpegHeader(65000, 65000)),
                Args = d => Demo(P(d, "huge.jpg"), P(d, "out.mp4")), Message = d => $"'{P(d, "huge.jpg")}' claims 65000x65000 pixels", Untouched = new[] { "out.mp4" },
            },
            new()
            {
                Name = "image-not-decodable", Setup = File("bad.jpg", Garbage),
                Args = d => Demo(P(d, "bad.jpg"), P(d, "out.mp4")), Message = d => $"'{P(d, "bad.jpg")}' cannot be decoded", Untouched = new[] { "out.mp4" },
            },
            new()
            {
                Name = "folder-bad-image-strict-keeps-existing-video", Setup = Folder(("zz-bad.jpg", Garbage)) + Existing("keep.mp4", "an earlier video"),
                Args = d => Demo(P(d, "in"), P(d, "keep.mp4"), "--strict-images"), Exit = 1,
                Message = d => $"'{P(P(d, "in"), "zz-bad.jpg")}' cannot be decoded", Untouched = new[] { "keep.mp4" },
            },
            new()
            {
                Name = "folder-bad-image-strict-keeps-existing-frames", Setup = Folder(("zz-bad.jpg", Garbage)) + ExistingFrames("frames"),
                Args = d => Demo(P(d, "in"), P(d, "frames"), "--strict-images"), Exit = 1,
                Message = d => "'" + P(d, "frames") + "' was not written because the run failed", Untouched = new[] { "frames" },
            },
            new()
            {
                Name = "folder-bad-image-skipped-and-counted", Setup = Folder(("m-bad.jpg", Garbage)),
                Args = d => Demo(P(d, "in"), P(d, "out.mp4")), Exit = 0,
                Message = d => $"skipped an unreadable image: Image file '{P(P(d, "in"), "m-bad.jpg")}'", Produces = new[] { "out.mp4" },
            },
            new()
            {
                Name = "folder-huge-header-skipped-and-counted", Setup = Folder(("zz.png", () => CliCorpus.PngHeader(100000, 100000))),
                Args = d => Demo(P(d, "in"), P(d, "frames")), Exit = 0, Message = _ => "1 unreadable image(s) skipped", Produces = new[] { "frames/frame_000002.png" },
            },
            new()
            {
                Name = "folder-only-bad-images", Setup = d => { Directory.CreateDirectory(P(d, "in")); System.IO.File.WriteAllText(P(P(d, "in"), "a.jpg"), "x"); },
                Args = d => Demo(P(d, "in"), P(d, "out.mp4")), Message = d => $"no frame could be read from '{P(d, "in")}'", Untouched = new[] { "out.mp4" },
            },
            new()
            {
                Name = "folder-mixed-sizes-scaled-not-dropped", Setup = Folder(("small.png", SmallerImage)),
                Args = d => Demo(P(d, "in"), P(d, "out.mp4")), Exit = 0, Message = _ => "1 frame(s) of another size than the first were scaled", Produces = new[] { "out.mp4" },
            },
            new()
            {
                Name = "model-heatmaps-nan", Setup = File("nan.onnx", NanModel),
                Args = d => Demo(RepoPaths.SampleVideo, P(d, "out.mp4"), "-m", P(d, "nan.onnx"), "--max-frames", "2"),
                Message = d => $"{P(d, "nan.onnx")}: the model's heatmaps hold NaN or infinite values", Untouched = new[] { "out.mp4" },
            },
            new() { Name = "model-missing", Args = d => Demo(RepoPaths.SampleVideo, "none", "-m", P(d, "no.onnx")), Message = d => P(d, "no.onnx") },
            new() { Name = "model-not-onnx", Setup = File("bad.onnx", Garbage), Args = d => Demo(RepoPaths.SampleVideo, "none", "-m", P(d, "bad.onnx")), Message = d => P(d, "bad.onnx") },
            new() { Name = "keypoint-threshold-nan", Args = d => Demo(RepoPaths.SampleVideo, "none", "--keypoint-threshold", "NaN"), Message = _ => "--keypoint-threshold NaN: must be from 0 to 1" },
            new() { Name = "keypoint-threshold-above-1", Args = d => Demo(RepoPaths.SampleVideo, "none", "--keypoint-threshold", "1.5"), Message = _ => "--keypoint-threshold 1.5" },
            new() { Name = "max-frames-negative", Args = d => Demo(RepoPaths.SampleVideo, "none", "--max-frames", "-1"), Message = _ => "--max-frames -1: must be at least 0" },
            new() { Name = "camera-retries-negative", Args = d => Demo(RepoPaths.SampleVideo, "none", "--camera-retries", "-1"), Message = _ => "--camera-retries -1" },
            new() { Name = "serve-port-out-of-range", Args = d => Demo(RepoPaths.SampleVideo, "none", "--serve-port", "70000"), Message = _ => "--serve-port 70000" },
            new() { Name = "detect-every-zero", Args = d => Demo(RepoPaths.SampleVideo, "none", "--detect-every", "0"), Message = _ => "--detect-every 0" },
            new() { Name = "max-people-zero", Args = d => Demo(RepoPaths.SampleVideo, "none", "--max-people", "0"), Message = _ => "--max-people" },
            new() { Name = "min-cutoff-nan", Args = d => Demo(RepoPaths.SampleVideo, "none", "--min-cutoff", "NaN"), Message = _ => "minimum cutoff" },
            new() { Name = "udp-endpoint-without-port", Args = d => Demo(RepoPaths.SampleVideo, "none", "--udp", "127.0.0.1"), Message = _ => "--udp" },
            new() { Name = "device-unknown", Args = d => Demo(RepoPaths.SampleVideo, "none", "--device", "tpu"), Message = _ => "--device 'tpu' is not one of auto, cpu, cuda, directml" },
            new() { Name = "device-cpu-with-index", Args = d => Demo(RepoPaths.SampleVideo, "none", "--device", "cpu:1"), Message = _ => "--device 'cpu:1': only cuda and directml take a GPU index" },
            new() { Name = "device-gpu-index-not-a-number", Args = d => Demo(RepoPaths.SampleVideo, "none", "--device", "cuda:x"), Message = _ => "a number from 0 to 63" },
            new() { Name = "output-unwritable", Args = d => Demo(RepoPaths.SampleVideo, "/sys/posert-demo/x.mp4"), Message = _ => "--out '/sys/posert-demo/x.mp4' cannot be written" },
            new() { Name = "output-unknown-container", Args = d => Demo(RepoPaths.SampleVideo, P(d, "x.mkv")), Message = _ => "must end in .mp4 or .avi", Untouched = new[] { "x.mkv" } },
            new()
            {
                Name = "output-folder-is-a-file", Setup = Existing("frames", "a file"),
                Args = d => Demo(RepoPaths.SampleVideo, P(d, "frames")), Message = d => $"--out '{P(d, "frames")}' is a file", Untouched = new[] { "frames" },
            },
            new() { Name = "input-missing", Args = d => Demo(P(d, "no-clip.mp4"), "none"), Message = d => $"'{P(d, "no-clip.mp4")}' does not exist" },
            new() { Name = "input-camera-missing", Args = d => Demo("7", "none"), Message = _ => "Camera 7" },
            new() { Name = "unknown-option", Args = d => Demo(RepoPaths.SampleVideo, "none", "--bogus"), Message = _ => "--bogus" },
        };

        public static IEnumerable<object[]> CaseNames() => CliCorpus.Names(Cases);

        [Theory]
        [MemberData(nameof(CaseNames))]
        public void Bad_input_gets_one_clear_line_the_documented_exit_code_and_no_partial_output(string name) => CliCorpus.Check(Program, Cases, name);
    }
}
