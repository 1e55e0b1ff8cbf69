using System;
using OpenCvSharp;
using PoseRT.Runtime;
using PoseRT.Runtime.Tracking;

namespace PoseRT.Vision
{
    /// <summary>
    /// Person detector on OpenCV's HOG + linear SVM people detector (Dalal and Triggs; the weights
    /// ship inside OpenCV, nothing to download). Used for the first frame and for lost tracks; later
    /// frames take their boxes from the previous poses. As an <see cref="IPersonDetector"/> it serves
    /// <see cref="PoseTracker"/> on any <see cref="ImageView"/> (converted to a top-down BGR image first).
    /// </summary>
    public sealed class HogPersonDetector : IPersonDetector, IDisposable
    {
        private readonly HOGDescriptor _hog;
        private readonly Mat _small = new Mat();
        private readonly Mat _bgr = new Mat();
        private readonly int _maxWidth;

        /// <summary>Creates the detector. Frames wider than <paramref name="maxWidth"/> are downscaled first (HOG cost grows with area).</summary>
        public HogPersonDetector(int maxWidth = 640)
        {
            if (maxWidth < 64) throw new ArgumentOutOfRangeException(nameof(maxWidth), maxWidth, "HOG's window is 64 pixels wide.");
            OpenCvNative.EnsureAvailable();
            _maxWidth = maxWidth;
            _hog = new HOGDescriptor();
            _hog.SetSVMDetector(HOGDescriptor.GetDefaultPeopleDetector());
        }

        /// <summary>SVM margin a window must exceed (OpenCV's hitThreshold); higher means fewer, surer boxes.</summary>
        public double HitThreshold { get; set; }

        /// <summary>
        /// Detects people in a BGR frame; writes up to <c>boxes.Length</c> boxes (image pixels) and
        /// their scores (SVM margin squashed to 0..1), highest score first, and returns the count.
        /// </summary>
        public int Detect(Mat frame, Span<BoundingBox> boxes, Span<float> scores)
        {
            if (frame == null || frame.Empty()) throw new ArgumentException("Empty frame.", nameof(frame));
            if (scores.Length < boxes.Length) throw new ArgumentException("scores must be at least as long as boxes.", nameof(scores));
            double factor = 1;
            Mat input = frame;
            if (frame.Width > _maxWidth)
            {
                factor = (double)frame.Width / _maxWidth;
                Cv2.Resize(frame, _small, new Size(_maxWidth, (int)Math.Round(frame.Height / factor)), 0, 0, InterpolationFlags.Area);
                input = _small;
            }
            Rect[] found = _hog.DetectMultiScale(input, out double[] weights, HitThreshold, new Size(8, 8), new Size(8, 8), 1.05, 2);
            int n = Math.Min(found.Length, boxes.Length);
            // Highest weight first: selection sort over a handful of boxes.
            Span<bool> used = found.Length <= 256 ? stackalloc bool[found.Length] : new bool[found.Length];
            for (int k = 0; k < n; k++)
            {
                int best = -1;
                for (int i = 0; i < found.Length; i++)
                {
                    if (!used[i] && (best < 0 || Weight(weights, i) > Weight(weights, best))) best = i;
                }
                used[best] = true;
                Rect r = found[best];
                boxes[k] = new BoundingBox((float)(r.X * factor), (float)(r.Y * factor), (float)(r.Width * factor), (float)(r.Height * factor));
                scores[k] = (float)(1 / (1 + Math.Exp(-Weight(weights, best))));
            }
            return n;
        }

        /// <summary>
        /// Detects people in any <see cref="ImageView"/>: the view is wrapped without a copy, converted to top-down BGR in a
        /// reused buffer when its format or row order differs, then detected as <see cref="Detect(Mat, Span{BoundingBox}, Span{float})"/>.
        /// Boxes are in image pixels, y down from the picture's top.
        /// </summary>
        public unsafe int Detect(in ImageView image, Span<BoundingBox> boxes, Span<float> scores)
        {
            if (image.Width <= 0 || image.Height <= 0) throw new ArgumentException("The image is empty.", nameof(image));
            MatType type = image.Format switch
            {
                PixelFormat.Gray8 => MatType.CV_8UC1,
                PixelFormat.Bgra32 or PixelFormat.Rgba32 => MatType.CV_8UC4,
                _ => MatType.CV_8UC3,
            };
            fixed (byte* data = image.Data)
            {
                using var view = Mat.FromPixelData(image.Height, image.Width, type, (IntPtr)data, image.Stride);
                Mat bgr = view;
                switch (image.Format)
                {
                    case PixelFormat.Rgb24: Cv2.CvtColor(view, _bgr, ColorConversionCodes.RGB2BGR); bgr = _bgr; break;
                    case PixelFormat.Rgba32: Cv2.CvtColor(view, _bgr, ColorConversionCodes.RGBA2BGR); bgr = _bgr; break;
                    case PixelFormat.Bgra32: Cv2.CvtColor(view, _bgr, ColorConversionCodes.BGRA2BGR); bgr = _bgr; break;
                    case PixelFormat.Gray8: Cv2.CvtColor(view, _bgr, ColorConversionCodes.GRAY2BGR); bgr = _bgr; break;
                }
                if (image.BottomUp)
                {
                    Cv2.Flip(bgr, _bgr, FlipMode.X);
                    bgr = _bgr;
                }
                return Detect(bgr, boxes, scores);
            }
        }

        private static double Weight(double[] weights, int i) => i < weights.Length ? weights[i] : 0;

        /// <inheritdoc />
        public void Dispose()
        {
            _hog.Dispose();
            _small.Dispose();
            _bgr.Dispose();
        }
    }
}
