using System;
using System.Collections.Generic;
using System.IO;
using System.Net;
using System.Threading;
using PoseRT.Demo.Output;
using PoseRT.Demo.Pipeline;
using PoseRT.IO;
using PoseRT.Runtime;
using PoseRT.Runtime.Tracking;
using PoseRT.Vision;

namespace PoseRT.Demo
{
    /// <summary>Everything one demo run is told on the command line.</summary>
    internal sealed class DemoRunOptions
    {
        public string Input { get; set; } = DemoPaths.DefaultClip();

        public string? Model { get; set; }

        public string Device { get; set; } = "auto";

        /// <summary>Video file (.mp4/.avi), image folder, "none", or null for the default (out/demo.mp4 when no window).</summary>
        public string? Output { get; set; }

        public string Window { get; set; } = "auto";

        public int DetectEvery { get; set; } = 10;

        public int MaxPeople { get; set; } = 8;

        public bool Single { get; set; }

        public bool Smoothing { get; set; } = true;

        public double MinCutoff { get; set; } = 1.0;

        public double Beta { get; set; } = 0.02;

        public float KeypointThreshold { get; set; } = 0.3f;

        public IPEndPoint? Udp { get; set; }

        public IPEndPoint? Tcp { get; set; }

        public bool Serve { get; set; }

        public string ServeHost { get; set; } = "127.0.0.1";

        public int ServePort { get; set; } = 8080;

        /// <summary>Client cap, timeouts and per-client buffer of the page and the TCP stream.</summary>
        public ServerLimits ServerLimits { get; set; } = new ServerLimits();

        public bool? Loop { get; set; }

        public long MaxFrames { get; set; }

        public int HogMaxWidth { get; set; } = 640;

        public RetryPolicy Retry { get; set; } = new RetryPolicy();

        /// <summary>With a folder input, an unreadable image ends the run instead of being skipped and counted.</summary>
        public bool StrictImages { get; set; }
    }

    /// <summary>Runs the demo: opens the input, model and outputs with clear errors, runs the pipeline, prints the summary.</summary>
    internal static class DemoApp
    {
        public const int ExitOk = PoseRT.Cli.ExitCodes.Ok;
        public const int ExitRuntimeError = PoseRT.Cli.ExitCodes.Failure;
        public const int ExitBadInput = PoseRT.Cli.ExitCodes.BadInput;

        /// <summary>Creates the pose stage for the options (the ONNX estimator); tests may replace it.</summary>
        public static Func<DemoRunOptions, IPoseStage> StageFactory { get; set; } = EstimatorStage.Open;

