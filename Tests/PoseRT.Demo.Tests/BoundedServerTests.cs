using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using OpenCvSharp;
using PoseRT.Demo.Output;
using PoseRT.Demo.Pipeline;
using PoseRT.Runtime;
using PoseRT.Protocol;
using Xunit.Abstractions;

namespace PoseRT.Tests
{
    /// <summary>The memory figures below are of this whole process, so no other test may run beside these.</summary>
    [CollectionDefinition(Name, DisableParallelization = true)]
    public sealed class ServerLoadCollection
    {
        /// <summary>The collection's name.</summary>
        public const string Name = "server load (runs alone)";
    }

    /// <summary>
    /// The --serve page and the --tcp stream under 200 held clients on loopback (issue 15, "Bounded servers"): slowloris
    /// connections closed at the request timeout, non-reading clients dropping frames and then closed at the stall
    /// timeout, one client over the cap refused, and the process's memory bounded while they are held and back afterwards.
    /// The README's "Reliability" section quotes the figures these print.
    /// </summary>
    [Collection(ServerLoadCollection.Name)]
    public class BoundedServerTests
    {
        private const int Held = 200;
        private const int MiB = 1024 * 1024;
        private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(5);
        private static readonly TimeSpan StallTimeout = TimeSpan.FromSeconds(6);
        private readonly ITestOutputHelper _output;

        public BoundedServerTests(ITestOutputHelper output) => _output = output;

