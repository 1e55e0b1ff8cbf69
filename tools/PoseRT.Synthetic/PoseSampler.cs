using System;
using PoseRT.Randomness;

namespace PoseRT.Synthetic
{
    /// <summary>Draws body poses: common everyday archetypes, widened toward anything the joint limits allow as difficulty rises.</summary>
    internal static class PoseSampler
    {
        public static BodyPose Sample(SeededRandom rng, double d)
        {
            var p = new BodyPose();
            // standing, walking, running, arms up / waving, T / star, sitting-crouching, kicking, free
            int kind = rng.Pick(stackalloc double[] { 3, 3, 1.5, 1.5, 1, 1 + d, 0.5 + d, 3 * d });
            switch (kind)
            {
                case 0:
                    p.ArmL = new LimbPose(rng.Uniform(3, 30), rng.Uniform(20, 100), rng.Uniform(0, 40), rng.Uniform(-20, 30));
                    p.ArmR = new LimbPose(rng.Uniform(3, 30), rng.Uniform(20, 100), rng.Uniform(0, 40), rng.Uniform(-20, 30));
                    p.LegL = new LimbPose(rng.Uniform(0, 12), rng.Uniform(0, 90), rng.Uniform(0, 12));
                    p.LegR = new LimbPose(rng.Uniform(0, 12), rng.Uniform(0, 90), rng.Uniform(0, 12));
                    if (rng.Chance(0.3)) p.ArmL = new LimbPose(rng.Uniform(10, 50), rng.Uniform(-30, 40), rng.Uniform(60, 130), rng.Uniform(-20, 40)); // hand at chest/phone
                    break;
                case 1:
                    Walk(p, rng.Uniform(0, 2 * MathF.PI), rng.Uniform(0.6, 1.0));
                    break;
                case 2:
                    Walk(p, rng.Uniform(0, 2 * MathF.PI), rng.Uniform(1.5, 2.2));
                    p.SpinePitch = rng.Uniform(5, 20);
                    break;
                case 3:
                    p.ArmL = new LimbPose(rng.Uniform(100, 175), rng.Uniform(20, 110), rng.Uniform(0, 90), rng.Uniform(0, 90));
                    p.ArmR = rng.Chance(0.5)
                        ? new LimbPose(rng.Uniform(100, 175), rng.Uniform(20, 110), rng.Uniform(0, 90), rng.Uniform(0, 90))
                        : new LimbPose(rng.Uniform(3, 30), rng.Uniform(40, 100), rng.Uniform(0, 30));
                    p.LegL = new LimbPose(rng.Uniform(0, 15), rng.Uniform(0, 90), rng.Uniform(0, 15));
                    p.LegR = new LimbPose(rng.Uniform(0, 15), rng.Uniform(0, 90), rng.Uniform(0, 15));
                    if (rng.Chance(0.5)) (p.ArmL, p.ArmR) = (p.ArmR, p.ArmL);
                    break;
                case 4:
                    p.ArmL = new LimbPose(rng.Uniform(60, 150), rng.Uniform(70, 100), rng.Uniform(0, 40), rng.Uniform(-10, 60));
                    p.ArmR = new LimbPose(rng.Uniform(60, 150), rng.Uniform(70, 100), rng.Uniform(0, 40), rng.Uniform(-10, 60));
                    p.LegL = new LimbPose(rng.Uniform(10, 40), rng.Uniform(80, 95), rng.Uniform(0, 20));
                    p.LegR = new LimbPose(rng.Uniform(10, 40), rng.Uniform(80, 95), rng.Uniform(0, 20));
                    break;
                case 5:
                    p.LegL = new LimbPose(rng.Uniform(60, 110), rng.Uniform(-5, 35), rng.Uniform(60, 135));
                    p.LegR = new LimbPose(rng.Uniform(60, 110), rng.Uniform(-5, 35), rng.Uniform(60, 135));
                    p.ArmL = new LimbPose(rng.Uniform(10, 80), rng.Uniform(-20, 60), rng.Uniform(10, 120), rng.Uniform(-20, 40));
                    p.ArmR = new LimbPose(rng.Uniform(10, 80), rng.Uniform(-20, 60), rng.Uniform(10, 120), rng.Uniform(-20, 40));
                    p.SpinePitch = rng.Uniform(0, 35);
                    break;
                case 6:
                    p.LegL = new LimbPose(rng.Uniform(50, 110), rng.Uniform(-10, 60), rng.Uniform(0, 50));
                    p.LegR = new LimbPose(rng.Uniform(0, 20), rng.Uniform(150, 180), rng.Uniform(0, 30));
                    p.ArmL = new LimbPose(rng.Uniform(30, 100), rng.Uniform(40, 120), rng.Uniform(0, 90));
                    p.ArmR = new LimbPose(rng.Uniform(30, 100), rng.Uniform(40, 120), rng.Uniform(0, 90));
                    if (rng.Chance(0.5)) (p.LegL, p.LegR) = (p.LegR, p.LegL);
                    break;
                default:
                    p.ArmL = new LimbPose(rng.Uniform(0, 175), rng.Uniform(-45, 150), rng.Uniform(0, 150), rng.Uniform(-60, 100));
                    p.ArmR = new LimbPose(rng.Uniform(0, 175), rng.Uniform(-45, 150), rng.Uniform(0, 150), rng.Uniform(-60, 100));
                    p.LegL = new LimbPose(rng.Uniform(0, 120), rng.Uniform(-25, 180), rng.Uniform(0, 145));
                    p.LegR = new LimbPose(rng.Uniform(0, 120), rng.Uniform(-25, 180), rng.Uniform(0, 145));
                    p.SpinePitch = rng.Uniform(-15, 50);
                    break;
            }

            // Facing: mostly toward the camera when easy, any direction when hard.
            int facing = rng.Pick(stackalloc double[] { 0.75 - 0.45 * d, 0.15, 0.1 + 0.4 * d });
            p.Yaw = facing switch
            {
                0 => rng.Normal(0, 25),
                1 => (rng.Chance(0.5) ? 90 : -90) + rng.Normal(0, 20),
                _ => rng.Uniform(-180, 180),
            };
            p.HeadYaw = rng.Normal(0, 15 + 15 * d);
            p.HeadPitch = rng.Normal(0, 8 + 8 * d);
            p.SpinePitch += rng.Normal(0, 4 + 6 * d);
            p.SpineRoll = rng.Normal(0, 3 + 6 * d);
            p.SpineTwist = rng.Normal(0, 5 + 10 * d);
            p.Clamp();
            return p;
        }

