using System;
using System.Diagnostics;

namespace PoseRT.Runtime.Inference
{
    /// <summary>Stopwatch timestamps to <see cref="TimeSpan"/>, for the per-stage timings of the estimator and the tracker.</summary>
    internal static class StopwatchTicks
    {
        public static TimeSpan ToTimeSpan(long stopwatchTicks) =>
            TimeSpan.FromTicks((long)(stopwatchTicks * ((double)TimeSpan.TicksPerSecond / Stopwatch.Frequency)));
    }
}
