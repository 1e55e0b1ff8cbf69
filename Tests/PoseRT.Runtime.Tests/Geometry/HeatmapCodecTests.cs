using System;
using PoseRT.Runtime;
using PoseRT.Runtime.Geometry;

namespace PoseRT.Tests.Geometry
{
    public class HeatmapCodecTests
    {
        private const int W = 48, H = 64;
        private static readonly HeatmapCodec Codec = new(192, 256, W, H);

        private static float[] Map(Action<float[]> fill)
        {
            var m = new float[W * H];
            fill(m);
            return m;
        }

        private static Keypoint Decode(float[] map, PeakRefinement r = PeakRefinement.QuarterOffset) =>
            Codec.DecodeChannel(map, r, new float[Codec.DarkScratchLength]);

        [Fact]
        public void Default_sigma_is_2_at_64_rows_and_scales()
        {
            Assert.Equal(2f, Codec.Sigma);
            Assert.Equal(1.5f, HeatmapCodec.DefaultSigma(48));
            Assert.Equal(3f, new HeatmapCodec(288, 384, 72, 96).Sigma);
            Assert.Equal(4f, Codec.StrideX);
        }

        [Fact]
        public void Encode_writes_the_simplebaselines_gaussian()
        {
            var hm = new float[2 * W * H];
            var wt = new float[2];
            // (101, 61) / 4 + 0.5 = (25.75, 15.75) -> mu = (25, 15).
            int n = Codec.Encode(new float[] { 101, 61, 2, 50, 50, 0 }, hm, wt);
            Assert.Equal(1, n);
            Assert.Equal(new[] { 1f, 0f }, wt);
            Assert.Equal(1f, hm[15 * W + 25]);
            Assert.Equal(MathF.Exp(-1f / 8), hm[15 * W + 26], 6);
            Assert.Equal(MathF.Exp(-72f / 8), hm[21 * W + 31], 6);   // corner of the 13x13 square
            Assert.Equal(0f, hm[15 * W + 32]);                        // just outside it
            Assert.Equal(0f, hm[22 * W + 25]);
            for (int i = W * H; i < 2 * W * H; i++) Assert.Equal(0f, hm[i]);   // invisible: zero map
        }

        [Theory]
        [InlineData(-40f, 0f)]    // mu = (int)(-9.5) = -9: br = -2 < 0
        [InlineData(-28f, 1f)]    // mu = -6: square reaches column 0
        [InlineData(213.6f, 1f)]  // mu = 53: ul = 47 < 48
        [InlineData(214f, 0f)]    // mu = 54: ul = 48 >= 48
        public void Encode_weight_is_zero_only_when_the_square_is_off_the_map(float x, float weight)
        {
            var hm = new float[W * H];
            var wt = new float[1];
            hm[5] = 123f;   // stale content must be overwritten
            Codec.Encode(new[] { x, 100f, 1f }, hm, wt);
            Assert.Equal(weight, wt[0]);
            float sum = 0;
            foreach (var v in hm) sum += v;
            if (weight == 0) Assert.Equal(0f, sum);
            else Assert.True(sum > 0);
        }

        [Fact]
        public void Encode_then_decode_recovers_integer_positions()
        {
            var hm = new float[17 * W * H];
            var wt = new float[17];
            var kp = new float[17 * 3];
            for (int k = 0; k < 17; k++) { kp[3 * k] = 4 * (2 + 2.5f * k); kp[3 * k + 1] = 4 * (3 + 3f * k); kp[3 * k + 2] = 2; }
            Codec.Encode(kp, hm, wt);
            var peaks = new Keypoint[17];
            Codec.Decode(hm, peaks);
            for (int k = 0; k < 17; k++)
            {
                int mx = (int)(2 + 2.5f * k + 0.5f), my = 3 + 3 * k;
                Assert.Equal(mx, peaks[k].X);
                Assert.Equal(my, peaks[k].Y);
                Assert.Equal(1f, peaks[k].Score);
            }
        }

