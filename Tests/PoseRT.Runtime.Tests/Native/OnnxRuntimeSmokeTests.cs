using System.Collections.Generic;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Onnx;

namespace PoseRT.Tests.Native
{
    public class OnnxRuntimeSmokeTests
    {
        // y = Relu(x * w + b), built as a real ONNX graph, run by the native CPU provider.
        private static byte[] TinyModel()
        {
            var graph = new GraphProto { Name = "tiny" };
            graph.Input.Add(Value("x", 1, 4));
            graph.Output.Add(Value("y", 1, 4));
            graph.Initializer.Add(Tensor("w", new[] { 2f, -1f, 0.5f, 3f }));
            graph.Initializer.Add(Tensor("b", new[] { 1f, 1f, -4f, 0f }));
            graph.Node.Add(Node("Mul", new[] { "x", "w" }, "xw"));
            graph.Node.Add(Node("Add", new[] { "xw", "b" }, "z"));
            graph.Node.Add(Node("Relu", new[] { "z" }, "y"));
            var model = new ModelProto { IrVersion = 8, Graph = graph, ProducerName = "PoseRT.Tests" };
            model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 17 });
            return model.ToByteArray();
        }

        private static NodeProto Node(string op, string[] inputs, string output)
        {
            var node = new NodeProto { OpType = op, Name = op + "_" + output };
            node.Input.AddRange(inputs);
            node.Output.Add(output);
            return node;
        }

        private static TensorProto Tensor(string name, float[] values)
        {
            var t = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
            t.Dims.Add(values.Length);
            t.FloatData.AddRange(values);
            return t;
        }

        private static ValueInfoProto Value(string name, params long[] dims)
        {
            var shape = new TensorShapeProto();
            foreach (var d in dims) shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
            return new ValueInfoProto
            {
                Name = name,
                Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } },
            };
        }

        [Fact]
        public void Cpu_provider_runs_a_real_model()
        {
            using var session = new InferenceSession(TinyModel());
            var x = new DenseTensor<float>(new[] { 1f, 2f, 3f, -1f }, new[] { 1, 4 });
            using var results = session.Run(new List<NamedOnnxValue> { NamedOnnxValue.CreateFromTensor("x", x) });
            var y = results[0].AsEnumerable<float>();
            Assert.Equal(new[] { 3f, 0f, 0f, 0f }, y);
        }

        [Fact]
        public void Cpu_provider_is_available()
        {
            Assert.Contains("CPUExecutionProvider", OrtEnv.Instance().GetAvailableProviders());
        }
    }
}
