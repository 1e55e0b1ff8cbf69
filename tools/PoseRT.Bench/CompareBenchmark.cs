using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using PoseRT.IO;
using PoseRT.Runtime;
using PoseRT.Trainer;
using PoseRT.Trainer.Export;
using PoseRT.Trainer.Models;
using TorchSharp;

namespace PoseRT.Bench
{
    /// <summary>Settings of one comparison run.</summary>
    internal sealed record BenchSettings(string OutDir, int Frames, int Warmup, IReadOnlyList<int> ThreadCounts, IReadOnlyList<string> ShippedModels, bool Architectures);

    /// <summary>
    /// The comparison benchmark: exports MobileNetV3-Large and -Small x {static, DY-ReLU-C} at 256x192 (untrained weights;
    /// time does not depend on their values), adds the shipped models, and measures PoseRT end to end and its peers on the
    /// same files, crops and thread counts, one model after another in one process.
    /// </summary>
    internal sealed class CompareBenchmark
    {
        private const int FrameWidth = 1280, FrameHeight = 720;
        private readonly BenchSettings _settings;
        private readonly byte[] _frame;
        private readonly Action<string> _log;

        public CompareBenchmark(BenchSettings settings, Action<string> log)
        {
            _settings = settings;
            _log = log;
            _frame = new byte[FrameWidth * FrameHeight * 3];
            var rng = new Random(1);
            for (int i = 0; i < _frame.Length; i++) _frame[i] = (byte)rng.Next(256);
        }

        private sealed record Candidate(string Name, string Description, string File, string? ReferenceFile, PoseNet? Torch, long? MultiplyAdds, int Height, int Width);

        public BenchResults Run(string command)
        {
            var started = DateTime.UtcNow;
            var wall = Stopwatch.StartNew();
            var machine = MachineInfo.Detect();
            var results = new BenchResults(command, started.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture) + " UTC", 0, machine,
                typeof(Microsoft.ML.OnnxRuntime.InferenceSession).Assembly.GetName().Version?.ToString() ?? "?",
                new List<ModelRow>(), new List<LatencyRow>(), new List<ThroughputRow>(), new List<PeerRow>(), 0);
            _log("machine: " + machine.Describe());
            var modelDir = Path.Combine(_settings.OutDir, "models");
            Directory.CreateDirectory(modelDir);
            foreach (var candidate in Candidates(modelDir))
            {
                try
                {
                    Measure(candidate, results);
                }
                finally
                {
                    candidate.Torch?.Dispose();
                }
            }
            using var self = Process.GetCurrentProcess();
            return results with { WallSeconds = wall.Elapsed.TotalSeconds, PeakRssMb = self.PeakWorkingSet64 / 1048576.0 };
        }

        private IEnumerable<Candidate> Candidates(string modelDir)
        {
            if (_settings.Architectures)
            {
                TorchRuntime.EnsureLoaded();
                foreach (var backbone in new[] { BackboneKind.MobileNetV3Large, BackboneKind.MobileNetV3Small })
                    foreach (var activation in new[] { ActivationKind.Static, ActivationKind.DyReluC })
                    {
                        var options = new PoseNetOptions { Backbone = backbone, BackboneActivation = activation, InputHeight = 256, InputWidth = 192 };
                        torch.random.manual_seed(1);
                        var model = PoseNet.Create(options);
                        model.eval();
                        string name = $"{ModelNames.Name(backbone)}-{ModelNames.Name(activation)}";
                        string file = Path.Combine(modelDir, name + ".onnx");
                        OnnxExporter.Export(model, OnnxExporter.Describe(model), file);
                        string? reference = null;
                        if (activation == ActivationKind.DyReluC)
                        {
                            reference = Path.Combine(modelDir, name + "-reference-graph.onnx");
                            OnnxExporter.Export(model, OnnxExporter.Describe(model), reference, new OnnxExportOptions { DyReluForm = DyReluGraphForm.Reference });
                        }
                        long madds = ModelSummary.Compute(options).MultiplyAdds;
                        yield return new Candidate(name, $"{options.ArchitectureName} ({options.ActivationName}), untrained, 256x192", file, reference, model, madds, 256, 192);
                    }
            }
            foreach (var shipped in _settings.ShippedModels)
            {
                using var probe = PoseEstimator.Load(shipped, new PoseEstimatorOptions { Provider = ExecutionProvider.Cpu, CpuThreads = 1 });
                var info = probe.ModelInfo;
                yield return new Candidate(Path.GetFileNameWithoutExtension(shipped), $"shipped: {info.Architecture} ({info.Activation}), {info.InputHeight}x{info.InputWidth}",
                    shipped, null, null, null, info.InputHeight, info.InputWidth);
            }
        }

