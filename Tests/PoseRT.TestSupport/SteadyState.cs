using System;

namespace PoseRT.Tests
{
    /// <summary>
    /// Measures what a per-frame call allocates once it has settled. The runtime itself allocates on the
    /// calling thread while code is young: tiered compilation's on-stack replacement and tier-1 rejits run
    /// whenever the machine lets them, which on a loaded CI machine is often inside a fixed warm-up's
    /// measured frames. So the warm-up runs until one whole window of frames allocates nothing, and only
    /// then are the measured frames counted. A call that allocates in steady state never reaches a quiet
    /// window and is measured (non-zero) after the last warm-up window.
    /// </summary>
    internal static class SteadyState
    {
        /// <summary>Frames in one warm-up window.</summary>
        public const int Window = 10;

        /// <summary>Warm-up windows at most before measuring anyway.</summary>
        public const int MaxWarmupWindows = 60;

        /// <summary>Bytes this thread allocates over <paramref name="frames"/> calls of <paramref name="frame"/>, after warm-up.</summary>
        public static long AllocatedBytes(Action frame, int frames)
        {
            for (int w = 0; w < MaxWarmupWindows; w++)
            {
                long start = GC.GetAllocatedBytesForCurrentThread();
                for (int i = 0; i < Window; i++) frame();
                if (GC.GetAllocatedBytesForCurrentThread() == start) break;
            }
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < frames; i++) frame();
            return GC.GetAllocatedBytesForCurrentThread() - before;
        }
    }
}
