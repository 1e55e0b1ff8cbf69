using System;
using PoseRT.Runtime;
using PoseRT.Runtime.Geometry;
using PoseRT.Runtime.Model;

namespace PoseRT.Tests.Inference
{
    /// <summary>
    /// Model-free geometry: an image whose red channel is x and green channel is y shows, in every crop
    /// pixel, exactly which image position the preprocessing sampled (bilinear interpolation of a linear
    /// ramp is exact). Keypoints placed in the crop must come back to those positions.
    /// </summary>
    public class GeometricRoundTripTests
    {
        private const int W = 256, H = 240;

        private static byte[] Ramp()
        {
            var d = new byte[W * H * 3];
            for (int y = 0; y < H; y++)
                for (int x = 0; x < W; x++)
                {
                    int o = (y * W + x) * 3;
                    d[o] = (byte)x;
                    d[o + 1] = (byte)y;
                    d[o + 2] = 128;
                }
            return d;
        }

        // Mean 0, std 1: the tensor holds byte / 255, so image positions read back directly.
        private static PoseModelInfo Info() => new() { InputWidth = 48, InputHeight = 64, Mean = new[] { 0f, 0f, 0f }, Std = new[] { 1f, 1f, 1f } };

        public static TheoryData<float, float, float, float, float> Boxes => new()
        {
            { 60, 50, 40, 120, 0 },      // tall
            { 30, 80, 150, 50, 0 },      // wide
            { -40, -30, 90, 100, 0 },    // hangs off the top-left
            { 200, 150, 120, 140, 0 },   // hangs off the bottom-right
            { 70, 60, 60, 90, 35 },      // rotated
            { 90, 40, 50, 150, -70 },    // rotated the other way
        };

        [Theory]
        [MemberData(nameof(Boxes))]
        public void Preprocessing_samples_exactly_where_the_inverse_affine_says(float x, float y, float w, float h, float rot)
        {
            var info = Info();
            var sampler = new CropSampler(info);
            var t = CropTransform.FromBox(new BoundingBox(x, y, w, h), info.InputWidth, info.InputHeight, rot);
            var crop = new float[sampler.CropLength];
            var flipped = new float[sampler.CropLength];
            sampler.Sample(new ImageView(Ramp(), W, H, 0, PixelFormat.Rgb24), t, crop, flipped);
            int plane = info.InputWidth * info.InputHeight, checkedPixels = 0;
            for (int v = 0; v < info.InputHeight; v++)
                for (int u = 0; u < info.InputWidth; u++)
                {
                    t.InputToImage(u, v, out float ix, out float iy);
                    int i = v * info.InputWidth + u;
                    if (ix >= 0 && iy >= 0 && ix <= W - 1 && iy <= H - 1)
                    {
                        Assert.InRange(Math.Abs(crop[i] * 255 - ix), 0, 0.01);
                        Assert.InRange(Math.Abs(crop[plane + i] * 255 - iy), 0, 0.01);
                        Assert.Equal(128f / 255, crop[2 * plane + i], 5);
                        checkedPixels++;
                    }
                    else if (ix < -1 || iy < -1 || ix > W || iy > H)
                    {
                        Assert.Equal(0f, crop[2 * plane + i]);   // black outside the image
                    }
                    // The mirrored crop holds the same sample in the mirrored column.
                    Assert.Equal(crop[i], flipped[v * info.InputWidth + info.InputWidth - 1 - u]);
                }
            Assert.True(checkedPixels > plane / 4, $"only {checkedPixels} crop pixels fell inside the image");
        }

        [Fact]
        public void Sampler_rejects_a_transform_for_another_input_size_and_short_buffers()
        {
            var sampler = new CropSampler(Info());
            var ramp = Ramp();
            var crop = new float[sampler.CropLength];
            var other = CropTransform.FromBox(new BoundingBox(10, 10, 50, 50), 192, 256);
            Assert.Equal("transform", Assert.Throws<ArgumentException>(() => sampler.Sample(new ImageView(ramp, W, H, 0, PixelFormat.Rgb24), other, crop)).ParamName);
            var t = CropTransform.FromBox(new BoundingBox(10, 10, 50, 50), 48, 64);
            Assert.Equal("destination", Assert.Throws<ArgumentException>(() => sampler.Sample(new ImageView(ramp, W, H, 0, PixelFormat.Rgb24), t, new float[10])).ParamName);
            Assert.Equal("flipped", Assert.Throws<ArgumentException>(() => sampler.Sample(new ImageView(ramp, W, H, 0, PixelFormat.Rgb24), t, crop, new float[10])).ParamName);
        }

        [Theory]
        [MemberData(nameof(Boxes))]
        public void Keypoints_placed_in_the_crop_come_back_to_the_image_positions_it_sampled(float x, float y, float w, float h, float rot)
        {
            // The network ignores its input and adds fixed heatmaps with one peak per keypoint at a known
            // heatmap pixel; the estimator's keypoint must land where the crop sampled that pixel.
            var info = Info();
            var m = new TestModel { Weights = new float[17 * 3], Bias = new float[17] };
            int hw = m.HeatmapWidth, hh = m.HeatmapHeight;
            var constant = new float[17 * hw * hh];
            var peaks = new (int X, int Y)[17];
            for (int k = 0; k < 17; k++)
            {
                peaks[k] = (1 + (k * 5) % (hw - 2), 1 + (k * 7) % (hh - 2));
                constant[k * hw * hh + peaks[k].Y * hw + peaks[k].X] = 0.5f + k * 0.01f;
            }
            m.AddConstant = constant;
            var o = new PoseEstimatorOptions { Provider = ExecutionProvider.Cpu, FlipTest = false };
            using var est = PoseEstimator.Load(m.Build(info), o);

            var box = new BoundingBox(x, y, w, h);
            var image = Ramp();
            var poses = new Pose[1];
            est.Estimate(new ImageView(image, W, H, 0, PixelFormat.Rgb24), new[] { box }, ReadOnlySpan<float>.Empty, poses, new[] { rot });

            var sampler = new CropSampler(info);
            var crop = new float[sampler.CropLength];
            var t = CropTransform.FromBox(box, info.InputWidth, info.InputHeight, rot);
            sampler.Sample(new ImageView(image, W, H, 0, PixelFormat.Rgb24), t, crop);
            int plane = info.InputWidth * info.InputHeight, inside = 0;
            for (int k = 0; k < 17; k++)
            {
                Assert.Equal(0.5f + k * 0.01f, poses[0][k].Score, 5);
                int i = peaks[k].Y * 4 * info.InputWidth + peaks[k].X * 4;
                float sx = crop[i] * 255, sy = crop[plane + i] * 255;
                t.InputToImage(peaks[k].X * 4, peaks[k].Y * 4, out float ix, out float iy);
                Assert.InRange(Math.Abs(poses[0][k].X - ix), 0, 0.01);
                Assert.InRange(Math.Abs(poses[0][k].Y - iy), 0, 0.01);
                if (ix >= 0 && iy >= 0 && ix <= W - 1 && iy <= H - 1)
                {
                    Assert.InRange(Math.Abs(poses[0][k].X - sx), 0, 0.01);
                    Assert.InRange(Math.Abs(poses[0][k].Y - sy), 0, 0.01);
                    inside++;
                }
            }
            Assert.True(inside >= 4, $"only {inside} keypoints inside the image");
        }
    }
}
