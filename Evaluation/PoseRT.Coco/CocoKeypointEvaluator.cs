using System;
using System.Collections.Generic;
using PoseRT.Runtime;

namespace PoseRT.Coco
{
    /// <summary>
    /// pycocotools' <c>COCOeval(gt, dt, iouType='keypoints')</c> reimplemented: <c>evaluate()</c>,
    /// <c>accumulate()</c> and <c>summarize()</c> with the same OKS (including the rule for persons without
    /// labelled keypoints), ignore flags, greedy matching order, stable score sorting, 101-point interpolated
    /// precision and summary averaging, so the 10 numbers agree with pycocotools to rounding of <c>exp</c>.
    /// </summary>
    /// <remarks>
    /// Where pycocotools crashes (an empty results list) this returns 0 where there is ground truth and -1
    /// where there is none, with a warning. Where it silently skips (results of a category the ground truth
    /// does not have) this skips them too and says so in <see cref="CocoEvaluation.Warnings"/>. Where it
    /// refuses (result image ids missing from the ground truth) this throws <see cref="CocoFormatException"/>.
    /// </remarks>
    public sealed class CocoKeypointEvaluator
    {
        /// <summary>Detections per image that are evaluated (pycocotools' <c>maxDets = [20]</c>); lower-scored ones are dropped.</summary>
        public const int MaxDetections = 20;

        private const int AreaCount = 3;
        private static readonly string[] AreaNameArray = { "all", "medium", "large" };

        // pycocotools: [[0 ** 2, 1e5 ** 2], [32 ** 2, 96 ** 2], [96 ** 2, 1e5 ** 2]], bounds inclusive.
        private static readonly double[] AreaLow = { 0, 32 * 32, 96 * 96 };
        private static readonly double[] AreaHigh = { 1e10, 96 * 96, 1e10 };

        private static readonly double[] OksThresholdArray = NumpyCompat.Linspace(0.5, 0.95, 10);
        private static readonly double[] RecallThresholdArray = NumpyCompat.Linspace(0.0, 1.0, 101);
        private static readonly double[] Variances = BuildVariances();
        private static readonly double[] KeypointScoreThresholdArray = { 0.1, 0.2, 0.3, 0.4, 0.5 };

        private readonly CocoKeypointFile _groundTruth;
        private readonly long[] _imageIds;
        private readonly long[] _categoryIds;
        private readonly Dictionary<(long Image, long Category), CocoKeypointAnnotation[]> _gtByImageCategory;

        /// <summary>Prepares evaluation against one ground-truth file (all its images and categories, like pycocotools' defaults).</summary>
        public CocoKeypointEvaluator(CocoKeypointFile groundTruth)
        {
            ArgumentNullException.ThrowIfNull(groundTruth);
            _groundTruth = groundTruth;
            _imageIds = SortedUnique(groundTruth.Images, i => i.Id);
            _categoryIds = SortedUnique(groundTruth.Categories, c => c.Id);

            var lists = new Dictionary<(long, long), List<CocoKeypointAnnotation>>();
            foreach (var a in groundTruth.Annotations)
            {
                if (!lists.TryGetValue((a.ImageId, a.CategoryId), out var list))
                {
                    list = new List<CocoKeypointAnnotation>();
                    lists.Add((a.ImageId, a.CategoryId), list);
                }
                list.Add(a);
            }
            _gtByImageCategory = new Dictionary<(long, long), CocoKeypointAnnotation[]>(lists.Count);
            foreach (var pair in lists) _gtByImageCategory.Add(pair.Key, pair.Value.ToArray());
        }

        /// <summary>The OKS thresholds 0.50, 0.55, ..., 0.95 (as <c>np.linspace</c> computes them).</summary>
        public static IReadOnlyList<double> OksThresholds => OksThresholdArray;

        /// <summary>The 101 recall points 0, 0.01, ..., 1 (as <c>np.linspace</c> computes them).</summary>
        public static IReadOnlyList<double> RecallThresholds => RecallThresholdArray;

        /// <summary>The keypoint score thresholds of <see cref="CocoEvaluation.KeypointScores"/>: 0.1, 0.2, 0.3, 0.4, 0.5.</summary>
        public static IReadOnlyList<double> KeypointScoreThresholds => KeypointScoreThresholdArray;

        /// <summary>Area range names in order: all, medium, large.</summary>
        public static IReadOnlyList<string> AreaRanges => AreaNameArray;

