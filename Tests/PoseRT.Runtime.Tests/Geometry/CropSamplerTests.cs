using System;
using PoseRT.Runtime;
using PoseRT.Runtime.Geometry;
using PoseRT.Runtime.Model;
using Xunit;

namespace PoseRT.Tests.Geometry
{
    /// <summary>
    /// The sampler's AVX2 path (eight interior pixels at a time) must write exactly the floats of its scalar path, for
    /// every pixel format, row order, stride and crop placement, including crops that touch the image's last row and
    /// column, where the vector path's 4-byte reads must hand over to the scalar one. (On a CPU without AVX2 both
    /// samplers take the scalar path and these tests compare it with itself.)
    /// </summary>
    public class CropSamplerTests
    {
        private static PoseModelInfo Info(int width, int height, ChannelOrder order) => new()
        {
            InputWidth = width, InputHeight = height, ChannelOrder = order,
            Mean = new[] { 0.485f, 0.456f, 0.406f }, Std = new[] { 0.229f, 0.224f, 0.225f },
        };

        public static TheoryData<PixelFormat, bool, int, ChannelOrder> Layouts()
        {
            var data = new TheoryData<PixelFormat, bool, int, ChannelOrder>();
            foreach (PixelFormat format in Enum.GetValues(typeof(PixelFormat)))
                foreach (bool bottomUp in new[] { false, true })
                    foreach (int padding in new[] { 0, 5 })
                        data.Add(format, bottomUp, padding, format == PixelFormat.Bgr24 ? ChannelOrder.Bgr : ChannelOrder.Rgb);
            return data;
        }

        [Theory]
        [MemberData(nameof(Layouts))]
        public void Vector_path_writes_the_scalar_paths_floats(PixelFormat format, bool bottomUp, int padding, ChannelOrder order)
        {
            // Odd sizes so that rows end in partial blocks and nothing lines up with eight.
            const int W = 203, H = 151;
            int bpp = ImageView.BytesPerPixel(format);
            int stride = W * bpp + padding;
            // The buffer ends exactly at the last pixel: a read past it would be a read past the caller's image.
            var pixels = new byte[stride * (H - 1) + W * bpp];
            new Random(7).NextBytes(pixels);
            var image = new ImageView(pixels, W, H, stride, format, bottomUp);
            var info = Info(48, 64, order);
            var vector = new CropSampler(info, vectorised: true);
            var scalar = new CropSampler(info, vectorised: false);
            var random = new Random(11);
            var boxes = new (BoundingBox Box, float Rotation)[]
            {
                (new BoundingBox(20, 15, 60, 110), 0),
                (new BoundingBox(W - 50, H - 90, 50, 90), 0),         // ends on the last column and row
                (new BoundingBox(W - 30, H - 40, 60, 80), 0),         // hangs off the bottom-right
                (new BoundingBox(-30, -20, 70, 90), 0),               // hangs off the top-left
                (new BoundingBox(40, 30, 100, 100), 30),              // rotated: x and y change along a row
                (new BoundingBox(60, 20, 120, 120), -135),
                (new BoundingBox(0, 0, W - 1, H - 1), 90),
                (new BoundingBox(100, 70, 3, 4), 0),                  // tiny: strong magnification, sub-pixel steps
            };
            foreach (var (box, rotation) in boxes)
                Compare(vector, scalar, image, CropTransform.FromBox(box, info.InputWidth, info.InputHeight, rotation), $"{box} rotated {rotation}");
            for (int i = 0; i < 20; i++)
            {
                var box = new BoundingBox((float)(random.NextDouble() * W - 20), (float)(random.NextDouble() * H - 20),
                    (float)(5 + random.NextDouble() * W), (float)(5 + random.NextDouble() * H));
                float rotation = (float)(random.NextDouble() * 360 - 180);
                Compare(vector, scalar, image, CropTransform.FromBox(box, info.InputWidth, info.InputHeight, rotation), $"random {i}: {box} rotated {rotation}");
            }
        }

        [Fact]
        public void A_gray_image_one_pixel_wider_than_the_vector_margin_is_sampled_the_same()
        {
            // Gray8 has the widest margin (a 4-byte read at one byte per pixel): images a few pixels wide sit on its edge.
            for (int width = 2; width <= 12; width++)
            {
                var pixels = new byte[width * 9];
                new Random(width).NextBytes(pixels);
                var image = new ImageView(pixels, width, 9, 0, PixelFormat.Gray8);
                var info = Info(16, 32, ChannelOrder.Rgb);
                var t = CropTransform.FromBox(new BoundingBox(0, 0, width, 9), info.InputWidth, info.InputHeight);
                Compare(new CropSampler(info, vectorised: true), new CropSampler(info, vectorised: false), image, t, $"width {width}");
            }
        }

        private static void Compare(CropSampler vector, CropSampler scalar, in ImageView image, in CropTransform t, string what)
        {
            int n = vector.CropLength;
            var a = new float[n];
            var af = new float[n];
            var b = new float[n];
            var bf = new float[n];
            var noFlip = new float[n];
            vector.Sample(image, t, a, af);
            scalar.Sample(image, t, b, bf);
            vector.Sample(image, t, noFlip);
            for (int i = 0; i < n; i++)
            {
                if (BitConverter.SingleToInt32Bits(a[i]) != BitConverter.SingleToInt32Bits(b[i]))
                    Assert.Fail($"{what}: crop float {i} is {a[i]:R} on the vector path, {b[i]:R} on the scalar one");
                if (BitConverter.SingleToInt32Bits(af[i]) != BitConverter.SingleToInt32Bits(bf[i]))
                    Assert.Fail($"{what}: mirrored float {i} is {af[i]:R} on the vector path, {bf[i]:R} on the scalar one");
                if (BitConverter.SingleToInt32Bits(noFlip[i]) != BitConverter.SingleToInt32Bits(a[i]))
                    Assert.Fail($"{what}: float {i} differs without the mirrored copy");
            }
        }
    }
}