        [Fact]
        public async Task Page_holds_200_slow_clients_in_bounded_memory_closes_slowloris_and_refuses_one_more()
        {
            var limits = new ServerLimits { MaxClients = Held, RequestTimeout = RequestTimeout, IdleTimeout = RequestTimeout, StallTimeout = StallTimeout };
            var log = new List<string>();
            using var server = new PoseWebServer("127.0.0.1", 0, l => { lock (log) log.Add(l); }, limits);
            var endpoint = new IPEndPoint(IPAddress.Loopback, server.Port);
            byte[] jpeg = NoiseJpeg();
            byte[] json = Encoding.UTF8.GetBytes("{\"frame\":0,\"poses\":[]}");
            server.Publish(jpeg, json);
            // Warm up every path once (JIT, pools) before the baseline.
            string warm = await GetAsync(endpoint, "/frame.jpg");
            Assert.StartsWith("HTTP/1.1 200 OK", warm, StringComparison.Ordinal);
            Memory before = Memory.Measure();

            using var publishing = new CancellationTokenSource();
            var publishedOne = new ChangeSignal();
            // A 50 FPS video of fresh JPEGs: a server that queued frames per client would hold every one for every non-reader.
            Task publisher = Task.Run(async () =>
            {
                using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
                while (await timer.WaitForNextTickAsync(publishing.Token).ConfigureAwait(false))
                {
                    server.Publish((byte[])jpeg.Clone(), json);
                    publishedOne.Signal();
                }
            });
            var mjpeg = new List<Socket>();
            var slowloris = new List<(Socket Socket, Task<TimeSpan?> Closed)>();
            try
            {
                // 100 MJPEG clients that read the response head and then never read again.
                for (int i = 0; i < Held / 2; i++)
                {
                    Socket s = await ConnectAsync(endpoint, smallReceiveBuffer: true);
                    mjpeg.Add(s);
                    await SendAsync(s, "GET /stream.mjpg HTTP/1.1\r\nHost: test\r\n\r\n");
                    string head = await ReadHeadAsync(s);
                    Assert.StartsWith("HTTP/1.1 200 OK", head, StringComparison.Ordinal);
                }
                // 100 slowloris clients: half a request head, then silence.
                for (int i = 0; i < Held / 2; i++)
                {
                    Socket s = await ConnectAsync(endpoint, smallReceiveBuffer: false);
                    await SendAsync(s, "GET / HTTP/1.1\r\nHost: test\r\nUser-Agent: slow");
                    slowloris.Add((s, WaitClosedAsync(s, Stopwatch.StartNew())));
                }
                Assert.True(await server.WaitForClientsAsync(c => c == Held, TimeSpan.FromSeconds(10)), $"the server holds {server.ClientCount} of {Held} clients");

                // One more: a clear 503, not a hang or a reset.
                string refused = await GetAsync(endpoint, "/");
                Assert.StartsWith("HTTP/1.1 503 Service Unavailable", refused, StringComparison.Ordinal);
                Assert.Contains($"at most {Held} clients", refused, StringComparison.Ordinal);
                Assert.Equal(1, server.Refused);

                // Memory while all 200 are held and frames keep coming.
                long published = server.FramesPublished;
                Assert.True(await publishedOne.WaitUntilAsync(() => server.FramesPublished >= published + 25, TimeSpan.FromSeconds(10)), "the publisher stalled");
                Memory held = Memory.Measure();
                Assert.Equal(Held, server.ClientCount);
                // Bound: each held client may pin one JPEG (the MJPEG ones) and a 16 KiB request buffer plus its socket and task
                // (counted as 32 KiB), and 24 MiB covers the runtime's own growth (threads, GC budget). A per-client queue of the
                // frames above would need about 100 x 25 x jpeg.Length.
                long boundBytes = 24L * MiB + Held / 2 * (long)jpeg.Length + Held * 32L * 1024;
                _output.WriteLine($"jpeg {jpeg.Length / 1024} KiB; before {before}; held {Held} clients {held}; RSS growth {(held.Rss - before.Rss) / MiB} MiB (bound {boundBytes / MiB} MiB)");
                Assert.True(held.Rss - before.Rss <= boundBytes,
                    $"RSS grew {(held.Rss - before.Rss) / MiB} MiB with {Held} held clients; the bound is {boundBytes / MiB} MiB");

                // Slowloris: every one closed by the server at the request timeout (not before it, and not much after).
                var closeWithin = RequestTimeout + TimeSpan.FromSeconds(3);
                TimeSpan?[] closed = await Task.WhenAll(slowloris.Select(c => c.Closed));
                Assert.All(closed, c => Assert.True(c.HasValue, "a slowloris client was never closed"));
                TimeSpan first = closed.Min(c => c!.Value), last = closed.Max(c => c!.Value);
                // The timeout runs from the server's accept, a moment before the client sent its half request.
                Assert.True(first >= RequestTimeout - TimeSpan.FromMilliseconds(300), $"a slowloris client was closed after {first.TotalSeconds:F2} s, before the {RequestTimeout.TotalSeconds} s timeout");
                Assert.True(last <= closeWithin, $"a slowloris client was closed only after {last.TotalSeconds:F2} s (timeout {RequestTimeout.TotalSeconds} s)");
                Assert.True(server.TimedOut >= Held / 2, $"{server.TimedOut} connections closed by the request timeout");

                // Non-readers: closed at the stall timeout once their socket buffers are full.
                Assert.True(await server.WaitForClientsAsync(c => c == 0, StallTimeout + TimeSpan.FromSeconds(6)), $"{server.ClientCount} clients still open");
                Assert.True(server.Stalled >= Held / 2, $"{server.Stalled} MJPEG clients closed for not reading");
                Assert.True(server.DroppedFrames >= Held / 2 * 25, $"{server.DroppedFrames} frames dropped: the non-readers should have missed at least the 25 published while measured");
                _output.WriteLine($"slowloris closed {first.TotalSeconds:F2} to {last.TotalSeconds:F2} s after their last byte (timeout {RequestTimeout.TotalSeconds} s); " +
                                  $"{server.Stalled} non-readers closed, {server.DroppedFrames} frames dropped for them");
            }
            finally
            {
                publishing.Cancel();
                foreach (Socket s in mjpeg) s.Dispose();
                foreach (var c in slowloris) c.Socket.Dispose();
            }
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => publisher);

            // Afterwards: the managed heap is back, and RSS is back within the bound's slack.
            Memory after = Memory.Measure();
            _output.WriteLine($"after {after}");
            Assert.True(after.Managed - before.Managed <= 4L * MiB, $"managed heap {before.Managed / MiB} -> {after.Managed / MiB} MiB after the clients left");
            Assert.True(after.Rss - before.Rss <= 24L * MiB, $"RSS {before.Rss / MiB} -> {after.Rss / MiB} MiB after the clients left");
            Assert.True(server.Refused == 1 && server.ClientCount == 0);
        }

