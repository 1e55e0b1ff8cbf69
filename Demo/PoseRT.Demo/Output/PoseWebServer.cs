using System;
using System.Buffers;
using System.Net;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using OpenCvSharp;
using PoseRT.Demo.Pipeline;

namespace PoseRT.Demo.Output
{
    /// <summary>
    /// The <c>--serve</c> page for kiosk browsers, on <see cref="HttpListener"/> (no extra framework):
    /// <c>/</c> the page, <c>/frame.jpg</c> the latest annotated frame, <c>/stream.mjpg</c> an MJPEG
    /// stream of them, <c>/poses.json</c> the latest poses. Bound to 127.0.0.1 unless told otherwise.
    /// </summary>
    internal sealed class PoseWebServer : IFrameSink
    {
        private const string Boundary = "posertframe";
        private readonly HttpListener _listener = new HttpListener();
        private readonly ArrayBufferWriter<byte> _json = new ArrayBufferWriter<byte>();
        private readonly object _gate = new object();
        private readonly CancellationTokenSource _stop = new CancellationTokenSource();
        private readonly Action<string> _log;
        private readonly Task _loop;
        private byte[] _latestJpeg = Array.Empty<byte>();
        private byte[] _latestJson = Encoding.UTF8.GetBytes("{\"frame\":-1,\"poses\":[]}");
        private long _version;

        public PoseWebServer(string host, int port, Action<string> log)
        {
            _log = log;
            Url = $"http://{host}:{port}/";
            _listener.Prefixes.Add(Url);
            try
            {
                _listener.Start();
            }
            catch (HttpListenerException e)
            {
                throw new InvalidOperationException($"Cannot serve the page on {Url}: {e.Message} (is the port in use? try --serve-port).", e);
            }
            _loop = Task.Run(AcceptLoop);
        }

        public string Url { get; }

        public bool NeedsImage => true;

        public bool StopRequested => false;

        public long FramesPublished => Interlocked.Read(ref _version);

        public void Write(FrameResult result, Mat annotated)
        {
            Cv2.ImEncode(".jpg", annotated, out byte[] jpeg, new ImageEncodingParam(ImwriteFlags.JpegQuality, 80));
            _json.Clear();
            PoseFrameJson.Write(_json, result);
            byte[] json = _json.WrittenSpan.ToArray();
            lock (_gate)
            {
                _latestJpeg = jpeg;
                _latestJson = json;
                _version++;
                Monitor.PulseAll(_gate);
            }
        }

        private async Task AcceptLoop()
        {
            while (!_stop.IsCancellationRequested)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync().ConfigureAwait(false);
                }
                catch (Exception e) when (e is HttpListenerException || e is ObjectDisposedException || e is InvalidOperationException)
                {
                    return;
                }
                _ = Task.Run(() => Handle(context));
            }
        }

        private void Handle(HttpListenerContext context)
        {
            HttpListenerResponse response = context.Response;
            try
            {
                response.Headers["Cache-Control"] = "no-store";
                switch (context.Request.Url?.AbsolutePath)
                {
                    case "/":
                    case "/index.html":
                        Send(response, "text/html; charset=utf-8", Encoding.UTF8.GetBytes(Page));
                        break;
                    case "/poses.json":
                        byte[] json;
                        lock (_gate) json = _latestJson;
                        Send(response, "application/json", json);
                        break;
                    case "/frame.jpg":
                        byte[] jpeg;
                        lock (_gate) jpeg = _latestJpeg;
                        if (jpeg.Length == 0)
                        {
                            response.StatusCode = 503;
                            Send(response, "text/plain", Encoding.UTF8.GetBytes("no frame yet"));
                        }
                        else
                        {
                            Send(response, "image/jpeg", jpeg);
                        }
                        break;
                    case "/stream.mjpg":
                        StreamMjpeg(response);
                        break;
                    default:
                        response.StatusCode = 404;
                        Send(response, "text/plain", Encoding.UTF8.GetBytes("not found"));
                        break;
                }
            }
            catch (Exception e) when (e is HttpListenerException || e is System.IO.IOException || e is ObjectDisposedException)
            {
                // The browser went away mid-response: nothing to do.
            }
            finally
            {
                try
                {
                    response.Close();
                }
                catch (Exception e) when (e is HttpListenerException || e is ObjectDisposedException || e is InvalidOperationException)
                {
                }
            }
        }

        private static void Send(HttpListenerResponse response, string type, byte[] body)
        {
            response.ContentType = type;
            response.ContentLength64 = body.Length;
            response.OutputStream.Write(body, 0, body.Length);
        }

        private void StreamMjpeg(HttpListenerResponse response)
        {
            response.ContentType = "multipart/x-mixed-replace; boundary=" + Boundary;
            response.SendChunked = true;
            long seen = -1;
            while (!_stop.IsCancellationRequested)
            {
                byte[] jpeg;
                lock (_gate)
                {
                    while (_version == seen && !_stop.IsCancellationRequested) Monitor.Wait(_gate, 500);
                    seen = _version;
                    jpeg = _latestJpeg;
                }
                if (jpeg.Length == 0) continue;
                byte[] head = Encoding.ASCII.GetBytes($"--{Boundary}\r\nContent-Type: image/jpeg\r\nContent-Length: {jpeg.Length}\r\n\r\n");
                response.OutputStream.Write(head, 0, head.Length);
                response.OutputStream.Write(jpeg, 0, jpeg.Length);
                response.OutputStream.Write(CrLf, 0, CrLf.Length);
                response.OutputStream.Flush();
            }
        }

        private static readonly byte[] CrLf = { 13, 10 };

        public void Complete()
        {
        }

        public void Dispose()
        {
            _stop.Cancel();
            lock (_gate) Monitor.PulseAll(_gate);
            try
            {
                _listener.Stop();
                _listener.Close();
            }
            catch (ObjectDisposedException)
            {
            }
            try
            {
                _loop.Wait(2000);
            }
            catch (AggregateException e)
            {
                _log("serve: " + e.InnerException?.Message);
            }
            _stop.Dispose();
        }

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
