using System;
using System.Collections.Generic;
using System.Linq;

namespace PoseRT.Trainer.Training
{
    /// <summary>
    /// Hyper-parameters and run settings. Defaults are the paper's recipe (section 5.3, following
    /// SimpleBaselines): 210 epochs, Adam, lr 1e-3, x0.1 at epochs 170 and 200, batch 32.
    /// </summary>
    public sealed record TrainOptions
    {
        /// <summary>Epochs to train.</summary>
        public int Epochs { get; init; } = 210;

        /// <summary>Samples per batch.</summary>
        public int BatchSize { get; init; } = 32;

        /// <summary>Initial learning rate (Adam).</summary>
        public double LearningRate { get; init; } = 1e-3;

        /// <summary>Epochs (0-based count of finished epochs) at which the rate is multiplied by <see cref="LrFactor"/>.</summary>
        public IReadOnlyList<int> LrMilestones { get; init; } = new[] { 170, 200 };

        /// <summary>Multiplier applied at each milestone.</summary>
        public double LrFactor { get; init; } = 0.1;

        /// <summary>Linear warm-up from 0 over this many optimiser steps (0 = off, as in the paper).</summary>
        public int WarmupSteps { get; init; }

        /// <summary>Adam's L2 weight decay (0 in the paper).</summary>
        public double WeightDecay { get; init; }

        /// <summary>Clip the global gradient L2 norm to this value (null = off, as in the paper).</summary>
        public double? GradClipNorm { get; init; }

        /// <summary>Seed for weights, data order, augmentation and LibTorch's generator.</summary>
        public long Seed { get; init; } = 1;

        /// <summary>LibTorch intra-op threads (null = LibTorch's default). Bit-identical resume needs the same count.</summary>
        public int? Threads { get; init; }

        /// <summary>"cpu", "cuda", "cuda:N" or "auto" (cuda when available, else cpu).</summary>
        public string Device { get; init; } = "cpu";

        /// <summary>Data loading threads (0 = load on the training thread).</summary>
        public int Workers { get; init; } = 2;

        /// <summary>Batches loaded ahead at most.</summary>
        public int Prefetch { get; init; } = 4;

        /// <summary>Also checkpoint every this many steps inside an epoch (0 = only at epoch ends).</summary>
        public int CheckpointEverySteps { get; init; }

        /// <summary>Validate every this many epochs (0 = never; the last epoch is always validated when a validator is given).</summary>
        public int ValidateEveryEpochs { get; init; } = 10;

        /// <summary>Write a step row to the metrics log every this many steps.</summary>
        public int LogEverySteps { get; init; } = 20;

        /// <summary>Folder for checkpoints, logs, TensorBoard events and the plot.</summary>
        public string OutputDir { get; init; } = "runs/default";

        /// <summary>Continue from the checkpoint in <see cref="OutputDir"/> if there is one.</summary>
        public bool Resume { get; init; }

        /// <summary>Stop (as if killed) after this many optimiser steps in this process; for tests of resume. Null = run to the end.</summary>
        public long? StopAfterSteps { get; init; }

        /// <summary>Throws <see cref="ArgumentException"/> naming the first bad value.</summary>
        public void Validate()
        {
            if (Epochs <= 0) throw new ArgumentException($"Epochs must be positive (got {Epochs}).");
            if (BatchSize <= 0) throw new ArgumentException($"Batch size must be positive (got {BatchSize}).");
            if (!(LearningRate > 0) || double.IsInfinity(LearningRate)) throw new ArgumentException($"Learning rate must be a positive number (got {LearningRate}).");
            if (!(LrFactor > 0) || double.IsInfinity(LrFactor)) throw new ArgumentException($"LR factor (--lr-factor) must be a positive number (got {LrFactor}).");
            if (LrMilestones.Any(m => m <= 0)) throw new ArgumentException($"LR milestones must be positive epochs (got {string.Join(",", LrMilestones)}).");
            if (WarmupSteps < 0) throw new ArgumentException($"Warm-up steps must be >= 0 (got {WarmupSteps}).");
            if (WeightDecay < 0) throw new ArgumentException($"Weight decay must be >= 0 (got {WeightDecay}).");
            if (GradClipNorm is { } c && !(c > 0)) throw new ArgumentException($"Gradient clip norm must be positive (got {c}).");
            if (Threads is { } t && t <= 0) throw new ArgumentException($"Threads must be positive (got {t}).");
            if (Workers < 0) throw new ArgumentException($"Workers must be >= 0 (got {Workers}).");
            if (Prefetch <= 0) throw new ArgumentException($"Prefetch must be >= 1 (got {Prefetch}).");
            if (CheckpointEverySteps < 0) throw new ArgumentException($"Checkpoint interval must be >= 0 (got {CheckpointEverySteps}).");
            if (ValidateEveryEpochs < 0) throw new ArgumentException($"Validation interval must be >= 0 (got {ValidateEveryEpochs}).");
            if (LogEverySteps <= 0) throw new ArgumentException($"Log interval must be positive (got {LogEverySteps}).");
            if (string.IsNullOrWhiteSpace(OutputDir)) throw new ArgumentException("Output folder must be given.");
        }
    }
}
