using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using PoseRT.Coco;
using static PoseRT.Tests.CocoTestData;

namespace PoseRT.Tests
{
    public class CocoEvaluatorTests
    {
        private const int Digits = 12;

        private static double[] Evaluate(CocoKeypointFile gt, params CocoKeypointResult[] results) =>
            new CocoKeypointEvaluator(gt).Evaluate(results).Stats.ToArray();

        private static void AssertStats(double[] expected, double[] actual)
        {
            for (int i = 0; i < 10; i++)
                Assert.True(Math.Abs(expected[i] - actual[i]) < 1e-12, $"{CocoKeypointStats.Names[i]}: expected {expected[i]}, got {actual[i]}");
        }

        [Fact]
        public void Perfect_predictions_score_one_everywhere_they_are_defined()
        {
            var medium = Gt(1, 1, 100, 100, 80);   // area 3840
            var large = Gt(2, 1, 300, 200, 200);   // area 24000
            var gt = File(new long[] { 1 }, medium, large);
            var stats = Evaluate(gt, Copy(medium, 1.0), Copy(large, 1.0));
            AssertStats(new[] { 1.0, 1, 1, 1, 1, 1, 1, 1, 1, 1 }, stats);
        }

        [Fact]
        public void Coco_mini_ground_truth_turned_into_results_scores_exactly_one()
        {
            var gt = CocoKeypointFile.Load(Path.Combine(RepoPaths.CocoMini, "annotations", "person_keypoints_mini.json"));
            var results = gt.Annotations.Where(a => a.NumKeypoints > 0).Select(a => Copy(a, 1.0)).ToArray();
            var stats = new CocoKeypointEvaluator(gt).Evaluate(results).Stats;
            Assert.Equal(1.0, stats.AP, Digits);
            Assert.Equal(1.0, stats.AP50, Digits);
            Assert.Equal(1.0, stats.AR, Digits);
            Assert.Equal(1.0, stats.APm, Digits);
            Assert.Equal(1.0, stats.APl, Digits);
        }

        [Theory]
        [InlineData(0.72, 5)]  // matched at 0.50 .. 0.70
        [InlineData(0.53, 1)]  // matched at 0.50 only
        [InlineData(0.97, 10)] // matched everywhere
        [InlineData(0.40, 0)]  // matched nowhere
        public void Jittered_keypoints_at_a_known_oks_match_exactly_the_thresholds_below_it(double oks, int thresholdsMatched)
        {
            var person = Gt(1, 1, 200, 200, 150);
            var gt = File(new long[] { 1 }, person);
            var result = AtOks(person, oks, 0.8);
            Assert.Equal(oks, CocoKeypointEvaluator.ComputeOks(person, result.Keypoints), 12);

            var stats = Evaluate(gt, result);
            double fraction = thresholdsMatched / 10.0;
            Assert.Equal(fraction, stats[0], Digits);                     // AP
            Assert.Equal(thresholdsMatched >= 1 ? 1 : 0, stats[1], Digits); // AP50
            Assert.Equal(oks >= 0.75 ? 1 : 0, stats[2], Digits);          // AP75
            Assert.Equal(fraction, stats[5], Digits);                     // AR
        }

        [Fact]
        public void A_higher_scored_false_positive_halves_precision_and_a_lower_scored_one_costs_nothing()
        {
            var person = Gt(1, 1, 200, 200, 150);
            var gt = File(new long[] { 1 }, person);
            var before = Evaluate(gt, Copy(person, 0.5), Far(1, 0.9));
            Assert.Equal(0.5, before[0], Digits);
            Assert.Equal(1.0, before[5], Digits);
            var after = Evaluate(gt, Copy(person, 0.5), Far(1, 0.3));
            Assert.Equal(1.0, after[0], Digits);
        }

        [Fact]
        public void Crowd_and_zero_keypoint_ground_truths_absorb_detections_instead_of_counting_them_false()
        {
            var person = Gt(1, 1, 100, 100, 100);
            var crowd = Gt(2, 1, 400, 100, 100, crowd: true);
            var unlabelled = Gt(3, 1, 250, 300, 100, labelled: 0);
            var gt = File(new long[] { 1 }, person, crowd, unlabelled);

            // Detections on the crowd (twice: crowds can be matched more than once) and inside the box of the
            // unlabelled person, all scored above the real one: ignored, so AP stays 1.
            var onCrowd = Copy(crowd, 0.9);
            var onUnlabelled = Copy(person, 0.9, _ => (150, 200)); // same shape, moved into the unlabelled person's box
            var stats = Evaluate(gt, Copy(person, 0.5), onCrowd, onCrowd, onUnlabelled);
            Assert.Equal(1.0, stats[0], Digits);

            // Without those ground truths the same detections are false positives ranked first: precision 1/4.
            var bare = File(new long[] { 1 }, person);
            var withoutIgnored = Evaluate(bare, Copy(person, 0.5), onCrowd, onCrowd, onUnlabelled);
            Assert.Equal(0.25, withoutIgnored[0], Digits);
        }

