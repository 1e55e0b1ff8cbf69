using System;
using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using OpenCvSharp;
using PoseRT.Demo.Pipeline;

namespace PoseRT.Demo.Output
{
    /// <summary>
    /// The <c>--serve</c> page for kiosk browsers, a small HTTP/1.1 server on a socket (no extra framework):
    /// <c>/</c> the page, <c>/frame.jpg</c> the latest annotated frame, <c>/stream.mjpg</c> an MJPEG
    /// stream of them, <c>/poses.json</c> the latest poses. Bound to 127.0.0.1 unless told otherwise.
    /// It keeps <see cref="ServerLimits"/>: at most <see cref="ServerLimits.MaxClients"/> connections (one more
    /// gets HTTP 503), a request head within <see cref="ServerLimits.RequestTimeout"/> (slowloris connections are
    /// closed), idle keep-alive connections closed after <see cref="ServerLimits.IdleTimeout"/>, and an MJPEG
    /// client holds only the newest frame (a shared reference): frames published while it is still being sent
    /// one are dropped for it and counted, and a client that accepts nothing for
    /// <see cref="ServerLimits.StallTimeout"/> is closed.
    /// </summary>
    internal sealed class PoseWebServer : IFrameSink
    {
        /// <summary>Largest request head accepted (request line and headers); a larger one gets HTTP 431.</summary>
        internal const int MaxRequestHeadBytes = 16 * 1024;

        private const string Boundary = "posertframe";
        private static readonly byte[] CrLf = { 13, 10 };
        private static readonly byte[] HeadEnd = { 13, 10, 13, 10 };

        private readonly Socket _listener;
        private readonly ServerLimits _limits;
        private readonly ArrayBufferWriter<byte> _json = new ArrayBufferWriter<byte>();
        private readonly object _gate = new object();
        private readonly CancellationTokenSource _stop = new CancellationTokenSource();
        private readonly ConcurrentDictionary<Socket, byte> _open = new ConcurrentDictionary<Socket, byte>();
        private readonly LogThrottle _throttle = new LogThrottle(TimeSpan.FromSeconds(5));
        private readonly Action<string> _log;
        private readonly Task _loop;
        private Published _latest = new Published(0, Array.Empty<byte>(), Encoding.UTF8.GetBytes("{\"frame\":-1,\"poses\":[]}"));
        private readonly ChangeSignal _published = new ChangeSignal();
        private readonly ChangeSignal _clientsChanged = new ChangeSignal();
        private int _clients;
        private int _refusing;
        private long _refused;
        private long _timedOut;
        private long _stalled;
        private long _dropped;

        /// <summary>Serves on <paramref name="host"/>:<paramref name="port"/> (port 0: one the system picks, see <see cref="Port"/>).</summary>
        public PoseWebServer(string host, int port, Action<string> log, ServerLimits? limits = null)
        {
            _log = log;
            _limits = limits ?? new ServerLimits();
            IPAddress address = ParseHost(host);
            _listener = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                _listener.Bind(new IPEndPoint(address, port));
                _listener.Listen(Math.Min(1024, _limits.MaxClients * 2 + 16));
            }
            catch (SocketException e)
            {
                _listener.Dispose();
                throw new InvalidOperationException($"Cannot serve the page on {host}:{port}: {e.Message} (is the port in use? try --serve-port).", e);
            }
            Port = ((IPEndPoint)_listener.LocalEndPoint!).Port;
            Url = address.AddressFamily == AddressFamily.InterNetworkV6 ? $"http://[{address}]:{Port}/" : $"http://{address}:{Port}/";
            _loop = Task.Run(AcceptLoop);
        }

        /// <summary>The page's address, with the port actually bound.</summary>
        public string Url { get; }

        /// <summary>The port actually bound.</summary>
        public int Port { get; }

        public bool NeedsImage => true;

        public bool StopRequested => false;

        public long FramesPublished => Volatile.Read(ref _latest).Version;

        /// <summary>Connections open now (refused ones not counted).</summary>
        public int ClientCount => Volatile.Read(ref _clients);

