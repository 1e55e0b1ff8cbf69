using System;

namespace PoseRT.Runtime.Tracking
{
    /// <summary>
    /// One-Euro filter (Casiez, Roussel and Vogel, CHI 2012) for one scalar: a low-pass filter whose
    /// cutoff rises with speed, so a still keypoint stops jittering and a moving one does not lag.
    /// A struct so a pose's 34 filters live in one array without allocations.
    /// </summary>
    internal struct OneEuroFilter
    {
        private double _x;
        private double _dx;
        private double _t;
        private bool _initialized;

        /// <summary>Forgets the history; the next sample passes through unchanged.</summary>
        public void Reset() => _initialized = false;

        public readonly bool IsInitialized => _initialized;

        /// <summary>Smoothing factor of a first-order low-pass filter with <paramref name="cutoffHz"/> at sample interval <paramref name="dt"/> seconds.</summary>
        public static double Alpha(double cutoffHz, double dt)
        {
            double tau = 1.0 / (2 * Math.PI * cutoffHz);
            return 1.0 / (1.0 + tau / dt);
        }

        /// <summary>Filters sample <paramref name="x"/> taken at time <paramref name="t"/> seconds.</summary>
        public double Filter(double x, double t, in OneEuroSettings s)
        {
            if (!_initialized)
            {
                _initialized = true;
                _x = x;
                _dx = 0;
                _t = t;
                return x;
            }
            double dt = t - _t;
            // Same or older timestamp (a repeated frame): nothing new to learn from.
            if (dt <= 0) return _x;
            _t = t;
            double dx = (x - _x) / dt;
            _dx += Alpha(s.DerivativeCutoff, dt) * (dx - _dx);
            double cutoff = s.MinCutoff + s.Beta * Math.Abs(_dx);
            _x += Alpha(cutoff, dt) * (x - _x);
            return _x;
        }
    }
}
