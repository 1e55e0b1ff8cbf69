using System;
using PoseRT.Runtime;
using PoseRT.Runtime.Geometry;

namespace PoseRT.Tests.Geometry
{
    public class CropTransformTests
    {
        [Fact]
        public void Tall_box_grows_its_width_to_the_input_aspect_and_pads()
        {
            CropTransform.BoxToCenterScale(new BoundingBox(10, 20, 60, 100), 192, 256, 1.25f, out var cx, out var cy, out var sx, out var sy);
            Assert.Equal(40f, cx);
            Assert.Equal(70f, cy);
            Assert.Equal(75f / 200 * 1.25f, sx, 6);   // 60 < 0.75 * 100 -> w = 75
            Assert.Equal(100f / 200 * 1.25f, sy, 6);
        }

        [Fact]
        public void Wide_box_grows_its_height()
        {
            CropTransform.BoxToCenterScale(new BoundingBox(0, 0, 200, 100), 192, 256, 1.25f, out _, out _, out var sx, out var sy);
            Assert.Equal(200f / 200 * 1.25f, sx, 6);
            Assert.Equal(200f / 0.75f / 200 * 1.25f, sy, 5);
        }

        [Fact]
        public void Box_centre_maps_to_the_input_centre_and_the_padded_edges_to_the_input_edges()
        {
            var t = CropTransform.FromBox(new BoundingBox(10, 20, 60, 100), 192, 256);
            t.ImageToInput(40, 70, out var u, out var v);
            Assert.Equal(96f, u, 4);
            Assert.Equal(128f, v, 4);
            // Crop width in the image is 75 * 1.25 = 93.75 px; its left edge is input column 0.
            t.ImageToInput(40 - 93.75f / 2, 70, out u, out v);
            Assert.Equal(0f, u, 4);
            Assert.Equal(128f, v, 4);
            // Heights follow the same zoom: 125 image px -> 256 input px... 93.75 / 192 per input px.
            t.ImageToInput(40, 70 + 93.75f / 192 * 100, out u, out v);
            Assert.Equal(228f, v, 3);
        }

        [Fact]
        public void Rotation_follows_hrnet_get_dir()
        {
            // HRNet: src point c + R(rot) [0, -s/2] maps to dst d0 + [0, -w/2]; for rot = 90, R [0, -s/2] = [s/2, 0].
            var t = new CropTransform(300, 200, 1.0f, 4f / 3, 192, 256, rotationDegrees: 90);
            t.ImageToInput(300 + 100, 200, out var u, out var v);
            Assert.Equal(96f, u, 3);
            Assert.Equal(128f - 96f, v, 3);
        }

        [Theory]
        [InlineData(0f, false)]
        [InlineData(30f, false)]
        [InlineData(-45f, true)]
        [InlineData(170f, true)]
        public void Matrix_equals_an_independent_three_point_affine_solve(float rot, bool flip)
        {
            float cx = 123.4f, cy = 250.5f, s = 1.37f;
            int w = 192, h = 256;
            var t = new CropTransform(cx, cy, s, s * h / w, w, h, rot, flip);

            // Reference: HRNet get_affine_transform's three point pairs, solved as a linear system.
            double rad = Math.PI * rot / 180, cs = Math.Cos(rad), sn = Math.Sin(rad);
            double srcW = s * 200;
            double[] sdir = { 0 * cs - (-srcW / 2) * sn, 0 * sn + (-srcW / 2) * cs };
            double[,] src = new double[3, 2];
            double[,] dst = new double[3, 2];
            src[0, 0] = cx; src[0, 1] = cy;
            src[1, 0] = cx + sdir[0]; src[1, 1] = cy + sdir[1];
            dst[0, 0] = w * 0.5; dst[0, 1] = h * 0.5;
            dst[1, 0] = w * 0.5; dst[1, 1] = h * 0.5 - w * 0.5;
            Third(src); Third(dst);
            if (flip) for (int i = 0; i < 3; i++) dst[i, 0] = w - 1 - dst[i, 0];
            var m = Solve(src, dst);
            Span<float> got = stackalloc float[6];
            t.GetForwardMatrix(got);
            for (int i = 0; i < 6; i++) Assert.Equal(m[i], got[i], 3);
        }

