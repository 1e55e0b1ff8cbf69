using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using PoseRT.Demo.Commands;
using PoseRT.Demo.Output;
using PoseRT.Demo.Pipeline;
using PoseRT.Runtime;
using PoseRT.Protocol;

namespace PoseRT.Tests
{
    /// <summary>The PoseFrame receiver and <c>posert-demo receive</c> (issue 15): value checks, the running rejected count, TCP reconnection.</summary>
    public class ReceiverTests
    {
        public static TheoryData<string, string> BadValues() => new TheoryData<string, string>
        {
            { "negative-frame", "frame number -1" },
            { "negative-time", "timestamp -5 us" },
            { "tall-image", "image size 945x10524" },
            { "zero-width", "image size 0x540" },
            { "nan-keypoint", "keypoint 3: (NaN" },
            { "infinite-box", "box (Infinity, 0, 1, 1)" },
            { "negative-box", "box size -30.5x40.25" },
            { "nan-score", "score NaN" },
            { "huge-coordinate", "keypoint 0: (1E+09" },
        };

        internal static PoseFrame Bad(string kind)
        {
            PoseFrame f = PoseFrameProtocolTests.Sample();
            switch (kind)
            {
                case "negative-frame": f.FrameNumber = -1; break;
                case "negative-time": f.TimestampMicroseconds = -5; break;
                case "tall-image": f.ImageWidth = 945; f.ImageHeight = 10524; break;
                case "zero-width": f.ImageWidth = 0; break;
                case "nan-keypoint": f.Poses[1].Pose[3] = new Keypoint(float.NaN, 1, 1); break;
                case "infinite-box": f.Poses[0].Pose.Box = new BoundingBox(float.PositiveInfinity, 0, 1, 1); break;
                case "negative-box": f.Poses[0].Pose.Box = new BoundingBox(1, 2, -30.5f, 40.25f); break;
                case "nan-score": f.Poses[0].Pose.Score = float.NaN; break;
                case "huge-coordinate": f.Poses[0].Pose[0] = new Keypoint(1e9f, 0, 1); break;
                default: throw new ArgumentException(kind);
            }
            return f;
        }

        [Theory]
        [MemberData(nameof(BadValues))]
        public void Udp_receiver_rejects_counts_and_names_an_impossible_value(string kind, string named)
        {
            using var receiver = PoseFrameReceiver.ListenUdp(new IPEndPoint(IPAddress.Loopback, 0));
            using var udp = new UdpClient(AddressFamily.InterNetwork);
            var target = (IPEndPoint)receiver.LocalEndPoint!;
            udp.Send(PoseFrameSerializer.Serialize(Bad(kind)), target);
            udp.Send(PoseFrameSerializer.Serialize(PoseFrameProtocolTests.Sample()), target);
            Assert.True(receiver.TryReceive(TimeSpan.FromSeconds(5), out PoseFrame? frame));
            Assert.Equal(42, frame!.FrameNumber); // the valid frame after the bad one
            Assert.Equal(1, receiver.RejectedMessages);
            Assert.Contains(named, receiver.LastError, StringComparison.Ordinal);
            Assert.Null(PoseFrameValidation.Check(PoseFrameProtocolTests.Sample()));
        }

        [Fact]
        public void Tcp_receiver_skips_an_impossible_frame_and_keeps_the_connection()
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            using var receiver = PoseFrameReceiver.ConnectTcp((IPEndPoint)listener.LocalEndpoint, TimeSpan.FromSeconds(5));
            using Socket sender = listener.AcceptSocket();
            foreach (PoseFrame f in new[] { Bad("tall-image"), Bad("nan-keypoint"), PoseFrameProtocolTests.Sample() })
            {
                byte[] message = PoseFrameSerializer.Serialize(f);
                var header = new byte[PoseFrameFraming.HeaderBytes];
                PoseFrameFraming.WriteHeader(header, message.Length);
                sender.Send(header);
                sender.Send(message);
            }
            Assert.True(receiver.TryReceive(TimeSpan.FromSeconds(5), out PoseFrame? frame));
            Assert.Equal(42, frame!.FrameNumber);
            Assert.Equal(2, receiver.RejectedMessages);
            Assert.Contains("keypoint 3", receiver.LastError, StringComparison.Ordinal);
        }

