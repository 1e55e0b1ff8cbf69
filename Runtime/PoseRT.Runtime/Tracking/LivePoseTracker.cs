using System;
using System.Threading;

namespace PoseRT.Runtime.Tracking
{
    /// <summary>
    /// A <see cref="PoseTracker"/> on its own thread, for a frame loop that must not wait for the network (MediaPipe's
    /// LIVE_STREAM mode): <see cref="Submit"/> copies the frame and returns at once, a worker tracks the newest submitted
    /// frame, and <see cref="TryGetLatest"/> copies the newest results. When frames come faster than they are tracked, the
    /// older unprocessed frame is replaced (latest wins), so results never fall behind. The frame is double-buffered: the
    /// caller may reuse its pixels as soon as <see cref="Submit"/> returns. No allocations per frame once the frame size
    /// is stable.
    /// </summary>
    /// <remarks>
    /// Thread-safety: <see cref="Submit"/>, <see cref="TryGetLatest"/> and the properties may be called from any thread.
    /// The worker is the only user of the tracker and estimator while this object lives; do not call them directly.
    /// An exception on the worker (for example a failing model) is rethrown, wrapped, by the next <see cref="Submit"/> or
    /// <see cref="TryGetLatest"/>.
    /// </remarks>
    public sealed class LivePoseTracker : IDisposable
    {
        private readonly PoseTracker _tracker;
        private readonly object _gate = new object();
        private readonly Thread _worker;
        private readonly SemaphoreSlim _wake = new SemaphoreSlim(0);
        private readonly TrackedPose[] _working;
        private readonly TrackedPose[] _latest;
        private byte[] _pending = Array.Empty<byte>();
        private byte[] _processing = Array.Empty<byte>();
        private FrameShape _pendingShape;
        private bool _hasPending;
        private long _submitted;
        private long _latestFrame = -1;
        private double _latestTime;
        private int _latestCount;
        private Exception? _failure;
        private volatile bool _stopping;
        private bool _disposed;

        private struct FrameShape
        {
            public int Width, Height, Stride, Length;
            public PixelFormat Format;
            public bool BottomUp;
            public double Time;
            public long Number;
        }

        /// <summary>Starts the worker over <paramref name="tracker"/>.</summary>
        public LivePoseTracker(PoseTracker tracker)
        {
            _tracker = tracker ?? throw new ArgumentNullException(nameof(tracker));
            _working = new TrackedPose[tracker.Capacity];
            _latest = new TrackedPose[tracker.Capacity];
            _worker = new Thread(WorkerLoop) { IsBackground = true, Name = "PoseRT live tracker" };
            _worker.Start();
        }

        /// <summary>Most poses per result: the tracker's <see cref="PoseTracker.Capacity"/>.</summary>
        public int Capacity => _latest.Length;

        /// <summary>Frames submitted so far (the next frame's number).</summary>
        public long SubmittedFrames
        {
            get
            {
                lock (_gate) return _submitted;
            }
        }

        /// <summary>
        /// Copies the frame for the worker and returns its frame number (0, 1, 2, ...). A frame not yet taken by the worker
        /// is replaced by this one.
        /// </summary>
        /// <exception cref="ArgumentException">The image is empty.</exception>
        /// <exception cref="InvalidOperationException">The worker failed on an earlier frame (inner exception).</exception>
        public long Submit(in ImageView image, double timestampSeconds)
        {
            image.ThrowIfEmpty(nameof(image));
            PoseTracker.CheckTimestamp(timestampSeconds);
            var data = image.Data;
            lock (_gate)
            {
                ThrowIfFailed();
                if (_disposed) throw new ObjectDisposedException(nameof(LivePoseTracker));
                if (_pending.Length < data.Length) _pending = new byte[data.Length];
                data.CopyTo(_pending);
                _pendingShape = new FrameShape
                {
                    Width = image.Width, Height = image.Height, Stride = image.Stride, Length = data.Length, Format = image.Format,
                    BottomUp = image.BottomUp, Time = timestampSeconds, Number = _submitted,
                };
                bool wake = !_hasPending;
                _hasPending = true;
                if (wake) _wake.Release();
                return _submitted++;
            }
        }

        /// <summary>
        /// Copies the newest tracked poses into <paramref name="results"/> (at most its length) and returns how many; -1 when no
        /// frame has been tracked yet. <paramref name="frameNumber"/> and <paramref name="timestampSeconds"/> say which
        /// submitted frame they belong to.
        /// </summary>
        /// <exception cref="InvalidOperationException">The worker failed (inner exception).</exception>
        public int TryGetLatest(Span<TrackedPose> results, out long frameNumber, out double timestampSeconds)
        {
            lock (_gate)
            {
                ThrowIfFailed();
                frameNumber = _latestFrame;
                timestampSeconds = _latestTime;
                if (_latestFrame < 0) return -1;
                int n = Math.Min(_latestCount, results.Length);
                new ReadOnlySpan<TrackedPose>(_latest, 0, n).CopyTo(results);
                return n;
            }
        }

        private void ThrowIfFailed()
        {
            if (_failure != null) throw new InvalidOperationException("PoseRT's live tracker stopped: " + _failure.Message, _failure);
        }

        private void WorkerLoop()
        {
            while (true)
            {
                _wake.Wait();
                if (_stopping) return;
                FrameShape shape;
                lock (_gate)
                {
                    if (!_hasPending) continue;
                    // Swap buffers: the caller writes the next frame into the other one while this one is tracked.
                    var taken = _pending;
                    _pending = _processing;
                    _processing = taken;
                    shape = _pendingShape;
                    _hasPending = false;
                }
                try
                {
                    var view = new ImageView(new ReadOnlySpan<byte>(_processing, 0, shape.Length), shape.Width, shape.Height, shape.Stride, shape.Format, shape.BottomUp);
                    int n = _tracker.Track(view, shape.Time, _working);
                    lock (_gate)
                    {
                        Array.Copy(_working, _latest, n);
                        _latestCount = n;
                        _latestFrame = shape.Number;
                        _latestTime = shape.Time;
                    }
                }
                catch (Exception e)
                {
                    lock (_gate) _failure = e;
                    return;
                }
            }
        }

        /// <summary>Stops the worker (after the frame it is tracking, if any). Does not dispose the tracker's estimator.</summary>
        public void Dispose()
        {
            lock (_gate)
            {
                if (_disposed) return;
                _disposed = true;
            }
            _stopping = true;
            _wake.Release();
            _worker.Join();
            _wake.Dispose();
        }
    }
}
