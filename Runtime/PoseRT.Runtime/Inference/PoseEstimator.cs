using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Threading;
using Microsoft.ML.OnnxRuntime;
using PoseRT.Runtime.Model;

namespace PoseRT.Runtime
{
    /// <summary>
    /// Top-down pose estimation with a heatmap ONNX model: person boxes in, <see cref="Pose"/>s out.
    /// Per call: crop each box (centre/scale, aspect of the input, padding 1.25, bilinear), normalise into
    /// a reused input tensor together with the mirrored crops, one batched ONNX Runtime run, flip-merge,
    /// peak decoding and back-projection to image pixels, pose scores. After the first call with a given
    /// number of boxes, a call allocates no managed memory.
    /// </summary>
    /// <remarks>
    /// <para>Thread-safety: an instance holds one set of input/output buffers, so it runs one
    /// <see cref="Estimate(in ImageView, ReadOnlySpan{BoundingBox}, ReadOnlySpan{float}, Span{Pose})"/> at a
    /// time. A second call that overlaps a running one on another thread throws
    /// <see cref="InvalidOperationException"/> at once (it never waits and never mixes buffers). Use one
    /// estimator per thread for parallel work; their sessions are independent. Properties are immutable
    /// after construction and safe to read from any thread.</para>
    /// <para>With the CPU provider and <see cref="CpuParallelism.Crops"/> (the default), an instance keeps
    /// <see cref="PoseEstimatorOptions.CpuThreads"/> - 1 background threads that run their share of each call's crops
    /// while the calling thread runs its own; they idle on a semaphore between calls.</para>
    /// <para>Dispose releases the native session, buffers and threads; it must not overlap a running call.</para>
    /// </remarks>
    public sealed class PoseEstimator : IDisposable
    {
        private readonly string _source;
        private readonly InferenceSession _session;
        private readonly SessionOptions _sessionOptions;
        private readonly string _inputName;
        private readonly string _outputName;
        private readonly int _fixedBatch;      // > 0 when the model's batch dimension is fixed
        private readonly int _capacity;        // crops per run
        private readonly bool _flip;
        private readonly PeakRefinement _refinement;
        private readonly float _threshold;
        private readonly float _padding;
        private readonly CropSampler _sampler;
        private readonly HeatmapCodec _codec;
        private readonly int[] _flipIndex;
        private readonly int _cropLength;
        private readonly int _heatmapLength;
        private readonly float[] _input;
        private readonly float[] _output;
        private readonly float[] _sideInput;     // fixed batch 1 with flip: the mirrored crop waits here
        private readonly float[] _sideHeatmaps;  // ... and the unmirrored heatmaps here
        private readonly float[] _darkScratch;
        private readonly Keypoint[] _peaks;
        private readonly CropTransform[] _transforms;
        private readonly SessionRunner _runner;
        private int _busy;
        private bool _disposed;

