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
        /// <summary>Median and minimum milliseconds per run over <paramref name="iterations"/> runs after 3 warm-up runs.</summary>
        public static (double MedianMs, double MinMs) Run(string path, int batch, int height, int width, int iterations, int threads)
        {
            if (iterations < 1) throw new ArgumentOutOfRangeException(nameof(iterations), iterations, "Need at least one timed run.");
            using var options = new SessionOptions { IntraOpNumThreads = threads, InterOpNumThreads = 1, GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
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
            return (times[iterations / 2], times[0]);
        }
    }
}
