using System;
using PoseRT.Randomness;

namespace PoseRT.Trainer.Data
{
    /// <summary>
    /// Counter-based randomness for the data pipeline: the order of an epoch and the augmentation of a
    /// sample are pure functions of (seed, epoch, index). A resumed run therefore needs no saved data RNG
    /// state beyond the seed and its position, and parallel workers cannot change the result.
    /// </summary>
    public static class SampleRandom
    {
        /// <summary>The shuffled sample order of one epoch (Fisher-Yates under a seed derived from the run seed and epoch).</summary>
        public static int[] EpochOrder(long seed, int epoch, int count)
        {
            var order = new int[count];
            for (int i = 0; i < count; i++) order[i] = i;
            var rng = new Random(DeriveSeed(seed, epoch, -1));
            for (int i = count - 1; i > 0; i--)
            {
                int j = rng.Next(i + 1);
                (order[i], order[j]) = (order[j], order[i]);
            }
            return order;
        }

        /// <summary>The random source for sample <paramref name="index"/> in <paramref name="epoch"/>.</summary>
        public static Random ForSample(long seed, int epoch, int index) => new Random(DeriveSeed(seed, epoch, index));

        /// <summary>Mixes the three numbers into a 31-bit seed (SplitMix64 finaliser, so nearby inputs give unrelated seeds).</summary>
        public static int DeriveSeed(long seed, int epoch, int index)
        {
            ulong z = unchecked((ulong)seed * 0x9E3779B97F4A7C15UL + (ulong)(uint)epoch * 0xBF58476D1CE4E5B9UL + (ulong)(uint)index * 0x94D049BB133111EBUL);
            return (int)(SeededRandom.Mix(z) & 0x7FFFFFFF);
        }

        /// <summary>A standard normal draw (Box-Muller, <see cref="SeededRandom.StandardNormal"/>) from two draws of <paramref name="random"/>.</summary>
        public static double Normal(Random random)
        {
            ArgumentNullException.ThrowIfNull(random);
            return SeededRandom.StandardNormal(random.NextDouble(), random.NextDouble());
        }
    }
}
