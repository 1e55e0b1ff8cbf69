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

    /// <summary>
    /// Where the head's 2x bilinear upsampling goes relative to the 1x1 expansion that follows it in an inverted residual
    /// block. Both orders compute the same function: the expansion (BatchNorm folded) is a per-pixel affine map and
    /// bilinear interpolation averages pixels with weights that sum to one, so the two commute.
    /// </summary>
    public enum HeadUpsampling
    {
        /// <summary>As the module computes it: upsample the block's input, then expand at the larger size.</summary>
        BeforeExpand,

        /// <summary>
        /// Expand at the smaller size, then upsample the expanded channels: the head's expansions cost a quarter of their
        /// multiply-adds, at the price of interpolating more channels (docs/performance.md).
        /// </summary>
        AfterExpand,
    }

    /// <summary>Choices the exporter makes that do not change the model's function.</summary>
    public sealed class OnnxExportOptions
    {
        /// <summary>The fastest measured graph: <see cref="DyReluGraphForm.Fused"/>.</summary>
        public static OnnxExportOptions Default { get; } = new OnnxExportOptions();

        /// <summary>How DY-ReLU layers are written (default <see cref="DyReluGraphForm.Fused"/>).</summary>
        public DyReluGraphForm DyReluForm { get; init; } = DyReluGraphForm.Fused;

        /// <summary>Where the head's upsampling is written (default <see cref="HeadUpsampling.AfterExpand"/>).</summary>
        public HeadUpsampling HeadUpsampling { get; init; } = HeadUpsampling.AfterExpand;
    }
}
