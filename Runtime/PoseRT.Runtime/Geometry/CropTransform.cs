using System;

namespace PoseRT.Runtime.Geometry
{
    /// <summary>
    /// The top-down crop geometry shared by training and inference (SimpleBaselines / HRNet
    /// <c>_box2cs</c> + <c>get_affine_transform</c>): a person box becomes a centre and a scale
    /// (in units of <see cref="PixelStd"/> pixels, aspect fixed to the network input, padded), and
    /// the centre/scale/rotation becomes a 2x3 similarity transform from image pixels to input
    /// pixels, with its exact inverse.
    /// </summary>
    /// <remarks>
    /// Conventions: pixel centres are at integer coordinates (OpenCV <c>warpAffine</c>); input pixel
    /// (u, v) samples the image at <see cref="InputToImage"/>(u, v). The box centre maps to
    /// (InputWidth / 2, InputHeight / 2) as in HRNet. Heatmap pixel (hx, hy) is input pixel
    /// (hx * stride, hy * stride), which is exactly what HRNet's heatmap-size transform gives.
    /// Only <see cref="ScaleX"/> sets the zoom (the aspect is the input's); HRNet does the same.
    /// A horizontal flip mirrors input columns (u -> InputWidth - 1 - u), the same mirror as
    /// reversing the columns of the unflipped crop, which is what the flip test feeds the network.
    /// Immutable: safe to share between threads.
    /// </remarks>
    internal readonly struct CropTransform
    {
        /// <summary>Pixels per unit of scale (HRNet's <c>pixel_std</c>).</summary>
        public const float PixelStd = 200f;

        /// <summary>Default box padding (HRNet's 1.25).</summary>
        public const float DefaultPadding = 1.25f;

        // Forward (image -> input) and inverse (input -> image) 2x3 matrices, in double so a round
        // trip is exact to far below the 0.01 px the tests demand, even for large images.
        private readonly double _a00, _a01, _a02, _a10, _a11, _a12;
        private readonly double _i00, _i01, _i02, _i10, _i11, _i12;

        /// <summary>Box centre x in image pixels.</summary>
        public float CenterX { get; }

        /// <summary>Box centre y in image pixels.</summary>
        public float CenterY { get; }

        /// <summary>Crop width in units of <see cref="PixelStd"/> (crop width in image pixels / 200).</summary>
        public float ScaleX { get; }

        /// <summary>Crop height in units of <see cref="PixelStd"/>; informational, <see cref="ScaleX"/> sets the zoom.</summary>
        public float ScaleY { get; }

        /// <summary>Rotation in degrees: the crop shows the image rotated by this angle about the centre (HRNet sign).</summary>
        public float RotationDegrees { get; }

        /// <summary>Network input width in pixels.</summary>
        public int InputWidth { get; }

        /// <summary>Network input height in pixels.</summary>
        public int InputHeight { get; }

        /// <summary>True when the crop is mirrored horizontally (input column u holds what column InputWidth - 1 - u would).</summary>
        public bool FlipHorizontal { get; }

        /// <summary>
        /// Builds the transform from a centre and a scale, as the trainer does after augmentation
        /// (multiply the scale, add a rotation, flip).
        /// </summary>
        /// <param name="centerX">Centre x in image pixels.</param>
        /// <param name="centerY">Centre y in image pixels.</param>
        /// <param name="scaleX">Crop width / <see cref="PixelStd"/>; must be positive.</param>
        /// <param name="scaleY">Crop height / <see cref="PixelStd"/> (kept for reference).</param>
        /// <param name="inputWidth">Network input width.</param>
        /// <param name="inputHeight">Network input height.</param>
        /// <param name="rotationDegrees">Rotation in degrees (HRNet sign convention).</param>
        /// <param name="flipHorizontal">Mirror the crop's columns.</param>
        public CropTransform(float centerX, float centerY, float scaleX, float scaleY, int inputWidth, int inputHeight,
            float rotationDegrees = 0f, bool flipHorizontal = false)
        {
            if (!(scaleX > 0) || float.IsInfinity(scaleX))
                throw new ArgumentOutOfRangeException(nameof(scaleX), scaleX, "Crop scale must be a positive finite number (is the box empty?).");
            if (inputWidth <= 0 || inputHeight <= 0)
                throw new ArgumentOutOfRangeException(nameof(inputWidth), $"Input size {inputWidth}x{inputHeight} must be positive.");
            if (float.IsNaN(centerX) || float.IsNaN(centerY) || float.IsInfinity(centerX) || float.IsInfinity(centerY))
                throw new ArgumentOutOfRangeException(nameof(centerX), $"Crop centre ({centerX}, {centerY}) must be finite.");
            if (float.IsNaN(rotationDegrees) || float.IsInfinity(rotationDegrees))
                throw new ArgumentOutOfRangeException(nameof(rotationDegrees), rotationDegrees, "Rotation must be finite.");

            CenterX = centerX;
            CenterY = centerY;
            ScaleX = scaleX;
            ScaleY = scaleY;
            RotationDegrees = rotationDegrees;
            InputWidth = inputWidth;
            InputHeight = inputHeight;
            FlipHorizontal = flipHorizontal;

            // HRNet maps src (c, c + R(rot)[0, -s/2]) to dst (d0, d0 + [0, -w/2]) with a right-angle third
            // point, i.e. the similarity  input = k * R(-rot) * (p - c) + d0,  k = w / s.
            double k = inputWidth / ((double)scaleX * PixelStd);
            double rad = Math.PI * rotationDegrees / 180.0;
            double cs = Math.Cos(rad), sn = Math.Sin(rad);
            double d0x = inputWidth * 0.5, d0y = inputHeight * 0.5;

            // R(-rot) = [[cs, sn], [-sn, cs]]
            double a00 = k * cs, a01 = k * sn, a10 = -k * sn, a11 = k * cs;
            double a02 = d0x - a00 * centerX - a01 * centerY;
            double a12 = d0y - a10 * centerX - a11 * centerY;
            if (flipHorizontal)
            {
                // u' = (W - 1) - u
                a00 = -a00;
                a01 = -a01;
                a02 = inputWidth - 1 - a02;
            }
            _a00 = a00; _a01 = a01; _a02 = a02; _a10 = a10; _a11 = a11; _a12 = a12;

            double det = a00 * a11 - a01 * a10;
            _i00 = a11 / det;
            _i01 = -a01 / det;
            _i10 = -a10 / det;
            _i11 = a00 / det;
            _i02 = -(_i00 * a02 + _i01 * a12);
            _i12 = -(_i10 * a02 + _i11 * a12);
        }

        /// <summary>
        /// HRNet's <c>_box2cs</c>: centre of the box, short side grown so width/height equals
        /// inputWidth/inputHeight, size divided by <see cref="PixelStd"/>, times <paramref name="padding"/>.
        /// </summary>
        public static void BoxToCenterScale(in BoundingBox box, int inputWidth, int inputHeight, float padding,
            out float centerX, out float centerY, out float scaleX, out float scaleY)
        {
            float aspect = inputWidth / (float)inputHeight;
            centerX = box.X + box.Width * 0.5f;
            centerY = box.Y + box.Height * 0.5f;
            float w = box.Width, h = box.Height;
            if (w > aspect * h) h = w / aspect;
            else if (w < aspect * h) w = h * aspect;
            scaleX = w / PixelStd * padding;
            scaleY = h / PixelStd * padding;
        }

        /// <summary>The crop for a person box (test protocol: aspect of the input, padding 1.25, pixel std 200).</summary>
        /// <exception cref="ArgumentOutOfRangeException">The box has no positive size or is not finite.</exception>
        public static CropTransform FromBox(in BoundingBox box, int inputWidth, int inputHeight,
            float rotationDegrees = 0f, float padding = DefaultPadding, bool flipHorizontal = false)
        {
            if (!(box.Width >= 0 && box.Height >= 0) || !(box.Width > 0 || box.Height > 0) || float.IsInfinity(box.Width) || float.IsInfinity(box.Height))
                throw new ArgumentOutOfRangeException(nameof(box), box, "Person box needs a non-negative, finite width and height, not both zero.");
            if (!(padding > 0))
                throw new ArgumentOutOfRangeException(nameof(padding), padding, "Box padding must be positive.");
            BoxToCenterScale(box, inputWidth, inputHeight, padding, out float cx, out float cy, out float sx, out float sy);
            return new CropTransform(cx, cy, sx, sy, inputWidth, inputHeight, rotationDegrees, flipHorizontal);
        }

        /// <summary>Maps an image point to input (crop) pixels.</summary>
        public void ImageToInput(float x, float y, out float u, out float v)
        {
            u = (float)(_a00 * x + _a01 * y + _a02);
            v = (float)(_a10 * x + _a11 * y + _a12);
        }

        /// <summary>Maps an input (crop) point back to image pixels (the inverse affine).</summary>
        public void InputToImage(float u, float v, out float x, out float y)
        {
            x = (float)(_i00 * u + _i01 * v + _i02);
            y = (float)(_i10 * u + _i11 * v + _i12);
        }

        /// <summary>
        /// Maps a heatmap point back to image pixels; heatmap (hx, hy) is input (hx * strideX, hy * strideY)
        /// with stride = input size / heatmap size.
        /// </summary>
        public void HeatmapToImage(float hx, float hy, float strideX, float strideY, out float x, out float y) =>
            InputToImage(hx * strideX, hy * strideY, out x, out y);

        /// <summary>The 2x3 image -> input matrix, row-major: [m00, m01, m02, m10, m11, m12] (cv2.warpAffine's M).</summary>
        public void GetForwardMatrix(Span<float> matrix6) => Write(matrix6, _a00, _a01, _a02, _a10, _a11, _a12);

        /// <summary>The 2x3 input -> image matrix, row-major: [m00, m01, m02, m10, m11, m12].</summary>
        public void GetInverseMatrix(Span<float> matrix6) => Write(matrix6, _i00, _i01, _i02, _i10, _i11, _i12);

        internal void GetInverse(out double i00, out double i01, out double i02, out double i10, out double i11, out double i12)
        {
            i00 = _i00; i01 = _i01; i02 = _i02; i10 = _i10; i11 = _i11; i12 = _i12;
        }

        private static void Write(Span<float> m, double a, double b, double c, double d, double e, double f)
        {
            if (m.Length < 6) throw new ArgumentException($"A 2x3 matrix needs 6 floats (got {m.Length}).", nameof(m));
            m[0] = (float)a; m[1] = (float)b; m[2] = (float)c; m[3] = (float)d; m[4] = (float)e; m[5] = (float)f;
        }

        /// <inheritdoc />
        public override string ToString() =>
            $"crop centre ({CenterX:F1}, {CenterY:F1}) scale ({ScaleX:F3}, {ScaleY:F3}) rot {RotationDegrees:F1} -> {InputWidth}x{InputHeight}{(FlipHorizontal ? " flipped" : "")}";
    }
}
