using System;
using PoseRT.Runtime.Geometry;
using PoseRT.Runtime.Model;

namespace PoseRT.Runtime
{
    /// <summary>Settings of a <see cref="PoseEstimator"/>; read once when it is created.</summary>
    public sealed class PoseEstimatorOptions
    {
        /// <summary>Execution provider; <see cref="ExecutionProvider.Auto"/> by default.</summary>
        public ExecutionProvider Provider { get; set; } = ExecutionProvider.Auto;

        /// <summary>GPU index for CUDA or DirectML.</summary>
        public int DeviceId { get; set; }

        /// <summary>
        /// Threads the CPU provider uses for one call; 0 chooses for you: one per logical processor with
        /// <see cref="CpuParallelism.Crops"/>, ONNX Runtime's choice (one per physical core) with <see cref="CpuParallelism.Operators"/>.
        /// </summary>
        public int CpuThreads { get; set; }

        /// <summary>How the CPU provider spreads a run over <see cref="CpuThreads"/>; <see cref="CpuParallelism.Crops"/> by default.</summary>
        public CpuParallelism CpuParallelism { get; set; } = CpuParallelism.Crops;

        /// <summary>Flip test: also run the mirrored crop and average (ARCHITECTURE.md protocol). On by default; doubles the batch.</summary>
        public bool FlipTest { get; set; } = true;

        /// <summary>Sub-pixel peak refinement; the paper's quarter offset by default.</summary>
        public PeakRefinement Refinement { get; set; } = PeakRefinement.QuarterOffset;

        /// <summary>Keypoints scoring above this count toward the pose score (0.2 in the test protocol).</summary>
        public float KeypointScoreThreshold { get; set; } = 0.2f;

        /// <summary>Box padding before cropping (1.25 in the test protocol).</summary>
        public float BoxPadding { get; set; } = CropTransform.DefaultPadding;

        /// <summary>
        /// Most boxes sent to the network in one run (the batch is twice this with the flip test). More boxes
        /// in a frame are processed in several runs. Buffers for this many are allocated up front.
        /// Ignored when the model's batch dimension is fixed.
        /// </summary>
        public int MaxBoxesPerRun { get; set; } = 8;

        /// <summary>
        /// Description used when the model file carries no PoseRT metadata (a model exported elsewhere).
        /// Ignored when the file has metadata. Without either, loading fails with a message saying so.
        /// </summary>
        public PoseModelInfo? FallbackModelInfo { get; set; }

        /// <summary>Upper bound of <see cref="CpuThreads"/>: more threads than this only oversubscribe any machine PoseRT targets.</summary>
        public const int MaxCpuThreads = 256;

        /// <summary>Threads that run crops side by side: <see cref="CpuThreads"/> (0: logical processors) for <see cref="CpuParallelism.Crops"/>, else 1.</summary>
        internal int CropWorkers =>
            CpuParallelism != CpuParallelism.Crops ? 1 : CpuThreads > 0 ? CpuThreads : Math.Max(1, Environment.ProcessorCount);

        internal void Validate()
        {
            if (DeviceId < 0) throw new ArgumentOutOfRangeException(nameof(DeviceId), DeviceId, "Device id must be >= 0.");
            if (CpuThreads < 0) throw new ArgumentOutOfRangeException(nameof(CpuThreads), CpuThreads, "CPU threads must be >= 0 (0 = ONNX Runtime's choice).");
            if (MaxBoxesPerRun < 1) throw new ArgumentOutOfRangeException(nameof(MaxBoxesPerRun), MaxBoxesPerRun, "At least one box per run.");
            if (!(BoxPadding > 0) || float.IsInfinity(BoxPadding)) throw new ArgumentOutOfRangeException(nameof(BoxPadding), BoxPadding, "Box padding must be a positive number.");
            if (float.IsNaN(KeypointScoreThreshold)) throw new ArgumentOutOfRangeException(nameof(KeypointScoreThreshold), KeypointScoreThreshold, "Keypoint score threshold must be a number.");
            if (!Enum.IsDefined(typeof(ExecutionProvider), Provider)) throw new ArgumentOutOfRangeException(nameof(Provider), Provider, "Unknown execution provider.");
            if (CpuThreads > MaxCpuThreads) throw new ArgumentOutOfRangeException(nameof(CpuThreads), CpuThreads, $"CPU threads must be at most {MaxCpuThreads}.");
            if (!Enum.IsDefined(typeof(CpuParallelism), CpuParallelism)) throw new ArgumentOutOfRangeException(nameof(CpuParallelism), CpuParallelism, "Unknown CPU parallelism.");
            if (!Enum.IsDefined(typeof(PeakRefinement), Refinement)) throw new ArgumentOutOfRangeException(nameof(Refinement), Refinement, "Unknown peak refinement.");
        }
    }
}
