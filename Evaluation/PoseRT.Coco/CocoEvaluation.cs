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

        internal CocoEvaluation(CocoKeypointStats stats, double[] precision, double[] recall, int categories, IReadOnlyList<string> warnings, int images, int results, CocoKeypointErrors keypointErrors, CocoKeypointScoreTable keypointScores)
        {
            Stats = stats;
            _precision = precision;
            _recall = recall;
            _categories = categories;
            Warnings = warnings;
            ImageCount = images;
            EvaluatedResultCount = results;
            KeypointErrors = keypointErrors;
            KeypointScores = keypointScores;
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

        /// <summary>What each keypoint score threshold of <see cref="CocoKeypointScoreTable.Thresholds"/> keeps, and how much of it is right.</summary>
        public CocoKeypointScoreTable KeypointScores { get; }

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

    /// <summary>
    /// What a keypoint score threshold (a demo's or tracker's "visible" cut) keeps. Over every annotated person (not a
    /// crowd, at least one labelled keypoint) and the result in its image with the highest OKS on that person (the pose
    /// shown for them; a person with no result in the image shows nothing), each labelled keypoint is shown at a
    /// threshold when its score is at or above it, and right when its OKS term exp(-d²/2s²κ²) is at least 0.5 (the
    /// distance at which a keypoint counts half in OKS). Comparing two models by their shown and right counts at one
    /// threshold says whether that threshold means the same for both.
    /// </summary>
    /// <param name="Thresholds">The score thresholds, ascending (<see cref="CocoKeypointEvaluator.KeypointScoreThresholds"/>).</param>
    /// <param name="Shown">Labelled keypoints whose score is at or above each threshold.</param>
    /// <param name="Right">Of those, the right ones.</param>
    /// <param name="Labelled">Labelled keypoints of the annotated persons.</param>
    /// <param name="LabelledRight">Of those, the right ones at any score (what a threshold of 0 would show right).</param>
    public sealed record CocoKeypointScoreTable(IReadOnlyList<double> Thresholds, IReadOnlyList<int> Shown, IReadOnlyList<int> Right, int Labelled, int LabelledRight);
}
