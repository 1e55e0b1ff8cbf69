using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using Google.Protobuf;
using PoseRT.IO;
using PoseRT.Runtime;
using PoseRT.Runtime.Model;
using PoseRT.Trainer;
using PoseRT.Trainer.Export;
using PoseRT.Trainer.Models;
using TorchSharp;

namespace PoseRT.Bench
{
    /// <summary>Settings of one comparison run.</summary>
    internal sealed record BenchSettings(string OutDir, int Frames, int Warmup, int Rounds, IReadOnlyList<int> ThreadCounts, IReadOnlyList<string> ShippedModels, bool Architectures);

    /// <summary>
    /// The comparison benchmark: exports MobileNetV3-Large and -Small x {static, DY-ReLU-C} at 256x192 (untrained weights;
    /// time does not depend on their values), adds the shipped models, and measures PoseRT end to end and its peers on the
    /// same files, crops and thread counts in one process. The whole matrix runs in several rounds, each taking its share
    /// of the frames, and each row pools its samples over the rounds: a slow minute on a shared machine then falls on
    /// every model alike instead of on whichever was being measured, so ratios within the run stay fair.
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

        // Tracked: whether the PoseTracker cost is measured (trained files and int8 twins; the untrained fp32 architectures are timed only).
        // TorchNote: why a candidate without Torch has no TorchSharp peer.
        private sealed record Candidate(string Name, string Description, string File, string? ReferenceFile, PoseNet? Torch, long? MultiplyAdds, int Height, int Width,
            bool Tracked, string? TorchNote = null);

