using System;
using System.Collections.Generic;

namespace PoseRT.Runtime
{
    /// <summary>
    /// The 17 COCO person keypoints: names, left/right flip pairs, skeleton and OKS sigmas.
    /// Training, export, inference and evaluation all read them from here.
    /// </summary>
    public static class CocoKeypoints
    {
        /// <summary>Number of keypoints.</summary>
        public const int Count = 17;

        private static readonly string[] NamesArray =
        {
            "nose", "left_eye", "right_eye", "left_ear", "right_ear",
            "left_shoulder", "right_shoulder", "left_elbow", "right_elbow",
            "left_wrist", "right_wrist", "left_hip", "right_hip",
            "left_knee", "right_knee", "left_ankle", "right_ankle",
        };

        // Each keypoint's mirror image under a horizontal flip (0-based pairs (1,2) (3,4) ... (15,16)).
        private static readonly int[] FlipIndexArray = { 0, 2, 1, 4, 3, 6, 5, 8, 7, 10, 9, 12, 11, 14, 13, 16, 15 };

        // COCO's skeleton (1-based in the annotation file), 0-based here.
        private static readonly int[] SkeletonArray =
        {
            15, 13, 13, 11, 16, 14, 14, 12, 11, 12, 5, 11, 6, 12, 5, 6, 5, 7,
            6, 8, 7, 9, 8, 10, 1, 2, 0, 1, 0, 2, 1, 3, 2, 4, 3, 5, 4, 6,
        };

        // pycocotools' per-keypoint OKS constants (already divided by 10).
        private static readonly double[] SigmasArray =
        {
            .026, .025, .025, .035, .035, .079, .079, .072, .072, .062, .062, .107, .107, .087, .087, .089, .089,
        };

        /// <summary>Keypoint names in model output order.</summary>
        public static IReadOnlyList<string> Names => NamesArray;

        /// <summary><c>FlipIndex[i]</c> is the keypoint that <c>i</c> becomes in a horizontally mirrored image.</summary>
        public static ReadOnlySpan<int> FlipIndex => FlipIndexArray;

        /// <summary>Skeleton limbs as consecutive (from, to) index pairs: limb <c>k</c> is <c>(Skeleton[2k], Skeleton[2k+1])</c>.</summary>
        public static ReadOnlySpan<int> Skeleton => SkeletonArray;

        /// <summary>Per-keypoint OKS sigmas as used by pycocotools (<c>.26/10</c> for the nose, ...).</summary>
        public static ReadOnlySpan<double> Sigmas => SigmasArray;

        /// <summary>The left/right pairs as (left, right) tuples, e.g. (1, 2) for the eyes.</summary>
        public static IReadOnlyList<(int Left, int Right)> FlipPairs { get; } = BuildFlipPairs();

        private static (int, int)[] BuildFlipPairs()
        {
            var pairs = new List<(int, int)>();
            for (int i = 0; i < Count; i++)
            {
                if (FlipIndexArray[i] > i) pairs.Add((i, FlipIndexArray[i]));
            }
            return pairs.ToArray();
        }
    }
}
