using PoseRT.OnnxGraph;
using static TorchSharp.torch;

namespace PoseRT.Trainer.Export
{
    /// <summary>
    /// The TorchSharp side of the ONNX writer: module parameters as float initializers. Kept here so that
    /// <see cref="OnnxGraphBuilder"/> (shared with posert and the tests) does not depend on TorchSharp.
    /// </summary>
    internal static class TensorInitializers
    {
        /// <summary>Adds <paramref name="tensor"/> as a float initializer, of its own shape when no <paramref name="dims"/> are given.</summary>
        public static string Float(this OnnxGraphBuilder g, string name, Tensor tensor, params long[] dims) =>
            g.Float(name, HostFloats(tensor), dims.Length == 0 ? tensor.shape : dims);

        /// <summary>A copy of a tensor's values in host memory, whatever its device (data() reads CPU tensors only).</summary>
        public static float[] HostFloats(Tensor tensor)
        {
            using var c = tensor.detach().to(ScalarType.Float32).cpu().contiguous();
            return c.data<float>().ToArray();
        }
    }
}