        [Fact]
        public void Help_states_the_idle_limit_reconnection_and_the_server_limits()
        {
            var root = RunCommand.CreateRoot();
            root.Subcommands.Add(ReceiveCommand.Create());
            string Help(params string[] args)
            {
                var output = new StringWriter();
                Assert.Equal(0, root.Parse(args).Invoke(new System.CommandLine.InvocationConfiguration { Output = output }));
                return Regex.Replace(output.ToString(), @"\s+", " ");
            }
            string receive = Help("receive", "--help");
            Assert.Contains("exit 1 after this many seconds without a valid frame, time spent reconnecting included; 0 waits forever", receive, StringComparison.Ordinal);
            Assert.Contains("reconnects with back-off after the sender closes", receive, StringComparison.Ordinal);
            Assert.Contains("--no-reconnect", receive, StringComparison.Ordinal);
            Assert.Contains("at most every 5 s", receive, StringComparison.Ordinal);
            string run = Help("--help");
            foreach (string option in new[] { "--max-clients", "--client-timeout", "--client-buffer", "HTTP 503" })
                Assert.Contains(option, run, StringComparison.Ordinal);
        }

        [Fact]
        public async Task Receive_command_reports_rejected_frames_while_running_at_most_once_per_interval()
        {
            var stdout = new SignallingWriter();
            var stderr = new SignallingWriter();
            var bound = new TaskCompletionSource<IPEndPoint>(TaskCreationOptions.RunContinuationsAsynchronously);
            var interval = TimeSpan.FromMilliseconds(500);
            var settings = new ReceiveSettings { Udp = new IPEndPoint(IPAddress.Loopback, 0), Count = 1, Timeout = TimeSpan.FromSeconds(30), ReportEvery = interval };
            var clock = System.Diagnostics.Stopwatch.StartNew();
            Task<int> run = Task.Run(() => ReceiveCommand.Run(settings, stdout, stderr, CancellationToken.None, e => bound.SetResult((IPEndPoint)e!)));
            IPEndPoint target = await bound.Task.WaitAsync(TimeSpan.FromSeconds(10));
            using var udp = new UdpClient(AddressFamily.InterNetwork);
            byte[] bad = PoseFrameSerializer.Serialize(Bad("negative-frame"));
            for (int burst = 1; burst <= 3; burst++)
            {
                for (int i = 0; i < 100; i++) udp.Send(bad, target);
                // Each burst is reported once it is counted, not once per frame.
                int want = burst;
                Assert.True(await stderr.WaitForAsync(l => l.Count(x => x.Contains("bad frames rejected so far", StringComparison.Ordinal)) >= want, TimeSpan.FromSeconds(10)),
                    "no running report: " + stderr);
            }
            udp.Send(PoseFrameSerializer.Serialize(PoseFrameProtocolTests.Sample()), target);
            Assert.Equal(0, await run.WaitAsync(TimeSpan.FromSeconds(10)));
            TimeSpan elapsed = clock.Elapsed;
            string[] reports = stderr.Lines.Where(x => x.Contains("bad frames rejected so far", StringComparison.Ordinal)).ToArray();
            Assert.All(reports, r => Assert.Matches(@"^posert-demo receive: \d+ bad frames rejected so far \(\d+ in the last [\d.]+ s\); last: PoseFrame frame number -1 is negative\.$", r));
            Assert.InRange(reports.Length, 3, 1 + (int)(elapsed / interval));
            Assert.Matches(@"^\d+ bad frames", reports[^1].Substring("posert-demo receive: ".Length));
            Assert.Equal("posert-demo receive: 1 frames, 300 rejected messages.", stderr.Lines[^1]);
            Assert.Single(stdout.Lines);
        }

