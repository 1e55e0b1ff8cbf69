using System;
using System.Collections.Generic;
using System.Threading;
using Microsoft.ML.OnnxRuntime;

namespace PoseRT.Runtime.Inference
{
    /// <summary>
    /// Runs a pose session on the first <c>batch</c> crops of a pinned input buffer into a pinned output buffer.
    /// A model with a fixed batch size B runs the crops B at a time (the buffers hold a whole number of such runs).
    /// With several workers the batch is cut into contiguous slices, one per worker, run at the same time on the
    /// same session (ONNX Runtime allows concurrent runs); each slice has its own IoBinding over its part of the
    /// buffers, so nothing is copied. The caller's thread is worker 0; the others are background threads that
    /// wait on a semaphore, so a steady-state run allocates nothing.
    /// </summary>
    /// <remarks>
    /// Why: with a single-threaded session per crop, two cores run the crop and its mirror side by side, every
    /// operator on one core. That beats ONNX Runtime's intra-op pool, which splits each of the DY-ReLU model's
    /// ~1000 small operators across the cores and synchronises after each (docs/performance.md has the numbers).
    /// </remarks>
    internal sealed class SessionRunner : IDisposable
    {
        private readonly InferenceSession _session;
        private readonly string _inputName;
        private readonly string _outputName;
        private readonly float[] _input;
        private readonly float[] _output;
        private readonly long[] _inputShape;   // [_, 3, H, W]
        private readonly long[] _outputShape;  // [_, K, h, w]
        private readonly int _cropLength;
        private readonly int _heatmapLength;
        private readonly int _workers;       // threads that run slices (1 when the model cannot be sliced)
        private readonly int _threadCount;   // threads the call may use in all
        private readonly int _fixedBatch;   // > 0: the model's batch dimension is fixed
        private readonly RunOptions _runOptions = new RunOptions();
        private readonly Dictionary<long, OrtIoBinding> _bindings = new Dictionary<long, OrtIoBinding>();
        private readonly Dictionary<long, OrtIoBinding> _wideBindings = new Dictionary<long, OrtIoBinding>();
        private readonly Func<(InferenceSession Session, SessionOptions Options)>? _openWide;
        private InferenceSession? _wide;
        private SessionOptions? _wideOptions;
        private readonly List<IDisposable> _owned = new List<IDisposable>();
        private readonly Thread[] _threads;
        private readonly SemaphoreSlim[] _start;
        private readonly SemaphoreSlim _finished = new SemaphoreSlim(0);
        private readonly OrtIoBinding?[] _jobs;
        private readonly Exception?[] _errors;
        private volatile bool _stopping;

        /// <summary>Binds nothing yet: bindings are made per slice on first use.</summary>
        /// <param name="session">The model's session (single-threaded when <paramref name="workers"/> &gt; 1); owned by the caller.</param>
        /// <param name="inputName">The model's input.</param>
        /// <param name="outputName">The model's heatmap output.</param>
        /// <param name="input">Pinned crops, <c>inputShape[1..]</c> floats each.</param>
        /// <param name="output">Pinned heatmaps, <c>outputShape[1..]</c> floats each.</param>
        /// <param name="inputShape">[_, 3, H, W].</param>
        /// <param name="outputShape">[_, K, h, w].</param>
        /// <param name="workers">Threads that run slices of a batch at the same time.</param>
        /// <param name="fixedBatch">The model's batch size when its batch dimension is fixed (0 when not): runs go in chunks of it, never sliced, on the second session when there is one.</param>
        /// <param name="openWide">
        /// With several workers: opens a second session of the same model whose intra-op pool has <paramref name="workers"/>
        /// threads, for runs with fewer crops than workers (a single crop would otherwise use one core) and for every run
        /// of a model that cannot be sliced. Called once, on the first such run.
        /// </param>
        public SessionRunner(InferenceSession session, string inputName, string outputName, float[] input, float[] output,
            long[] inputShape, long[] outputShape, int workers, int fixedBatch = 0, Func<(InferenceSession Session, SessionOptions Options)>? openWide = null)
        {
            _openWide = openWide;
            _threadCount = Math.Max(1, workers);
            _fixedBatch = fixedBatch;
            // A model with a fixed batch cannot run slices: all its runs go to the pooled session instead.
            workers = fixedBatch == 0 ? workers : 1;
            _session = session;
            _inputName = inputName;
            _outputName = outputName;
            _input = input;
            _output = output;
            _inputShape = inputShape;
            _outputShape = outputShape;
            _cropLength = (int)(inputShape[1] * inputShape[2] * inputShape[3]);
            _heatmapLength = (int)(outputShape[1] * outputShape[2] * outputShape[3]);
            _workers = Math.Max(1, workers);
            _jobs = new OrtIoBinding?[_workers];
            _errors = new Exception?[_workers];
            _threads = new Thread[_workers - 1];
            _start = new SemaphoreSlim[_workers - 1];
            for (int i = 0; i < _threads.Length; i++)
            {
                int worker = i + 1;
                _start[i] = new SemaphoreSlim(0);
                _threads[i] = new Thread(() => WorkerLoop(worker)) { IsBackground = true, Name = "PoseRT inference " + worker };
                _threads[i].Start();
            }
        }

