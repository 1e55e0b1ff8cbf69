using System;
using System.Globalization;
using System.IO;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using OpenCvSharp;

namespace PoseRT.Vision
{
    /// <summary>
    /// An MJPEG stream over HTTP (<c>multipart/x-mixed-replace</c>, what IP cameras, ESP32 boards and OpenCV/FFmpeg
    /// servers send), read without FFmpeg: the FFmpeg inside OpenCvSharp's Linux runtime has no network protocols,
    /// so <c>VideoCapture</c> cannot open any URL there. Each part is decoded with <see cref="Cv2.ImDecode(byte[], ImreadModes)"/>.
    /// A dropped connection or a read timeout is <see cref="FrameReadStatus.Failed"/>, for
    /// <see cref="ReconnectingFrameSource"/> to reconnect.
    /// </summary>
    public sealed class MjpegHttpSource : IFrameSource
    {
        /// <summary>Largest JPEG part accepted (a 8K frame at high quality is about 10 MB).</summary>
        public const int MaxPartBytes = 32 << 20;

        private const int MaxHeaderBytes = 16 << 10;
        private readonly TcpClient _client;
        private readonly Stream _stream;
        private readonly byte[] _boundary;
        private byte[] _part = new byte[1 << 16];

        private MjpegHttpSource(TcpClient client, Stream stream, string boundary, string description)
        {
            _client = client;
            _stream = stream;
            _boundary = Encoding.ASCII.GetBytes("--" + boundary);
            Description = description;
        }

        /// <inheritdoc />
        public string Description { get; }

        /// <inheritdoc />
        public bool IsLive => true;

        /// <summary>0: an MJPEG stream does not state its rate.</summary>
        public double Fps => 0;

