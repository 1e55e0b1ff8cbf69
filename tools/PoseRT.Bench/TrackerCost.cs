using System;
using System.Collections.Generic;
using PoseRT.Runtime;
using PoseRT.Runtime.Tracking;
using PoseRT.Vision;

namespace PoseRT.Bench
{
    /// <summary>
    /// What <see cref="PoseTracker"/> costs per frame next to <see cref="PoseEstimator"/> alone: a clip through the tracker
    /// with the HOG detector, each stage timed by the tracker itself, managed bytes counted on frames without detection.
    /// </summary>
    internal static class TrackerCost
    {
        /// <summary>A generated two-person walk (PoseRT.Synthetic, seed 7), long enough for steady tracking between detections.</summary>
        public static (List<byte[]> Frames, int Width, int Height, string Name) SyntheticWalk(string dir)
        {
            var clip = PoseRT.Synthetic.SyntheticPeople.GenerateClip(
                new PoseRT.Synthetic.SyntheticClipOptions { Frames = 150, People = 2, Seed = 7, Difficulty = 0.2, Name = "walk" }, dir);
            var (frames, width, height) = ClipFrames.Load(clip.VideoPath, 150);
            return (frames, width, height, $"synthetic walk, 2 people, {width}x{height}, 150 frames (posert synth --video, seed 7)");
        }

        /// <summary>
        /// Tracks <paramref name="count"/> frames of <paramref name="frames"/> (looped when the clip is shorter: a loop jumps
        /// people back, which the tracker treats as lost tracks) and returns the mean per-frame cost of each stage.
        /// </summary>
        public static TrackerRow Measure(string name, string model, string clip, IReadOnlyList<byte[]> frames, int width, int height, int count, int threads)
        {
            if (frames.Count == 0) throw new ArgumentException("The clip has no frames.", nameof(frames));
            count = Math.Max(count, frames.Count);
            using var estimator = PoseEstimator.Load(model, new PoseEstimatorOptions { Provider = ExecutionProvider.Cpu, CpuThreads = threads, MaxBoxesPerRun = 8 });
            using var hog = new HogPersonDetector();
            var tracker = new PoseTracker(estimator, hog);
            var people = new TrackedPose[tracker.Capacity];
            double detect = 0, estimate = 0, track = 0, total = 0, persons = 0;
            long bytes = 0;
            // The first frames warm the JIT and ONNX Runtime's arena; their allocations are not the steady state.
            int runs = 0, steady = 0, warmup = Math.Min(10, frames.Count / 2);
            for (int i = 0; i < count; i++)
            {
                var view = new ImageView(frames[i % frames.Count], width, height, 0, PixelFormat.Bgr24);
                long before = GC.GetAllocatedBytesForCurrentThread();
                int n = tracker.Track(view, i / 25.0, people);
                long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
                var t = tracker.LastTimings;
                if (t.Detected) runs++;
                else if (i >= warmup)
                {
                    bytes += allocated;
                    steady++;
                }
                detect += t.Detect.TotalMilliseconds;
                estimate += t.Estimate.TotalMilliseconds;
                track += t.Track.TotalMilliseconds;
                total += t.Total.TotalMilliseconds;
                persons += n;
            }
            return new TrackerRow(name, clip, count, frames.Count, persons / count, detect / count, estimate / count, track / count, total / count,
                runs / (double)count, steady == 0 ? null : bytes / (double)steady);
        }
    }
}
