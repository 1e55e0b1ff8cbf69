using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;
using OpenCvSharp;
using PoseRT.Runtime;
using PoseRT.Runtime.Model;
using PoseRT.Tests.Inference;
using PoseRT.Tests.Models;
using PoseRT.Trainer.Export;
using PoseRT.Trainer.Models;
using TorchSharp;
using Xunit.Abstractions;

namespace PoseRT.Tests.EndToEnd
{
    /// <summary>
    /// The whole product path on a real network: a small PoseNet built and randomised in TorchSharp, exported with
    /// <see cref="OnnxExporter"/>, loaded by the Runtime's <see cref="PoseEstimator"/> (CPU) and run on a real COCO image
    /// with several boxes (one hanging off the image, two rotated), flip test on and off. The expected poses come from
    /// <see cref="ReferencePipeline"/> (an independent double-precision write-up of the protocol, linked from
    /// Runtime.Tests) with the TorchSharp eval forward as its network, so exporter, ONNX Runtime, crop, flip merge,
    /// decoding and back-projection are all checked against code they share nothing with.
    /// </summary>
    public class ExportedNetworkEndToEndTests
    {
        // Heatmaps of ORT (on float crops) and LibTorch (on the reference's double crops, rounded to float) differ by
        // float rounding amplified by the network: measured below 1e-5 here (printed by the test). 1e-4 leaves 5x room
        // and is still 4 orders of magnitude under the heatmaps' spread, so a wrong crop, channel order, flip or
        // normalisation (all O(0.1) or more) cannot pass.
        private const double HeatmapTolerance = 1e-4;

        // A keypoint score is one merged heatmap value, so it gets the heatmap tolerance.
        private const double ScoreTolerance = HeatmapTolerance;

        // Where the peak is unambiguous the Runtime lands on the same cell and quarter offset, and the only error left is
        // float back-projection of coordinates up to ~700 px (float spacing 6e-5): 1e-3 px.
        private const double PixelTolerance = 1e-3;

        // A peak is "clear" when every decision the decoder takes on it (argmax against the runner-up, the sign of each
        // neighbour difference for the quarter offset) is decided by more than twice the heatmap tolerance; otherwise
        // ORT-vs-LibTorch rounding may legitimately flip it, and the keypoint is checked against every outcome the
        // rounding allows instead.
        private const double DecisionMargin = 2 * HeatmapTolerance;

        // Not the protocol's 0.2: these maps peak higher (their head bias is lifted, see below), and a threshold that
        // every keypoint clears would leave the pose score's "mean of the keypoints above it" untested.
        private const float Threshold = 1.2f;

        private static readonly string ImagePath = Path.Combine(RepoPaths.CocoMini, "images", "000000000785.jpg");   // 640x425

        private static readonly BoundingBox[] Boxes =
        {
            new(280, 40, 220, 350),     // tall, inside
            new(100, 150, 200, 120),    // wide, inside
            new(-40, 300, 150, 200),    // hangs off the left and bottom edges
            new(350, 60, 120, 250),     // rotated
            new(560, -30, 140, 180),    // rotated and hangs off the right and top edges
        };

        private static readonly float[] BoxScores = { 0.95f, 0.6f, 0.8f, 1f, 0.7f };

        private static readonly float[] Rotations = { 0f, 0f, 0f, 30f, -45f };

        private readonly ITestOutputHelper output;

        public ExportedNetworkEndToEndTests(ITestOutputHelper output) => this.output = output;

