using System;

namespace PoseRT.Runtime.Tracking
{
    /// <summary>Settings of a <see cref="PoseTracker"/>; read when it is created. The defaults suit a webcam at 15-30 FPS.</summary>
    public sealed class PoseTrackerOptions
    {
        /// <summary>Run the person detector every N frames even when all tracks are fine (finds newcomers, re-anchors boxes).</summary>
        public int DetectEvery { get; set; } = 10;

        /// <summary>Most people tracked at once.</summary>
        public int MaxPeople { get; set; } = 8;

        /// <summary>Kiosk mode: track one person, chosen as the largest and most central detection.</summary>
        public bool SinglePerson { get; set; }

        /// <summary>A pose below this score counts as lost for its track.</summary>
        public float MinPoseScore { get; set; } = 0.15f;

        /// <summary>Keypoints at or above this score are visible (drawn, used for the next box).</summary>
        public float MinKeypointScore { get; set; } = 0.3f;

        /// <summary>A pose with fewer visible keypoints counts as lost.</summary>
        public int MinVisibleKeypoints { get; set; } = 4;

        /// <summary>
        /// Frames a track may stay lost, with neither a good pose nor a matching detection (kept with its last box, forcing
        /// re-detection), before it is dropped. While the detector still finds the person the track and its id are kept
        /// even if the pose model fails there; its pose is just not reported.
        /// </summary>
        public int MaxMisses { get; set; } = 2;

        /// <summary>Smallest match score (mean of box IoU and the fraction of the track's keypoints inside the detection) that links a detection to a track.</summary>
        public float MatchThreshold { get; set; } = 0.3f;

        /// <summary>Two tracks whose boxes overlap more than this (IoU) follow the same person: the younger is dropped.</summary>
        public float DuplicateIoU { get; set; } = 0.6f;

        /// <summary>
        /// One-Euro smoothing of the keypoints of each track (Casiez et al. 2012); null turns it off. Default: minimum
        /// cutoff 1 Hz, beta 0.02.
        /// </summary>
        public OneEuroSettings? Smoothing { get; set; } = new OneEuroSettings(1.0, 0.02);

        /// <summary>
        /// Without an <see cref="IPersonDetector"/>: the region searched for a person when no one is tracked, as fractions
        /// of the frame (x, y, width, height). Default: the middle half of the width, full height (a person facing a kiosk
        /// or a webcam). Ignored when a detector is given.
        /// </summary>
        public BoundingBox StartRegion { get; set; } = new BoundingBox(0.25f, 0f, 0.5f, 1f);

        /// <summary>A copy, so a tracker is not changed by later edits of the options it was created with.</summary>
        internal PoseTrackerOptions Clone() => (PoseTrackerOptions)MemberwiseClone();

        /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first setting that is out of range.</summary>
        public void Validate()
        {
            if (DetectEvery < 1) throw new ArgumentOutOfRangeException(nameof(DetectEvery), DetectEvery, "DetectEvery (--detect-every) must be at least 1.");
            if (MaxPeople < 1 || MaxPeople > TrackedPose.MaxPerFrame)
                throw new ArgumentOutOfRangeException(nameof(MaxPeople), MaxPeople, $"MaxPeople (--max-people) must be 1 to {TrackedPose.MaxPerFrame}.");
            if (MaxMisses < 0) throw new ArgumentOutOfRangeException(nameof(MaxMisses), MaxMisses, "MaxMisses must be at least 0.");
            if (MinVisibleKeypoints < 0) throw new ArgumentOutOfRangeException(nameof(MinVisibleKeypoints), MinVisibleKeypoints, "MinVisibleKeypoints must be at least 0.");
            if (!(MinPoseScore >= 0) || !(MinKeypointScore >= 0)) throw new ArgumentOutOfRangeException(nameof(MinKeypointScore), MinKeypointScore, "MinPoseScore and MinKeypointScore must be numbers >= 0.");
            if (!(MatchThreshold >= 0 && MatchThreshold <= 1)) throw new ArgumentOutOfRangeException(nameof(MatchThreshold), MatchThreshold, "MatchThreshold must be in [0, 1].");
            if (!(DuplicateIoU > 0 && DuplicateIoU <= 1)) throw new ArgumentOutOfRangeException(nameof(DuplicateIoU), DuplicateIoU, "DuplicateIoU must be in (0, 1].");
            // default(OneEuroSettings) skips the constructor's checks: a cutoff of 0 Hz would freeze every keypoint where it was first seen.
            if (Smoothing is { } s && !(s.MinCutoff > 0 && s.DerivativeCutoff > 0))
                throw new ArgumentOutOfRangeException(nameof(Smoothing), s.MinCutoff, "Smoothing needs cutoffs > 0 Hz: create it with new OneEuroSettings(minCutoff, beta), or set it to null for no smoothing.");
            var r = StartRegion;
            if (!(r.X >= 0 && r.Y >= 0 && r.Width > 0 && r.Height > 0 && r.X + r.Width <= 1.0001f && r.Y + r.Height <= 1.0001f))
                throw new ArgumentOutOfRangeException(nameof(StartRegion), r, "StartRegion is a fraction of the frame: x, y >= 0, width and height > 0, inside [0, 1].");
        }
    }
}