        /// <summary>
        /// Scores results against the ground truth. Results are taken in list order, which (as in pycocotools)
        /// decides the order of equal scores.
        /// </summary>
        /// <param name="results">The predictions (e.g. from <see cref="CocoResultsFile.Load"/>).</param>
        /// <param name="source">Name used in error messages (the results file path).</param>
        /// <exception cref="CocoFormatException">A result's image id is not in the ground truth, or only some results have a bbox.</exception>
        public CocoEvaluation Evaluate(IReadOnlyList<CocoKeypointResult> results, string source = "results")
        {
            ArgumentNullException.ThrowIfNull(results);
            int imageCount = _imageIds.Length, categoryCount = _categoryIds.Length;
            int T = OksThresholdArray.Length, R = RecallThresholdArray.Length;
            var warnings = new List<string>();
            if (results.Count == 0)
                warnings.Add("The results list is empty: AP and AR are 0 wherever there is ground truth (pycocotools cannot load an empty list).");

            var dtArea = new double[results.Count];
            var dtByImageCategory = BucketResults(results, source, dtArea, warnings);

            var evals = new ImageEvaluation?[categoryCount * AreaCount * imageCount];
            var keypointErrors = new KeypointErrorAccumulator();
            var keypointScores = new KeypointScoreAccumulator();
            var emptyGt = Array.Empty<CocoKeypointAnnotation>();
            var emptyDt = new List<int>();
            for (int k = 0; k < categoryCount; k++)
            {
                for (int i = 0; i < imageCount; i++)
                {
                    var key = (_imageIds[i], _categoryIds[k]);
                    var gts = _gtByImageCategory.TryGetValue(key, out var g) ? g : emptyGt;
                    var dtList = dtByImageCategory.TryGetValue(key, out var d) ? d : emptyDt;
                    if (gts.Length == 0 && dtList.Count == 0) continue;

                    // computeOks and evaluateImg both sort by score (stable) and keep the first maxDets.
                    var scores = new double[dtList.Count];
                    for (int j = 0; j < scores.Length; j++) scores[j] = results[dtList[j]].Score;
                    var order = NumpyCompat.StableDescendingOrder(scores);
                    int D = Math.Min(order.Length, MaxDetections);
                    var dts = new int[D];
                    for (int j = 0; j < D; j++) dts[j] = dtList[order[j]];

                    double[]? oks = gts.Length > 0 && D > 0 ? ComputeOksMatrix(gts, results, dts) : null;
                    keypointScores.Add(gts, results, dts, oks);
                    for (int a = 0; a < AreaCount; a++)
                    {
                        var e = EvaluateImage(gts, results, dts, dtArea, oks, a, a == 0 ? keypointErrors : null);
                        evals[(k * AreaCount + a) * imageCount + i] = e;
                    }
                }
            }

            var precision = new double[T * R * categoryCount * AreaCount];
            var recall = new double[T * categoryCount * AreaCount];
            Array.Fill(precision, -1.0);
            Array.Fill(recall, -1.0);
            for (int k = 0; k < categoryCount; k++)
            {
                for (int a = 0; a < AreaCount; a++)
                {
                    Accumulate(evals, (k * AreaCount + a) * imageCount, imageCount, precision, recall, k, a, categoryCount);
                }
            }

            var stats = Summarize(precision, recall, categoryCount);
            int evaluated = 0;
            foreach (var list in dtByImageCategory.Values) evaluated += list.Count;
            return new CocoEvaluation(stats, precision, recall, categoryCount, warnings, imageCount, evaluated, keypointErrors.ToErrors(), keypointScores.ToTable());
        }

        /// <summary>
        /// OKS between one ground truth and one prediction (51 values each), as pycocotools' <c>computeOks</c>:
        /// over the labelled keypoints, or, when none is labelled, by the distance to a box twice the ground
        /// truth's bbox.
        /// </summary>
        public static double ComputeOks(CocoKeypointAnnotation groundTruth, ReadOnlySpan<double> prediction)
        {
            ArgumentNullException.ThrowIfNull(groundTruth);
            if (prediction.Length != CocoKeypoints.Count * 3)
                throw new ArgumentException($"A prediction has {CocoKeypoints.Count * 3} values, got {prediction.Length}.", nameof(prediction));
            Span<double> terms = stackalloc double[CocoKeypoints.Count];
            return Oks(groundTruth, prediction, terms);
        }