        private void Measure(Candidate c, BenchResults results)
        {
            _log($"model {c.Name}: {c.Description}");
            int maxThreads = 0;
            foreach (var t in _settings.ThreadCounts) maxThreads = Math.Max(maxThreads, t);
            foreach (int threads in _settings.ThreadCounts)
                foreach (bool flip in new[] { true, false })
                    results.Latency.Add(Latency(c.Name, c.File, "fused", CpuParallelism.Crops, threads, flip));
            if (c.ReferenceFile != null)
                results.Latency.Add(Latency(c.Name, c.ReferenceFile, "reference", CpuParallelism.Crops, maxThreads, true));
            if (maxThreads > 1)
                results.Latency.Add(Latency(c.Name, c.File, "fused", CpuParallelism.Operators, maxThreads, true));
            foreach (int persons in new[] { 1, 4, 8 })
                results.Throughput.Add(Throughput(c.Name, c.File, maxThreads, persons));

            foreach (int threads in _settings.ThreadCounts)
            {
                double ours = Find(results.Latency, c.Name, threads).Total.P50Ms;
                results.Peers.Add(Peer(c.Name, "ONNX Runtime defaults", c.File, threads, ours, () => new OrtDefaultsPeer(c.File, c.Height, c.Width)));
                var cv = Peer(c.Name, "OpenCV DNN", c.File, threads, ours, () => new OpenCvDnnPeer(c.File, c.Height, c.Width));
                if (cv.Time == null && c.ReferenceFile != null)
                    cv = Peer(c.Name, "OpenCV DNN", c.ReferenceFile, threads, ours, () => new OpenCvDnnPeer(c.ReferenceFile, c.Height, c.Width)) with { Note = "cannot run the fused graph (" + cv.Note + "); timed on the reference graph" };
                results.Peers.Add(cv);
                if (c.Torch != null)
                    results.Peers.Add(Peer(c.Name, "TorchSharp eager", "(the Trainer's model)", threads, ours, () => new TorchEagerPeer(c.Torch, c.Height, c.Width)));
                else
                    results.Peers.Add(new PeerRow(c.Name, "TorchSharp eager", "-", threads, null, null, "no TorchSharp weights ship with this model"));
            }
            using var self = Process.GetCurrentProcess();
            results.Models.Add(new ModelRow(c.Name, c.Description, Path.GetFileName(c.File), c.MultiplyAdds, self.WorkingSet64 / 1048576.0));
        }

        private static LatencyRow Find(List<LatencyRow> rows, string model, int threads)
        {
            foreach (var r in rows)
                if (r.Model == model && r.Threads == threads && r.Flip && r.Graph == "fused" && r.Parallelism == nameof(CpuParallelism.Crops)) return r;
            throw new InvalidOperationException("no PoseRT row for " + model);
        }

        private PeerRow Peer(string model, string peer, string file, int threads, double oursP50, Func<IPeer> create)
        {
            try
            {
                using var p = create();
                var times = p.Time(2, threads, _settings.Warmup, _settings.Frames);
                var stats = Summarise(times);
                _log($"  {peer,-22} {threads} thread(s): p50 {stats.P50Ms:F1} ms ({stats.P50Ms / oursP50:F2}x PoseRT)");
                return new PeerRow(model, peer, Path.GetFileName(file), threads, stats, stats.P50Ms / oursP50, null);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                string first = e.Message.Split('\n')[0];
                _log($"  {peer,-22} {threads} thread(s): failed: {first}");
                return new PeerRow(model, peer, Path.GetFileName(file), threads, null, null, first);
            }
        }

