using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using OpenCvSharp;
using PoseRT.Runtime;
using PoseRT.Vision;

namespace PoseRT.Tests.Embedding
{
    /// <summary>
    /// The netstandard2.0 build of PoseRT.Runtime under Mono (the runtime family of Unity's editor): the
    /// posert-monohost console program (Tests/Hosts/PoseRT.MonoHost, net472) runs a shipped model on a
    /// bottom-up RGBA frame with `mono`, and its poses must equal, bit for bit, what the net10.0 build gives
    /// in this process for the same bytes; its steady-state frames must allocate nothing.
    /// </summary>
    public class MonoHostTests
    {
        private const string Model = "posert-mbv3s-tiny-dyreluc-synth.onnx";
        private const string Image = "000000197388.jpg";

        // Two ground-truth person boxes of that image (person_keypoints_mini.json): one batched run.
        private static readonly BoundingBox[] Boxes =
        {
            new(139.41f, 102.25f, 222.39f, 241.57f),
            new(372.58f, 170.84f, 266.63f, 217.19f),
        };

        private const int SteadyFrames = 20;

        [Fact]
        public void Mono_runs_the_netstandard_build_with_the_same_poses_as_dotnet_and_allocates_nothing_per_frame()
        {
            string mono = ExternalProcess.FindOnPath("mono")
                ?? throw new InvalidOperationException(
                    "`mono` is not on PATH: this test runs PoseRT.Runtime's netstandard2.0 build under Mono. " +
                    "Install it with tools/setup/install-deps.sh (Debian: apt-get install mono-runtime mono-devel).");
            string host = Path.Combine(HostDirectory(), "posert-monohost.exe");
            Assert.True(File.Exists(host), $"{host} is missing: the test project builds Tests/Hosts/PoseRT.MonoHost");
            string model = Path.Combine(RepoPaths.Root, "Models", Model);

            // A real photograph as a Unity texture holds it: RGBA, bottom row first.
            OpenCvNative.EnsureAvailable();
            using var bgr = Cv2.ImRead(Path.Combine(RepoPaths.CocoMini, "images", Image), ImreadModes.Color);
            using var rgba = new Mat();
            Cv2.CvtColor(bgr, rgba, ColorConversionCodes.BGR2RGBA);
            Cv2.Flip(rgba, rgba, FlipMode.X);
            int width = rgba.Width, height = rgba.Height;
            var frame = new byte[width * height * 4];
            Assert.True(rgba.IsContinuous());
            System.Runtime.InteropServices.Marshal.Copy(rgba.Data, frame, 0, frame.Length);
            string dir = RepoPaths.NewTempDir("mono-host");
            string framePath = Path.Combine(dir, "frame.rgba");
            File.WriteAllBytes(framePath, frame);

            var args = new List<string> { host, model, framePath, I(width), I(height), I(SteadyFrames) };
            args.AddRange(Boxes.Select(b => string.Join(",", new[] { b.X, b.Y, b.Width, b.Height }.Select(v => v.ToString("R", CultureInfo.InvariantCulture)))));
            var run = ExternalProcess.Run(mono, args, dir, TimeSpan.FromMinutes(3));
            Assert.True(run.ExitCode == 0, run.Describe("mono posert-monohost.exe"));
            var lines = run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

            Assert.Equal("runtime Mono", lines[0]);

            // Zero bytes over the steady-state frames, and a counter that does count (a 4 KiB array shows up).
            string allocated = lines.Single(l => l.StartsWith("allocated ", StringComparison.Ordinal));
            Assert.Equal($"allocated 0 {SteadyFrames}", allocated);
            long probe = long.Parse(lines.Single(l => l.StartsWith("probe ", StringComparison.Ordinal))[6..], CultureInfo.InvariantCulture);
            Assert.InRange(probe, 4096, 4096 + 256);

            // The same pipeline in this process (net10.0 build of the Runtime, the same native ONNX Runtime).
            using var estimator = PoseEstimator.Load(model, new PoseEstimatorOptions { Provider = ExecutionProvider.Cpu, CpuThreads = 1 });
            var expected = new Pose[Boxes.Length];
            estimator.Estimate(new ImageView(frame, width, height, width * 4, PixelFormat.Rgba32, bottomUp: true), Boxes, expected);

            var poseLines = lines.Where(l => l.StartsWith("pose ", StringComparison.Ordinal)).ToArray();
            Assert.Equal(Boxes.Length, poseLines.Length);
            for (int i = 0; i < Boxes.Length; i++)
            {
                // The poses are real: a positive score and keypoints on the person's box, not zeros that agree.
                Assert.True(expected[i].Score > 0.05f, $"pose {i}: score {expected[i].Score}");
                Assert.True(Boxes[i].Width > 0 && Enumerable.Range(0, 17).Count(k => Inside(expected[i][k], Boxes[i])) >= 12,
                    $"pose {i}: fewer than 12 of 17 keypoints on its box");

                string[] f = poseLines[i].Split(' ');
                Assert.Equal(I(i), f[1]);
                Assert.Equal(2 + 1 + 3 * 17, f.Length);
                Assert.Equal(Bits(expected[i].Score), f[2]);
                for (int k = 0; k < 17; k++)
                {
                    Keypoint e = expected[i][k];
                    string got = string.Join(" ", f[3 + 3 * k], f[4 + 3 * k], f[5 + 3 * k]);
                    Assert.True(got == $"{Bits(e.X)} {Bits(e.Y)} {Bits(e.Score)}",
                        $"pose {i} keypoint {k}: Mono gave {Float(f[3 + 3 * k])}, {Float(f[4 + 3 * k])}, {Float(f[5 + 3 * k])}; .NET {e.X:R}, {e.Y:R}, {e.Score:R}");
                }
            }
        }

        private static bool Inside(Keypoint p, BoundingBox b) =>
            p.X >= b.X - 0.25f * b.Width && p.X <= b.X + 1.25f * b.Width && p.Y >= b.Y - 0.25f * b.Height && p.Y <= b.Y + 1.25f * b.Height;

        private static string HostDirectory() =>
            typeof(MonoHostTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "PoseRTMonoHostDir").Value!;

        private static string I(int v) => v.ToString(CultureInfo.InvariantCulture);

        private static string Bits(float v) => BitConverter.SingleToInt32Bits(v).ToString("x8", CultureInfo.InvariantCulture);

        private static float Float(string bits) => BitConverter.Int32BitsToSingle(int.Parse(bits, NumberStyles.HexNumber, CultureInfo.InvariantCulture));
    }
}