        [Fact]
        public void A_person_without_labelled_keypoints_measures_distance_to_a_box_twice_its_size()
        {
            // bbox (100, 100, 50, 100): the doubled box spans x 50..200, y 0..300.
            var gt = new CocoKeypointAnnotation(7, 1, 1, new double[51], 0, new CocoBox(100, 100, 50, 100), 2000, false);
            var inside = Enumerable.Range(0, 51).Select(i => i % 3 == 0 ? 60.0 : i % 3 == 1 ? 50.0 : 1).ToArray();
            Assert.Equal(1.0, CocoKeypointEvaluator.ComputeOks(gt, inside), 15);

            var oneOut = (double[])inside.Clone();
            oneOut[0] = 40;   // 10 px left of the doubled box
            oneOut[4] = 310;  // keypoint 1: 10 px below it
            double var0 = Math.Pow(.26 / 10.0 * 2, 2), var1 = Math.Pow(.25 / 10.0 * 2, 2);
            double expected = (15 + Math.Exp(-100 / var0 / 2000 / 2) + Math.Exp(-100 / var1 / 2000 / 2)) / 17;
            Assert.Equal(expected, CocoKeypointEvaluator.ComputeOks(gt, oneOut), 15);
        }

        [Fact]
        public void Area_ranges_split_medium_and_large_and_leave_undefined_ones_at_minus_one()
        {
            var small = Gt(1, 1, 50, 50, 30);      // area 540: only in 'all'
            var medium = Gt(2, 1, 200, 200, 80);   // area 3840
            var large = Gt(3, 2, 300, 200, 200);   // area 24000
            var gt = File(new long[] { 1, 2 }, small, medium, large);

            // Small person missed: AP(all) is lower, medium and large are perfect.
            var stats = Evaluate(gt, Copy(medium, 0.9), Copy(large, 0.8));
            Assert.Equal(2.0 / 3.0, stats[5], Digits); // AR all: 2 of 3
            Assert.Equal(1.0, stats[3], Digits);       // APm
            Assert.Equal(1.0, stats[4], Digits);       // APl
            Assert.Equal(1.0, stats[8], Digits);
            Assert.Equal(1.0, stats[9], Digits);
            // AP(all): recall stops at 2/3 with precision 1 -> 67 of 101 recall points (0 .. 0.66) have precision 1.
            Assert.Equal(67.0 / 101.0, stats[0], Digits);

            // Without a medium person, APm and ARm are undefined: -1 as pycocotools prints.
            var noMedium = Evaluate(File(new long[] { 1, 2 }, small, large), Copy(large, 0.8));
            Assert.Equal(-1, noMedium[3]);
            Assert.Equal(-1, noMedium[8]);
        }

        [Fact]
        public void Only_the_20_best_scored_detections_per_image_count()
        {
            var person = Gt(1, 1, 200, 200, 150);
            var gt = File(new long[] { 1 }, person);
            var falsePositives = Enumerable.Range(0, 19).Select(i => Far(1, 0.9 - i * 0.01)).ToList();

            // The match ranked 20th: kept. Precision 1/20 at full recall.
            var kept = Evaluate(gt, falsePositives.Append(Copy(person, 0.5)).ToArray());
            Assert.Equal(1.0 / 20, kept[0], Digits);
            Assert.Equal(1.0, kept[5], Digits);

            // Ranked 21st: dropped, nothing is found.
            var dropped = Evaluate(gt, falsePositives.Append(Far(1, 0.6)).Append(Copy(person, 0.5)).ToArray());
            Assert.Equal(0.0, dropped[0], Digits);
            Assert.Equal(0.0, dropped[5], Digits);
        }

        [Fact]
        public void Empty_results_give_zero_where_there_is_ground_truth_with_a_warning()
        {
            var gt = File(new long[] { 1 }, Gt(1, 1, 200, 200, 150));
            var evaluation = new CocoKeypointEvaluator(gt).Evaluate(Array.Empty<CocoKeypointResult>());
            AssertStats(new double[] { 0, 0, 0, -1, 0, 0, 0, 0, -1, 0 }, evaluation.Stats.ToArray());
            Assert.Contains(evaluation.Warnings, w => w.Contains("empty", StringComparison.Ordinal));
        }

