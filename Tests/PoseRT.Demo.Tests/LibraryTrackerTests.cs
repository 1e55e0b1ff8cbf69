using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using OpenCvSharp;
using PoseRT.Runtime;
using PoseRT.Protocol;
using PoseRT.Runtime.Tracking;
using PoseRT.Vision;

namespace PoseRT.Tests
{
    /// <summary>
    /// The Runtime's public <see cref="PoseTracker"/> and <see cref="LivePoseTracker"/> with the shipped model and the HOG
    /// detector on a generated clip: the same poses and ids as the demo (which runs this tracker), off-thread results equal
    /// to on-thread ones, the start-region mode without a detector, and no allocation per frame.
    /// </summary>
    public class LibraryTrackerTests
    {
        private static string ModelPath => RepoPaths.DefaultModel;

        private static (string Video, List<Mat> Frames) Clip(string name, int people, int frames = 30) => ClipWithTruth(name, people, frames, out _);

        private static (string Video, List<Mat> Frames) ClipWithTruth(string name, int people, int frames, out PoseRT.Synthetic.SyntheticClip truth)
        {
            string dir = RepoPaths.NewTempDir(name);
            var clip = PoseRT.Synthetic.SyntheticPeople.GenerateClip(
                new PoseRT.Synthetic.SyntheticClipOptions { Frames = frames, People = people, Seed = 7, Difficulty = 0.2, Name = "walk" }, dir);
            truth = clip;
            OpenCvNative.EnsureAvailable();
            var mats = new List<Mat>();
            using var capture = new VideoCapture(clip.VideoPath);
            Assert.True(capture.IsOpened(), "cannot open " + clip.VideoPath);
            while (true)
            {
                var m = new Mat();
                if (!capture.Read(m) || m.Empty())
                {
                    m.Dispose();
                    break;
                }
                mats.Add(m);
            }
            return (clip.VideoPath, mats);
        }

        private static PoseTrackerOptions DemoTrackerOptions()
        {
            var o = new PoseRT.Demo.DemoRunOptions();
            return new PoseTrackerOptions
            {
                DetectEvery = o.DetectEvery, MaxPeople = o.MaxPeople, SinglePerson = o.Single, MinKeypointScore = o.KeypointThreshold,
                Smoothing = new OneEuroSettings(o.MinCutoff, o.Beta),
            };
        }

        private static PoseEstimator Estimator() =>
            PoseEstimator.Load(ModelPath, new PoseEstimatorOptions { Provider = ExecutionProvider.Cpu, MaxBoxesPerRun = new PoseRT.Demo.DemoRunOptions().MaxPeople });

        private static void AssertSame(TrackedPose[] expected, TrackedPose[] actual, int frame)
        {
            Assert.True(expected.Length == actual.Length, $"frame {frame}: {actual.Length} poses, the demo had {expected.Length}");
            for (int i = 0; i < expected.Length; i++)
            {
                Assert.Equal(expected[i].TrackId, actual[i].TrackId);
                for (int k = 0; k < expected[i].Pose.KeypointCount; k++)
                {
                    Assert.True(Math.Abs(expected[i].Pose[k].X - actual[i].Pose[k].X) < 1e-3 && Math.Abs(expected[i].Pose[k].Y - actual[i].Pose[k].Y) < 1e-3,
                        $"frame {frame}, track {expected[i].TrackId}, keypoint {k}: ({actual[i].Pose[k].X}, {actual[i].Pose[k].Y}) vs the demo's ({expected[i].Pose[k].X}, {expected[i].Pose[k].Y})");
                }
            }
        }