        [Theory]
        [InlineData(ActivationKind.DyReluC, 41)]
        [InlineData(ActivationKind.Static, 43)]
        public void Runtime_on_an_exported_network_matches_the_torch_forward_and_an_independent_decode(ActivationKind activation, long seed)
        {
            ModelTestUtil.Init();
            var (bgr, width, height, stride) = LoadBgr(ImagePath);
            var dir = RepoPaths.NewTempDir("e2e-" + ModelNames.Name(activation));
            try
            {
                using var scope = torch.NewDisposeScope();
                using var model = PoseNet.Create(PoseNetOptions.Tiny(activation));
                // Non-trivial BN statistics, DY-ReLU coefficient layers and head: a fresh model has identity BN and
                // DY-ReLU that is exactly ReLU, which would leave most of the exported graph unchecked.
                ModelTestUtil.Randomize(model, seed);
                // Randomize centres heatmaps near 0, so on real crops up to 15% of the maps had no positive value at all
                // and their keypoints no position to compare; lifted by 1, every peak is positive.
                using (torch.no_grad()) ModelTestUtil.Param(model, "head.final.bias").add_(1.0);
                model.eval();

                var exported = OnnxExporter.Describe(model, "{\"test\":\"e2e\",\"seed\":" + seed + "}");
                var path = Path.Combine(dir, "tiny.onnx");
                OnnxExporter.Export(model, exported, path);
                CheckMetadataRoundTrip(exported, path, model.Options);

                foreach (var (flip, maxBoxes) in new[] { (true, 8), (false, 8), (true, 2) })
                {
                    var options = new PoseEstimatorOptions
                    {
                        Provider = ExecutionProvider.Cpu,
                        CpuThreads = 1,
                        FlipTest = flip,
                        KeypointScoreThreshold = Threshold,
                        MaxBoxesPerRun = maxBoxes,   // 2: five boxes go in three runs
                    };
                    using var estimator = PoseEstimator.Load(path, options);
                    Assert.Equal(ExecutionProvider.Cpu, estimator.Provider);
                    Assert.Equal(exported.ToMetadata(), estimator.ModelInfo.ToMetadata());

                    var poses = new Pose[Boxes.Length];
                    var view = new ImageView(bgr, width, height, stride, PixelFormat.Bgr24);
                    estimator.Estimate(view, Boxes, BoxScores, poses, Rotations);

                    var calls = new List<(float[] Crop, double[,,] Heatmaps)>();
                    var expected = ReferencePipeline.Run(bgr, width, height, stride, Boxes, BoxScores, Rotations,
                        crop => TorchForward(model, crop, calls), exported, flip, Threshold);
                    Assert.Equal(Boxes.Length * (flip ? 2 : 1), calls.Count);

                    string label = $"{ModelNames.Name(activation)} flip={flip} maxBoxes={maxBoxes}";
                    CheckHeatmapsAgainstOnnxRuntime(File.ReadAllBytes(path), exported, calls, label);
                    ComparePoses(expected, poses, calls, exported, flip, label);
                }
            }
            finally
            {
                Directory.Delete(dir, true);
            }
        }

        private void CheckMetadataRoundTrip(PoseModelInfo exported, string path, PoseNetOptions modelOptions)
        {
            using var session = new InferenceSession(path);
            var read = PoseModelInfo.FromMetadata(session.ModelMetadata.CustomMetadataMap, path);
            Assert.Equal(exported.InputWidth, read.InputWidth);
            Assert.Equal(exported.InputHeight, read.InputHeight);
            Assert.Equal(modelOptions.InputWidth, read.InputWidth);
            Assert.Equal(modelOptions.InputHeight, read.InputHeight);
            Assert.Equal(PoseNet.HeatmapStride, read.HeatmapStride);
            Assert.Equal(exported.ChannelOrder, read.ChannelOrder);
            Assert.Equal(exported.Mean, read.Mean);
            Assert.Equal(exported.Std, read.Std);
            Assert.True(exported.Keypoints.IsSameAs(read.Keypoints), "the keypoint schema survives the metadata round trip");
            Assert.Same(CocoKeypoints.Schema, read.Keypoints);
            Assert.Equal(modelOptions.ArchitectureName, read.Architecture);
            Assert.Equal(modelOptions.ActivationName, read.Activation);
            Assert.Equal(exported.Provenance, read.Provenance);
            // Every key, including any added later, survives the trip.
            Assert.Equal(exported.ToMetadata(), read.ToMetadata());
        }

