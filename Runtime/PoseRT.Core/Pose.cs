using System;

namespace PoseRT
{
    /// <summary>
    /// One person's pose: up to <see cref="MaxKeypoints"/> keypoints stored inline (no heap
    /// allocation), the box it was estimated from and its scores. Poses are written into
    /// caller-provided spans, so a steady-state frame allocates nothing.
    /// </summary>
    public unsafe struct Pose
    {
        /// <summary>Keypoints a pose can hold (COCO's 17).</summary>
        public const int MaxKeypoints = CocoKeypoints.Count;

        private fixed float _keypoints[MaxKeypoints * 3];

        /// <summary>The person box the pose was estimated in (image pixels).</summary>
        public BoundingBox Box;

        /// <summary>The detector's (or tracker's) confidence in <see cref="Box"/>; 1 when unknown.</summary>
        public float BoxScore;

        /// <summary>Pose score: <see cref="BoxScore"/> times the mean of the keypoint scores above the threshold.</summary>
        public float Score;

        /// <summary>Number of valid keypoints (the model's keypoint count).</summary>
        public int KeypointCount;

        /// <summary>Gets or sets keypoint <paramref name="index"/> (0 to <see cref="KeypointCount"/> - 1).</summary>
        public Keypoint this[int index]
        {
            readonly get
            {
                CheckIndex(index);
                fixed (float* p = _keypoints) return new Keypoint(p[3 * index], p[3 * index + 1], p[3 * index + 2]);
            }
            set
            {
                CheckIndex(index);
                fixed (float* p = _keypoints)
                {
                    p[3 * index] = value.X;
                    p[3 * index + 1] = value.Y;
                    p[3 * index + 2] = value.Score;
                }
            }
        }

        private static void CheckIndex(int index)
        {
            if ((uint)index >= MaxKeypoints)
                throw new ArgumentOutOfRangeException(nameof(index), index, $"A pose holds keypoints 0 to {MaxKeypoints - 1}.");
        }
    }
}
