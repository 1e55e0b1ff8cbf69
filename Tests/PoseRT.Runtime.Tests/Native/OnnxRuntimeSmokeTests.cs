using System.Collections.Generic;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using PoseRT.OnnxGraph;

namespace PoseRT.Tests.Native
{
    public class OnnxRuntimeSmokeTests
    {
        // y = Relu(x * w + b), built as a real ONNX graph, run by the native CPU provider.
        private static byte[] TinyModel()
        {
            var g = new OnnxGraphBuilder("tiny");
            var x = g.Input("x", 1, 4);
            var xw = g.Node("Mul", "xw", new[] { x, g.Float("w", new[] { 2f, -1f, 0.5f, 3f }, 4) });
            var z = g.Node("Add", "z", new[] { xw, g.Float("b", new[] { 1f, 1f, -4f, 0f }, 4) });
            g.Output(g.Node("Relu", "relu", new[] { z }), "y", 1, 4);
            return g.ToModel(irVersion: 8, opset: 17, producerName: "PoseRT.Tests").ToByteArray();
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
