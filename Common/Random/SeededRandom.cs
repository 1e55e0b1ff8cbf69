using System;

namespace PoseRT.Randomness
{
    /// <summary>
    /// xoshiro256** seeded through SplitMix64. Our own generator (not System.Random) so a seed
    /// means the same stream on every .NET version and platform, which the byte-identical
    /// output promise depends on. It is the one place of the seeded-randomness maths: the synthetic
    /// generator draws from instances; the trainer's data pipeline (which draws from System.Random
    /// for its recorded augmentation streams) derives its seeds with <see cref="Mix"/> and its normal
    /// draws with <see cref="StandardNormal(double, double)"/>.
    /// Compiled as source into the assemblies that opt in (PoseRTUsesRandom, Directory.Build.targets).
    /// </summary>
    internal sealed class SeededRandom
    {
        private ulong _s0, _s1, _s2, _s3;

        public SeededRandom(ulong seed)
        {
            ulong x = seed;
            _s0 = SplitMix(ref x);
            _s1 = SplitMix(ref x);
            _s2 = SplitMix(ref x);
            _s3 = SplitMix(ref x);
        }

        /// <summary>A seed for an independent stream, e.g. one per image, so images can be made in any order or in parallel.</summary>
        public static ulong Derive(long seed, long index, ulong stream)
        {
            ulong x = unchecked((ulong)seed * 0x9E3779B97F4A7C15UL ^ (ulong)index * 0xD1B54A32D192ED03UL ^ stream * 0xABC98388FB8FAC03UL);
            SplitMix(ref x);
            return SplitMix(ref x);
        }

        private static ulong SplitMix(ref ulong x)
        {
            x = unchecked(x + 0x9E3779B97F4A7C15UL);
            return Mix(x);
        }

        /// <summary>SplitMix64's finaliser: a bijection of 64-bit values under which nearby inputs give unrelated outputs.</summary>
        public static ulong Mix(ulong z)
        {
            z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
            z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
            return z ^ (z >> 31);
        }

        public ulong NextULong()
        {
            ulong result = unchecked(RotL(_s1 * 5, 7) * 9);
            ulong t = _s1 << 17;
            _s2 ^= _s0;
            _s3 ^= _s1;
            _s1 ^= _s2;
            _s0 ^= _s3;
            _s2 ^= t;
            _s3 = RotL(_s3, 45);
            return result;
        }

        private static ulong RotL(ulong x, int k) => (x << k) | (x >> (64 - k));

        /// <summary>Uniform in [0, 1).</summary>
        public double NextDouble() => (NextULong() >> 11) * (1.0 / (1UL << 53));

        /// <summary>Uniform in [lo, hi).</summary>
        public float Uniform(double lo, double hi) => (float)(lo + (hi - lo) * NextDouble());

        /// <summary>Uniform integer in [0, n).</summary>
        public int NextInt(int n) => (int)((NextULong() >> 33) % (ulong)n);

        /// <summary>Uniform integer in [lo, hi] (inclusive).</summary>
        public int NextInt(int lo, int hi) => lo + NextInt(hi - lo + 1);

        public bool Chance(double p) => NextDouble() < p;

        /// <summary>Standard normal (Box-Muller; the second value is dropped to keep the stream simple).</summary>
        public float Normal() => (float)StandardNormal(NextDouble(), NextDouble());

        /// <summary>
        /// Box-Muller's standard normal from two uniform draws in [0, 1), given in the order they were drawn
        /// (C# evaluates arguments left to right, so <c>StandardNormal(r.NextDouble(), r.NextDouble())</c> is well defined).
        /// </summary>
        public static double StandardNormal(double first, double second) =>
            Math.Sqrt(-2.0 * Math.Log(1.0 - first)) * Math.Cos(2 * Math.PI * second);

        public float Normal(double mean, double sigma) => (float)(mean + sigma * Normal());

        /// <summary>Index drawn with the given (unnormalised) weights.</summary>
        public int Pick(ReadOnlySpan<double> weights)
        {
            double total = 0;
            foreach (double w in weights) total += w;
            double r = NextDouble() * total;
            for (int i = 0; i < weights.Length; i++)
            {
                r -= weights[i];
                if (r < 0) return i;
            }
            return weights.Length - 1;
        }

        /// <summary>A cheap 2D lattice hash in [0, 1), for textures that must not consume the stream per pixel.</summary>
        public static float Hash(int x, int y, uint seed)
        {
            uint h = unchecked((uint)x * 0x8DA6B343u ^ (uint)y * 0xD8163841u ^ seed * 0xCB1AB31Fu);
            h ^= h >> 15;
            h = unchecked(h * 0x2C1B3C6Du);
            h ^= h >> 12;
            h = unchecked(h * 0x297A2D39u);
            h ^= h >> 15;
            return (h >> 8) * (1f / (1 << 24));
        }
    }
}
