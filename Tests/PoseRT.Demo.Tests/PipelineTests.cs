using System;
using System.Collections.Generic;
using System.IO;
using System.Net;
using System.Threading;
using OpenCvSharp;
using PoseRT.Demo;
using PoseRT.Demo.Output;
using PoseRT.Demo.Pipeline;
using PoseRT.Runtime.Tracking;
using PoseRT.Runtime;
using PoseRT.Protocol;
using PoseRT.Vision;

namespace PoseRT.Tests
{
    /// <summary>
    /// The demo's frame loop on the bundled clip, with the real HOG detector and a template pose
    /// stage standing in for the estimator (the tests with the real model are in EstimatorDemoTests).
    /// </summary>
    public class PipelineTests
    {
        private static DemoPipeline Pipeline(Func<IFrameSource> open, IPoseStage stage, IReadOnlyList<IFrameSink> sinks, List<string> log,
            PipelineSettings? settings = null, IPersonDetector? detector = null) =>
            new DemoPipeline(settings ?? new PipelineSettings(), open, detector ?? new HogPersonDetector(640), stage, sinks,
                line => { lock (log) log.Add(line); });

        [Fact]
        public void Hog_detector_finds_people_in_the_bundled_clip()
        {
            List<Mat> frames = Clip.LoadFrames(1);
            using var hog = new HogPersonDetector();
            var boxes = new BoundingBox[16];
            var scores = new float[16];
            int n = hog.Detect(frames[0], boxes, scores);
            Assert.InRange(n, 1, 16);
            for (int i = 0; i < n; i++)
            {
                Assert.InRange(boxes[i].Width, 20, 960);
                Assert.True(boxes[i].Height > boxes[i].Width, $"person box {boxes[i]} should be upright");
                Assert.InRange(scores[i], 0f, 1f);
                if (i > 0) Assert.True(scores[i] <= scores[i - 1]);
            }
        }

        [Fact]
        public void Headless_run_on_the_bundled_clip_writes_every_frame_and_a_summary()
        {
            string dir = RepoPaths.NewTempDir("headless");
            string video = Path.Combine(dir, "demo.mp4");
            var stage = new TemplateStage();
            var log = new List<string>();
            var observed = new List<int>();
            RunSummary summary;
            using (var sink = new VideoFileSink(video, 25))
            {
                var pipeline = Pipeline(() => FrameSources.Open(RepoPaths.SampleVideo), stage, new IFrameSink[] { sink }, log);
                pipeline.FrameObserver = r => observed.Add(r.PoseCount);
                summary = pipeline.Run(CancellationToken.None);
                Assert.Equal(5, sink.FramesWritten);
            }
            Assert.Null(summary.Error);
            Assert.Equal(5, summary.Frames);
            Assert.True(summary.Poses > 0, "HOG + tracker should give the stage boxes");
            Assert.Equal(summary.Poses, Sum(observed));
            Assert.True(summary.P95LatencyMs >= summary.MeanLatencyMs * 0.5 && summary.MeanLatencyMs > 0);
            Assert.Matches(@"^frames 5, poses \d+, latency mean [\d.]+ ms, p95 [\d.]+ ms \(capture .*\), [\d.]+ FPS$", summary.Line());
            Assert.False(File.Exists(Path.Combine(dir, ".demo.partial.mp4")), "temporary video left behind");
            using var written = new VideoCapture(video);
            Assert.True(written.IsOpened());
            Assert.Equal(5, written.FrameCount);
            Assert.Equal(960, written.FrameWidth);
            Assert.Equal(540, written.FrameHeight);
        }

        [Fact]
        public void Image_folder_in_and_out()
        {
            string dir = RepoPaths.NewTempDir("folder");
            string input = Path.Combine(dir, "in");
            Directory.CreateDirectory(input);
            List<Mat> frames = Clip.LoadFrames(3);
            for (int i = 0; i < frames.Count; i++) Cv2.ImWrite(Path.Combine(input, $"f{i}.jpg"), frames[i]);
            string output = Path.Combine(dir, "out");
            var log = new List<string>();
            using var sink = new ImageFolderSink(output);
            RunSummary summary = Pipeline(() => FrameSources.Open(input), new TemplateStage(), new IFrameSink[] { sink }, log).Run(CancellationToken.None);
            Assert.Equal(3, summary.Frames);
            string[] written = Directory.GetFiles(output);
            Array.Sort(written, StringComparer.Ordinal);
            Assert.Equal(new[] { "frame_000000.png", "frame_000001.png", "frame_000002.png" }, Array.ConvertAll(written, Path.GetFileName));
            using Mat first = Cv2.ImRead(written[0]);
            Assert.Equal(960, first.Width);
        }

