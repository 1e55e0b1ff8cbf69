using System;

namespace PoseRT.Trainer.Data
{
    /// <summary>Sizes of one training sample: a CHW image and per-joint heatmaps with one weight per joint.</summary>
    public readonly record struct SampleShape(int Channels, int Height, int Width, int Joints, int HeatmapHeight, int HeatmapWidth)
    {
        /// <summary>Floats in one image (C*H*W).</summary>
        public int ImageLength => Channels * Height * Width;

        /// <summary>Floats in one target (J*h*w).</summary>
        public int TargetLength => Joints * HeatmapHeight * HeatmapWidth;
    }

    /// <summary>
    /// A top-down training set: each index is one person crop. Implementations must be thread-safe for
    /// concurrent <see cref="TryLoad"/> calls, and the sample must depend only on the index and the given
    /// random source, so that loading order and worker count cannot change what a run sees.
    /// </summary>
    public interface IPoseDataset
    {
        /// <summary>Number of samples.</summary>
        int Count { get; }

        /// <summary>Sizes every sample has.</summary>
        SampleShape Shape { get; }

        /// <summary>
        /// Writes sample <paramref name="index"/> (augmented with <paramref name="random"/>) into the spans.
        /// Returns false with a reason when this sample cannot be used (missing or corrupt image, ...):
        /// the loader skips it and counts a warning instead of stopping the epoch.
        /// </summary>
        bool TryLoad(int index, Random random, Span<float> image, Span<float> target, Span<float> targetWeight, out string? problem);
    }
}
