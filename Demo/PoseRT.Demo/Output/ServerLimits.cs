using System;
using System.Threading;
using System.Threading.Tasks;

namespace PoseRT.Demo.Output
{
    /// <summary>
    /// The bounds the <c>--serve</c> page and the <c>--tcp</c> PoseFrame stream keep, whatever their clients do
    /// (README, "Reliability"): a client cap, read/idle timeouts and a bounded per-client buffer that drops frames
    /// for a client that reads slower than the video runs, so held or slow connections cannot grow memory.
    /// </summary>
    internal sealed class ServerLimits
    {
        /// <summary>Default <see cref="MaxClients"/> (<c>--max-clients</c>).</summary>
        public const int DefaultMaxClients = 64;

        /// <summary>Default of every timeout, in seconds (<c>--client-timeout</c>).</summary>
        public const double DefaultTimeoutSeconds = 10;

        /// <summary>Default <see cref="ClientBufferFrames"/> (<c>--client-buffer</c>).</summary>
        public const int DefaultClientBufferFrames = 32;

        /// <summary>Clients served at once; one more is refused (HTTP 503 on the page, an immediate close on the TCP stream).</summary>
        public int MaxClients { get; init; } = DefaultMaxClients;

        /// <summary>
        /// The page: a connection must deliver a complete request head within this time after it opens (or after the
        /// first byte of a later request); a slowloris client is closed then.
        /// </summary>
        public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(DefaultTimeoutSeconds);

        /// <summary>The page: a kept-alive connection that starts no new request within this time is closed.</summary>
        public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(DefaultTimeoutSeconds);

        /// <summary>
        /// Both servers: a client that accepts none of a response or frame within this time (it stopped reading and
        /// its socket buffers are full) is closed.
        /// </summary>
        public TimeSpan StallTimeout { get; init; } = TimeSpan.FromSeconds(DefaultTimeoutSeconds);

        /// <summary>
        /// The TCP stream: frames queued per client; when a client falls this far behind, its oldest queued frame is
        /// dropped (and counted). The page's MJPEG stream keeps only the newest frame per client.
        /// </summary>
        public int ClientBufferFrames { get; init; } = DefaultClientBufferFrames;

        /// <summary>Kernel send buffer per client socket, in bytes, so a non-reading client also holds little kernel memory.</summary>
        public int SocketSendBufferBytes { get; init; } = 128 * 1024;

        /// <summary>Every timeout set to <paramref name="seconds"/>.</summary>
        public static ServerLimits Create(int maxClients, double seconds, int clientBufferFrames)
        {
            if (maxClients < 1) throw new ArgumentOutOfRangeException(nameof(maxClients), maxClients, "At least 1 client must be allowed.");
            if (!(seconds > 0) || double.IsInfinity(seconds)) throw new ArgumentOutOfRangeException(nameof(seconds), seconds, "A timeout must be a positive number of seconds.");
            if (clientBufferFrames < 1) throw new ArgumentOutOfRangeException(nameof(clientBufferFrames), clientBufferFrames, "A client buffer holds at least 1 frame.");
            var t = TimeSpan.FromSeconds(seconds);
            return new ServerLimits { MaxClients = maxClients, RequestTimeout = t, IdleTimeout = t, StallTimeout = t, ClientBufferFrames = clientBufferFrames };
        }
    }

    /// <summary>Lets a repeated event be logged at most once per interval, so a flood of clients cannot flood the log.</summary>
    internal sealed class LogThrottle
    {
        private readonly long _intervalTicks;
        private long _last = long.MinValue;

        /// <summary>At most one report per <paramref name="interval"/>.</summary>
        public LogThrottle(TimeSpan interval)
        {
            _intervalTicks = (long)(interval.TotalSeconds * System.Diagnostics.Stopwatch.Frequency);
        }

        /// <summary>True when a report is due now (and marks it made).</summary>
        public bool Due()
        {
            long now = System.Diagnostics.Stopwatch.GetTimestamp();
            long last = System.Threading.Interlocked.Read(ref _last);
            if (last != long.MinValue && now - last < _intervalTicks) return false;
            return System.Threading.Interlocked.CompareExchange(ref _last, now, last) == last;
        }
    }

    /// <summary>
    /// An awaitable "something changed" (a frame published, a client came or went): take <see cref="Next"/>, check
    /// the state, await the task; <see cref="Signal"/> completes it and arms a new one, so no change is missed.
    /// </summary>
    internal sealed class ChangeSignal
    {
        private readonly object _gate = new object();
        private TaskCompletionSource<bool> _next = NewSource();

        /// <summary>Completes at the next <see cref="Signal"/>.</summary>
        public Task Next
        {
            get
            {
                lock (_gate) return _next.Task;
            }
        }

        /// <summary>Wakes everything awaiting <see cref="Next"/>.</summary>
        public void Signal()
        {
            TaskCompletionSource<bool> current;
            lock (_gate)
            {
                current = _next;
                _next = NewSource();
            }
            current.TrySetResult(true);
        }

        /// <summary>Completes with true as soon as <paramref name="condition"/> holds (checked at each signal), false after <paramref name="timeout"/>.</summary>
        public async Task<bool> WaitUntilAsync(Func<bool> condition, TimeSpan timeout)
        {
            using var cancel = new CancellationTokenSource(timeout);
            while (true)
            {
                Task changed = Next;
                if (condition()) return true;
                try
                {
                    await changed.WaitAsync(cancel.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return condition();
                }
            }
        }

        private static TaskCompletionSource<bool> NewSource() => new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
