using System;
using System.CommandLine;
using System.Runtime.InteropServices;
using System.Threading;
using PoseRT.Cli;
using PoseRT.Vision;

namespace PoseRT.Demo.Commands
{
    /// <summary>The root command: run pose estimation on a camera, video, image(s) or stream.</summary>
    internal static class RunCommand
    {
        internal static RootCommand CreateRoot()
        {
            var input = new Option<string>("--input", "-i")
            {
                Description = "Camera index (0, 1, ...), video file, image file or folder, or rtsp/http URL. Default: the bundled clip samples/video/people-960x540.mp4.",
                DefaultValueFactory = _ => DemoPaths.DefaultClip(),
            };
            var model = new Option<string?>("--model", "-m") { Description = "ONNX pose model. Default: the default model of Models/manifest.json (sha256 checked)." };
            var device = DeviceChoice.Create("auto", DeviceChoice.AllKinds, "Where the model runs: auto, cpu, cuda[:N] or directml[:N] (ONNX Runtime execution provider and GPU index).");
            var output = new Option<string?>("--out", "-o")
            {
                Description = "Annotated output: a .mp4/.avi video, a folder for PNG frames, or 'none'. Default: out/demo.mp4 when no window is shown.",
            };
            var window = new Option<string>("--window") { Description = "Show a window: auto (when a display exists), on, off.", DefaultValueFactory = _ => "auto" };
            window.AcceptOnlyFromAmong("auto", "on", "off");
            var detectEvery = new Option<int>("--detect-every") { Description = "Run the person detector every N frames (and whenever a track is lost).", DefaultValueFactory = _ => 10 }.AtLeast(1);
            var maxPeople = new Option<int>("--max-people") { Description = "Most people tracked at once.", DefaultValueFactory = _ => 8 };
            var single = new Option<bool>("--single") { Description = "Kiosk mode: track only the largest, most central person." };
            var noSmoothing = new Option<bool>("--no-smoothing") { Description = "Turn the One-Euro keypoint filter off." };
            var minCutoff = new Option<double>("--min-cutoff") { Description = "One-Euro minimum cutoff in Hz (lower: steadier when still).", DefaultValueFactory = _ => 1.0 }.AtLeast(0.001, "Hz; lower freezes the keypoints");
            var beta = new Option<double>("--beta") { Description = "One-Euro speed coefficient in Hz per pixel/s (higher: less lag when moving).", DefaultValueFactory = _ => 0.02 }.AtLeast(0.0, "Hz per pixel/s");
            var threshold = new Option<float>("--keypoint-threshold") { Description = "Keypoints below this score are hidden and not used for tracking (0 to 1).", DefaultValueFactory = _ => 0.3f }
                .InRange(0f, 1f);
            var udp = new Option<string?>("--udp") { Description = "Send a MessagePack PoseFrame per frame as UDP datagrams to host:port (e.g. 127.0.0.1:9750)." };
            var tcp = new Option<string?>("--tcp") { Description = "Serve length-prefixed MessagePack PoseFrames to TCP clients on host:port (e.g. 127.0.0.1:9751)." };
            var serve = new Option<bool>("--serve") { Description = "Serve a live page (annotated stream + pose JSON) for kiosk browsers; loops files." };
            var serveHost = new Option<string>("--serve-host") { Description = "Address the page binds to.", DefaultValueFactory = _ => "127.0.0.1" };
            var servePort = new Option<int>("--serve-port") { Description = "Port of the page.", DefaultValueFactory = _ => 8080 }.InRange(1, 65535);
            var maxClients = new Option<int>("--max-clients")
            {
                Description = "Most clients the --serve page and the --tcp stream each serve at once; one more gets HTTP 503 (page) or an immediate close (stream) (1 to 10000).",
                DefaultValueFactory = _ => Output.ServerLimits.DefaultMaxClients,
            }.InRange(1, 10000);
            var clientTimeout = new Option<double>("--client-timeout")
            {
                Description = "Seconds a --serve/--tcp client may take to send a request head, stay idle between requests, or accept no data before it is closed (0.1 to 3600).",
                DefaultValueFactory = _ => Output.ServerLimits.DefaultTimeoutSeconds,
            }.InRange(0.1, 3600);
            var clientBuffer = new Option<int>("--client-buffer")
            {
                Description = "Frames queued per --tcp client; a client further behind loses its oldest frames (the page's MJPEG keeps only the newest) (1 to 1000).",
                DefaultValueFactory = _ => Output.ServerLimits.DefaultClientBufferFrames,
            }.InRange(1, 1000);
            var loop = new Option<bool?>("--loop") { Description = "Restart a file or folder at its end (default: on with --serve)." };
            var maxFrames = new Option<long>("--max-frames") { Description = "Stop after N frames (0: no limit).", DefaultValueFactory = _ => 0 }.AtLeast(0L);
            var retries = new Option<int>("--camera-retries") { Description = "Reconnection attempts (with back-off) after a camera or stream fault (0 to 1000).", DefaultValueFactory = _ => 8 }
                .InRange(0, 1000);
            var strictImages = new Option<bool>("--strict-images")
            {
                Description = "With a folder input, end the run (exit 1, no output written) at the first image that cannot be read, instead of skipping, counting and reporting it.",
            };

            var root = new RootCommand(
                "PoseRT demo: real-time 2D pose estimation with person detection, tracking and smoothing; writes an annotated video, " +
                "shows a window, streams MessagePack PoseFrames over UDP/TCP and serves a live page.")
            {
                input, model, device, output, window, detectEvery, maxPeople, single, noSmoothing, minCutoff, beta, threshold,
                udp, tcp, serve, serveHost, servePort, maxClients, clientTimeout, clientBuffer, loop, maxFrames, retries, strictImages,
            };
            root.SetAction(parse =>
            {
                DemoRunOptions options;
                try
                {
                    options = new DemoRunOptions
                    {
                        Input = parse.GetValue(input)!,
                        Model = parse.GetValue(model),
                        Device = parse.GetValue(device)!,
                        Output = parse.GetValue(output),
                        Window = parse.GetValue(window)!,
                        DetectEvery = parse.GetValue(detectEvery),
                        MaxPeople = parse.GetValue(maxPeople),
                        Single = parse.GetValue(single),
                        Smoothing = !parse.GetValue(noSmoothing),
                        MinCutoff = parse.GetValue(minCutoff),
                        Beta = parse.GetValue(beta),
                        KeypointThreshold = parse.GetValue(threshold),
                        Udp = parse.GetValue(udp) is { } u ? Endpoints.Parse(u, "--udp") : null,
                        Tcp = parse.GetValue(tcp) is { } t ? Endpoints.Parse(t, "--tcp") : null,
                        Serve = parse.GetValue(serve),
                        ServeHost = parse.GetValue(serveHost)!,
                        ServePort = parse.GetValue(servePort),
                        ServerLimits = Output.ServerLimits.Create(parse.GetValue(maxClients), parse.GetValue(clientTimeout), parse.GetValue(clientBuffer)),
                        Loop = parse.GetValue(loop),
                        MaxFrames = parse.GetValue(maxFrames),
                        Retry = new RetryPolicy { MaxAttempts = parse.GetValue(retries) },
                        StrictImages = parse.GetValue(strictImages),
                    };
                }
                catch (ArgumentException e)
                {
                    Console.Error.WriteLine("posert-demo: " + e.Message);
                    return DemoApp.ExitBadInput;
                }

                // Ctrl+C and SIGTERM stop the loop; the pipeline then finalises the video and prints the summary.
                using var cancel = new CancellationTokenSource();
                ConsoleCancelEventHandler onCancel = (_, e) =>
                {
                    e.Cancel = true;
                    cancel.Cancel();
                };
                Console.CancelKeyPress += onCancel;
                using PosixSignalRegistration term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, ctx =>
                {
                    ctx.Cancel = true;
                    cancel.Cancel();
                });
                try
                {
                    return DemoApp.Run(options, Console.Out, Console.Error, cancel.Token);
                }
                finally
                {
                    Console.CancelKeyPress -= onCancel;
                }
            });
            return root;
        }
    }
}
