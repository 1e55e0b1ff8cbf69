namespace PoseRT
{
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
}
