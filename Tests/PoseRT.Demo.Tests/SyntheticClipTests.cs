using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using OpenCvSharp;
using PoseRT.Demo.Output;
using PoseRT.Demo.Pipeline;
using PoseRT.Runtime.Tracking;
using PoseRT.Runtime;
using PoseRT.Protocol;
using PoseRT.Vision;

namespace PoseRT.Tests
{
    /// <summary>A generated clip of stick figures walking in known straight lines, with the true keypoints of every frame.</summary>
    internal sealed class StickFigureClip
    {
        public const int Width = 640, Height = 360, Fps = 25;

        // Keypoints of a standing figure, as (x, y) offsets from its hip centre, in pixels.
        private static readonly float[] Figure =
        {
            0, -110, -6, -116, 6, -116, -12, -112, 12, -112, -25, -85, 25, -85, -35, -50, 35, -50, -40, -15, 40, -15,
            -15, 0, 15, 0, -17, 45, 17, 45, -18, 90, 18, 90,
        };

        public List<Keypoint[][]> Truth { get; } = new List<Keypoint[][]>(); // [frame][person][keypoint]

        public string Path { get; private set; } = "";

        /// <summary>Writes <paramref name="frames"/> frames of people starting at <paramref name="starts"/> and moving by <paramref name="velocities"/> px/frame.</summary>
        public static StickFigureClip Write(string path, int frames, (float X, float Y)[] starts, (float X, float Y)[] velocities)
        {
            var clip = new StickFigureClip { Path = path };
            using var writer = new VideoWriter(path, FourCC.MJPG, Fps, new Size(Width, Height));
            using var image = new Mat(Height, Width, MatType.CV_8UC3);
            var limbs = CocoKeypoints.Schema.Skeleton;
            for (int f = 0; f < frames; f++)
            {
                image.SetTo(new Scalar(60, 70, 80));
                var people = new Keypoint[starts.Length][];
                for (int p = 0; p < starts.Length; p++)
                {
                    float cx = starts[p].X + velocities[p].X * f, cy = starts[p].Y + velocities[p].Y * f;
                    var kps = new Keypoint[CocoKeypoints.Count];
                    for (int k = 0; k < kps.Length; k++) kps[k] = new Keypoint(cx + Figure[2 * k], cy + Figure[2 * k + 1], 1);
                    foreach (var (a, b) in limbs)
                        Cv2.Line(image, new Point(kps[a].X, kps[a].Y), new Point(kps[b].X, kps[b].Y), new Scalar(220, 200, 180), 9);
                    Cv2.Circle(image, new Point(kps[0].X, kps[0].Y), 14, new Scalar(200, 220, 240), -1);
                    people[p] = kps;
                }
                writer.Write(image);
                clip.Truth.Add(people);
            }
            return clip;
        }

        /// <summary>The true person boxes of a frame (keypoint extent, grown by 20%).</summary>
        public BoundingBox[] Boxes(int frame)
        {
            var people = Truth[frame];
            var boxes = new BoundingBox[people.Length];
            for (int p = 0; p < people.Length; p++)
            {
                float x0 = float.MaxValue, y0 = float.MaxValue, x1 = float.MinValue, y1 = float.MinValue;
                foreach (Keypoint k in people[p])
                {
                    x0 = Math.Min(x0, k.X); y0 = Math.Min(y0, k.Y); x1 = Math.Max(x1, k.X); y1 = Math.Max(y1, k.Y);
                }
                float w = (x1 - x0) * 1.2f, h = (y1 - y0) * 1.2f;
                boxes[p] = new BoundingBox((x0 + x1 - w) / 2, (y0 + y1 - h) / 2, w, h);
            }
            return boxes;
        }
    }

    /// <summary>Track-id stability and keypoint error of a run against a clip's truth.</summary>
    internal static class TrackQuality
    {
        /// <summary>
        /// Matches each reported pose to the true person with the nearest keypoints; returns how many
        /// times a person's track id changed, the frames where someone was missed, and the mean and
        /// max keypoint distance in pixels (keypoints with score &gt;= <paramref name="minScore"/>).
        /// </summary>
        public static (int IdSwitches, int Misses, double MeanError, double MaxError) Evaluate(IReadOnlyList<Keypoint[][]> truth, List<TrackedPose[]> frames, float minScore)
        {
            int persons = truth[0].Length;
            var lastId = new int[persons];
            int switches = 0, misses = 0, n = 0;
            double sum = 0, max = 0;
            for (int f = 0; f < frames.Count; f++)
            {
                var seen = new bool[persons];
                foreach (TrackedPose tp in frames[f])
                {
                    int best = Nearest(tp.Pose, truth[f], minScore);
                    seen[best] = true;
                    if (lastId[best] != 0 && lastId[best] != tp.TrackId) switches++;
                    lastId[best] = tp.TrackId;
                    for (int k = 0; k < tp.Pose.KeypointCount; k++)
                    {
                        Keypoint kp = tp.Pose[k];
                        Keypoint t = truth[f][best][k];
                        if (kp.Score < minScore || t.Score <= 0) continue; // truth score 0: not labelled (outside the image)
                        double e = Math.Sqrt(Sq(kp.X - t.X) + Sq(kp.Y - t.Y));
                        sum += e;
                        max = Math.Max(max, e);
                        n++;
                    }
                }
                foreach (bool s in seen) if (!s) misses++;
            }
            return (switches, misses, n == 0 ? double.NaN : sum / n, max);
        }

