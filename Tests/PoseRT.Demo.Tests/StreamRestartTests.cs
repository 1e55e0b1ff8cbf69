using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using OpenCvSharp;
using PoseRT.Vision;

namespace PoseRT.Tests
{
    /// <summary>
    /// The demo reading a real HTTP MJPEG stream (OpenCV's FFmpeg client, the path an IP camera takes) whose server is
    /// killed and restarted ten times, then killed for good: every outage is survived with back-off, the tracker keeps
    /// its ids across the gaps where the person is still there, and the recording is finalised when the stream is gone.
    /// </summary>
    public class StreamRestartTests
    {
        private const int Restarts = 10;
        private const int FramesPerSegment = 12;

        [Fact]
        public async Task The_demo_survives_ten_server_restarts_with_back_off_and_finalises_its_output_when_the_stream_ends()
        {
            string dir = RepoPaths.NewTempDir("stream-restart");
            var clip = PoseRT.Synthetic.SyntheticPeople.GenerateClip(
                new PoseRT.Synthetic.SyntheticClipOptions { Frames = 100, People = 1, Seed = 3, Difficulty = 0.1, Name = "walk" }, dir);
            OpenCvNative.EnsureAvailable();
            var jpegs = new List<byte[]>();
            using (var capture = new VideoCapture(clip.VideoPath))
            using (var m = new Mat())
                while (capture.Read(m) && !m.Empty()) jpegs.Add(m.ImEncode(".jpg"));
            Assert.True(jpegs.Count >= 50, $"the generated clip has {jpegs.Count} frames");

            using var server = new MjpegServer(jpegs, fps: 25);
            int port = server.Start(0);
            string output = Path.Combine(dir, "out.mp4");
            var policy = new RetryPolicy { InitialDelay = TimeSpan.FromMilliseconds(50), MaxDelay = TimeSpan.FromMilliseconds(400), MaxAttempts = 6 };
            var stderr = new TimestampedWriter();
            var ids = new List<int[]>();
            var segmentOf = new List<int>();
            int segment = 0, framesInSegment = 0;
            var outages = new List<Task>();

            void OnFrame(PoseRT.Demo.Pipeline.FrameResult r)
            {
                var frameIds = new int[r.PoseCount];
                for (int i = 0; i < r.PoseCount; i++) frameIds[i] = r.PoseBuffer[i].TrackId;
                ids.Add(frameIds);
                segmentOf.Add(segment);
                // Frames the demo still reads from its socket buffers after a stop belong to the outage: count a segment's
                // frames only once the demo has reported the recovery from the previous stop.
                if (segment > Restarts || stderr.Count("recovered after") < segment) return;
                if (++framesInSegment < FramesPerSegment) return;
                framesInSegment = 0;
                segment++;
                server.Stop();
                // The last stop is for good; the others are outages of 300 ms, long enough for two failed reconnects.
                if (segment <= Restarts) outages.Add(Task.Delay(300).ContinueWith(_ => server.Start(port)));
            }

            var options = new PoseRT.Demo.DemoRunOptions
            {
                Input = $"http://127.0.0.1:{port}/stream.mjpg", Output = output, Window = "off", Device = "cpu", Retry = policy,
            };
            var wall = Stopwatch.StartNew();
            int code = PoseRT.Demo.DemoApp.Run(options, new StringWriter(), stderr, CancellationToken.None, configure: p => p.FrameObserver = OnFrame);
            await Task.WhenAll(outages);
            string log = stderr.ToString();

            // Ten recoveries, one per restart, then the documented give-up: exit 1 naming the stream.
            Assert.True(segment == Restarts + 1, $"the stream was stopped {segment} times; log:\n{log}");
            Assert.Equal(Restarts, CountLines(log, "recovered after"));
            Assert.True(code == 1, $"exit code {code}; log:\n{log}");
            Assert.Contains($"did not recover after {policy.MaxAttempts} attempts", log, StringComparison.Ordinal);

            // Back-off: within the final outage every reconnect waits at least the doubling delay (50, 100, 200, 400, 400 ms).
            var final = stderr.LinesSince(stderr.LastIndexOf("retrying with back-off"), "reconnect attempt");
            Assert.Equal(policy.MaxAttempts, final.Count);
            double expected = policy.InitialDelay.TotalMilliseconds;
            for (int k = 1; k < final.Count; k++)
            {
                expected = Math.Min(expected * 2, policy.MaxDelay.TotalMilliseconds);
                double gap = (final[k] - final[k - 1]).TotalMilliseconds;
                Assert.True(gap >= expected - 5, $"attempt {k + 1} came {gap:F0} ms after attempt {k}; the back-off says at least {expected} ms");
            }

            // Ids survive a gap when the person is still found: the first id after most restarts is one seen before it.
            int kept = 0, comparable = 0;
            for (int s = 1; s <= Restarts; s++)
            {
                int[]? before = LastWithPeople(ids, segmentOf, s - 1), after = FirstWithPeople(ids, segmentOf, s);
                if (before == null || after == null) continue;
                comparable++;
                if (Array.IndexOf(before, after[0]) >= 0) kept++;
            }
            Assert.True(comparable >= Restarts / 2, $"people were tracked on both sides of only {comparable} of {Restarts} restarts");
            Assert.True(kept * 2 >= comparable, $"the track id survived {kept} of {comparable} restarts");

            // The recording of a live source is what it delivered before it died: published, with every frame.
            Assert.True(File.Exists(output), "the output video was not published");
            Assert.Empty(Directory.GetFiles(dir, "*.tmp*"));
            using var written = new VideoCapture(output);
            int frames = 0;
            using (var m = new Mat())
                while (written.Read(m) && !m.Empty()) frames++;
            Assert.Equal(ids.Count, frames);
            Assert.True(wall.Elapsed < TimeSpan.FromMinutes(3), $"the run took {wall.Elapsed}");
        }

