using System;
using System.IO;
using System.Linq;
using Microsoft.ML.OnnxRuntime;
using Onnx;
using PoseRT.Runtime.Model;
using PoseRT.Tests.Models;
using PoseRT.Trainer.Export;
using PoseRT.Trainer.Models;

namespace PoseRT.Tests.Export
{
    public class OnnxExportFileTests
    {
        [Theory]
        [InlineData(DyReluGraphForm.Reference)]
        [InlineData(DyReluGraphForm.Fused)]
        public void The_file_has_opset_17_a_dynamic_batch_metadata_and_parameter_named_initializers(DyReluGraphForm form)
        {
            ModelTestUtil.Init();
            var dir = Directory.CreateTempSubdirectory("posert-onnx-");
            try
            {
                var options = PoseNetOptions.Tiny();
                options.HeadActivation = ActivationKind.PRelu;
                using var model = PoseNet.Create(options);
                model.eval();
                var path = Path.Combine(dir.FullName, "tiny.onnx");
                var info = OnnxExporter.Describe(model, "{\"trained_on\":\"nothing\"}");
                OnnxExporter.Export(model, info, path, new OnnxExportOptions { DyReluForm = form });
                Assert.Single(Directory.GetFiles(dir.FullName));

                var proto = ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
                Assert.Equal(8, proto.IrVersion);
                Assert.Equal(17, proto.OpsetImport.Single().Version);
                Assert.Equal("image", proto.Graph.Input.Single().Name);
                Assert.Equal("N", proto.Graph.Input[0].Type.TensorType.Shape.Dim[0].DimParam);
                Assert.Equal("heatmaps", proto.Graph.Output.Single().Name);
                // The model's BatchNorms are folded into their convolutions; the Fused DY-ReLU graph uses
                // BatchNormalization only as its per-sample affine map, inside the activation.
                if (form == DyReluGraphForm.Reference)
                    Assert.DoesNotContain(proto.Graph.Node, n => n.OpType == "BatchNormalization");
                else
                    Assert.All(proto.Graph.Node.Where(n => n.OpType == "BatchNormalization"), n => Assert.Contains(".act.", n.Name));

                // Every parameter except BN's (folded) is an initializer under its own name; in the Fused graph a DY-ReLU
                // parameter that was folded with its neighbours keeps its name as the prefix (fc1.weight_through_conv).
                var initializers = proto.Graph.Initializer.Select(i => i.Name).ToHashSet();
                foreach (var (name, _) in model.named_parameters())
                {
                    if (name.Contains(".bn.")) continue;
                    if (form == DyReluGraphForm.Fused && name.EndsWith(".spatial.bias", StringComparison.Ordinal)) continue;   // softmax ignores a constant shift
                    if (form == DyReluGraphForm.Reference || !name.Contains(".act."))
                        Assert.Contains(name, initializers);
                    else
                        Assert.Contains(initializers, i => i.StartsWith(name, StringComparison.Ordinal));
                }

                using var session = new InferenceSession(path);
                var read = PoseModelInfo.FromMetadata(session.ModelMetadata.CustomMetadataMap, path);
                Assert.Equal(96, read.InputWidth);
                Assert.Equal(128, read.InputHeight);
                Assert.Equal(4, read.HeatmapStride);
                Assert.Equal(options.ArchitectureName, read.Architecture);
                Assert.Equal("dyrelu_c+prelu", read.Activation);
                Assert.Equal("{\"trained_on\":\"nothing\"}", read.Provenance);
                Assert.Equal(17, read.KeypointCount);
                Assert.Equal(info.Keypoints.FlipPairs, read.Keypoints.FlipPairs);
            }
            finally
            {
                dir.Delete(true);
            }
        }

        [Fact]
        public void Metadata_that_disagrees_with_the_model_is_rejected()
        {
            ModelTestUtil.Init();
            using var model = PoseNet.Create(PoseNetOptions.Tiny());
            var info = OnnxExporter.Describe(model) with { InputHeight = 256 };
            var e = Assert.Throws<ArgumentException>(() => OnnxExporter.Build(model, info));
            Assert.Contains("256x96", e.Message);
        }
    }
}