        /// <summary>The true person (index into <paramref name="people"/>) whose keypoints are nearest the pose's.</summary>
        public static int Nearest(in Pose pose, Keypoint[][] people, float minScore)
        {
            int best = 0;
            double bestDist = double.MaxValue;
            for (int p = 0; p < people.Length; p++)
            {
                double d = MeanDistance(pose, people[p], minScore, out _);
                if (d < bestDist)
                {
                    bestDist = d;
                    best = p;
                }
            }
            return best;
        }

        private static double MeanDistance(in Pose pose, Keypoint[] truth, float minScore, out int count)
        {
            double sum = 0;
            count = 0;
            for (int k = 0; k < pose.KeypointCount; k++)
            {
                if (pose[k].Score < minScore || truth[k].Score <= 0) continue;
                sum += Math.Sqrt(Sq(pose[k].X - truth[k].X) + Sq(pose[k].Y - truth[k].Y));
                count++;
            }
            return count == 0 ? double.MaxValue : sum / count;
        }

        private static double Sq(double v) => v * v;
    }

    /// <summary>
    /// Stands in for the estimator on a synthetic clip: returns the true keypoints of the person whose
    /// true box the given box overlaps most, plus deterministic +-3 px noise (so smoothing has work to do).
    /// </summary>
    internal sealed class OracleStage : IPoseStage
    {
        private readonly StickFigureClip _clip;
        private readonly Random _noise = new Random(5);

        public OracleStage(StickFigureClip clip) => _clip = clip;

        public int Frame { get; set; }

        public string Description => "oracle stage (test double)";

        public KeypointSchema Keypoints => CocoKeypoints.Schema;

        public void Estimate(in ImageView image, ReadOnlySpan<BoundingBox> boxes, ReadOnlySpan<float> boxScores, Span<Pose> results)
        {
            BoundingBox[] truthBoxes = _clip.Boxes(Frame);
            for (int i = 0; i < boxes.Length; i++)
            {
                int best = -1;
                float bestIoU = 0.05f;
                for (int p = 0; p < truthBoxes.Length; p++)
                {
                    float iou = TrackSet.IoU(boxes[i], truthBoxes[p]);
                    if (iou > bestIoU)
                    {
                        bestIoU = iou;
                        best = p;
                    }
                }
                var pose = new Pose { Box = boxes[i], BoxScore = boxScores[i], KeypointCount = 17 };
                if (best >= 0)
                {
                    for (int k = 0; k < 17; k++)
                    {
                        Keypoint t = _clip.Truth[Frame][best][k];
                        pose[k] = new Keypoint(t.X + (float)(_noise.NextDouble() * 6 - 3), t.Y + (float)(_noise.NextDouble() * 6 - 3), 0.9f);
                    }
                    pose.Score = 0.9f * boxScores[i];
                }
                results[i] = pose;
            }
        }

        public void Dispose()
        {
        }
    }

    public class SyntheticClipTests
    {
        private readonly Xunit.Abstractions.ITestOutputHelper _output;

        public SyntheticClipTests(Xunit.Abstractions.ITestOutputHelper output) => _output = output;

        private static StickFigureClip WalkingPair(string dir) => StickFigureClip.Write(Path.Combine(dir, "walk.avi"), 40,
            new[] { (120f, 200f), (520f, 210f) }, new[] { (3f, 0.5f), (-2.5f, -0.3f) });

        /// <summary>Detector that reports the clip's true boxes for the current frame.</summary>
        private sealed class TruthDetector : IPersonDetector, IDisposable
        {
            private readonly StickFigureClip _clip;
            private readonly OracleStage _oracle;

            public TruthDetector(StickFigureClip clip, OracleStage oracle)
            {
                _clip = clip;
                _oracle = oracle;
            }