        [Fact]
        public void The_library_tracker_gives_the_demos_poses_and_ids_frame_by_frame()
        {
            var (video, frames) = Clip("library-tracker", people: 2);
            var demo = new List<TrackedPose[]>();
            var stderr = new StringWriter();
            int code = PoseRT.Demo.DemoApp.Run(new PoseRT.Demo.DemoRunOptions { Input = video, Model = ModelPath, Output = "none", Window = "off", Device = "cpu" },
                new StringWriter(), stderr, CancellationToken.None, configure: p => p.FrameObserver = r => demo.Add(r.Poses.ToArray()));
            Assert.True(code == 0, stderr.ToString());
            Assert.Equal(frames.Count, demo.Count);

            using var estimator = Estimator();
            using var hog = new HogPersonDetector(new PoseRT.Demo.DemoRunOptions().HogMaxWidth);
            var tracker = new PoseTracker(estimator, hog, DemoTrackerOptions());
            var results = new TrackedPose[tracker.Capacity];
            int detections = 0, people = 0;
            for (int f = 0; f < frames.Count; f++)
            {
                int n = tracker.Track(frames[f].AsImageView(), f / 25.0, results);
                if (tracker.LastTimings.Detected) detections++;
                people += n;
                AssertSame(demo[f], results.AsSpan(0, n).ToArray(), f);
            }
            Assert.True(people > frames.Count, $"only {people} poses over {frames.Count} frames of two people");
            // The detector runs on the first frame, every DetectEvery frames and on lost tracks, not on every frame.
            Assert.InRange(detections, 1 + (frames.Count - 1) / DemoTrackerOptions().DetectEvery, frames.Count - 1);
            Assert.Equal(frames.Count, tracker.FrameCount);
            foreach (var m in frames) m.Dispose();
        }

        [Fact]
        public void The_live_tracker_off_the_callers_thread_gives_the_same_results_and_latest_wins()
        {
            var (_, frames) = Clip("live-tracker", people: 2, frames: 12);
            var expected = new List<TrackedPose[]>();
            using (var estimator = Estimator())
            using (var hog = new HogPersonDetector())
            {
                var tracker = new PoseTracker(estimator, hog, DemoTrackerOptions());
                var buffer = new TrackedPose[tracker.Capacity];
                for (int f = 0; f < frames.Count; f++)
                    expected.Add(buffer.AsSpan(0, tracker.Track(frames[f].AsImageView(), f / 25.0, buffer)).ToArray());
            }

            using (var estimator = Estimator())
            using (var hog = new HogPersonDetector())
            using (var live = new LivePoseTracker(new PoseTracker(estimator, hog, DemoTrackerOptions())))
            {
                var results = new TrackedPose[live.Capacity];
                Assert.Equal(-1, live.TryGetLatest(results, out long none, out _));
                Assert.Equal(-1, none);
                for (int f = 0; f < frames.Count; f++)
                {
                    // The caller's pixels may change right after Submit: the live tracker works on its own copy.
                    using var scratch = frames[f].Clone();
                    Assert.Equal(f, live.Submit(scratch.AsImageView(), f / 25.0));
                    scratch.SetTo(Scalar.All(0));
                    int n = WaitFor(live, f, results);
                    AssertSame(expected[f], results.AsSpan(0, n).ToArray(), f);
                }

                // Three frames at once: the tracker may skip the middle one, but it ends on the newest.
                long last = 0;
                for (int i = 0; i < 3; i++) last = live.Submit(frames[i].AsImageView(), 10 + i / 25.0);
                WaitFor(live, last, results);
                live.TryGetLatest(results, out long frame, out double time);
                Assert.Equal(last, frame);
                Assert.Equal(10 + 2 / 25.0, time, 9);
            }
            foreach (var m in frames) m.Dispose();
        }

        private static int WaitFor(LivePoseTracker live, long frame, TrackedPose[] results)
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while (true)
            {
                int n = live.TryGetLatest(results, out long got, out _);
                if (got == frame) return n;
                Assert.True(got <= frame, $"result for frame {got} while waiting for {frame}");
                Assert.True(DateTime.UtcNow < deadline, $"no result for frame {frame} within 30 s (latest {got})");
                Thread.Yield();
            }
        }

