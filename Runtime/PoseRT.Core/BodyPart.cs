namespace PoseRT
{
    /// <summary>The half of the body a keypoint belongs to (half-body augmentation, per-part statistics).</summary>
    public enum BodyPart
    {
        /// <summary>Head, shoulders, arms and hands.</summary>
        Upper,

        /// <summary>Hips, legs and feet.</summary>
        Lower,
    }
}
