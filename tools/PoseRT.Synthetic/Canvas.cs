using System;
using System.Collections.Generic;
using System.Numerics;

namespace PoseRT.Synthetic
{
    /// <summary>
    /// A BGR image plus a label map that records, per pixel, which person and body part was
    /// drawn last there (0 = background). Parts are drawn back to front (painter's order), so
    /// the label map is exactly what the camera sees and decides keypoint visibility.
    /// </summary>
    internal sealed class Canvas
    {
        /// <summary>Labels are <c>person * LabelStride + part + 1</c>.</summary>
        public const int LabelStride = 32;

        public readonly int Width, Height;
        public readonly byte[] Bgr;
        public readonly ushort[] Labels;
        public Vector3 Light = Vector3.Normalize(new Vector3(-0.4f, -0.5f, 0.8f));

        public Canvas(int width, int height)
        {
            Width = width;
            Height = height;
            Bgr = new byte[width * height * 3];
            Labels = new ushort[width * height];
        }

        private struct Item
        {
            public int Kind; // 0 capsule, 1 torso, 2 head
            public DrawnPart Part;
            public float Key;
            public int Order;
            public Vector2 A, B;
            public float Ra, Rb, Length;
            public Fabric? Cloth;
            public Vector3 Plain;
            public float ClothUntil;
        }

        private readonly List<Item> _items = new();

        /// <summary>Draws one figure's parts in depth order and labels them with <paramref name="slot"/>.</summary>
        public void DrawFigure(Figure f, int slot)
        {
            _items.Clear();
            var s = f.Shape;
            var look = f.Look;
            var P = f.Skeleton.P;
            var I = f.Image;
            float sc = f.ScaleAt(P[Extra.Neck].Z);

            float torsoZ = (P[Extra.Pelvis].Z + P[Extra.Neck].Z) / 2;
            Add(new Item { Kind = 1, Part = DrawnPart.Torso, Key = torsoZ });
            Add(Capsule(DrawnPart.Neck, I[Extra.Neck], I[Extra.HeadCenter], s.NeckR * sc, s.NeckR * sc, null, look.Skin, 0, P[Extra.Neck].Z + 0.002f, s.NeckLen));
            Add(new Item { Kind = 2, Part = DrawnPart.Head, Key = P[Extra.HeadCenter].Z + 0.06f });
            if (look.LongHair && !look.Hat)
            {
                Vector3 back = Vector3.Transform(new Vector3(0, 0, -s.HeadR * 0.45f), f.Skeleton.Head);
                Vector3 top = P[Extra.HeadCenter] + back;
                Vector3 bottom = top + Vector3.Normalize(P[Extra.Neck] - P[Extra.HeadCenter]) * (s.HeadR * 1.9f);
                float hs = f.ScaleAt(P[Extra.HeadCenter].Z);
                Add(Capsule(DrawnPart.Hair, f.ToImage(top), f.ToImage(bottom), s.HeadR * 0.95f * hs, s.HeadR * 0.8f * hs, null, look.Hair, 0, (top.Z + bottom.Z) / 2, s.HeadR * 2));
            }

            float sleeve = look.LongSleeves ? 1.01f : 0.55f;
            AddArm(f, 5, 7, 9, Extra.HandTipL, DrawnPart.UpperArmL, DrawnPart.ForearmL, DrawnPart.HandL, sleeve);
            AddArm(f, 6, 8, 10, Extra.HandTipR, DrawnPart.UpperArmR, DrawnPart.ForearmR, DrawnPart.HandR, sleeve);
            AddLeg(f, 11, 13, 15, Extra.ToeL, Extra.HeelL, DrawnPart.ThighL, DrawnPart.ShinL, DrawnPart.FootL);
            AddLeg(f, 12, 14, 16, Extra.ToeR, Extra.HeelR, DrawnPart.ThighR, DrawnPart.ShinR, DrawnPart.FootR);
            AddCarried(f, torsoZ);

            // Stable sort: equal depth keys keep insertion order so output never depends on the sort algorithm.
            _items.Sort((x, y) => x.Key != y.Key ? x.Key.CompareTo(y.Key) : x.Order.CompareTo(y.Order));
            ushort labelBase = (ushort)(slot * LabelStride + 1);
            foreach (var it in _items)
            {
                ushort label = (ushort)(labelBase + (int)it.Part);
                switch (it.Kind)
                {
                    case 0:
                        FillCapsule(it.A, it.B, it.Ra, it.Rb, it.Cloth, it.Plain, it.ClothUntil, it.Length, sc, label);
                        break;
                    case 1:
                        FillTorso(f, label);
                        break;
                    default:
                        FillHead(f, label);
                        break;
                }
            }
        }

