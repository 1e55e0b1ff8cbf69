using System;
using System.Collections.Generic;

namespace PoseRT.IO
{
    /// <summary>
    /// The one definition of latency statistics used by the benchmarks and the demo: the mean, and the nearest-rank
    /// percentile (the smallest value with at least p of the samples at or below it), so a p95 means the same everywhere.
    /// </summary>
    internal static class LatencyStats
    {
        /// <summary>Arithmetic mean; 0 for no values.</summary>
        public static double Mean(IReadOnlyList<double> values)
        {
            if (values.Count == 0) return 0;
            double sum = 0;
            for (int i = 0; i < values.Count; i++) sum += values[i];
            return sum / values.Count;
        }

        /// <summary>Nearest-rank percentile of values sorted ascending (<paramref name="p"/> in [0, 1]); 0 for no values.</summary>
        public static double Percentile(IReadOnlyList<double> sorted, double p)
        {
            if (sorted.Count == 0) return 0;
            int rank = (int)Math.Ceiling(p * sorted.Count);
            return sorted[Math.Clamp(rank - 1, 0, sorted.Count - 1)];
        }

        /// <summary>A sorted copy, for <see cref="Percentile"/>.</summary>
        public static double[] Sorted(IReadOnlyList<double> values)
        {
            var copy = new double[values.Count];
            for (int i = 0; i < copy.Length; i++) copy[i] = values[i];
            Array.Sort(copy);
            return copy;
        }
    }
}