        /// <summary>Connections refused with HTTP 503 because <see cref="ServerLimits.MaxClients"/> were open.</summary>
        public long Refused => Interlocked.Read(ref _refused);

        /// <summary>Connections closed because a request head or the next request did not arrive in time.</summary>
        public long TimedOut => Interlocked.Read(ref _timedOut);

        /// <summary>Connections closed because the client accepted no data for <see cref="ServerLimits.StallTimeout"/>.</summary>
        public long Stalled => Interlocked.Read(ref _stalled);

        /// <summary>MJPEG frames not sent to a client because it was still being sent an older one.</summary>
        public long DroppedFrames => Interlocked.Read(ref _dropped);

        public void Write(FrameResult result, Mat annotated)
        {
            Cv2.ImEncode(".jpg", annotated, out byte[] jpeg, new ImageEncodingParam(ImwriteFlags.JpegQuality, 80));
            _json.Clear();
            PoseFrameJson.Write(_json, result);
            Publish(jpeg, _json.WrittenSpan.ToArray());
        }

        /// <summary>Makes <paramref name="jpeg"/> and <paramref name="json"/> the latest frame and wakes the MJPEG clients.</summary>
        internal void Publish(byte[] jpeg, byte[] json)
        {
            lock (_gate) _latest = new Published(_latest.Version + 1, jpeg, json);
            _published.Signal();
        }

        /// <summary>Completes when <paramref name="condition"/> holds for <see cref="ClientCount"/>; false after <paramref name="timeout"/>.</summary>
        internal Task<bool> WaitForClientsAsync(Func<int, bool> condition, TimeSpan timeout) =>
            _clientsChanged.WaitUntilAsync(() => condition(ClientCount), timeout);

