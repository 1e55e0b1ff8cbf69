using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Onnx;
using PoseRT.Runtime.Model;
using PoseRT.Tests.Models;
using PoseRT.Trainer.Export;
using PoseRT.Trainer.Models;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace PoseRT.Tests.Export
{
    public class OnnxParityTests
    {
        private readonly ITestOutputHelper output;

        public OnnxParityTests(ITestOutputHelper output) => this.output = output;

        public static IEnumerable<object[]> AllCombinations()
        {
            foreach (var b in Enum.GetValues<BackboneKind>())
                foreach (var a in Enum.GetValues<ActivationKind>())
                    foreach (var f in Enum.GetValues<DyReluGraphForm>())
                        if (f == DyReluGraphForm.Fused || IsDynamic(a))
                            yield return new object[] { ModelNames.Name(b), ModelNames.Name(a), f };
        }

        private static bool IsDynamic(ActivationKind a) => a is ActivationKind.DyReluA or ActivationKind.DyReluB or ActivationKind.DyReluC;

        public static IEnumerable<object[]> Forms()
        {
            foreach (var f in Enum.GetValues<DyReluGraphForm>()) yield return new object[] { f };
        }

        /// <summary>
        /// Every backbone x activation at a small non-square input (64x32, tiny widths), batch 1 and 2: ONNX Runtime on the
        /// exported model matches the TorchSharp eval forward to 1e-4.
        /// </summary>
        [Theory]
        [MemberData(nameof(AllCombinations))]
        public void Exported_model_matches_torch_at_small_input(string backbone, string activation, DyReluGraphForm form)
        {
            var options = new PoseNetOptions
            {
                Backbone = ModelNames.ParseBackbone(backbone),
                BackboneActivation = ModelNames.ParseActivation(activation),
                Width = 0.5,
                HeadWidth = 0.25,
                InputHeight = 64,
                InputWidth = 32,
            };
            CheckParity(options, new[] { 1, 2 }, seed: backbone.Length * 31 + activation.Length, form);
        }

        /// <summary>Table 4 mixes: DY-ReLU-B backbone with DY-ReLU-C head, and ReLU backbone with DY-ReLU-A head.</summary>
        [Theory]
        [InlineData("dyrelu_b", "dyrelu_c", DyReluGraphForm.Fused)]
        [InlineData("relu", "dyrelu_a", DyReluGraphForm.Fused)]
        [InlineData("dyrelu_c", "dyrelu_a", DyReluGraphForm.Reference)]
        public void Exported_model_matches_torch_with_different_head_activation(string backboneAct, string headAct, DyReluGraphForm form)
        {
            var options = PoseNetOptions.Tiny(ModelNames.ParseActivation(backboneAct));
            options.HeadActivation = ModelNames.ParseActivation(headAct);
            options.InputHeight = 64;
            options.InputWidth = 96;
            CheckParity(options, new[] { 2 }, seed: 7, form);
        }

        /// <summary>
        /// The ablation's Table 7 forms of DY-ReLU-C (posert-train ablation --table 7): K = 3 pieces and no intercepts
        /// (lambda_b = 0), each graph form; validation and the exported model.onnx of those rows go through this export.
        /// </summary>
        [Theory]
        [InlineData(3, true, DyReluGraphForm.Fused)]
        [InlineData(3, false, DyReluGraphForm.Fused)]
        [InlineData(2, false, DyReluGraphForm.Fused)]
        [InlineData(3, true, DyReluGraphForm.Reference)]
        [InlineData(2, false, DyReluGraphForm.Reference)]
        public void Exported_Ablation_table_7_DY_ReLU_forms_match_torch(int k, bool intercepts, DyReluGraphForm form)
        {
            var options = PoseRT.Trainer.Ablation.AblationTable.Table7.Rows.Single(r => r.K == k && r.Intercepts == intercepts).Model(PoseNetOptions.Tiny());
            options.InputHeight = 64;
            options.InputWidth = 96;
            CheckParity(options, new[] { 2 }, seed: 13 + k, form);
        }

        public static IEnumerable<object[]> HeadOrders()
        {
            foreach (var h in Enum.GetValues<HeadUpsampling>())
            {
                yield return new object[] { "dyrelu_c", DyReluGraphForm.Fused, h };
                yield return new object[] { "dyrelu_c", DyReluGraphForm.Reference, h };
                yield return new object[] { "dyrelu_a", DyReluGraphForm.Fused, h };
                yield return new object[] { "static", DyReluGraphForm.Fused, h };
            }
        }

        /// <summary>
        /// Both places of the head's upsampling compute the model's function, and the graph really is ordered as asked:
        /// with <see cref="HeadUpsampling.AfterExpand"/> no expansion reads an upsampled map and every upsampling of the
        /// main path reads a convolution's output; with <see cref="HeadUpsampling.BeforeExpand"/> the expansions read them.
        /// </summary>
        [Theory]
        [MemberData(nameof(HeadOrders))]
        public void Both_head_upsampling_orders_match_torch(string activation, DyReluGraphForm form, HeadUpsampling order)
        {
            var options = PoseNetOptions.Tiny(ModelNames.ParseActivation(activation));
            options.InputHeight = 64;
            options.InputWidth = 96;
            var bytes = CheckParity(options, new[] { 1, 2 }, seed: 17, new OnnxExportOptions { DyReluForm = form, HeadUpsampling = order });
            var graph = ModelProto.Parser.ParseFrom(bytes).Graph;
            var producer = graph.Node.SelectMany(n => n.Output.Select(o => (o, n.OpType))).ToDictionary(p => p.o, p => p.OpType);
            var resizes = graph.Node.Where(n => n.OpType == "Resize" && !n.Name.Contains("spatial", StringComparison.Ordinal)).ToList();
            // The expansions (the Reference DY-ReLU's attention is a Conv too, and reads whatever its activation reads).
            var convsOnResize = graph.Node.Count(n => n.OpType == "Conv" && n.Name.EndsWith("expand.conv", StringComparison.Ordinal)
                && producer.TryGetValue(n.Input[0], out var op) && op == "Resize");
            Assert.Equal(3, resizes.Count);
            if (order == HeadUpsampling.AfterExpand)
            {
                Assert.Equal(0, convsOnResize);
                Assert.All(resizes, r => Assert.Equal("Conv", producer[r.Input[0]]));
            }
            else
            {
                Assert.Equal(3, convsOnResize);
            }
        }

        /// <summary>The shipped configuration at full size: MobileNetV3-Large, DY-ReLU-C, 256x192.</summary>
        [Theory]
        [MemberData(nameof(Forms))]
        public void Exported_model_matches_torch_at_full_size(DyReluGraphForm form)
        {
            CheckParity(new PoseNetOptions(), new[] { 1, 2 }, seed: 11, form);
        }

        private void CheckParity(PoseNetOptions options, int[] batches, long seed, DyReluGraphForm form) =>
            CheckParity(options, batches, seed, new OnnxExportOptions { DyReluForm = form });

        /// <summary>Exports <paramref name="options"/>' model with <paramref name="export"/>, checks it against TorchSharp, returns the file's bytes.</summary>
        private byte[] CheckParity(PoseNetOptions options, int[] batches, long seed, OnnxExportOptions export)
        {
            var form = export.DyReluForm;
            ModelTestUtil.Init();
            using var scope = torch.NewDisposeScope();
            using var model = PoseNet.Create(options);
            ModelTestUtil.Randomize(model, seed);
            model.eval();
            var bytes = OnnxExporter.Build(model, OnnxExporter.Describe(model), export).ToByteArray();
            foreach (int n in batches)
            {
                var x = ModelTestUtil.RandomInput(seed + n, n, 3, options.InputHeight, options.InputWidth);
                float[] expected;
                long[] shape;
                using (torch.no_grad())
                {
                    var y = model.forward(x);
                    expected = y.data<float>().ToArray();
                    shape = y.shape;
                }
                var actual = ModelTestUtil.RunOnnx(bytes, x.data<float>().ToArray(), new[] { n, 3, options.InputHeight, options.InputWidth }, out var dims);
                Assert.Equal(new long[] { n, options.Keypoints, options.InputHeight / 4, options.InputWidth / 4 }, shape);
                Assert.Equal(shape.Select(d => (int)d).ToArray(), dims);
                float diff = ModelTestUtil.MaxAbsDiff(expected, actual);
                float std = ModelTestUtil.Std(expected);
                output.WriteLine($"{options.ArchitectureName} {options.ActivationName} {form} {export.HeadUpsampling} batch {n}: max |diff| {diff:E2}, output std {std:F3}");
                // An output near zero, or one that ignores the input, would pass any tolerance: require O(1) heatmaps
                // that differ between the two images of a batch.
                Assert.True(std > 0.05, $"output std {std} is too small for the parity check to mean anything");
                if (n == 2)
                {
                    int per = expected.Length / 2;
                    float spread = ModelTestUtil.MaxAbsDiff(expected[..per], expected[per..]);
                    Assert.True(spread > 0.05, $"the two images gave the same heatmaps (max difference {spread}): the model ignores its input");
                }
                Assert.True(diff <= 1e-4f, $"max abs difference {diff} > 1e-4 for {options.ArchitectureName} {options.ActivationName} batch {n}");
            }
            return bytes;
        }
    }
}