        private Dictionary<(long, long), List<int>> BucketResults(IReadOnlyList<CocoKeypointResult> results, string source, double[] dtArea, List<string> warnings)
        {
            // pycocotools' loadRes takes every area from the bbox when the first result has one, else from
            // the keypoints' extent (all 17, unlabelled zeros included).
            bool areaFromBox = results.Count > 0 && results[0].Bbox.HasValue;
            var categories = new HashSet<long>(_categoryIds);
            var buckets = new Dictionary<(long, long), List<int>>();
            int skipped = 0;
            long skippedExample = 0;
            for (int i = 0; i < results.Count; i++)
            {
                var r = results[i];
                if (_groundTruth.FindImage(r.ImageId) is null)
                {
                    throw CocoFormatException.ForEntry(source, "results", i, r.ImageId, "image_id",
                        $"{r.ImageId} is not an image of the ground truth '{_groundTruth.Source}' (pycocotools refuses such files: 'Results do not correspond to current coco set').");
                }
                if (areaFromBox)
                {
                    var box = r.Bbox ?? throw CocoFormatException.ForEntry(source, "results", i, r.ImageId, "bbox",
                        "is missing, but results[0] has one; pycocotools then takes every result's area from its bbox, so all or none must have one.");
                    dtArea[i] = box.Width * box.Height;
                }
                else
                {
                    dtArea[i] = KeypointExtentArea(r.KeypointArray);
                }
                if (!categories.Contains(r.CategoryId))
                {
                    if (skipped++ == 0) skippedExample = r.CategoryId;
                    continue;
                }
                var key = (r.ImageId, r.CategoryId);
                if (!buckets.TryGetValue(key, out var list))
                {
                    list = new List<int>();
                    buckets.Add(key, list);
                }
                list.Add(i);
            }
            if (skipped > 0)
                warnings.Add($"{skipped} result(s) have a category the ground truth does not list (e.g. category_id {skippedExample}); skipped, as pycocotools does.");
            return buckets;
        }

        private static double KeypointExtentArea(double[] kp)
        {
            double x0 = double.PositiveInfinity, x1 = double.NegativeInfinity, y0 = double.PositiveInfinity, y1 = double.NegativeInfinity;
            for (int j = 0; j < kp.Length; j += 3)
            {
                x0 = Math.Min(x0, kp[j]);
                x1 = Math.Max(x1, kp[j]);
                y0 = Math.Min(y0, kp[j + 1]);
                y1 = Math.Max(y1, kp[j + 1]);
            }
            return (x1 - x0) * (y1 - y0);
        }

        /// <summary>The OKS term of labelled keypoint <paramref name="k"/> of a prediction: exp(-d² / (2κ)² / (area + eps) / 2), pycocotools' order.</summary>
        private static double KeypointSimilarity(CocoKeypointAnnotation gt, int k, double[] d)
        {
            var g = gt.KeypointArray;
            double dx = d[3 * k] - g[3 * k], dy = d[3 * k + 1] - g[3 * k + 1];
            return Math.Exp(-((dx * dx + dy * dy) / Variances[k] / (gt.Area + NumpyCompat.Spacing1) / 2));
        }

        private static double[] ComputeOksMatrix(CocoKeypointAnnotation[] gts, IReadOnlyList<CocoKeypointResult> results, int[] dts)
        {
            // Row-major [D x G] like pycocotools' ious matrix.
            int G = gts.Length, D = dts.Length;
            var oks = new double[D * G];
            Span<double> terms = stackalloc double[CocoKeypoints.Count];
            for (int j = 0; j < G; j++)
            {
                for (int i = 0; i < D; i++)
                {
                    oks[i * G + j] = Oks(gts[j], results[dts[i]].KeypointArray, terms);
                }
            }
            return oks;
        }

