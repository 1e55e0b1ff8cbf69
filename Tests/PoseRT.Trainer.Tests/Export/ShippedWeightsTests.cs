using System;
using System.IO;
using System.Linq;
using PoseRT.Runtime.Model;
using PoseRT.Tests.Models;
using PoseRT.Trainer.Models;
using TorchSharp;
using Xunit.Abstractions;

namespace PoseRT.Tests.Export
{
    /// <summary>
    /// <c>Models/weights/NAME.pt</c> is the training state behind the shipped <c>Models/NAME.onnx</c>: what a later
    /// session exports again (a better exporter) or trains on (<c>posert-train train --init</c>). Without it a shipped
    /// model can only be replaced, never continued.
    /// </summary>
    public class ShippedWeightsTests
    {
        private readonly ITestOutputHelper output;

        public ShippedWeightsTests(ITestOutputHelper output) => this.output = output;

        private static string ModelsDir => Path.Combine(RepoPaths.Root, "Models");

        [Fact]
        public void The_default_model_ships_its_weights_and_each_weights_file_computes_its_model()
        {
            var manifest = ModelManifest.Load(Path.Combine(ModelsDir, ModelManifest.FileName), verifySha256: true);
            string weightsDir = PoseNetWeights.ShippedFolder(ModelsDir);
            string defaultWeights = PoseNetWeights.ShippedPathFor(manifest.Default.FullPath);
            Assert.True(File.Exists(defaultWeights), $"The default model {manifest.Default.File} has no weights at {defaultWeights}: copy the run's best.pt there.");

            ModelTestUtil.Init();
            foreach (var path in Directory.GetFiles(weightsDir).OrderBy(p => p, StringComparer.Ordinal))
            {
                string onnxName = PoseNetWeights.ShippedModelNameFor(path);
                var entry = manifest.Models.FirstOrDefault(m => m.File == onnxName);
                Assert.True(entry != null, $"{path}: Models/weights holds the weights of shipped models only, and no manifest entry is {onnxName}.");
                // The architecture and input size the manifest entry states: the weights do not depend on the size, the heatmaps do.
                var options = PoseNetOptions.FromNames(entry!.Architecture, entry.Activation, entry.InputHeight, entry.InputWidth);

                using var scope = torch.NewDisposeScope();
                using var model = PoseNet.Create(options);
                PoseNetWeights.Load(model, path);
                model.eval();
                var x = ModelTestUtil.RandomInput(12, 2, 3, options.InputHeight, options.InputWidth);
                float[] expected;
                using (torch.no_grad()) expected = model.forward(x).data<float>().ToArray();
                var actual = ModelTestUtil.RunOnnx(File.ReadAllBytes(entry.FullPath), x.data<float>().ToArray(), new[] { 2, 3, options.InputHeight, options.InputWidth }, out _);
                float diff = ModelTestUtil.MaxAbsDiff(expected, actual);
                output.WriteLine($"{Path.GetFileName(path)} vs {onnxName}: max |diff| {diff:E2}, output std {ModelTestUtil.Std(expected):F4}");
                // Heatmaps near zero would match any file: the check means something only on a real response.
                Assert.True(expected.Max(Math.Abs) > 0.05f, $"{path}: the heatmaps of the test input peak at {expected.Max(Math.Abs)}, too low to compare.");
                Assert.True(diff <= 1e-4f, $"{path} does not compute {entry.FullPath} (max abs difference {diff}): the weights and the shipped model come from different runs.");
            }
        }
    }
}
