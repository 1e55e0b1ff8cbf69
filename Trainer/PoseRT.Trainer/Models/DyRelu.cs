using System;
using PoseRT.Trainer.Export;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using G = PoseRT.OnnxGraph.OnnxGraphBuilder;

namespace PoseRT.Trainer.Models
{
    /// <summary>Which way DY-ReLU shares its piecewise-linear function (paper section 4).</summary>
    public enum DyReluVariant
    {
        /// <summary>Shared across space and channels: the hyper function outputs 2K numbers.</summary>
        A,

        /// <summary>Shared across space, one function per channel: 2KC numbers.</summary>
        B,

        /// <summary>Per channel, scaled per position by the spatial attention of equation (5).</summary>
        C,
    }

    /// <summary>
    /// Dynamic ReLU, y_c = max_k (a_c^k x_c + b_c^k) (equation 1), with the coefficients from the hyper function
    /// GAP -> FC(C, C/R) -> ReLU -> FC(C/R, 2K[C]) -> 2 sigmoid - 1, a = alpha + lambda_a da, b = beta + lambda_b db
    /// (equation 4). Variant C multiplies a and b by pi_hw = min(gamma softmax(z/tau)_hw, 1) (equation 5), computed
    /// here as pi * max_k(a x + b), which is the same because pi is never negative and is one multiply per element.
    /// The second FC and the spatial conv start at zero, so a fresh DY-ReLU-A/B is exactly ReLU (Table 1) and DY-ReLU-C is ReLU / 3.
    /// </summary>
    public sealed partial class DyRelu : nn.Module<Tensor, Tensor>, IOnnxExportable
    {
        private readonly Linear fc1;
        private readonly Linear fc2;
        private readonly Conv2d? spatial;

        /// <summary>Creates DY-ReLU for <paramref name="channels"/> input channels.</summary>
        public DyRelu(long channels, DyReluVariant variant, DyReluOptions options) : base("DyRelu")
        {
            options.Validate();
            if (channels < 1) throw new ArgumentOutOfRangeException(nameof(channels), channels, "DY-ReLU needs at least one channel.");
            Channels = channels;
            Variant = variant;
            Options = options.Clone();
            Squeeze = Math.Max(1, channels / options.Reduction);
            CoefficientChannels = variant == DyReluVariant.A ? 1 : channels;
            fc1 = nn.Linear(channels, Squeeze);
            fc2 = nn.Linear(Squeeze, 2L * options.K * CoefficientChannels);
            register_module("fc1", fc1);
            register_module("fc2", fc2);
            if (variant == DyReluVariant.C)
            {
                spatial = nn.Conv2d(channels, 1, 1);
                register_module("spatial", spatial);
            }
            ResetHyperFunction();
        }

        /// <summary>
        /// Initialises the hyper function: second FC at zero (zero residuals: DY-ReLU starts as ReLU), first FC's bias at
        /// +0.1 so its ReLU units start alive (with zero FC2 weights, a unit that is dead for every input would never let
        /// the FC2 weights, and so FC1, learn; C/R can be 1 in narrow layers), and the spatial conv at zero, so the
        /// attention starts exactly uniform (pi = gamma/HW = 1/3 everywhere) and DY-ReLU-C starts as ReLU / 3.
        /// The paper does not give this init. A random one (we tried std 1/sqrt(C), z/tau of order 0.1) multiplies
        /// every activation by input-dependent noise of about 10%, and a tiny MobileNetV3 then stayed on the
        /// "predict the mean heatmap" plateau where its static twin learned (docs/models.md, "DY-ReLU-C init");
        /// from zero, the softmax's gradient still reaches the conv, so the attention is learned, not frozen.
        /// </summary>
        public void ResetHyperFunction()
        {
            using var _ = torch.no_grad();
            fc2.weight!.zero_();
            fc2.bias!.zero_();
            fc1.bias!.fill_(0.1);
            if (spatial is not null)
            {
                spatial.weight!.zero_();
                spatial.bias!.zero_();
            }
        }

        /// <summary>Input (and output) channels.</summary>
        public long Channels { get; }

        /// <summary>Sharing variant.</summary>
        public DyReluVariant Variant { get; }

