using System;
using PoseRT.Runtime;
using PoseRT.Runtime.Model;

namespace PoseRT.Tests.Inference
{
    /// <summary>
    /// The whole top-down protocol written out again, plainly and in double precision, from
    /// ARCHITECTURE.md and HRNet's code (not from the Runtime's sources): box -> centre/scale,
    /// inverse affine + bilinear crop, the network (any function crop [3, H, W] -> heatmaps [K, H/s, W/s]),
    /// mirrored crop -> flip back + swap + shift + average, argmax + quarter offset, back-projection,
    /// pose score. Self-contained (only PoseRT.Runtime's value types), so any test project can pass its
    /// own forward pass, e.g. TorchSharp's, as <c>network</c>.
    /// </summary>
    internal static class ReferencePipeline
    {
        public sealed class Result
        {
            public double[,] Keypoints = new double[0, 3];
            public double Score;
        }

        /// <summary>Runs the protocol on a BGR24 image with the test network's 1x1 strided convolution.</summary>
        public static Result[] Run(byte[] bgr, int iw, int ih, int stride, BoundingBox[] boxes, float[]? boxScores, float[]? rotations,
            TestModel m, PoseModelInfo info, bool flip, float threshold) =>
            Run(bgr, iw, ih, stride, boxes, boxScores, rotations, crop => Conv1x1(crop, m, info), info, flip, threshold);

        private static double[,,] Conv1x1(double[,,] crop, TestModel m, PoseModelInfo info)
        {
            int k = info.KeypointCount, hh = info.HeatmapHeight, hw = info.HeatmapWidth, s = info.HeatmapStride;
            var hm = new double[k, hh, hw];
            for (int j = 0; j < k; j++)
                for (int i = 0; i < hh; i++)
                    for (int x = 0; x < hw; x++)
                    {
                        double v = m.Bias[j];
                        for (int c = 0; c < 3; c++) v += m.Weights[j * 3 + c] * crop[c, s * i, s * x];
                        hm[j, i, x] = v;
                    }
            return hm;
        }

