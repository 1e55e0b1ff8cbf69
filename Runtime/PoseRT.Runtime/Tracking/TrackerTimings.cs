using System;

namespace PoseRT.Runtime.Tracking
{
    /// <summary>Wall time of the last <see cref="PoseTracker.Track"/> call, per stage.</summary>
    public readonly struct TrackerTimings
    {
        /// <summary>Creates a timing record.</summary>
        public TrackerTimings(bool detected, TimeSpan detect, TimeSpan estimate, TimeSpan track)
        {
            Detected = detected;
            Detect = detect;
            Estimate = estimate;
            Track = track;
        }

        /// <summary>Whether the detector ran on that frame.</summary>
        public bool Detected { get; }

        /// <summary>The detector (zero when it did not run, or without one).</summary>
        public TimeSpan Detect { get; }

        /// <summary><see cref="PoseEstimator.Estimate(in ImageView, ReadOnlySpan{BoundingBox}, ReadOnlySpan{float}, Span{Pose})"/> on every track's box, batched.</summary>
        public TimeSpan Estimate { get; }

        /// <summary>Matching, box updates and smoothing.</summary>
        public TimeSpan Track { get; }

        /// <summary>All stages.</summary>
        public TimeSpan Total => Detect + Estimate + Track;
    }
}
