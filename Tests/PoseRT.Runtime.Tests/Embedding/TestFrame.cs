using System;
using System.IO;
using System.Linq;
using OpenCvSharp;
using PoseRT.Runtime;
using PoseRT.Runtime.Model;
using PoseRT.Vision;

namespace PoseRT.Tests.Embedding
{
    /// <summary>
    /// A real photograph as a Unity texture holds it (RGBA, bottom row first), with two ground-truth person
    /// boxes of it, for the tests that run PoseRT out of process and compare with this process.
    /// </summary>
    internal sealed class TestFrame
    {
        /// <summary>The manifest's default model: what an embedder (the Mono host, the Unity sample) loads without being told.</summary>
        public static string Model => ModelManifest.Load(Path.Combine(RepoPaths.Root, "Models", ModelManifest.FileName)).Default.File;
        private const string Image = "000000197388.jpg";

        /// <summary>Two person boxes of the image (person_keypoints_mini.json): one batched run.</summary>
        public static readonly BoundingBox[] Boxes =
        {
            new(139.41f, 102.25f, 222.39f, 241.57f),
            new(372.58f, 170.84f, 266.63f, 217.19f),
        };

        public byte[] Rgba { get; }
        public int Width { get; }
        public int Height { get; }

        public static string ModelPath => Path.Combine(RepoPaths.Root, "Models", Model);

        private TestFrame(byte[] rgba, int width, int height)
        {
            Rgba = rgba;
            Width = width;
            Height = height;
        }

        public static TestFrame Load()
        {
            OpenCvNative.EnsureAvailable();
            using var bgr = Cv2.ImRead(Path.Combine(RepoPaths.CocoMini, "images", Image), ImreadModes.Color);
            if (bgr.Empty()) throw new FileNotFoundException("sample image missing or unreadable", Image);
            using var rgba = new Mat();
            Cv2.CvtColor(bgr, rgba, ColorConversionCodes.BGR2RGBA);
            Cv2.Flip(rgba, rgba, FlipMode.X);
            var bytes = new byte[rgba.Width * rgba.Height * 4];
            if (!rgba.IsContinuous()) throw new InvalidOperationException("OpenCV returned a non-continuous RGBA frame");
            System.Runtime.InteropServices.Marshal.Copy(rgba.Data, bytes, 0, bytes.Length);
            return new TestFrame(bytes, rgba.Width, rgba.Height);
        }

        /// <summary>Writes the RGBA bytes to <paramref name="dir"/>/frame.rgba and returns the path.</summary>
        public string Write(string dir)
        {
            string path = Path.Combine(dir, "frame.rgba");
            File.WriteAllBytes(path, Rgba);
            return path;
        }

        public ImageView View() => new(Rgba, Width, Height, Width * 4, PixelFormat.Rgba32, bottomUp: true);

        /// <summary>The in-process result: the net10.0 build of the Runtime, CPU, one thread.</summary>
        public Pose[] EstimateHere()
        {
            using var estimator = PoseEstimator.Load(ModelPath, new PoseEstimatorOptions { Provider = ExecutionProvider.Cpu, CpuThreads = 1 });
            var poses = new Pose[Boxes.Length];
            estimator.Estimate(View(), Boxes, poses);
            return poses;
        }

        /// <summary>The boxes as command-line arguments X,Y,W,H (round-trip float text).</summary>
        public static string BoxArgument(BoundingBox b) =>
            string.Join(",", new[] { b.X, b.Y, b.Width, b.Height }.Select(v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture)));
    }
}
