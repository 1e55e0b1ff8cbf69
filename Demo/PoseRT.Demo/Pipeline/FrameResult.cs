using System;
using PoseRT.Protocol;

namespace PoseRT.Demo.Pipeline
{
    /// <summary>Per-stage latencies of one frame, in milliseconds.</summary>
    internal struct StageLatency
    {
        public double Capture;
        public double Detect;
        public double Pose;
        public double Track;
        public double Draw;
        public double Output;

        public readonly double Total => Capture + Detect + Pose + Track + Draw + Output;
    }

    /// <summary>
    /// What the pipeline produced for one frame. One instance is reused for every frame, so sinks
    /// must copy what they keep beyond <see cref="IFrameSink.Write"/>.
    /// </summary>
    internal sealed class FrameResult
    {
        public FrameResult(int capacity) => PoseBuffer = new TrackedPose[capacity];

        public long FrameNumber { get; set; }

        public long TimestampMicroseconds { get; set; }

        public int Width { get; set; }

        public int Height { get; set; }

        public bool Detected { get; set; }

        public StageLatency Latency;

        /// <summary>Frames per second measured over the recent frames.</summary>
        public double Fps { get; set; }

        public TrackedPose[] PoseBuffer { get; }

        public int PoseCount { get; set; }

        public ReadOnlySpan<TrackedPose> Poses => new ReadOnlySpan<TrackedPose>(PoseBuffer, 0, PoseCount);
    }
}