        private PoseEstimator(string source, InferenceSession session, SessionOptions sessionOptions, PoseModelInfo info,
            PoseEstimatorOptions options, ExecutionProvider provider, string providerReport, Func<SessionOptions, InferenceSession> open)
        {
            _source = source;
            _session = session;
            _sessionOptions = sessionOptions;
            ModelInfo = info;
            Provider = provider;
            _flip = options.FlipTest;
            _refinement = options.Refinement;
            _threshold = options.KeypointScoreThreshold;
            _padding = options.BoxPadding;

            (_inputName, _fixedBatch) = CheckInput(session, info, source);
            int threads = provider == ExecutionProvider.Cpu ? options.CropWorkers : 1;
            ProviderReport = threads <= 1 ? providerReport
                : _fixedBatch > 0 ? $"{providerReport}; {threads} threads in one pool (the model's batch is fixed)"
                : $"{providerReport}; {threads} threads, each running its share of the crops";
            _outputName = CheckOutput(session, info, source, _fixedBatch);

            _sampler = new CropSampler(info);
            _codec = HeatmapCodec.ForModel(info);
            _flipIndex = new int[info.KeypointCount];
            for (int i = 0; i < _flipIndex.Length; i++) _flipIndex[i] = i;
            foreach (var (l, r) in info.FlipPairs)
            {
                _flipIndex[l] = r;
                _flipIndex[r] = l;
            }
            _cropLength = _sampler.CropLength;
            _heatmapLength = info.KeypointCount * _codec.ChannelLength;
            int perBox = _flip ? 2 : 1;
            _capacity = _fixedBatch > 0 ? _fixedBatch : options.MaxBoxesPerRun * perBox;
            if ((long)_capacity * _cropLength > int.MaxValue || (long)_capacity * _heatmapLength > int.MaxValue)
                throw new ArgumentOutOfRangeException(nameof(options), _capacity, "MaxBoxesPerRun is too large for one tensor buffer.");
            _input = new float[_capacity * _cropLength];
            _output = new float[_capacity * _heatmapLength];
            bool side = _capacity < perBox;
            _sideInput = side ? new float[_cropLength] : Array.Empty<float>();
            _sideHeatmaps = side ? new float[_heatmapLength] : Array.Empty<float>();
            _darkScratch = new float[_codec.DarkScratchLength];
            _peaks = new Keypoint[info.KeypointCount];
            _transforms = new CropTransform[Math.Max(1, _capacity / perBox)];
            _runner = new SessionRunner(session, _inputName, _outputName, _input, _output,
                new long[] { 0, 3, info.InputHeight, info.InputWidth }, new long[] { 0, info.KeypointCount, info.HeatmapHeight, info.HeatmapWidth },
                threads, sliceable: _fixedBatch == 0, openWide: threads > 1 ? () => OpenWide(open, threads) : null);

            // One run now, so a model whose real output shape differs from what its description promises
            // fails here, naming the problem, rather than on the first frame.
            try
            {
                Run(_fixedBatch > 0 ? _fixedBatch : Math.Min(perBox, _capacity));
            }
            catch (OnnxRuntimeException e)
            {
                _runner.Dispose();
                throw new InvalidPoseModelException(
                    $"{source}: a test run failed. A PoseRT model maps [N, 3, {info.InputHeight}, {info.InputWidth}] to heatmaps " +
                    $"[N, {info.KeypointCount}, {info.HeatmapHeight}, {info.HeatmapWidth}]; ONNX Runtime says: {e.Message}", e);
            }
        }

        /// <summary>The model's description: input size, normalisation, keypoints, flip pairs, skeleton.</summary>
        public PoseModelInfo ModelInfo { get; }

        /// <summary>The execution provider in use.</summary>
        public ExecutionProvider Provider { get; }

        /// <summary>What was chosen and why, e.g. <c>CPU (auto; DirectML skipped (not Windows); CUDA not in this native build)</c>.</summary>
        public string ProviderReport { get; }

        /// <summary>Per-stage wall time of the last completed estimate call.</summary>
        public StageTimings LastTimings { get; private set; }

        /// <summary>Loads a model file. See <see cref="Load(byte[], PoseEstimatorOptions?, string)"/> for the errors.</summary>
        public static PoseEstimator Load(string path, PoseEstimatorOptions? options = null)
        {
            if (path == null) throw new ArgumentNullException(nameof(path));
            if (!File.Exists(path)) throw new FileNotFoundException($"Pose model '{path}' does not exist.", path);
            return Create(path, options, so => new InferenceSession(path, so));
        }

        /// <summary>Loads a model from a stream (read to its end). See <see cref="Load(byte[], PoseEstimatorOptions?, string)"/> for the errors.</summary>
        public static PoseEstimator Load(Stream stream, PoseEstimatorOptions? options = null, string sourceName = "model stream")
        {
            if (stream == null) throw new ArgumentNullException(nameof(stream));
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            return Load(copy.ToArray(), options, sourceName);
        }

        /// <summary>
        /// Loads a model from its bytes.
        /// </summary>
        /// <param name="model">The ONNX file's bytes.</param>
        /// <param name="options">Settings; defaults when null.</param>
        /// <param name="sourceName">Name used in error messages.</param>
        /// <exception cref="InvalidPoseModelException">Not an ONNX model, no description (metadata or
        /// <see cref="PoseEstimatorOptions.FallbackModelInfo"/>), or input/output shapes that do not fit a heatmap pose model.</exception>
        /// <exception cref="NotSupportedException">The requested execution provider is not in the loaded native build or cannot start; the message names the package to use.</exception>
        /// <exception cref="OnnxRuntimeNativeException">The ONNX Runtime native library is missing or older than the managed ONNX Runtime needs; the message names the package and minimum version.</exception>
        public static PoseEstimator Load(byte[] model, PoseEstimatorOptions? options = null, string sourceName = "model bytes")
        {
            if (model == null) throw new ArgumentNullException(nameof(model));
            return Create(sourceName, options, so => new InferenceSession(model, so));
        }