        private static IPAddress ParseHost(string host)
        {
            if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase)) return IPAddress.Loopback;
            if (host == "*" || host == "+") return IPAddress.Any;
            if (IPAddress.TryParse(host.Trim('[', ']'), out IPAddress? address)) return address;
            throw new ArgumentException($"--serve-host '{host}' is not an IP address (give e.g. 127.0.0.1, 0.0.0.0 or ::1).", nameof(host));
        }

        private void ClientsChanged(int delta)
        {
            lock (_gate) _clients += delta;
            _clientsChanged.Signal();
        }

        private async Task AcceptLoop()
        {
            while (!_stop.IsCancellationRequested)
            {
                Socket client;
                try
                {
                    client = await _listener.AcceptAsync(_stop.Token).ConfigureAwait(false);
                }
                catch (Exception e) when (e is SocketException || e is ObjectDisposedException || e is OperationCanceledException)
                {
                    return;
                }
                bool admitted;
                lock (_gate)
                {
                    admitted = _clients < _limits.MaxClients;
                }
                if (admitted)
                {
                    ClientsChanged(+1);
                    _open[client] = 0;
                    _ = Task.Run(() => Serve(client));
                }
                else
                {
                    Interlocked.Increment(ref _refused);
                    Report();
                    _ = Task.Run(() => Refuse(client));
                }
            }
        }

        private void Report()
        {
            if (_throttle.Due())
                _log($"serve: {ClientCount} clients (at most {_limits.MaxClients}); so far {Refused} refused, {TimedOut} closed by timeout, " +
                     $"{Stalled} closed for not reading, {DroppedFrames} MJPEG frames dropped for slow clients.");
        }

        // One more than the cap: a short 503 and a close. Refusals in progress are bounded too, so a flood costs nothing lasting.
        private async Task Refuse(Socket client)
        {
            try
            {
                if (Interlocked.Increment(ref _refusing) > _limits.MaxClients) return;
                byte[] body = Encoding.ASCII.GetBytes($"posert-demo: this page serves at most {_limits.MaxClients} clients at once (--max-clients); try again later.\n");
                byte[] response = Encoding.ASCII.GetBytes(
                    $"HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\nContent-Length: {body.Length}\r\nRetry-After: 5\r\nConnection: close\r\n\r\n");
                using var cancel = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                cancel.CancelAfter(TimeSpan.FromSeconds(1));
                await SendAsync(client, response, cancel.Token).ConfigureAwait(false);
                await SendAsync(client, body, cancel.Token).ConfigureAwait(false);
                client.Shutdown(SocketShutdown.Send);
                // Read what the client sent, so that closing does not reset the connection before it reads the 503.
                byte[] sink = ArrayPool<byte>.Shared.Rent(4096);
                try
                {
                    for (int total = 0; total < 64 * 1024;)
                    {
                        int n = await client.ReceiveAsync(sink.AsMemory(), SocketFlags.None, cancel.Token).ConfigureAwait(false);
                        if (n == 0) break;
                        total += n;
                    }
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(sink);
                }
            }
            catch (Exception e) when (e is SocketException || e is ObjectDisposedException || e is OperationCanceledException)
            {
            }
            finally
            {
                Interlocked.Decrement(ref _refusing);
                client.Dispose();
            }
        }

        private async Task Serve(Socket client)
        {
            byte[] buffer = ArrayPool<byte>.Shared.Rent(MaxRequestHeadBytes);
            try
            {
                client.NoDelay = true;
                client.SendBufferSize = _limits.SocketSendBufferBytes;
                int have = 0;
                bool first = true;
                while (!_stop.IsCancellationRequested)
                {
                    (int headLength, have) = await ReadHeadAsync(client, buffer, have, first).ConfigureAwait(false);
                    first = false;
                    if (headLength < 0) return;
                    bool keepAlive = await Respond(client, Encoding.ASCII.GetString(buffer, 0, headLength)).ConfigureAwait(false);
                    if (!keepAlive) return;
                    // Keep any pipelined bytes that followed this request's head.
                    Buffer.BlockCopy(buffer, headLength, buffer, 0, have - headLength);
                    have -= headLength;
                }
            }
            catch (OperationCanceledException) when (!_stop.IsCancellationRequested)
            {
                Interlocked.Increment(ref _stalled);
                Report();
            }
            catch (Exception e) when (e is SocketException || e is ObjectDisposedException || e is OperationCanceledException)
            {
                // The browser went away mid-response, or the server is stopping: nothing to do.
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
                _open.TryRemove(client, out _);
                client.Dispose();
                ClientsChanged(-1);
            }
        }

        // Reads until a request head ends; returns its length (with the blank line) and the bytes held, or -1 when the
        // connection closed, timed out (counted) or sent a head too large (answered with 431).
        private async Task<(int HeadLength, int Have)> ReadHeadAsync(Socket client, byte[] buffer, int have, bool first)
        {
            using var cancel = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            // Waiting for a next request is idle time; once a request has begun, its whole head must arrive in time.
            cancel.CancelAfter(first || have > 0 ? _limits.RequestTimeout : _limits.IdleTimeout);
            bool started = have > 0;
            while (true)
            {
                int end = new ReadOnlySpan<byte>(buffer, 0, have).IndexOf(HeadEnd);
                if (end >= 0) return (end + HeadEnd.Length, have);
                if (have >= MaxRequestHeadBytes)
                {
                    await SendResponse(client, 431, "Request Header Fields Too Large", "text/plain",
                        Encoding.ASCII.GetBytes($"request head larger than {MaxRequestHeadBytes} bytes\n"), head: false, keepAlive: false).ConfigureAwait(false);
                    return (-1, have);
                }
                int n;
                try
                {
                    n = await client.ReceiveAsync(buffer.AsMemory(have, MaxRequestHeadBytes - have), SocketFlags.None, cancel.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!_stop.IsCancellationRequested)
                {
                    Interlocked.Increment(ref _timedOut);
                    Report();
                    return (-1, have);
                }
                if (n == 0) return (-1, have);
                if (!started)
                {
                    started = true;
                    cancel.CancelAfter(_limits.RequestTimeout);
                }
                have += n;
            }
        }

        // Answers one request; returns whether the connection stays open for another.
        private async Task<bool> Respond(Socket client, string requestHead)
        {
            int lineEnd = requestHead.IndexOf("\r\n", StringComparison.Ordinal);
            string[] parts = requestHead.Substring(0, lineEnd < 0 ? requestHead.Length : lineEnd).Split(' ');
            if (parts.Length != 3 || !parts[2].StartsWith("HTTP/1.", StringComparison.Ordinal))
            {
                await SendResponse(client, 400, "Bad Request", "text/plain", Encoding.ASCII.GetBytes("bad request line\n"), head: false, keepAlive: false).ConfigureAwait(false);
                return false;
            }
            string method = parts[0], target = parts[1];
            bool head = method == "HEAD";
            string headers = requestHead.ToLowerInvariant();
            // No request bodies are accepted, so one with a body cannot be followed by a next request on this connection.
            bool keepAlive = parts[2] == "HTTP/1.1" && !headers.Contains("\r\nconnection: close", StringComparison.Ordinal)
                             && !headers.Contains("\r\ncontent-length:", StringComparison.Ordinal) && !headers.Contains("\r\ntransfer-encoding:", StringComparison.Ordinal);
            if (method != "GET" && !head)
            {
                await SendResponse(client, 405, "Method Not Allowed", "text/plain", Encoding.ASCII.GetBytes("only GET and HEAD\n"), head: false, keepAlive: false,
                    extraHeaders: "Allow: GET, HEAD\r\n").ConfigureAwait(false);
                return false;
            }
            int query = target.IndexOf('?');
            string path = query < 0 ? target : target.Substring(0, query);
            Published latest;
            lock (_gate) latest = _latest;
            switch (path)
            {
                case "/":
                case "/index.html":
                    await SendResponse(client, 200, "OK", "text/html; charset=utf-8", PageBytes, head, keepAlive).ConfigureAwait(false);
                    return keepAlive;
                case "/poses.json":
                    await SendResponse(client, 200, "OK", "application/json", latest.Json, head, keepAlive).ConfigureAwait(false);
                    return keepAlive;
                case "/frame.jpg":
                    if (latest.Jpeg.Length == 0)
                        await SendResponse(client, 503, "Service Unavailable", "text/plain", Encoding.ASCII.GetBytes("no frame yet"), head, keepAlive).ConfigureAwait(false);
                    else
                        await SendResponse(client, 200, "OK", "image/jpeg", latest.Jpeg, head, keepAlive).ConfigureAwait(false);
                    return keepAlive;
                case "/stream.mjpg":
                    await StreamMjpeg(client, head).ConfigureAwait(false);
                    return false;
                default:
                    await SendResponse(client, 404, "Not Found", "text/plain", Encoding.ASCII.GetBytes("not found"), head, keepAlive).ConfigureAwait(false);
                    return keepAlive;
            }
        }

        private async Task SendResponse(Socket client, int status, string reason, string type, byte[] body, bool head, bool keepAlive, string extraHeaders = "")
        {
            byte[] header = Encoding.ASCII.GetBytes(
                $"HTTP/1.1 {status} {reason}\r\nContent-Type: {type}\r\nContent-Length: {body.Length}\r\nCache-Control: no-store\r\n{extraHeaders}" +
                $"Connection: {(keepAlive ? "keep-alive" : "close")}\r\n\r\n");
            using var cancel = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            cancel.CancelAfter(_limits.StallTimeout);
            await SendAsync(client, header, cancel.Token).ConfigureAwait(false);
            if (!head) await SendAsync(client, body, cancel.Token).ConfigureAwait(false);
        }

        // The newest frame per client, never a queue: a client still being sent frame N skips to the newest when done.
        private async Task StreamMjpeg(Socket client, bool head)
        {
            byte[] header = Encoding.ASCII.GetBytes(
                $"HTTP/1.1 200 OK\r\nContent-Type: multipart/x-mixed-replace; boundary={Boundary}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n");
            using (var cancel = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token))
            {
                cancel.CancelAfter(_limits.StallTimeout);
                await SendAsync(client, header, cancel.Token).ConfigureAwait(false);
            }
            if (head) return;
            long seen = -1;
            try
            {
                while (!_stop.IsCancellationRequested)
                {
                    Task next = _published.Next;
                    Published latest;
                    lock (_gate) latest = _latest;
                    if (latest.Version == seen || latest.Jpeg.Length == 0)
                    {
                        await next.WaitAsync(_stop.Token).ConfigureAwait(false);
                        continue;
                    }
                    if (seen >= 0 && latest.Version > seen + 1) Interlocked.Add(ref _dropped, latest.Version - seen - 1);
                    seen = latest.Version;
                    byte[] part = Encoding.ASCII.GetBytes($"--{Boundary}\r\nContent-Type: image/jpeg\r\nContent-Length: {latest.Jpeg.Length}\r\n\r\n");
                    using var cancel = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                    cancel.CancelAfter(_limits.StallTimeout);
                    await SendAsync(client, part, cancel.Token).ConfigureAwait(false);
                    await SendAsync(client, latest.Jpeg, cancel.Token).ConfigureAwait(false);
                    await SendAsync(client, CrLf, cancel.Token).ConfigureAwait(false);
                }
            }
            finally
            {
                // The frames published after the last one this client was given never reach it: dropped for it too.
                if (seen >= 0) Interlocked.Add(ref _dropped, Volatile.Read(ref _latest).Version - seen);
            }
        }

        private static async Task SendAsync(Socket client, byte[] data, CancellationToken cancel)
        {
            for (int sent = 0; sent < data.Length;)
                sent += await client.SendAsync(data.AsMemory(sent), SocketFlags.None, cancel).ConfigureAwait(false);
        }

        public void Complete()
        {
        }

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Dispose();
            foreach (Socket s in _open.Keys)
            {
                try
                {
                    s.Dispose();
                }
                catch (ObjectDisposedException)
                {
                }
            }
            try
            {
                _loop.Wait(2000);
            }
            catch (AggregateException e)
            {
                _log("serve: " + e.InnerException?.Message);
            }
            // The reports above are throttled; the totals are always said once at the end.
            if (Refused + TimedOut + Stalled + DroppedFrames > 0)
                _log($"serve: in all {Refused} clients refused (at most {_limits.MaxClients}), {TimedOut} closed by timeout, " +
                     $"{Stalled} closed for not reading, {DroppedFrames} MJPEG frames dropped for slow clients.");
        }

        private sealed class Published
        {
            public long Version;

            public Published(long version, byte[] jpeg, byte[] json)
            {
                Version = version;
                Jpeg = jpeg;
                Json = json;
            }

            public byte[] Jpeg { get; }

            public byte[] Json { get; }
        }

        private static readonly byte[] PageBytes = Encoding.UTF8.GetBytes(Page);

        // The page polls the newest frame and poses: works in any kiosk browser, and a page that is
        // left open after the demo stops keeps its last picture instead of a broken image.
        private const string Page = """
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>PoseRT live</title>
<style>
  body { margin: 0; background: #111; color: #ddd; font: 14px system-ui, sans-serif; display: flex; gap: 12px; padding: 12px; }
  img { max-width: 70vw; background: #000; }
  pre { margin: 0; max-height: 90vh; overflow: auto; font-size: 11px; }
  #status { font-weight: bold; margin-bottom: 6px; }
</style>
</head>
<body>
<img id="view" alt="annotated stream" src="/frame.jpg">
<div>
  <div id="status">frame <span id="frame">-</span> · <span id="people">0</span> people · <span id="fps">-</span> FPS</div>
  <pre id="poses">waiting for poses...</pre>
</div>
<script>
const view = document.getElementById('view');
function nextImage() { view.src = '/frame.jpg?t=' + Date.now(); }
view.onload = () => setTimeout(nextImage, 40);
view.onerror = () => setTimeout(nextImage, 250);
async function poll() {
  try {
    const r = await fetch('/poses.json', { cache: 'no-store' });
    const f = await r.json();
    document.getElementById('frame').textContent = f.frame;
    document.getElementById('people').textContent = f.poses.length;
    document.getElementById('fps').textContent = f.fps;
    document.getElementById('poses').textContent = JSON.stringify(f, null, 1);
  } catch (e) { document.getElementById('poses').textContent = 'stream stopped: ' + e; }
  setTimeout(poll, 100);
}
poll();
</script>
</body>
</html>
""";
    }
}
