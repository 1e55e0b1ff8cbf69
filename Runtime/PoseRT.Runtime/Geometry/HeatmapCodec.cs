using System;
using PoseRT.Runtime.Model;

namespace PoseRT.Runtime.Geometry
{
    /// <summary>
    /// The heatmap codec shared by training (<see cref="Encode"/>: Gaussian targets) and inference
    /// (<see cref="Decode"/>: peaks, <see cref="FlipMerge"/>: flip-test averaging), so the two cannot
    /// drift apart. Heatmaps are float[K * H * W], channel-major, row-major within a channel; heatmap
    /// pixel (hx, hy) is input pixel (hx * StrideX, hy * StrideY) (see <see cref="CropTransform"/>).
    /// </summary>
    /// <remarks>
    /// Immutable and allocation-free after construction: one instance can be used from many threads
    /// as long as each thread passes its own output and scratch spans.
    /// <para>Non-finite heatmaps: a channel holding any NaN or infinity decodes to score 0 at (0, 0)
    /// (the same as an all-non-positive map), so a broken output can never produce a confident keypoint.</para>
    /// </remarks>
    internal sealed class HeatmapCodec
    {
        /// <summary>Target Gaussian sigma at a 64-pixel-high heatmap (SimpleBaselines / HRNet).</summary>
        public const float SigmaAt64 = 2f;

        /// <summary>Creates a codec.</summary>
        /// <param name="inputWidth">Network input width in pixels.</param>
        /// <param name="inputHeight">Network input height in pixels.</param>
        /// <param name="heatmapWidth">Heatmap width.</param>
        /// <param name="heatmapHeight">Heatmap height.</param>
        /// <param name="sigma">Target Gaussian sigma in heatmap pixels; 0 means <see cref="DefaultSigma"/>.</param>
        public HeatmapCodec(int inputWidth, int inputHeight, int heatmapWidth, int heatmapHeight, float sigma = 0f)
        {
            if (inputWidth <= 0 || inputHeight <= 0)
                throw new ArgumentOutOfRangeException(nameof(inputWidth), $"Input size {inputWidth}x{inputHeight} must be positive.");
            if (heatmapWidth < 1 || heatmapHeight < 1)
                throw new ArgumentOutOfRangeException(nameof(heatmapWidth), $"Heatmap size {heatmapWidth}x{heatmapHeight} must be positive.");
            if (sigma < 0 || float.IsNaN(sigma) || float.IsInfinity(sigma))
                throw new ArgumentOutOfRangeException(nameof(sigma), sigma, "Sigma must be a finite number >= 0 (0 = default).");
            InputWidth = inputWidth;
            InputHeight = inputHeight;
            HeatmapWidth = heatmapWidth;
            HeatmapHeight = heatmapHeight;
            Sigma = sigma == 0 ? DefaultSigma(heatmapHeight) : sigma;
            StrideX = inputWidth / (float)heatmapWidth;
            StrideY = inputHeight / (float)heatmapHeight;
            _darkRadius = Math.Max(1, (int)Math.Round(2.5 * Sigma));
            _darkKernel = new float[2 * _darkRadius + 1];
            double sum = 0;
            for (int i = -_darkRadius; i <= _darkRadius; i++)
            {
                double g = Math.Exp(-(i * i) / (2.0 * Sigma * Sigma));
                _darkKernel[i + _darkRadius] = (float)g;
                sum += g;
            }
            for (int i = 0; i < _darkKernel.Length; i++) _darkKernel[i] = (float)(_darkKernel[i] / sum);
        }

        /// <summary>A codec for a model description (its input size and heatmap stride).</summary>
        public static HeatmapCodec ForModel(PoseModelInfo info, float sigma = 0f)
        {
            if (info == null) throw new ArgumentNullException(nameof(info));
            info.Validate();
            return new HeatmapCodec(info.InputWidth, info.InputHeight, info.HeatmapWidth, info.HeatmapHeight, sigma);
        }

        /// <summary>Sigma 2 at 64 rows, scaled with the heatmap height (1.5 at 48 rows, 3 at 96).</summary>
        public static float DefaultSigma(int heatmapHeight) => SigmaAt64 * heatmapHeight / 64f;

        // Separable DARK blur kernel (normalised like cv2.GaussianBlur); radius 5 at sigma 2 = cv2's 11x11.
        private readonly int _darkRadius;
        private readonly float[] _darkKernel;

        /// <summary>Network input width.</summary>
        public int InputWidth { get; }