        [Fact]
        public void Equal_scores_are_ranked_by_image_id_then_file_order_like_a_stable_sort()
        {
            var person = Gt(1, 5, 200, 200, 150);
            // Same score: a hit on image 5 and a miss on image 3 (rank first, image ids ascending) -> precision 1/2.
            var gtA = File(new long[] { 3, 5 }, person);
            Assert.Equal(0.5, Evaluate(gtA, Copy(person, 0.7), Far(3, 0.7))[0], Digits);
            // The miss on image 9 instead ranks after the hit -> AP 1.
            var gtB = File(new long[] { 5, 9 }, person);
            Assert.Equal(1.0, Evaluate(gtB, Copy(person, 0.7), Far(9, 0.7))[0], Digits);

            // Within an image, the earlier entry of the file wins the ground truth.
            var poor = AtOks(person, 0.62, 0.7);
            var good = Copy(person, 0.7);
            var poorFirst = Evaluate(File(new long[] { 5 }, person), poor, good);
            var goodFirst = Evaluate(File(new long[] { 5 }, person), good, poor);
            // poor first: thresholds <= 0.62 (3 of 10) rank [hit, miss] -> 1; the other 7 rank [miss, hit] -> 1/2.
            Assert.Equal((3 * 1.0 + 7 * 0.5) / 10, poorFirst[0], Digits);
            Assert.Equal(1.0, goodFirst[0], Digits);
        }

        [Fact]
        public void Recall_points_are_numpy_linspace_values_not_decimal_literals()
        {
            Assert.Equal(35 * 0.01, CocoKeypointEvaluator.RecallThresholds[35]);
            Assert.NotEqual(0.35, CocoKeypointEvaluator.RecallThresholds[35]);
            Assert.Equal(0.75, CocoKeypointEvaluator.OksThresholds[5]);
            Assert.Equal(0.8999999999999999, CocoKeypointEvaluator.OksThresholds[8]);
            Assert.Equal(1.0, CocoKeypointEvaluator.RecallThresholds[100]);

            // 100 persons, 35 found first, then a false positive, then the rest: recall is 0.35 exactly at rank 35,
            // but recall point 35 is 0.35000000000000003, so it takes the precision of a later rank (< 1).
            var persons = Enumerable.Range(1, 100).Select(i => Gt(i, i, 200, 200, 150)).ToArray();
            var gt = File(Enumerable.Range(1, 100).Select(i => (long)i), persons);
            var results = new List<CocoKeypointResult>();
            for (int i = 0; i < 35; i++) results.Add(Copy(persons[i], 1.0 - i * 0.001));
            results.Add(Far(50, 0.5));
            for (int i = 35; i < 100; i++) results.Add(Copy(persons[i], 0.4 - i * 0.001));
            var stats = Evaluate(gt, results.ToArray());
            AssertStats(ReferenceCocoEval.Stats(gt, results), stats);
            // By hand: points 0..34 read precision 1; points 35..100 read the envelope after the false positive,
            // max over ranks 36+ of tp / (tp + 1) = 100 / 101 (at the last rank).
            Assert.Equal((35 + 66 * (100 / (101 + 2.220446049250313e-16))) / 101, stats[1], Digits);
        }

        [Theory]
        [InlineData(1)]
        [InlineData(2)]
        [InlineData(3)]
        [InlineData(4)]
        [InlineData(5)]
        public void Random_scenes_agree_with_an_independent_computation(int seed)
        {
            var rng = new Random(seed);
            var gts = new List<CocoKeypointAnnotation>();
            var results = new List<CocoKeypointResult>();
            long nextId = 1;
            int images = 12;
            for (long image = 1; image <= images; image++)
            {
                int persons = rng.Next(0, 5);
                for (int p = 0; p < persons; p++)
                {
                    double size = new[] { 20.0, 60, 90, 150, 300 }[rng.Next(5)] * (0.8 + 0.4 * rng.NextDouble());
                    int labelled = rng.Next(10) == 0 ? 0 : rng.Next(1, 18);
                    var person = Gt(nextId++, image, rng.Next(50, 600), rng.Next(50, 400), size, labelled, crowd: rng.Next(12) == 0);
                    gts.Add(person);
                    int copies = rng.Next(0, 3);
                    for (int c = 0; c < copies; c++)
                    {
                        double jitter = size * 0.08 * rng.NextDouble();
                        // Scores on a 0.05 grid so that ties happen.
                        double score = Math.Round(rng.NextDouble() * 20) / 20;
                        results.Add(Copy(person, score, _ => (jitter * (rng.NextDouble() - 0.5), jitter * (rng.NextDouble() - 0.5))));
                    }
                }
                int extra = rng.Next(4) == 0 ? 25 : rng.Next(0, 3);
                for (int f = 0; f < extra; f++)
                    results.Add(Far(image, Math.Round(rng.NextDouble() * 20) / 20, size: rng.Next(10, 200)));
            }
            var gt = File(Enumerable.Range(1, images).Select(i => (long)i), gts.ToArray());
            var shuffled = results.OrderBy(_ => rng.Next()).ToList();
            AssertStats(ReferenceCocoEval.Stats(gt, shuffled), Evaluate(gt, shuffled.ToArray()));
        }

