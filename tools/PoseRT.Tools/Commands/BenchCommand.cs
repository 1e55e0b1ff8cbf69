using System;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using Google.Protobuf;
using PoseRT.Cli;
using PoseRT.IO;
using PoseRT.OnnxGraph;
using PoseRT.Runtime;
using PoseRT.Runtime.Geometry;
using PoseRT.Runtime.Model;

namespace PoseRT.Tools.Commands
{
    /// <summary>
    /// <c>posert bench</c>: per-stage time (preprocess, inference, decode) and managed allocations per
    /// frame of the Runtime's <see cref="PoseEstimator"/> on any heatmap pose model, or on a generated
    /// stand-in network of about the paper's cost when no trained model exists yet.
    /// </summary>
    internal static class BenchCommand
    {
        internal static Command Create()
        {
            var model = new Option<FileInfo?>("--model") { Description = "ONNX pose model to benchmark." };
            var synthetic = new Option<bool>("--synthetic") { Description = "Benchmark a generated stand-in network (3x3 convolutions, about 1 GMAC at 256x192, random weights) instead of --model." };
            var device = DeviceChoice.Create("auto", DeviceChoice.AllKinds, "Where the model runs: auto, cpu, cuda[:N] or directml[:N].");
            var threads = new Option<int>("--threads") { Description = "CPU provider threads (0 = ONNX Runtime's choice; at most 4 per logical processor).", DefaultValueFactory = _ => 0 }
                .InRange(0, RunCommand.MaxThreads, "4 per logical processor at most");
            var parallelism = new Option<CpuParallelism>("--cpu-parallelism") { Description = "Crops (threads run crops side by side, the default) or Operators (ONNX Runtime's intra-op pool).", DefaultValueFactory = _ => CpuParallelism.Crops };
            var boxes = new Option<int>("--boxes") { Description = "Person boxes per frame.", DefaultValueFactory = _ => 1 }.InRange(1, TrackedPose.MaxPerFrame);
            var frames = new Option<int>("--frames") { Description = "Timed frames.", DefaultValueFactory = _ => 100 }.InRange(1, 1_000_000);
            var warmup = new Option<int>("--warmup") { Description = "Untimed frames first.", DefaultValueFactory = _ => 10 }.InRange(0, 1_000_000);
            var noFlip = new Option<bool>("--no-flip") { Description = "Disable the flip test (halves the batch)." };
            var refinement = RunCommand.RefinementOption();

            var cmd = new Command("bench", "Time the Runtime per stage (preprocess, inference, decode) and count managed allocations per frame.")
            {
                model, synthetic, device, threads, parallelism, boxes, frames, warmup, noFlip, refinement,
            };
            cmd.SetAction(parseResult =>
            {
                var file = parseResult.GetValue(model);
                bool gen = parseResult.GetValue(synthetic);
                if ((file == null) == !gen)
                {
                    Console.Error.WriteLine("posert bench: give either --model FILE or --synthetic.");
                    return ExitCodes.BadInput;
                }
                int n = parseResult.GetValue(boxes), f = parseResult.GetValue(frames), w = parseResult.GetValue(warmup);
                var where = DeviceChoice.Parse(parseResult.GetValue(device)!, DeviceChoice.AllKinds);
                var options = new PoseEstimatorOptions
                {
                    Provider = where.Provider,
                    DeviceId = where.Index,
                    CpuThreads = parseResult.GetValue(threads),
                    CpuParallelism = parseResult.GetValue(parallelism),
                    FlipTest = !parseResult.GetValue(noFlip),
                    Refinement = parseResult.GetValue(refinement),
                    MaxBoxesPerRun = Math.Max(1, n),
                };
                try
                {
                    string source;
                    PoseEstimator est;
                    if (gen)
                    {
                        source = "generated stand-in network (" + StandInModel.Description + ")";
                        est = PoseEstimator.Load(StandInModel.Build(PoseModelInfo.CocoDefault()), options, "stand-in");
                    }
                    else
                    {
                        source = file!.FullName;
                        est = PoseEstimator.Load(file.FullName, options);
                    }
                    using (est)
                    {
                        Run(est, source, n, f, w, options);
                    }
                    return 0;
                }
                catch (Exception e) when (e is InvalidPoseModelException || e is NotSupportedException || e is FileNotFoundException || e is ArgumentException)
                {
                    // A model that cannot be loaded is bad input, as in every PoseRT program.
                    Console.Error.WriteLine("posert bench: " + e.Message);
                    return ExitCodes.BadInput;
                }
            });
            return cmd;
        }