        private void Add(Item it)
        {
            it.Order = _items.Count;
            _items.Add(it);
        }

        private static Item Capsule(DrawnPart part, Vector2 a, Vector2 b, float ra, float rb, Fabric? cloth, Vector3 plain, float clothUntil, float key, float length) => new()
        {
            Kind = 0, Part = part, A = a, B = b, Ra = ra, Rb = rb, Cloth = cloth, Plain = plain, ClothUntil = clothUntil, Key = key, Length = length,
        };

        private void AddArm(Figure f, int sh, int el, int wr, int tip, DrawnPart upper, DrawnPart fore, DrawnPart hand, float sleeve)
        {
            var s = f.Shape;
            var P = f.Skeleton.P;
            var I = f.Image;
            float sc = f.ScaleAt((P[sh].Z + P[wr].Z) / 2);
            Add(Capsule(upper, I[sh], I[el], s.UpperArmR0 * sc, s.UpperArmR1 * sc, f.Look.Shirt, f.Look.Skin, sleeve, (P[sh].Z + P[el].Z) / 2 + 0.015f, s.UpperArm));
            Add(Capsule(fore, I[el], I[wr], s.ForearmR0 * sc, s.ForearmR1 * sc, f.Look.Shirt, f.Look.Skin, f.Look.LongSleeves ? 1.01f : 0, (P[el].Z + P[wr].Z) / 2 + 0.02f, s.Forearm));
            Add(Capsule(hand, I[wr], I[tip], s.HandR * sc, s.HandR * 1.1f * sc, null, f.Look.Skin * 0.95f, 0, (P[wr].Z + P[tip].Z) / 2 + 0.025f, s.Hand));
        }

        private void AddLeg(Figure f, int hip, int knee, int ankle, int toe, int heel, DrawnPart thigh, DrawnPart shin, DrawnPart foot)
        {
            var s = f.Shape;
            var P = f.Skeleton.P;
            var I = f.Image;
            float sc = f.ScaleAt((P[hip].Z + P[ankle].Z) / 2);
            Add(Capsule(thigh, I[hip], I[knee], s.ThighR0 * sc, s.ThighR1 * sc, f.Look.Pants, f.Look.Skin, 1.01f, (P[hip].Z + P[knee].Z) / 2 - 0.03f, s.Thigh));
            Add(Capsule(shin, I[knee], I[ankle], s.ShinR0 * sc, s.ShinR1 * sc, f.Look.Pants, f.Look.Skin, f.Look.Shorts ? 0 : 1.01f, (P[knee].Z + P[ankle].Z) / 2, s.Shin));
            Add(Capsule(foot, I[heel], I[toe], s.FootR * 1.1f * sc, s.FootR * sc, null, f.Look.Shoes, 0, (P[heel].Z + P[toe].Z) / 2 + 0.005f, s.Foot));
        }

