using System;
using System.Collections.Generic;
using System.Linq;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Onnx;
using PoseRT.OnnxGraph;

namespace PoseRT.Tests.Native
{
    /// <summary>The shared ONNX writer: what it names, what it refuses, and that ONNX Runtime reads what it writes.</summary>
    public class OnnxGraphBuilderTests
    {
        [Fact]
        public void Output_renames_the_computing_node_and_the_model_runs_with_symbolic_batch()
        {
            var g = new OnnxGraphBuilder("g");
            var x = g.Input("x", "N", 2);
            var scaled = g.Node("Mul", "scaled", new[] { x, g.Float("s", new[] { 3f }) });   // scalar: broadcasts
            var y = g.Node("Add", "scaled", new[] { scaled, g.Float("b", new[] { 1f, -1f }, 2) });
            Assert.Equal("scaled_1", y);
            g.Output(y, "y", "N", 2);
            Assert.Equal("scaled_1", g.Graph.Node[1].Name);
            Assert.Equal("y", g.Graph.Node[1].Output[0]);
            Assert.Empty(g.Graph.Initializer.Single(t => t.Name == "s").Dims);

            var model = g.ToModel(8, 17, "tests", metadata: new Dictionary<string, string> { ["k"] = "v" });
            using var session = new InferenceSession(model.ToByteArray());
            Assert.Equal("v", session.ModelMetadata.CustomMetadataMap["k"]);
            var input = new DenseTensor<float>(new[] { 1f, 2f, -1f, 0f }, new[] { 2, 2 });
            using var results = session.Run(new[] { NamedOnnxValue.CreateFromTensor("x", input) });
            Assert.Equal(new[] { 4f, 5f, -2f, -1f }, results.Single(r => r.Name == "y").AsEnumerable<float>().ToArray());
        }

        [Fact]
        public void Refuses_a_name_twice_a_wrong_value_count_and_renaming_a_value_that_is_read()
        {
            var g = new OnnxGraphBuilder("g");
            var x = g.Input("x", 4);
            Assert.Throws<InvalidOperationException>(() => g.Float("x", new[] { 1f }));
            Assert.Throws<ArgumentException>(() => g.Float("w", new[] { 1f, 2f, 3f }, 2, 2));
            var r = g.Node("Relu", "r", new[] { x });
            g.Node("Neg", "n", new[] { r });
            var e = Assert.Throws<InvalidOperationException>(() => g.Output(r, "y", 4));
            Assert.Contains("'r'", e.Message, StringComparison.Ordinal);
            Assert.Throws<InvalidOperationException>(() => g.Output("missing", "z", 4));
        }

        [Fact]
        public void Dimensions_are_written_as_values_or_symbols()
        {
            var v = OnnxGraphBuilder.TensorValue("t", "N", 3, 0);
            var dims = v.Type.TensorType.Shape.Dim;
            Assert.Equal("N", dims[0].DimParam);
            Assert.Equal(TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue, dims[1].ValueCase);
            Assert.Equal(3, dims[1].DimValue);
            Assert.Equal(0, dims[2].DimValue);
            Assert.Throws<ArgumentOutOfRangeException>(() => OnnxDim.Fixed(-1));
            Assert.Throws<ArgumentException>(() => OnnxDim.Named(""));
        }
    }
}