        [Fact]
        public void Results_on_images_outside_the_ground_truth_are_refused_by_entry()
        {
            var person = Gt(1, 1, 200, 200, 150);
            var gt = File(new long[] { 1 }, person);
            var stray = Copy(Gt(2, 77, 200, 200, 150), 0.5);
            var ex = Assert.Throws<CocoFormatException>(() => new CocoKeypointEvaluator(gt).Evaluate(new[] { Copy(person, 1), stray }, "res.json"));
            Assert.Contains("res.json: results[1] (image_id 77): 'image_id' 77 is not an image of the ground truth", ex.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void Results_of_unknown_categories_are_skipped_with_a_warning()
        {
            var person = Gt(1, 1, 200, 200, 150);
            var gt = File(new long[] { 1 }, person);
            var other = new CocoKeypointResult(1, 3, Far(1, 0.9).Keypoints, 0.9);
            var evaluation = new CocoKeypointEvaluator(gt).Evaluate(new[] { Copy(person, 0.5), other });
            Assert.Equal(1.0, evaluation.Stats.AP, Digits);
            Assert.Single(evaluation.Warnings);
            Assert.Contains("category_id 3", evaluation.Warnings[0], StringComparison.Ordinal);
        }

        [Fact]
        public void Keypoint_score_table_counts_what_each_threshold_shows_of_the_best_matching_pose_and_how_much_is_right()
        {
            // Person 1: keypoint k scores 0.025 + 0.05k (no score on a threshold); even keypoints exact, odd ones 100 px
            // off (OKS term about e^-8). A far, higher-scored false positive in the same image is not its pose.
            var seen = Gt(1, 1, 200, 200, 150);
            var missed = Gt(2, 2, 200, 200, 150, labelled: 5);   // no result in its image: labelled, never shown
            var crowd = Gt(3, 1, 400, 300, 100, crowd: true);      // not an annotated person
            var gt = File(new long[] { 1, 2 }, seen, missed, crowd);
            var kp = Copy(seen, 0.7, k => (k % 2 == 1 ? 100 : 0, 0)).Keypoints.ToArray();
            for (int k = 0; k < 17; k++) kp[3 * k + 2] = 0.025 + 0.05 * k;
            var table = new CocoKeypointEvaluator(gt).Evaluate(new[] { Far(1, 0.99), new CocoKeypointResult(1, 1, kp, 0.7) }).KeypointScores;

            Assert.Equal(new[] { 0.1, 0.2, 0.3, 0.4, 0.5 }, table.Thresholds);
            Assert.Equal(22, table.Labelled);
            Assert.Equal(9, table.LabelledRight);
            // >= 0.1 keeps k = 2..16 (8 even), >= 0.2 k = 4..16, >= 0.3 k = 6..16, >= 0.4 k = 8..16, >= 0.5 k = 10..16.
            Assert.Equal(new[] { 15, 13, 11, 9, 7 }, table.Shown);
            Assert.Equal(new[] { 8, 7, 6, 5, 4 }, table.Right);
        }

        [Fact]
        public void Sigmas_used_are_pycocotools_values()
        {
            // The evaluator converts PoseRT.Runtime's sigmas into pycocotools' (.26 / 10.0) form: the OKS of a
            // one-keypoint person at a known offset shows which variance was used, to the last bit.
            for (int k = 0; k < 17; k++)
            {
                var kp = new double[51];
                kp[3 * k] = 100;
                kp[3 * k + 1] = 100;
                kp[3 * k + 2] = 2;
                var gt = new CocoKeypointAnnotation(1, 1, 1, kp, 1, new CocoBox(90, 90, 20, 20), 400, false);
                var d = (double[])kp.Clone();
                d[3 * k] = 103;
                double vars = (Sigmas[k] * 2) * (Sigmas[k] * 2);
                Assert.Equal(Math.Exp(-(9.0 / vars / (400 + 2.220446049250313e-16) / 2)), CocoKeypointEvaluator.ComputeOks(gt, d));
            }
        }
    }
}