        /// <summary>
        /// A backpack behind the upper body (its straps over the shoulders when the chest faces the camera), a bag on one
        /// hip with its strap across the chest, or a bag hanging from one hand; all in depth order with the body, so they
        /// hide the joints behind them (those become v = 1).
        /// </summary>
        private void AddCarried(Figure f, float torsoZ)
        {
            var c = f.Carried;
            if (c.Kind == CarryKind.None) return;
            var s = f.Shape;
            var P = f.Skeleton.P;
            Vector3 up = Vector3.Normalize(P[Extra.Neck] - P[Extra.Pelvis]);
            bool chestToCamera = Vector3.Transform(Vector3.UnitZ, f.Skeleton.Upper).Z > 0;
            int shoulder = c.Left ? CocoKeypoints.LeftShoulder : CocoKeypoints.RightShoulder;
            int otherShoulder = c.Left ? CocoKeypoints.RightShoulder : CocoKeypoints.LeftShoulder;
            switch (c.Kind)
            {
                case CarryKind.Backpack:
                {
                    Vector3 back = Vector3.Transform(new Vector3(0, 0, -(s.ChestHalf * s.DepthRatio + 0.04f * c.Size)), f.Skeleton.Upper);
                    Vector3 centre = Vector3.Lerp(P[Extra.Neck], P[Extra.Pelvis], 0.42f) + back;
                    Vector3 top = centre + up * (0.09f * c.Size), bottom = centre - up * (0.09f * c.Size);
                    float r = 0.085f * c.Size * f.ScaleAt(centre.Z);
                    Add(Capsule(DrawnPart.Accessory, f.ToImage(top), f.ToImage(bottom), r, r * 1.05f, null, c.Colour, 0, centre.Z, 0.18f));
                    if (chestToCamera)
                    {
                        for (int k = CocoKeypoints.LeftShoulder; k <= CocoKeypoints.RightShoulder; k++)
                        {
                            Vector3 end = Vector3.Lerp(P[k], P[k + 6], 0.55f); // shoulder to same-side hip
                            AddStrap(f, P[k], end, c.Colour * 0.8f, torsoZ + 0.01f);
                        }
                    }
                    break;
                }
                case CarryKind.ShoulderBag:
                {
                    int hip = shoulder + 6;
                    Vector3 outward = Vector3.Normalize(P[hip] - P[hip == CocoKeypoints.LeftHip ? CocoKeypoints.RightHip : CocoKeypoints.LeftHip]);
                    Vector3 centre = P[hip] + outward * (s.HipsHalf - s.HipHalf + 0.035f) + up * 0.02f;
                    float r = 0.055f * c.Size * f.ScaleAt(centre.Z);
                    Add(Capsule(DrawnPart.Accessory, f.ToImage(centre + up * 0.035f), f.ToImage(centre - up * 0.045f), r, r, null, c.Colour, 0, centre.Z + 0.07f, 0.08f));
                    AddStrap(f, P[otherShoulder], centre + up * 0.06f, c.Colour * 0.75f, chestToCamera ? torsoZ + 0.015f : torsoZ - 0.015f);
                    break;
                }
                default:
                {
                    int wrist = shoulder + 4;
                    Vector3 down = new(0, 1, 0);
                    Vector3 a = P[wrist] + down * (0.05f * c.Size), b = P[wrist] + down * (0.13f * c.Size);
                    float r = 0.045f * c.Size * f.ScaleAt(P[wrist].Z);
                    Add(Capsule(DrawnPart.Accessory, f.ToImage(a), f.ToImage(b), r, r * 1.15f, null, c.Colour, 0, P[wrist].Z + 0.03f, 0.08f));
                    AddStrap(f, P[wrist], a, c.Colour * 0.7f, P[wrist].Z + 0.028f);
                    break;
                }
            }
        }

        private void AddStrap(Figure f, Vector3 from, Vector3 to, Vector3 colour, float key)
        {
            float r = 0.011f * f.ScaleAt((from.Z + to.Z) / 2);
            Add(Capsule(DrawnPart.Accessory, f.ToImage(from), f.ToImage(to), r, r, null, colour, 0, key, 0.1f));
        }

        private float Shade(Vector3 normal)
        {
            float d = Vector3.Dot(normal, Light);
            return 0.42f + 0.68f * MathF.Max(0, d);
        }