        /// <summary>Hyper-parameters (a private copy).</summary>
        public DyReluOptions Options { get; }

        /// <summary>Width of the hyper function's hidden layer, C/R (at least 1).</summary>
        public long Squeeze { get; }

        /// <summary>Channels of each coefficient tensor: 1 for variant A, C otherwise.</summary>
        public long CoefficientChannels { get; }

        /// <summary>
        /// Per coefficient j (a^1..a^K then b^1..b^K), the scale and offset that map sigmoid(t) to the coefficient:
        /// alpha_k + lambda_a (2 sigmoid - 1) = sigmoid * 2 lambda_a + (alpha_k - lambda_a). The ONNX export uses the same numbers.
        /// </summary>
        private (float Scale, float Offset) Coefficient(int j)
        {
            int k = Options.K;
            return j < k
                ? ((float)(2 * Options.LambdaA), (float)(Options.Alpha[j] - Options.LambdaA))
                : ((float)(2 * Options.LambdaB), (float)(Options.Beta[j - k] - Options.LambdaB));
        }

        /// <summary>gamma of equation (5) for an H x W map: the option, or HW/3 (the paper's default).</summary>
        private double GammaFor(long height, long width) => Options.Gamma ?? height * width / 3.0;

        /// <summary>Applies DY-ReLU to an N x C x H x W tensor.</summary>
        public override Tensor forward(Tensor x)
        {
            if (x.dim() != 4 || x.shape[1] != Channels)
                throw new ArgumentException($"DY-ReLU for {Channels} channels got a tensor of shape [{string.Join(", ", x.shape)}]; expected N x {Channels} x H x W.", nameof(x));
            using var scope = torch.NewDisposeScope();
            long n = x.shape[0], h = x.shape[2], w = x.shape[3];
            int k = Options.K;
            var context = x.mean(new long[] { 2, 3 });
            var t = fc2.forward(nn.functional.relu(fc1.forward(context))).sigmoid();
            var coefficients = t.view(n, 2L * k, CoefficientChannels, 1, 1);
            // Every Scalar lives in a using: TorchSharp passes a temporary Scalar's handle to native code without keeping
            // the Scalar reachable, so the finalizer could free it mid-call (seen in CI as a garbage Scalar in add).
            using Scalar one = 1f.ToScalar();
            Tensor? y = null;
            for (int i = 0; i < k; i++)
            {
                var (sa, oa) = Coefficient(i);
                var (sb, ob) = Coefficient(k + i);
                using Scalar scaleA = sa.ToScalar(), offsetA = oa.ToScalar(), scaleB = sb.ToScalar(), offsetB = ob.ToScalar();
                var a = coefficients.select(1, i).mul(scaleA).add(offsetA, one);
                var b = coefficients.select(1, k + i).mul(scaleB).add(offsetB, one);
                var piece = x.mul(a).add(b, one);
                y = y is null ? piece : torch.maximum(y, piece);
            }
            if (spatial is not null)
            {
                y = y!.mul(SpatialAttention(x));
            }
            return y!.MoveToOuterDisposeScope();
        }

        /// <summary>pi of equation (5), shape N x 1 x H x W; only for variant C.</summary>
        public Tensor SpatialAttention(Tensor x)
        {
            if (spatial is null) throw new InvalidOperationException($"DY-ReLU-{Variant} has no spatial attention; only variant C does.");
            using var scope = torch.NewDisposeScope();
            long n = x.shape[0], h = x.shape[2], w = x.shape[3];
            using Scalar tau = Options.Tau.ToScalar(), gamma = GammaFor(h, w).ToScalar(), one = 1.0.ToScalar();
            var z = spatial.forward(x).view(n, h * w).div(tau);
            var pi = z.softmax(1).mul(gamma).clamp_max(one).view(n, 1, h, w);
            return pi.MoveToOuterDisposeScope();
        }

        /// <summary>The <see cref="OnnxExportOptions.DyReluForm"/> chosen: <see cref="ExportFused"/> or <see cref="ExportReference"/>.</summary>
        string IOnnxExportable.Export(OnnxExportContext ctx, string input) =>
            ctx.Options.DyReluForm == DyReluGraphForm.Fused ? ExportFused(ctx, input, ctx.ConvProducing(input)) : ExportReference(ctx, input);

