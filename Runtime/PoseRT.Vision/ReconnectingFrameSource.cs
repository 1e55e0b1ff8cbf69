using System;
using System.Threading;
using OpenCvSharp;

namespace PoseRT.Vision
{
    /// <summary>How a live source is retried after a fault.</summary>
    public sealed class RetryPolicy
    {
        /// <summary>Delay before the first reconnection attempt; doubles after each failed attempt.</summary>
        public TimeSpan InitialDelay { get; set; } = TimeSpan.FromMilliseconds(250);

        /// <summary>Longest delay between attempts.</summary>
        public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(4);

        /// <summary>Attempts before giving up (reopen or read failures in a row).</summary>
        public int MaxAttempts { get; set; } = 8;
    }

    /// <summary>
    /// Wraps a live source so a fault (disconnect, empty frame, exception) is reported and the source
    /// reopened with exponential back-off, instead of ending the run or hanging. After
    /// <see cref="RetryPolicy.MaxAttempts"/> failures in a row it throws <see cref="CaptureException"/>
    /// with the last reason. Waiting honours the cancellation token, so Ctrl+C interrupts a back-off.
    /// </summary>
    public sealed class ReconnectingFrameSource : IFrameSource
    {
        private readonly Func<IFrameSource> _open;
        private readonly RetryPolicy _policy;
        private readonly Action<string> _report;
        private readonly CancellationToken _cancel;
        private IFrameSource? _inner;

        /// <summary>
        /// Creates the wrapper around an already opened <paramref name="first"/> source; <paramref name="open"/>
        /// reopens it after a fault. <paramref name="report"/> receives one line per fault and recovery.
        /// </summary>
        public ReconnectingFrameSource(IFrameSource first, Func<IFrameSource> open, RetryPolicy policy, Action<string> report, CancellationToken cancel = default)
        {
            _inner = first ?? throw new ArgumentNullException(nameof(first));
            _open = open ?? throw new ArgumentNullException(nameof(open));
            _policy = policy ?? throw new ArgumentNullException(nameof(policy));
            _report = report ?? throw new ArgumentNullException(nameof(report));
            _cancel = cancel;
            Description = first.Description;
            IsLive = first.IsLive;
            Fps = first.Fps;
        }

        /// <inheritdoc />
        public string Description { get; }

        /// <inheritdoc />
        public bool IsLive { get; }

        /// <inheritdoc />
        public double Fps { get; }

        /// <summary>Faults seen so far.</summary>
        public int Faults { get; private set; }

        /// <summary>Successful reconnections so far.</summary>
        public int Recoveries { get; private set; }

        /// <summary>
        /// Reads the next frame, reconnecting after faults. Returns <see cref="FrameReadStatus.EndOfStream"/>
        /// when cancelled during a back-off, and throws <see cref="CaptureException"/> when the source stays failed.
        /// </summary>
        public FrameReadStatus Read(Mat frame)
        {
            string reason = "";
            int attempts = 0;
            TimeSpan delay = _policy.InitialDelay;
            while (true)
            {
                if (_inner != null)
                {
                    FrameReadStatus status;
                    try
                    {
                        status = _inner.Read(frame);
                    }
                    catch (Exception e) when (e is CaptureException || e is OpenCVException || e is InvalidOperationException)
                    {
                        status = FrameReadStatus.Failed;
                        reason = e.Message;
                    }
                    if (status == FrameReadStatus.Frame)
                    {
                        if (attempts > 0)
                        {
                            Recoveries++;
                            _report($"capture: {Description} recovered after {attempts} attempt(s).");
                        }
                        return status;
                    }
                    if (status == FrameReadStatus.EndOfStream && !IsLive) return status;
                    if (reason.Length == 0) reason = status == FrameReadStatus.EndOfStream ? "the stream ended" : "no frame (disconnected or empty frame)";
                    if (attempts == 0)
                    {
                        Faults++;
                        _report($"capture: {Description} failed: {reason}; retrying with back-off.");
                    }
                    _inner.Dispose();
                    _inner = null;
                }
                attempts++;
                if (attempts > _policy.MaxAttempts)
                    throw new CaptureException($"{Description} failed and did not recover after {_policy.MaxAttempts} attempts: {reason}.");
                if (_cancel.WaitHandle.WaitOne(delay)) return FrameReadStatus.EndOfStream;
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _policy.MaxDelay.Ticks));
                try
                {
                    _inner = _open();
                }
                catch (Exception e) when (e is CaptureException || e is OpenCVException || e is System.IO.IOException)
                {
                    reason = e.Message;
                    _report($"capture: reconnect attempt {attempts} of {_policy.MaxAttempts} failed: {reason}");
                }
            }
        }

        /// <inheritdoc />
        public void Dispose()
        {
            _inner?.Dispose();
            _inner = null;
        }
    }
}
