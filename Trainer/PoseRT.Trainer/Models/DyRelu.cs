using System;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

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
    public sealed class DyRelu : nn.Module<Tensor, Tensor>
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

        internal Linear Fc1 => fc1;

        internal Linear Fc2 => fc2;

        internal Conv2d? Spatial => spatial;

        /// <summary>
        /// Per coefficient j (a^1..a^K then b^1..b^K), the scale and offset that map sigmoid(t) to the coefficient:
        /// alpha_k + lambda_a (2 sigmoid - 1) = sigmoid * 2 lambda_a + (alpha_k - lambda_a). The ONNX exporter uses the same numbers.
        /// </summary>
        internal (float Scale, float Offset) Coefficient(int j)
        {
            int k = Options.K;
            return j < k
                ? ((float)(2 * Options.LambdaA), (float)(Options.Alpha[j] - Options.LambdaA))
                : ((float)(2 * Options.LambdaB), (float)(Options.Beta[j - k] - Options.LambdaB));
        }

        /// <summary>gamma of equation (5) for an H x W map: the option, or HW/3 (the paper's default).</summary>
        internal double GammaFor(long height, long width) => Options.Gamma ?? height * width / 3.0;

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
            Tensor? y = null;
            for (int i = 0; i < k; i++)
            {
                var (sa, oa) = Coefficient(i);
                var (sb, ob) = Coefficient(k + i);
                var a = coefficients.select(1, i).mul(sa).add(oa);
                var b = coefficients.select(1, k + i).mul(sb).add(ob);
                var piece = x.mul(a).add(b);
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
            var z = spatial.forward(x).view(n, h * w).div(Options.Tau);
            var pi = z.softmax(1).mul(GammaFor(h, w)).clamp_max(1.0).view(n, 1, h, w);
            return pi.MoveToOuterDisposeScope();
        }
    }
}
