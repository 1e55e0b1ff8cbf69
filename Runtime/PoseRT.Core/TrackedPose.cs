namespace PoseRT
{
    /// <summary>One tracked person: a track id that stays the same across frames, and the pose.</summary>
    public struct TrackedPose
    {
        /// <summary>The most people one frame carries: the bound of the tracker's people and of the PoseFrame wire format.</summary>
        public const int MaxPerFrame = 64;

        /// <summary>Track id, stable while the person stays in view; ids are never reused within a run.</summary>
        public int TrackId;

        /// <summary>The pose: box, box score, pose score and keypoints in image pixels.</summary>
        public Pose Pose;

        /// <summary>Creates a tracked pose.</summary>
        public TrackedPose(int trackId, in Pose pose)
        {
            TrackId = trackId;
            Pose = pose;
        }
    }
}