        /// <summary>
        /// <see cref="DyReluGraphForm.Reference"/>: <see cref="forward"/> in 4-D standard operators. The hyper function on
        /// N x C vectors, coefficients split into 2K tensors of N x C' x 1 x 1 that broadcast over the feature map, max over
        /// the K pieces, and (variant C) one multiply by the N x 1 x H x W attention after the max.
        /// </summary>
        private string ExportReference(OnnxExportContext ctx, string x)
        {
            var g = ctx.Graph;
            var s = ctx.Shape;
            int k = Options.K;
            long cc = CoefficientChannels;
            long total = 2L * k * cc;
            var pooled = g.Node("GlobalAveragePool", ctx.Name("pool"), new[] { x });
            var flat = g.Node("Flatten", ctx.Name("flatten"), new[] { pooled }, G.Int("axis", 1));
            var w1 = g.Float(ctx.Name("fc1.weight"), fc1.weight!);
            var b1 = g.Float(ctx.Name("fc1.bias"), fc1.bias!);
            var h = g.Node("Gemm", ctx.Name("fc1"), new[] { flat, w1, b1 }, G.Int("transB", 1));
            h = g.Node("Relu", ctx.Name("relu"), new[] { h });
            var w2 = g.Float(ctx.Name("fc2.weight"), fc2.weight!);
            var b2 = g.Float(ctx.Name("fc2.bias"), fc2.bias!);
            var t = g.Node("Gemm", ctx.Name("fc2"), new[] { h, w2, b2 }, G.Int("transB", 1));
            t = g.Node("Sigmoid", ctx.Name("sigmoid"), new[] { t });
            var scale = new float[total];
            var offset = new float[total];
            for (int j = 0; j < 2 * k; j++)
            {
                var (sc, of) = Coefficient(j);
                for (long c = 0; c < cc; c++)
                {
                    scale[j * cc + c] = sc;
                    offset[j * cc + c] = of;
                }
            }
            t = g.Node("Mul", ctx.Name("coef_mul"), new[] { t, g.Float(ctx.Name("coef_scale"), scale, total) });
            t = g.Node("Add", ctx.Name("coef"), new[] { t, g.Float(ctx.Name("coef_offset"), offset, total) });
            t = g.Node("Reshape", ctx.Name("coef_4d"), new[] { t, g.Int64(ctx.Name("coef_shape"), new[] { -1, total, 1, 1 }) });
            var coefficients = g.Node("Split", ctx.Name("coef_split"), 2 * k, new[] { t }, G.Int("axis", 1));
            var pieces = new string[k];
            for (int i = 0; i < k; i++)
            {
                var ax = g.Node("Mul", ctx.Name($"piece{i}_mul"), new[] { x, coefficients[i] });
                pieces[i] = g.Node("Add", ctx.Name($"piece{i}"), new[] { ax, coefficients[k + i] });
            }
            var y = k == 1 ? pieces[0] : g.Node("Max", ctx.Name("max"), pieces);
            if (spatial is null) return y;

            var z = ctx.Branch(s, () => ctx.Conv(spatial, null, x, "spatial", 1, 1));
            z = g.Node("Flatten", ctx.Name("spatial_flatten"), new[] { z }, G.Int("axis", 1));
            z = g.Node("Div", ctx.Name("spatial_tau"), new[] { z, g.Float(ctx.Name("tau"), new[] { (float)Options.Tau }) });
            z = g.Node("Softmax", ctx.Name("spatial_softmax"), new[] { z }, G.Int("axis", 1));
            z = g.Node("Mul", ctx.Name("spatial_gamma"), new[] { z, g.Float(ctx.Name("gamma"), new[] { (float)GammaFor(s.H, s.W) }) });
            z = g.Node("Min", ctx.Name("spatial_clamp"), new[] { z, g.Float(ctx.Name("one"), new[] { 1f }) });
            var pi = g.Node("Reshape", ctx.Name("attention"), new[] { z, g.Int64(ctx.Name("attention_shape"), new[] { -1, 1, s.H, s.W }) });
            return g.Node("Mul", ctx.Name("out"), new[] { y, pi });
        }
    }
}
