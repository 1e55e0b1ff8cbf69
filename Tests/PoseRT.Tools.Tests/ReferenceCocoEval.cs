using System;
using System.Collections.Generic;
using System.Linq;
using PoseRT.Coco;

namespace PoseRT.Tests
{
    /// <summary>
    /// An independent, deliberately plain computation of the 10 COCO keypoint stats, written from the
    /// definitions rather than from pycocotools' loop structure: matching is "best unmatched real ground truth
    /// at or above the threshold, else best ignored one", and interpolated precision at recall r is "the
    /// highest precision at any rank whose recall is at least r". Single category (person).
    /// </summary>
    internal static class ReferenceCocoEval
    {
        private static readonly double[] Thresholds = Enumerable.Range(0, 10).Select(i => i == 9 ? 0.95 : 0.5 + i * ((0.95 - 0.5) / 9)).ToArray();

        // pycocotools' recall points are np.linspace(0, 1, 101) = i * 0.01 (not i / 100).
        private static readonly double[] RecallPoints = Enumerable.Range(0, 101).Select(i => i == 100 ? 1.0 : i * 0.01).ToArray();

        private static readonly (double Lo, double Hi)[] Areas = { (0, 1e10), (1024, 9216), (9216, 1e10) };

        public static double Oks(CocoKeypointAnnotation gt, ReadOnlySpan<double> d)
        {
            var g = gt.Keypoints.ToArray();
            bool anyLabelled = Enumerable.Range(0, 17).Any(k => g[3 * k + 2] > 0);
            double sum = 0;
            int n = 0;
            for (int k = 0; k < 17; k++)
            {
                double dx, dy;
                if (anyLabelled)
                {
                    if (g[3 * k + 2] <= 0) continue;
                    dx = d[3 * k] - g[3 * k];
                    dy = d[3 * k + 1] - g[3 * k + 1];
                }
                else
                {
                    var b = gt.Bbox;
                    double left = b.X - b.Width, right = b.X + 2 * b.Width, top = b.Y - b.Height, bottom = b.Y + 2 * b.Height;
                    dx = d[3 * k] < left ? left - d[3 * k] : d[3 * k] > right ? d[3 * k] - right : 0;
                    dy = d[3 * k + 1] < top ? top - d[3 * k + 1] : d[3 * k + 1] > bottom ? d[3 * k + 1] - bottom : 0;
                }
                double s2 = Math.Pow(2 * CocoTestData.Sigmas[k], 2);
                sum += Math.Exp(-(dx * dx + dy * dy) / (2 * s2 * (gt.Area + 2.220446049250313e-16)));
                n++;
            }
            return sum / n;
        }

        private static double Area(CocoKeypointResult r)
        {
            var kp = r.Keypoints.ToArray();
            var xs = Enumerable.Range(0, 17).Select(k => kp[3 * k]).ToArray();
            var ys = Enumerable.Range(0, 17).Select(k => kp[3 * k + 1]).ToArray();
            return (xs.Max() - xs.Min()) * (ys.Max() - ys.Min());
        }

        public static double[] Stats(CocoKeypointFile gt, IReadOnlyList<CocoKeypointResult> results)
        {
            // One entry per kept detection: (score, image, file index) and per area/threshold its outcome.
            var kept = results.Select((r, i) => (r, i))
                .GroupBy(x => x.r.ImageId)
                .SelectMany(g => g.OrderByDescending(x => x.r.Score).ThenBy(x => x.i).Take(20))
                .ToList();

            var ap = new double[3, 10];
            var ar = new double[3, 10];
            var defined = new bool[3];
            for (int a = 0; a < 3; a++)
            {
                var (lo, hi) = Areas[a];
                bool Ignored(CocoKeypointAnnotation g) => g.IsCrowd || g.NumKeypoints == 0 || g.Area < lo || g.Area > hi;
                int positives = gt.Annotations.Count(g => !Ignored(g));
                defined[a] = positives > 0;
                if (!defined[a]) continue;
                for (int t = 0; t < 10; t++)
                {
                    // outcome: +1 true positive, -1 false positive, 0 ignored
                    var outcome = new Dictionary<int, int>();
                    foreach (var image in kept.GroupBy(x => x.r.ImageId))
                    {
                        var gts = gt.AnnotationsOf(image.Key);
                        var taken = new bool[gts.Count];
                        foreach (var (r, i) in image)
                        {
                            int best = -1;
                            double bestOks = -1;
                            foreach (bool wantIgnored in new[] { false, true })
                            {
                                for (int j = 0; j < gts.Count; j++)
                                {
                                    if (Ignored(gts[j]) != wantIgnored || (taken[j] && !gts[j].IsCrowd)) continue;
                                    double o = Oks(gts[j], r.Keypoints);
                                    if (o >= Math.Min(Thresholds[t], 1 - 1e-10) && o >= bestOks)
                                    {
                                        best = j;
                                        bestOks = o;
                                    }
                                }
                                if (best >= 0) break;
                            }
                            if (best >= 0)
                            {
                                taken[best] = true;
                                outcome[i] = Ignored(gts[best]) ? 0 : 1;
                            }
                            else
                            {
                                double area = Area(r);
                                outcome[i] = area < lo || area > hi ? 0 : -1;
                            }
                        }
                    }

                    var ranked = kept.OrderByDescending(x => x.r.Score).ThenBy(x => x.r.ImageId).ThenBy(x => x.i).ToList();
                    var recall = new List<double>();
                    var precision = new List<double>();
                    int tp = 0, fp = 0;
                    foreach (var (_, i) in ranked)
                    {
                        if (outcome[i] == 1) tp++;
                        if (outcome[i] == -1) fp++;
                        recall.Add((double)tp / positives);
                        precision.Add(tp / (tp + fp + 2.220446049250313e-16));
                    }
                    ar[a, t] = recall.Count > 0 ? recall[^1] : 0;
                    double sum = 0;
                    foreach (double rp in RecallPoints)
                    {
                        var reachable = Enumerable.Range(0, recall.Count).Where(j => recall[j] >= rp).Select(j => precision[j]).ToList();
                        sum += reachable.Count > 0 ? reachable.Max() : 0;
                    }
                    ap[a, t] = sum / RecallPoints.Length;
                }
            }

            double Avg(double[,] m, int a, int? t) => !defined[a] ? -1 : t.HasValue ? m[a, t.Value] : Enumerable.Range(0, 10).Average(i => m[a, i]);
            return new[]
            {
                Avg(ap, 0, null), Avg(ap, 0, 0), Avg(ap, 0, 5), Avg(ap, 1, null), Avg(ap, 2, null),
                Avg(ar, 0, null), Avg(ar, 0, 0), Avg(ar, 0, 5), Avg(ar, 1, null), Avg(ar, 2, null),
            };
        }
    }
}