        /// <summary>Network input height.</summary>
        public int InputHeight { get; }

        /// <summary>Heatmap width.</summary>
        public int HeatmapWidth { get; }

        /// <summary>Heatmap height.</summary>
        public int HeatmapHeight { get; }

        /// <summary>Target Gaussian sigma in heatmap pixels (also the DARK blur sigma).</summary>
        public float Sigma { get; }

        /// <summary>Input pixels per heatmap pixel horizontally.</summary>
        public float StrideX { get; }

        /// <summary>Input pixels per heatmap pixel vertically.</summary>
        public float StrideY { get; }

        /// <summary>Floats in one heatmap channel (W * H).</summary>
        public int ChannelLength => HeatmapWidth * HeatmapHeight;

        /// <summary>Floats <see cref="Decode"/> needs as scratch for <see cref="PeakRefinement.Dark"/>.</summary>
        public int DarkScratchLength => 2 * HeatmapWidth * HeatmapHeight;

        /// <summary>
        /// Training targets, the SimpleBaselines / HRNet rule: for keypoint k at input pixel (x, y) with
        /// visibility v, centre mu = (int)(x / stride + 0.5) per axis (truncating toward zero like Python's
        /// <c>int</c>), an unnormalised Gaussian (peak 1, sigma <see cref="Sigma"/>) over the square
        /// |d| &lt;= 3 sigma around mu, clipped to the map. Weight 1, except 0 when v &lt;= 0 or when that
        /// square lies wholly off the map (ul &gt;= size or br &lt; 0); zero-weight channels are all zero.
        /// </summary>
        /// <param name="keypoints">K triples (x, y, v) in input-crop pixels (COCO's layout after the crop transform).</param>
        /// <param name="heatmaps">Output, K * H * W floats; fully overwritten.</param>
        /// <param name="targetWeights">Output, K floats.</param>
        /// <returns>The number of keypoints with weight 1.</returns>
        public int Encode(ReadOnlySpan<float> keypoints, Span<float> heatmaps, Span<float> targetWeights)
        {
            if (keypoints.Length % 3 != 0)
                throw new ArgumentException($"Keypoints must be (x, y, v) triples (got {keypoints.Length} floats).", nameof(keypoints));
            int k = keypoints.Length / 3;
            int w = HeatmapWidth, h = HeatmapHeight, plane = w * h;
            if (heatmaps.Length < k * plane)
                throw new ArgumentException($"Heatmap buffer holds {heatmaps.Length} floats; {k} keypoints need {k * plane}.", nameof(heatmaps));
            if (targetWeights.Length < k)
                throw new ArgumentException($"Weight buffer holds {targetWeights.Length} floats; {k} keypoints need {k}.", nameof(targetWeights));

            double tmp = 3.0 * Sigma;
            int gaussSize = (int)Math.Ceiling(2 * tmp + 1);
            int center = (int)Math.Floor((2 * tmp + 1) / 2);   // numpy: size // 2
            double twoSigma2 = 2.0 * Sigma * Sigma;
            int active = 0;
            for (int j = 0; j < k; j++)
            {
                var map = heatmaps.Slice(j * plane, plane);
                map.Clear();
                targetWeights[j] = 0f;
                float x = keypoints[3 * j], y = keypoints[3 * j + 1], v = keypoints[3 * j + 2];
                if (!(v > 0) || float.IsNaN(x) || float.IsNaN(y) || float.IsInfinity(x) || float.IsInfinity(y)) continue;

                int muX = (int)(x / StrideX + 0.5f);
                int muY = (int)(y / StrideY + 0.5f);
                int ulX = (int)(muX - tmp), ulY = (int)(muY - tmp);
                int brX = (int)(muX + tmp + 1), brY = (int)(muY + tmp + 1);
                if (ulX >= w || ulY >= h || brX < 0 || brY < 0) continue;

                targetWeights[j] = 1f;
                active++;
                int x0 = Math.Max(0, ulX), x1 = Math.Min(Math.Min(brX, w), ulX + gaussSize);
                int y0 = Math.Max(0, ulY), y1 = Math.Min(Math.Min(brY, h), ulY + gaussSize);
                int gx = ulX + center, gy = ulY + center;
                for (int yy = y0; yy < y1; yy++)
                {
                    int dy = yy - gy;
                    var row = map.Slice(yy * w, w);
                    for (int xx = x0; xx < x1; xx++)
                    {
                        int dx = xx - gx;
                        row[xx] = (float)Math.Exp(-(dx * dx + dy * dy) / twoSigma2);
                    }
                }
            }
            return active;
        }