        /// <summary>The reference's network: the TorchSharp eval forward on one crop, logged for the later checks.</summary>
        private static double[,,] TorchForward(PoseNet model, double[,,] crop, List<(float[] Crop, double[,,] Heatmaps)> calls)
        {
            int c = crop.GetLength(0), h = crop.GetLength(1), w = crop.GetLength(2);
            var flat = new float[c * h * w];
            int i = 0;
            foreach (double v in crop) flat[i++] = (float)v;   // row-major, i.e. CHW
            using var scope = torch.NewDisposeScope();
            using var _ = torch.no_grad();
            var y = model.forward(torch.tensor(flat, new long[] { 1, c, h, w }));
            long k = y.shape[1], hh = y.shape[2], hw = y.shape[3];
            var data = y.data<float>().ToArray();
            var heat = new double[k, hh, hw];
            i = 0;
            for (int a = 0; a < k; a++)
                for (int b = 0; b < hh; b++)
                    for (int x = 0; x < hw; x++) heat[a, b, x] = data[i++];
            // The reference merges the flipped maps into the array it gets, in place: log a copy.
            calls.Add((flat, (double[,,])heat.Clone()));
            return heat;
        }

        /// <summary>
        /// ONNX Runtime on the exported file, fed the reference's crops in one batch, against the TorchSharp heatmaps:
        /// isolates export/ORT differences from crop differences, and gives the measured float noise the tolerances rest on.
        /// </summary>
        private void CheckHeatmapsAgainstOnnxRuntime(byte[] onnx, PoseModelInfo info, List<(float[] Crop, double[,,] Heatmaps)> calls, string label)
        {
            int cropLength = calls[0].Crop.Length;
            var input = new float[calls.Count * cropLength];
            for (int n = 0; n < calls.Count; n++) calls[n].Crop.CopyTo(input, n * cropLength);
            var ort = ModelTestUtil.RunOnnx(onnx, input, new[] { calls.Count, 3, info.InputHeight, info.InputWidth }, out var dims);
            Assert.Equal(new[] { calls.Count, info.KeypointCount, info.HeatmapHeight, info.HeatmapWidth }, dims);
            double maxDiff = 0, sum = 0, sumSq = 0;
            int i = 0;
            foreach (var (_, heat) in calls)
            {
                foreach (double v in heat)
                {
                    maxDiff = Math.Max(maxDiff, Math.Abs(v - ort[i++]));
                    sum += v;
                    sumSq += v * v;
                }
            }
            double std = Math.Sqrt(sumSq / i - (sum / i) * (sum / i));
            output.WriteLine($"{label}: ORT vs TorchSharp heatmaps max |diff| {maxDiff:E2}, heatmap std {std:F3}");
            // A tolerance means nothing on flat maps.
            Assert.True(std > 0.05, $"{label}: heatmap std {std} is too small for the comparison to mean anything");
            Assert.True(maxDiff <= HeatmapTolerance, $"{label}: ORT heatmaps differ from TorchSharp's by {maxDiff} > {HeatmapTolerance}");
        }