        private LatencyRow Latency(string model, string file, string graph, CpuParallelism parallelism, int threads, bool flip)
        {
            var options = new PoseEstimatorOptions { Provider = ExecutionProvider.Cpu, CpuThreads = threads, CpuParallelism = parallelism, FlipTest = flip, MaxBoxesPerRun = 1 };
            using var est = PoseEstimator.Load(file, options);
            var view = new ImageView(_frame, FrameWidth, FrameHeight, 0, PixelFormat.Bgr24);
            var boxes = new[] { new BoundingBox(500, 120, 220, 480) };
            var poses = new Pose[1];
            for (int i = 0; i < _settings.Warmup; i++) est.Estimate(view, boxes, poses);
            var total = new double[_settings.Frames];
            var inference = new double[_settings.Frames];
            var pre = new double[_settings.Frames];
            var dec = new double[_settings.Frames];
            long allocated = GC.GetTotalAllocatedBytes(precise: true);
            for (int i = 0; i < total.Length; i++)
            {
                long t0 = Stopwatch.GetTimestamp();
                est.Estimate(view, boxes, poses);
                total[i] = (Stopwatch.GetTimestamp() - t0) * 1000.0 / Stopwatch.Frequency;
                var t = est.LastTimings;
                inference[i] = t.Inference.TotalMilliseconds;
                pre[i] = t.Preprocess.TotalMilliseconds;
                dec[i] = t.Decode.TotalMilliseconds;
            }
            double bytes = (GC.GetTotalAllocatedBytes(precise: true) - allocated) / (double)total.Length;
            var s = Summarise(total);
            var row = new LatencyRow(model, graph, parallelism.ToString(), threads, flip, s, Summarise(inference),
                LatencyStats.Percentile(LatencyStats.Sorted(pre), 0.5), LatencyStats.Percentile(LatencyStats.Sorted(dec), 0.5), bytes, 1000.0 / s.MeanMs);
            _log($"  PoseRT {graph,-9} {parallelism,-9} {threads} thread(s), flip {(flip ? "on " : "off")}: p50 {s.P50Ms:F1} ms, {row.Fps:F1} FPS, {bytes:F0} B/frame");
            return row;
        }

        private ThroughputRow Throughput(string model, string file, int threads, int persons)
        {
            var options = new PoseEstimatorOptions { Provider = ExecutionProvider.Cpu, CpuThreads = threads, FlipTest = true, MaxBoxesPerRun = persons };
            using var est = PoseEstimator.Load(file, options);
            var view = new ImageView(_frame, FrameWidth, FrameHeight, 0, PixelFormat.Bgr24);
            var boxes = new BoundingBox[persons];
            for (int i = 0; i < persons; i++) boxes[i] = new BoundingBox(40 + i * 140, 100 + (i % 2) * 40, 200, 460);
            var poses = new Pose[persons];
            int frames = Math.Max(5, _settings.Frames / Math.Max(1, persons / 2));
            for (int i = 0; i < Math.Max(1, _settings.Warmup / 2); i++) est.Estimate(view, boxes, poses);
            var total = new double[frames];
            for (int i = 0; i < frames; i++)
            {
                long t0 = Stopwatch.GetTimestamp();
                est.Estimate(view, boxes, poses);
                total[i] = (Stopwatch.GetTimestamp() - t0) * 1000.0 / Stopwatch.Frequency;
            }
            var s = Summarise(total);
            double rate = persons * 1000.0 / s.MeanMs;
            _log($"  PoseRT {persons} person(s), flip on, {threads} thread(s): {rate:F1} poses/s");
            return new ThroughputRow(model, threads, persons, s, rate);
        }

        private static Stats Summarise(double[] ms)
        {
            var sorted = LatencyStats.Sorted(ms);
            return new Stats(LatencyStats.Mean(ms), LatencyStats.Percentile(sorted, 0.5), LatencyStats.Percentile(sorted, 0.95), ms.Length);
        }
    }
}
