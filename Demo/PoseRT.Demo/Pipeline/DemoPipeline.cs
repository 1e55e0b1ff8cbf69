using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading;
using OpenCvSharp;
using PoseRT.Demo.Output;
using PoseRT.IO;
using PoseRT.Protocol;
using PoseRT.Runtime;
using PoseRT.Runtime.Tracking;
using PoseRT.Vision;

namespace PoseRT.Demo.Pipeline
{
    /// <summary>Settings of one run that are not about inputs and outputs.</summary>
    internal sealed class PipelineSettings
    {
        /// <summary>The tracker's settings, smoothing included (<see cref="PoseTrackerOptions.Smoothing"/>).</summary>
        public PoseTrackerOptions Tracker { get; set; } = new PoseTrackerOptions();

        /// <summary>Stop after this many frames (0: no limit).</summary>
        public long MaxFrames { get; set; }

        /// <summary>Start a file or folder again at its end (for kiosks and the --serve page).</summary>
        public bool Loop { get; set; }

        /// <summary>Pace a file to its frame rate instead of running as fast as possible.</summary>
        public bool Realtime { get; set; }
    }

    /// <summary>What a run did: the numbers of the summary line.</summary>
    internal sealed class RunSummary
    {
        public long Frames { get; set; }

        public long Poses { get; set; }

        public double MeanLatencyMs { get; set; }

        public double P95LatencyMs { get; set; }

        public double Fps { get; set; }

        public StageLatency MeanStage;

        /// <summary>Why the run ended early (a capture fault that did not recover), or null.</summary>
        public string? Error { get; set; }

        public bool Cancelled { get; set; }

        /// <summary>The line printed at exit; the README quotes its "frames N, poses M, ... FPS" form.</summary>
        public string Line() =>
            $"frames {Frames}, poses {Poses}, latency mean {MeanLatencyMs:F1} ms, p95 {P95LatencyMs:F1} ms " +
            $"(capture {MeanStage.Capture:F1}, detect {MeanStage.Detect:F1}, pose {MeanStage.Pose:F1}, track {MeanStage.Track:F1}, " +
            $"draw {MeanStage.Draw:F1}, output {MeanStage.Output:F1}), {Fps:F1} FPS";
    }

    /// <summary>
    /// The demo's frame loop: capture -> detect (when the tracker asks) -> pose -> track and smooth
    /// -> draw -> sinks. Each stage is timed. Capture faults end the run with a message instead of an
    /// exception; sinks are always completed, so the video is finalised after Ctrl+C or a fault.
    /// </summary>
    internal sealed class DemoPipeline
    {
        private readonly PipelineSettings _settings;
        private readonly Func<IFrameSource> _open;
        private readonly IPersonDetector _detector;
        private readonly IPoseStage _stage;
        private readonly IReadOnlyList<IFrameSink> _sinks;
        private readonly Action<string> _log;

        public DemoPipeline(PipelineSettings settings, Func<IFrameSource> open, IPersonDetector detector, IPoseStage stage,
            IReadOnlyList<IFrameSink> sinks, Action<string> log)
        {
            _settings = settings;
            _open = open;
            _detector = detector;
            _stage = stage;
            _sinks = sinks;
            _log = log;
        }

        /// <summary>Called after every frame with the frame's result (tests compare it with what the sinks saw).</summary>
        public Action<FrameResult>? FrameObserver { get; set; }