        /// <summary>
        /// Finds each channel's peak (HRNet <c>get_max_preds</c> + <c>get_final_preds</c> without the
        /// back-projection): the first maximum in row-major order, score = that value, coordinates set to
        /// (0, 0) when the value is &lt;= 0 or the channel is not finite, then the chosen refinement.
        /// Coordinates are in heatmap pixels; map them to the image with
        /// <see cref="CropTransform.HeatmapToImage"/> and <see cref="StrideX"/>/<see cref="StrideY"/>.
        /// Allocates nothing.
        /// </summary>
        /// <param name="heatmaps">At least peaks.Length * H * W floats.</param>
        /// <param name="peaks">One output per keypoint (the keypoint count).</param>
        /// <param name="refinement">Sub-pixel refinement.</param>
        /// <param name="scratch"><see cref="DarkScratchLength"/> floats for <see cref="PeakRefinement.Dark"/>; unused otherwise.</param>
        public void Decode(ReadOnlySpan<float> heatmaps, Span<Keypoint> peaks, PeakRefinement refinement = PeakRefinement.QuarterOffset, Span<float> scratch = default)
        {
            int plane = ChannelLength;
            if (heatmaps.Length < peaks.Length * plane)
                throw new ArgumentException($"Heatmaps hold {heatmaps.Length} floats; {peaks.Length} keypoints of {HeatmapWidth}x{HeatmapHeight} need {peaks.Length * plane}.", nameof(heatmaps));
            if (refinement == PeakRefinement.Dark && scratch.Length < DarkScratchLength)
                throw new ArgumentException($"DARK decoding needs {DarkScratchLength} floats of scratch (got {scratch.Length}).", nameof(scratch));
            for (int j = 0; j < peaks.Length; j++)
                peaks[j] = DecodeChannel(heatmaps.Slice(j * plane, plane), refinement, scratch);
        }

        /// <summary>Decodes one W * H channel (see <see cref="Decode"/>).</summary>
        public Keypoint DecodeChannel(ReadOnlySpan<float> map, PeakRefinement refinement = PeakRefinement.QuarterOffset, Span<float> scratch = default)
        {
            int w = HeatmapWidth, h = HeatmapHeight;
            if (map.Length < w * h)
                throw new ArgumentException($"A {w}x{h} heatmap needs {w * h} floats (got {map.Length}).", nameof(map));

            int best = 0;
            float max = map[0];
            // A finite float lies in [MinValue, MaxValue]; NaN fails both comparisons.
            bool finite = max >= float.MinValue && max <= float.MaxValue;
            for (int i = 1; i < w * h; i++)
            {
                float v = map[i];
                if (v > max) { max = v; best = i; }
                else if (!(v >= float.MinValue)) finite = false;
            }
            if (!(max <= float.MaxValue)) finite = false;
            // HRNet zeroes the coordinates of a non-positive peak; its score is reported as 0 (see Keypoint.Score).
            if (!finite || !(max > 0)) return new Keypoint(0f, 0f, 0f);

            int px = best % w, py = best / w;
            float x = px, y = py;
            switch (refinement)
            {
                case PeakRefinement.QuarterOffset:
                    if (1 < px && px < w - 1 && 1 < py && py < h - 1)
                    {
                        int i = py * w + px;
                        x += 0.25f * Sign(map[i + 1] - map[i - 1]);
                        y += 0.25f * Sign(map[i + w] - map[i - w]);
                    }
                    break;
                case PeakRefinement.Dark:
                    if (scratch.Length < DarkScratchLength)
                        throw new ArgumentException($"DARK decoding needs {DarkScratchLength} floats of scratch (got {scratch.Length}).", nameof(scratch));
                    if (1 < px && px < w - 2 && 1 < py && py < h - 2)
                        DarkRefine(map, max, px, py, scratch, ref x, ref y);
                    break;
            }
            return new Keypoint(x, y, max);
        }

        private static float Sign(float d) => d > 0 ? 1f : d < 0 ? -1f : 0f;

