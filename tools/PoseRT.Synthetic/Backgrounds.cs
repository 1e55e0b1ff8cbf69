using System;
using System.Numerics;
using OpenCvSharp;
using PoseRT.Randomness;

namespace PoseRT.Synthetic
{
    /// <summary>Random scenery behind the people: gradients, smooth noise, tiles, clutter and limb-like distractors.</summary>
    internal static class Backgrounds
    {
        public static void Fill(Canvas canvas, SeededRandom rng, double d)
        {
            int w = canvas.Width, h = canvas.Height;
            byte[] px = canvas.Bgr;
            int kind = rng.Pick(stackalloc double[] { 1, 1, 1, 1 });
            Vector3 c1 = Fabric.RandomColour(rng), c2 = Fabric.RandomColour(rng), c3 = Fabric.RandomColour(rng);
            switch (kind)
            {
                case 0:
                {
                    // Linear gradient at a random angle.
                    float ang = rng.Uniform(0, 2 * Math.PI);
                    float ux = MathF.Cos(ang) / w, uy = MathF.Sin(ang) / h;
                    for (int y = 0; y < h; y++)
                    {
                        for (int x = 0; x < w; x++)
                        {
                            float t = Math.Clamp(0.5f + (x - w / 2f) * ux + (y - h / 2f) * uy, 0, 1);
                            Set(px, (y * w + x) * 3, Vector3.Lerp(c1, c2, t));
                        }
                    }
                    break;
                }
                case 1:
                {
                    // Wall and floor split at a horizon, each a vertical gradient, the floor with perspective lines.
                    int horizon = (int)(h * rng.Uniform(0.3, 0.75));
                    Vector3 c4 = c3 * rng.Uniform(0.5, 0.9);
                    for (int y = 0; y < h; y++)
                    {
                        for (int x = 0; x < w; x++)
                        {
                            Vector3 c = y < horizon ? Vector3.Lerp(c1, c2, y / (float)horizon) : Vector3.Lerp(c3, c4, (y - horizon) / (float)Math.Max(1, h - horizon));
                            Set(px, (y * w + x) * 3, c);
                        }
                    }
                    using var mat = Wrap(canvas);
                    int lines = rng.NextInt(0, 10);
                    var lc = ToScalar(c3 * 0.6f);
                    for (int i = 0; i < lines; i++)
                    {
                        int xb = rng.NextInt(-w, 2 * w);
                        Cv2.Line(mat, new Point(w / 2 + (xb - w / 2) / 8, horizon), new Point(xb, h), lc, 1, LineTypes.AntiAlias);
                    }
                    break;
                }
                case 2:
                {
                    // Smooth multi-octave noise between three colours.
                    uint seed = (uint)rng.NextULong();
                    float period = rng.Uniform(0.08, 0.4) * Math.Max(w, h);
                    for (int y = 0; y < h; y++)
                    {
                        for (int x = 0; x < w; x++)
                        {
                            float n = 0.6f * Fabric.ValueNoise(x / period, y / period, seed)
                                + 0.3f * Fabric.ValueNoise(x * 2.3f / period, y * 2.3f / period, seed + 1)
                                + 0.1f * Fabric.ValueNoise(x * 6f / period, y * 6f / period, seed + 2);
                            Set(px, (y * w + x) * 3, n < 0.5f ? Vector3.Lerp(c1, c2, n * 2) : Vector3.Lerp(c2, c3, n * 2 - 1));
                        }
                    }
                    break;
                }
                default:
                {
                    // Tiles or bricks.
                    int tw = rng.NextInt(8, Math.Max(9, w / 4)), th = rng.NextInt(6, Math.Max(7, h / 4));
                    bool brick = rng.Chance(0.5);
                    for (int y = 0; y < h; y++)
                    {
                        int row = y / th;
                        int shift = brick && (row & 1) == 1 ? tw / 2 : 0;
                        for (int x = 0; x < w; x++)
                        {
                            int col = (x + shift) / tw;
                            bool grout = (y % th) == 0 || ((x + shift) % tw) == 0;
                            float j = 0.85f + 0.3f * SeededRandom.Hash(col, row, 7);
                            Set(px, (y * w + x) * 3, grout ? c2 * 0.5f : c1 * j);
                        }
                    }
                    break;
                }
            }

            Clutter(canvas, rng, d);
        }

