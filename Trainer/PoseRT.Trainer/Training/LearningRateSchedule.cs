using System;
using System.Collections.Generic;

namespace PoseRT.Trainer.Training
{
    /// <summary>
    /// Multi-step decay with optional linear warm-up, computed from the position alone (no hidden
    /// state), so a resumed run gets exactly the rate an uninterrupted one had at that step.
    /// </summary>
    public sealed class LearningRateSchedule
    {
        private readonly double _baseLr;
        private readonly int[] _milestones;
        private readonly double _factor;
        private readonly int _warmupSteps;

        /// <summary>Creates the schedule; milestones count finished epochs (PyTorch MultiStepLR stepped once per epoch).</summary>
        public LearningRateSchedule(double baseLr, IReadOnlyList<int> milestones, double factor, int warmupSteps)
        {
            _baseLr = baseLr;
            _milestones = new int[milestones.Count];
            for (int i = 0; i < _milestones.Length; i++) _milestones[i] = milestones[i];
            Array.Sort(_milestones);
            _factor = factor;
            _warmupSteps = warmupSteps;
        }

        /// <summary>
        /// The paper's drops (x0.1 after epochs 170 and 200 of 210, section 5.3) at the same fractions of a shorter or
        /// longer run of <paramref name="epochs"/> epochs: 170/210 and 200/210 of it, rounded, at least epoch 1.
        /// <c>PaperMilestones(210)</c> is 170, 200.
        /// </summary>
        public static IReadOnlyList<int> PaperMilestones(int epochs) => new[]
        {
            Math.Max(1, (int)Math.Round(epochs * 170 / 210.0, MidpointRounding.AwayFromZero)),
            Math.Max(1, (int)Math.Round(epochs * 200 / 210.0, MidpointRounding.AwayFromZero)),
        };

        /// <summary>The rate for the step with 0-based <paramref name="globalStep"/> in 0-based <paramref name="epoch"/>.</summary>
        public double At(int epoch, long globalStep)
        {
            double lr = _baseLr;
            foreach (int m in _milestones)
            {
                if (epoch >= m) lr *= _factor;
            }
            if (_warmupSteps > 0 && globalStep < _warmupSteps) lr *= (globalStep + 1) / (double)_warmupSteps;
            return lr;
        }
    }
}
