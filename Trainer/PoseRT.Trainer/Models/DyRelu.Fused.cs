using System;
using PoseRT.Trainer.Export;
using G = PoseRT.OnnxGraph.OnnxGraphBuilder;

namespace PoseRT.Trainer.Models
{
    public sealed partial class DyRelu
    {
        /// <summary>
        /// DY-ReLU as <see cref="DyReluGraphForm.Fused"/>: the function of <see cref="DyRelu.forward"/> in the fewest
        /// full-size passes ONNX Runtime runs well. The feature map is read as one image of N*C channels, so each piece
        /// a x + b is one BatchNormalization whose scale and bias are that sample's coefficients (mean 0, variance 0,
        /// epsilon 1: a plain affine map), followed by Max and, for variant C, the attention multiply. Three rewrites
        /// move work onto small tensors: gamma > 0 goes into the coefficients, pi max(a x + b) = min(softmax, 1/gamma)
        /// max(gamma a x + gamma b); 1/tau goes into the attention weights; and after a 1x1 convolution x = W u + c
        /// the pool and the attention logits read u, mean(x) = W mean(u) + c and w.x = (w W) u + w.c, folded into FC1 and
        /// the attention weights. <paramref name="src"/> is the convolution that produced <paramref name="x"/> (null when no
        /// convolution did: then the pool and the attention read <paramref name="x"/> itself).
        /// </summary>
        private string ExportFused(OnnxExportContext ctx, string x, ConvSource? src)
        {
            var g = ctx.Graph;
            var s = ctx.Shape;
            int k = Options.K;
            long c = s.C, sq = Squeeze, cc = CoefficientChannels, rows = 2L * k * c;
            var conv = src?.Conv;
            bool readInput = conv is { Kernel: 1, Stride: 1, Groups: 1 };
            double gamma = spatial is null ? 1.0 : GammaFor(s.H, s.W);

            // Hyper function on the pooled context (equation 4).
            float[] w1 = TensorInitializers.HostFloats(fc1.weight!);
            float[] b1 = TensorInitializers.HostFloats(fc1.bias!);
            var (w1x, b1x) = readInput ? ComposeLinear(w1, b1, sq, conv!) : (w1, b1);
            string context = readInput ? src!.Input : x, folded = readInput ? "_through_conv" : "";
            long contextChannels = readInput ? conv!.InChannels : c;
            var pooled = g.Node("GlobalAveragePool", ctx.Name("pool"), new[] { context });
            var flat = g.Node("Flatten", ctx.Name("flatten"), new[] { pooled }, G.Int("axis", 1));
            var h = g.Node("Gemm", ctx.Name("fc1"), new[] { flat, g.Float(ctx.Name("fc1.weight" + folded), w1x, sq, contextChannels), g.Float(ctx.Name("fc1.bias" + folded), b1x, sq) }, G.Int("transB", 1));
            h = g.Node("Relu", ctx.Name("relu"), new[] { h });

            // FC2 with one row per (coefficient, channel): variant A's 2K rows are repeated C times, so every variant
            // leaves here as N x 2K x C.
            float[] w2 = TensorInitializers.HostFloats(fc2.weight!);
            float[] b2 = TensorInitializers.HostFloats(fc2.bias!);
            var w2c = new float[rows * sq];
            var b2c = new float[rows];
            var scale = new float[rows];
            var offset = new float[rows];
            for (int j = 0; j < 2 * k; j++)
            {
                var (sc, of) = Coefficient(j);
                for (long q = 0; q < c; q++)
                {
                    long row = j * c + q, source = j * cc + (cc == 1 ? 0 : q);
                    Array.Copy(w2, source * sq, w2c, row * sq, sq);
                    b2c[row] = b2[source];
                    scale[row] = (float)(sc * gamma);
                    offset[row] = (float)(of * gamma);
                }
            }
            var t = g.Node("Gemm", ctx.Name("fc2"), new[] { h, g.Float(ctx.Name("fc2.weight_per_channel"), w2c, rows, sq), g.Float(ctx.Name("fc2.bias_per_channel"), b2c, rows) }, G.Int("transB", 1));
            t = g.Node("Sigmoid", ctx.Name("sigmoid"), new[] { t });
            var zerosRows = g.Float(ctx.Name("coef_zero"), new float[rows], rows);
            t = g.Node("BatchNormalization", ctx.Name("coef"), new[] { t, g.Float(ctx.Name("coef_scale"), scale, rows), g.Float(ctx.Name("coef_offset"), offset, rows), zerosRows, zerosRows }, G.Float("epsilon", 1f));

            // 2K vectors of N*C values, coefficient-major, in the channel order of x seen as 1 x N*C x H x W.
            t = g.Node("Reshape", ctx.Name("coef_3d"), new[] { t, g.Int64(ctx.Name("coef_3d_shape"), new[] { -1, 2L * k, c }) });
            t = g.Node("Transpose", ctx.Name("coef_major"), new[] { t }, G.Ints("perm", 1, 0, 2));
            t = g.Node("Reshape", ctx.Name("coef_flat"), new[] { t, g.Int64(ctx.Name("coef_flat_shape"), new[] { -1L }) });
            var parts = g.Node("Split", ctx.Name("coef_split"), 2 * k, new[] { t }, G.Int("axis", 0));
            var zeros = g.Node("Sub", ctx.Name("zeros"), new[] { parts[0], parts[0] });
            var xr = g.Node("Reshape", ctx.Name("as_channels"), new[] { x, g.Int64(ctx.Name("as_channels_shape"), new[] { 1, -1, s.H, s.W }) });
            var pieces = new string[k];
            for (int i = 0; i < k; i++)
                pieces[i] = g.Node("BatchNormalization", ctx.Name($"piece{i}"), new[] { xr, parts[i], parts[k + i], zeros, zeros }, G.Float("epsilon", 1f));
            var y = k == 1 ? pieces[0] : g.Node("Max", ctx.Name("max"), pieces);
            y = g.Node("Reshape", ctx.Name("nchw"), new[] { y, g.Int64(ctx.Name("nchw_shape"), new[] { -1, c, s.H, s.W }) });
            if (spatial is null) return y;

            // Spatial attention (equation 5): logits w.x / tau as a MatMul of [1, C] by x seen as [N, C, HW]. The conv's
            // bias is dropped because softmax ignores a constant shift; as a Conv with one output channel, ONNX Runtime
            // would compute a whole NCHWc block of 16 (docs/performance.md).
            float[] ws = TensorInitializers.HostFloats(spatial.weight!);
            double invTau = 1.0 / Options.Tau;
            float[] wz = readInput ? ComposeLinear(ws, new[] { 0f }, 1, conv!).Weight : (float[])ws.Clone();
            for (int j = 0; j < wz.Length; j++) wz[j] = (float)(wz[j] * invTau);
            var features = g.Node("Reshape", ctx.Name("spatial_input"), new[] { context, g.Int64(ctx.Name("spatial_input_shape"), new[] { 0, contextChannels, -1 }) });
            var z = g.Node("MatMul", ctx.Name("spatial"), new[] { g.Float(ctx.Name("spatial.weight_over_tau"), wz, 1, contextChannels), features });
            if (readInput && src!.Upsampled)
            {
                // x = upsample(W u + c): per-position logits commute with the bilinear upsampling (a per-channel average
                // with weights summing to one), so they are computed on u's grid and upsampled as one channel. The pool
                // above needs nothing: every input pixel of a 2x half-pixel bilinear upsampling carries total weight 4,
                // so mean(upsample(z)) = mean(z).
                z = g.Node("Reshape", ctx.Name("spatial_grid"), new[] { z, g.Int64(ctx.Name("spatial_grid_shape"), new[] { -1, 1, s.H / 2, s.W / 2 }) });
                z = ctx.Upsample2x(z, ctx.Name("spatial_upsample"));
                ctx.Shape = s;
                z = g.Node("Reshape", ctx.Name("spatial_rows"), new[] { z, g.Int64(ctx.Name("spatial_rows_shape"), new[] { 0L, 1, -1 }) });
            }
            z = g.Node("Softmax", ctx.Name("spatial_softmax"), new[] { z }, G.Int("axis", -1));
            z = g.Node("Min", ctx.Name("spatial_clamp"), new[] { z, g.Float(ctx.Name("inverse_gamma"), new[] { (float)(1.0 / gamma) }) });
            var pi = g.Node("Reshape", ctx.Name("attention"), new[] { z, g.Int64(ctx.Name("attention_shape"), new[] { -1, 1, s.H, s.W }) });
            return g.Node("Mul", ctx.Name("out"), new[] { y, pi });
        }

        /// <summary>
        /// The linear map L(W u + c) = (L W) u + (L c + d) for an <paramref name="outputs"/> x C matrix L with bias d and
        /// the 1x1 convolution (W, c) that produced the C channels; accumulated in double.
        /// </summary>
        private static (float[] Weight, float[] Bias) ComposeLinear(float[] l, float[] d, long outputs, FoldedConv conv)
        {
            long c = conv.OutChannels, ci = conv.InChannels;
            var w = new float[outputs * ci];
            var b = new float[outputs];
            for (long o = 0; o < outputs; o++)
            {
                double bias = d[o];
                for (long j = 0; j < c; j++) bias += (double)l[o * c + j] * conv.Bias[j];
                b[o] = (float)bias;
                for (long i = 0; i < ci; i++)
                {
                    double acc = 0;
                    for (long j = 0; j < c; j++) acc += (double)l[o * c + j] * conv.Weight[j * ci + i];
                    w[o * ci + i] = (float)acc;
                }
            }
            return (w, b);
        }
    }
}
