using System;

namespace PoseRT.Runtime.Tracking
{
    /// <summary>
    /// What <see cref="PoseTracker"/> needs of an estimator: one pose per box of a frame, in one call. Embedders pass a
    /// <see cref="PoseEstimator"/>; the interface is internal so the demo's plumbing tests can drive the one tracker with
    /// scripted poses.
    /// </summary>
    internal interface IBoxPoseEstimator
    {
        /// <summary>Writes one pose per box into <paramref name="results"/> (same order).</summary>
        void Estimate(in ImageView image, ReadOnlySpan<BoundingBox> boxes, ReadOnlySpan<float> boxScores, Span<Pose> results);
    }
}
