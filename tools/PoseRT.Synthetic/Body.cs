using System;
using System.Numerics;
using PoseRT.Randomness;

namespace PoseRT.Synthetic
{
    /// <summary>The pieces a figure is drawn from (not the keypoint schema's <c>PoseRT.BodyPart</c> groups); the label map stores <c>person * PartCount + part + 1</c>.</summary>
    internal enum DrawnPart
    {
        Torso, Head, Neck, UpperArmL, UpperArmR, ForearmL, ForearmR, HandL, HandR,
        ThighL, ThighR, ShinL, ShinR, FootL, FootR, Hair, Accessory,
    }

    /// <summary>
    /// Segment lengths and radii of one figure in stature units (ankle to crown is about 1).
    /// Proportions follow the usual artist's canon (head about 1/7 of the height, legs about half).
    /// </summary>
    internal sealed class BodyShape
    {
        public float HeadR, NeckLen, TorsoLen, ShoulderHalf, HipHalf;
        public float UpperArm, Forearm, Hand, Thigh, Shin, Foot;
        public float UpperArmR0, UpperArmR1, ForearmR0, ForearmR1, HandR, ThighR0, ThighR1, ShinR0, ShinR1, FootR, NeckR;
        public float ChestHalf, WaistHalf, HipsHalf, DepthRatio;

        public static BodyShape Sample(SeededRandom rng)
        {
            float J() => rng.Uniform(0.92, 1.08);
            float build = rng.Uniform(0.8, 1.3);
            var s = new BodyShape
            {
                HeadR = 0.066f * rng.Uniform(0.9, 1.12),
                NeckLen = 0.035f * J(),
                TorsoLen = 0.30f * J(),
                ShoulderHalf = 0.105f * J(),
                HipHalf = 0.07f * J(),
                UpperArm = 0.17f * J(),
                Forearm = 0.15f * J(),
                Hand = 0.07f * J(),
                Thigh = 0.245f * J(),
                Shin = 0.24f * J(),
                Foot = 0.085f * J(),
            };
            s.UpperArmR0 = 0.040f * build;
            s.UpperArmR1 = 0.031f * build;
            s.ForearmR0 = 0.030f * build;
            s.ForearmR1 = 0.022f * build;
            s.HandR = 0.026f * Math.Min(build, 1.1f);
            s.ThighR0 = 0.064f * build;
            s.ThighR1 = 0.045f * build;
            s.ShinR0 = 0.043f * build;
            s.ShinR1 = 0.028f * build;
            s.FootR = 0.026f;
            s.NeckR = 0.03f * Math.Min(build, 1.15f);
            s.ChestHalf = s.ShoulderHalf + 0.018f * build;
            s.WaistHalf = (0.07f + 0.012f * rng.Uniform(0, 1)) * build;
            s.HipsHalf = s.HipHalf + 0.04f * build;
            s.DepthRatio = rng.Uniform(0.5, 0.7);
            return s;
        }

        /// <summary>
        /// Body types the build factor alone does not give (<see cref="SyntheticFeatures.Bodies"/>): a child (bigger head,
        /// shorter legs and arms), a heavier or a slimmer torso, broad shoulders. Lengths stay in stature units, so a child
        /// is as tall in the image as an adult of the same scale; the scene's size range covers the difference.
        /// </summary>
        public void Vary(SeededRandom rng)
        {
            double r = rng.NextDouble();
            if (r < 0.12)
            {
                float head = rng.Uniform(1.2, 1.45), limbs = rng.Uniform(0.82, 0.92);
                HeadR *= head;
                Thigh *= limbs;
                Shin *= limbs;
                UpperArm *= limbs;
                Forearm *= limbs;
                ShoulderHalf *= 0.88f;
                HipHalf *= 0.9f;
                ChestHalf *= 0.88f;
                HipsHalf *= 0.9f;
            }
            else if (r < 0.32)
            {
                float belly = rng.Uniform(1.15, 1.5);
                WaistHalf *= belly;
                HipsHalf *= MathF.Sqrt(belly);
                ChestHalf *= MathF.Sqrt(belly);
                DepthRatio = MathF.Min(0.95f, DepthRatio * belly);
                ThighR0 *= 1.12f;
            }
            else if (r < 0.47)
            {
                float slim = rng.Uniform(0.78, 0.9);
                WaistHalf *= slim;
                HipsHalf *= slim;
                ThighR0 *= slim;
                ThighR1 *= slim;
                UpperArmR0 *= slim;
                ForearmR0 *= slim;
            }
            else if (r < 0.6)
            {
                float broad = rng.Uniform(1.1, 1.22);
                ShoulderHalf *= broad;
                ChestHalf *= broad;
                UpperArmR0 *= 1.1f;
            }
        }
    }

    /// <summary>One arm's or leg's pose: elevation from hanging down, azimuth (0 forward, 90 outward, 180 back), bend and twist (degrees).</summary>
    internal struct LimbPose
    {
        public float Elevation, Azimuth, Bend, Twist;

