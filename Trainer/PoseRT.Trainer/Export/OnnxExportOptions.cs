namespace PoseRT.Trainer.Export
{
    /// <summary>How DY-ReLU is written in ONNX operators; every form computes the same function (parity-tested to 1e-4).</summary>
    public enum DyReluGraphForm
    {
        /// <summary>
        /// Equation (4)-(5) transcribed: pool, hyper function, K pieces as Mul + Add broadcasting N x C x 1 x 1 coefficients,
        /// Max, and the attention Mul. Easy to check against the paper; about 2x slower in ONNX Runtime (docs/performance.md).
        /// </summary>
        Reference,

        /// <summary>
        /// The same function in fewer, cheaper passes: each piece a x + b as one BatchNormalization over N*C channels with
        /// per-sample coefficients, the coefficient map and the attention's tau and gamma folded into constants, and, after a
        /// 1x1 convolution, the pool and the attention logits computed from the convolution's smaller input
        /// (docs/performance.md lists each step and its measured effect).
        /// </summary>
        Fused,
    }

    /// <summary>Choices the exporter makes that do not change the model's function.</summary>
    public sealed class OnnxExportOptions
    {
        /// <summary>The fastest measured graph: <see cref="DyReluGraphForm.Fused"/>.</summary>
        public static OnnxExportOptions Default { get; } = new OnnxExportOptions();

        /// <summary>How DY-ReLU layers are written (default <see cref="DyReluGraphForm.Fused"/>).</summary>
        public DyReluGraphForm DyReluForm { get; init; } = DyReluGraphForm.Fused;
    }
}