        private static void Run(PoseEstimator est, string source, int boxCount, int frames, int warmup, PoseEstimatorOptions options)
        {
            const int width = 1280, height = 720;
            var image = new byte[width * height * 3];
            var rng = new Random(1);
            for (int y = 0; y < height; y++)
                for (int x = 0; x < width; x++)
                {
                    int o = (y * width + x) * 3;
                    image[o] = (byte)(x * 255 / width);
                    image[o + 1] = (byte)(y * 255 / height);
                    image[o + 2] = (byte)rng.Next(256);
                }
            var boxes = new BoundingBox[boxCount];
            var scores = new float[boxCount];
            for (int i = 0; i < boxCount; i++)
            {
                boxes[i] = new BoundingBox(40 + (i * 997) % (width - 300), 60 + (i * 331) % (height - 420), 180 + i % 3 * 20, 360);
                scores[i] = 0.9f;
            }
            var poses = new Pose[boxCount];
            var pre = new double[frames];
            var inf = new double[frames];
            var dec = new double[frames];
            var total = new double[frames];

            var view = new ImageView(image, width, height, 0, PixelFormat.Bgr24);
            for (int i = 0; i < warmup; i++) est.Estimate(view, boxes, scores, poses);

            long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < frames; i++)
            {
                long t0 = Stopwatch.GetTimestamp();
                est.Estimate(view, boxes, scores, poses);
                long t1 = Stopwatch.GetTimestamp();
                var t = est.LastTimings;
                pre[i] = t.Preprocess.TotalMilliseconds;
                inf[i] = t.Inference.TotalMilliseconds;
                dec[i] = t.Decode.TotalMilliseconds;
                total[i] = (t1 - t0) * 1000.0 / Stopwatch.Frequency;
            }
            long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;

            var info = est.ModelInfo;
            var inv = CultureInfo.InvariantCulture;
            Console.WriteLine($"model     {source}");
            Console.WriteLine($"          input {info.InputWidth}x{info.InputHeight}, heatmaps {info.HeatmapWidth}x{info.HeatmapHeight}, {info.KeypointCount} keypoints, {info.Architecture}/{info.Activation}");
            Console.WriteLine($"provider  {est.ProviderReport}");
            Console.WriteLine($"frame     {width}x{height} BGR24, {boxCount} box(es), flip test {(options.FlipTest ? "on" : "off")}, {options.Refinement}; {warmup} warm-up + {frames} timed frames; {Environment.ProcessorCount} logical CPUs");
            Console.WriteLine();
            Console.WriteLine("stage          mean ms    p50 ms    p95 ms");
            Row("preprocess", pre);
            Row("inference", inf);
            Row("decode", dec);
            Row("total", total);
            Console.WriteLine();
            Console.WriteLine(string.Format(inv, "managed allocations: {0} bytes over {1} frames ({2:F1} bytes/frame)", allocated, frames, allocated / (double)frames));
            Console.WriteLine(string.Format(inv, "throughput: {0:F1} frames/s, {1:F1} poses/s", 1000.0 / LatencyStats.Mean(total), boxCount * 1000.0 / LatencyStats.Mean(total)));

            void Row(string name, double[] values)
            {
                var sorted = LatencyStats.Sorted(values);
                Console.WriteLine(string.Format(inv, "{0,-12} {1,9:F3} {2,9:F3} {3,9:F3}", name, LatencyStats.Mean(values), LatencyStats.Percentile(sorted, 0.5), LatencyStats.Percentile(sorted, 0.95)));
            }
        }

    }

    /// <summary>
    /// A generated network with roughly the paper's cost, to time the Runtime before a trained model
    /// exists: conv 3x3/2 (3->32), conv 3x3/2 (32->64), eight conv 3x3 (64->64) at 1/4 resolution with
    /// ReLU, conv 1x1 to the keypoint heatmaps. Random weights; its poses mean nothing.
    /// </summary>
    internal static class StandInModel
    {
        internal const string Description = "3x3 conv stack, ~0.98 GMAC at 256x192, random weights";

        internal static byte[] Build(PoseModelInfo info)
        {
            var rng = new Random(42);
            var g = new OnnxGraphBuilder("posert-stand-in");
            string x = g.Input("image", "N", 3, info.InputHeight, info.InputWidth);
            int channels = 3, layer = 0;

            void Conv(int outC, int k, int stride, bool relu)
            {
                float scale = (float)Math.Sqrt(2.0 / (channels * k * k));
                var wv = new float[outC * channels * k * k];
                for (int i = 0; i < wv.Length; i++) wv[i] = (float)(rng.NextDouble() * 2 - 1) * scale;
                var w = g.Float($"w{layer}", wv, outC, channels, k, k);
                var b = g.Float($"b{layer}", new float[outC], outC);
                x = g.Node("Conv", $"conv{layer}", new[] { x, w, b },
                    OnnxGraphBuilder.Ints("kernel_shape", k, k),
                    OnnxGraphBuilder.Ints("strides", stride, stride),
                    OnnxGraphBuilder.Ints("pads", k / 2, k / 2, k / 2, k / 2));
                if (relu) x = g.Node("Relu", $"relu{layer}", new[] { x });
                channels = outC;
                layer++;
            }

            Conv(32, 3, 2, true);
            Conv(64, 3, 2, true);
            for (int i = 0; i < 8; i++) Conv(64, 3, 1, true);
            Conv(info.KeypointCount, 1, 1, false);
            g.Output(x, "heatmaps", "N", info.KeypointCount, info.HeatmapHeight, info.HeatmapWidth);
            var metadata = (info with { Architecture = "stand-in", Activation = "relu" }).ToMetadata();
            return g.ToModel(irVersion: 8, opset: 17, producerName: "posert bench", metadata: metadata).ToByteArray();
        }
    }
}