        private static void Clutter(Canvas canvas, SeededRandom rng, double d)
        {
            int w = canvas.Width, h = canvas.Height;
            int n = rng.NextInt(1, 3 + (int)(22 * d));
            using (var mat = Wrap(canvas))
            {
                for (int i = 0; i < n; i++)
                {
                    var col = ToScalar(Fabric.RandomColour(rng));
                    int thick = rng.Chance(0.6) ? -1 : rng.NextInt(1, 4);
                    var c = new Point(rng.NextInt(-w / 8, w + w / 8), rng.NextInt(-h / 8, h + h / 8));
                    int size = rng.NextInt(4, Math.Max(5, Math.Min(w, h) / 3));
                    switch (rng.NextInt(5))
                    {
                        case 0:
                            Cv2.Rectangle(mat, new Rect(c.X, c.Y, size, rng.NextInt(4, size + 5)), col, thick);
                            break;
                        case 1:
                            Cv2.Circle(mat, c, size / 2, col, thick, LineTypes.AntiAlias);
                            break;
                        case 2:
                            Cv2.Ellipse(mat, c, new Size(size / 2, rng.NextInt(2, size / 2 + 3)), rng.Uniform(0, 180), 0, 360, col, thick, LineTypes.AntiAlias);
                            break;
                        case 3:
                            Cv2.Line(mat, c, new Point(c.X + rng.NextInt(-size, size), c.Y + rng.NextInt(-size, size)), col, rng.NextInt(1, 5), LineTypes.AntiAlias);
                            break;
                        default:
                        {
                            int k = rng.NextInt(3, 6);
                            var pts = new Point[k];
                            for (int j = 0; j < k; j++) pts[j] = new Point(c.X + rng.NextInt(-size, size), c.Y + rng.NextInt(-size, size));
                            Cv2.FillPoly(mat, new[] { pts }, col, LineTypes.AntiAlias);
                            break;
                        }
                    }
                }
            }

            // Limb-like distractors (shaded capsules in skin and clothing colours) so that
            // "any cylinder is a limb" does not work; they are background (label 0).
            int limbs = rng.NextInt(0, (int)(8 * d));
            float refScale = 0.6f * h;
            for (int i = 0; i < limbs; i++)
            {
                var a = new Vector2(rng.Uniform(0, w), rng.Uniform(0, h));
                float ang = rng.Uniform(0, 2 * Math.PI), len = rng.Uniform(0.1, 0.3) * refScale;
                var b = a + len * new Vector2(MathF.Cos(ang), MathF.Sin(ang));
                float r = rng.Uniform(0.02, 0.06) * refScale;
                var look = rng.Chance(0.5) ? Fabric.Sample(rng, d) : null;
                canvas.FillCapsule(a, b, r, r * rng.Uniform(0.6, 1.0), look, Fabric.RandomColour(rng), 1.01f, len / refScale, refScale, 0);
            }
        }

        private static void Set(byte[] px, int o, Vector3 c)
        {
            px[o] = (byte)Math.Clamp(c.X, 0, 255);
            px[o + 1] = (byte)Math.Clamp(c.Y, 0, 255);
            px[o + 2] = (byte)Math.Clamp(c.Z, 0, 255);
        }

        private static Scalar ToScalar(Vector3 c) => new(c.X, c.Y, c.Z);

        /// <summary>An OpenCV view of the canvas pixels (pinned, no copy); dispose before the canvas is reused.</summary>
        public static Mat Wrap(Canvas canvas) => Mat.FromPixelData(canvas.Height, canvas.Width, MatType.CV_8UC3, canvas.Bgr);
    }
}
