using System;
using OpenCvSharp;
using PoseRT.Runtime;
using PoseRT.Vision;
using Xunit;

namespace PoseRT.Runtime.Tests.Vision
{
    public class MatImagesTests
    {
        [Fact]
        public void A_bgr_mat_is_viewed_in_place_with_its_size_stride_and_format()
        {
            using var mat = new Mat(5, 7, MatType.CV_8UC3);
            for (int y = 0; y < 5; y++)
                for (int x = 0; x < 7; x++)
                    mat.Set(y, x, new Vec3b((byte)x, (byte)y, (byte)(x + 10 * y)));
            var view = mat.AsImageView();
            Assert.Equal(7, view.Width);
            Assert.Equal(5, view.Height);
            Assert.Equal(21, view.Stride);
            Assert.Equal(PixelFormat.Bgr24, view.Format);
            Assert.False(view.BottomUp);
            Assert.Equal((byte)(3 + 10 * 4), view.Data[4 * 21 + 3 * 3 + 2]);
        }

        [Fact]
        public void A_region_of_a_larger_mat_keeps_the_parents_step_and_its_own_first_pixel()
        {
            using var parent = new Mat(10, 12, MatType.CV_8UC3, Scalar.All(0));
            parent.Set(3, 4, new Vec3b(11, 22, 33));
            parent.Set(6, 9, new Vec3b(44, 55, 66));
            using var roi = new Mat(parent, new Rect(4, 3, 6, 4));
            Assert.False(roi.IsContinuous());
            var view = roi.AsImageView();
            Assert.Equal(6, view.Width);
            Assert.Equal(4, view.Height);
            Assert.Equal(36, view.Stride);
            Assert.Equal(11, view.Data[0]);
            Assert.Equal(66, view.Data[3 * 36 + 5 * 3 + 2]);
            // The span ends at the region's last pixel, not at the parent's last row.
            Assert.Equal(3 * 36 + 6 * 3, view.Data.Length);
        }

        [Theory]
        [InlineData(4, PixelFormat.Bgra32)]
        [InlineData(1, PixelFormat.Gray8)]
        public void Four_and_one_channel_mats_map_to_their_formats(int channels, PixelFormat expected)
        {
            using var mat = new Mat(2, 3, MatType.CV_8UC(channels), Scalar.All(7));
            Assert.Equal(expected, mat.AsImageView().Format);
        }

        [Fact]
        public void Unsupported_and_empty_mats_get_an_error_that_names_the_problem()
        {
            using var floats = new Mat(2, 2, MatType.CV_32FC3);
            var e = Assert.Throws<ArgumentException>(() => floats.AsImageView());
            Assert.Contains("CV_32FC3", e.Message);
            using var empty = new Mat();
            Assert.Contains("empty", Assert.Throws<ArgumentException>(() => empty.AsImageView()).Message);
            Assert.Throws<ArgumentNullException>(() => ((Mat)null!).AsImageView());
        }
    }
}