        private void Put(int idx, Vector3 bgr, float shade, ushort label)
        {
            int o = idx * 3;
            Bgr[o] = ToByte(bgr.X * shade);
            Bgr[o + 1] = ToByte(bgr.Y * shade);
            Bgr[o + 2] = ToByte(bgr.Z * shade);
            Labels[idx] = label;
        }

        private static byte ToByte(float v) => v <= 0 ? (byte)0 : v >= 255 ? (byte)255 : (byte)(v + 0.5f);

        /// <summary>
        /// A tapered capsule from a to b, shaded as a cylinder; <paramref name="label"/> 0 draws
        /// background clutter that does not count as a person.
        /// </summary>
        public void FillCapsule(Vector2 a, Vector2 b, float ra, float rb, Fabric? cloth, Vector3 plain, float clothUntil, float length, float scale, ushort label)
        {
            // At least about a pixel wide, so a joint at either end always lands on its own limb's pixels.
            ra = MathF.Max(ra, 0.75f);
            rb = MathF.Max(rb, 0.75f);
            float rmax = MathF.Max(ra, rb);
            int x0 = Math.Max(0, (int)MathF.Floor(MathF.Min(a.X, b.X) - rmax));
            int x1 = Math.Min(Width - 1, (int)MathF.Ceiling(MathF.Max(a.X, b.X) + rmax));
            int y0 = Math.Max(0, (int)MathF.Floor(MathF.Min(a.Y, b.Y) - rmax));
            int y1 = Math.Min(Height - 1, (int)MathF.Ceiling(MathF.Max(a.Y, b.Y) + rmax));
            Vector2 ab = b - a;
            float len2 = MathF.Max(ab.LengthSquared(), 1e-6f);
            float len = MathF.Sqrt(len2);
            Vector2 axis = ab / len;
            Vector2 perp = new(-axis.Y, axis.X);
            for (int y = y0; y <= y1; y++)
            {
                for (int x = x0; x <= x1; x++)
                {
                    Vector2 p = new(x - a.X, y - a.Y);
                    float t = Math.Clamp(Vector2.Dot(p, ab) / len2, 0, 1);
                    float r = ra + (rb - ra) * t;
                    Vector2 d = p - ab * t;
                    float dist2 = d.LengthSquared();
                    if (dist2 > r * r) continue;
                    float across = Vector2.Dot(p, perp) / MathF.Max(r, 0.5f);
                    across = Math.Clamp(across, -1, 1);
                    float alongRaw = Vector2.Dot(p, axis) / len;
                    // Cylinder normal: sideways across the limb, toward the camera in the middle.
                    float nz = MathF.Sqrt(MathF.Max(0, 1 - across * across));
                    var n = new Vector3(perp * across, nz);
                    if (dist2 > 0 && (alongRaw < 0 || alongRaw > 1))
                    {
                        // Rounded ends: a sphere normal.
                        float q = MathF.Sqrt(dist2) / MathF.Max(r, 0.5f);
                        Vector2 dn = d / MathF.Sqrt(dist2);
                        n = new Vector3(dn * q, MathF.Sqrt(MathF.Max(0, 1 - q * q)));
                    }
                    Vector3 colour = cloth != null && t < clothUntil
                        ? cloth.Sample(t * length, across * r / scale)
                        : plain;
                    Put(y * Width + x, colour, Shade(n), label);
                }
            }
        }