        private static double Oks(CocoKeypointAnnotation gt, ReadOnlySpan<double> d, Span<double> terms)
        {
            var g = gt.KeypointArray;
            int labelled = 0;
            for (int k = 0; k < CocoKeypoints.Count; k++)
            {
                if (g[3 * k + 2] > 0) labelled++;
            }
            var bb = gt.Bbox;
            double x0 = bb.X - bb.Width, x1 = bb.X + bb.Width * 2;
            double y0 = bb.Y - bb.Height, y1 = bb.Y + bb.Height * 2;
            double scale = gt.Area + NumpyCompat.Spacing1;
            int n = 0;
            for (int k = 0; k < CocoKeypoints.Count; k++)
            {
                double xd = d[3 * k], yd = d[3 * k + 1];
                double dx, dy;
                if (labelled > 0)
                {
                    if (g[3 * k + 2] <= 0) continue;
                    dx = xd - g[3 * k];
                    dy = yd - g[3 * k + 1];
                }
                else
                {
                    dx = Math.Max(0, x0 - xd) + Math.Max(0, xd - x1);
                    dy = Math.Max(0, y0 - yd) + Math.Max(0, yd - y1);
                }
                // Same operation order as pycocotools: (dx**2 + dy**2) / vars / (area + eps) / 2.
                double e = (dx * dx + dy * dy) / Variances[k] / scale / 2;
                terms[n++] = Math.Exp(-e);
            }
            return NumpyCompat.PairwiseSum(terms[..n]) / n;
        }

        private static ImageEvaluation EvaluateImage(CocoKeypointAnnotation[] gts, IReadOnlyList<CocoKeypointResult> results, int[] dts, double[] dtArea, double[]? oks, int a, KeypointErrorAccumulator? errors)
        {
            int G = gts.Length, D = dts.Length, T = OksThresholdArray.Length;
            double lo = AreaLow[a], hi = AreaHigh[a];

            // Ground truths that are not ignored first, each group in file order (stable argsort of _ignore).
            var gtOrder = new int[G];
            var gtIgnore = new bool[G];
            int nonIgnored = 0;
            for (int j = 0; j < G; j++)
            {
                var gt = gts[j];
                bool ignore = gt.IsCrowd || gt.NumKeypoints == 0 || gt.Area < lo || gt.Area > hi;
                gtIgnore[j] = ignore;
                if (!ignore) gtOrder[nonIgnored++] = j;
            }
            for (int j = 0, next = nonIgnored; j < G; j++)
            {
                if (gtIgnore[j]) gtOrder[next++] = j;
            }

            var scores = new double[D];
            for (int i = 0; i < D; i++) scores[i] = results[dts[i]].Score;
            var matchedGtId = new long[T * D]; // pycocotools' dtMatches: the matched gt id, 0 = none
            var matchedGt = new int[T * D];    // index into gts of the match (for the error statistics)
            var dtIgnore = new bool[T * D];
            if (oks != null)
            {
                var gtTaken = new bool[T * G];
                for (int t = 0; t < T; t++)
                {
                    for (int i = 0; i < D; i++)
                    {
                        double best = Math.Min(OksThresholdArray[t], 1 - 1e-10);
                        int m = -1;
                        for (int s = 0; s < G; s++)
                        {
                            int j = gtOrder[s];
                            // A matched gt is taken unless it is a crowd; once a real match is found, stop at the ignored ones.
                            if (gtTaken[t * G + s] && !gts[j].IsCrowd) continue;
                            if (m > -1 && !gtIgnore[gtOrder[m]] && gtIgnore[j]) break;
                            double v = oks[i * G + j];
                            if (v < best) continue;
                            best = v;
                            m = s;
                        }
                        if (m == -1) continue;
                        int matched = gtOrder[m];
                        dtIgnore[t * D + i] = gtIgnore[matched];
                        matchedGtId[t * D + i] = gts[matched].Id;
                        matchedGt[t * D + i] = matched;
                        gtTaken[t * G + m] = true;
                    }
                }
            }

            var dtMatched = new bool[T * D];
            for (int i = 0; i < D; i++)
            {
                bool outside = dtArea[dts[i]] < lo || dtArea[dts[i]] > hi;
                for (int t = 0; t < T; t++)
                {
                    // pycocotools tests the stored gt id for truth, so a match to a gt with id 0 counts as unmatched.
                    bool isMatched = matchedGtId[t * D + i] != 0;
                    dtMatched[t * D + i] = isMatched;
                    if (!isMatched && outside) dtIgnore[t * D + i] = true;
                }
                if (errors != null && dtMatched[i] && !dtIgnore[i])
                    errors.Add(gts[matchedGt[i]], results[dts[i]].KeypointArray);
            }
            return new ImageEvaluation(scores, dtMatched, dtIgnore, nonIgnored);
        }

