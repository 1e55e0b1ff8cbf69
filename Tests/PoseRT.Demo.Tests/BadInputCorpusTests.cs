using System;
using System.Collections.Generic;
using System.IO;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using OpenCvSharp;
using PoseRT.Tests.Inference;

namespace PoseRT.Tests
{
    /// <summary>
    /// The bad-input corpus of <c>posert-demo</c>, run through the real program (<c>dotnet posert-demo.dll</c>) on
    /// inputs each case generates; checked by <see cref="CliCorpus.Check"/>.
    /// </summary>
    public class BadInputCorpusTests
    {
        private const string Program = "posert-demo";

        private static string P(string dir, string name) => Path.Combine(dir, name);

        /// <summary>The demo's command line: no window, the given input and output, and extra options.</summary>
        private static string[] Demo(string input, string output, params string[] extra) =>
            new[] { "--window", "off", "-i", input, "-o", output }.Concat(extra).ToArray();

        /// <summary>A folder "in" with the first 3 frames of the bundled clip as JPEGs, plus <paramref name="extra"/> files.</summary>
        private static Action<string> Folder(params (string Name, Func<byte[]> Bytes)[] extra) => dir =>
        {
            string input = P(dir, "in");
            Directory.CreateDirectory(input);
            var frames = Clip.LoadFrames(3);
            for (int i = 0; i < frames.Count; i++)
            {
                Cv2.ImWrite(P(input, $"f{i}.jpg"), frames[i]);
                frames[i].Dispose();
            }
            foreach (var (name, bytes) in extra) System.IO.File.WriteAllBytes(P(input, name), bytes());
        };

        private static Action<string> File(string name, Func<byte[]> bytes) => dir => System.IO.File.WriteAllBytes(P(dir, name), bytes());

        private static readonly Func<byte[]> Garbage = () => "not an image"u8.ToArray();

        private static byte[] SmallerImage()
        {
            using var image = new Mat(120, 160, MatType.CV_8UC3, Scalar.All(90));
            Cv2.ImEncode(".png", image, out byte[] bytes);
            return bytes;
        }

        private static Action<string> Existing(string name, string text) => dir => System.IO.File.WriteAllText(P(dir, name), text);

        private static Action<string> ExistingFrames(string name) => dir =>
        {
            Directory.CreateDirectory(P(dir, name));
            System.IO.File.WriteAllText(P(P(dir, name), "frame_000000.png"), "an earlier run's frame");
            System.IO.File.WriteAllText(P(P(dir, name), "notes.txt"), "mine");
        };

        private static byte[] TruncatedPng()
        {
            byte[] png = SmallerImage();
            return png[..(png.Length / 2)];
        }

        /// <summary>The demo on the bundled clip with model m.onnx from the case's folder, no output.</summary>
        private static string[] WithModel(string dir) => Demo(RepoPaths.SampleVideo, "none", "-m", P(dir, "m.onnx"), "--max-frames", "1");

        // Sockets a case holds open while the program runs (a port in use, a tiny HTTP server), kept for the test run's life.
        private static readonly List<IDisposable> Held = new();