        /// <summary>Threads that run slices of one batch at the same time (1: the caller's thread only).</summary>
        public int Workers => _workers;

        /// <summary>
        /// Runs the session on crops [0, batch) of the input buffer; heatmaps land in the same slots of the output.
        /// With a fixed model batch B, crops [batch, B * ceil(batch / B)) run too and their heatmaps mean nothing.
        /// </summary>
        /// <exception cref="OnnxRuntimeException">ONNX Runtime failed on some slice (the first failure is rethrown).</exception>
        public void Run(int batch)
        {
            if (_fixedBatch > 0)
            {
                if (_wide == null && _openWide != null) (_wide, _wideOptions) = _openWide();
                var session = _wide ?? _session;
                var bindings = _wide != null ? _wideBindings : _bindings;
                for (int start = 0; start < batch; start += _fixedBatch)
                    session.RunWithBinding(_runOptions, Binding(session, bindings, start, _fixedBatch));
                return;
            }
            if (batch < _threadCount && _openWide != null)
            {
                if (_wide == null) (_wide, _wideOptions) = _openWide();
                _wide.RunWithBinding(_runOptions, Binding(_wide, _wideBindings, 0, batch));
                return;
            }
            int slices = Math.Min(_workers, batch);
            for (int w = 0; w < slices; w++)
            {
                int start = (int)((long)batch * w / slices);
                int end = (int)((long)batch * (w + 1) / slices);
                _jobs[w] = Binding(_session, _bindings, start, end - start);
                _errors[w] = null;
            }
            for (int w = 1; w < slices; w++) _start[w - 1].Release();
            try
            {
                _session.RunWithBinding(_runOptions, _jobs[0]!);
            }
            catch (Exception e)
            {
                _errors[0] = e;
            }
            for (int w = 1; w < slices; w++) _finished.Wait();
            for (int w = 0; w < slices; w++)
            {
                var e = _errors[w];
                if (e != null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e).Throw();
            }
        }

        private void WorkerLoop(int worker)
        {
            var start = _start[worker - 1];
            while (true)
            {
                start.Wait();
                if (_stopping) return;
                try
                {
                    _session.RunWithBinding(_runOptions, _jobs[worker]!);
                }
                catch (Exception e)
                {
                    _errors[worker] = e;
                }
                finally
                {
                    _finished.Release();
                }
            }
        }

        /// <summary>The binding of crops [start, start + count), made on first use (the only allocation).</summary>
        private OrtIoBinding Binding(InferenceSession session, Dictionary<long, OrtIoBinding> bindings, int start, int count)
        {
            long key = ((long)start << 32) | (uint)count;
            if (bindings.TryGetValue(key, out var binding)) return binding;
            var inputShape = (long[])_inputShape.Clone();
            var outputShape = (long[])_outputShape.Clone();
            inputShape[0] = count;
            outputShape[0] = count;
            var input = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance,
                new Memory<float>(_input, start * _cropLength, count * _cropLength), inputShape);
            _owned.Add(input);
            var output = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance,
                new Memory<float>(_output, start * _heatmapLength, count * _heatmapLength), outputShape);
            _owned.Add(output);
            binding = session.CreateIoBinding();
            _owned.Add(binding);
            binding.BindInput(_inputName, input);
            binding.BindOutput(_outputName, output);
            bindings.Add(key, binding);
            return binding;
        }

        /// <summary>Stops the workers and releases the bindings and the second session (not the first, which the caller owns).</summary>
        public void Dispose()
        {
            _stopping = true;
            foreach (var s in _start) s.Release();
            foreach (var t in _threads) t.Join();
            foreach (var s in _start) s.Dispose();
            _finished.Dispose();
            for (int i = _owned.Count - 1; i >= 0; i--) _owned[i].Dispose();
            _owned.Clear();
            _bindings.Clear();
            _wideBindings.Clear();
            _wide?.Dispose();
            _wideOptions?.Dispose();
            _runOptions.Dispose();
        }
    }
}
