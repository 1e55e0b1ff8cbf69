using System;
using OpenCvSharp;
using PoseRT.Runtime;

namespace PoseRT.Vision
{
    /// <summary>The one bridge from an OpenCV <see cref="Mat"/> to the Runtime's <see cref="ImageView"/>.</summary>
    public static class MatImages
    {
        /// <summary>
        /// Views the pixels of <paramref name="mat"/> without copying: 8-bit 3-channel as <see cref="PixelFormat.Bgr24"/>
        /// (OpenCV's order), 4-channel as <see cref="PixelFormat.Bgra32"/>, 1-channel as <see cref="PixelFormat.Gray8"/>.
        /// A region of a larger Mat works too (its step becomes the view's stride). The view is valid while the Mat lives
        /// and is not reallocated.
        /// </summary>
        /// <exception cref="ArgumentNullException"><paramref name="mat"/> is null.</exception>
        /// <exception cref="ArgumentException">The Mat is empty or not 8-bit with 1, 3 or 4 channels (the message names its type).</exception>
        public static unsafe ImageView AsImageView(this Mat mat)
        {
            if (mat == null) throw new ArgumentNullException(nameof(mat));
            if (mat.Empty()) throw new ArgumentException("The image is empty (0 x 0): it did not decode, or the frame was never filled.", nameof(mat));
            MatType type = mat.Type();
            PixelFormat format;
            if (type == MatType.CV_8UC3) format = PixelFormat.Bgr24;
            else if (type == MatType.CV_8UC4) format = PixelFormat.Bgra32;
            else if (type == MatType.CV_8UC1) format = PixelFormat.Gray8;
            else throw new ArgumentException($"The image's type is {type}; PoseRT reads 8-bit images with 1, 3 (BGR) or 4 (BGRA) channels: convert it with Cv2.CvtColor or Mat.ConvertTo first.", nameof(mat));
            if (mat.Dims != 2) throw new ArgumentException($"The image has {mat.Dims} dimensions; an image has 2.", nameof(mat));
            long stride = mat.Step();
            long rowBytes = (long)mat.Cols * mat.ElemSize();
            long length = stride * (mat.Rows - 1) + rowBytes;
            if (stride < rowBytes || length > int.MaxValue)
                throw new ArgumentException($"The image ({mat.Cols} x {mat.Rows}, step {stride}) does not fit one span of bytes.", nameof(mat));
            var bytes = new ReadOnlySpan<byte>((void*)mat.Data, (int)length);
            return new ImageView(bytes, mat.Cols, mat.Rows, (int)stride, format);
        }
    }
}
