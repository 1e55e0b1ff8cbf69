using System;
using System.Numerics;
using System.Runtime.InteropServices;

namespace PoseRT.Runtime.Geometry
{
    /// <summary>
    /// From a crop's heatmaps to a <see cref="Pose"/> in image pixels, as in HRNet's <c>inference.py</c>: flip-merge,
    /// peaks (<see cref="HeatmapCodec.Decode"/>), back-projection through the crop's transform, pose score.
    /// </summary>
    internal static class PoseDecoding
    {
        /// <summary>
        /// Decodes one crop: merges <paramref name="flippedHeatmaps"/> into <paramref name="heatmaps"/> when given
        /// (in place), finds the peaks into <paramref name="peaks"/> and writes the pose.
        /// </summary>
        public static void Decode(HeatmapCodec codec, Span<float> heatmaps, ReadOnlySpan<float> flippedHeatmaps, ReadOnlySpan<int> flipIndex,
            PeakRefinement refinement, Span<float> scratch, Span<Keypoint> peaks, in CropTransform transform, in BoundingBox box,
            float boxScore, float keypointThreshold, ref Pose pose)
        {
            if (!flippedHeatmaps.IsEmpty) codec.FlipMerge(heatmaps, flippedHeatmaps, flipIndex, heatmaps);
            codec.Decode(heatmaps, peaks, refinement, scratch);
            pose = default;
            pose.Box = box;
            pose.BoxScore = boxScore;
            pose.KeypointCount = peaks.Length;
            float sx = codec.StrideX, sy = codec.StrideY;
            for (int k = 0; k < peaks.Length; k++)
            {
                var p = peaks[k];
                transform.HeatmapToImage(p.X, p.Y, sx, sy, out float x, out float y);
                pose[k] = new Keypoint(x, y, p.Score);
            }
            pose.Score = Score(peaks, boxScore, keypointThreshold);
        }

        /// <summary>SimpleBaselines' pose score: box score times the mean of the keypoint scores above the threshold (0 when none is).</summary>
        public static float Score(ReadOnlySpan<Keypoint> keypoints, float boxScore, float keypointThreshold)
        {
            float sum = 0;
            int valid = 0;
            for (int k = 0; k < keypoints.Length; k++)
            {
                float s = keypoints[k].Score;
                if (s > keypointThreshold)
                {
                    sum += s;
                    valid++;
                }
            }
            return valid > 0 ? sum / valid * boxScore : 0f;
        }

        /// <summary>True when no value is NaN or infinite (x - x is 0 for finite x, NaN otherwise; a NaN survives the sum).</summary>
        public static bool AllFinite(ReadOnlySpan<float> values)
        {
            float sum = 0;
            int i = 0;
            if (Vector.IsHardwareAccelerated && values.Length >= Vector<float>.Count)
            {
                var vectors = MemoryMarshal.Cast<float, Vector<float>>(values);
                var acc = Vector<float>.Zero;
                for (int v = 0; v < vectors.Length; v++) acc += vectors[v] - vectors[v];
                sum = Vector.Dot(acc, Vector<float>.One);
                i = vectors.Length * Vector<float>.Count;
            }
            for (; i < values.Length; i++) sum += values[i] - values[i];
            return sum == 0;
        }
    }
}