        [Theory]
        [InlineData("HTTP/1.0 404 Not Found\r\n\r\n", "answered 'HTTP/1.0 404 Not Found'")]
        [InlineData("HTTP/1.0 200 OK\r\nContent-Type: video/mp4\r\n\r\n", "sends 'video/mp4', not an MJPEG stream")]
        [InlineData("HTTP/1.0 200 OK\r\nContent-Type: multipart/x-mixed-replace\r\n\r\n", "not an MJPEG stream (multipart/x-mixed-replace with a boundary)")]
        [InlineData("", "closed the connection without an answer")]
        public async Task A_server_that_is_not_an_mjpeg_stream_gets_an_error_naming_the_url_and_what_it_sent(string response, string expected)
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            int port = ((IPEndPoint)listener.LocalEndpoint).Port;
            var serve = Task.Run(() =>
            {
                using var client = listener.AcceptTcpClient();
                var stream = client.GetStream();
                var head = new byte[4096];
                int got = 0;
                while (!Encoding.ASCII.GetString(head, 0, got).Contains("\r\n\r\n", StringComparison.Ordinal))
                {
                    int n = stream.Read(head, got, head.Length - got);
                    if (n <= 0) return;
                    got += n;
                }
                byte[] bytes = Encoding.ASCII.GetBytes(response);
                stream.Write(bytes, 0, bytes.Length);
            });
            string url = $"http://127.0.0.1:{port}/cam";
            try
            {
                var e = Assert.Throws<CaptureException>(() => FrameSources.Open(url).Dispose());
                Assert.Contains(url, e.Message, StringComparison.Ordinal);
                Assert.Contains(expected, e.Message, StringComparison.Ordinal);
            }
            finally
            {
                listener.Stop();
            }
            await serve.WaitAsync(TimeSpan.FromSeconds(10));
        }