        public static int Run(DemoRunOptions o, TextWriter stdout, TextWriter stderr, CancellationToken cancel,
            Func<DemoRunOptions, IPoseStage>? stageFactory = null, Action<DemoPipeline>? configure = null)
        {
            void Log(string line)
            {
                lock (stderr) stderr.WriteLine(line);
            }

            var disposables = new List<IDisposable>();
            IFrameSource? first = null;
            try
            {
                OpenCvNative.EnsureAvailable();
                bool window = o.Window switch
                {
                    "on" => true,
                    "off" => false,
                    _ => WindowSink.DisplayAvailable(),
                };
                // Checked before the model and the input are opened: OpenCV's GUI would fail at the first frame, naming no option.
                if (window && !WindowSink.DisplayAvailable())
                    throw new ArgumentException("--window on: no display to show a window on (DISPLAY and WAYLAND_DISPLAY are not set); use --window off or auto.");
                var tracker = new PoseTrackerOptions
                {
                    DetectEvery = o.DetectEvery, MaxPeople = o.MaxPeople, SinglePerson = o.Single, MinKeypointScore = o.KeypointThreshold,
                    Smoothing = o.Smoothing ? new OneEuroSettings(o.MinCutoff, o.Beta) : null,
                };
                tracker.Validate();

                int skipped = 0;
                bool folderInput = Directory.Exists(o.Input);
                IFrameSource OpenInput()
                {
                    IFrameSource source = FrameSources.Open(o.Input);
                    if (folderInput && !o.StrictImages && source is ImageFolderSource folder)
                    {
                        folder.SkipUnreadable = reason =>
                        {
                            skipped++;
                            Log("posert-demo: warning: skipped an unreadable image: " + reason);
                        };
                    }
                    return source;
                }

                first = OpenInput();
                bool liveInput = first.IsLive;
                if (first.IsLive)
                    first = new ReconnectingFrameSource(first, () => FrameSources.Open(o.Input), o.Retry, Log, cancel);

                IPoseStage stage = (stageFactory ?? StageFactory)(o);
                disposables.Add(stage);
                var detector = new HogPersonDetector(o.HogMaxWidth);
                disposables.Add(detector);

                var sinks = new List<IFrameSink>();
                IFileOutputSink? fileSink = null;
                string? output = o.Output ?? (window ? null : Path.Combine("out", "demo.mp4"));
                string? outputDescription = null;
                if (output != null && !output.Equals("none", StringComparison.OrdinalIgnoreCase))
                {
                    // The recording must not replace the video or folder it is made from.
                    OutputPaths.CheckDistinct(output, "--out", (File.Exists(o.Input) || Directory.Exists(o.Input) ? o.Input : null, "--input"));
                    string ext = Path.GetExtension(output);
                    fileSink = ext.Length == 0 || Directory.Exists(output)
                        ? new ImageFolderSink(output)
                        : new VideoFileSink(output, first.Fps);
                    sinks.Add(fileSink);
                    outputDescription = output;
                }
                if (window) sinks.Add(new WindowSink());
                if (o.Udp != null || o.Tcp != null)
                {
                    var sender = new PoseStreamSender(o.Udp, o.Tcp, Log, o.ServerLimits);
                    sinks.Add(sender);
                    Log($"stream: PoseFrame v1 (MessagePack){(o.Udp != null ? $" UDP -> {o.Udp}" : "")}{(sender.TcpEndPoint != null ? $" TCP server on {sender.TcpEndPoint}" : "")}");
                }
                if (o.Serve)
                {
                    var server = new PoseWebServer(o.ServeHost, o.ServePort, Log, o.ServerLimits);
                    sinks.Add(server);
                    Log($"serve: open {server.Url} in a browser (Ctrl+C to stop).");
                }
                disposables.AddRange(sinks);

                var settings = new PipelineSettings
                {
                    Tracker = tracker,
                    MaxFrames = o.MaxFrames,
                    Loop = o.Loop ?? o.Serve,
                    Realtime = window || o.Serve,
                };
                IFrameSource? initial = first;
                Func<IFrameSource> open = () =>
                {
                    // The first open is the source validated above; a loop reopens the input.
                    IFrameSource s = initial ?? OpenInput();
                    initial = null;
                    return s;
                };
                first = null; // owned by the pipeline now
                var pipeline = new DemoPipeline(settings, open, detector, stage, sinks, Log);
                configure?.Invoke(pipeline);
                Log($"posert-demo: {o.Input} with {stage.Description}");
                RunSummary summary = pipeline.Run(cancel);
                bool published = summary.Error == null || liveInput;
                stdout.WriteLine(summary.Line() + (outputDescription != null && published ? " -> " + outputDescription : ""));
                // Each loop of a folder skips its bad images again; the count is of distinct reads.
                if (skipped > 0) Log($"posert-demo: {skipped} unreadable image(s) skipped (--strict-images makes the first one end the run).");
                if (fileSink is VideoFileSink { FramesResized: > 0 } video)
                    Log($"posert-demo: {video.FramesResized} frame(s) of another size than the first were scaled to it for '{video.OutputPath}'.");
                if (summary.Error != null)
                {
                    Log("posert-demo: " + summary.Error);
                    // A file, image or folder of which not one frame could be read is bad input, not a failure on the way.
                    return summary.Frames == 0 && !liveInput ? ExitBadInput : ExitRuntimeError;
                }
                if (summary.Cancelled) Log("posert-demo: stopped (Ctrl+C); outputs finalised.");
                if (summary.Frames > 0 || summary.Cancelled) return ExitOk;
                Log($"posert-demo: no frame could be read from '{o.Input}'.");
                return liveInput ? ExitRuntimeError : ExitBadInput;
            }
            catch (Exception e) when (e is CaptureException || e is FileNotFoundException || e is OpenCvUnavailableException || e is InvalidPoseModelException
                                      || e is InvalidModelManifestException
                                      || e is NotSupportedException
                                      || e is ArgumentException || e is InvalidOperationException || e is DirectoryNotFoundException)
            {
                Log("posert-demo: " + e.Message);
                return ExitBadInput;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // Anything else (the estimator's native runtime, a codec) still ends with a message, not a stack trace.
                Log($"posert-demo: {e.GetType().Name}: {e.Message}");
                return ExitRuntimeError;
            }
            finally
            {
                first?.Dispose();
                for (int i = disposables.Count - 1; i >= 0; i--) disposables[i].Dispose();
            }
        }
    }
}
