using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using PoseRT.Runtime;
using PoseRT.Runtime.Model;

namespace PoseRT.Tests.Embedding
{
    /// <summary>
    /// The netstandard2.0 build of PoseRT.Runtime under Mono (the runtime family of Unity's editor): the
    /// posert-monohost console program (Tests/Hosts/PoseRT.MonoHost, net472) runs a shipped model on a
    /// bottom-up RGBA frame with `mono`, and its poses must equal, bit for bit, what the net10.0 build gives
    /// in this process for the same bytes; its steady-state frames must allocate nothing. It finds the model as a host
    /// would, through Models/manifest.json (the netstandard2.0 build's JSON reader and sha256 check, under Mono).
    /// </summary>
    public class MonoHostTests
    {
        private const int SteadyFrames = 20;

        /// <summary>The managed DLLs a Unity project copies to estimate poses (README, "Embedding").</summary>
        internal static readonly string[] EstimationDlls =
        {
            "Microsoft.Bcl.HashCode.dll", "Microsoft.ML.OnnxRuntime.dll", "PoseRT.Core.dll", "PoseRT.Runtime.dll", "System.Buffers.dll",
            "System.Memory.dll", "System.Numerics.Vectors.dll", "System.Runtime.CompilerServices.Unsafe.dll",
        };

        [Fact]
        public void Mono_runs_the_netstandard_build_with_the_same_poses_as_dotnet_and_allocates_nothing_per_frame()
        {
            string mono = ExternalProcess.FindOnPath("mono")
                ?? throw new InvalidOperationException(
                    "`mono` is not on PATH: this test runs PoseRT.Runtime's netstandard2.0 build under Mono. " +
                    "Install it with tools/setup/install-deps.sh (Debian: apt-get install mono-runtime mono-devel).");
            string host = Path.Combine(HostDirectory(), "posert-monohost.exe");
            Assert.True(File.Exists(host), $"{host} is missing: the test project builds Tests/Hosts/PoseRT.MonoHost");
            // Exactly the managed DLLs README's Unity table lists for estimation (no MessagePack: that is PoseRT.Protocol's).
            var managed = Directory.GetFiles(HostDirectory(), "*.dll").Select(Path.GetFileName)
                .Where(f => !f!.StartsWith("onnxruntime", StringComparison.Ordinal)).OrderBy(f => f, StringComparer.Ordinal);
            Assert.Equal(EstimationDlls, managed);
            var frame = TestFrame.Load();
            string dir = RepoPaths.NewTempDir("mono-host");
            string framePath = frame.Write(dir);

            string manifest = Path.Combine(RepoPaths.Root, "Models", ModelManifest.FileName);
            var args = new List<string> { host, manifest, framePath, I(frame.Width), I(frame.Height), I(SteadyFrames) };
            args.AddRange(TestFrame.Boxes.Select(TestFrame.BoxArgument));
            var run = ExternalProcess.Run(mono, args, dir, TimeSpan.FromMinutes(3));
            Assert.True(run.ExitCode == 0, run.Describe("mono posert-monohost.exe"));
            var output = new HostOutput(run.Stdout);

            Assert.Equal("Mono", output.Runtime);
            Assert.Equal(TestFrame.Model, output.Model);

            // Zero bytes over the steady-state frames, and a counter that does count (a 4 KiB array shows up).
            Assert.Equal($"allocated 0 {SteadyFrames}", output.Allocated);
            Assert.InRange(output.Probe, 4096, 4096 + 256);

            // The same pipeline in this process (net10.0 build of the Runtime, the same native ONNX Runtime).
            output.AssertPosesEqual(frame.EstimateHere(), TestFrame.Boxes, "Mono");
        }

        private static string HostDirectory() =>
            typeof(MonoHostTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "PoseRTMonoHostDir").Value!;

        private static string I(int v) => v.ToString(CultureInfo.InvariantCulture);
    }
}