        [Fact]
        public void Quarter_offset_moves_toward_the_larger_neighbour()
        {
            var m = Map(a => { a[20 * W + 10] = 0.9f; a[20 * W + 9] = 0.5f; a[20 * W + 11] = 0.4f; a[21 * W + 10] = 0.3f; a[19 * W + 10] = 0.3f; });
            var k = Decode(m);
            Assert.Equal(9.75f, k.X);
            Assert.Equal(20f, k.Y);   // equal vertical neighbours: sign(0) = 0
            Assert.Equal(0.9f, k.Score);
            var none = Decode(m, PeakRefinement.None);
            Assert.Equal(10f, none.X);
        }

        [Theory]
        [InlineData(0, 30, 0f, 30f)]        // left border: the rule needs both axes inside, so nothing moves
        [InlineData(1, 30, 1f, 30f)]        // px = 1: 1 < px fails (strict)
        [InlineData(2, 30, 2.25f, 30.25f)]  // px = 2: applied
        [InlineData(46, 30, 46.25f, 30.25f)] // px = W-2: applied
        [InlineData(47, 30, 47f, 30f)]      // px = W-1: px < W-1 fails
        [InlineData(20, 1, 20f, 1f)]        // py = 1: nothing
        [InlineData(20, 2, 20.25f, 2.25f)]  // py = 2: applied
        [InlineData(20, 62, 20.25f, 62.25f)] // py = H-2: applied
        [InlineData(20, 63, 20f, 63f)]      // bottom border
        public void Quarter_offset_uses_strict_inequalities(int px, int py, float ex, float ey)
        {
            var m = Map(a =>
            {
                a[py * W + px] = 1f;
                // Larger neighbours right and below wherever they exist.
                if (px + 1 < W) a[py * W + px + 1] = 0.5f;
                if (py + 1 < H) a[(py + 1) * W + px] = 0.5f;
            });
            var k = Decode(m);
            Assert.Equal(ex, k.X);
            Assert.Equal(ey, k.Y);
            Assert.Equal(1f, k.Score);
        }

        [Fact]
        public void Ties_take_the_first_maximum_in_row_major_order()
        {
            var k = Decode(Map(a => { a[40 * W + 3] = 0.7f; a[10 * W + 30] = 0.7f; a[10 * W + 40] = 0.7f; }));
            Assert.Equal(30f, k.X);
            Assert.Equal(10f, k.Y);
        }

        [Fact]
        public void All_zero_and_negative_maps_give_zero_score_at_the_origin()
        {
            var zero = Decode(new float[W * H]);
            Assert.Equal((0f, 0f, 0f), (zero.X, zero.Y, zero.Score));
            var neg = Decode(Map(a => { Array.Fill(a, -1f); a[30 * W + 20] = -0.1f; }));
            Assert.Equal((0f, 0f, 0f), (neg.X, neg.Y, neg.Score));
        }

        [Theory]
        [InlineData(float.NaN, 0)]
        [InlineData(float.NaN, 500)]
        [InlineData(float.PositiveInfinity, 500)]
        [InlineData(float.NegativeInfinity, 500)]
        public void Non_finite_channels_give_zero_score(float bad, int at)
        {
            var m = Map(a => { a[30 * W + 20] = 0.9f; a[at] = bad; });
            foreach (var r in new[] { PeakRefinement.None, PeakRefinement.QuarterOffset, PeakRefinement.Dark })
            {
                var k = Decode(m, r);
                Assert.Equal((0f, 0f, 0f), (k.X, k.Y, k.Score));
            }
        }

        private static float[] Gaussian(double mx, double my, double sigma) =>
            Map(a => { for (int y = 0; y < H; y++) for (int x = 0; x < W; x++) a[y * W + x] = (float)Math.Exp(-((x - mx) * (x - mx) + (y - my) * (y - my)) / (2 * sigma * sigma)); });

        [Fact]
        public void Dark_recovers_a_subpixel_gaussian_centre_better_than_the_quarter_offset()
        {
            double mx = 20.3, my = 30.6;
            var m = Gaussian(mx, my, 2);
            var dark = Decode(m, PeakRefinement.Dark);
            var quarter = Decode(m);
            Assert.InRange(Math.Abs(dark.X - mx), 0, 0.03);
            Assert.InRange(Math.Abs(dark.Y - my), 0, 0.03);
            Assert.True(Math.Abs(dark.X - mx) + Math.Abs(dark.Y - my) < Math.Abs(quarter.X - mx) + Math.Abs(quarter.Y - my));
            Assert.Equal(m[31 * W + 20], dark.Score);   // score is still the raw peak
        }