        [Fact]
        public void A_refused_connection_is_a_capture_error_naming_the_url()
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            int port = ((IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            string url = $"http://127.0.0.1:{port}/cam";
            Assert.Contains(url, Assert.Throws<CaptureException>(() => FrameSources.Open(url).Dispose()).Message, StringComparison.Ordinal);
        }

        private static int CountLines(string log, string text)
        {
            int n = 0;
            foreach (string line in log.Split('\n')) if (line.Contains(text, StringComparison.Ordinal)) n++;
            return n;
        }

        private static int[]? LastWithPeople(List<int[]> ids, List<int> segments, int segment)
        {
            for (int i = ids.Count - 1; i >= 0; i--) if (segments[i] == segment && ids[i].Length > 0) return ids[i];
            return null;
        }

        private static int[]? FirstWithPeople(List<int[]> ids, List<int> segments, int segment)
        {
            for (int i = 0; i < ids.Count; i++) if (segments[i] == segment && ids[i].Length > 0) return ids[i];
            return null;
        }

        /// <summary>stderr with the time each line was written, for the back-off check.</summary>
        private sealed class TimestampedWriter : StringWriter
        {
            private readonly Stopwatch _clock = Stopwatch.StartNew();
            private readonly List<(TimeSpan At, string Line)> _lines = new List<(TimeSpan, string)>();

            public override void WriteLine(string? value)
            {
                lock (_lines) _lines.Add((_clock.Elapsed, value ?? ""));
                base.WriteLine(value);
            }

            public int Count(string text)
            {
                int n = 0;
                lock (_lines)
                    foreach (var (_, line) in _lines) if (line.Contains(text, StringComparison.Ordinal)) n++;
                return n;
            }

            public int LastIndexOf(string text)
            {
                lock (_lines)
                    for (int i = _lines.Count - 1; i >= 0; i--) if (_lines[i].Line.Contains(text, StringComparison.Ordinal)) return i;
                return -1;
            }

            public List<TimeSpan> LinesSince(int index, string text)
            {
                var times = new List<TimeSpan>();
                lock (_lines)
                    for (int i = Math.Max(0, index); i < _lines.Count; i++)
                        if (_lines[i].Line.Contains(text, StringComparison.Ordinal)) times.Add(_lines[i].At);
                return times;
            }
        }

        /// <summary>
        /// A minimal MJPEG-over-HTTP server (multipart/x-mixed-replace, as IP cameras serve it) on 127.0.0.1. It binds the
        /// port itself (0: the system picks one) and can be stopped, dropping every client, and started again on that port.
        /// </summary>
        private sealed class MjpegServer : IDisposable
        {
            private readonly IReadOnlyList<byte[]> _frames;
            private readonly int _fps;
            private readonly Stopwatch _clock = Stopwatch.StartNew();
            private readonly object _gate = new object();
            private TcpListener? _listener;
            private CancellationTokenSource? _stop;

            public MjpegServer(IReadOnlyList<byte[]> frames, int fps)
            {
                _frames = frames;
                _fps = fps;
            }

            public int Start(int port)
            {
                lock (_gate)
                {
                    var listener = new TcpListener(IPAddress.Loopback, port);
                    listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
                    listener.Start();
                    _listener = listener;
                    _stop = new CancellationTokenSource();
                    var token = _stop.Token;
                    new Thread(() => Accept(listener, token)) { IsBackground = true, Name = "mjpeg accept" }.Start();
                    return ((IPEndPoint)listener.LocalEndpoint).Port;
                }
            }

            public void Stop()
            {
                lock (_gate)
                {
                    _stop?.Cancel();
                    _listener?.Stop();
                    _listener = null;
                }
            }

            private void Accept(TcpListener listener, CancellationToken token)
            {
                while (!token.IsCancellationRequested)
                {
                    TcpClient client;
                    try
                    {
                        client = listener.AcceptTcpClient();
                    }
                    catch (Exception e) when (e is SocketException || e is ObjectDisposedException || e is InvalidOperationException)
                    {
                        return;
                    }
                    new Thread(() => Serve(client, token)) { IsBackground = true, Name = "mjpeg client" }.Start();
                }
            }

            private void Serve(TcpClient client, CancellationToken token)
            {
                using (client)
                using (token.Register(() => client.Close()))
                {
                    try
                    {
                        var stream = client.GetStream();
                        var head = new byte[4096];
                        int got = 0;
                        while (got < head.Length && !Encoding.ASCII.GetString(head, 0, got).Contains("\r\n\r\n", StringComparison.Ordinal))
                        {
                            int n = stream.Read(head, got, head.Length - got);
                            if (n <= 0) return;
                            got += n;
                        }
                        Write(stream, "HTTP/1.0 200 OK\r\nContent-Type: multipart/x-mixed-replace;boundary=frame\r\nCache-Control: no-cache\r\n\r\n");
                        while (!token.IsCancellationRequested)
                        {
                            // The camera's clock, not the client's: a reconnecting client joins the scene where it is now.
                            byte[] jpeg = _frames[(int)(_clock.Elapsed.TotalSeconds * _fps) % _frames.Count];
                            Write(stream, $"--frame\r\nContent-Type: image/jpeg\r\nContent-Length: {jpeg.Length}\r\n\r\n");
                            stream.Write(jpeg, 0, jpeg.Length);
                            Write(stream, "\r\n");
                            if (token.WaitHandle.WaitOne(1000 / _fps)) return;
                        }
                    }
                    catch (Exception e) when (e is IOException || e is SocketException || e is ObjectDisposedException)
                    {
                        // The client went away or the server was stopped.
                    }
                }
            }

            private static void Write(NetworkStream stream, string text)
            {
                byte[] bytes = Encoding.ASCII.GetBytes(text);
                stream.Write(bytes, 0, bytes.Length);
            }

            public void Dispose() => Stop();
        }
    }
}