        /// <summary>The same model with an intra-op pool of <paramref name="threads"/>, for runs of fewer crops than threads.</summary>
        private static (InferenceSession, SessionOptions) OpenWide(Func<SessionOptions, InferenceSession> open, int threads)
        {
            var so = ExecutionProviders.NewSessionOptions();
            so.IntraOpNumThreads = threads;
            try
            {
                return (open(so), so);
            }
            catch
            {
                so.Dispose();
                throw;
            }
        }

        private static PoseEstimator Create(string source, PoseEstimatorOptions? options, Func<SessionOptions, InferenceSession> open)
        {
            options ??= new PoseEstimatorOptions();
            options.Validate();
            var so = ExecutionProviders.Create(options, OnnxRuntimeNative.GetAvailableProviders(), ExecutionProviders.IsWindows,
                out var provider, out var report);
            InferenceSession session;
            try
            {
                session = open(so);
            }
            catch (OnnxRuntimeException e)
            {
                so.Dispose();
                throw new InvalidPoseModelException($"{source}: ONNX Runtime cannot load it as a model: {e.Message}", e);
            }
            catch
            {
                so.Dispose();
                throw;
            }

            try
            {
                var info = DescribeModel(session, options, source);
                return new PoseEstimator(source, session, so, info, options, provider, report, open);
            }
            catch
            {
                session.Dispose();
                so.Dispose();
                throw;
            }
        }

        private static PoseModelInfo DescribeModel(InferenceSession session, PoseEstimatorOptions options, string source)
        {
            var metadata = session.ModelMetadata.CustomMetadataMap;
            PoseModelInfo info;
            if (PoseModelInfo.HasPoseRTMetadata(metadata))
            {
                try
                {
                    info = PoseModelInfo.FromMetadata(metadata, source);
                }
                catch (FormatException e)
                {
                    throw new InvalidPoseModelException(e.Message, e);
                }
            }
            else if (options.FallbackModelInfo != null)
            {
                info = options.FallbackModelInfo;
                try
                {
                    info.Validate();
                }
                catch (ArgumentException e)
                {
                    throw new InvalidPoseModelException($"{source}: the supplied FallbackModelInfo is inconsistent: {e.Message}", e);
                }
            }
            else
            {
                throw new InvalidPoseModelException(
                    $"{source}: the model has no PoseRT metadata (posert.* keys) and no PoseEstimatorOptions.FallbackModelInfo was given; " +
                    "supply a PoseModelInfo describing its input size, normalisation and keypoints.");
            }
            if (info.KeypointCount > Pose.MaxKeypoints)
                throw new InvalidPoseModelException($"{source}: the model has {info.KeypointCount} keypoints; a Pose holds at most {Pose.MaxKeypoints}.");
            return info;
        }

        private static (string Name, int FixedBatch) CheckInput(InferenceSession session, PoseModelInfo info, string source)
        {
            var inputs = session.InputMetadata;
            if (inputs.Count != 1)
                throw new InvalidPoseModelException($"{source}: a pose model has one input (an image batch); this one has {inputs.Count}.");
            foreach (var pair in inputs)
            {
                var meta = pair.Value;
                string expected = $"[N, 3, {info.InputHeight}, {info.InputWidth}] float";
                if (!meta.IsTensor || meta.ElementType != typeof(float))
                    throw new InvalidPoseModelException($"{source}: input '{pair.Key}' must be a float tensor {expected}; it is {Describe(meta)}.");
                var d = meta.Dimensions;
                if (d.Length != 4 || !Fits(d[1], 3) || !Fits(d[2], info.InputHeight) || !Fits(d[3], info.InputWidth))
                    throw new InvalidPoseModelException($"{source}: input '{pair.Key}' has shape {Shape(d)}; the model description needs {expected}.");
                return (pair.Key, d[0] > 0 ? d[0] : 0);
            }
            throw new InvalidPoseModelException($"{source}: the model has no input.");
        }