        private void DarkRefine(ReadOnlySpan<float> map, float originMax, int px, int py, Span<float> scratch, ref float x, ref float y)
        {
            int w = HeatmapWidth, h = HeatmapHeight, r = _darkRadius;
            var tmp = scratch.Slice(0, w * h);
            var blur = scratch.Slice(w * h, w * h);
            var kernel = _darkKernel;

            // Zero padding outside the map, as HRNet-DARK pads by the kernel radius before cv2.GaussianBlur.
            for (int yy = 0; yy < h; yy++)
            {
                for (int xx = 0; xx < w; xx++)
                {
                    float s = 0;
                    int lo = Math.Max(0, xx - r), hi = Math.Min(w - 1, xx + r);
                    for (int t = lo; t <= hi; t++) s += kernel[t - xx + r] * map[yy * w + t];
                    tmp[yy * w + xx] = s;
                }
            }
            float blurMax = float.MinValue;
            for (int yy = 0; yy < h; yy++)
            {
                int lo = Math.Max(0, yy - r), hi = Math.Min(h - 1, yy + r);
                for (int xx = 0; xx < w; xx++)
                {
                    float s = 0;
                    for (int t = lo; t <= hi; t++) s += kernel[t - yy + r] * tmp[t * w + xx];
                    blur[yy * w + xx] = s;
                    if (s > blurMax) blurMax = s;
                }
            }
            if (!(blurMax > 0)) return;
            double factor = originMax / (double)blurMax;

            double c = LogAt(blur, w, px, py, factor);
            double dx = 0.5 * (LogAt(blur, w, px + 1, py, factor) - LogAt(blur, w, px - 1, py, factor));
            double dy = 0.5 * (LogAt(blur, w, px, py + 1, factor) - LogAt(blur, w, px, py - 1, factor));
            double dxx = 0.25 * (LogAt(blur, w, px + 2, py, factor) - 2 * c + LogAt(blur, w, px - 2, py, factor));
            double dxy = 0.25 * (LogAt(blur, w, px + 1, py + 1, factor) - LogAt(blur, w, px - 1, py + 1, factor)
                - LogAt(blur, w, px + 1, py - 1, factor) + LogAt(blur, w, px - 1, py - 1, factor));
            double dyy = 0.25 * (LogAt(blur, w, px, py + 2, factor) - 2 * c + LogAt(blur, w, px, py - 2, factor));
            double det = dxx * dyy - dxy * dxy;
            if (det == 0) return;
            // offset = -H^-1 * grad
            double ox = -(dyy * dx - dxy * dy) / det;
            double oy = -(-dxy * dx + dxx * dy) / det;
            x += (float)ox;
            y += (float)oy;
        }

        // HRNet-DARK: np.log(np.maximum(hm * origin_max / blur_max, 1e-10)).
        private static double LogAt(Span<float> blur, int w, int x, int y, double factor) =>
            Math.Log(Math.Max(blur[y * w + x] * factor, 1e-10));

        /// <summary>
        /// The flip-test merge (HRNet <c>flip_back</c> + <c>SHIFT_HEATMAP</c>): flip the heatmaps of the
        /// mirrored crop back horizontally, swap left/right channels (<paramref name="flipIndex"/>[k] is the
        /// channel k becomes under a mirror), shift one pixel right (<c>hm[..., 1:] = hm[..., :-1]</c>,
        /// column 0 keeps its own value) and average with the original:
        /// merged[k, y, x] = (original[k, y, x] + flipped[flipIndex[k], y, W - max(x, 1)]) / 2.
        /// <paramref name="merged"/> may be the same memory as <paramref name="original"/>, not as <paramref name="flipped"/>.
        /// </summary>
        public void FlipMerge(ReadOnlySpan<float> original, ReadOnlySpan<float> flipped, ReadOnlySpan<int> flipIndex, Span<float> merged)
        {
            int k = flipIndex.Length, w = HeatmapWidth, h = HeatmapHeight, plane = w * h;
            if (original.Length < k * plane || flipped.Length < k * plane || merged.Length < k * plane)
                throw new ArgumentException($"Flip merge of {k} channels of {w}x{h} needs {k * plane} floats in each buffer (got {original.Length}, {flipped.Length}, {merged.Length}).");
            for (int c = 0; c < k; c++)
            {
                int fc = flipIndex[c];
                if ((uint)fc >= (uint)k)
                    throw new ArgumentException($"Flip index {fc} of keypoint {c} is outside the {k} keypoints.", nameof(flipIndex));
                var o = original.Slice(c * plane, plane);
                var f = flipped.Slice(fc * plane, plane);
                var m = merged.Slice(c * plane, plane);
                for (int yy = 0; yy < h; yy++)
                {
                    int row = yy * w;
                    m[row] = 0.5f * (o[row] + f[row + w - 1]);
                    for (int xx = 1; xx < w; xx++) m[row + xx] = 0.5f * (o[row + xx] + f[row + w - xx]);
                }
            }
        }
    }
}
