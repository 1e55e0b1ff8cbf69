using System;
using System.Numerics;

namespace PoseRT.Synthetic
{
    /// <summary>
    /// One person in a scene: body, clothes and pose, placed in the image by a similarity
    /// transform (scale in pixels per stature unit, in-plane roll, position of the pelvis).
    /// </summary>
    internal sealed class Figure
    {
        public readonly BodyShape Shape;
        public readonly Appearance Look;
        public BodyPose Pose;
        public float Scale = 100;
        public float Roll;
        public Vector2 Offset;

        /// <summary>Camera distance in stature units from the figure's pelvis plane; infinity is the orthographic camera.</summary>
        public float Depth = float.PositiveInfinity;

        /// <summary>Things carried (<see cref="SyntheticFeatures.Accessories"/>); none by default.</summary>
        public Carried Carried;
        public readonly Skeleton3D Skeleton = new();
        public readonly Vector2[] Image = new Vector2[Extra.Count];

        public Figure(BodyShape shape, Appearance look, BodyPose pose)
        {
            Shape = shape;
            Look = look;
            Pose = pose;
        }

        /// <summary>Runs the kinematics and projects every joint into the image.</summary>
        public void Update()
        {
            Pose.Clamp();
            Skeleton.Compute(Shape, Pose);
            for (int i = 0; i < Extra.Count; i++) Image[i] = ToImage(Skeleton.P[i]);
        }

        public Vector2 ToImage(Vector3 p)
        {
            float c = MathF.Cos(Roll), s = MathF.Sin(Roll);
            return Offset + ScaleAt(p.Z) * new Vector2(c * p.X - s * p.Y, s * p.X + c * p.Y);
        }

        /// <summary>Pixels per stature unit at depth <paramref name="z"/> (toward the camera is positive): a pinhole camera <see cref="Depth"/> away.</summary>
        public float ScaleAt(float z) => float.IsPositiveInfinity(Depth) ? Scale : Scale * Depth / MathF.Max(Depth - z, 0.5f * Depth);

        /// <summary>Extent of the figure in its own frame (stature units, before placement), head included.</summary>
        public (Vector2 Min, Vector2 Max) Extent()
        {
            var min = new Vector2(float.MaxValue);
            var max = new Vector2(float.MinValue);
            for (int i = 0; i < Extra.Count; i++)
            {
                var p = new Vector2(Skeleton.P[i].X, Skeleton.P[i].Y);
                min = Vector2.Min(min, p);
                max = Vector2.Max(max, p);
            }
            var h = new Vector2(Skeleton.P[Extra.HeadCenter].X, Skeleton.P[Extra.HeadCenter].Y);
            min = Vector2.Min(min, h - new Vector2(Shape.HeadR * 1.2f));
            max = Vector2.Max(max, h + new Vector2(Shape.HeadR * 1.2f));
            return (min, max);
        }

        /// <summary>Places the figure so its (rolled) extent is centred on <paramref name="center"/>.</summary>
        public void PlaceCenter(Vector2 center)
        {
            var (min, max) = Extent();
            Offset = Vector2.Zero;
            Vector2 mid = ToImage(new Vector3((min + max) / 2, 0));
            Offset = center - mid;
            Update();
        }
    }
}
