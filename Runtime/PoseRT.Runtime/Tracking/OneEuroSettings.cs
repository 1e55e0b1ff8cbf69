using System;

namespace PoseRT.Runtime.Tracking
{
    /// <summary>One-Euro parameters. Units: Hz for cutoffs; <see cref="Beta"/> is Hz per (pixel/second).</summary>
    public readonly struct OneEuroSettings
    {
        /// <summary>Creates the settings; throws <see cref="ArgumentOutOfRangeException"/> naming a value out of range.</summary>
        /// <param name="minCutoff">Cutoff of a keypoint at rest, Hz (&gt; 0): lower means less jitter and more lag.</param>
        /// <param name="beta">How fast the cutoff rises with speed, Hz per pixel/second (&gt;= 0): higher means less lag when moving.</param>
        /// <param name="derivativeCutoff">Cutoff of the speed estimate, Hz (&gt; 0).</param>
        public OneEuroSettings(double minCutoff, double beta, double derivativeCutoff = 1.0)
        {
            // Finite too: an infinite beta times a zero speed is NaN, and NaN would then be every smoothed keypoint.
            if (!(minCutoff > 0) || double.IsInfinity(minCutoff)) throw new ArgumentOutOfRangeException(nameof(minCutoff), minCutoff, "The One-Euro minimum cutoff must be a finite number > 0 Hz.");
            if (!(beta >= 0) || double.IsInfinity(beta)) throw new ArgumentOutOfRangeException(nameof(beta), beta, "The One-Euro beta must be a finite number >= 0.");
            if (!(derivativeCutoff > 0) || double.IsInfinity(derivativeCutoff)) throw new ArgumentOutOfRangeException(nameof(derivativeCutoff), derivativeCutoff, "The One-Euro derivative cutoff must be a finite number > 0 Hz.");
            MinCutoff = minCutoff;
            Beta = beta;
            DerivativeCutoff = derivativeCutoff;
        }

        /// <summary>Cutoff at rest, Hz.</summary>
        public double MinCutoff { get; }

        /// <summary>Speed coefficient, Hz per pixel/second.</summary>
        public double Beta { get; }

        /// <summary>Cutoff of the speed estimate, Hz.</summary>
        public double DerivativeCutoff { get; }
    }
}