            public int Detect(in ImageView image, Span<BoundingBox> boxes, Span<float> scores)
            {
                BoundingBox[] truth = _clip.Boxes(_oracle.Frame);
                for (int i = 0; i < truth.Length; i++)
                {
                    boxes[i] = truth[i];
                    scores[i] = 0.95f;
                }
                return truth.Length;
            }

            public void Dispose()
            {
            }
        }

        [Fact]
        public void Moving_people_keep_their_track_ids_and_smoothing_stays_within_4_px_of_the_truth()
        {
            string dir = RepoPaths.NewTempDir("synthetic");
            StickFigureClip clip = WalkingPair(dir);
            var oracle = new OracleStage(clip);
            var frames = new List<TrackedPose[]>();
            var settings = new PipelineSettings { Tracker = new PoseTrackerOptions { DetectEvery = 15 } };
            string video = Path.Combine(dir, "annotated.mp4");
            RunSummary summary;
            using (var sink = new VideoFileSink(video, StickFigureClip.Fps))
            {
                var pipeline = new DemoPipeline(settings, () => FrameSources.Open(clip.Path), new TruthDetector(clip, oracle), oracle,
                    new IFrameSink[] { sink }, _ => { });
                pipeline.FrameObserver = r =>
                {
                    frames.Add(Clip.Copy(r));
                    oracle.Frame = (int)r.FrameNumber + 1;
                };
                summary = pipeline.Run(CancellationToken.None);
            }
            Assert.Equal(40, summary.Frames);
            var (switches, misses, mean, max) = TrackQuality.Evaluate(clip.Truth, frames, 0.3f);
            Assert.Equal(0, switches);
            Assert.Equal(0, misses);
            // Raw noise is uniform +-3 px per axis (mean 2.3 px); smoothing must not add lag beyond that at 3 px/frame.
            Assert.True(mean < 4, $"mean keypoint error {mean:F2} px");
            Assert.True(max < 12, $"max keypoint error {max:F2} px");
            using var written = new VideoCapture(video);
            Assert.Equal(40, written.FrameCount);
        }

        // The issue's "synthetic clip with known moving people" check with the synthetic-trained model: generator clip, the
        // full demo with HOG and the estimator, scored against the generator's truth, with the shipped demo-default model.
        // The bounds come from the clip's ground truth, not from a run of the model (they held for the model of 2026-11-28,
        // DY-ReLU-C tiny, 14 synthetic epochs: 0 id switches; mean keypoint error 10.69 px against the box prior's 12.51 px;
        // 717 of 719 confident keypoints inside their person's grown box; 42 of 100 person-frames missed; and for its
        // retrained successor of 2026-12-03, 9 epochs on 4x the people: 0 switches, 8.77 px against 13.17 px, 997 of 1001,
        // 24 missed).
        private static string ModelPath => RepoPaths.DefaultModel;

        [Fact]
        public void Synthetic_clip_with_the_trained_model_keeps_ids_and_keypoints_within_the_stated_error()
        {
            string dir = RepoPaths.NewTempDir("synthetic-model");
            PoseRT.Synthetic.SyntheticClip clip = PoseRT.Synthetic.SyntheticPeople.GenerateClip(
                new PoseRT.Synthetic.SyntheticClipOptions { Frames = 50, People = 2, Seed = 7, Difficulty = 0.2, Name = "walk" }, dir);
            var truth = new List<Keypoint[][]>();
            foreach (PoseRT.Synthetic.SyntheticClipFrame frame in clip.Frames)
            {
                var people = new Keypoint[frame.People.Count][];
                for (int p = 0; p < people.Length; p++)
                {
                    var kps = new Keypoint[CocoKeypoints.Count];
                    for (int k = 0; k < kps.Length; k++)
                    {
                        IReadOnlyList<float> v = frame.People[p].Keypoints;
                        kps[k] = new Keypoint(v[3 * k], v[3 * k + 1], v[3 * k + 2] > 0 ? 1 : 0);
                    }
                    people[p] = kps;
                }
                truth.Add(people);
            }
            var frames = new List<TrackedPose[]>();
            var stderr = new StringWriter();
            int code = PoseRT.Demo.DemoApp.Run(new PoseRT.Demo.DemoRunOptions { Input = clip.VideoPath, Model = ModelPath, Output = Path.Combine(dir, "annotated.mp4"), Window = "off" },
                new StringWriter(), stderr, CancellationToken.None, configure: p => p.FrameObserver = r => frames.Add(Clip.Copy(r)));
            Assert.True(code == 0, stderr.ToString());
            Assert.Equal(clip.Frames.Count, frames.Count);
            var (switches, misses, mean, max) = TrackQuality.Evaluate(truth, frames, 0.3f);
            _output.WriteLine($"{Path.GetFileName(ModelPath)}: id switches {switches}, missed person-frames {misses}, mean keypoint error {mean:F2} px, max {max:F2} px");
            var (priorError, inside, confident, seen) = AgainstTheGroundTruth(clip, truth, frames, 0.3f);
            _output.WriteLine($"box prior error {priorError:F2} px; {inside} of {confident} confident keypoints inside their person's grown box; " +
                              $"person-frames seen per person: {string.Join(", ", seen)} of {frames.Count}");

            // Two people who never cross: one id each for the whole clip.
            Assert.Equal(0, switches);
            // Every person in the clip is found. How often each is missed has no bound independent of the model (the side-on
            // walker's pose often falls below the tracker's confidence), so the count above is printed, not judged.
            Assert.All(seen, s => Assert.True(s > 0, $"a person of the clip was never reported (seen {string.Join(", ", seen)})"));
            // Keypoints closer to the truth than the clip's average pose drawn into each person's true box: a model that only
            // knew where the person is (and nothing of the pose) could not do better than that prior.
            Assert.True(mean < priorError, $"mean keypoint error {mean:F2} px is no better than the box prior's {priorError:F2} px");
            // The generator's box is tight around the person's pixels and labelled keypoints; a keypoint outside it by more
            // than a tenth of the box's size lies on no part of that person. Nearly all (95 %) must be on the person.
            Assert.True(inside >= 0.95 * confident, $"only {inside} of {confident} confident keypoints inside their person's box (grown 10 %)");
        }

