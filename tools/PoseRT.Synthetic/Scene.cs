using System;
using System.Collections.Generic;
using System.Numerics;
using OpenCvSharp;
using PoseRT.Randomness;
using PoseRT.Runtime;

namespace PoseRT.Synthetic
{
    /// <summary>Builds and renders scenes; both the still images and the clips go through here.</summary>
    internal static class Scene
    {
        private const ulong StillStream = 1;
        private const ulong CameraStream = 4;

        // One stream per photographic feature, so switching one off changes no other feature's random choices.
        private const ulong BodiesStream = 5, AccessoriesStream = 6, PerspectiveStream = 7, ShadowsStream = 8, CameraLookStream = 9;

        /// <summary>Renders image <paramref name="index"/> of a data set; depends only on (options, index).</summary>
        public static SyntheticImage RenderStill(SyntheticOptions o, int index) => RenderStill(o, index, drawPeople: true);

        /// <summary>
        /// <paramref name="drawPeople"/> false renders the same image without its people (same
        /// background and camera effects), which tests use to see what the people changed.
        /// </summary>
        internal static SyntheticImage RenderStill(SyntheticOptions o, int index, bool drawPeople)
        {
            var rng = new SeededRandom(SeededRandom.Derive(o.Seed, index, StillStream));
            double d = o.Difficulty;
            var canvas = new Canvas(o.Width, o.Height);
            float la = rng.Uniform(0, 2 * Math.PI);
            canvas.Light = Vector3.Normalize(new Vector3(0.6f * MathF.Cos(la), 0.6f * MathF.Sin(la), 0.8f));
            Backgrounds.Fill(canvas, rng, d);

            var has = o.Features;
            SeededRandom Stream(ulong id) => new(SeededRandom.Derive(o.Seed, index, id));
            var bodies = Stream(BodiesStream);
            var carried = Stream(AccessoriesStream);
            var perspective = Stream(PerspectiveStream);
            int count = rng.NextInt(o.PeopleMin, o.PeopleMax);
            var figures = new List<Figure>(count);
            for (int i = 0; i < count; i++)
            {
                var f = new Figure(BodyShape.Sample(rng), Appearance.Sample(rng, d), PoseSampler.Sample(rng, d));
                if ((has & SyntheticFeatures.Bodies) != 0) f.Shape.Vary(bodies);
                if ((has & SyntheticFeatures.Accessories) != 0) f.Carried = Carried.Sample(carried);
                if ((has & SyntheticFeatures.Perspective) != 0) f.Depth = perspective.Uniform(2.5, 9);
                float frac = rng.Uniform(0.5 - 0.3 * d, 0.95);
                f.Scale = MathF.Max(24, frac * o.Height);
                f.Roll = RandomRoll(rng, d);
                f.Update();
                var (min, max) = f.Extent();
                // Extent of the rolled figure in pixels, to keep it (mostly) in the frame.
                float c = MathF.Abs(MathF.Cos(f.Roll)), s = MathF.Abs(MathF.Sin(f.Roll));
                float ew = ((max.X - min.X) * c + (max.Y - min.Y) * s) * f.Scale;
                float eh = ((max.X - min.X) * s + (max.Y - min.Y) * c) * f.Scale;
                Vector2 center;
                if (i > 0 && rng.Chance(0.1 + 0.5 * d))
                {
                    // Deliberate overlap with the previous person.
                    var prev = figures[i - 1];
                    Vector2 pc = prev.ToImage(new Vector3(prev.Skeleton.P[Extra.Neck].X, prev.Skeleton.P[Extra.Neck].Y, 0));
                    center = pc + new Vector2(rng.Uniform(-0.8, 0.8) * ew, rng.Uniform(-0.3, 0.3) * eh);
                }
                else
                {
                    bool outside = o.AllowPartiallyOutside && rng.Chance(0.1 + 0.25 * d);
                    float mx = outside ? -0.25f * ew : Math.Min(ew / 2, o.Width / 2f);
                    float my = outside ? -0.25f * eh : Math.Min(eh / 2, o.Height / 2f);
                    center = new Vector2(rng.Uniform(mx, o.Width - mx), rng.Uniform(my, o.Height - my));
                }
                f.PlaceCenter(center);
                if (rng.Chance(0.3 * d)) Camouflage(f, canvas, rng);
                figures.Add(f);
            }

            // Farther (smaller) people first: painter's order between people.
            figures.Sort((a, b) => a.Scale.CompareTo(b.Scale));
            if (!drawPeople) figures.Clear();
            if ((has & SyntheticFeatures.Shadows) != 0)
            {
                var shadows = Stream(ShadowsStream);
                foreach (var f in figures) Photo.CastShadow(canvas, f, shadows);
            }
            for (int i = 0; i < figures.Count; i++) canvas.DrawFigure(figures[i], i);
            var people = Annotate(canvas, figures, null);

            // Camera effects draw from their own stream so they do not depend on what was drawn.
            var camera = Stream(CameraStream);
            if ((has & SyntheticFeatures.Camera) != 0) Photo.CameraLook(canvas, Stream(CameraLookStream), d);
            PostProcess(canvas, camera, d);
            return new SyntheticImage(o.Width, o.Height, canvas.Bgr, people, canvas.Labels, JpegQuality(camera, d));
        }

