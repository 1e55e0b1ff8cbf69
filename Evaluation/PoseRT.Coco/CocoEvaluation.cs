using System;
using System.Collections.Generic;

namespace PoseRT.Coco
{
    /// <summary>What <see cref="CocoKeypointEvaluator.Evaluate"/> found: the 10 stats, the precision/recall tables behind them, warnings.</summary>
    public sealed class CocoEvaluation
    {
        private readonly double[] _precision;
        private readonly double[] _recall;
        private readonly int _categories;

        internal CocoEvaluation(CocoKeypointStats stats, double[] precision, double[] recall, int categories, IReadOnlyList<string> warnings, int images, int results, CocoKeypointErrors keypointErrors)
        {
            Stats = stats;
            _precision = precision;
            _recall = recall;
            _categories = categories;
            Warnings = warnings;
            ImageCount = images;
            EvaluatedResultCount = results;
            KeypointErrors = keypointErrors;
        }

        /// <summary>AP, AP50, AP75, APm, APl, AR, AR50, AR75, ARm, ARl.</summary>
        public CocoKeypointStats Stats { get; }

        /// <summary>Things that did not stop the evaluation but change what it means (skipped results, empty input).</summary>
        public IReadOnlyList<string> Warnings { get; }

        /// <summary>Images evaluated (all images of the ground truth).</summary>
        public int ImageCount { get; }

        /// <summary>Results that took part (before the 20-per-image cut; results of unknown categories excluded).</summary>
        public int EvaluatedResultCount { get; }

        /// <summary>Per-keypoint errors of the persons matched at OKS 0.5 (all areas), for diagnostics and plots.</summary>
        public CocoKeypointErrors KeypointErrors { get; }

        /// <summary>
        /// pycocotools' <c>eval['precision'][t, r, k, a, 0]</c>: interpolated precision at OKS threshold
        /// <paramref name="oksIndex"/>, recall point <paramref name="recallIndex"/>, category index
        /// <paramref name="categoryIndex"/> (sorted ids) and area range <paramref name="areaIndex"/>; -1 where undefined.
        /// </summary>
        public double Precision(int oksIndex, int recallIndex, int categoryIndex, int areaIndex)
        {
            Check(oksIndex, CocoKeypointEvaluator.OksThresholds.Count, nameof(oksIndex));
            Check(recallIndex, CocoKeypointEvaluator.RecallThresholds.Count, nameof(recallIndex));
            Check(categoryIndex, _categories, nameof(categoryIndex));
            Check(areaIndex, CocoKeypointEvaluator.AreaRanges.Count, nameof(areaIndex));
            int R = CocoKeypointEvaluator.RecallThresholds.Count, A = CocoKeypointEvaluator.AreaRanges.Count;
            return _precision[((oksIndex * R + recallIndex) * _categories + categoryIndex) * A + areaIndex];
        }

        /// <summary>pycocotools' <c>eval['recall'][t, k, a, 0]</c>: the recall reached at an OKS threshold; -1 where undefined.</summary>
        public double Recall(int oksIndex, int categoryIndex, int areaIndex)
        {
            Check(oksIndex, CocoKeypointEvaluator.OksThresholds.Count, nameof(oksIndex));
            Check(categoryIndex, _categories, nameof(categoryIndex));
            Check(areaIndex, CocoKeypointEvaluator.AreaRanges.Count, nameof(areaIndex));
            int A = CocoKeypointEvaluator.AreaRanges.Count;
            return _recall[(oksIndex * _categories + categoryIndex) * A + areaIndex];
        }

        private static void Check(int index, int count, string name)
        {
            if ((uint)index >= (uint)count)
                throw new ArgumentOutOfRangeException(name, index, $"Expected 0 to {count - 1}.");
        }
    }

    /// <summary>Mean errors per keypoint over matched persons (only keypoints the ground truth labels).</summary>
    /// <param name="MeanNormalizedDistance">Mean pixel distance divided by the square root of the person's area, per keypoint (NaN when none matched).</param>
    /// <param name="MeanSimilarity">Mean per-keypoint OKS term exp(-d²/2s²κ²), per keypoint (NaN when none matched).</param>
    /// <param name="Count">Keypoints that contributed, per keypoint.</param>
    public sealed record CocoKeypointErrors(IReadOnlyList<double> MeanNormalizedDistance, IReadOnlyList<double> MeanSimilarity, IReadOnlyList<int> Count);
}