        private static void Accumulate(ImageEvaluation?[] evals, int offset, int imageCount, double[] precision, double[] recall, int k, int a, int K)
        {
            int T = OksThresholdArray.Length, R = RecallThresholdArray.Length;
            int total = 0, npig = 0, present = 0;
            for (int i = 0; i < imageCount; i++)
            {
                var e = evals[offset + i];
                if (e is null) continue;
                present++;
                total += e.Scores.Length;
                npig += e.NonIgnoredGt;
            }
            if (present == 0 || npig == 0) return;

            // Concatenate in image order, then a stable sort on -score (ties keep image order, then rank).
            var scores = new double[total];
            var owner = new ImageEvaluation[total];
            var rank = new int[total];
            int n = 0;
            for (int i = 0; i < imageCount; i++)
            {
                var e = evals[offset + i];
                if (e is null) continue;
                for (int d = 0; d < e.Scores.Length; d++)
                {
                    scores[n] = e.Scores[d];
                    owner[n] = e;
                    rank[n] = d;
                    n++;
                }
            }
            var order = NumpyCompat.StableDescendingOrder(scores);
            var rc = new double[total];
            var pr = new double[total];
            for (int t = 0; t < T; t++)
            {
                double tp = 0, fp = 0;
                for (int j = 0; j < total; j++)
                {
                    var e = owner[order[j]];
                    int d = rank[order[j]], D = e.Scores.Length;
                    if (!e.DtIgnore[t * D + d])
                    {
                        if (e.DtMatched[t * D + d]) tp++;
                        else fp++;
                    }
                    rc[j] = tp / npig;
                    pr[j] = tp / (fp + tp + NumpyCompat.Spacing1);
                }
                recall[(t * K + k) * AreaCount + a] = total > 0 ? rc[total - 1] : 0;

                // Precision envelope, then the first detection reaching each recall point (searchsorted 'left').
                for (int j = total - 1; j > 0; j--)
                {
                    if (pr[j] > pr[j - 1]) pr[j - 1] = pr[j];
                }
                int p = 0;
                for (int r = 0; r < R; r++)
                {
                    double threshold = RecallThresholdArray[r];
                    while (p < total && rc[p] < threshold) p++;
                    precision[((t * R + r) * K + k) * AreaCount + a] = p < total ? pr[p] : 0;
                }
            }
        }

        private static CocoKeypointStats Summarize(double[] precision, double[] recall, int K)
        {
            var v = new double[10];
            v[0] = Mean(precision, K, null, 0, true);
            v[1] = Mean(precision, K, .5, 0, true);
            v[2] = Mean(precision, K, .75, 0, true);
            v[3] = Mean(precision, K, null, 1, true);
            v[4] = Mean(precision, K, null, 2, true);
            v[5] = Mean(recall, K, null, 0, false);
            v[6] = Mean(recall, K, .5, 0, false);
            v[7] = Mean(recall, K, .75, 0, false);
            v[8] = Mean(recall, K, null, 1, false);
            v[9] = Mean(recall, K, null, 2, false);
            return CocoKeypointStats.FromArray(v);
        }

        // pycocotools' _summarize: the mean of the entries > -1 (C order over t, r, k), or -1 when there are none.
        // The OKS threshold is picked by exact equality, as np.where(iouThr == p.iouThrs) does.
        private static double Mean(double[] values, int K, double? oksThreshold, int a, bool isPrecision)
        {
            int T = OksThresholdArray.Length, R = isPrecision ? RecallThresholdArray.Length : 1;
            var kept = new List<double>(T * R * K);
            for (int t = 0; t < T; t++)
            {
                if (oksThreshold.HasValue && OksThresholdArray[t] != oksThreshold.Value) continue;
                for (int r = 0; r < R; r++)
                {
                    for (int k = 0; k < K; k++)
                    {
                        double x = values[((t * R + r) * K + k) * AreaCount + a];
                        if (x > -1) kept.Add(x);
                    }
                }
            }
            if (kept.Count == 0) return -1;
            return NumpyCompat.PairwiseSum(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(kept)) / kept.Count;
        }

        private static double[] BuildVariances()
        {
            // pycocotools computes np.array([.26, .25, ...]) / 10.0; .026 written directly can differ in the
            // last bit, so the sigmas are brought back to that form before squaring.
            var sigmas = CocoKeypoints.Schema.Sigmas;
            var vars = new double[sigmas.Length];
            for (int k = 0; k < sigmas.Length; k++)
            {
                double pycocoSigma = Math.Round(sigmas[k] * 1000) / 100 / 10.0;
                double twice = pycocoSigma * 2;
                vars[k] = twice * twice;
            }
            return vars;
        }

