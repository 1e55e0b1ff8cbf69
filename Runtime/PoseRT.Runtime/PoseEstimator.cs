using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Threading;
using Microsoft.ML.OnnxRuntime;
using PoseRT.Runtime.Geometry;
using PoseRT.Runtime.Inference;
using PoseRT.Runtime.Tracking;
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
    public sealed class PoseEstimator : IDisposable, IBoxPoseEstimator
    {
        private readonly LoadedModel _model;
        private readonly int _capacity;        // crops the buffers hold: MaxBoxesPerRun boxes, rounded up to whole fixed-batch runs
        private readonly int _boxesPerRun;
        private readonly bool _flip;
        private readonly PeakRefinement _refinement;
        private readonly float _threshold;
        private readonly float _padding;
        private readonly CropSampler _sampler;
        private readonly HeatmapCodec _codec;
        private readonly int _cropLength;
        private readonly int _heatmapLength;
        private readonly float[] _input;
        private readonly float[] _output;
        private readonly float[] _darkScratch;
        private readonly Keypoint[] _peaks;
        private readonly CropTransform[] _transforms;
        private readonly SessionRunner _runner;
        private int _busy;
        private Action? _insideCallForTests;
        private bool _warm;
        private bool _disposed;

        private PoseEstimator(LoadedModel model, PoseEstimatorOptions options)
        {
            _model = model;
            var info = model.Info;
            _flip = options.FlipTest;
            _refinement = options.Refinement;
            _threshold = options.KeypointScoreThreshold;
            _padding = options.BoxPadding;

            int threads = model.Provider == ExecutionProvider.Cpu ? options.CropWorkers : 1;
            ProviderReport = threads <= 1 ? model.ProviderReport
                : model.FixedBatch > 0 ? $"{model.ProviderReport}; {threads} threads in one pool (the model's batch is fixed)"
                : $"{model.ProviderReport}; {threads} threads, each running its share of the crops";

            _sampler = new CropSampler(info);
            _codec = HeatmapCodec.ForModel(info);
            _cropLength = _sampler.CropLength;
            _heatmapLength = info.KeypointCount * _codec.ChannelLength;
            int perBox = _flip ? 2 : 1;
            _boxesPerRun = options.MaxBoxesPerRun;
            long capacity = (long)_boxesPerRun * perBox;
            if (model.FixedBatch > 0) capacity = (capacity + model.FixedBatch - 1) / model.FixedBatch * model.FixedBatch;
            if (capacity * _cropLength > int.MaxValue || capacity * _heatmapLength > int.MaxValue)
                throw new ArgumentOutOfRangeException(nameof(options), capacity, "MaxBoxesPerRun is too large for one tensor buffer.");
            _capacity = (int)capacity;
            _input = new float[_capacity * _cropLength];
            _output = new float[_capacity * _heatmapLength];
            _darkScratch = new float[_codec.DarkScratchLength];
            _peaks = new Keypoint[info.KeypointCount];
            _transforms = new CropTransform[_boxesPerRun];
            _runner = new SessionRunner(model.Session, model.InputName, model.OutputName, _input, _output,
                new long[] { 0, 3, info.InputHeight, info.InputWidth }, new long[] { 0, info.KeypointCount, info.HeatmapHeight, info.HeatmapWidth },
                threads, model.FixedBatch, threads > 1 ? () => model.OpenPooled(threads) : null);

            // One run now, so a model whose real output shape differs from what its description promises
            // fails here, naming the problem, rather than on the first frame.
            try
            {
                Run(perBox);
            }
            catch (OnnxRuntimeException e)
            {
                _runner.Dispose();
                throw new InvalidPoseModelException(
                    $"{model.Source}: a test run failed. A PoseRT model maps [N, 3, {info.InputHeight}, {info.InputWidth}] to heatmaps " +
                    $"[N, {info.KeypointCount}, {info.HeatmapHeight}, {info.HeatmapWidth}]; ONNX Runtime says: {e.Message}", e);
            }
        }

        /// <summary>The model's description: input size, normalisation, keypoints, flip pairs, skeleton.</summary>
        public PoseModelInfo ModelInfo => _model.Info;

        /// <summary>The execution provider in use.</summary>
        public ExecutionProvider Provider => _model.Provider;

        /// <summary>What was chosen and why, e.g. <c>CPU (auto; DirectML skipped (not Windows); CUDA not in this native build)</c>.</summary>
        public string ProviderReport { get; }

        /// <summary>Per-stage wall time of the last completed estimate call.</summary>
        public StageTimings LastTimings { get; private set; }

        /// <summary>Loads a model file. See <see cref="Load(byte[], PoseEstimatorOptions?, string)"/> for the errors.</summary>
        public static PoseEstimator Load(string path, PoseEstimatorOptions? options = null)
        {
            if (path == null) throw new ArgumentNullException(nameof(path));
            if (Directory.Exists(path)) throw new FileNotFoundException($"Pose model '{path}' is a folder, not a file.", path);
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

        private static PoseEstimator Create(string source, PoseEstimatorOptions? options, Func<SessionOptions, InferenceSession> open)
        {
            options ??= new PoseEstimatorOptions();
            options.Validate();
            var model = LoadedModel.Open(source, options, open);
            try
            {
                return new PoseEstimator(model, options);
            }
            catch
            {
                model.Dispose();
                throw;
            }
        }

        /// <summary>Estimates one pose per box with box score 1.</summary>
        public void Estimate(in ImageView image, ReadOnlySpan<BoundingBox> boxes, Span<Pose> results) =>
            Estimate(image, boxes, ReadOnlySpan<float>.Empty, results, ReadOnlySpan<float>.Empty);

        /// <summary>Estimates one pose per box.</summary>
        /// <inheritdoc cref="Estimate(in ImageView, ReadOnlySpan{BoundingBox}, ReadOnlySpan{float}, Span{Pose}, ReadOnlySpan{float})"/>
        public void Estimate(in ImageView image, ReadOnlySpan<BoundingBox> boxes, ReadOnlySpan<float> boxScores, Span<Pose> results) =>
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
        /// <exception cref="ArgumentException">Buffer lengths do not match, or a box is empty, not finite or beyond 2^24 pixels (the message names its index).</exception>
        /// <exception cref="InvalidOperationException">The estimator is already running on another thread.</exception>
        /// <exception cref="ObjectDisposedException">The estimator was disposed.</exception>
        public void Estimate(in ImageView image, ReadOnlySpan<BoundingBox> boxes, ReadOnlySpan<float> boxScores, Span<Pose> results,
            ReadOnlySpan<float> rotationsDegrees)
        {
            if (Interlocked.CompareExchange(ref _busy, 1, 0) != 0)
                throw new InvalidOperationException("PoseEstimator.Estimate is already running on another thread; an estimator runs one call at a time. Create one estimator per thread.");
            try
            {
                _insideCallForTests?.Invoke();
                if (_disposed) throw new ObjectDisposedException(nameof(PoseEstimator));
                image.ThrowIfEmpty(nameof(image));
                CheckArguments(boxes, boxScores, results, rotationsDegrees);
                EstimateCore(image, boxes, boxScores, results, rotationsDegrees);
            }
            finally
            {
                Volatile.Write(ref _busy, 0);
            }
        }

        /// <summary>
        /// Test hook: runs on the calling thread inside <see cref="Estimate(in ImageView, ReadOnlySpan{BoundingBox}, ReadOnlySpan{float}, Span{Pose}, ReadOnlySpan{float})"/>'s
        /// guarded region, so a test can hold one call open and overlap a second one deterministically (no sleeps, no luck).
        /// </summary>
        internal Action? InsideCallForTests
        {
            set => _insideCallForTests = value;
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
                // Such a box yields a crop of nothing but padding and a confident-looking pose of noise.
                const float max = BoundingBox.MaxCoordinate;
                if (Math.Abs(b.X) > max || Math.Abs(b.Y) > max || b.Width > max || b.Height > max)
                    throw new ArgumentException($"Box {i} {b} lies beyond {max} pixels, where a float no longer holds whole pixels; check the detector's units.", nameof(boxes));
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
            for (int start = 0; start < n; start += _boxesPerRun)
            {
                int count = Math.Min(_boxesPerRun, n - start);
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
                Run(count * perBox);
                long t2 = Stopwatch.GetTimestamp();
                for (int i = 0; i < count; i++)
                {
                    int b = start + i;
                    int slot = i * perBox;
                    var heatmaps = _output.AsSpan(slot * _heatmapLength, _heatmapLength);
                    var mirrored = _flip ? _output.AsSpan((slot + 1) * _heatmapLength, _heatmapLength) : Span<float>.Empty;
                    // NaN never wins an argmax: broken weights would otherwise decode to score-0 poses without a word.
                    if (!PoseDecoding.AllFinite(heatmaps) || !PoseDecoding.AllFinite(mirrored))
                        throw new InvalidPoseModelException($"{_model.Source}: the model's heatmaps hold NaN or infinite values (box {boxes[b]}); its weights or its export are broken.");
                    PoseDecoding.Decode(_codec, heatmaps, mirrored, info.Keypoints.FlipIndex, _refinement, _darkScratch, _peaks,
                        _transforms[i], boxes[b], boxScores.IsEmpty ? 1f : boxScores[b], _threshold, ref results[b]);
                }
                long t3 = Stopwatch.GetTimestamp();
                pre += t1 - t0;
                inf += t2 - t1;
                dec += t3 - t2;
            }
            LastTimings = new StageTimings(StopwatchTicks.ToTimeSpan(pre), StopwatchTicks.ToTimeSpan(inf), StopwatchTicks.ToTimeSpan(dec));
        }

        private void Run(int batch)
        {
            try
            {
                _runner.Run(batch);
            }
            catch (OnnxRuntimeException e) when (_warm)
            {
                throw new InvalidOperationException($"{_model.Source}: ONNX Runtime failed on a batch of {batch} crops: {e.Message}", e);
            }
            _warm = true;
        }

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
                _model.Dispose();
            }
            finally
            {
                Volatile.Write(ref _busy, 0);
            }
        }
    }
}
