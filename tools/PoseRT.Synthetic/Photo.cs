using System;
using System.Numerics;
using OpenCvSharp;
using PoseRT.Randomness;

namespace PoseRT.Synthetic
{
    /// <summary>What makes a rendered scene look photographed: ground shadows and the camera's colour and optics.</summary>
    internal static class Photo
    {
        /// <summary>
        /// A soft elliptic shadow on the ground under an upright figure's feet, shifted away from the light
        /// (<see cref="SyntheticFeatures.Shadows"/>). Drawn before the people, so it only darkens the ground.
        /// </summary>
        public static void CastShadow(Canvas canvas, Figure f, SeededRandom rng)
        {
            float strength = rng.Uniform(0.25, 0.6), length = rng.Uniform(0.6, 1.4);
            if (MathF.Abs(f.Roll) > 35 * MathF.PI / 180) return; // lying or tilted figures: no single ground point
            var I = f.Image;
            ReadOnlySpan<int> feet = stackalloc int[] { Extra.ToeL, Extra.ToeR, Extra.HeelL, Extra.HeelR, 15, 16 };
            float ground = float.MinValue, left = float.MaxValue, right = float.MinValue;
            foreach (int k in feet)
            {
                ground = MathF.Max(ground, I[k].Y);
                left = MathF.Min(left, I[k].X);
                right = MathF.Max(right, I[k].X);
            }
            float a = MathF.Max((right - left) / 2 + 0.1f * f.Scale, 0.16f * f.Scale) * length;
            float b = 0.04f * f.Scale * (0.7f + 0.6f * length);
            float cx = (left + right) / 2 - canvas.Light.X * a * 0.7f, cy = ground + 0.3f * b;
            int x0 = Math.Max(0, (int)MathF.Floor(cx - a)), x1 = Math.Min(canvas.Width - 1, (int)MathF.Ceiling(cx + a));
            int y0 = Math.Max(0, (int)MathF.Floor(cy - b)), y1 = Math.Min(canvas.Height - 1, (int)MathF.Ceiling(cy + b));
            byte[] px = canvas.Bgr;
            for (int y = y0; y <= y1; y++)
            {
                for (int x = x0; x <= x1; x++)
                {
                    float u = (x - cx) / a, v = (y - cy) / b;
                    float rho = MathF.Sqrt(u * u + v * v);
                    if (rho >= 1) continue;
                    // Darkest under the feet, fading over the outer 40 % (a penumbra).
                    float t = Math.Clamp((rho - 0.6f) / 0.4f, 0, 1);
                    float keep = 1 - strength * (1 - t * t * (3 - 2 * t));
                    int o = (y * canvas.Width + x) * 3;
                    px[o] = (byte)(px[o] * keep);
                    px[o + 1] = (byte)(px[o + 1] * keep);
                    px[o + 2] = (byte)(px[o + 2] * keep);
                }
            }
        }

        /// <summary>
        /// White balance, a tone curve, vignetting and, sometimes, motion blur along one direction
        /// (<see cref="SyntheticFeatures.Camera"/>); before the sensor noise and JPEG of <see cref="Scene.PostProcess"/>.
        /// </summary>
        public static void CameraLook(Canvas canvas, SeededRandom rng, double difficulty)
        {
            float warm = rng.Normal(0, 0.07);
            Span<float> gain = stackalloc float[] { 1 - warm, 1 + rng.Normal(0, 0.02), 1 + warm };
            float gamma = rng.Uniform(0.8, 1.25);
            float vignette = rng.Chance(0.5) ? rng.Uniform(0.1, 0.4) : 0;
            bool motion = rng.Chance(0.15 + 0.2 * difficulty);
            int blurLength = rng.NextInt(3, 4 + (int)(6 * difficulty));
            float blurAngle = rng.Uniform(0, Math.PI);

            Span<byte> lut = stackalloc byte[3 * 256];
            for (int c = 0; c < 3; c++)
            {
                for (int i = 0; i < 256; i++)
                {
                    float v = 255 * MathF.Pow(i / 255f, gamma) * gain[c];
                    lut[c * 256 + i] = v >= 255 ? (byte)255 : (byte)(v + 0.5f);
                }
            }
            byte[] px = canvas.Bgr;
            int w = canvas.Width, h = canvas.Height;
            float cx = (w - 1) / 2f, cy = (h - 1) / 2f, inv = 1f / (cx * cx + cy * cy);
            for (int y = 0; y < h; y++)
            {
                float dy2 = (y - cy) * (y - cy);
                for (int x = 0; x < w; x++)
                {
                    float k = vignette > 0 ? 1 - vignette * ((x - cx) * (x - cx) + dy2) * inv : 1;
                    int o = (y * w + x) * 3;
                    px[o] = (byte)(lut[px[o]] * k);
                    px[o + 1] = (byte)(lut[256 + px[o + 1]] * k);
                    px[o + 2] = (byte)(lut[512 + px[o + 2]] * k);
                }
            }

            if (!motion) return;
            int size = blurLength | 1;
            using var kernel = new Mat(size, size, MatType.CV_32FC1, Scalar.All(0));
            float half = (size - 1) / 2f;
            var from = new Point((int)MathF.Round(half - half * MathF.Cos(blurAngle)), (int)MathF.Round(half - half * MathF.Sin(blurAngle)));
            var to = new Point((int)MathF.Round(half + half * MathF.Cos(blurAngle)), (int)MathF.Round(half + half * MathF.Sin(blurAngle)));
            Cv2.Line(kernel, from, to, Scalar.All(1), 1);
            double sum = Cv2.Sum(kernel).Val0;
            kernel.ConvertTo(kernel, MatType.CV_32FC1, 1 / sum);
            using var mat = Backgrounds.Wrap(canvas);
            using var copy = mat.Clone();
            Cv2.Filter2D(copy, mat, -1, kernel, borderType: BorderTypes.Reflect101);
        }
    }
}
