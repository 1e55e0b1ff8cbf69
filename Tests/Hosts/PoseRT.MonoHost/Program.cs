using System;
using System.Globalization;
using System.IO;
using System.Reflection;
using PoseRT.Runtime;
using PoseRT.Runtime.Model;

namespace PoseRT.MonoHost
{
    /// <summary>
    /// Runs PoseRT.Runtime's netstandard2.0 build on one RGBA frame stored bottom row first (a Unity texture's
    /// layout), the way an embedding host would, and prints what a test needs to compare it with .NET:
    /// <code>
    /// posert-monohost MODEL FRAME.rgba WIDTH HEIGHT FRAMES X,Y,W,H [X,Y,W,H ...]
    ///   runtime Mono|.NET Framework|.NET
    ///   model FILE                     (only when MODEL is a manifest.json: its default model, sha256 verified)
    ///   allocated BYTES FRAMES         (managed bytes over FRAMES steady-state frames after warm-up)
    ///   allocated unsupported REASON   (the runtime has no per-thread allocation counter)
    ///   probe BYTES                    (what the counter saw for one new byte[4096]: proves it counts)
    ///   pose I SCORE X0 Y0 S0 ... X16 Y16 S16   (the last frame's poses; floats as 8 hex digits of their bits)
    /// </code>
    /// Exit code 2 for bad arguments, 1 for any failure (the exception is printed).
    /// </summary>
    internal static class Program
    {
        private const int WarmupFrames = 3;

        private static int Main(string[] args)
        {
            if (args.Length < 6)
            {
                Console.Error.WriteLine("usage: posert-monohost MODEL FRAME.rgba WIDTH HEIGHT FRAMES X,Y,W,H [X,Y,W,H ...]");
                return 2;
            }
            try
            {
                Run(args);
                return 0;
            }
            catch (Exception e)
            {
                Console.Error.WriteLine(e);
                return 1;
            }
        }

        private static void Run(string[] args)
        {
            string model = args[0];
            byte[] frame = File.ReadAllBytes(args[1]);
            int width = int.Parse(args[2], CultureInfo.InvariantCulture);
            int height = int.Parse(args[3], CultureInfo.InvariantCulture);
            int frames = int.Parse(args[4], CultureInfo.InvariantCulture);
            var boxes = new BoundingBox[args.Length - 5];
            for (int i = 0; i < boxes.Length; i++) boxes[i] = ParseBox(args[5 + i]);
            var poses = new Pose[boxes.Length];

            Console.WriteLine("runtime " + RuntimeName());
            if (model.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
            {
                // A models folder's manifest, read as a host would find its model (the netstandard2.0 JSON reader, on Mono).
                var manifest = ModelManifest.Load(model, verifySha256: true);
                model = manifest.Default.FullPath;
                Console.WriteLine("model " + manifest.Default.File);
            }
            using var estimator = PoseEstimator.Load(model, new PoseEstimatorOptions { Provider = ExecutionProvider.Cpu, CpuThreads = 1 });
            for (int i = 0; i < WarmupFrames; i++) Estimate(estimator, frame, width, height, boxes, poses);

            Func<long>? allocatedBytes = AllocationCounter(out string why);
            long before = allocatedBytes?.Invoke() ?? 0;
            for (int i = 0; i < frames; i++) Estimate(estimator, frame, width, height, boxes, poses);
            long after = allocatedBytes?.Invoke() ?? 0;
            Console.WriteLine(allocatedBytes == null
                ? "allocated unsupported " + why
                : "allocated " + (after - before).ToString(CultureInfo.InvariantCulture) + " " + frames.ToString(CultureInfo.InvariantCulture));
            if (allocatedBytes != null)
            {
                long probeBefore = allocatedBytes();
                var probe = new byte[4096];
                long probeAfter = allocatedBytes();
                GC.KeepAlive(probe);
                Console.WriteLine("probe " + (probeAfter - probeBefore).ToString(CultureInfo.InvariantCulture));
            }

            for (int i = 0; i < poses.Length; i++)
            {
                var line = new System.Text.StringBuilder("pose ").Append(i).Append(' ').Append(Bits(poses[i].Score));
                for (int k = 0; k < poses[i].KeypointCount; k++)
                {
                    Keypoint p = poses[i][k];
                    line.Append(' ').Append(Bits(p.X)).Append(' ').Append(Bits(p.Y)).Append(' ').Append(Bits(p.Score));
                }
                Console.WriteLine(line.ToString());
            }
        }

        private static void Estimate(PoseEstimator estimator, byte[] frame, int width, int height, BoundingBox[] boxes, Pose[] poses)
        {
            var image = new ImageView(frame, width, height, width * 4, PixelFormat.Rgba32, bottomUp: true);
            estimator.Estimate(image, boxes, poses);
        }

        /// <summary>
        /// GC.GetAllocatedBytesForCurrentThread, found by reflection: the net472 reference assemblies do not
        /// declare it, but Mono's corlib and .NET's have it. Null (with the reason) where the runtime lacks it.
        /// </summary>
        private static Func<long>? AllocationCounter(out string why)
        {
            MethodInfo? m = typeof(GC).GetMethod("GetAllocatedBytesForCurrentThread", BindingFlags.Public | BindingFlags.Static, null, Type.EmptyTypes, null);
            if (m == null || m.ReturnType != typeof(long))
            {
                why = "(no GC.GetAllocatedBytesForCurrentThread in " + RuntimeName() + ")";
                return null;
            }
            why = "";
            return (Func<long>)Delegate.CreateDelegate(typeof(Func<long>), m);
        }

        private static string RuntimeName() =>
            Type.GetType("Mono.Runtime") != null ? "Mono" :
            RuntimeEnvironmentIsFramework() ? ".NET Framework" : ".NET";

        private static bool RuntimeEnvironmentIsFramework() =>
            System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription.StartsWith(".NET Framework", StringComparison.Ordinal);

        private static string Bits(float value) =>
            BitConverter.ToInt32(BitConverter.GetBytes(value), 0).ToString("x8", CultureInfo.InvariantCulture);

        private static BoundingBox ParseBox(string text)
        {
            string[] parts = text.Split(',');
            if (parts.Length != 4)
                throw new ArgumentException($"box '{text}': expected X,Y,W,H");
            var v = new float[4];
            for (int i = 0; i < 4; i++) v[i] = float.Parse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture);
            return new BoundingBox(v[0], v[1], v[2], v[3]);
        }
    }
}