        /// <summary>
        /// Dresses the figure in the colours of the background behind its torso, so that
        /// colour contrast alone does not find people (a hard case in real photos too).
        /// </summary>
        private static void Camouflage(Figure f, Canvas canvas, SeededRandom rng)
        {
            Vector2 c = (f.Image[Extra.Pelvis] + f.Image[Extra.Neck]) / 2;
            int x = Math.Clamp((int)c.X, 0, canvas.Width - 1), y = Math.Clamp((int)c.Y, 0, canvas.Height - 1);
            int o = (y * canvas.Width + x) * 3;
            var bg = new Vector3(canvas.Bgr[o], canvas.Bgr[o + 1], canvas.Bgr[o + 2]);
            var max = new Vector3(255);
            f.Look.Shirt.A = Vector3.Clamp(bg * rng.Uniform(0.85, 1.15), Vector3.Zero, max);
            f.Look.Pants.A = Vector3.Clamp(bg * rng.Uniform(0.6, 1.1), Vector3.Zero, max);
        }

        private static float RandomRoll(SeededRandom rng, double d)
        {
            float deg;
            double r = rng.NextDouble();
            if (r < 0.04 * d) deg = rng.Uniform(-180, 180);
            else if (r < 0.15 + 0.35 * d) deg = rng.Uniform(-(30 + 60 * d), 30 + 60 * d);
            else deg = rng.Normal(0, 6);
            return deg * MathF.PI / 180;
        }

        private static int JpegQuality(SeededRandom rng, double d) => rng.NextInt((int)(92 - 30 * d), 95);

        /// <summary>Visibility from the label map, then tight boxes and areas from each person's visible pixels.</summary>
        public static List<SyntheticPerson> Annotate(Canvas canvas, IReadOnlyList<Figure> figures, IReadOnlyList<int>? ids)
        {
            int w = canvas.Width, h = canvas.Height, n = figures.Count;
            var minX = new int[n]; var minY = new int[n]; var maxX = new int[n]; var maxY = new int[n]; var area = new int[n];
            Array.Fill(minX, int.MaxValue);
            Array.Fill(minY, int.MaxValue);
            Array.Fill(maxX, -1);
            Array.Fill(maxY, -1);
            ushort[] labels = canvas.Labels;
            for (int y = 0; y < h; y++)
            {
                for (int x = 0; x < w; x++)
                {
                    int l = labels[y * w + x];
                    if (l == 0) continue;
                    int p = (l - 1) / Canvas.LabelStride;
                    area[p]++;
                    if (x < minX[p]) minX[p] = x;
                    if (x > maxX[p]) maxX[p] = x;
                    if (y < minY[p]) minY[p] = y;
                    if (y > maxY[p]) maxY[p] = y;
                }
            }

            var people = new List<SyntheticPerson>(n);
            for (int i = 0; i < n; i++)
            {
                if (area[i] == 0) continue; // fully hidden or out of frame: not in this image
                var f = figures[i];
                var kps = new float[CocoKeypoints.Count * 3];
                int labelled = 0;
                                float bx0 = minX[i], by0 = minY[i], bx1 = maxX[i] + 1, by1 = maxY[i] + 1;
                for (int k = 0; k < CocoKeypoints.Count; k++)
                {
                    Vector2 p = f.Image[k];
                    if (!(p.X >= 0 && p.Y >= 0 && p.X <= w - 1 && p.Y <= h - 1)) continue; // v = 0, outside the image
                    int v = Visible(canvas, f, i, k, p) ? 2 : 1;
                    kps[3 * k] = (float)Math.Round(p.X, 2);
                    kps[3 * k + 1] = (float)Math.Round(p.Y, 2);
                    kps[3 * k + 2] = v;
                    labelled++;
                    bx0 = MathF.Min(bx0, MathF.Floor(p.X));
                    by0 = MathF.Min(by0, MathF.Floor(p.Y));
                    bx1 = MathF.Max(bx1, MathF.Floor(p.X) + 1);
                    by1 = MathF.Max(by1, MathF.Floor(p.Y) + 1);
                }
                var box = new BoundingBox(bx0, by0, bx1 - bx0, by1 - by0);
                people.Add(new SyntheticPerson(ids != null ? ids[i] : i, kps, labelled, box, area[i]));
            }
            return people;
        }

