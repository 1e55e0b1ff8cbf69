using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Google.Protobuf;
using OpenCvSharp;
using PoseRT.OnnxGraph;
using PoseRT.Runtime;
using PoseRT.Runtime.Model;
using PoseRT.Runtime.Tracking;
using PoseRT.Vision;

namespace PoseRT.Tests.Inference
{
    /// <summary>The Runtime's and Vision's public API on bad input: the documented exception, with a message naming the model or file.</summary>
    public class BadInputApiTests
    {
        private const int W = 96, H = 72;

        [Theory]
        [InlineData(float.NaN, true)]
        [InlineData(float.PositiveInfinity, true)]
        [InlineData(float.NegativeInfinity, false)]
        public void Non_finite_heatmaps_are_an_error_naming_the_model(float value, bool flip)
        {
            var model = new TestModel();
            model.Bias[5] = value;
            using var estimator = PoseEstimator.Load(model.Build(), new PoseEstimatorOptions { Provider = ExecutionProvider.Cpu, FlipTest = flip }, "broken-weights.onnx");
            var image = TestImages.Bgr(W, H, W * 3);
            var poses = new Pose[1];
            var e = Assert.Throws<InvalidPoseModelException>(() =>
                estimator.Estimate(new ImageView(image, W, H, W * 3, PixelFormat.Bgr24), new[] { new BoundingBox(10, 5, 40, 60) }, poses));
            Assert.StartsWith("broken-weights.onnx: the model's heatmaps hold NaN or infinite values", e.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void Finite_heatmaps_still_decode()
        {
            using var estimator = PoseEstimator.Load(new TestModel().Build(), new PoseEstimatorOptions { Provider = ExecutionProvider.Cpu }, "fine.onnx");
            var image = TestImages.Bgr(W, H, W * 3);
            var poses = new Pose[1];
            estimator.Estimate(new ImageView(image, W, H, W * 3, PixelFormat.Bgr24), new[] { new BoundingBox(10, 5, 40, 60) }, poses);
            Assert.True(float.IsFinite(poses[0].Score) && poses[0].Score > 0);
        }

        [Fact]
        public void Header_sizes_are_read_without_decoding()
        {
            Assert.True(ImageFiles.TryReadSize(CliCorpus.PngHeader(100000, 7), out int w, out int h));
            Assert.Equal((100000, 7), (w, h));
            Assert.True(ImageFiles.TryReadSize(CliCorpus.JpegHeader(65000, 3), out w, out h));
            Assert.Equal((65000, 3), (w, h));
            var bmp = new byte[26];
            bmp[0] = (byte)'B';
            bmp[1] = (byte)'M';
            BitConverter.GetBytes(640).CopyTo(bmp, 18);
            BitConverter.GetBytes(-480).CopyTo(bmp, 22);
            Assert.True(ImageFiles.TryReadSize(bmp, out w, out h));
            Assert.Equal((640, 480), (w, h));
            Assert.False(ImageFiles.TryReadSize("GIF89a...."u8, out _, out _));
        }

        [Theory]
        [InlineData("huge.png", "claims 100000x100000 pixels")]
        [InlineData("huge.jpg", "claims 65000x65000 pixels")]
        [InlineData("zero.png", "has a header size of 0x5 pixels")]
        [InlineData("garbage.jpg", "cannot be decoded")]
        [InlineData("truncated.jpg", "is truncated or corrupt")]
        public void Unreadable_images_are_an_error_naming_the_file(string name, string problem)
        {
            string dir = RepoPaths.NewTempDir("image-files");
            string path = Path.Combine(dir, name);
            byte[] bytes = name switch
            {
                "huge.png" => CliCorpus.PngHeader(100000, 100000),
                "huge.jpg" => CliCorpus.JpegHeader(65000, 65000),
                "zero.png" => CliCorpus.PngHeader(0, 5),
                "truncated.jpg" => File.ReadAllBytes(Path.Combine(RepoPaths.CocoMini, "images", "000000000785.jpg"))[..10000],
                _ => "GIF? no"u8.ToArray(),
            };
            File.WriteAllBytes(path, bytes);
            var e = Assert.Throws<InvalidDataException>(() => ImageFiles.ReadBgr(path).Dispose());
            Assert.Contains($"'{path}'", e.Message, StringComparison.Ordinal);
            Assert.Contains(problem, e.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void A_real_image_reads()
        {
            using var image = ImageFiles.ReadBgr(Path.Combine(RepoPaths.CocoMini, "images", "000000000785.jpg"));
            Assert.Equal((640, 425), (image.Width, image.Height));
        }
    }

    /// <summary>
    /// The public API's part of the bad-input corpus: each case is one call with one kind of bad input, the exception
    /// type its documentation promises and the parameter name or text its message must hold (the file, key, option or
    /// value). Kinds tested elsewhere (ModelLoadingTests, PoseEstimatorTests, KeypointSchemaTests, MatImagesTests,
    /// LibraryTrackerTests, OneEuroFilterTests) are not repeated here.
    /// </summary>
    public class BadInputApiCorpusTests
    {
        private static readonly PoseEstimatorOptions Cpu = new() { Provider = ExecutionProvider.Cpu, CpuThreads = 1 };

        /// <summary>One call with bad input: what must be thrown, and what its message or parameter name must say.</summary>
        internal sealed record ApiCase(string Name, Action Call, Type Exception, string Names);

        private static ApiCase Case<T>(string name, string names, Action call) where T : Exception => new(name, call, typeof(T), names);

        private static string Dir(string name) => RepoPaths.NewTempDir("api-" + name);

        private static PoseEstimator Estimator(PoseEstimatorOptions? options = null) => PoseEstimator.Load(new TestModel().Build(), options ?? Cpu, "test.onnx");

        private static void Load(byte[] model, string name = "bad.onnx", PoseEstimatorOptions? options = null) => PoseEstimator.Load(model, options ?? Cpu, name).Dispose();

        /// <summary>The test model with one metadata key set (or removed when <paramref name="value"/> is null).</summary>
        private static byte[] WithMetadata(string key, string? value)
        {
            var metadata = new Dictionary<string, string>(new TestModel().Info().ToMetadata());
            if (value == null) metadata.Remove(key);
            else metadata[key] = value;
            var g = new OnnxGraphBuilder("conv-test");
            var x = g.Input("image", "N", 3, 64, 48);
            var w = g.Float("w", new float[17 * 3], 17, 3, 1, 1);
            x = g.Node("Conv", "conv", new[] { x, w }, OnnxGraphBuilder.Ints("strides", 4, 4));
            g.Output(x, "heatmaps", "N", 17, 16, 12);
            return g.ToModel(irVersion: 8, opset: 17, producerName: "PoseRT.Runtime.Tests", metadata: metadata).ToByteArray();
        }

        /// <summary>A real model whose input is [N, 3, 64] (a 1-D convolution): rank 3, not an image batch.</summary>
        private static byte[] RankThreeInput()
        {
            var g = new OnnxGraphBuilder("rank3");
            var x = g.Input("image", "N", 3, 64);
            var w = g.Float("w", new float[17 * 3], 17, 3, 1);
            x = g.Node("Conv", "conv", new[] { x, w }, OnnxGraphBuilder.Ints("strides", 4));
            g.Output(x, "heatmaps", "N", 17, 16);
            return g.ToModel(irVersion: 8, opset: 17, producerName: "PoseRT.Runtime.Tests", metadata: new TestModel().Info().ToMetadata()).ToByteArray();
        }

        private static void Estimate(BoundingBox box, float[]? rotations = null)
        {
            using var estimator = Estimator();
            var image = new byte[96 * 72 * 3];
            estimator.Estimate(new ImageView(image, 96, 72, 0, PixelFormat.Bgr24), new[] { box }, ReadOnlySpan<float>.Empty, new Pose[1], rotations ?? Array.Empty<float>());
        }

        private static void Track(PoseTrackerOptions? options = null, IPersonDetector? detector = null, bool emptyImage = false, bool disposed = false)
        {
            var estimator = Estimator();
            if (disposed) estimator.Dispose();
            try
            {
                var tracker = new PoseTracker(estimator, detector, options);
                var image = new byte[96 * 72 * 3];
                tracker.Track(emptyImage ? default : new ImageView(image, 96, 72, 0, PixelFormat.Bgr24), 0, new TrackedPose[8]);
            }
            finally
            {
                estimator.Dispose();
            }
        }

        private static void Submit(bool emptyImage = false, double time = 0, bool disposed = false)
        {
            using var estimator = Estimator();
            var live = new LivePoseTracker(new PoseTracker(estimator));
            try
            {
                if (disposed) live.Dispose();
                var image = new byte[96 * 72 * 3];
                live.Submit(emptyImage ? default : new ImageView(image, 96, 72, 0, PixelFormat.Bgr24), time);
            }
            finally
            {
                live.Dispose();
            }
        }

        /// <summary>A detector that reports <paramref name="count"/> copies of <paramref name="box"/>.</summary>
        private sealed class FixedDetector : IPersonDetector
        {
            private readonly int _count;
            private readonly BoundingBox _box;

            public FixedDetector(int count, BoundingBox box)
            {
                _count = count;
                _box = box;
            }

            public int Detect(in ImageView image, Span<BoundingBox> boxes, Span<float> scores)
            {
                for (int i = 0; i < Math.Min(_count, boxes.Length); i++)
                {
                    boxes[i] = _box;
                    scores[i] = 0.9f;
                }
                return _count;
            }
        }

        private static void ReadImage(string name, byte[] bytes)
        {
            string path = Path.Combine(Dir("image"), name);
            File.WriteAllBytes(path, bytes);
            ImageFiles.ReadBgr(path).Dispose();
        }

        private static byte[] Png(int width, int height)
        {
            using var image = new Mat(height, width, MatType.CV_8UC3, Scalar.All(50));
            Cv2.ImEncode(".png", image, out byte[] bytes);
            return bytes;
        }

        /// <summary>Every case; the README's reliability section counts them.</summary>
        internal static readonly ApiCase[] Cases =
        {
            // PoseEstimator.Load
            Case<ArgumentNullException>("load-path-null", "path", () => PoseEstimator.Load((string)null!, Cpu)),
            Case<ArgumentNullException>("load-bytes-null", "model", () => PoseEstimator.Load((byte[])null!, Cpu)),
            Case<ArgumentNullException>("load-stream-null", "stream", () => PoseEstimator.Load((Stream)null!, Cpu)),
            Case<FileNotFoundException>("load-path-is-a-folder", "is a folder", () => PoseEstimator.Load(Dir("folder"), Cpu)),
            Case<InvalidPoseModelException>("load-empty-bytes", "empty.onnx: ", () => Load(Array.Empty<byte>(), "empty.onnx")),
            Case<InvalidPoseModelException>("load-truncated-onnx", "cut.onnx: ONNX Runtime cannot load it as a model", () => { byte[] m = new TestModel().Build(); Load(m[..(m.Length / 2)], "cut.onnx"); }),
            Case<InvalidPoseModelException>("load-fallback-info-inconsistent", "the supplied FallbackModelInfo is inconsistent: Heatmap stride 5",
                () => Load(new TestModel { WriteMetadata = false }.Build(), options: new PoseEstimatorOptions { Provider = ExecutionProvider.Cpu, FallbackModelInfo = new TestModel().Info() with { HeatmapStride = 5 } })),
            Case<InvalidPoseModelException>("load-metadata-newer-format", "model metadata format 99 is newer than this PoseRT understands", () => Load(WithMetadata("posert.format_version", "99"))),
            Case<InvalidPoseModelException>("load-metadata-integer-not-a-number", "'posert.input_width' = 'wide' is not an integer", () => Load(WithMetadata("posert.input_width", "wide"))),
            Case<InvalidPoseModelException>("load-metadata-key-missing", "model metadata lacks 'posert.mean'", () => Load(WithMetadata("posert.mean", null))),
            Case<InvalidPoseModelException>("load-metadata-channel-order-unknown", "'posert.channel_order' = 'GBR' must be RGB or BGR", () => Load(WithMetadata("posert.channel_order", "GBR"))),
            Case<InvalidPoseModelException>("load-metadata-precision-unknown", "Precision 'fp16' must be fp32 or int8", () => Load(WithMetadata("posert.precision", "fp16"))),
            Case<InvalidPoseModelException>("load-metadata-mean-two-values", "Mean and Std need 3 values each (got 2 and 3)", () => Load(WithMetadata("posert.mean", "0.5,0.5"))),
            Case<InvalidPoseModelException>("load-input-rank-3", "bad.onnx: input 'image' has shape [?, 3, 64]", () => Load(RankThreeInput())),

            // PoseEstimatorOptions (checked by Load)
            Case<ArgumentOutOfRangeException>("options-device-id-negative", "DeviceId", () => Load(new TestModel().Build(), options: new PoseEstimatorOptions { DeviceId = -1 })),
            Case<ArgumentOutOfRangeException>("options-cpu-threads-negative", "CpuThreads", () => Load(new TestModel().Build(), options: new PoseEstimatorOptions { CpuThreads = -1 })),
            Case<ArgumentOutOfRangeException>("options-cpu-threads-above-256", "CpuThreads", () => Load(new TestModel().Build(), options: new PoseEstimatorOptions { CpuThreads = 100_000 })),
            Case<ArgumentOutOfRangeException>("options-box-padding-nan", "BoxPadding", () => Load(new TestModel().Build(), options: new PoseEstimatorOptions { BoxPadding = float.NaN })),
            Case<ArgumentOutOfRangeException>("options-keypoint-threshold-nan", "KeypointScoreThreshold", () => Load(new TestModel().Build(), options: new PoseEstimatorOptions { KeypointScoreThreshold = float.NaN })),
            Case<ArgumentOutOfRangeException>("options-provider-undefined", "Provider", () => Load(new TestModel().Build(), options: new PoseEstimatorOptions { Provider = (ExecutionProvider)99 })),
            Case<ArgumentOutOfRangeException>("options-cpu-parallelism-undefined", "CpuParallelism", () => Load(new TestModel().Build(), options: new PoseEstimatorOptions { CpuParallelism = (CpuParallelism)99 })),
            Case<ArgumentOutOfRangeException>("options-refinement-undefined", "Refinement", () => Load(new TestModel().Build(), options: new PoseEstimatorOptions { Refinement = (PeakRefinement)99 })),
            Case<ArgumentOutOfRangeException>("options-max-boxes-per-run-huge", "MaxBoxesPerRun is too large", () => Load(new TestModel().Build(), options: new PoseEstimatorOptions { Provider = ExecutionProvider.Cpu, MaxBoxesPerRun = int.MaxValue })),

            // PoseEstimator.Estimate
            Case<ArgumentException>("estimate-rotations-of-another-length", "rotationsDegrees", () => Estimate(new BoundingBox(10, 5, 40, 60), new float[2])),
            Case<ArgumentException>("estimate-rotation-nan", "rotationsDegrees", () => Estimate(new BoundingBox(10, 5, 40, 60), new[] { float.NaN })),
            Case<ArgumentException>("estimate-box-negative-width", "boxes", () => Estimate(new BoundingBox(10, 5, -40, 60))),
            Case<ArgumentException>("estimate-box-zero-size", "boxes", () => Estimate(new BoundingBox(10, 5, 0, 0))),
            Case<ArgumentException>("estimate-box-beyond-float-pixels", "beyond 16777216 pixels", () => Estimate(new BoundingBox(1e30f, 5, 40, 60))),

            // ImageView
            Case<ArgumentException>("imageview-width-zero", "width", () => _ = new ImageView(new byte[12], 0, 4, 0, PixelFormat.Bgr24)),
            Case<ArgumentException>("imageview-row-bytes-overflow", "width", () => _ = new ImageView(new byte[16], 1_000_000_000, 4, 0, PixelFormat.Bgr24)),
            Case<ArgumentException>("imageview-stride-negative", "stride", () => _ = new ImageView(new byte[100], 4, 4, -12, PixelFormat.Bgr24)),
            Case<ArgumentOutOfRangeException>("imageview-format-undefined", "format", () => _ = new ImageView(new byte[100], 4, 4, 0, (PixelFormat)99)),

            // PoseTracker and its options
            Case<ArgumentOutOfRangeException>("tracker-smoothing-default-settings", "Smoothing", () => Track(new PoseTrackerOptions { Smoothing = default(OneEuroSettings) })),
            Case<ArgumentOutOfRangeException>("tracker-max-people-zero", "MaxPeople", () => Track(new PoseTrackerOptions { MaxPeople = 0 })),
            Case<ArgumentOutOfRangeException>("tracker-max-misses-negative", "MaxMisses", () => Track(new PoseTrackerOptions { MaxMisses = -1 })),
            Case<ArgumentOutOfRangeException>("tracker-min-visible-keypoints-negative", "MinVisibleKeypoints", () => Track(new PoseTrackerOptions { MinVisibleKeypoints = -1 })),
            Case<ArgumentOutOfRangeException>("tracker-min-pose-score-nan", "MinPoseScore and MinKeypointScore must be numbers", () => Track(new PoseTrackerOptions { MinPoseScore = float.NaN })),
            Case<ArgumentOutOfRangeException>("tracker-match-threshold-above-1", "MatchThreshold", () => Track(new PoseTrackerOptions { MatchThreshold = 2 })),
            Case<ArgumentOutOfRangeException>("tracker-duplicate-iou-zero", "DuplicateIoU", () => Track(new PoseTrackerOptions { DuplicateIoU = 0 })),
            Case<ArgumentException>("tracker-empty-image", "image", () => Track(emptyImage: true)),
            Case<ObjectDisposedException>("tracker-estimator-disposed", "PoseEstimator", () => Track(disposed: true)),
            Case<InvalidOperationException>("tracker-detector-count-negative", "returned -1 boxes", () => Track(detector: new FixedDetector(-1, default))),
            Case<ArgumentException>("tracker-detector-box-nan", "NaN", () => Track(detector: new FixedDetector(1, new BoundingBox(float.NaN, 0, 10, 10)))),
            Case<ArgumentOutOfRangeException>("one-euro-beta-infinity", "beta", () => _ = new OneEuroSettings(1, double.PositiveInfinity)),
            Case<ArgumentOutOfRangeException>("one-euro-min-cutoff-infinity", "minCutoff", () => _ = new OneEuroSettings(double.PositiveInfinity, 0)),
            Case<ArgumentOutOfRangeException>("one-euro-derivative-cutoff-nan", "derivativeCutoff", () => _ = new OneEuroSettings(1, 0, double.NaN)),

            // LivePoseTracker
            Case<ArgumentNullException>("live-tracker-null", "tracker", () => new LivePoseTracker(null!).Dispose()),
            Case<ArgumentException>("live-submit-empty-image", "image", () => Submit(emptyImage: true)),
            Case<ArgumentException>("live-submit-timestamp-nan", "timestampSeconds", () => Submit(time: double.NaN)),
            Case<ObjectDisposedException>("live-submit-after-dispose", "LivePoseTracker", () => Submit(disposed: true)),

            // PoseModelInfo
            Case<ArgumentException>("info-stride-not-dividing", "HeatmapStride", () => new PoseModelInfo { HeatmapStride = 5 }.Validate()),
            Case<ArgumentException>("info-mean-nan", "Mean", () => new PoseModelInfo { Mean = new[] { float.NaN, 0f, 0f } }.Validate()),
            Case<ArgumentException>("info-keypoints-null", "Keypoints", () => new PoseModelInfo { Keypoints = null! }.Validate()),
            Case<FormatException>("info-from-empty-metadata", "x.onnx: model metadata lacks 'posert.format_version'", () => PoseModelInfo.FromMetadata(new Dictionary<string, string>(), "x.onnx")),

            // PoseRT.Vision
            Case<ArgumentNullException>("read-image-null", "path", () => ImageFiles.ReadBgr(null!).Dispose()),
            Case<FileNotFoundException>("read-image-folder", "api-folder", () => ImageFiles.ReadBgr(Dir("folder")).Dispose()),
            Case<InvalidDataException>("read-image-zero-bytes", "cannot be decoded", () => ReadImage("empty.png", Array.Empty<byte>())),
            Case<InvalidDataException>("read-image-png-truncated", "is truncated or corrupt: the PNG file", () => { byte[] png = Png(64, 48); ReadImage("cut.png", png[..(png.Length / 2)]); }),
            Case<InvalidDataException>("read-image-bmp-header-huge", "claims 70000x70000 pixels", () => ReadImage("huge.bmp", CliCorpus.BmpHeader(70000, 70000))),
            Case<CaptureException>("frame-source-empty-spec", "No input given", () => FrameSources.Open(" ").Dispose()),
            Case<CaptureException>("frame-source-missing-file", "does not exist", () => FrameSources.Open(Path.Combine(Dir("source"), "none.mp4")).Dispose()),
            Case<CaptureException>("frame-source-no-files", "No images in", () => new ImageFolderSource(Array.Empty<string>(), "nothing").Dispose()),
            Case<CaptureException>("mjpeg-source-not-http", "'ftp://cam/x' is not an http:// or https:// address", () => MjpegHttpSource.Open("ftp://cam/x", TimeSpan.FromSeconds(1)).Dispose()),
            Case<ArgumentOutOfRangeException>("hog-max-width-below-window", "maxWidth", () => new HogPersonDetector(10).Dispose()),
            Case<ArgumentException>("hog-detect-empty-mat", "frame", () => { using var hog = new HogPersonDetector(); using var empty = new Mat(); hog.Detect(empty, new BoundingBox[1], new float[1]); }),
            Case<ArgumentException>("hog-detect-scores-shorter", "scores", () => { using var hog = new HogPersonDetector(); using var frame = new Mat(128, 64, MatType.CV_8UC3); hog.Detect(frame, new BoundingBox[2], new float[1]); }),
        };

        public static IEnumerable<object[]> CaseNames()
        {
            var duplicate = Cases.GroupBy(c => c.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
            if (duplicate != null) throw new InvalidOperationException($"Two API corpus cases are named '{duplicate.Key}'.");
            return Cases.Select(c => new object[] { c.Name });
        }

        [Theory]
        [MemberData(nameof(CaseNames))]
        public void Bad_input_throws_the_documented_exception_naming_the_culprit(string name)
        {
            ApiCase c = Cases.Single(x => x.Name == name);
            Exception? e = Record.Exception(c.Call);
            Assert.True(e != null, $"{name}: nothing was thrown; expected {c.Exception.Name}");
            Assert.True(e!.GetType() == c.Exception, $"{name}: threw {e.GetType().Name} ({e.Message}); expected {c.Exception.Name}");
            bool named = e.Message.Contains(c.Names, StringComparison.Ordinal) || (e is ArgumentException a && a.ParamName == c.Names);
            Assert.True(named, $"{name}: the {e.GetType().Name} does not name '{c.Names}': {e.Message}");
        }
    }
}