        public BenchResults Run(string command)
        {
            var started = DateTime.UtcNow;
            var wall = Stopwatch.StartNew();
            var machine = MachineInfo.Detect();
            var results = new BenchResults(command, started.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture) + " UTC", 0, machine,
                typeof(Microsoft.ML.OnnxRuntime.InferenceSession).Assembly.GetName().Version?.ToString() ?? "?",
                new List<ModelRow>(), new List<LatencyRow>(), new List<ThroughputRow>(), new List<PeerRow>(), new List<TrackerRow>(), 0);
            _log("machine: " + machine.Describe());
            var modelDir = Path.Combine(_settings.OutDir, "models");
            Directory.CreateDirectory(modelDir);
            var candidates = new List<Candidate>(Candidates(modelDir));
            try
            {
                for (int round = 0; round < _settings.Rounds; round++)
                {
                    _log($"round {round + 1} of {_settings.Rounds}");
                    foreach (var candidate in candidates) Measure(candidate);
                }
            }
            finally
            {
                foreach (var c in candidates) c.Torch?.Dispose();
            }
            Collect(candidates, results);
            foreach (var c in candidates)
                if (c.Tracked) TrackerCost(c, results);
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
                        // What the exported graph executes (its head's expansions run before the upsampling).
                        long madds = ModelSummary.Compute(options, OnnxExportOptions.Default.HeadUpsampling).MultiplyAdds;
                        yield return new Candidate(name, $"{options.ArchitectureName} ({options.ActivationName}), untrained, 256x192", file, reference, model, madds, 256, 192, Tracked: false);
                        // The int8 twin of the paper's backbone (issue 11's real-time configuration); Small's is left out
                        // to keep the run under 10 minutes.
                        if (backbone == BackboneKind.MobileNetV3Large)
                            yield return Int8(name, $"{options.ArchitectureName} ({options.ActivationName}), untrained, 256x192, int8 QDQ", file, modelDir, madds, 256, 192);
                    }
            }
            foreach (var shipped in _settings.ShippedModels)
            {
                PoseModelInfo info;
                using (var probe = PoseEstimator.Load(shipped, new PoseEstimatorOptions { Provider = ExecutionProvider.Cpu, CpuThreads = 1 }))
                    info = probe.ModelInfo;
                var (torch, torchNote) = ShippedTorch(shipped, info);
                yield return new Candidate(Path.GetFileNameWithoutExtension(shipped), $"shipped: {info.Architecture} ({info.Activation}), {info.InputHeight}x{info.InputWidth}",
                    shipped, null, torch, null, info.InputHeight, info.InputWidth, Tracked: true, torchNote);
                if (info.Precision == PoseModelInfo.DefaultPrecision)
                    yield return Int8(Path.GetFileNameWithoutExtension(shipped), $"shipped: {info.Architecture} ({info.Activation}), {info.InputHeight}x{info.InputWidth}, int8 QDQ",
                        shipped, modelDir, null, info.InputHeight, info.InputWidth);
            }
        }

        /// <summary>
        /// The Trainer's model of a shipped file, from its training weights <c>weights/NAME.pt</c> beside it (Models/README.md),
        /// built from the architecture its metadata names; or null and the reason its TorchSharp peer row stays empty.
        /// </summary>
        private (PoseNet? Model, string? Note) ShippedTorch(string file, PoseModelInfo info)
        {
            string weights = PoseNetWeights.ShippedPathFor(file);
            if (!File.Exists(weights)) return (null, "no TorchSharp weights ship with this model");
            PoseNet? model = null;
            try
            {
                TorchRuntime.EnsureLoaded();
                model = PoseNet.Create(PoseNetOptions.FromNames(info.Architecture, info.Activation, info.InputHeight, info.InputWidth, info.Keypoints.Count));
                PoseNetWeights.Load(model, weights);
                model.eval();
                return (model, null);
            }
            catch (Exception e) when (e is ArgumentException or InvalidDataException)
            {
                model?.Dispose();
                _log($"  {weights}: {e.Message} (no TorchSharp peer for this model)");
                return (null, "its weights did not load: " + e.Message);
            }
        }

        /// <summary>
        /// The int8 (QDQ) file of an fp32 candidate, written as <c>posert-train quantize</c> writes it (default calibration:
        /// 64 generated synthetic person crops); timed like any model, with no TorchSharp peer (LibTorch has no such path here).
        /// </summary>
        private Candidate Int8(string name, string description, string fp32File, string modelDir, long? madds, int height, int width)
        {
            string file = Path.Combine(modelDir, name + "-int8.onnx");
            var started = Stopwatch.StartNew();
            var quantized = Int8Quantizer.Quantize(Onnx.ModelProto.Parser.ParseFrom(File.ReadAllBytes(fp32File)), new Int8Options(), fp32File);
            AtomicFile.Write(file, quantized.WriteTo);
            _log($"quantised {name} to int8 in {started.Elapsed.TotalSeconds:F1} s");
            return new Candidate(name + "-int8", description, file, null, null, madds, height, width, Tracked: true, "LibTorch has no int8 QDQ path here");
        }

        private int FramesPerRound => Math.Max(3, (_settings.Frames + _settings.Rounds - 1) / _settings.Rounds);

        private int MaxThreads
        {
            get
            {
                int max = 0;
                foreach (var t in _settings.ThreadCounts) max = Math.Max(max, t);
                return max;
            }
        }

        private sealed class Series
        {
            public readonly List<double> Total = new List<double>();
            public readonly List<double> Inference = new List<double>();
            public readonly List<double> Preprocess = new List<double>();
            public readonly List<double> Decode = new List<double>();
            public long Bytes;
            public string? Note;
            public string File = "";
        }

        private readonly Dictionary<string, Series> _series = new Dictionary<string, Series>(StringComparer.Ordinal);
        private readonly Dictionary<string, string> _openCvFallback = new Dictionary<string, string>(StringComparer.Ordinal);
        private readonly Dictionary<string, double> _rss = new Dictionary<string, double>(StringComparer.Ordinal);

        private Series At(string key)
        {
            if (!_series.TryGetValue(key, out var s)) _series[key] = s = new Series();
            return s;
        }

        private static string LatencyKey(string model, string graph, CpuParallelism p, int threads, bool flip) => $"L|{model}|{graph}|{p}|{threads}|{flip}";

        private static string ThroughputKey(string model, int threads, int persons) => $"T|{model}|{threads}|{persons}";

        private static string PeerKey(string model, string peer, int threads) => $"P|{model}|{peer}|{threads}";

        /// <summary>The end-to-end rows of a model, the same list for measuring and for collecting.</summary>
        private IEnumerable<(string Graph, CpuParallelism Parallelism, int Threads, bool Flip)> LatencyConfigs(Candidate c)
        {
            foreach (int threads in _settings.ThreadCounts)
                foreach (bool flip in new[] { true, false })
                    yield return ("fused", CpuParallelism.Crops, threads, flip);
            if (c.ReferenceFile != null) yield return ("reference", CpuParallelism.Crops, MaxThreads, true);
            if (MaxThreads > 1) yield return ("fused", CpuParallelism.Operators, MaxThreads, true);
        }

        private void Measure(Candidate c)
        {
            _log($"model {c.Name}: {c.Description}");
            foreach (var (graph, p, threads, flip) in LatencyConfigs(c))
                Latency(c.Name, graph == "reference" ? c.ReferenceFile! : c.File, graph, p, threads, flip);
            foreach (int persons in new[] { 1, 4, 8 })
                Throughput(c.Name, c.File, MaxThreads, persons);
            foreach (int threads in _settings.ThreadCounts)
            {
                Peer(c.Name, "ONNX Runtime defaults", c.File, threads, () => new OrtDefaultsPeer(c.File, c.Height, c.Width));
                var cv = At(PeerKey(c.Name, "OpenCV DNN", threads));
                if (!_openCvFallback.ContainsKey(c.Name))
                {
                    Peer(c.Name, "OpenCV DNN", c.File, threads, () => new OpenCvDnnPeer(c.File, c.Height, c.Width));
                    if (cv.Total.Count == 0 && c.ReferenceFile != null) _openCvFallback[c.Name] = cv.Note ?? "";
                }
                if (_openCvFallback.TryGetValue(c.Name, out var why))
                {
                    Peer(c.Name, "OpenCV DNN", c.ReferenceFile!, threads, () => new OpenCvDnnPeer(c.ReferenceFile!, c.Height, c.Width));
                    if (cv.Total.Count > 0) cv.Note = "cannot run the fused graph (" + why + "); timed on the reference graph";
                }
                if (c.Torch != null)
                    Peer(c.Name, "TorchSharp eager", "(the Trainer's model)", threads, () => new TorchEagerPeer(c.Torch, c.Height, c.Width));
            }
            using var self = Process.GetCurrentProcess();
            _rss[c.Name] = Math.Max(_rss.TryGetValue(c.Name, out var r) ? r : 0, self.WorkingSet64 / 1048576.0);
        }

        private void Collect(List<Candidate> candidates, BenchResults results)
        {
            foreach (var c in candidates)
            {
                foreach (var (graph, p, threads, flip) in LatencyConfigs(c))
                {
                    var s = At(LatencyKey(c.Name, graph, p, threads, flip));
                    var total = Summarise(s.Total.ToArray());
                    results.Latency.Add(new LatencyRow(c.Name, graph, p.ToString(), threads, flip, total, Summarise(s.Inference.ToArray()),
                        LatencyStats.Percentile(LatencyStats.Sorted(s.Preprocess), 0.5), LatencyStats.Percentile(LatencyStats.Sorted(s.Decode), 0.5),
                        s.Bytes / (double)Math.Max(1, s.Total.Count), 1000.0 / total.MeanMs));
                }
                foreach (int persons in new[] { 1, 4, 8 })
                {
                    var s = At(ThroughputKey(c.Name, MaxThreads, persons));
                    var total = Summarise(s.Total.ToArray());
                    results.Throughput.Add(new ThroughputRow(c.Name, MaxThreads, persons, total, persons * 1000.0 / total.MeanMs));
                }
                foreach (int threads in _settings.ThreadCounts)
                {
                    double ours = (BenchReport.PoseRTRow(results, c.Name, threads) ?? throw new InvalidOperationException("no PoseRT row for " + c.Name)).Total.P50Ms;
                    foreach (var peer in new[] { "ONNX Runtime defaults", "OpenCV DNN", "TorchSharp eager" })
                    {
                        if (peer == "TorchSharp eager" && c.Torch == null)
                        {
                            results.Peers.Add(new PeerRow(c.Name, peer, "-", threads, null, null, c.TorchNote));
                            continue;
                        }
                        var s = At(PeerKey(c.Name, peer, threads));
                        if (s.Total.Count == 0)
                        {
                            results.Peers.Add(new PeerRow(c.Name, peer, s.File, threads, null, null, s.Note));
                            continue;
                        }
                        var stats = Summarise(s.Total.ToArray());
                        results.Peers.Add(new PeerRow(c.Name, peer, s.File, threads, stats, stats.P50Ms / ours, s.Note));
                    }
                }
                results.Models.Add(new ModelRow(c.Name, c.Description, Path.GetFileName(c.File), c.MultiplyAdds, _rss.TryGetValue(c.Name, out var rss) ? rss : 0));
            }
        }

        private void Peer(string model, string peer, string file, int threads, Func<IPeer> create)
        {
            var s = At(PeerKey(model, peer, threads));
            try
            {
                using var p = create();
                var times = p.Time(2, threads, _settings.Warmup, FramesPerRound);
                s.Total.AddRange(times);
                s.File = Path.GetFileName(file);
                _log($"  {peer,-22} {threads} thread(s): p50 {LatencyStats.Percentile(LatencyStats.Sorted(times), 0.5):F1} ms");
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                s.Note = e.Message.Split('\n')[0];
                s.File = Path.GetFileName(file);
                _log($"  {peer,-22} {threads} thread(s): failed: {s.Note}");
            }
        }

        private void Latency(string model, string file, string graph, CpuParallelism parallelism, int threads, bool flip)
        {
            var options = new PoseEstimatorOptions { Provider = ExecutionProvider.Cpu, CpuThreads = threads, CpuParallelism = parallelism, FlipTest = flip, MaxBoxesPerRun = 1 };
            using var est = PoseEstimator.Load(file, options);
            var view = new ImageView(_frame, FrameWidth, FrameHeight, 0, PixelFormat.Bgr24);
            var boxes = new[] { new BoundingBox(500, 120, 220, 480) };
            var poses = new Pose[1];
            for (int i = 0; i < _settings.Warmup; i++) est.Estimate(view, boxes, poses);
            var s = At(LatencyKey(model, graph, parallelism, threads, flip));
            int frames = FramesPerRound;
            // The calling thread: the crop workers allocate nothing per frame either (Runtime tests count the whole process),
            // but a process-wide count here would also catch the JIT and the runtime's own background threads.
            var total = new double[frames];
            var inference = new double[frames];
            var pre = new double[frames];
            var dec = new double[frames];
            long allocated = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < frames; i++)
            {
                long t0 = Stopwatch.GetTimestamp();
                est.Estimate(view, boxes, poses);
                long t1 = Stopwatch.GetTimestamp();
                var t = est.LastTimings;
                total[i] = (t1 - t0) * 1000.0 / Stopwatch.Frequency;
                inference[i] = t.Inference.TotalMilliseconds;
                pre[i] = t.Preprocess.TotalMilliseconds;
                dec[i] = t.Decode.TotalMilliseconds;
            }
            s.Bytes += GC.GetAllocatedBytesForCurrentThread() - allocated;
            s.Total.AddRange(total);
            s.Inference.AddRange(inference);
            s.Preprocess.AddRange(pre);
            s.Decode.AddRange(dec);
        }

        private void Throughput(string model, string file, int threads, int persons)
        {
            var options = new PoseEstimatorOptions { Provider = ExecutionProvider.Cpu, CpuThreads = threads, FlipTest = true, MaxBoxesPerRun = persons };
            using var est = PoseEstimator.Load(file, options);
            var view = new ImageView(_frame, FrameWidth, FrameHeight, 0, PixelFormat.Bgr24);
            var boxes = new BoundingBox[persons];
            for (int i = 0; i < persons; i++) boxes[i] = new BoundingBox(40 + i * 140, 100 + (i % 2) * 40, 200, 460);
            var poses = new Pose[persons];
            int frames = Math.Max(3, FramesPerRound / Math.Max(1, persons / 2));
            for (int i = 0; i < Math.Max(1, _settings.Warmup / 2); i++) est.Estimate(view, boxes, poses);
            var s = At(ThroughputKey(model, threads, persons));
            for (int i = 0; i < frames; i++)
            {
                long t0 = Stopwatch.GetTimestamp();
                est.Estimate(view, boxes, poses);
                s.Total.Add((Stopwatch.GetTimestamp() - t0) * 1000.0 / Stopwatch.Frequency);
            }
        }

        /// <summary>The bundled street clip (looped to the frame budget) and a generated walk through PoseTracker with the HOG detector.</summary>
        private void TrackerCost(Candidate c, BenchResults results)
        {
            var (frames, width, height) = ClipFrames.Load(ClipFrames.BundledClip);
            if (frames.Count == 0)
            {
                _log($"  tracker: {ClipFrames.BundledClip} missing or unreadable (run from the repository root); skipped");
                return;
            }
            var row = Bench.TrackerCost.Measure(c.Name, c.File, $"bundled street clip, {width}x{height}, looped", frames, width, height, _settings.Frames * _settings.Rounds, MaxThreads);
            _log($"  PoseTracker on the street clip: {row.TotalMs:F2} ms/frame (detect {row.DetectMs:F2}, estimate {row.EstimateMs:F2}, track {row.TrackMs:F3})");
            results.Tracker.Add(row);
            _walk ??= Bench.TrackerCost.SyntheticWalk(Path.Combine(_settings.OutDir, "tracker-clip"));
            var walk = Bench.TrackerCost.Measure(c.Name, c.File, _walk.Value.Name, _walk.Value.Frames, _walk.Value.Width, _walk.Value.Height, 0, MaxThreads);
            _log($"  PoseTracker on the synthetic walk: {walk.TotalMs:F2} ms/frame (detect {walk.DetectMs:F2}, estimate {walk.EstimateMs:F2}, track {walk.TrackMs:F3})");
            results.Tracker.Add(walk);
        }

        private (List<byte[]> Frames, int Width, int Height, string Name)? _walk;

        private static Stats Summarise(double[] ms)
        {
            var sorted = LatencyStats.Sorted(ms);
            return new Stats(LatencyStats.Mean(ms), LatencyStats.Percentile(sorted, 0.5), LatencyStats.Percentile(sorted, 0.95), ms.Length);
        }
    }
}