        /// <summary>Torso: a tapered body along the pelvis-neck axis whose widths follow the yaw of an elliptic cross-section.</summary>
        private void FillTorso(Figure f, ushort label)
        {
            var s = f.Shape;
            Vector2 pa = f.Image[Extra.Pelvis], pb = f.Image[Extra.Neck];
            float yaw = f.Pose.Yaw * MathF.PI / 180, yawUp = f.Skeleton.YawUpper * MathF.PI / 180;
            float torsoScale = f.ScaleAt((f.Skeleton.P[Extra.Pelvis].Z + f.Skeleton.P[Extra.Neck].Z) / 2);
            float W(float half, float angle) => torsoScale * half * MathF.Sqrt(MathF.Pow(MathF.Cos(angle), 2) + MathF.Pow(s.DepthRatio * MathF.Sin(angle), 2));
            float wHip = W(s.HipsHalf, yaw), wWaist = W(s.WaistHalf, (yaw + yawUp) / 2), wChest = W(s.ChestHalf, yawUp);
            Span<float> ts = stackalloc float[] { -0.12f, 0f, 0.45f, 0.78f, 0.93f, 1.04f };
            Span<float> ws = stackalloc float[] { 0.8f * wHip, wHip, wWaist, wChest, wChest, 0.45f * wChest };
            float wMax = MathF.Max(wHip, wChest);
            Vector2 ab = pb - pa;
            float len2 = MathF.Max(ab.LengthSquared(), 1e-3f);
            float len = MathF.Sqrt(len2);
            Vector2 axis = ab / len, perp = new(-axis.Y, axis.X);
            Vector2 lo = Vector2.Min(pa - ab * 0.12f, pb + ab * 0.04f) - new Vector2(wMax), hi = Vector2.Max(pa - ab * 0.12f, pb + ab * 0.04f) + new Vector2(wMax);
            int x0 = Math.Max(0, (int)MathF.Floor(lo.X)), x1 = Math.Min(Width - 1, (int)MathF.Ceiling(hi.X));
            int y0 = Math.Max(0, (int)MathF.Floor(lo.Y)), y1 = Math.Min(Height - 1, (int)MathF.Ceiling(hi.Y));
            for (int y = y0; y <= y1; y++)
            {
                for (int x = x0; x <= x1; x++)
                {
                    Vector2 p = new(x - pa.X, y - pa.Y);
                    float t = Vector2.Dot(p, ab) / len2;
                    if (t < ts[0] || t > ts[^1]) continue;
                    int k = 1;
                    while (k < ts.Length - 1 && t > ts[k]) k++;
                    float half = ws[k - 1] + (ws[k] - ws[k - 1]) * (t - ts[k - 1]) / (ts[k] - ts[k - 1]);
                    float across = Vector2.Dot(p, perp);
                    if (MathF.Abs(across) > half) continue;
                    float a = across / MathF.Max(half, 0.5f);
                    var n = new Vector3(perp * a, MathF.Sqrt(MathF.Max(0, 1 - a * a)));
                    float along = t * s.TorsoLen;
                    Vector3 colour;
                    if (t < 0.1f) colour = f.Look.Pants.Sample(along, across / torsoScale);
                    else if (t < 0.135f) colour = f.Look.Pants.A * 0.45f; // belt line
                    else colour = f.Look.Shirt.Sample(along, across / torsoScale);
                    Put(y * Width + x, colour, Shade(n), label);
                }
            }
        }