        [Fact]
        public async Task Receive_command_reconnects_with_backoff_each_time_the_tcp_sender_closes()
        {
            var stdout = new SignallingWriter();
            var stderr = new SignallingWriter();
            var sender = new PoseStreamSender(null, new IPEndPoint(IPAddress.Loopback, 0), _ => { });
            IPEndPoint endpoint = sender.TcpEndPoint!;
            const int Restarts = 3;
            var settings = new ReceiveSettings
            {
                Tcp = endpoint, Count = 2 * (Restarts + 1), Timeout = TimeSpan.FromSeconds(30),
                InitialBackoff = TimeSpan.FromMilliseconds(100), MaxBackoff = TimeSpan.FromMilliseconds(400),
            };
            Task<int> run = Task.Run(() => ReceiveCommand.Run(settings, stdout, stderr, CancellationToken.None));
            FrameResult result = BoundedServerTests.EightPeople();
            using var image = new OpenCvSharp.Mat();
            try
            {
                for (int round = 0; round <= Restarts; round++)
                {
                    Assert.True(await sender.WaitForClientsAsync(c => c == 1, TimeSpan.FromSeconds(10)), $"round {round}: the receiver did not connect: {stderr}");
                    for (int i = 0; i < 2; i++)
                    {
                        result.FrameNumber = 2 * round + i;
                        sender.Write(result, image);
                    }
                    int frames = 2 * (round + 1);
                    Assert.True(await stdout.WaitForAsync(l => l.Count >= frames, TimeSpan.FromSeconds(10)), $"round {round}: {stdout.Lines.Count} frames received");
                    if (round == Restarts) break;
                    // The sender goes away; the receiver must keep trying, with growing delays, until it is back on the same port.
                    int before = Reconnects(stderr).Length;
                    sender.Dispose();
                    Assert.True(await stderr.WaitForAsync(l => Reconnects(l).Length >= before + 4, TimeSpan.FromSeconds(10)), "no back-off: " + stderr);
                    sender = new PoseStreamSender(null, endpoint, _ => { });
                }
                Assert.Equal(0, await run.WaitAsync(TimeSpan.FromSeconds(10)));
            }
            finally
            {
                sender.Dispose();
            }
            Assert.Equal(Enumerable.Range(0, settings.Count), stdout.Lines.Select(l => int.Parse(Regex.Match(l, @"^frame (\d+) ").Groups[1].Value, CultureInfo.InvariantCulture)));
            // A sender that goes away closes (FIN) or, with bytes still in flight, resets (RST) the connection: either is one outage.
            Assert.Equal(Restarts, stderr.Lines.Count(l => l.Contains("sender closed the connection", StringComparison.Ordinal)
                || l.Contains("sender reset the connection", StringComparison.Ordinal)));
            // Per outage: 0.1, 0.2, 0.4, 0.4 ... s (doubling, capped); the first delay after a frame is back to 0.1 s.
            double[] delays = Reconnects(stderr.Lines);
            Assert.Equal(0.1, delays[0]);
            for (int i = 1; i < delays.Length; i++)
                Assert.True(delays[i] == 0.1 || delays[i] == Math.Min(0.4, 2 * delays[i - 1]), $"delays {string.Join(", ", delays)}");
            Assert.Equal(Restarts, delays.Count(d => d == 0.1));
            Assert.Contains($", {delays.Length} reconnections.", stderr.Lines[^1], StringComparison.Ordinal);
        }

        private static double[] Reconnects(SignallingWriter w) => Reconnects(w.Lines);

        private static double[] Reconnects(IEnumerable<string> lines) => lines
            .Select(l => Regex.Match(l, @"reconnecting to tcp://\S+ in ([\d.]+) s"))
            .Where(m => m.Success)
            .Select(m => double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture))
            .ToArray();

        /// <summary>A writer whose lines can be awaited: each line completes <see cref="ChangeSignal.Next"/>.</summary>
        private sealed class SignallingWriter : TextWriter
        {
            private readonly List<string> _lines = new List<string>();
            private readonly StringBuilder _line = new StringBuilder();
            private readonly ChangeSignal _changed = new ChangeSignal();

            public override Encoding Encoding => Encoding.UTF8;

            public IReadOnlyList<string> Lines
            {
                get
                {
                    lock (_lines) return _lines.ToArray();
                }
            }

            public override void Write(char value)
            {
                if (value == '\r') return;
                if (value != '\n')
                {
                    lock (_lines) _line.Append(value);
                    return;
                }
                lock (_lines)
                {
                    _lines.Add(_line.ToString());
                    _line.Clear();
                }
                _changed.Signal();
            }

            public Task<bool> WaitForAsync(Func<IReadOnlyList<string>, bool> condition, TimeSpan timeout) =>
                _changed.WaitUntilAsync(() => condition(Lines), timeout);

            public override string ToString() => string.Join(" | ", Lines);
        }
    }
}