        private static string CheckOutput(InferenceSession session, PoseModelInfo info, string source, int fixedBatch)
        {
            string expected = $"[N, {info.KeypointCount}, {info.HeatmapHeight}, {info.HeatmapWidth}] float heatmaps";
            foreach (var pair in session.OutputMetadata)
            {
                // The first output is the heatmaps, by the exporter's contract; others (if any) are ignored.
                var meta = pair.Value;
                if (!meta.IsTensor || meta.ElementType != typeof(float))
                    throw new InvalidPoseModelException($"{source}: output '{pair.Key}' must be {expected}; it is {Describe(meta)}.");
                var d = meta.Dimensions;
                if (d.Length != 4 || !Fits(d[1], info.KeypointCount) || !Fits(d[2], info.HeatmapHeight) || !Fits(d[3], info.HeatmapWidth)
                    || (fixedBatch > 0 && d[0] > 0 && d[0] != fixedBatch))
                    throw new InvalidPoseModelException($"{source}: output '{pair.Key}' has shape {Shape(d)}; the model description needs {expected}.");
                return pair.Key;
            }
            throw new InvalidPoseModelException($"{source}: the model has no output.");
        }

        private static bool Fits(int dim, int expected) => dim <= 0 || dim == expected;

        private static string Shape(int[] d) => "[" + string.Join(", ", Array.ConvertAll(d, x => x <= 0 ? "?" : x.ToString(System.Globalization.CultureInfo.InvariantCulture))) + "]";

        private static string Describe(NodeMetadata meta) =>
            meta.IsTensor ? $"a {meta.ElementType.Name} tensor {Shape(meta.Dimensions)}" : $"a {meta.OnnxValueType} value";

        /// <summary>Estimates one pose per box with box score 1.</summary>
        public int Estimate(in ImageView image, ReadOnlySpan<BoundingBox> boxes, Span<Pose> results) =>
            Estimate(image, boxes, ReadOnlySpan<float>.Empty, results, ReadOnlySpan<float>.Empty);

        /// <summary>Estimates one pose per box.</summary>
        /// <inheritdoc cref="Estimate(in ImageView, ReadOnlySpan{BoundingBox}, ReadOnlySpan{float}, Span{Pose}, ReadOnlySpan{float})"/>
        public int Estimate(in ImageView image, ReadOnlySpan<BoundingBox> boxes, ReadOnlySpan<float> boxScores, Span<Pose> results) =>
            Estimate(image, boxes, boxScores, results, ReadOnlySpan<float>.Empty);

        /// <summary>
        /// Estimates one pose per person box: <c>results[i]</c> is the pose in <c>boxes[i]</c>, with keypoints in
        /// image pixels (x right, y down from the picture's top-left), keypoint scores (heatmap peaks; a keypoint
        /// with score 0 had no positive peak and its position means nothing), <see cref="Pose.BoxScore"/> and
        /// <see cref="Pose.Score"/> = box score x mean of the keypoint scores above the threshold (0 when none is).
        /// </summary>
        /// <param name="image">The frame.</param>
        /// <param name="boxes">Person boxes (x, y, w, h) in image pixels; they may reach outside the image (black is sampled there).</param>
        /// <param name="boxScores">Detector scores, one per box; empty means 1 for every box.</param>
        /// <param name="results">Receives the poses; at least <c>boxes.Length</c> long.</param>
        /// <param name="rotationsDegrees">Optional crop rotation per box (degrees, HRNet sign); empty means none.</param>
        /// <returns>The number of poses written (<c>boxes.Length</c>).</returns>
        /// <exception cref="ArgumentException">Buffer lengths do not match, or a box is empty or not finite (the message names its index).</exception>
        /// <exception cref="InvalidOperationException">The estimator is already running on another thread.</exception>
        /// <exception cref="ObjectDisposedException">The estimator was disposed.</exception>
        public int Estimate(in ImageView image, ReadOnlySpan<BoundingBox> boxes, ReadOnlySpan<float> boxScores, Span<Pose> results,
            ReadOnlySpan<float> rotationsDegrees)
        {
            if (Interlocked.CompareExchange(ref _busy, 1, 0) != 0)
                throw new InvalidOperationException("PoseEstimator.Estimate is already running on another thread; an estimator runs one call at a time. Create one estimator per thread.");
            try
            {
                if (_disposed) throw new ObjectDisposedException(nameof(PoseEstimator));
                image.ThrowIfEmpty(nameof(image));
                CheckArguments(boxes, boxScores, results, rotationsDegrees);
                EstimateCore(image, boxes, boxScores, results, rotationsDegrees);
                return boxes.Length;
            }
            finally
            {
                Volatile.Write(ref _busy, 0);
            }
        }

