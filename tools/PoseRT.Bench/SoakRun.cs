using System;
using System.Collections.Generic;
using System.Diagnostics;
using PoseRT.Runtime;
using PoseRT.Protocol;
using PoseRT.Runtime.Tracking;

namespace PoseRT.Bench
{
    /// <summary>Resident memory, managed allocations, threads and handles of a long tracking run, sampled at its start, middle and end.</summary>
    internal sealed record SoakResult(string Model, int Frames, int WarmupFrames, double RssStartMb, double RssMiddleMb, double RssEndMb,
        double BytesPerFrame, int ThreadsStart, int ThreadsEnd, int HandlesStart, int HandlesEnd, double MeanMsPerFrame, long PosesReported)
    {
        /// <summary>RSS growth from the start (after warm-up) to the end, in percent.</summary>
        public double RssGrowthPercent => 100 * (RssEndMb - RssStartMb) / RssStartMb;
    }

    /// <summary>
    /// The soak: <see cref="PoseTracker"/> + <see cref="PoseEstimator"/> (start-region mode, no detector, so only the Runtime is
    /// measured) over a looped sequence of frames, for a given number of frames after a warm-up.
    /// </summary>
    internal static class SoakRun
    {
        public static SoakResult Run(string model, IReadOnlyList<byte[]> frames, int width, int height, int count, int warmup, int threads, Action<string>? log = null)
        {
            if (frames.Count == 0) throw new ArgumentException("The soak needs at least one frame.", nameof(frames));
            if (count < 2) throw new ArgumentOutOfRangeException(nameof(count), count, "The soak needs at least 2 frames.");
            using var estimator = PoseEstimator.Load(model, new PoseEstimatorOptions { Provider = ExecutionProvider.Cpu, CpuThreads = threads });
            var tracker = new PoseTracker(estimator, null, new PoseTrackerOptions { StartRegion = new BoundingBox(0, 0, 1, 1) });
            var results = new TrackedPose[tracker.Capacity];
            long poses = 0;
            int frame = 0;
            void Step()
            {
                var data = frames[frame % frames.Count];
                var view = new ImageView(data, width, height, 0, PixelFormat.Bgr24);
                poses += tracker.Track(view, frame / 25.0, results);
                frame++;
            }
            for (int i = 0; i < warmup; i++) Step();
            poses = 0;
            using var self = Process.GetCurrentProcess();
            GC.Collect();
            GC.WaitForPendingFinalizers();
            self.Refresh();
            double rssStart = self.WorkingSet64 / 1048576.0, rssMiddle = rssStart;
            int threadsStart = self.Threads.Count, handlesStart = self.HandleCount;
            var wall = Stopwatch.StartNew();
            long bytes = 0;
            int half = count / 2;
            // Two halves, with the middle sample (Process.Refresh and the log line allocate) between them, outside the count.
            long allocated = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < half; i++) Step();
            bytes += GC.GetAllocatedBytesForCurrentThread() - allocated;
            self.Refresh();
            rssMiddle = self.WorkingSet64 / 1048576.0;
            log?.Invoke($"soak: {half} frames, RSS {rssMiddle:F1} MB");
            allocated = GC.GetAllocatedBytesForCurrentThread();
            for (int i = half; i < count; i++) Step();
            bytes += GC.GetAllocatedBytesForCurrentThread() - allocated;
            double ms = wall.Elapsed.TotalMilliseconds / count;
            self.Refresh();
            return new SoakResult(System.IO.Path.GetFileName(model), count, warmup, rssStart, rssMiddle, self.WorkingSet64 / 1048576.0,
                bytes / (double)count, threadsStart, self.Threads.Count, handlesStart, self.HandleCount, ms, poses);
        }
    }
}