        /// <summary>
        /// Runs the protocol on a BGR24 image (rows <paramref name="stride"/> bytes apart) with any network:
        /// <paramref name="network"/> maps a normalised crop [3, H, W] in the model's channel order to heatmaps [K, H/s, W/s].
        /// </summary>
        public static Result[] Run(byte[] bgr, int iw, int ih, int stride, BoundingBox[] boxes, float[]? boxScores, float[]? rotations,
            Func<double[,,], double[,,]> network, PoseModelInfo info, bool flip, float threshold)
        {
            var results = new Result[boxes.Length];
            for (int n = 0; n < boxes.Length; n++)
            {
                var box = boxes[n];
                int w = info.InputWidth, h = info.InputHeight, hw = w / info.HeatmapStride, hh = h / info.HeatmapStride, k = info.KeypointCount;
                double aspect = (double)w / h;
                double cx = box.X + box.Width * 0.5, cy = box.Y + box.Height * 0.5;
                double bw = box.Width, bh = box.Height;
                if (bw > aspect * bh) bh = bw / aspect; else if (bw < aspect * bh) bw = bh * aspect;
                double srcW = bw / 200.0 * 1.25 * 200.0;
                double rot = rotations == null ? 0 : rotations[n] * Math.PI / 180;
                double cs = Math.Cos(rot), sn = Math.Sin(rot), z = srcW / w;

                // Crop: input pixel q -> image c + z R(rot) (q - (w/2, h/2)).
                var crop = new double[3, h, w];
                for (int v = 0; v < h; v++)
                {
                    for (int u = 0; u < w; u++)
                    {
                        double qx = u - w * 0.5, qy = v - h * 0.5;
                        double x = cx + z * (cs * qx - sn * qy), y = cy + z * (sn * qx + cs * qy);
                        for (int c = 0; c < 3; c++)
                        {
                            // The image is BGR; model channel c is R, G, B (or B, G, R for a BGR model).
                            int byteIndex = info.ChannelOrder == ChannelOrder.Rgb ? 2 - c : c;
                            double val = Bilinear(bgr, iw, ih, stride, x, y, byteIndex);
                            crop[c, v, u] = (val / 255.0 - info.Mean[c]) / info.Std[c];
                        }
                    }
                }

                double[,,] Heat(bool mirrored)
                {
                    var input = crop;
                    if (mirrored)
                    {
                        input = new double[3, h, w];
                        for (int c = 0; c < 3; c++)
                            for (int v = 0; v < h; v++)
                                for (int u = 0; u < w; u++) input[c, v, u] = crop[c, v, w - 1 - u];
                    }
                    var hm = network(input);
                    if (hm.GetLength(0) != k || hm.GetLength(1) != hh || hm.GetLength(2) != hw)
                        throw new ArgumentException($"The network returned [{hm.GetLength(0)}, {hm.GetLength(1)}, {hm.GetLength(2)}], expected [{k}, {hh}, {hw}].");
                    return hm;
                }

                var heat = Heat(false);
                if (flip)
                {
                    var f = Heat(true);
                    var flipIndex = new int[k];
                    for (int j = 0; j < k; j++) flipIndex[j] = j;
                    foreach (var (a, b) in info.Keypoints.FlipPairs) { flipIndex[a] = b; flipIndex[b] = a; }
                    for (int j = 0; j < k; j++)
                        for (int i = 0; i < hh; i++)
                        {
                            // back = f[flip[j], i, ::-1]; shifted[0] = back[0], shifted[x] = back[x-1]
                            for (int x = 0; x < hw; x++)
                            {
                                int bx = x == 0 ? 0 : x - 1;
                                double back = f[flipIndex[j], i, hw - 1 - bx];
                                heat[j, i, x] = 0.5 * (heat[j, i, x] + back);
                            }
                        }
                }

                var r = new Result { Keypoints = new double[k, 3] };
                double sum = 0;
                int valid = 0;
                for (int j = 0; j < k; j++)
                {
                    int best = 0;
                    double max = double.NegativeInfinity;
                    for (int i = 0; i < hh * hw; i++)
                    {
                        double v = heat[j, i / hw, i % hw];
                        if (v > max) { max = v; best = i; }
                    }
                    double px = best % hw, py = best / hw, score = max;
                    if (max <= 0) { px = 0; py = 0; score = 0; }
                    int ix = (int)px, iy = (int)py;
                    if (max > 0 && 1 < ix && ix < hw - 1 && 1 < iy && iy < hh - 1)
                    {
                        px += 0.25 * Math.Sign(heat[j, iy, ix + 1] - heat[j, iy, ix - 1]);
                        py += 0.25 * Math.Sign(heat[j, iy + 1, ix] - heat[j, iy - 1, ix]);
                    }
                    double qx = px * info.HeatmapStride - w * 0.5, qy = py * info.HeatmapStride - h * 0.5;
                    r.Keypoints[j, 0] = cx + z * (cs * qx - sn * qy);
                    r.Keypoints[j, 1] = cy + z * (sn * qx + cs * qy);
                    r.Keypoints[j, 2] = score;
                    if (score > threshold) { sum += score; valid++; }
                }
                double boxScore = boxScores == null ? 1 : boxScores[n];
                r.Score = valid > 0 ? sum / valid * boxScore : 0;
                results[n] = r;
            }
            return results;
        }

        private static double Bilinear(byte[] bgr, int iw, int ih, int stride, double x, double y, int channel)
        {
            int x0 = (int)Math.Floor(x), y0 = (int)Math.Floor(y);
            double ax = x - x0, ay = y - y0;
            double At(int xx, int yy) => xx < 0 || yy < 0 || xx >= iw || yy >= ih ? 0 : bgr[yy * stride + 3 * xx + channel];
            return (1 - ay) * ((1 - ax) * At(x0, y0) + ax * At(x0 + 1, y0)) + ay * ((1 - ax) * At(x0, y0 + 1) + ax * At(x0 + 1, y0 + 1));
        }
    }
}