        [Fact]
        public async System.Threading.Tasks.Task Stream_over_loopback_matches_the_demo_results_on_udp_and_tcp()
        {
            using var udpReceiver = PoseFrameReceiver.ListenUdp(new IPEndPoint(IPAddress.Loopback, 0));
            var udpTarget = (IPEndPoint)udpReceiver.LocalEndPoint!;
            using var sender = new PoseStreamSender(udpTarget, new IPEndPoint(IPAddress.Loopback, 0), _ => { });
            using var tcpReceiver = PoseFrameReceiver.ConnectTcp(sender.TcpEndPoint!, TimeSpan.FromSeconds(5));
            // The sender signals each accepted client: wait for that, not a polled count.
            Assert.True(await sender.WaitForClientsAsync(c => c >= 1, TimeSpan.FromSeconds(10)), "the sender never accepted the TCP receiver");
            Assert.Equal(1, sender.ClientCount);

            var expected = new List<(long Frame, long Time, TrackedPose[] Poses)>();
            var log = new List<string>();
            var pipeline = Pipeline(() => FrameSources.Open(RepoPaths.SampleVideo), new TemplateStage(), new IFrameSink[] { sender }, log);
            pipeline.FrameObserver = r => expected.Add((r.FrameNumber, r.TimestampMicroseconds, Clip.Copy(r)));
            RunSummary summary = pipeline.Run(CancellationToken.None);
            Assert.Equal(5, summary.Frames);
            Assert.Equal(5, sender.MessagesSent);
            double fps;
            using (IFrameSource clip = FrameSources.Open(RepoPaths.SampleVideo)) fps = clip.Fps;
            Assert.True(fps > 0);

            foreach (PoseFrameReceiver receiver in new[] { udpReceiver, tcpReceiver })
            {
                for (int f = 0; f < expected.Count; f++)
                {
                    Assert.True(receiver.TryReceive(TimeSpan.FromSeconds(5), out PoseFrame? got), $"frame {f} not received");
                    Assert.Equal(expected[f].Frame, got!.FrameNumber);
                    Assert.Equal(expected[f].Time, got.TimestampMicroseconds);
                    Assert.Equal((long)Math.Round(f * 1e6 / fps), got.TimestampMicroseconds); // files are timed by frame number
                    Assert.Equal(960, got.ImageWidth);
                    Assert.Equal(expected[f].Poses.Length, got.Poses.Length);
                    for (int p = 0; p < got.Poses.Length; p++)
                    {
                        Assert.Equal(expected[f].Poses[p].TrackId, got.Poses[p].TrackId);
                        Assert.Equal(expected[f].Poses[p].Pose.Box, got.Poses[p].Pose.Box);
                        for (int k = 0; k < 17; k++)
                        {
                            Assert.Equal(expected[f].Poses[p].Pose[k].X, got.Poses[p].Pose[k].X);
                            Assert.Equal(expected[f].Poses[p].Pose[k].Score, got.Poses[p].Pose[k].Score);
                        }
                    }
                }
                Assert.Equal(0, receiver.RejectedMessages);
            }
        }

        [Fact]
        public void Camera_that_fails_mid_stream_is_reconnected_with_back_off_and_reported()
        {
            List<Mat> frames = Clip.LoadFrames();
            var log = new List<string>();
            var opens = 0;
            Func<IFrameSource> reopen = () =>
            {
                opens++;
                return new ScriptedSource(frames, live: true, failAt: -1, start: 3);
            };
            var policy = new RetryPolicy { InitialDelay = TimeSpan.FromMilliseconds(10), MaxAttempts = 3 };
            var source = new ReconnectingFrameSource(new ScriptedSource(frames, live: true, failAt: 3, throwOnFail: true), reopen, policy, l => { lock (log) log.Add(l); });
            var settings = new PipelineSettings { MaxFrames = 5 };
            RunSummary summary = Pipeline(() => source, new TemplateStage(), Array.Empty<IFrameSink>(), log, settings).Run(CancellationToken.None);
            Assert.Null(summary.Error);
            Assert.Equal(5, summary.Frames);
            Assert.Equal(1, source.Faults);
            Assert.Equal(1, source.Recoveries);
            Assert.Equal(1, opens);
            Assert.Contains(log, l => l.Contains("USB device disconnected", StringComparison.Ordinal));
            Assert.Contains(log, l => l.Contains("recovered after 1 attempt", StringComparison.Ordinal));
        }

