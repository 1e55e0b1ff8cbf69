using System;
using PoseRT.Runtime.Tracking;

namespace PoseRT.Demo.Pipeline
{
    /// <summary>
    /// The pose estimator as one stage of the pipeline: what the Runtime's <see cref="PoseTracker"/> calls for the boxes
    /// of a frame, plus what the overlay and the logs show. The real stage is <see cref="EstimatorStage"/>; tests pass
    /// scripted ones.
    /// </summary>
    internal interface IPoseStage : IBoxPoseEstimator, IDisposable
    {
        /// <summary>Short description for the overlay and logs (model file, execution provider).</summary>
        string Description { get; }

        /// <summary>The keypoints the poses hold (the model's schema: its skeleton is what the overlay draws).</summary>
        KeypointSchema Keypoints { get; }
    }
}