        public RunSummary Run(CancellationToken cancel)
        {
            // The Runtime's tracker, the one an embedder uses: the demo adds capture, drawing and outputs around it.
            var tracker = new PoseTracker(_stage, _detector, _settings.Tracker);
            var result = new FrameResult(tracker.Capacity);
            var latencies = new List<double>(1024);
            var stageSum = new StageLatency();
            var summary = new RunSummary();
            bool needImage = false;
            foreach (IFrameSink sink in _sinks) needImage |= sink.NeedsImage;
            string[] panel = new string[3];
            float minKeypointScore = _settings.Tracker.MinKeypointScore;

            IFrameSource? source = null;
            using var frame = new Mat();
            using var annotated = new Mat();
            var wall = Stopwatch.StartNew();
            long frameNumber = 0;
            var frameEnds = new double[30];
            bool finished = false, live = false;
            try
            {
                source = _open();
                live = source.IsLive;
                double sourceFps = source.Fps > 0 ? source.Fps : 25;
                while (!cancel.IsCancellationRequested && (_settings.MaxFrames <= 0 || frameNumber < _settings.MaxFrames))
                {
                    long t0 = Stopwatch.GetTimestamp();
                    FrameReadStatus status;
                    try
                    {
                        status = source.Read(frame);
                    }
                    catch (CaptureException e)
                    {
                        summary.Error = e.Message;
                        break;
                    }
                    if (status == FrameReadStatus.EndOfStream)
                    {
                        if (_settings.Loop && !source.IsLive && frameNumber > 0 && !cancel.IsCancellationRequested)
                        {
                            source.Dispose();
                            source = null;
                            source = _open();
                            continue;
                        }
                        break;
                    }
                    if (status == FrameReadStatus.Failed)
                    {
                        summary.Error = $"{source.Description} stopped delivering frames.";
                        break;
                    }
                    // Files are timed by frame number (smoothing then does not depend on processing speed); live sources by the clock.
                    double seconds = source.IsLive ? wall.Elapsed.TotalSeconds : frameNumber / sourceFps;
                    long t1 = Stopwatch.GetTimestamp();

                    int people = tracker.Track(frame.AsImageView(), seconds, result.PoseBuffer);
                    TrackerTimings timings = tracker.LastTimings;
                    bool detected = timings.Detected;
                    long t4 = Stopwatch.GetTimestamp();

                    result.FrameNumber = frameNumber;
                    result.TimestampMicroseconds = (long)Math.Round(seconds * 1e6);
                    result.Width = frame.Width;
                    result.Height = frame.Height;
                    result.PoseCount = people;
                    result.Detected = detected;
                    result.Latency.Capture = Ms(t0, t1);
                    result.Latency.Detect = timings.Detect.TotalMilliseconds;
                    result.Latency.Pose = timings.Estimate.TotalMilliseconds;
                    result.Latency.Track = timings.Track.TotalMilliseconds;
                    // FPS over the last frames (a ring of end times): steady, and right after a pause.
                    double now = wall.Elapsed.TotalSeconds;
                    int slot = (int)(frameNumber % frameEnds.Length);
                    double oldest = frameNumber >= frameEnds.Length ? frameEnds[slot] : frameEnds[0];
                    long span = Math.Min(frameNumber, frameEnds.Length);
                    frameEnds[slot] = now;
                    result.Fps = span > 0 && now > oldest ? span / (now - oldest) : 0;

                    if (needImage)
                    {
                        frame.CopyTo(annotated);
                        for (int i = 0; i < people; i++)
                            PoseOverlay.DrawPose(annotated, result.PoseBuffer[i].Pose, result.PoseBuffer[i].TrackId, minKeypointScore, _stage.Keypoints);
                        panel[0] = $"PoseRT  {result.Fps:F1} FPS  {people} people  frame {frameNumber}";
                        panel[1] = $"capture {result.Latency.Capture:F1}  detect {result.Latency.Detect:F1}{(detected ? "*" : "")}  pose {result.Latency.Pose:F1}  track {result.Latency.Track:F1} ms";
                        panel[2] = _stage.Description;
                        PoseOverlay.DrawPanel(annotated, panel);
                    }
                    long t5 = Stopwatch.GetTimestamp();
                    result.Latency.Draw = Ms(t4, t5);

                    bool stop = false;
                    foreach (IFrameSink sink in _sinks)
                    {
                        sink.Write(result, annotated);
                        stop |= sink.StopRequested;
                    }
                    long t6 = Stopwatch.GetTimestamp();
                    result.Latency.Output = Ms(t5, t6);

                    FrameObserver?.Invoke(result);
                    summary.Frames++;
                    summary.Poses += people;
                    latencies.Add(result.Latency.Total);
                    Accumulate(ref stageSum, result.Latency);
                    frameNumber++;
                    if (stop) break;
                    if (_settings.Realtime && !source.IsLive)
                    {
                        double due = seconds - wall.Elapsed.TotalSeconds;
                        if (due > 0 && cancel.WaitHandle.WaitOne(TimeSpan.FromSeconds(Math.Min(due, 1)))) break;
                    }
                }
                finished = true;
            }
            catch (CaptureException e)
            {
                summary.Error = e.Message;
                finished = true;
            }
            finally
            {
                source?.Dispose();
                // A file or folder input that failed part-way, or any exception, leaves a partial output: it is not
                // published. A live source has no end, so what it delivered before it died for good is the recording.
                bool publish = finished && (summary.Error == null || live);
                foreach (IFrameSink sink in _sinks)
                {
                    if (!publish && sink is IFileOutputSink file)
                    {
                        file.Discard();
                        _log($"posert-demo: '{file.OutputPath}' was not written because the run failed; what was there is unchanged.");
                        continue;
                    }
                    try
                    {
                        sink.Complete();
                    }
                    catch (Exception e) when (e is System.IO.IOException || e is OpenCVException || e is UnauthorizedAccessException)
                    {
                        _log("posert-demo: could not finish an output: " + e.Message);
                        summary.Error ??= e.Message;
                    }
                }
            }
            summary.Cancelled = cancel.IsCancellationRequested;
            double elapsed = wall.Elapsed.TotalSeconds;
            summary.Fps = summary.Frames / Math.Max(elapsed, 1e-9);
            if (latencies.Count > 0)
            {
                double total = 0;
                foreach (double l in latencies) total += l;
                summary.MeanLatencyMs = total / latencies.Count;
                latencies.Sort();
                summary.P95LatencyMs = LatencyStats.Percentile(latencies, 0.95);
                summary.MeanStage = Scale(stageSum, 1.0 / latencies.Count);
            }
            return summary;
        }

        private static double Ms(long from, long to) => (to - from) * 1000.0 / Stopwatch.Frequency;

        private static void Accumulate(ref StageLatency sum, in StageLatency x)
        {
            sum.Capture += x.Capture;
            sum.Detect += x.Detect;
            sum.Pose += x.Pose;
            sum.Track += x.Track;
            sum.Draw += x.Draw;
            sum.Output += x.Output;
        }

        private static StageLatency Scale(StageLatency x, double f) => new StageLatency
        {
            Capture = x.Capture * f, Detect = x.Detect * f, Pose = x.Pose * f, Track = x.Track * f, Draw = x.Draw * f, Output = x.Output * f,
        };
    }
}
