using System;

namespace PoseRT.Coco
{
    /// <summary>
    /// The few numpy behaviours pycocotools' numbers depend on, reproduced bit for bit where it matters:
    /// <c>np.linspace</c> (thresholds such as 0.07 are <c>7 * 0.01</c>, not the literal 0.07, which changes
    /// <c>searchsorted</c> results when recall lands exactly on them), pairwise summation (<c>np.sum</c>,
    /// <c>np.mean</c>), stable descending sort (<c>argsort(-x, kind='mergesort')</c>) and <c>np.spacing(1)</c>.
    /// </summary>
    internal static class NumpyCompat
    {
        /// <summary><c>np.spacing(1)</c>: the gap between 1.0 and the next double.</summary>
        public const double Spacing1 = 2.220446049250313e-16;

        /// <summary><c>np.linspace(start, stop, num, endpoint=True)</c> for num &gt;= 2.</summary>
        public static double[] Linspace(double start, double stop, int num)
        {
            // numpy: step = (stop - start) / (num - 1); y = arange(num) * step; y += start; y[-1] = stop.
            double step = (stop - start) / (num - 1);
            var y = new double[num];
            for (int i = 0; i < num; i++)
            {
                double product = i * step;
                y[i] = product + start;
            }
            y[num - 1] = stop;
            return y;
        }

        /// <summary>numpy's pairwise summation of a contiguous float64 array (<c>np.add.reduce</c>).</summary>
        public static double PairwiseSum(ReadOnlySpan<double> a)
        {
            int n = a.Length;
            if (n < 8)
            {
                double res = -0.0;
                for (int i = 0; i < n; i++) res += a[i];
                return res;
            }
            if (n <= 128)
            {
                double r0 = a[0], r1 = a[1], r2 = a[2], r3 = a[3], r4 = a[4], r5 = a[5], r6 = a[6], r7 = a[7];
                int i;
                for (i = 8; i < n - (n % 8); i += 8)
                {
                    r0 += a[i];
                    r1 += a[i + 1];
                    r2 += a[i + 2];
                    r3 += a[i + 3];
                    r4 += a[i + 4];
                    r5 += a[i + 5];
                    r6 += a[i + 6];
                    r7 += a[i + 7];
                }
                double res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7));
                for (; i < n; i++) res += a[i];
                return res;
            }
            int n2 = n / 2;
            n2 -= n2 % 8;
            return PairwiseSum(a[..n2]) + PairwiseSum(a[n2..]);
        }

        /// <summary>
        /// Indices of <paramref name="keys"/> ordered by descending value, equal values keeping their input
        /// order: what <c>np.argsort(-keys, kind='mergesort')</c> returns.
        /// </summary>
        public static int[] StableDescendingOrder(double[] keys)
        {
            var order = new int[keys.Length];
            for (int i = 0; i < order.Length; i++) order[i] = i;
            // Array.Sort is not stable; the index tie-break makes the result identical to a stable sort.
            Array.Sort(order, (a, b) =>
            {
                int c = keys[b].CompareTo(keys[a]);
                return c != 0 ? c : a.CompareTo(b);
            });
            return order;
        }
    }
}
