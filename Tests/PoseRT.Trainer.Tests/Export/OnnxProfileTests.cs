using System;
using System.IO;
using System.Linq;
using PoseRT.Tests.Models;
using PoseRT.Trainer.Export;
using PoseRT.Trainer.Models;

namespace PoseRT.Tests.Export
{
    /// <summary>The profile behind docs/performance.md's "where the time goes": a real run of a real export, summed per operator.</summary>
    public class OnnxProfileTests
    {
        [Fact]
        public void A_profiled_benchmark_sums_kernel_time_per_operator_over_every_run()
        {
            ModelTestUtil.Init();
            var dir = RepoPaths.NewTempDir("profile");
            var path = Path.Combine(dir, "tiny.onnx");
            var options = PoseNetOptions.Tiny(ActivationKind.DyReluC);
            using (var model = PoseNet.Create(options))
            {
                model.eval();
                OnnxExporter.Export(model, OnnxExporter.Describe(model), path);
            }
            var (median, min, profile) = OnnxBenchmark.Run(path, 2, options.InputHeight, options.InputWidth, 5, 1, Path.Combine(dir, "tiny.profile"));
            Assert.NotNull(profile);
            Assert.StartsWith(Path.Combine(dir, "tiny.profile"), profile, StringComparison.Ordinal);
            Assert.True(min > 0 && median >= min);
            var (operators, runs) = OnnxProfile.Summarize(profile!);
            Assert.Equal(5 + 3, runs);   // the timed runs and the three warm-up runs
            // Every operator type of the DY-ReLU-C graph that must run shows up, with its nodes counted once.
            foreach (var op in new[] { "Conv", "BatchNormalization", "Max", "Softmax", "GlobalAveragePool" })
                Assert.Contains(operators, o => o.Operator == op && o.MsPerRun > 0 && o.Nodes > 0);
            Assert.Equal(operators.OrderByDescending(o => o.MsPerRun).Select(o => o.Operator), operators.Select(o => o.Operator));
            // Per DY-ReLU layer (one Max each): the coefficient map and the two pieces, each one BatchNormalization node.
            int layers = operators.Single(o => o.Operator == "Max").Nodes;
            Assert.Equal(3 * layers, operators.Single(o => o.Operator == "BatchNormalization").Nodes);
        }

        [Fact]
        public void A_file_that_is_not_a_profile_is_named()
        {
            var dir = RepoPaths.NewTempDir("profile-bad");
            var text = Path.Combine(dir, "not.json");
            File.WriteAllText(text, "not json");
            Assert.Contains(text, Assert.Throws<InvalidDataException>(() => OnnxProfile.Summarize(text)).Message, StringComparison.Ordinal);
            var empty = Path.Combine(dir, "empty.json");
            File.WriteAllText(empty, "[]");
            Assert.Contains("no model_run", Assert.Throws<InvalidDataException>(() => OnnxProfile.Summarize(empty)).Message, StringComparison.Ordinal);
            var obj = Path.Combine(dir, "object.json");
            File.WriteAllText(obj, "{}");
            Assert.Contains("not an array", Assert.Throws<InvalidDataException>(() => OnnxProfile.Summarize(obj)).Message, StringComparison.Ordinal);
        }
    }
}