        /// <summary>
        /// A keypoint is visible (v = 2) when the pixel under it shows the person's own body part
        /// that carries the joint and, for parts with a back side, the joint faces the camera.
        /// </summary>
        private static bool Visible(Canvas canvas, Figure f, int slot, int k, Vector2 p)
        {
            int x = (int)MathF.Round(p.X), y = (int)MathF.Round(p.Y);
            x = Math.Clamp(x, 0, canvas.Width - 1);
            y = Math.Clamp(y, 0, canvas.Height - 1);
            int l = canvas.Labels[y * canvas.Width + x];
            if (l == 0 || (l - 1) / Canvas.LabelStride != slot) return false;
            var part = (DrawnPart)((l - 1) % Canvas.LabelStride);
            if (k <= CocoKeypoints.RightEar)
            {
                if (part != DrawnPart.Head) return false;
                float z = Vector3.Transform(Skeleton3D.FaceDirections[k], f.Skeleton.Head).Z;
                float threshold = k == CocoKeypoints.Nose ? -0.2f : k <= CocoKeypoints.RightEye ? 0.12f : -0.7f; // ears stick out, so they stay in view longer than eyes
                return z > threshold;
            }
            if (part == DrawnPart.Torso)
            {
                // Shoulders and hips on the far side of the torso are behind it. Depth is compared
                // with the torso's own depth at that level, so a leaning torso does not hide its front joints.
                var P = f.Skeleton.P;
                if (k is CocoKeypoints.LeftShoulder or CocoKeypoints.RightShoulder) return P[k].Z >= (P[CocoKeypoints.LeftShoulder].Z + P[CocoKeypoints.RightShoulder].Z) / 2 - 0.6f * f.Shape.ShoulderHalf;
                return k is CocoKeypoints.LeftHip or CocoKeypoints.RightHip && P[k].Z >= P[Extra.Pelvis].Z - 0.6f * f.Shape.HipHalf;
            }
            return k switch
            {
                CocoKeypoints.LeftShoulder => part == DrawnPart.UpperArmL,
                CocoKeypoints.RightShoulder => part == DrawnPart.UpperArmR,
                CocoKeypoints.LeftElbow => part is DrawnPart.UpperArmL or DrawnPart.ForearmL,
                CocoKeypoints.RightElbow => part is DrawnPart.UpperArmR or DrawnPart.ForearmR,
                CocoKeypoints.LeftWrist => part is DrawnPart.ForearmL or DrawnPart.HandL,
                CocoKeypoints.RightWrist => part is DrawnPart.ForearmR or DrawnPart.HandR,
                CocoKeypoints.LeftHip => part == DrawnPart.ThighL,
                CocoKeypoints.RightHip => part == DrawnPart.ThighR,
                CocoKeypoints.LeftKnee => part is DrawnPart.ThighL or DrawnPart.ShinL,
                CocoKeypoints.RightKnee => part is DrawnPart.ThighR or DrawnPart.ShinR,
                CocoKeypoints.LeftAnkle => part is DrawnPart.ShinL or DrawnPart.FootL,
                CocoKeypoints.RightAnkle => part is DrawnPart.ShinR or DrawnPart.FootR,
                _ => false,
            };
        }

        /// <summary>Camera effects: exposure, defocus/motion blur, sensor noise.</summary>
        public static void PostProcess(Canvas canvas, SeededRandom rng, double d)
        {
            byte[] px = canvas.Bgr;
            float contrast = rng.Uniform(0.75, 1.2), bright = rng.Uniform(-20, 20) * (float)(0.5 + d);
            float blur = rng.Chance(0.25 + 0.5 * d) ? rng.Uniform(0.4, 0.6 + 1.4 * d) : 0;
            float noise = rng.Uniform(1, 2 + 10 * d);
            if (blur > 0)
            {
                using var mat = Backgrounds.Wrap(canvas);
                Cv2.GaussianBlur(mat, mat, new Size(0, 0), blur);
            }
            AddNoise(px, rng, contrast, bright, noise);
        }

        /// <summary>Gain, offset and approximately Gaussian noise (sum of four uniforms) per channel.</summary>
        public static void AddNoise(byte[] px, SeededRandom rng, float contrast, float bright, float sigma)
        {
            // Four 16-bit uniforms summed have variance 4/12; scale to the wanted sigma.
            float k = sigma * MathF.Sqrt(3f) / 65535f;
            for (int i = 0; i < px.Length; i++)
            {
                ulong r = rng.NextULong();
                float sum = (r & 0xFFFF) + ((r >> 16) & 0xFFFF) + ((r >> 32) & 0xFFFF) + (r >> 48) - 2 * 65535f;
                float v = (px[i] - 128) * contrast + 128 + bright + sum * k;
                px[i] = v <= 0 ? (byte)0 : v >= 255 ? (byte)255 : (byte)(v + 0.5f);
            }
        }
    }
}