        public LimbPose(float elevation, float azimuth, float bend, float twist = 0)
        {
            Elevation = elevation;
            Azimuth = azimuth;
            Bend = bend;
            Twist = twist;
        }
    }

    /// <summary>Joint angles of a figure (degrees); <see cref="Clamp"/> enforces the joint limits.</summary>
    internal sealed class BodyPose
    {
        public float Yaw, HeadYaw, HeadPitch, SpinePitch, SpineRoll, SpineTwist;
        public LimbPose ArmL, ArmR, LegL, LegR;

        public BodyPose Clone() => (BodyPose)MemberwiseClone();

        /// <summary>Keeps every joint inside a human range, whatever sampled it.</summary>
        public void Clamp()
        {
            HeadYaw = Math.Clamp(HeadYaw, -80, 80);
            HeadPitch = Math.Clamp(HeadPitch, -40, 40);
            SpinePitch = Math.Clamp(SpinePitch, -20, 55);
            SpineRoll = Math.Clamp(SpineRoll, -25, 25);
            SpineTwist = Math.Clamp(SpineTwist, -35, 35);
            ClampArm(ref ArmL);
            ClampArm(ref ArmR);
            ClampLeg(ref LegL);
            ClampLeg(ref LegR);
        }

        private static void ClampArm(ref LimbPose a)
        {
            a.Elevation = Math.Clamp(a.Elevation, 0, 175);
            a.Azimuth = Math.Clamp(a.Azimuth, -45, 180);
            // The shoulder cannot lift the arm far behind the body.
            if (a.Azimuth > 110) a.Elevation = Math.Min(a.Elevation, 60);
            a.Bend = Math.Clamp(a.Bend, 0, 150);
            a.Twist = Math.Clamp(a.Twist, -60, 100);
        }

        private static void ClampLeg(ref LimbPose l)
        {
            l.Azimuth = Math.Clamp(l.Azimuth, -25, 180);
            float max = l.Azimuth > 120 ? 35 : l.Azimuth > 60 ? 60 : 125;
            l.Elevation = Math.Clamp(l.Elevation, 0, max);
            l.Bend = Math.Clamp(l.Bend, 0, 145);
        }
    }

    /// <summary>Indices of the extra (non-COCO) points of a <see cref="Skeleton3D"/>.</summary>
    internal static class Extra
    {
        public const int Pelvis = 17, Neck = 18, HeadCenter = 19, HandTipL = 20, HandTipR = 21, ToeL = 22, ToeR = 23, HeelL = 24, HeelR = 25;
        public const int Count = 26;
    }

    /// <summary>
    /// Forward kinematics: joint positions in the camera frame (x right, y down, z toward the
    /// camera; stature units, orthographic), plus the head rotation for face shading.
    /// Body frame: +X is the person's left, +Y down, +Z the way the person faces.
    /// </summary>
    internal sealed class Skeleton3D
    {
        public readonly Vector3[] P = new Vector3[Extra.Count];
        public Quaternion Head;
        public Quaternion Upper;
        public float YawUpper;

        private static readonly Vector3[] FaceDirs = BuildFaceDirs();

        /// <summary>Unit directions of nose, eyes and ears in the head frame (index = COCO keypoint 0..4).</summary>
        public static ReadOnlySpan<Vector3> FaceDirections => FaceDirs;

        private static Vector3[] BuildFaceDirs() => new[]
        {
            Vector3.Normalize(new Vector3(0, 0.22f, 0.98f)),
            Vector3.Normalize(new Vector3(0.36f, -0.1f, 0.92f)),
            Vector3.Normalize(new Vector3(-0.36f, -0.1f, 0.92f)),
            Vector3.Normalize(new Vector3(1f, 0.05f, -0.12f)),
            Vector3.Normalize(new Vector3(-1f, 0.05f, -0.12f)),
        };

        private static float Rad(float deg) => deg * (MathF.PI / 180f);

        private static Vector3 Dir(float elevation, float azimuth, float side)
        {
            float e = Rad(elevation), a = Rad(azimuth);
            return new Vector3(side * MathF.Sin(e) * MathF.Sin(a), MathF.Cos(e), MathF.Sin(e) * MathF.Cos(a));
        }

        private static Vector3 Orthogonal(Vector3 preferred, Vector3 axis, Vector3 fallback)
        {
            Vector3 o = preferred - Vector3.Dot(preferred, axis) * axis;
            if (o.LengthSquared() < 0.04f) o = fallback - Vector3.Dot(fallback, axis) * axis;
            return Vector3.Normalize(o);
        }