        /// <summary>Binds 127.0.0.1:0 (TCP listening or UDP), keeps the socket open so the port is in use, and writes the port to 'port'.</summary>
        private static Action<string> PortInUse(SocketType type) => dir =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, type, type == SocketType.Stream ? ProtocolType.Tcp : ProtocolType.Udp);
            socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            if (type == SocketType.Stream) socket.Listen();
            lock (Held) Held.Add(socket);
            System.IO.File.WriteAllText(P(dir, "port"), ((IPEndPoint)socket.LocalEndPoint!).Port.ToString(CultureInfo.InvariantCulture));
        };

        /// <summary>Writes a TCP port of 127.0.0.1 that nothing listens on (bound, read and closed) to 'port'.</summary>
        private static void FreePort(string dir)
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            System.IO.File.WriteAllText(P(dir, "port"), ((IPEndPoint)socket.LocalEndPoint!).Port.ToString(CultureInfo.InvariantCulture));
        }

        /// <summary>Serves every connection on 127.0.0.1 with <paramref name="response"/> (an HTTP head and body) and writes the port to 'port'.</summary>
        private static Action<string> HttpServer(string response) => dir =>
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            lock (Held) Held.Add(listener.Server);
            _ = System.Threading.Tasks.Task.Run(async () =>
            {
                byte[] bytes = System.Text.Encoding.ASCII.GetBytes(response);
                while (true)
                {
                    using var client = await listener.AcceptTcpClientAsync().ConfigureAwait(false);
                    var stream = client.GetStream();
                    var request = new byte[4096];
                    _ = await stream.ReadAsync(request).ConfigureAwait(false);
                    await stream.WriteAsync(bytes).ConfigureAwait(false);
                }
            });
            System.IO.File.WriteAllText(P(dir, "port"), ((IPEndPoint)listener.LocalEndpoint).Port.ToString(CultureInfo.InvariantCulture));
        };

        private static string Port(string dir) => System.IO.File.ReadAllText(P(dir, "port"));

        private static string[] Receive(params string[] args) => new[] { "receive" }.Concat(args).ToArray();

        /// <summary>Every case; the README's reliability section counts them.</summary>
        internal static readonly CliCase[] Cases =
        {
            new()
            {
                Name = "image-png-header-100000x100000", Setup = File("huge.png", () => CliCorpus.PngHeader(100000, 100000)),
                Args = d => Demo(P(d, "huge.png"), P(d, "out.mp4")), Message = d => $"'{P(d, "huge.png")}' claims 100000x100000 pixels", Untouched = new[] { "out.mp4" },
            },
            new()
            {
                Name = "image-jpeg-header-65000x65000", Setup = File("huge.jpg", () => CliCorpus.JpegHeader(65000, 65000)),
                Args = d => Demo(P(d, "huge.jpg"), P(d, "out.mp4")), Message = d => $"'{P(d, "huge.jpg")}' claims 65000x65000 pixels", Untouched = new[] { "out.mp4" },
            },
            new()
            {
                Name = "image-not-decodable", Setup = File("bad.jpg", Garbage),
                Args = d => Demo(P(d, "bad.jpg"), P(d, "out.mp4")), Message = d => $"'{P(d, "bad.jpg")}' cannot be decoded", Untouched = new[] { "out.mp4" },
            },
            new()
            {
                Name = "folder-bad-image-strict-keeps-existing-video", Setup = Folder(("zz-bad.jpg", Garbage)) + Existing("keep.mp4", "an earlier video"),
                Args = d => Demo(P(d, "in"), P(d, "keep.mp4"), "--strict-images"), Exit = 1,
                Message = d => $"'{P(P(d, "in"), "zz-bad.jpg")}' cannot be decoded", Untouched = new[] { "keep.mp4" },
            },
            new()
            {
                Name = "folder-bad-image-strict-keeps-existing-frames", Setup = Folder(("zz-bad.jpg", Garbage)) + ExistingFrames("frames"),
                Args = d => Demo(P(d, "in"), P(d, "frames"), "--strict-images"), Exit = 1,
                Message = d => "'" + P(d, "frames") + "' was not written because the run failed", Untouched = new[] { "frames" },
            },
            new()
            {
                Name = "folder-bad-image-skipped-and-counted", Setup = Folder(("m-bad.jpg", Garbage)),
                Args = d => Demo(P(d, "in"), P(d, "out.mp4")), Exit = 0,
                Message = d => $"skipped an unreadable image: Image file '{P(P(d, "in"), "m-bad.jpg")}'", Produces = new[] { "out.mp4" },
            },
            new()
            {
                Name = "folder-huge-header-skipped-and-counted", Setup = Folder(("zz.png", () => CliCorpus.PngHeader(100000, 100000))),
                Args = d => Demo(P(d, "in"), P(d, "frames")), Exit = 0, Message = _ => "1 unreadable image(s) skipped", Produces = new[] { "frames/frame_000002.png" },
            },
            new()
            {
                Name = "folder-only-bad-images", Setup = d => { Directory.CreateDirectory(P(d, "in")); System.IO.File.WriteAllText(P(P(d, "in"), "a.jpg"), "x"); },
                Args = d => Demo(P(d, "in"), P(d, "out.mp4")), Message = d => $"no frame could be read from '{P(d, "in")}'", Untouched = new[] { "out.mp4" },
            },
            new()
            {
                Name = "folder-mixed-sizes-scaled-not-dropped", Setup = Folder(("small.png", SmallerImage)),
                Args = d => Demo(P(d, "in"), P(d, "out.mp4")), Exit = 0, Message = _ => "1 frame(s) of another size than the first were scaled", Produces = new[] { "out.mp4" },
            },
            new()
            {
                Name = "model-heatmaps-nan", Setup = File("nan.onnx", CorpusModels.NanHeatmaps),
                Args = d => Demo(RepoPaths.SampleVideo, P(d, "out.mp4"), "-m", P(d, "nan.onnx"), "--max-frames", "2"),
                Message = d => $"{P(d, "nan.onnx")}: the model's heatmaps hold NaN or infinite values", Untouched = new[] { "out.mp4" },
            },
            new() { Name = "model-missing", Args = d => Demo(RepoPaths.SampleVideo, "none", "-m", P(d, "no.onnx")), Message = d => P(d, "no.onnx") },
            new() { Name = "model-not-onnx", Setup = File("bad.onnx", Garbage), Args = d => Demo(RepoPaths.SampleVideo, "none", "-m", P(d, "bad.onnx")), Message = d => P(d, "bad.onnx") },
            new() { Name = "keypoint-threshold-nan", Args = d => Demo(RepoPaths.SampleVideo, "none", "--keypoint-threshold", "NaN"), Message = _ => "--keypoint-threshold NaN: must be from 0 to 1" },
            new() { Name = "keypoint-threshold-above-1", Args = d => Demo(RepoPaths.SampleVideo, "none", "--keypoint-threshold", "1.5"), Message = _ => "--keypoint-threshold 1.5" },
            new() { Name = "max-frames-negative", Args = d => Demo(RepoPaths.SampleVideo, "none", "--max-frames", "-1"), Message = _ => "--max-frames -1: must be at least 0" },
            new() { Name = "camera-retries-negative", Args = d => Demo(RepoPaths.SampleVideo, "none", "--camera-retries", "-1"), Message = _ => "--camera-retries -1" },
            new() { Name = "serve-port-out-of-range", Args = d => Demo(RepoPaths.SampleVideo, "none", "--serve-port", "70000"), Message = _ => "--serve-port 70000" },
            new() { Name = "detect-every-zero", Args = d => Demo(RepoPaths.SampleVideo, "none", "--detect-every", "0"), Message = _ => "--detect-every 0" },
            new() { Name = "max-people-zero", Args = d => Demo(RepoPaths.SampleVideo, "none", "--max-people", "0"), Message = _ => "--max-people" },
            new() { Name = "min-cutoff-nan", Args = d => Demo(RepoPaths.SampleVideo, "none", "--min-cutoff", "NaN"), Message = _ => "--min-cutoff NaN: must be at least 0.001 (Hz; lower freezes the keypoints)" },
            new() { Name = "min-cutoff-zero", Args = _ => Demo(RepoPaths.SampleVideo, "none", "--min-cutoff", "0"), Message = _ => "--min-cutoff 0: must be at least 0.001" },
            new() { Name = "udp-endpoint-without-port", Args = d => Demo(RepoPaths.SampleVideo, "none", "--udp", "127.0.0.1"), Message = _ => "--udp" },
            new() { Name = "device-unknown", Args = d => Demo(RepoPaths.SampleVideo, "none", "--device", "tpu"), Message = _ => "--device 'tpu' is not one of auto, cpu, cuda, directml" },
            new() { Name = "device-cpu-with-index", Args = d => Demo(RepoPaths.SampleVideo, "none", "--device", "cpu:1"), Message = _ => "--device 'cpu:1': only cuda and directml take a GPU index" },
            new() { Name = "device-gpu-index-not-a-number", Args = d => Demo(RepoPaths.SampleVideo, "none", "--device", "cuda:x"), Message = _ => "a number from 0 to 63" },
            new() { Name = "output-unwritable", Args = d => Demo(RepoPaths.SampleVideo, "/sys/posert-demo/x.mp4"), Message = _ => "--out '/sys/posert-demo/x.mp4' cannot be written" },
            new() { Name = "output-unknown-container", Args = d => Demo(RepoPaths.SampleVideo, P(d, "x.mkv")), Message = _ => "must end in .mp4 or .avi", Untouched = new[] { "x.mkv" } },
            new()
            {
                Name = "output-folder-is-a-file", Setup = Existing("frames", "a file"),
                Args = d => Demo(RepoPaths.SampleVideo, P(d, "frames")), Message = d => $"--out '{P(d, "frames")}' is a file", Untouched = new[] { "frames" },
            },
            new() { Name = "input-missing", Args = d => Demo(P(d, "no-clip.mp4"), "none"), Message = d => $"'{P(d, "no-clip.mp4")}' does not exist" },
            new() { Name = "input-camera-missing", Args = d => Demo("7", "none"), Message = _ => "Camera 7" },
            new() { Name = "unknown-option", Args = d => Demo(RepoPaths.SampleVideo, "none", "--bogus"), Message = _ => "--bogus" },
            // ---- images and videos as input
            new() { Name = "image-zero-bytes", Setup = File("empty.png", Array.Empty<byte>), Args = d => Demo(P(d, "empty.png"), "none"), Message = d => $"'{P(d, "empty.png")}' cannot be decoded" },
            new() { Name = "image-png-truncated", Setup = File("cut.png", TruncatedPng), Args = d => Demo(P(d, "cut.png"), "none"), Message = d => $"'{P(d, "cut.png")}' is truncated or corrupt" },
            new() { Name = "image-png-header-0x5", Setup = File("zero.png", () => CliCorpus.PngHeader(0, 5)), Args = d => Demo(P(d, "zero.png"), "none"), Message = d => $"'{P(d, "zero.png")}' has a header size of 0x5 pixels" },
            new() { Name = "image-bmp-header-70000x70000", Setup = File("huge.bmp", () => CliCorpus.BmpHeader(70000, -70000)), Args = d => Demo(P(d, "huge.bmp"), "none"), Message = d => $"'{P(d, "huge.bmp")}' claims 70000x70000 pixels" },
            new() { Name = "video-not-a-video", Setup = File("clip.mp4", Garbage), Args = d => Demo(P(d, "clip.mp4"), "none"), Message = _ => "Could not open video clip.mp4 (not a video OpenCV can decode?)" },
            new() { Name = "folder-without-images", Setup = d => { Directory.CreateDirectory(P(d, "in")); System.IO.File.WriteAllText(P(P(d, "in"), "notes.txt"), "x"); }, Args = d => Demo(P(d, "in"), "none"), Message = d => $"Folder '{P(d, "in")}' has no images" },
            new() { Name = "input-empty", Args = _ => Demo("", "none"), Message = _ => "No input given" },
            new() { Name = "input-http-unreachable", Setup = FreePort, Args = d => Demo($"http://127.0.0.1:{Port(d)}/cam.mjpg", "none", "--camera-retries", "0"), Message = d => $"http://127.0.0.1:{Port(d)}/cam.mjpg" },
            new()
            {
                Name = "input-http-404", Setup = HttpServer("HTTP/1.0 404 Not Found\r\nContent-Length: 0\r\n\r\n"),
                Args = d => Demo($"http://127.0.0.1:{Port(d)}/cam.mjpg", "none", "--camera-retries", "0"), Message = _ => "answered 'HTTP/1.0 404 Not Found' (expected HTTP 200 with an MJPEG stream)",
            },
            new()
            {
                Name = "input-http-not-mjpeg", Setup = HttpServer("HTTP/1.0 200 OK\r\nContent-Type: text/html\r\n\r\n<html></html>"),
                Args = d => Demo($"http://127.0.0.1:{Port(d)}/", "none", "--camera-retries", "0"), Message = _ => "sends 'text/html', not an MJPEG stream",
            },
            new() { Name = "input-rtsp-unreachable", Setup = FreePort, Args = d => Demo($"rtsp://127.0.0.1:{Port(d)}/x", "none", "--camera-retries", "0"), Message = d => $"Could not open stream rtsp://127.0.0.1:{Port(d)}/x" },

            // ---- the model
            new() { Name = "model-zero-bytes", Setup = File("m.onnx", Array.Empty<byte>), Args = WithModel, Message = d => P(d, "m.onnx") + ":" },
            new() { Name = "model-is-a-png", Setup = File("m.onnx", SmallerImage), Args = WithModel, Message = d => P(d, "m.onnx") + ": ONNX Runtime cannot load it as a model" },
            new() { Name = "model-truncated", Setup = File("m.onnx", CorpusModels.ShippedHalf), Args = WithModel, Message = d => P(d, "m.onnx") + ": ONNX Runtime cannot load it as a model" },
            new() { Name = "model-is-a-folder", Setup = d => Directory.CreateDirectory(P(d, "m.onnx")), Args = WithModel, Message = d => $"'{P(d, "m.onnx")}'" },
            new() { Name = "model-without-posert-metadata", Setup = File("m.onnx", () => new TestModel { WriteMetadata = false }.Build()), Args = WithModel, Message = d => P(d, "m.onnx") + ": the model has no PoseRT metadata" },
            new() { Name = "model-metadata-contradicts-graph", Setup = File("m.onnx", CorpusModels.MetadataContradictsGraph), Args = WithModel, Message = d => P(d, "m.onnx") + ": input 'image' has shape [?, 3, 64, 48]" },

            // ---- outputs
            new()
            {
                Name = "output-is-the-input-video", Setup = d => System.IO.File.Copy(RepoPaths.SampleVideo, P(d, "in.mp4")),
                Args = d => Demo(P(d, "in.mp4"), P(d, "in.mp4"), "--max-frames", "2"), Message = d => $"--out '{P(d, "in.mp4")}' is the same path as --input", Untouched = new[] { "in.mp4" },
            },
            new()
            {
                Name = "output-is-the-input-folder", Setup = Folder(),
                Args = d => Demo(P(d, "in"), P(d, "in")), Message = d => $"--out '{P(d, "in")}' is the same path as --input", Untouched = new[] { "in" },
            },
            new()
            {
                Name = "output-under-a-file", Setup = Existing("file", "mine"), Args = d => Demo(RepoPaths.SampleVideo, P(P(d, "file"), "x.mp4")),
                Message = d => $"'{P(d, "file")}' is a file, so no folder can be made there", Untouched = new[] { "file" },
            },
            new() { Name = "output-in-proc", Args = _ => Demo(RepoPaths.SampleVideo, "/proc/posert-demo/x.avi"), Message = _ => "--out '/proc/posert-demo/x.avi' cannot be written" },
            new() { Name = "output-empty", Args = _ => Demo(RepoPaths.SampleVideo, ""), Message = _ => "--out: the path is empty" },

            // ---- options
            new() { Name = "window-on-without-display", Args = _ => new[] { "--window", "on", "-i", RepoPaths.SampleVideo, "-o", "none", "--max-frames", "1" }, Message = _ => "--window on: no display" },
            new() { Name = "window-unknown", Args = _ => new[] { "--window", "maybe" }, Message = _ => "'maybe'" },
            new() { Name = "detect-every-not-a-number", Args = _ => Demo(RepoPaths.SampleVideo, "none", "--detect-every", "often"), Message = _ => "'often'" },
            new() { Name = "max-people-above-max", Args = _ => Demo(RepoPaths.SampleVideo, "none", "--max-people", "100000"), Message = _ => "MaxPeople (--max-people) must be 1 to" },
            new() { Name = "beta-negative", Args = _ => Demo(RepoPaths.SampleVideo, "none", "--beta", "-1"), Message = _ => "--beta -1: must be at least 0 (Hz per pixel/s)" },
            new() { Name = "beta-infinity", Args = _ => Demo(RepoPaths.SampleVideo, "none", "--beta", "Infinity"), Message = _ => "--beta Infinity: must be at least 0" },
            new() { Name = "max-frames-overflow", Args = _ => Demo(RepoPaths.SampleVideo, "none", "--max-frames", "99999999999999999999"), Message = _ => "'99999999999999999999'" },
            new() { Name = "device-cuda-not-in-this-build", Args = _ => Demo(RepoPaths.SampleVideo, "none", "--device", "cuda", "--max-frames", "1"), Message = _ => "CUDA" },

            // ---- the streams and the page (--udp, --tcp, --serve)
            new()
            {
                Name = "serve-port-in-use-keeps-existing-video", Setup = PortInUse(SocketType.Stream) + Existing("keep.mp4", "an earlier video"),
                Args = d => Demo(RepoPaths.SampleVideo, P(d, "keep.mp4"), "--serve", "--serve-port", Port(d), "--max-frames", "2"),
                Message = d => $"Cannot serve the page on 127.0.0.1:{Port(d)}", Untouched = new[] { "keep.mp4" },
            },
            new() { Name = "serve-host-not-an-address", Args = _ => Demo(RepoPaths.SampleVideo, "none", "--serve", "--serve-host", "kiosk.local", "--max-frames", "1"), Message = _ => "--serve-host 'kiosk.local' is not an IP address" },
            new() { Name = "tcp-port-in-use", Setup = PortInUse(SocketType.Stream), Args = d => Demo(RepoPaths.SampleVideo, "none", "--tcp", "127.0.0.1:" + Port(d), "--max-frames", "1"), Message = d => $"Cannot listen for pose stream clients on tcp://127.0.0.1:{Port(d)}" },
            new() { Name = "tcp-hostname", Args = _ => Demo(RepoPaths.SampleVideo, "none", "--tcp", "example.com:9751"), Message = _ => "--tcp: 'example.com:9751' is not an endpoint" },
            new() { Name = "tcp-port-zero", Args = _ => Demo(RepoPaths.SampleVideo, "none", "--tcp", "127.0.0.1:0"), Message = _ => "--tcp: '127.0.0.1:0' is not an endpoint" },
            new() { Name = "udp-port-above-65535", Args = _ => Demo(RepoPaths.SampleVideo, "none", "--udp", "127.0.0.1:70000"), Message = _ => "--udp: '127.0.0.1:70000' is not an endpoint" },
            new() { Name = "udp-ipv6-without-brackets", Args = _ => Demo(RepoPaths.SampleVideo, "none", "--udp", "::1:9750"), Message = _ => "--udp: '::1:9750' is not an endpoint" },
            new() { Name = "udp-empty", Args = _ => Demo(RepoPaths.SampleVideo, "none", "--udp", " "), Message = _ => "--udp: give an endpoint as host:port" },
            new() { Name = "max-clients-zero", Args = _ => Demo(RepoPaths.SampleVideo, "none", "--max-clients", "0"), Message = _ => "--max-clients 0: must be from 1 to 10000" },
            new() { Name = "client-timeout-zero", Args = _ => Demo(RepoPaths.SampleVideo, "none", "--client-timeout", "0"), Message = _ => "--client-timeout 0: must be from 0.1 to 3600" },
            new() { Name = "client-buffer-above-max", Args = _ => Demo(RepoPaths.SampleVideo, "none", "--client-buffer", "1001"), Message = _ => "--client-buffer 1001: must be from 1 to 1000" },

            // ---- posert-demo receive
            new() { Name = "receive-neither-udp-nor-tcp", Args = _ => Receive(), Message = _ => "posert-demo receive: give exactly one of --udp host:port or --tcp host:port" },
            new() { Name = "receive-udp-and-tcp", Args = _ => Receive("--udp", "127.0.0.1:9750", "--tcp", "127.0.0.1:9751"), Message = _ => "give exactly one of --udp host:port or --tcp host:port" },
            new() { Name = "receive-udp-without-port", Args = _ => Receive("--udp", "127.0.0.1"), Message = _ => "posert-demo receive: --udp: '127.0.0.1' is not an endpoint" },
            new() { Name = "receive-udp-with-no-reconnect", Args = _ => Receive("--udp", "127.0.0.1:9750", "--no-reconnect"), Message = _ => "posert-demo receive: --no-reconnect applies to --tcp only" },
            new() { Name = "receive-count-negative", Args = _ => Receive("--udp", "127.0.0.1:9750", "--count", "-1"), Message = _ => "--count -1: must be at least 0" },
            new() { Name = "receive-timeout-negative", Args = _ => Receive("--udp", "127.0.0.1:9750", "--timeout", "-1"), Message = _ => "--timeout -1: must be from 0 to 86400" },
            new() { Name = "receive-timeout-nan", Args = _ => Receive("--udp", "127.0.0.1:9750", "--timeout", "NaN"), Message = _ => "--timeout NaN: must be from 0 to 86400" },
            new() { Name = "receive-udp-port-in-use", Setup = PortInUse(SocketType.Dgram), Args = d => Receive("--udp", "127.0.0.1:" + Port(d), "--timeout", "1"), Message = d => $"posert-demo receive: cannot listen on udp://127.0.0.1:{Port(d)}" },
            new()
            {
                Name = "receive-tcp-refused-without-reconnect", Setup = FreePort, Args = d => Receive("--tcp", "127.0.0.1:" + Port(d), "--no-reconnect"), Exit = 1,
                Message = d => $"posert-demo receive: cannot connect to tcp://127.0.0.1:{Port(d)}",
            },
            new()
            {
                Name = "receive-tcp-refused-gives-up-at-timeout", Setup = FreePort, Args = d => Receive("--tcp", "127.0.0.1:" + Port(d), "--timeout", "1"), Exit = 1,
                Message = _ => "no valid frame for 1 s (--timeout); giving up after 0 frames", Limit = TimeSpan.FromSeconds(30),
            },
            new()
            {
                Name = "receive-udp-silent-gives-up-at-timeout", Setup = FreePort, Args = d => Receive("--udp", "127.0.0.1:" + Port(d), "--timeout", "0.5"), Exit = 1,
                Message = _ => "no valid frame for 0.5 s (--timeout)", Limit = TimeSpan.FromSeconds(30),
            },
            new() { Name = "receive-unknown-option", Args = _ => Receive("--udp", "127.0.0.1:9750", "--json"), Message = _ => "--json" },
        };

        public static IEnumerable<object[]> CaseNames() => CliCorpus.Names(Cases);

        [Theory]
        [MemberData(nameof(CaseNames))]
        public void Bad_input_gets_one_clear_line_the_documented_exit_code_and_no_partial_output(string name) => CliCorpus.Check(Program, Cases, name);
    }
}