        private void ComparePoses(ReferencePipeline.Result[] expected, Pose[] actual, List<(float[] Crop, double[,,] Heatmaps)> calls,
            PoseModelInfo info, bool flip, string label)
        {
            int k = info.KeypointCount, ambiguous = 0, unpeaked = 0, aboveThreshold = 0;
            double worstPixel = 0, worstScore = 0;
            for (int n = 0; n < Boxes.Length; n++)
            {
                Assert.Equal(k, actual[n].KeypointCount);
                Assert.Equal(Boxes[n], actual[n].Box);
                Assert.Equal(BoxScores[n], actual[n].BoxScore);
                var merged = Merge(calls, n, flip, info);
                for (int j = 0; j < k; j++)
                {
                    var kp = actual[n][j];
                    double ex = expected[n].Keypoints[j, 0], ey = expected[n].Keypoints[j, 1], es = expected[n].Keypoints[j, 2];
                    string where = $"{label} box {n} keypoint {j} ({info.Keypoints.Names[j]})";
                    worstScore = Math.Max(worstScore, Math.Abs(es - kp.Score));
                    Assert.True(Math.Abs(es - kp.Score) <= ScoreTolerance, $"{where}: score {kp.Score} vs reference {es}");
                    if (es > Threshold) aboveThreshold++;
                    if (es <= DecisionMargin)
                    {
                        // No (clearly) positive peak: score 0 by contract, and the position means nothing.
                        unpeaked++;
                    }
                    else if (IsClear(merged, j))
                    {
                        double d = Math.Max(Math.Abs(ex - kp.X), Math.Abs(ey - kp.Y));
                        worstPixel = Math.Max(worstPixel, d);
                        Assert.True(d <= PixelTolerance, $"{where}: ({kp.X}, {kp.Y}) vs reference ({ex}, {ey})");
                        // The near-tie check's own geometry must accept the one outcome of a clear peak.
                        Assert.True(IsAllowedOutcome(merged, j, n, info, kp), $"{where}: the near-tie check rejects a clear match");
                    }
                    else
                    {
                        ambiguous++;
                        Assert.True(IsAllowedOutcome(merged, j, n, info, kp),
                            $"{where}: ({kp.X}, {kp.Y}) is none of the positions a near-tie within {DecisionMargin} allows (reference ({ex}, {ey}))");
                    }
                }
                Assert.True(Math.Abs(expected[n].Score - actual[n].Score) <= ScoreTolerance,
                    $"{label} box {n}: pose score {actual[n].Score} vs reference {expected[n].Score}");
            }
            int total = Boxes.Length * k;
            output.WriteLine($"{label}: worst clear-keypoint error {worstPixel:E2} px, worst score error {worstScore:E2}, " +
                $"near-tie keypoints {ambiguous}, without a positive peak {unpeaked}, above the score threshold {aboveThreshold}, of {total}");
            // Near-ties and empty maps are rare on these maps; many would mean the comparison had stopped testing positions.
            Assert.True(ambiguous + unpeaked <= total / 10, $"{label}: {ambiguous} near-ties and {unpeaked} maps without a peak of {total} keypoints");
            Assert.True(aboveThreshold >= total / 10 && aboveThreshold <= total - total / 10,
                $"{label}: {aboveThreshold} of {total} keypoints score above {Threshold}; the pose score's threshold is not exercised");
        }

        /// <summary>The flip-merged heatmaps of box <paramref name="n"/> (HRNet's flip back, swap, 1-pixel shift, average).</summary>
        private static double[,,] Merge(List<(float[] Crop, double[,,] Heatmaps)> calls, int n, bool flip, PoseModelInfo info)
        {
            if (!flip) return calls[n].Heatmaps;
            var heat = calls[2 * n].Heatmaps;
            var mirrored = calls[2 * n + 1].Heatmaps;
            int k = heat.GetLength(0), hh = heat.GetLength(1), hw = heat.GetLength(2);
            var swap = new int[k];
            for (int j = 0; j < k; j++) swap[j] = j;
            foreach (var (a, b) in info.Keypoints.FlipPairs)
            {
                swap[a] = b;
                swap[b] = a;
            }
            var merged = new double[k, hh, hw];
            for (int j = 0; j < k; j++)
                for (int y = 0; y < hh; y++)
                    for (int x = 0; x < hw; x++)
                        merged[j, y, x] = 0.5 * (heat[j, y, x] + mirrored[swap[j], y, hw - 1 - Math.Max(0, x - 1)]);
            return merged;
        }

        private static (int X, int Y, double Max, double Second) Peak(double[,,] heat, int j)
        {
            int hh = heat.GetLength(1), hw = heat.GetLength(2), bx = 0, by = 0;
            double max = double.NegativeInfinity, second = double.NegativeInfinity;
            for (int y = 0; y < hh; y++)
                for (int x = 0; x < hw; x++)
                {
                    double v = heat[j, y, x];
                    if (v > max)
                    {
                        second = max;
                        max = v;
                        bx = x;
                        by = y;
                    }
                    else if (v > second)
                    {
                        second = v;
                    }
                }
            return (bx, by, max, second);
        }