        private static void Third(double[,] p)
        {
            // get_3rd_point(a, b) = b + [-(a-b)[1], (a-b)[0]]
            double dx = p[0, 0] - p[1, 0], dy = p[0, 1] - p[1, 1];
            p[2, 0] = p[1, 0] - dy;
            p[2, 1] = p[1, 1] + dx;
        }

        private static double[] Solve(double[,] src, double[,] dst)
        {
            // [x y 1] * [a b c]^T = u for three points (Cramer's rule), once per output row.
            double Det(double a, double b, double c, double d, double e, double f, double g, double h, double i) =>
                a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g);
            double d0 = Det(src[0, 0], src[0, 1], 1, src[1, 0], src[1, 1], 1, src[2, 0], src[2, 1], 1);
            var m = new double[6];
            for (int row = 0; row < 2; row++)
            {
                double u0 = dst[0, row], u1 = dst[1, row], u2 = dst[2, row];
                m[3 * row] = Det(u0, src[0, 1], 1, u1, src[1, 1], 1, u2, src[2, 1], 1) / d0;
                m[3 * row + 1] = Det(src[0, 0], u0, 1, src[1, 0], u1, 1, src[2, 0], u2, 1) / d0;
                m[3 * row + 2] = Det(src[0, 0], src[0, 1], u0, src[1, 0], src[1, 1], u1, src[2, 0], src[2, 1], u2) / d0;
            }
            return m;
        }

        [Fact]
        public void Round_trip_is_exact_within_a_hundredth_of_a_pixel()
        {
            var rng = new Random(7);
            for (int n = 0; n < 200; n++)
            {
                // Boxes of many aspect ratios, some hanging off a 1920x1080 image, some rotated.
                var box = new BoundingBox((float)(rng.NextDouble() * 2400 - 300), (float)(rng.NextDouble() * 1400 - 200),
                    (float)(5 + rng.NextDouble() * 900), (float)(5 + rng.NextDouble() * 900));
                float rot = n % 3 == 0 ? 0 : (float)(rng.NextDouble() * 90 - 45);
                int w = n % 2 == 0 ? 192 : 288, h = n % 2 == 0 ? 256 : 384;
                var t = CropTransform.FromBox(box, w, h, rot, flipHorizontal: n % 5 == 0);
                for (int p = 0; p < 10; p++)
                {
                    float u = (float)(rng.NextDouble() * w), v = (float)(rng.NextDouble() * h);
                    t.InputToImage(u, v, out var x, out var y);
                    t.ImageToInput(x, y, out var u2, out var v2);
                    Assert.InRange(Math.Abs(u2 - u), 0, 0.01);
                    Assert.InRange(Math.Abs(v2 - v), 0, 0.01);
                }
            }
        }

        [Fact]
        public void Flip_mirrors_input_columns()
        {
            var box = new BoundingBox(50, 60, 70, 200);
            var t = CropTransform.FromBox(box, 192, 256, 20);
            var f = CropTransform.FromBox(box, 192, 256, 20, flipHorizontal: true);
            t.ImageToInput(80, 150, out var u, out var v);
            f.ImageToInput(80, 150, out var fu, out var fv);
            Assert.Equal(191 - u, fu, 3);
            Assert.Equal(v, fv, 3);
        }

        [Fact]
        public void Heatmap_pixel_is_input_pixel_times_stride()
        {
            var t = CropTransform.FromBox(new BoundingBox(100, 100, 80, 160), 192, 256, 10);
            t.HeatmapToImage(12.25f, 30.5f, 4, 4, out var x, out var y);
            t.InputToImage(49, 122, out var x2, out var y2);
            Assert.Equal(x2, x, 4);
            Assert.Equal(y2, y, 4);
        }

        [Fact]
        public void Empty_or_non_finite_boxes_are_rejected_by_name()
        {
            var e = Assert.Throws<ArgumentOutOfRangeException>(() => CropTransform.FromBox(new BoundingBox(0, 0, 0, 0), 192, 256));
            Assert.Equal("box", e.ParamName);
            Assert.Throws<ArgumentOutOfRangeException>(() => CropTransform.FromBox(new BoundingBox(0, 0, float.NaN, 10), 192, 256));
            Assert.Throws<ArgumentOutOfRangeException>(() => CropTransform.FromBox(new BoundingBox(float.NaN, 0, 10, 10), 192, 256));
        }
    }
}