        [Fact]
        public void Camera_that_stays_dead_ends_the_run_cleanly_with_a_message_and_a_finished_video()
        {
            List<Mat> frames = Clip.LoadFrames();
            var log = new List<string>();
            int attempts = 0;
            Func<IFrameSource> reopen = () =>
            {
                attempts++;
                throw new CaptureException("Could not open camera 0 (is it connected and not used by another program?).");
            };
            var policy = new RetryPolicy { InitialDelay = TimeSpan.FromMilliseconds(10), MaxDelay = TimeSpan.FromMilliseconds(40), MaxAttempts = 4 };
            var source = new ReconnectingFrameSource(new ScriptedSource(frames, live: true, failAt: 3), reopen, policy, l => { lock (log) log.Add(l); });
            string video = Path.Combine(RepoPaths.NewTempDir("fault"), "fault.mp4");
            var started = DateTime.UtcNow;
            RunSummary summary;
            using (var sink = new VideoFileSink(video, 25))
                summary = Pipeline(() => source, new TemplateStage(), new IFrameSink[] { sink }, log).Run(CancellationToken.None);
            Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(20), "must not hang");
            Assert.Equal(3, summary.Frames);
            Assert.Equal(4, attempts);
            Assert.NotNull(summary.Error);
            Assert.Contains("did not recover after 4 attempts", summary.Error);
            Assert.Contains("Could not open camera 0", summary.Error);
            using var written = new VideoCapture(video);
            Assert.Equal(3, written.FrameCount);
        }

        [Fact]
        public void Cancellation_stops_a_looping_run_and_finalises_the_video()
        {
            string video = Path.Combine(RepoPaths.NewTempDir("cancel"), "cancel.avi");
            using var cancel = new CancellationTokenSource();
            var log = new List<string>();
            RunSummary summary;
            using (var sink = new VideoFileSink(video, 25))
            {
                var pipeline = Pipeline(() => FrameSources.Open(RepoPaths.SampleVideo), new TemplateStage(), new IFrameSink[] { sink }, log,
                    new PipelineSettings { Loop = true });
                pipeline.FrameObserver = r =>
                {
                    if (r.FrameNumber == 7) cancel.Cancel(); // after looping over the 5-frame clip once
                };
                summary = pipeline.Run(cancel.Token);
            }
            Assert.True(summary.Cancelled);
            Assert.Equal(8, summary.Frames);
            using var written = new VideoCapture(video);
            Assert.Equal(8, written.FrameCount);
        }

        [Fact]
        public void Detector_runs_on_the_first_frame_and_every_n_frames_when_tracks_hold()
        {
            List<Mat> frames = Clip.LoadFrames();
            var detector = new ScriptedDetector(0, new BoundingBox(100, 100, 100, 300), new BoundingBox(500, 100, 100, 300));
            var settings = new PipelineSettings { Tracker = new PoseTrackerOptions { DetectEvery = 2 }, MaxFrames = 5 };
            var ids = new List<int[]>();
            var log = new List<string>();
            var pipeline = Pipeline(() => new ScriptedSource(frames, live: false), new TemplateStage(), Array.Empty<IFrameSink>(), log, settings, detector);
            pipeline.FrameObserver = r => ids.Add(Array.ConvertAll(Clip.Copy(r), p => p.TrackId));
            pipeline.Run(CancellationToken.None);
            Assert.Equal(3, detector.Calls); // frames 0, 2, 4
            foreach (int[] frameIds in ids) Assert.Equal(new[] { 1, 2 }, frameIds);
        }

        private static long Sum(List<int> values)
        {
            long s = 0;
            foreach (int v in values) s += v;
            return s;
        }
    }
}
