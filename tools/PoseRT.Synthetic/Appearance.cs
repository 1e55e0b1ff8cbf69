using System;
using System.Numerics;
using PoseRT.Randomness;

namespace PoseRT.Synthetic
{
    /// <summary>Surface patterns of clothes.</summary>
    internal enum Pattern { Solid, StripesAcross, StripesAlong, Checker, Noise, Speckle }

    /// <summary>A two-colour textile evaluated in body-part coordinates (stature units), so patterns scale with the figure.</summary>
    internal sealed class Fabric
    {
        public Vector3 A, B; // BGR, 0..255
        public Pattern Pattern;
        public float Period;
        public uint Seed;

        public Vector3 Sample(float along, float across)
        {
            switch (Pattern)
            {
                case Pattern.StripesAcross:
                    return Frac(along / Period) < 0.5f ? A : B;
                case Pattern.StripesAlong:
                    return Frac(across / Period) < 0.5f ? A : B;
                case Pattern.Checker:
                    return ((int)MathF.Floor(along / Period) + (int)MathF.Floor(across / Period) & 1) == 0 ? A : B;
                case Pattern.Noise:
                    return Vector3.Lerp(A, B, ValueNoise(along / Period, across / Period, Seed));
                case Pattern.Speckle:
                    return SeededRandom.Hash((int)MathF.Floor(along / Period * 3), (int)MathF.Floor(across / Period * 3), Seed) > 0.75f ? B : A;
                default:
                    return A;
            }
        }

        private static float Frac(float x) => x - MathF.Floor(x);

        /// <summary>Smooth lattice noise in [0, 1].</summary>
        public static float ValueNoise(float x, float y, uint seed)
        {
            int ix = (int)MathF.Floor(x), iy = (int)MathF.Floor(y);
            float fx = x - ix, fy = y - iy;
            fx = fx * fx * (3 - 2 * fx);
            fy = fy * fy * (3 - 2 * fy);
            float a = SeededRandom.Hash(ix, iy, seed), b = SeededRandom.Hash(ix + 1, iy, seed);
            float c = SeededRandom.Hash(ix, iy + 1, seed), d = SeededRandom.Hash(ix + 1, iy + 1, seed);
            return (a + (b - a) * fx) * (1 - fy) + (c + (d - c) * fx) * fy;
        }

        public static Fabric Sample(SeededRandom rng, double difficulty)
        {
            var f = new Fabric
            {
                A = RandomColour(rng),
                Seed = (uint)rng.NextULong(),
                Period = rng.Uniform(0.02, 0.07),
            };
            f.Pattern = (Pattern)rng.Pick(stackalloc double[] { 3, 1, 1, 0.6, 1, 0.6 });
            f.B = rng.Chance(0.5) ? Vector3.Clamp(f.A * rng.Uniform(0.35, 0.7), Vector3.Zero, new Vector3(255)) : RandomColour(rng);
            if (rng.Chance(0.3 * difficulty)) f.Pattern = Pattern.Noise; // camouflage-like clothes are harder to segment
            return f;
        }

        /// <summary>A clothing colour: mostly muted tones, some saturated, some near-grey.</summary>
        public static Vector3 RandomColour(SeededRandom rng)
        {
            float h = rng.Uniform(0, 360);
            float s = rng.Chance(0.3) ? rng.Uniform(0, 0.15) : rng.Uniform(0.2, 0.95);
            float v = rng.Uniform(0.12, 0.97);
            return Hsv(h, s, v);
        }

        public static Vector3 Hsv(float h, float s, float v)
        {
            float c = v * s, x = c * (1 - MathF.Abs(h / 60f % 2 - 1)), m = v - c;
            float r, g, b;
            if (h < 60) (r, g, b) = (c, x, 0);
            else if (h < 120) (r, g, b) = (x, c, 0);
            else if (h < 180) (r, g, b) = (0, c, x);
            else if (h < 240) (r, g, b) = (0, x, c);
            else if (h < 300) (r, g, b) = (x, 0, c);
            else (r, g, b) = (c, 0, x);
            return new Vector3(b + m, g + m, r + m) * 255f;
        }
    }

    /// <summary>What a figure wears and looks like; fixed per person so a clip keeps identities.</summary>
    internal sealed class Appearance
    {
        private static readonly Vector3[] SkinTones =
        {
            new(189, 208, 241), new(160, 190, 232), new(125, 164, 214), new(96, 140, 198),
            new(70, 108, 164), new(52, 82, 128), new(38, 58, 92), new(147, 172, 224),
        };

        private static readonly Vector3[] HairColours =
        {
            new(20, 20, 25), new(30, 40, 60), new(40, 70, 110), new(80, 130, 180), new(170, 180, 190), new(60, 60, 70), new(30, 50, 130),
        };

        public Vector3 Skin, Hair, Shoes;
        public Fabric Shirt = null!, Pants = null!;
        public bool LongSleeves, Shorts, LongHair, Hat;
        public float HairLine;

        public static Appearance Sample(SeededRandom rng, double difficulty)
        {
            var a = new Appearance
            {
                Skin = SkinTones[rng.NextInt(SkinTones.Length)] * rng.Uniform(0.9, 1.08),
                Hair = HairColours[rng.NextInt(HairColours.Length)],
                Shoes = Fabric.RandomColour(rng) * 0.6f,
                Shirt = Fabric.Sample(rng, difficulty),
                Pants = Fabric.Sample(rng, difficulty),
                LongSleeves = rng.Chance(0.5),
                Shorts = rng.Chance(0.25),
                LongHair = rng.Chance(0.35),
                Hat = rng.Chance(0.12),
                HairLine = rng.Uniform(-0.55, -0.25),
            };
            a.Skin = Vector3.Clamp(a.Skin, Vector3.Zero, new Vector3(255));
            if (rng.Chance(0.1)) a.HairLine = -0.92f; // bald or shaved
            if (a.Hat) a.Hair = Fabric.RandomColour(rng);
            // Pants are usually darker and plainer than shirts.
            if (rng.Chance(0.6)) { a.Pants.A *= 0.6f; a.Pants.B *= 0.6f; }
            return a;
        }
    }

    /// <summary>What a figure carries (<see cref="SyntheticFeatures.Accessories"/>).</summary>
    internal enum CarryKind { None, Backpack, ShoulderBag, HandBag }

    /// <summary>A carried bag: kind, colour, side (for the shoulder and hand bags) and size relative to the usual one.</summary>
    internal struct Carried
    {
        public CarryKind Kind;
        public Vector3 Colour;
        public bool Left;
        public float Size;

        public static Carried Sample(SeededRandom rng) => new()
        {
            Kind = (CarryKind)rng.Pick(stackalloc double[] { 0.55, 0.18, 0.15, 0.12 }),
            Colour = Fabric.RandomColour(rng) * rng.Uniform(0.45, 0.9),
            Left = rng.Chance(0.5),
            Size = rng.Uniform(0.8, 1.25),
        };
    }
}
