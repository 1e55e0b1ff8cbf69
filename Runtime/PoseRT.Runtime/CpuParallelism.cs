using System;
using PoseRT.Runtime.Model;

namespace PoseRT.Runtime
{
    /// <summary>How the CPU provider uses several threads.</summary>
    public enum CpuParallelism
    {
        /// <summary>
        /// Each thread runs its own share of the crops of a run with single-threaded operators: with the flip test,
        /// one person's crop and its mirror run side by side on two cores. Fastest measured on small CPUs for every
        /// batch of two or more crops. Runs with fewer crops than threads (flip test off, one person) go to a second
        /// session of the model with an intra-op pool instead, so they use every thread too (the model's weights are then
        /// held twice).
        /// </summary>
        Crops,

        /// <summary>ONNX Runtime's intra-op thread pool splits every operator across the threads (its default behaviour).</summary>
        Operators,
    }
}