        /// <summary>
        /// A walking or running cycle at phase <paramref name="phase"/> (radians):
        /// legs swing opposite each other, arms opposite their legs, the knee folds in the swing phase.
        /// </summary>
        public static void Walk(BodyPose p, float phase, float stride)
        {
            p.LegL = Swing(25 * stride * MathF.Sin(phase), 5 + 45 * stride * Fold(phase));
            p.LegR = Swing(25 * stride * MathF.Sin(phase + MathF.PI), 5 + 45 * stride * Fold(phase + MathF.PI));
            var armL = Swing(20 * stride * MathF.Sin(phase + MathF.PI), 0);
            var armR = Swing(20 * stride * MathF.Sin(phase), 0);
            float elbow = stride > 1.3f ? 85 : 12;
            p.ArmL = new LimbPose(armL.Elevation + 4, armL.Azimuth > 90 ? 170 : 10, elbow + 12 * stride * (1 + MathF.Sin(phase + MathF.PI)));
            p.ArmR = new LimbPose(armR.Elevation + 4, armR.Azimuth > 90 ? 170 : 10, elbow + 12 * stride * (1 + MathF.Sin(phase)));
        }

        // Knee fold: large just after the foot leaves the ground (phase past the back-most point).
        private static float Fold(float phase)
        {
            float v = MathF.Sin(phase + 1.3f);
            return v > 0 ? v * v : 0;
        }

        /// <summary>A signed swing angle (forward positive) as elevation/azimuth, continuous through hanging straight down.</summary>
        private static LimbPose Swing(float angle, float bend) =>
            angle >= 0 ? new LimbPose(angle, 0, bend) : new LimbPose(-angle, 180, bend);
    }
}
