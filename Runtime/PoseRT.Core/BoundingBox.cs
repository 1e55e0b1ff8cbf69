using System;

namespace PoseRT
{
    /// <summary>An axis-aligned box in image pixels: top-left corner and size (COCO's x, y, w, h).</summary>
    public struct BoundingBox : IEquatable<BoundingBox>
    {
        /// <summary>
        /// 2^24: the largest coordinate or size a box may have. Past it a float no longer tells neighbouring pixels
        /// apart, so such a box is a unit or parsing error; the estimator and the COCO reader refuse it.
        /// </summary>
        public const float MaxCoordinate = 16777216f;

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
}
