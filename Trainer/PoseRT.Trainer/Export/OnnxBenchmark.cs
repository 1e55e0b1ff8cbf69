using System;
using System.Collections.Generic;
using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace PoseRT.Trainer.Export
{
    /// <summary>Times an exported model in ONNX Runtime (CPU) on random input; used to compare DY-ReLU with its static twin.</summary>
    internal static class OnnxBenchmark
    {
        /// <summary>
        /// Median and minimum milliseconds per run over <paramref name="iterations"/> runs after 3 warm-up runs. With
        /// <paramref name="profilePrefix"/>, ONNX Runtime also records a profile of every run (warm-up included) to a file
        /// whose name starts with it; its path is returned (profiling slows each run a little).
        /// </summary>
        public static (double MedianMs, double MinMs, string? ProfilePath) Run(string path, int batch, int height, int width, int iterations, int threads, string? profilePrefix = null)
        {
            if (iterations < 1) throw new ArgumentOutOfRangeException(nameof(iterations), iterations, "Need at least one timed run.");
            using var options = new SessionOptions { IntraOpNumThreads = threads, InterOpNumThreads = 1, GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
            if (profilePrefix != null)
            {
                // The prefix first: EnableProfiling hands ONNX Runtime the prefix set at that moment.
                options.ProfileOutputPathPrefix = profilePrefix;
                options.EnableProfiling = true;
            }
            using var session = new InferenceSession(path, options);
            var data = new float[batch * 3 * height * width];
            var random = new Random(1);
            for (int i = 0; i < data.Length; i++) data[i] = (float)(random.NextDouble() * 2 - 1);
            var inputs = new List<NamedOnnxValue> { NamedOnnxValue.CreateFromTensor(OnnxExporter.InputName, new DenseTensor<float>(data, new[] { batch, 3, height, width })) };
            for (int i = 0; i < 3; i++)
            {
                using var warm = session.Run(inputs);
            }
            var times = new double[iterations];
            for (int i = 0; i < iterations; i++)
            {
                var sw = Stopwatch.StartNew();
                using (var results = session.Run(inputs)) { }
                times[i] = sw.Elapsed.TotalMilliseconds;
            }
            Array.Sort(times);
            string? profile = profilePrefix != null ? session.EndProfiling() : null;
            return (times[iterations / 2], times[0], profile);
        }
    }
}