        /// <summary>Head: an ellipsoid with hair, eyes and mouth placed by the head's 3D rotation; ears and nose as small nubs.</summary>
        private void FillHead(Figure f, ushort label)
        {
            var s = f.Shape;
            var look = f.Look;
            const float Stretch = 1.12f;
            Vector2 c = f.Image[Extra.HeadCenter];
            float headScale = f.ScaleAt(f.Skeleton.P[Extra.HeadCenter].Z);
            float r = s.HeadR * headScale;
            Quaternion inv = Quaternion.Conjugate(f.Skeleton.Head);
            var faces = Skeleton3D.FaceDirections;
            Span<float> faceZ = stackalloc float[5];
            for (int k = CocoKeypoints.Nose; k <= CocoKeypoints.RightEar; k++) faceZ[k] = Vector3.Transform(faces[k], f.Skeleton.Head).Z;

            // Ears turned away from the camera peek out from behind the skull: draw them first.
            for (int k = CocoKeypoints.LeftEar; k <= CocoKeypoints.RightEar; k++)
            {
                if (faceZ[k] > -0.7f && faceZ[k] < 0.25f) Disc(f.Image[k], 0.27f * r, look.Skin * 0.88f, label);
            }

            Vector3 eyeL = faces[CocoKeypoints.LeftEye], eyeR = faces[CocoKeypoints.RightEye];
            Vector3 mouth = Vector3.Normalize(new Vector3(0, 0.55f, 0.84f));
            float rr = r * Stretch * 1.02f;
            int x0 = Math.Max(0, (int)MathF.Floor(c.X - rr)), x1 = Math.Min(Width - 1, (int)MathF.Ceiling(c.X + rr));
            int y0 = Math.Max(0, (int)MathF.Floor(c.Y - rr)), y1 = Math.Min(Height - 1, (int)MathF.Ceiling(c.Y + rr));
            // Pixel offsets to the figure frame (inverse roll and scale), hoisted out of the loop.
            float cr = MathF.Cos(f.Roll), sr = MathF.Sin(f.Roll);
            float inv0 = 1f / (headScale * s.HeadR), inv1 = 1f / (headScale * s.HeadR * Stretch);
            for (int y = y0; y <= y1; y++)
            {
                for (int x = x0; x <= x1; x++)
                {
                    float dx = x - c.X, dy = y - c.Y;
                    float nx = (cr * dx + sr * dy) * inv0, ny = (-sr * dx + cr * dy) * inv1;
                    float d2 = nx * nx + ny * ny;
                    if (d2 > 1) continue;
                    var nFig = new Vector3(nx, ny, MathF.Sqrt(1 - d2));
                    Vector3 local = Vector3.Transform(nFig, inv);
                    Vector3 colour = look.Skin;
                    bool hair = look.Hat
                        ? local.Y < -0.3f
                        : local.Y < look.HairLine || (local.Z < (look.LongHair ? 0.05f : -0.3f) && local.Y < (look.LongHair ? 0.9f : 0.35f) && look.HairLine > -0.9f);
                    if (hair) colour = look.Hair;
                    else if (Vector3.Dot(local, eyeL) > 0.988f || Vector3.Dot(local, eyeR) > 0.988f) colour = new Vector3(35, 30, 30);
                    else if (Vector3.Dot(local, mouth) > 0.985f) colour = new Vector3(70, 70, 150) * (look.Skin.Z / 255f + 0.3f);
                    // The head normal is in the figure frame; rotate it by the roll for the image-space light.
                    var n = new Vector3(cr * nFig.X - sr * nFig.Y, sr * nFig.X + cr * nFig.Y, nFig.Z);
                    Put(y * Width + x, colour, Shade(n), label);
                }
            }

            if (faceZ[CocoKeypoints.Nose] > -0.2f) Disc(f.Image[CocoKeypoints.Nose], 0.17f * r, look.Skin * 0.9f, label);
            for (int k = CocoKeypoints.LeftEar; k <= CocoKeypoints.RightEar; k++)
            {
                if (faceZ[k] >= 0.25f) Disc(f.Image[k], 0.25f * r, look.Skin * 0.85f, label);
            }
        }

        private void Disc(Vector2 c, float radius, Vector3 colour, ushort label)
        {
            radius = MathF.Max(radius, 0.75f);
            int x0 = Math.Max(0, (int)MathF.Floor(c.X - radius)), x1 = Math.Min(Width - 1, (int)MathF.Ceiling(c.X + radius));
            int y0 = Math.Max(0, (int)MathF.Floor(c.Y - radius)), y1 = Math.Min(Height - 1, (int)MathF.Ceiling(c.Y + radius));
            for (int y = y0; y <= y1; y++)
            {
                for (int x = x0; x <= x1; x++)
                {
                    float dx = (x - c.X) / radius, dy = (y - c.Y) / radius;
                    float d2 = dx * dx + dy * dy;
                    if (d2 > 1) continue;
                    Put(y * Width + x, colour, Shade(new Vector3(dx, dy, MathF.Sqrt(1 - d2))), label);
                }
            }
        }
    }
}