        private static void CheckArguments(ReadOnlySpan<BoundingBox> boxes, ReadOnlySpan<float> boxScores, Span<Pose> results, ReadOnlySpan<float> rotations)
        {
            if (results.Length < boxes.Length)
                throw new ArgumentException($"The results buffer holds {results.Length} poses; {boxes.Length} boxes were given.", nameof(results));
            if (!boxScores.IsEmpty && boxScores.Length != boxes.Length)
                throw new ArgumentException($"{boxScores.Length} box scores for {boxes.Length} boxes; give one per box or none.", nameof(boxScores));
            if (!rotations.IsEmpty && rotations.Length != boxes.Length)
                throw new ArgumentException($"{rotations.Length} rotations for {boxes.Length} boxes; give one per box or none.", "rotationsDegrees");
            for (int i = 0; i < boxes.Length; i++)
            {
                var b = boxes[i];
                if (!(b.Width >= 0 && b.Height >= 0 && (b.Width > 0 || b.Height > 0)) || !Finite(b.X) || !Finite(b.Y) || !Finite(b.Width) || !Finite(b.Height))
                    throw new ArgumentException($"Box {i} {b} needs finite coordinates and a non-negative size, not both zero.", nameof(boxes));
                if (!rotations.IsEmpty && !Finite(rotations[i]))
                    throw new ArgumentException($"Rotation {i} ({rotations[i]}) is not finite.", "rotationsDegrees");
            }
        }

        private static bool Finite(float v) => v >= float.MinValue && v <= float.MaxValue;

        private void EstimateCore(in ImageView image, ReadOnlySpan<BoundingBox> boxes, ReadOnlySpan<float> boxScores, Span<Pose> results, ReadOnlySpan<float> rotations)
        {
            var info = ModelInfo;
            long pre = 0, inf = 0, dec = 0;
            int perBox = _flip ? 2 : 1;
            int n = boxes.Length;
            if (_capacity >= perBox)
            {
                int boxesPerRun = _capacity / perBox;
                for (int start = 0; start < n; start += boxesPerRun)
                {
                    int count = Math.Min(boxesPerRun, n - start);
                    long t0 = Stopwatch.GetTimestamp();
                    for (int i = 0; i < count; i++)
                    {
                        int b = start + i;
                        _transforms[i] = CropTransform.FromBox(boxes[b], info.InputWidth, info.InputHeight,
                            rotations.IsEmpty ? 0f : rotations[b], _padding);
                        int slot = i * perBox;
                        _sampler.Sample(image, _transforms[i], _input.AsSpan(slot * _cropLength, _cropLength),
                            _flip ? _input.AsSpan((slot + 1) * _cropLength, _cropLength) : Span<float>.Empty);
                    }
                    long t1 = Stopwatch.GetTimestamp();
                    Run(_fixedBatch > 0 ? _fixedBatch : count * perBox);
                    long t2 = Stopwatch.GetTimestamp();
                    for (int i = 0; i < count; i++)
                    {
                        int b = start + i;
                        int slot = i * perBox;
                        DecodeInto(_output.AsSpan(slot * _heatmapLength, _heatmapLength),
                            _flip ? _output.AsSpan((slot + 1) * _heatmapLength, _heatmapLength) : Span<float>.Empty,
                            _transforms[i], boxes[b], boxScores.IsEmpty ? 1f : boxScores[b], ref results[b]);
                    }
                    long t3 = Stopwatch.GetTimestamp();
                    pre += t1 - t0;
                    inf += t2 - t1;
                    dec += t3 - t2;
                }
            }
            else
            {
                // The model takes exactly one crop per run: the unmirrored and mirrored crops go in turn.
                for (int b = 0; b < n; b++)
                {
                    long t0 = Stopwatch.GetTimestamp();
                    var t = CropTransform.FromBox(boxes[b], info.InputWidth, info.InputHeight, rotations.IsEmpty ? 0f : rotations[b], _padding);
                    _sampler.Sample(image, t, _input.AsSpan(0, _cropLength), _sideInput);
                    long t1 = Stopwatch.GetTimestamp();
                    Run(1);
                    _output.AsSpan(0, _heatmapLength).CopyTo(_sideHeatmaps);
                    _sideInput.AsSpan().CopyTo(_input.AsSpan(0, _cropLength));
                    Run(1);
                    long t2 = Stopwatch.GetTimestamp();
                    DecodeInto(_sideHeatmaps, _output.AsSpan(0, _heatmapLength), t, boxes[b], boxScores.IsEmpty ? 1f : boxScores[b], ref results[b]);
                    long t3 = Stopwatch.GetTimestamp();
                    pre += t1 - t0;
                    inf += t2 - t1;
                    dec += t3 - t2;
                }
            }
            LastTimings = new StageTimings(StopwatchTicks.ToTimeSpan(pre), StopwatchTicks.ToTimeSpan(inf), StopwatchTicks.ToTimeSpan(dec));
        }