        public void Compute(BodyShape s, BodyPose pose)
        {
            var yaw = Quaternion.CreateFromAxisAngle(Vector3.UnitY, Rad(pose.Yaw));
            // Forward lean moves the top of the spine toward +Z, which is a negative rotation about X here.
            var upperRel = Quaternion.CreateFromAxisAngle(Vector3.UnitY, Rad(pose.SpineTwist))
                * Quaternion.CreateFromAxisAngle(Vector3.UnitX, -Rad(pose.SpinePitch))
                * Quaternion.CreateFromAxisAngle(Vector3.UnitZ, Rad(pose.SpineRoll));
            var headRel = upperRel
                * Quaternion.CreateFromAxisAngle(Vector3.UnitY, Rad(pose.HeadYaw))
                * Quaternion.CreateFromAxisAngle(Vector3.UnitX, -Rad(pose.HeadPitch));
            Upper = yaw * upperRel;
            Head = yaw * headRel;
            YawUpper = pose.Yaw + pose.SpineTwist;

            Span<Vector3> b = stackalloc Vector3[Extra.Count];
            Vector3 up = Vector3.Transform(-Vector3.UnitY, upperRel);
            b[Extra.Pelvis] = Vector3.Zero;
            b[Extra.Neck] = up * s.TorsoLen;
            b[CocoKeypoints.LeftShoulder] = Vector3.Transform(new Vector3(s.ShoulderHalf, -s.TorsoLen * 0.93f, 0), upperRel);
            b[CocoKeypoints.RightShoulder] = Vector3.Transform(new Vector3(-s.ShoulderHalf, -s.TorsoLen * 0.93f, 0), upperRel);
            Vector3 head = b[Extra.Neck] + up * (s.NeckLen + s.HeadR * 1.0f);
            b[Extra.HeadCenter] = head;
            // The face keypoints (nose, eyes, ears) sit on the head sphere; the ears a little proud of it.
            for (int k = CocoKeypoints.Nose; k <= CocoKeypoints.RightEar; k++)
            {
                float reach = k >= CocoKeypoints.LeftEar ? 1.03f : 1.0f;
                b[k] = head + Vector3.Transform(FaceDirs[k] * (s.HeadR * reach), headRel);
            }

            Arm(s, pose.ArmL, +1, upperRel, b, CocoKeypoints.LeftShoulder, CocoKeypoints.LeftElbow, CocoKeypoints.LeftWrist, Extra.HandTipL);
            Arm(s, pose.ArmR, -1, upperRel, b, CocoKeypoints.RightShoulder, CocoKeypoints.RightElbow, CocoKeypoints.RightWrist, Extra.HandTipR);
            b[CocoKeypoints.LeftHip] = new Vector3(s.HipHalf, 0, 0);
            b[CocoKeypoints.RightHip] = new Vector3(-s.HipHalf, 0, 0);
            Leg(s, pose.LegL, +1, b, CocoKeypoints.LeftHip, CocoKeypoints.LeftKnee, CocoKeypoints.LeftAnkle, Extra.ToeL, Extra.HeelL);
            Leg(s, pose.LegR, -1, b, CocoKeypoints.RightHip, CocoKeypoints.RightKnee, CocoKeypoints.RightAnkle, Extra.ToeR, Extra.HeelR);

            for (int i = 0; i < Extra.Count; i++) P[i] = Vector3.Transform(b[i], yaw);
        }

        private static void Arm(BodyShape s, LimbPose a, float side, Quaternion upper, Span<Vector3> b, int sh, int el, int wr, int tip)
        {
            Vector3 u = Vector3.Transform(Dir(a.Elevation, a.Azimuth, side), upper);
            b[el] = b[sh] + u * s.UpperArm;
            // The elbow folds the forearm toward the front of the upper arm; twist turns that plane about the arm.
            Vector3 bend = Orthogonal(Vector3.Transform(new Vector3(0, -0.3f, 1), upper), u, Vector3.Transform(-Vector3.UnitY, upper));
            bend = Vector3.Transform(bend, Quaternion.CreateFromAxisAngle(u, Rad(a.Twist) * side));
            float k = Rad(a.Bend);
            Vector3 f = MathF.Cos(k) * u + MathF.Sin(k) * bend;
            b[wr] = b[el] + f * s.Forearm;
            float k2 = k + Rad(12);
            b[tip] = b[wr] + (MathF.Cos(k2) * u + MathF.Sin(k2) * bend) * s.Hand;
        }

        private static void Leg(BodyShape s, LimbPose l, float side, Span<Vector3> b, int hip, int knee, int ankle, int toe, int heel)
        {
            Vector3 t = Dir(l.Elevation, l.Azimuth, side);
            b[knee] = b[hip] + t * s.Thigh;
            Vector3 bend = Orthogonal(new Vector3(0, 0.3f, -1), t, Vector3.UnitY);
            float k = Rad(l.Bend);
            Vector3 shin = MathF.Cos(k) * t + MathF.Sin(k) * bend;
            b[ankle] = b[knee] + shin * s.Shin;
            Vector3 fwd = Orthogonal(Vector3.UnitZ, shin, -t);
            b[toe] = b[ankle] + fwd * s.Foot + shin * 0.025f;
            b[heel] = b[ankle] - fwd * (s.Foot * 0.3f) + shin * 0.025f;
        }
    }
}