        [Fact]
        public void Dark_is_not_applied_within_two_pixels_of_the_border()
        {
            var m = Gaussian(46.2, 30, 2);   // argmax px = 46 = W-2: 46 < W-2 fails
            var k = Decode(m, PeakRefinement.Dark);
            Assert.Equal(46f, k.X);
        }

        [Fact]
        public void Dark_needs_scratch()
        {
            var e = Assert.Throws<ArgumentException>(() => Codec.Decode(new float[W * H], new Keypoint[1], PeakRefinement.Dark));
            Assert.Contains("scratch", e.Message);
        }

        [Fact]
        public void Flip_merge_matches_numpy_flip_back_swap_shift_average()
        {
            const int w = 5, h = 4, k = 3;
            var codec = new HeatmapCodec(20, 16, w, h);
            var rng = new Random(3);
            var orig = new float[k * w * h];
            var flipped = new float[k * w * h];
            for (int i = 0; i < orig.Length; i++) { orig[i] = (float)rng.NextDouble(); flipped[i] = (float)rng.NextDouble(); }
            int[] flipIndex = { 0, 2, 1 };

            // Reference, step by step as in HRNet: fb = flipped[..., ::-1]; swap pairs; fb[..., 1:] = fb[..., :-1]; average.
            var fb = new float[k, h, w];
            for (int c = 0; c < k; c++) for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) fb[c, y, x] = flipped[c * w * h + y * w + (w - 1 - x)];
            var sw = new float[k, h, w];
            for (int c = 0; c < k; c++) for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) sw[c, y, x] = fb[flipIndex[c], y, x];
            var sh = (float[,,])sw.Clone();
            for (int c = 0; c < k; c++) for (int y = 0; y < h; y++) for (int x = 1; x < w; x++) sh[c, y, x] = sw[c, y, x - 1];

            var merged = new float[k * w * h];
            codec.FlipMerge(orig, flipped, flipIndex, merged);
            for (int c = 0; c < k; c++) for (int y = 0; y < h; y++) for (int x = 0; x < w; x++)
                Assert.Equal((orig[c * w * h + y * w + x] + sh[c, y, x]) * 0.5f, merged[c * w * h + y * w + x], 6);

            // In place over the original gives the same.
            codec.FlipMerge(orig, flipped, flipIndex, orig);
            Assert.Equal(merged, orig);
        }

        [Fact]
        public void Flip_merge_swaps_left_and_right_coco_channels()
        {
            // Only the flipped crop's channel 2 (right eye) has a peak; after merging it must be in channel 1 (left eye).
            var plane = W * H;
            var orig = new float[17 * plane];
            var flipped = new float[17 * plane];
            flipped[2 * plane + 10 * W + 40] = 1f;
            var merged = new float[17 * plane];
            Codec.FlipMerge(orig, flipped, CocoKeypoints.Schema.FlipIndex, merged);
            var peaks = new Keypoint[17];
            Codec.Decode(merged, peaks, PeakRefinement.None);
            Assert.Equal(0.5f, peaks[1].Score);
            Assert.Equal(W - 40, peaks[1].X);   // mirrored (W-1-40) then shifted right by one
            Assert.Equal(10f, peaks[1].Y);
            Assert.Equal(0f, peaks[2].Score);
        }

        [Fact]
        public void Decode_rejects_short_buffers_by_name()
        {
            var e = Assert.Throws<ArgumentException>(() => Codec.Decode(new float[W * H], new Keypoint[2]));
            Assert.Equal("heatmaps", e.ParamName);
            Assert.Throws<ArgumentException>(() => Codec.Encode(new float[4], new float[W * H], new float[1]));
        }

        [Fact]
        public void Decode_allocates_nothing()
        {
            var hm = new float[17 * W * H];
            var peaks = new Keypoint[17];
            var scratch = new float[Codec.DarkScratchLength];
            var merged = new float[hm.Length];
            long allocated = SteadyState.AllocatedBytes(() =>
            {
                Codec.Decode(hm, peaks);
                Codec.Decode(hm, peaks, PeakRefinement.Dark, scratch);
                Codec.FlipMerge(hm, hm, CocoKeypoints.Schema.FlipIndex, merged);
            }, 10);
            Assert.Equal(0, allocated);
        }
    }
}