        /// <summary>
        /// Scores the run by the generator's truth alone: the mean error (px) of the box prior (each keypoint at its mean
        /// position relative to the true box over the whole clip, drawn into the matched person's true box) on the keypoints
        /// the model's error is measured on; how many of the confident keypoints lie inside the matched person's true box
        /// grown by 10 % per side; and the frames each true person was reported in.
        /// </summary>
        private static (double PriorError, int Inside, int Confident, int[] Seen) AgainstTheGroundTruth(PoseRT.Synthetic.SyntheticClip clip,
            List<Keypoint[][]> truth, List<TrackedPose[]> frames, float minScore)
        {
            int count = CocoKeypoints.Count;
            var prior = new double[2 * count];
            var labelled = new int[count];
            foreach (PoseRT.Synthetic.SyntheticClipFrame frame in clip.Frames)
                foreach (PoseRT.Synthetic.SyntheticPerson person in frame.People)
                    for (int k = 0; k < count; k++)
                    {
                        if (person.Keypoints[3 * k + 2] <= 0) continue;
                        prior[2 * k] += (person.Keypoints[3 * k] - person.Box.X) / person.Box.Width;
                        prior[2 * k + 1] += (person.Keypoints[3 * k + 1] - person.Box.Y) / person.Box.Height;
                        labelled[k]++;
                    }
            for (int k = 0; k < count; k++)
            {
                prior[2 * k] /= Math.Max(1, labelled[k]);
                prior[2 * k + 1] /= Math.Max(1, labelled[k]);
            }

            double priorSum = 0;
            int scored = 0, inside = 0, confident = 0;
            var seen = new int[truth[0].Length];
            for (int f = 0; f < frames.Count; f++)
            {
                var seenNow = new bool[seen.Length];
                foreach (TrackedPose tp in frames[f])
                {
                    int p = TrackQuality.Nearest(tp.Pose, truth[f], minScore);
                    seenNow[p] = true;
                    BoundingBox box = clip.Frames[f].People[p].Box;
                    for (int k = 0; k < tp.Pose.KeypointCount; k++)
                    {
                        Keypoint kp = tp.Pose[k];
                        if (kp.Score < minScore) continue;
                        confident++;
                        if (kp.X >= box.X - 0.1f * box.Width && kp.X <= box.X + 1.1f * box.Width &&
                            kp.Y >= box.Y - 0.1f * box.Height && kp.Y <= box.Y + 1.1f * box.Height) inside++;
                        Keypoint t = truth[f][p][k];
                        if (t.Score <= 0) continue; // as in TrackQuality.Evaluate: unlabelled keypoints are not scored
                        double x = box.X + prior[2 * k] * box.Width, y = box.Y + prior[2 * k + 1] * box.Height;
                        priorSum += Math.Sqrt((x - t.X) * (x - t.X) + (y - t.Y) * (y - t.Y));
                        scored++;
                    }
                }
                for (int p = 0; p < seen.Length; p++) if (seenNow[p]) seen[p]++;
            }
            return (scored == 0 ? double.NaN : priorSum / scored, inside, confident, seen);
        }
    }
}