        [Fact]
        public void Without_a_detector_the_start_region_finds_one_person_and_steady_frames_allocate_nothing()
        {
            var (_, frames) = ClipWithTruth("start-region", 1, 24, out var clip);
            // A kiosk's start region is where its user stands: here, the person's first-frame keypoint extent, grown by 20 %.
            var kps = clip.Frames[0].People[0].Keypoints;
            float x0 = float.MaxValue, y0 = float.MaxValue, x1 = float.MinValue, y1 = float.MinValue;
            for (int k = 0; k < kps.Count / 3; k++)
            {
                if (kps[3 * k + 2] <= 0) continue;
                x0 = Math.Min(x0, kps[3 * k]); x1 = Math.Max(x1, kps[3 * k]);
                y0 = Math.Min(y0, kps[3 * k + 1]); y1 = Math.Max(y1, kps[3 * k + 1]);
            }
            float w = frames[0].Width, h = frames[0].Height;
            float rx0 = Math.Max(0, (1.1f * x0 - 0.1f * x1) / w), ry0 = Math.Max(0, (1.1f * y0 - 0.1f * y1) / h);
            float rx1 = Math.Min(1, (1.1f * x1 - 0.1f * x0) / w), ry1 = Math.Min(1, (1.1f * y1 - 0.1f * y0) / h);
            using var estimator = Estimator();
            var options = new PoseTrackerOptions { StartRegion = new BoundingBox(rx0, ry0, rx1 - rx0, ry1 - ry0) };
            var tracker = new PoseTracker(estimator, null, options);
            Assert.Equal(1, tracker.Capacity);
            var results = new TrackedPose[1];
            int tracked = 0, firstId = 0;
            for (int f = 0; f < 8; f++)
            {
                int n = tracker.Track(frames[f].AsImageView(), f / 25.0, results);
                tracked += n;
                if (n == 1 && firstId == 0) firstId = results[0].TrackId;
            }
            if (tracked < 4)
            {
                var direct = new Pose[1];
                var region = new BoundingBox(rx0 * w, ry0 * h, (rx1 - rx0) * w, (ry1 - ry0) * h);
                estimator.Estimate(frames[0].AsImageView(), new[] { region }, direct);
                int visible = 0;
                for (int k = 0; k < direct[0].KeypointCount; k++) if (direct[0][k].Score >= options.MinKeypointScore) visible++;
                Assert.Fail($"the person was tracked in {tracked} of the first 8 frames; the pose in the start region {region} scores {direct[0].Score:F3} with {visible} keypoints >= {options.MinKeypointScore}");
            }
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int f = 8; f < frames.Count; f++) tracker.Track(frames[f].AsImageView(), f / 25.0, results);
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.True(allocated == 0, $"{allocated} bytes over {frames.Count - 8} steady frames");
            Assert.False(tracker.LastTimings.Detected);
            foreach (var m in frames) m.Dispose();
        }

        [Fact]
        public void Bad_tracker_settings_and_calls_are_named()
        {
            using var estimator = Estimator();
            var e = Assert.Throws<ArgumentOutOfRangeException>(() => new PoseTracker(estimator, null, new PoseTrackerOptions { StartRegion = new BoundingBox(0.5f, 0, 0.8f, 1) }));
            Assert.Equal("StartRegion", e.ParamName);
            e = Assert.Throws<ArgumentOutOfRangeException>(() => new PoseTracker(estimator, null, new PoseTrackerOptions { DetectEvery = 0 }));
            Assert.Equal("DetectEvery", e.ParamName);
            Assert.Throws<ArgumentNullException>(() => new PoseTracker(null!));
            var tracker = new PoseTracker(estimator);
            var image = new byte[64 * 48 * 3];
            var ex = Assert.Throws<ArgumentException>(() => tracker.Track(new ImageView(image, 64, 48, 0, PixelFormat.Bgr24), double.NaN, new TrackedPose[1]));
            Assert.Contains("timestamp", ex.Message, StringComparison.Ordinal);
        }
    }
}