        [Fact]
        public async Task Tcp_stream_holds_200_non_readers_without_waiting_for_them_and_refuses_one_more()
        {
            // A small kernel send buffer per client, so the non-readers fill it (and stall) within a few dozen frames.
            var limits = new ServerLimits { MaxClients = Held, StallTimeout = StallTimeout, ClientBufferFrames = 32, SocketSendBufferBytes = 16 * 1024 };
            using var sender = new PoseStreamSender(null, new IPEndPoint(IPAddress.Loopback, 0), _ => { }, limits);
            IPEndPoint endpoint = sender.TcpEndPoint!;
            FrameResult result = EightPeople();
            using var image = new Mat();
            sender.Write(result, image);
            Memory before = Memory.Measure();

            var clients = new List<Socket>();
            try
            {
                for (int i = 0; i < Held; i++) clients.Add(await ConnectAsync(endpoint, smallReceiveBuffer: true));
                Assert.True(await sender.WaitForClientsAsync(c => c == Held, TimeSpan.FromSeconds(10)), $"the sender holds {sender.ClientCount} of {Held} clients");

                // One more: closed at once without a byte.
                using (Socket extra = await ConnectAsync(endpoint, smallReceiveBuffer: false))
                {
                    var buffer = new byte[16];
                    using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                    int n;
                    try
                    {
                        n = await extra.ReceiveAsync(buffer, SocketFlags.None, wait.Token);
                    }
                    catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
                    {
                        n = 0;
                    }
                    Assert.Equal(0, n);
                }
                Assert.Equal(1, sender.Refused);

                // A 500 FPS video to 200 clients that never read: the video loop must not wait for any of them.
                using var writing = new CancellationTokenSource();
                long written = 0;
                var wroteOne = new ChangeSignal();
                TimeSpan slowest = TimeSpan.Zero;
                var clock = Stopwatch.StartNew();
                Task writer = Task.Run(async () =>
                {
                    using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(2));
                    while (await timer.WaitForNextTickAsync(writing.Token).ConfigureAwait(false))
                    {
                        result.FrameNumber = written + 1;
                        var one = Stopwatch.StartNew();
                        sender.Write(result, image);
                        if (one.Elapsed > slowest) slowest = one.Elapsed;
                        Interlocked.Increment(ref written);
                        wroteOne.Signal();
                    }
                });
                try
                {
                    // 300 frames take 0.6 s at 500 FPS, well inside the stall timeout, so all 200 are still held when measured.
                    Assert.True(await wroteOne.WaitUntilAsync(() => Interlocked.Read(ref written) >= 300, TimeSpan.FromSeconds(20)), "the writer stalled");
                    Memory held = Memory.Measure();
                    int holding = sender.ClientCount;
                    // Bound: every client's queue holds at most 32 frames, and they share one copy per frame, so at most 300 frames of
                    // about 2.4 KiB exist at once, plus each client's socket, task and queue (counted as 16 KiB), plus 24 MiB of runtime slack.
                    long boundBytes = 24L * MiB + 300 * 4096L + Held * 16L * 1024;
                    _output.WriteLine($"{Interlocked.Read(ref written)} frames to {holding} non-readers in {clock.ElapsedMilliseconds} ms " +
                                      $"(slowest write {slowest.TotalMilliseconds:F1} ms); before {before}; held {held}; RSS bound growth {boundBytes / MiB} MiB");
                    Assert.Equal(Held, holding);
                    Assert.True(held.Rss - before.Rss <= boundBytes, $"RSS grew {(held.Rss - before.Rss) / MiB} MiB; the bound is {boundBytes / MiB} MiB");

                    // Every non-reader is closed at the stall timeout, while the video goes on.
                    Assert.True(await sender.WaitForClientsAsync(c => c == 0, StallTimeout + TimeSpan.FromSeconds(8)), $"{sender.ClientCount} clients still connected");
                    Assert.Equal(Held, sender.Stalled);
                    Assert.True(sender.DroppedFrames > 0, "clients hundreds of frames behind should have their oldest frames dropped");
                    _output.WriteLine($"all {Held} closed {clock.Elapsed.TotalSeconds:F1} s after the video started (stall timeout {StallTimeout.TotalSeconds} s); " +
                                      $"{sender.DroppedFrames} frames dropped for them");
                }
                finally
                {
                    writing.Cancel();
                }
                await Assert.ThrowsAnyAsync<OperationCanceledException>(() => writer);
                Assert.True(slowest < TimeSpan.FromMilliseconds(250), $"one Write took {slowest.TotalMilliseconds:F0} ms: the video loop waited for a client");
            }
            finally
            {
                foreach (Socket s in clients) s.Dispose();
            }
            Memory after = Memory.Measure();
            _output.WriteLine($"after {after}");
            Assert.True(after.Managed - before.Managed <= 4L * MiB, $"managed heap {before.Managed / MiB} -> {after.Managed / MiB} MiB after the clients left");
        }

        internal static FrameResult EightPeople()
        {
            var result = new FrameResult(8) { Width = 960, Height = 540, PoseCount = 8 };
            for (int p = 0; p < 8; p++)
            {
                var pose = new Pose { Box = new BoundingBox(10 * p, 20, 100, 300), BoxScore = 0.9f, Score = 0.8f, KeypointCount = 17 };
                for (int k = 0; k < 17; k++) pose[k] = new Keypoint(10 * p + k, 20 + 15 * k, 0.7f);
                result.PoseBuffer[p] = new TrackedPose(p + 1, pose);
            }
            return result;
        }

        private static byte[] NoiseJpeg()
        {
            using var noise = new Mat(240, 320, MatType.CV_8UC3);
            Cv2.Randu(noise, Scalar.All(0), Scalar.All(255));
            Cv2.ImEncode(".jpg", noise, out byte[] jpeg, new ImageEncodingParam(ImwriteFlags.JpegQuality, 80));
            return jpeg;
        }

        private static async Task<Socket> ConnectAsync(IPEndPoint endpoint, bool smallReceiveBuffer)
        {
            var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            if (smallReceiveBuffer) s.ReceiveBufferSize = 4096; // before connecting, so the window stays small
            using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await s.ConnectAsync(endpoint, cancel.Token);
            return s;
        }

        private static async Task SendAsync(Socket s, string text)
        {
            byte[] bytes = Encoding.ASCII.GetBytes(text);
            for (int sent = 0; sent < bytes.Length;) sent += await s.SendAsync(bytes.AsMemory(sent), SocketFlags.None);
        }

        private static async Task<string> ReadHeadAsync(Socket s)
        {
            var head = new StringBuilder();
            var one = new byte[1];
            using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
            {
                if (await s.ReceiveAsync(one, SocketFlags.None, cancel.Token) == 0) break;
                head.Append((char)one[0]);
            }
            return head.ToString();
        }

        // One request on its own connection; the whole response (the server closes after it, or the read ends at the body's end).
        private static async Task<string> GetAsync(IPEndPoint endpoint, string path)
        {
            using Socket s = await ConnectAsync(endpoint, smallReceiveBuffer: false);
            await SendAsync(s, $"GET {path} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n");
            var response = new MemoryStream();
            var buffer = new byte[64 * 1024];
            using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            while (true)
            {
                int n = await s.ReceiveAsync(buffer, SocketFlags.None, cancel.Token);
                if (n == 0) break;
                response.Write(buffer, 0, n);
            }
            return Encoding.Latin1.GetString(response.ToArray());
        }

        // How long after its start the server closed the connection (end of stream or reset); null if it stayed open 30 s.
        private static async Task<TimeSpan?> WaitClosedAsync(Socket s, Stopwatch since)
        {
            var buffer = new byte[1024];
            using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                while (await s.ReceiveAsync(buffer, SocketFlags.None, cancel.Token) > 0)
                {
                }
                return since.Elapsed;
            }
            catch (SocketException)
            {
                return since.Elapsed;
            }
            catch (OperationCanceledException)
            {
                return null;
            }
        }

        private readonly record struct Memory(long Rss, long Managed)
        {
            public static Memory Measure()
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
                GC.Collect();
                long managed = GC.GetTotalMemory(forceFullCollection: true);
                return new Memory(ReadRss(), managed);
            }

            private static long ReadRss()
            {
                // VmRSS from /proc (Linux); Process.WorkingSet64 elsewhere.
                const string status = "/proc/self/status";
                if (File.Exists(status))
                {
                    foreach (string line in File.ReadLines(status))
                    {
                        if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                            return long.Parse(line.Substring(6).Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) * 1024;
                    }
                }
                using var self = Process.GetCurrentProcess();
                return self.WorkingSet64;
            }

            public override string ToString() => $"RSS {Rss / MiB} MiB, managed {Managed / MiB} MiB";
        }
    }
}