        private void DecodeInto(Span<float> heatmaps, Span<float> flippedHeatmaps, in CropTransform transform, in BoundingBox box, float boxScore, ref Pose pose)
        {
            // NaN never wins an argmax: broken weights would otherwise decode to score-0 poses without a word.
            if (!AllFinite(heatmaps) || !AllFinite(flippedHeatmaps))
                throw new InvalidPoseModelException($"{_source}: the model's heatmaps hold NaN or infinite values (box {box}); its weights or its export are broken.");
            if (!flippedHeatmaps.IsEmpty) _codec.FlipMerge(heatmaps, flippedHeatmaps, _flipIndex, heatmaps);
            var peaks = _peaks.AsSpan();
            _codec.Decode(heatmaps, peaks, _refinement, _darkScratch);
            pose = default;
            pose.Box = box;
            pose.BoxScore = boxScore;
            pose.KeypointCount = peaks.Length;
            float sum = 0;
            int valid = 0;
            float sx = _codec.StrideX, sy = _codec.StrideY;
            for (int k = 0; k < peaks.Length; k++)
            {
                var p = peaks[k];
                transform.HeatmapToImage(p.X, p.Y, sx, sy, out float x, out float y);
                pose[k] = new Keypoint(x, y, p.Score);
                if (p.Score > _threshold)
                {
                    sum += p.Score;
                    valid++;
                }
            }
            pose.Score = valid > 0 ? sum / valid * boxScore : 0f;
        }

        /// <summary>True when no value is NaN or infinite (x - x is 0 for finite x, NaN otherwise; a NaN survives the sum).</summary>
        private static bool AllFinite(ReadOnlySpan<float> values)
        {
            float sum = 0;
            int i = 0;
            if (System.Numerics.Vector.IsHardwareAccelerated && values.Length >= System.Numerics.Vector<float>.Count)
            {
                var vectors = System.Runtime.InteropServices.MemoryMarshal.Cast<float, System.Numerics.Vector<float>>(values);
                var acc = System.Numerics.Vector<float>.Zero;
                for (int v = 0; v < vectors.Length; v++) acc += vectors[v] - vectors[v];
                sum = System.Numerics.Vector.Dot(acc, System.Numerics.Vector<float>.One);
                i = vectors.Length * System.Numerics.Vector<float>.Count;
            }
            for (; i < values.Length; i++) sum += values[i] - values[i];
            return sum == 0;
        }

        private void Run(int batch)
        {
            try
            {
                _runner.Run(batch);
            }
            catch (OnnxRuntimeException e) when (_warm)
            {
                throw new InvalidOperationException($"{_source}: ONNX Runtime failed on a batch of {batch} crops: {e.Message}", e);
            }
            _warm = true;
        }

        private bool _warm;

        /// <summary>Releases the native session, bindings and pinned buffers.</summary>
        /// <exception cref="InvalidOperationException">An estimate is running on another thread.</exception>
        public void Dispose()
        {
            if (Interlocked.CompareExchange(ref _busy, 1, 0) != 0)
                throw new InvalidOperationException("PoseEstimator.Dispose was called while Estimate is running on another thread.");
            try
            {
                if (_disposed) return;
                _disposed = true;
                _runner.Dispose();
                _session.Dispose();
                _sessionOptions.Dispose();
            }
            finally
            {
                Volatile.Write(ref _busy, 0);
            }
        }
    }
}