        private static long[] SortedUnique<T>(IReadOnlyList<T> items, Func<T, long> id)
        {
            var set = new SortedSet<long>();
            foreach (var item in items) set.Add(id(item));
            var ids = new long[set.Count];
            set.CopyTo(ids);
            return ids;
        }

        private sealed class ImageEvaluation
        {
            public ImageEvaluation(double[] scores, bool[] dtMatched, bool[] dtIgnore, int nonIgnoredGt)
            {
                Scores = scores;
                DtMatched = dtMatched;
                DtIgnore = dtIgnore;
                NonIgnoredGt = nonIgnoredGt;
            }

            public double[] Scores { get; }

            public bool[] DtMatched { get; }

            public bool[] DtIgnore { get; }

            public int NonIgnoredGt { get; }
        }

        private sealed class KeypointErrorAccumulator
        {
            private readonly double[] _distance = new double[CocoKeypoints.Count];
            private readonly double[] _similarity = new double[CocoKeypoints.Count];
            private readonly int[] _count = new int[CocoKeypoints.Count];

            public void Add(CocoKeypointAnnotation gt, double[] d)
            {
                var g = gt.KeypointArray;
                double scale = Math.Sqrt(gt.Area);
                for (int k = 0; k < CocoKeypoints.Count; k++)
                {
                    if (g[3 * k + 2] <= 0) continue;
                    double dx = d[3 * k] - g[3 * k], dy = d[3 * k + 1] - g[3 * k + 1];
                    _distance[k] += scale > 0 ? Math.Sqrt(dx * dx + dy * dy) / scale : 0;
                    _similarity[k] += KeypointSimilarity(gt, k, d);
                    _count[k]++;
                }
            }

            public CocoKeypointErrors ToErrors()
            {
                var distance = new double[CocoKeypoints.Count];
                var similarity = new double[CocoKeypoints.Count];
                for (int k = 0; k < CocoKeypoints.Count; k++)
                {
                    distance[k] = _count[k] > 0 ? _distance[k] / _count[k] : double.NaN;
                    similarity[k] = _count[k] > 0 ? _similarity[k] / _count[k] : double.NaN;
                }
                return new CocoKeypointErrors(distance, similarity, (int[])_count.Clone());
            }
        }

        private sealed class KeypointScoreAccumulator
        {
            private readonly int[] _shown = new int[KeypointScoreThresholdArray.Length];
            private readonly int[] _right = new int[KeypointScoreThresholdArray.Length];
            private int _labelled, _labelledRight;

            /// <summary>One image and category: each annotated person against its highest-OKS result among <paramref name="dts"/>.</summary>
            public void Add(CocoKeypointAnnotation[] gts, IReadOnlyList<CocoKeypointResult> results, int[] dts, double[]? oks)
            {
                int G = gts.Length;
                for (int j = 0; j < G; j++)
                {
                    var gt = gts[j];
                    if (gt.IsCrowd || gt.NumKeypoints == 0) continue;
                    int best = -1;
                    double bestOks = -1;
                    for (int i = 0; oks != null && i < dts.Length; i++)
                    {
                        if (oks[i * G + j] > bestOks)
                        {
                            bestOks = oks[i * G + j];
                            best = i;
                        }
                    }
                    var g = gt.KeypointArray;
                    double[]? d = best >= 0 ? results[dts[best]].KeypointArray : null;
                    for (int k = 0; k < CocoKeypoints.Count; k++)
                    {
                        if (g[3 * k + 2] <= 0) continue;
                        _labelled++;
                        if (d == null) continue;
                        bool right = KeypointSimilarity(gt, k, d) >= 0.5;
                        if (right) _labelledRight++;
                        for (int t = 0; t < KeypointScoreThresholdArray.Length; t++)
                        {
                            if (!(d[3 * k + 2] >= KeypointScoreThresholdArray[t])) continue;
                            _shown[t]++;
                            if (right) _right[t]++;
                        }
                    }
                }
            }

            public CocoKeypointScoreTable ToTable() =>
                new(KeypointScoreThresholdArray, (int[])_shown.Clone(), (int[])_right.Clone(), _labelled, _labelledRight);
        }
    }
}
