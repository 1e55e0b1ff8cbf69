using System.Collections.Generic;

namespace PoseRT.Bench
{
    /// <summary>Mean, median and 95th percentile (nearest rank) of a series in milliseconds.</summary>
    internal sealed record Stats(double MeanMs, double P50Ms, double P95Ms, int Samples);

    /// <summary>PoseRT end to end for one person: crop, inference, decode.</summary>
    internal sealed record LatencyRow(string Model, string Graph, string Parallelism, int Threads, bool Flip, Stats Total,
        Stats Inference, double PreprocessP50Ms, double DecodeP50Ms, double BytesPerFrame, double Fps);

    /// <summary>PoseRT with several people in one frame (flip on): poses per second.</summary>
    internal sealed record ThroughputRow(string Model, int Threads, int Persons, Stats Total, double PosesPerSecond);

    /// <summary>A peer on the same crops (batch 2 = one person with the flip test) against PoseRT's end-to-end time.</summary>
    internal sealed record PeerRow(string Model, string Peer, string File, int Threads, Stats? Time, double? SlowerThanPoseRT, string? Note);

    /// <summary>
    /// <see cref="PoseRT.Runtime.Tracking.PoseTracker"/> on a clip with the HOG detector (<see cref="TrackerCost"/>): mean milliseconds per
    /// frame of each stage. The estimate stage is <see cref="PoseRT.Runtime.PoseEstimator"/> itself on the tracked boxes; the
    /// track stage is what the tracker adds in managed code (matching, box updates, smoothing).
    /// </summary>
    internal sealed record TrackerRow(string Model, string Clip, int Frames, int ClipFrames, double PeoplePerFrame, double DetectMs, double EstimateMs, double TrackMs, double TotalMs,
        double DetectorRunsPerFrame, double? BytesPerFrameWithoutDetection);

    /// <summary>One benchmarked model.</summary>
    internal sealed record ModelRow(string Name, string Description, string File, long? MultiplyAdds, double RssAfterMb);

    /// <summary>Everything one run measured.</summary>
    internal sealed record BenchResults(string Command, string StartedUtc, double WallSeconds, MachineInfo Machine, string OnnxRuntime,
        List<ModelRow> Models, List<LatencyRow> Latency, List<ThroughputRow> Throughput, List<PeerRow> Peers, List<TrackerRow> Tracker, double PeakRssMb);
}