        private static bool Refines(int x, int y, int hw, int hh) => 1 < x && x < hw - 1 && 1 < y && y < hh - 1;

        private static bool IsClear(double[,,] heat, int j)
        {
            int hh = heat.GetLength(1), hw = heat.GetLength(2);
            var (x, y, max, second) = Peak(heat, j);
            if (max - second <= DecisionMargin) return false;
            if (!Refines(x, y, hw, hh)) return true;
            return Math.Abs(heat[j, y, x + 1] - heat[j, y, x - 1]) > DecisionMargin
                && Math.Abs(heat[j, y + 1, x] - heat[j, y - 1, x]) > DecisionMargin;
        }

        /// <summary>
        /// Whether <paramref name="kp"/> is where the decoder lands for some reading of the near-ties: any cell within
        /// <see cref="DecisionMargin"/> of the maximum, with, per axis, the quarter-offset sign the reference maps give
        /// when that difference is clear, or any of -, 0, + when it is not.
        /// </summary>
        private static bool IsAllowedOutcome(double[,,] heat, int j, int n, PoseModelInfo info, Keypoint kp)
        {
            int hh = heat.GetLength(1), hw = heat.GetLength(2);
            double max = Peak(heat, j).Max;
            double[] all = { -0.25, 0, 0.25 };
            for (int y = 0; y < hh; y++)
                for (int x = 0; x < hw; x++)
                {
                    if (heat[j, y, x] < max - DecisionMargin) continue;
                    bool refine = Refines(x, y, hw, hh);
                    var offsetsX = refine ? Offsets(heat[j, y, x + 1] - heat[j, y, x - 1], all) : new[] { 0.0 };
                    var offsetsY = refine ? Offsets(heat[j, y + 1, x] - heat[j, y - 1, x], all) : new[] { 0.0 };
                    foreach (double ox in offsetsX)
                        foreach (double oy in offsetsY)
                        {
                            var (ix, iy) = HeatmapToImage(x + ox, y + oy, n, info);
                            if (Math.Abs(ix - kp.X) <= PixelTolerance && Math.Abs(iy - kp.Y) <= PixelTolerance) return true;
                        }
                }
            return false;
        }

        private static double[] Offsets(double difference, double[] all) =>
            Math.Abs(difference) > DecisionMargin ? new[] { 0.25 * Math.Sign(difference) } : all;

        /// <summary>Heatmap cell -> image pixel for box <paramref name="n"/>, as ARCHITECTURE.md defines the crop (HRNet's convention).</summary>
        private static (double X, double Y) HeatmapToImage(double px, double py, int n, PoseModelInfo info)
        {
            var box = Boxes[n];
            int w = info.InputWidth, h = info.InputHeight;
            double aspect = (double)w / h;
            double bw = box.Width, bh = box.Height;
            if (bw > aspect * bh) bh = bw / aspect; else if (bw < aspect * bh) bw = bh * aspect;
            double z = bw * 1.25 / w, rot = Rotations[n] * Math.PI / 180;
            double qx = px * info.HeatmapStride - w * 0.5, qy = py * info.HeatmapStride - h * 0.5;
            return (box.X + box.Width * 0.5 + z * (Math.Cos(rot) * qx - Math.Sin(rot) * qy),
                    box.Y + box.Height * 0.5 + z * (Math.Sin(rot) * qx + Math.Cos(rot) * qy));
        }

        private static (byte[] Bgr, int Width, int Height, int Stride) LoadBgr(string path)
        {
            using var mat = Cv2.ImRead(path, ImreadModes.Color);
            Assert.False(mat.Empty(), $"cannot read {path}");
            Assert.Equal(MatType.CV_8UC3, mat.Type());
            int stride = (int)mat.Step();
            var bytes = new byte[stride * mat.Rows];
            Marshal.Copy(mat.Data, bytes, 0, bytes.Length);
            return (bytes, mat.Cols, mat.Rows, stride);
        }
    }
}
