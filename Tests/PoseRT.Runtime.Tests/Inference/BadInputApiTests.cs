using System;
using System.IO;
using PoseRT.Runtime;
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
}
