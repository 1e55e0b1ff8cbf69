namespace PoseRT.Trainer.Data
{
    /// <summary>
    /// Training augmentation (paper 5.3, in the form of the SimpleBaselines/HRNet code): scale x clip(N(0,1)*s+1),
    /// rotation clip(N(0,1)*r) degrees with a probability, horizontal flip with left/right swap, half-body.
    /// All of it ends up in one affine warp per sample.
    /// </summary>
    public sealed record Augmentation
    {
        /// <summary>Scale spread: scale factor in [1 - s, 1 + s] (paper: 0.65-1.35, s = 0.35).</summary>
        public float ScaleFactor { get; init; } = 0.35f;

        /// <summary>Rotation spread and limit in degrees (paper: +-45).</summary>
        public float RotationDegrees { get; init; } = 45f;

        /// <summary>Probability of rotating at all (HRNet: 0.6).</summary>
        public float RotationProbability { get; init; } = 0.6f;

        /// <summary>Probability of a horizontal flip.</summary>
        public float FlipProbability { get; init; } = 0.5f;

        /// <summary>Probability of the half-body crop (HRNet: 0.3).</summary>
        public float HalfBodyProbability { get; init; } = 0.3f;

        /// <summary>Half-body needs more than this many labelled joints (HRNet: 8).</summary>
        public int HalfBodyMinJoints { get; init; } = 8;

        /// <summary>Box padding for the half-body crop (HRNet: 1.5).</summary>
        public float HalfBodyPadding { get; init; } = 1.5f;

        /// <summary>The paper's recipe.</summary>
        public static Augmentation Paper { get; } = new();

        /// <summary>Nothing but flips (the coco-mini overfit check).</summary>
        public static Augmentation FlipOnly { get; } = new() { ScaleFactor = 0, RotationProbability = 0, HalfBodyProbability = 0 };

        /// <summary>No augmentation at all (validation-like crops).</summary>
        public static Augmentation None { get; } = new() { ScaleFactor = 0, RotationProbability = 0, HalfBodyProbability = 0, FlipProbability = 0 };
    }
}
