using System.Collections.Generic;
using System.Linq;
using PoseRT.Bench;

namespace PoseRT.Tests.Bench
{
    /// <summary>The benchmark's verdicts are computed from its rows, not written by hand: check them on made-up rows.</summary>
    public class BenchReportTests
    {
        private static Stats S(double p50) => new Stats(p50 * 1.05, p50, p50 * 1.3, 30);

        private static LatencyRow Row(string model, double inferenceP50, double totalP50, double pre, double dec, double bytes) =>
            new LatencyRow(model, "fused", "Crops", 2, true, S(totalP50), S(inferenceP50), pre, dec, bytes, 1000.0 / (totalP50 * 1.05));

        private static BenchResults Results(double dyInference, double peerP50, double bytes)
        {
            var machine = new MachineInfo("Test CPU", 2, 2.5, new[] { "avx2", "fma" }, 8, "test OS");
            var latency = new List<LatencyRow>
            {
                Row("mobilenetv3_large-dyrelu_c", dyInference, dyInference + 1, 0.5, 0.25, bytes),
                Row("mobilenetv3_large-static", 20, 21, 0.5, 0.3, 0),
            };
            var peers = new List<PeerRow>
            {
                new PeerRow("mobilenetv3_large-dyrelu_c", "OpenCV DNN", "x.onnx", 2, S(peerP50), peerP50 / (dyInference + 1), null),
                new PeerRow("mobilenetv3_large-dyrelu_c", "TorchSharp eager", "-", 2, null, null, "no weights"),
            };
            var models = new List<ModelRow> { new ModelRow("mobilenetv3_large-dyrelu_c", "test", "x.onnx", 1_000_000_000, 100) };
            return new BenchResults("posert-bench", "now", 1, machine, "1.31", models, latency, new List<ThroughputRow>(), peers, new List<TrackerRow>(), 200);
        }

        [Fact]
        public void Verdicts_follow_the_measured_rows()
        {
            var missed = BenchReport.Verdicts(Results(dyInference: 40, peerP50: 50, bytes: 0));
            Assert.Contains(missed, v => v.Contains("2.00 (inference p50 40.0 vs 20.0 ms)") && v.Contains("missed by 1.54x"));
            Assert.Contains(missed, v => v.Contains("OpenCV DNN on mobilenetv3_large-dyrelu_c, 2 thread(s) at 1.22x; missed"));
            // 1000 ms / (41 ms x 1.05) = 23.2 FPS; 2 x 1e9 MAdds x 2 crops / 40 ms = 100 GFLOP/s of 2 x 2.5 x 8 x 2 x 2 = 160.
            Assert.Contains(missed, v => v.Contains("23.2 FPS") && v.Contains("missed by 1.29x"));
            Assert.Contains(missed, v => v.Contains("100.0 GFLOP/s") && v.Contains("peak of 160 GFLOP/s") && v.Contains("62.5 % of peak"));
            Assert.Contains(missed, v => v.Contains("worst p50 0.80 ms; target <= 1 ms: met") && v.Contains("worst 0 bytes/frame; target 0: met"));

            var met = BenchReport.Verdicts(Results(dyInference: 24, peerP50: 60, bytes: 16));
            Assert.Contains(met, v => v.Contains("1.20 (inference p50 24.0 vs 20.0 ms); target <= 1.3: met"));
            Assert.Contains(met, v => v.Contains("at 2.40x; met"));
            Assert.Contains(met, v => v.Contains("38.1 FPS") && v.Contains("target >= 30 FPS: met"));
            Assert.Contains(met, v => v.Contains("worst 16 bytes/frame; target 0: missed"));
        }

        [Fact]
        public void The_page_names_the_machine_and_every_row()
        {
            var md = BenchReport.Markdown(Results(40, 50, 0));
            Assert.StartsWith("Machine: Test CPU, 2 logical cores at 2.50 GHz, SIMD: avx2 fma (test OS); ONNX Runtime 1.31", md);
            Assert.Equal(2, md.Split('\n').Count(l => l.StartsWith("| mobilenetv3_large-", System.StringComparison.Ordinal) && l.Contains("| fused |")));
            Assert.Contains("| mobilenetv3_large-dyrelu_c | 2 | TorchSharp eager | - | - | - | no weights |", md);
        }
    }
}
