using System;

namespace PoseRT.Runtime
{
    /// <summary>An axis-aligned box in image pixels: top-left corner and size (COCO's x, y, w, h).</summary>
    public struct BoundingBox : IEquatable<BoundingBox>
    {
        /// <summary>Left edge.</summary>
        public float X;

        /// <summary>Top edge.</summary>
        public float Y;

        /// <summary>Width.</summary>
        public float Width;

        /// <summary>Height.</summary>
        public float Height;

        /// <summary>Creates a box from its top-left corner and size.</summary>
        public BoundingBox(float x, float y, float width, float height)
        {
            X = x;
            Y = y;
            Width = width;
            Height = height;
        }

        /// <summary>Horizontal centre.</summary>
        public readonly float CenterX => X + Width / 2;

        /// <summary>Vertical centre.</summary>
        public readonly float CenterY => Y + Height / 2;

        /// <summary>Width times height.</summary>
        public readonly float Area => Width * Height;

        /// <inheritdoc />
        public readonly bool Equals(BoundingBox other) => X == other.X && Y == other.Y && Width == other.Width && Height == other.Height;

        /// <inheritdoc />
        public override readonly bool Equals(object? obj) => obj is BoundingBox other && Equals(other);

        /// <inheritdoc />
        public override readonly int GetHashCode() => HashCode.Combine(X, Y, Width, Height);

        /// <inheritdoc />
        public override readonly string ToString() => $"[{X:F1}, {Y:F1}, {Width:F1}, {Height:F1}]";
    }

    /// <summary>One keypoint: image coordinates and confidence (the heatmap peak value).</summary>
    public struct Keypoint
    {
        /// <summary>Horizontal position in image pixels.</summary>
        public float X;

        /// <summary>Vertical position in image pixels.</summary>
        public float Y;

        /// <summary>Confidence: the heatmap's peak value, 0 where the map had no positive peak.</summary>
        public float Score;

        /// <summary>Creates a keypoint.</summary>
        public Keypoint(float x, float y, float score)
        {
            X = x;
            Y = y;
            Score = score;
        }

        /// <inheritdoc />
        public override readonly string ToString() => $"({X:F1}, {Y:F1}; {Score:F3})";
    }

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