        /// <summary>
        /// Connects to <paramref name="url"/> (http or https) and reads the response head. Throws
        /// <see cref="CaptureException"/> naming the URL when the server cannot be reached within
        /// <paramref name="timeout"/>, answers with an error status, or does not send an MJPEG stream.
        /// </summary>
        public static MjpegHttpSource Open(string url, TimeSpan timeout)
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out Uri? uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
                throw new CaptureException($"'{url}' is not an http:// or https:// address.");
            string description = "stream " + url;
            var client = new TcpClient { ReceiveTimeout = (int)timeout.TotalMilliseconds, SendTimeout = (int)timeout.TotalMilliseconds, NoDelay = true };
            try
            {
                if (!client.ConnectAsync(uri.Host, uri.Port).Wait(timeout))
                    throw new CaptureException($"Could not connect to {url} within {timeout.TotalSeconds:F0} s.");
                Stream stream = new BufferedStream(client.GetStream(), 1 << 16);
                if (uri.Scheme == Uri.UriSchemeHttps)
                {
                    var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
                    ssl.AuthenticateAsClient(uri.Host);
                    stream = ssl;
                }
                // HTTP/1.0: no chunked transfer encoding, the body is the stream itself.
                string request = $"GET {uri.PathAndQuery} HTTP/1.0\r\nHost: {uri.Authority}\r\nUser-Agent: PoseRT\r\nAccept: multipart/x-mixed-replace, image/jpeg\r\n" +
                    (uri.UserInfo.Length > 0 ? "Authorization: Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(Uri.UnescapeDataString(uri.UserInfo))) + "\r\n" : "") + "\r\n";
                byte[] bytes = Encoding.ASCII.GetBytes(request);
                stream.Write(bytes, 0, bytes.Length);
                stream.Flush();
                string status = ReadLine(stream, url) ?? throw new CaptureException($"{url} closed the connection without an answer.");
                string[] parts = status.Split(' ');
                if (parts.Length < 2 || !parts[0].StartsWith("HTTP/", StringComparison.Ordinal) || parts[1] != "200")
                    throw new CaptureException($"{url} answered '{status}' (expected HTTP 200 with an MJPEG stream).");
                string? contentType = null;
                for (string? line = ReadLine(stream, url); !string.IsNullOrEmpty(line); line = ReadLine(stream, url))
                {
                    int colon = line.IndexOf(':');
                    if (colon > 0 && line.Substring(0, colon).Trim().Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
                        contentType = line.Substring(colon + 1).Trim();
                }
                string boundary = Boundary(contentType)
                    ?? throw new CaptureException($"{url} sends '{contentType ?? "no Content-Type"}', not an MJPEG stream (multipart/x-mixed-replace with a boundary). " +
                        "PoseRT reads MJPEG over HTTP itself; other stream formats (RTSP, HLS, H.264 over HTTP) need an OpenCV build whose FFmpeg has network support.");
                return new MjpegHttpSource(client, stream, boundary, description);
            }
            catch (Exception e) when (e is SocketException || e is IOException || e is AggregateException || e is System.Security.Authentication.AuthenticationException)
            {
                client.Dispose();
                throw new CaptureException($"Could not open {url}: {(e is AggregateException a ? a.InnerException?.Message ?? a.Message : e.Message)}", e);
            }
            catch
            {
                client.Dispose();
                throw;
            }
        }

        /// <summary>The boundary of a <c>multipart/x-mixed-replace</c> content type, without quotes or a leading "--"; null otherwise.</summary>
        internal static string? Boundary(string? contentType)
        {
            if (contentType == null || !contentType.StartsWith("multipart/x-mixed-replace", StringComparison.OrdinalIgnoreCase)) return null;
            foreach (string parameter in contentType.Split(';'))
            {
                string p = parameter.Trim();
                if (!p.StartsWith("boundary=", StringComparison.OrdinalIgnoreCase)) continue;
                string b = p.Substring("boundary=".Length).Trim().Trim('"');
                if (b.StartsWith("--", StringComparison.Ordinal)) b = b.Substring(2);
                return b.Length > 0 ? b : null;
            }
            return null;
        }

        /// <summary>Reads and decodes the next part; a closed connection, a timeout or an undecodable part is <see cref="FrameReadStatus.Failed"/>.</summary>
        public FrameReadStatus Read(Mat frame)
        {
            if (frame == null) throw new ArgumentNullException(nameof(frame));
            try
            {
                // Skip to the boundary line (servers put a CRLF, or nothing, before it).
                string? line;
                do
                {
                    line = ReadLine(_stream, Description);
                    if (line == null) return FrameReadStatus.Failed;
                }
                while (!StartsWithBoundary(line));
                int length = -1;
                for (line = ReadLine(_stream, Description); !string.IsNullOrEmpty(line); line = ReadLine(_stream, Description))
                {
                    int colon = line.IndexOf(':');
                    if (colon > 0 && line.Substring(0, colon).Trim().Equals("Content-Length", StringComparison.OrdinalIgnoreCase)
                        && int.TryParse(line.Substring(colon + 1).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int n))
                        length = n;
                }
                if (line == null) return FrameReadStatus.Failed;
                if (length < 0 || length > MaxPartBytes)
                    throw new CaptureException($"{Description}: a part has {(length < 0 ? "no Content-Length" : $"Content-Length {length} (more than {MaxPartBytes})")}; PoseRT reads MJPEG parts with a stated length.");
                if (_part.Length < length) _part = new byte[Math.Max(length, _part.Length * 2)];
                int got = 0;
                while (got < length)
                {
                    int n = _stream.Read(_part, got, length - got);
                    if (n <= 0) return FrameReadStatus.Failed;
                    got += n;
                }
                using var decoded = Cv2.ImDecode(new ReadOnlySpan<byte>(_part, 0, length), ImreadModes.Color);
                if (decoded.Empty()) return FrameReadStatus.Failed;
                decoded.CopyTo(frame);
                return FrameReadStatus.Frame;
            }
            catch (IOException)
            {
                // A read timeout or a reset connection: the stream is down, the caller reconnects.
                return FrameReadStatus.Failed;
            }
        }

        private bool StartsWithBoundary(string line)
        {
            if (line.Length < _boundary.Length) return false;
            for (int i = 0; i < _boundary.Length; i++) if (line[i] != _boundary[i]) return false;
            return true;
        }

        /// <summary>One CRLF- or LF-terminated ASCII line, or null at the end of the stream; longer than the header limit is an error.</summary>
        private static string? ReadLine(Stream stream, string source)
        {
            var line = new StringBuilder();
            while (true)
            {
                int b = stream.ReadByte();
                if (b < 0) return line.Length > 0 ? line.ToString() : null;
                if (b == '\n') break;
                if (line.Length >= MaxHeaderBytes) throw new CaptureException($"{source}: a header line is longer than {MaxHeaderBytes} bytes; not an MJPEG stream.");
                line.Append((char)b);
            }
            if (line.Length > 0 && line[line.Length - 1] == '\r') line.Length--;
            return line.ToString();
        }

        /// <inheritdoc />
        public void Dispose()
        {
            _stream.Dispose();
            _client.Dispose();
        }
    }
}
