using System;
using System.CommandLine;
using System.Globalization;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using PoseRT.Cli;
using PoseRT.Protocol;
using PoseRT.Runtime;

namespace PoseRT.Demo.Commands
{
    /// <summary>What one <c>posert-demo receive</c> run is told.</summary>
    internal sealed class ReceiveSettings
    {
        /// <summary>UDP endpoint to bind, or null.</summary>
        public IPEndPoint? Udp { get; init; }

        /// <summary>TCP sender to connect to, or null.</summary>
        public IPEndPoint? Tcp { get; init; }

        /// <summary>Stop after this many frames (0: no limit).</summary>
        public int Count { get; init; }

        /// <summary>Give up after this long without a valid frame, reconnecting included (zero: never).</summary>
        public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);

        /// <summary>TCP: connect again (with back-off) after the sender closes, resets or sends a malformed message.</summary>
        public bool Reconnect { get; init; } = true;

        /// <summary>The first reconnection delay; each failed attempt doubles it up to <see cref="MaxBackoff"/>.</summary>
        public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromSeconds(0.25);

        /// <summary>The longest reconnection delay.</summary>
        public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(5);

        /// <summary>How often, at most, the running count of rejected frames is printed (only when it changed).</summary>
        public TimeSpan ReportEvery { get; init; } = TimeSpan.FromSeconds(5);
    }

    /// <summary><c>posert-demo receive</c>: a small client of the PoseFrame stream, printing one line per frame.</summary>
    internal static class ReceiveCommand
    {
        private const string Program = "posert-demo receive";

        internal static Command Create()
        {
            var udp = new Option<string?>("--udp") { Description = "Listen for UDP datagrams on host:port (the demo's --udp target)." };
            var tcp = new Option<string?>("--tcp") { Description = "Connect to the demo's TCP stream at host:port (its --tcp endpoint)." };
            var count = new Option<int>("--count") { Description = "Stop after N frames (0: until Ctrl+C, the timeout, or with --no-reconnect the sender closing).", DefaultValueFactory = _ => 0 }
                .AtLeast(0);
            var timeout = new Option<double>("--timeout")
            {
                Description = "Idle limit: exit 1 after this many seconds without a valid frame, time spent reconnecting included; 0 waits forever.",
                DefaultValueFactory = _ => 10,
            }.InRange(0, 86400);
            var noReconnect = new Option<bool>("--no-reconnect")
            {
                Description = "TCP: exit (0) when the sender closes instead of reconnecting with back-off (0.25 s doubling to 5 s).",
            };
            var command = new Command("receive",
                "Receive the demo's MessagePack PoseFrame stream (UDP or TCP) and print each frame. Frames that are malformed or carry " +
                "impossible values (negative frame number, image side outside 1 to " + PoseFrameValidation.MaxImageSide + ", non-finite coordinates) " +
                "are rejected; their running count is printed to stderr at most every 5 s. Over TCP it reconnects with back-off after the sender closes.")
            {
                udp, tcp, count, timeout, noReconnect,
            };
            command.SetAction(parse =>
            {
                ReceiveSettings settings;
                try
                {
                    string? u = parse.GetValue(udp), t = parse.GetValue(tcp);
                    if ((u == null) == (t == null))
                    {
                        Console.Error.WriteLine($"{Program}: give exactly one of --udp host:port or --tcp host:port.");
                        return ExitCodes.BadInput;
                    }
                    if (u != null && parse.GetValue(noReconnect))
                    {
                        // UDP has no connection to lose: accepting the flag would promise an exit that never comes.
                        Console.Error.WriteLine($"{Program}: --no-reconnect applies to --tcp only; a --udp receiver stops with --count, --timeout or Ctrl+C.");
                        return ExitCodes.BadInput;
                    }
                    settings = new ReceiveSettings
                    {
                        Udp = u != null ? Endpoints.Parse(u, "--udp") : null,
                        Tcp = t != null ? Endpoints.Parse(t, "--tcp") : null,
                        Count = parse.GetValue(count),
                        Timeout = TimeSpan.FromSeconds(parse.GetValue(timeout)),
                        Reconnect = !parse.GetValue(noReconnect),
                    };
                }
                catch (ArgumentException e)
                {
                    Console.Error.WriteLine($"{Program}: {e.Message}");
                    return ExitCodes.BadInput;
                }
                using var cancel = new CancellationTokenSource();
                ConsoleCancelEventHandler onCancel = (_, e) =>
                {
                    e.Cancel = true;
                    cancel.Cancel();
                };
                Console.CancelKeyPress += onCancel;
                try
                {
                    return Run(settings, Console.Out, Console.Error, cancel.Token);
                }
                finally
                {
                    Console.CancelKeyPress -= onCancel;
                }
            });
            return command;
        }

        /// <summary>Runs the receiver until the count, the idle timeout, Ctrl+C or (without reconnect) the sender's close.</summary>
        internal static int Run(ReceiveSettings settings, TextWriter stdout, TextWriter stderr, CancellationToken cancel, Action<EndPoint?>? listening = null)
        {
            if ((settings.Udp == null) == (settings.Tcp == null))
            {
                stderr.WriteLine($"{Program}: give exactly one of --udp host:port or --tcp host:port.");
                return ExitCodes.BadInput;
            }
            var run = new ReceiveRun(settings, stdout, stderr, cancel);
            return run.Execute(listening);
        }

        internal static string Describe(PoseFrame frame)
        {
            var text = new StringBuilder();
            text.Append(CultureInfo.InvariantCulture, $"frame {frame.FrameNumber} t={frame.TimestampMicroseconds / 1e6:F3}s {frame.ImageWidth}x{frame.ImageHeight} poses {frame.Poses.Length}");
            foreach (TrackedPose p in frame.Poses)
            {
                Keypoint nose = p.Pose.KeypointCount > 0 ? p.Pose[0] : default;
                text.Append(CultureInfo.InvariantCulture, $" | #{p.TrackId} score {p.Pose.Score:F2} box {p.Pose.Box} nose ({nose.X:F0},{nose.Y:F0})");
            }
            return text.ToString();
        }

        // One run's state: the current connection, the counts across connections, the idle clock and the report clock.
        private sealed class ReceiveRun
        {
            private readonly ReceiveSettings _s;
            private readonly TextWriter _stdout;
            private readonly TextWriter _stderr;
            private readonly CancellationToken _cancel;
            private readonly System.Diagnostics.Stopwatch _sinceFrame = System.Diagnostics.Stopwatch.StartNew();
            private readonly System.Diagnostics.Stopwatch _sinceReport = System.Diagnostics.Stopwatch.StartNew();
            private int _rejectedBefore; // by connections already closed
            private int _rejectedLive; // by the current one
            private int _reported;
            private string? _lastError;
            private int _received;
            private int _reconnects;

            public ReceiveRun(ReceiveSettings settings, TextWriter stdout, TextWriter stderr, CancellationToken cancel)
            {
                _s = settings;
                _stdout = stdout;
                _stderr = stderr;
                _cancel = cancel;
            }

            private bool Idle => _s.Timeout > TimeSpan.Zero && _sinceFrame.Elapsed > _s.Timeout;

            private bool Done => _cancel.IsCancellationRequested || (_s.Count > 0 && _received >= _s.Count);

            public int Execute(Action<EndPoint?>? listening)
            {
                if (_s.Udp != null)
                {
                    PoseFrameReceiver udp;
                    try
                    {
                        udp = PoseFrameReceiver.ListenUdp(_s.Udp);
                    }
                    catch (SocketException e)
                    {
                        _stderr.WriteLine($"{Program}: cannot listen on udp://{_s.Udp}: {e.Message}");
                        return ExitCodes.BadInput;
                    }
                    using (udp)
                    {
                        listening?.Invoke(udp.LocalEndPoint);
                        int? code = Pump(udp);
                        return code ?? Finish();
                    }
                }
                TimeSpan backoff = _s.InitialBackoff;
                bool first = true;
                while (!Done)
                {
                    PoseFrameReceiver? tcp = Connect();
                    if (tcp == null)
                    {
                        if (!_s.Reconnect) return ExitCodes.Failure;
                    }
                    else
                    {
                        if (first) listening?.Invoke(tcp.LocalEndPoint);
                        first = false;
                        int before = _received;
                        using (tcp)
                        {
                            int? code = Pump(tcp);
                            _rejectedBefore += tcp.RejectedMessages;
                            _rejectedLive = 0;
                            if (code != null) return code.Value;
                        }
                        if (Done) break;
                        if (!_s.Reconnect) return Finish();
                        if (_received > before) backoff = _s.InitialBackoff;
                    }
                    if (Idle) return GiveUp();
                    _reconnects++;
                    _stderr.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"{Program}: reconnecting to tcp://{_s.Tcp} in {backoff.TotalSeconds:0.##} s (attempt {_reconnects})."));
                    if (_cancel.WaitHandle.WaitOne(backoff)) break;
                    backoff = TimeSpan.FromTicks(Math.Min(_s.MaxBackoff.Ticks, backoff.Ticks * 2));
                }
                return Finish();
            }

            // One connection attempt; null when it failed (said on stderr).
            private PoseFrameReceiver? Connect()
            {
                try
                {
                    return PoseFrameReceiver.ConnectTcp(_s.Tcp!, TimeSpan.FromSeconds(5));
                }
                catch (Exception e) when (e is SocketException || e is TimeoutException)
                {
                    _stderr.WriteLine($"{Program}: cannot connect to tcp://{_s.Tcp}: {e.Message}");
                    return null;
                }
            }

            // Receives on one connection; null when the connection ended (TCP) and the run may go on, else the exit code.
            private int? Pump(PoseFrameReceiver receiver)
            {
                int start = _received;
                while (!Done)
                {
                    PoseFrame? frame;
                    bool got;
                    try
                    {
                        got = receiver.TryReceive(TimeSpan.FromMilliseconds(200), out frame);
                    }
                    catch (PoseFrameFormatException e)
                    {
                        _lastError = e.Message;
                        _stderr.WriteLine($"{Program}: closed the connection after a malformed message: {e.Message}");
                        if (!_s.Reconnect) return ExitCodes.Failure;
                        return null;
                    }
                    catch (EndOfStreamException e)
                    {
                        _stderr.WriteLine($"{Program}: {e.Message}{(_received == start ? " (before any frame: it may be serving its most clients, see its --max-clients)" : "")}");
                        return null;
                    }
                    if (receiver.LastError != null) _lastError = receiver.LastError;
                    _rejectedLive = receiver.RejectedMessages;
                    ReportRejected();
                    if (!got)
                    {
                        if (Idle) return GiveUp();
                        continue;
                    }
                    _sinceFrame.Restart();
                    _received++;
                    _stdout.WriteLine(Describe(frame!));
                }
                return Finish();
            }

            private int Rejected => _rejectedBefore + _rejectedLive;

            // At most one line per ReportEvery, and only when the count moved since the last line.
            private void ReportRejected()
            {
                int total = Rejected;
                if (total == _reported || _sinceReport.Elapsed < _s.ReportEvery) return;
                _stderr.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{Program}: {total} bad frames rejected so far ({total - _reported} in the last {_sinceReport.Elapsed.TotalSeconds:0.#} s); last: {_lastError}"));
                _reported = total;
                _sinceReport.Restart();
            }

            private int GiveUp()
            {
                string last = _lastError != null ? $" (last: {_lastError})" : "";
                _stderr.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{Program}: no valid frame for {_s.Timeout.TotalSeconds:0.#} s (--timeout); giving up after {_received} frames, {Rejected} rejected messages{last}."));
                return ExitCodes.Failure;
            }

            private int Finish()
            {
                _stderr.WriteLine($"{Program}: {_received} frames, {Rejected} rejected messages{(_reconnects > 0 ? $", {_reconnects} reconnections" : "")}.");
                return ExitCodes.Ok;
            }
        }
    }
}
