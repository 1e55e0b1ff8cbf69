using System;
using PoseRT.Trainer.Export;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using G = PoseRT.OnnxGraph.OnnxGraphBuilder;

namespace PoseRT.Trainer.Models
{
    /// <summary>The non-linearity a table row asks for when the network keeps its own activations.</summary>
    public enum TableActivation
    {
        /// <summary>ReLU ("RE" in the MobileNetV3 paper).</summary>
        Relu,

        /// <summary>h-swish ("HS").</summary>
        HSwish,
    }

    /// <summary>A parameter-free activation (ReLU, h-swish, LeakyReLU 0.01).</summary>
    public sealed class StaticActivation : nn.Module<Tensor, Tensor>, IOnnxExportable
    {
        /// <summary>Slope of LeakyReLU for negative inputs (paper Table 1: a small number such as 0.01).</summary>
        public const double LeakySlope = 0.01;

        /// <summary>Creates the activation; <paramref name="kind"/> must be Relu, HSwish or LeakyRelu.</summary>
        public StaticActivation(ActivationKind kind) : base("StaticActivation")
        {
            if (kind != ActivationKind.Relu && kind != ActivationKind.HSwish && kind != ActivationKind.LeakyRelu)
                throw new ArgumentException($"{kind} is not a parameter-free activation.", nameof(kind));
            Kind = kind;
        }

        /// <summary>Relu, HSwish or LeakyRelu.</summary>
        public ActivationKind Kind { get; }

        /// <inheritdoc />
        public override Tensor forward(Tensor x) => Kind switch
        {
            ActivationKind.Relu => nn.functional.relu(x),
            ActivationKind.HSwish => nn.functional.hardswish(x),
            _ => nn.functional.leaky_relu(x, LeakySlope),
        };

        string IOnnxExportable.Export(OnnxExportContext ctx, string input) => Kind switch
        {
            ActivationKind.Relu => ctx.Graph.Node("Relu", ctx.Prefix, new[] { input }),
            ActivationKind.HSwish => ctx.Graph.Node("HardSwish", ctx.Prefix, new[] { input }),
            _ => ctx.Graph.Node("LeakyRelu", ctx.Prefix, new[] { input }, G.Float("alpha", (float)LeakySlope)),
        };
    }

    /// <summary>Builds the activation module for one place in the network.</summary>
    public static class Activations
    {
        /// <summary>
        /// The activation for a layer of <paramref name="channels"/> channels when the part uses <paramref name="kind"/>;
        /// <paramref name="tableDefault"/> is what the architecture's table says (used by <see cref="ActivationKind.Static"/>).
        /// </summary>
        public static nn.Module<Tensor, Tensor> Create(ActivationKind kind, TableActivation tableDefault, long channels, DyReluOptions dyRelu) => kind switch
        {
            ActivationKind.Static => new StaticActivation(tableDefault == TableActivation.HSwish ? ActivationKind.HSwish : ActivationKind.Relu),
            ActivationKind.Relu or ActivationKind.HSwish or ActivationKind.LeakyRelu => new StaticActivation(kind),
            ActivationKind.PRelu => nn.PReLU(channels, 0.25),
            ActivationKind.DyReluA => new DyRelu(channels, DyReluVariant.A, dyRelu),
            ActivationKind.DyReluB => new DyRelu(channels, DyReluVariant.B, dyRelu),
            ActivationKind.DyReluC => new DyRelu(channels, DyReluVariant.C, dyRelu),
            _ => throw new ArgumentException($"Unknown activation {kind}.", nameof(kind)),
        };
    }

    /// <summary>Convolution (no bias) + BatchNorm + optional activation: the unit every MobileNet layer is made of.</summary>
    public sealed class ConvBnAct : nn.Module<Tensor, Tensor>, IOnnxExportable
    {
        /// <summary>BatchNorm epsilon (MobileNetV3's 1e-3), needed again when folding BN into the conv at export.</summary>
        internal const double BnEps = 1e-3;

        /// <summary>Weight of the current batch in BatchNorm's running statistics.</summary>
        internal const double BnMomentum = 0.1;

        private readonly Conv2d conv;
        private readonly BatchNorm2d bn;
        private readonly nn.Module<Tensor, Tensor>? act;

        /// <summary>Creates a k x k convolution with "same" padding, then BN, then <paramref name="activation"/> (null: linear).</summary>
        public ConvBnAct(long inChannels, long outChannels, long kernel, long stride, long groups, nn.Module<Tensor, Tensor>? activation)
            : base("ConvBnAct")
        {
            conv = nn.Conv2d(inChannels, outChannels, kernel, stride: stride, padding: (kernel - 1) / 2, groups: groups, bias: false);
            // eps 1e-3 as PyTorch's MobileNetV3. Momentum 0.1 (PyTorch's default, as SimpleBaselines and HRNet train pose
            // nets) rather than MobileNetV3's ImageNet 0.01: with 0.01 the running statistics trail the weights by ~100
            // steps, and a DY-ReLU-C net, whose activation statistics move fast while its attention forms, then
            // predicted nothing in eval mode (AP 0) while its train-mode loss had fallen 30% (docs/models.md).
            bn = nn.BatchNorm2d(outChannels, eps: BnEps, momentum: BnMomentum);
            act = activation;
            InChannels = inChannels;
            OutChannels = outChannels;
            Kernel = kernel;
            Stride = stride;
            Groups = groups;
            register_module("conv", conv);
            register_module("bn", bn);
            if (act is not null) register_module("act", act);
        }

        /// <summary>Input channels.</summary>
        public long InChannels { get; }

        /// <summary>Output channels.</summary>
        public long OutChannels { get; }

        /// <summary>Kernel size (square).</summary>
        public long Kernel { get; }

        /// <summary>Stride.</summary>
        public long Stride { get; }

        /// <summary>Convolution groups (= channels for depthwise).</summary>
        public long Groups { get; }

        /// <inheritdoc />
        public override Tensor forward(Tensor x)
        {
            using var scope = torch.NewDisposeScope();
            var y = bn.forward(conv.forward(x));
            if (act is not null) y = act.forward(y);
            return y.MoveToOuterDisposeScope();
        }

        /// <summary>Eval mode: BatchNorm folded into the convolution, then the activation.</summary>
        string IOnnxExportable.Export(OnnxExportContext ctx, string input) => Export(ctx, input, y => y);

        /// <summary>The export with <paramref name="between"/> applied to the convolution's output before the activation.</summary>
        internal string Export(OnnxExportContext ctx, string input, Func<string, string> between)
        {
            var y = between(ctx.Conv(conv, bn, input, "conv", Stride, Groups));
            return act is null ? y : ctx.Activation("act", act, y);
        }
    }

    /// <summary>MobileNetV3's squeeze-and-excitation: GAP -> 1x1 conv -> ReLU -> 1x1 conv -> hard-sigmoid -> scale.</summary>
    public sealed class SqueezeExcite : nn.Module<Tensor, Tensor>, IOnnxExportable
    {
        private readonly Conv2d fc1;
        private readonly Conv2d fc2;

        /// <summary>Creates SE for <paramref name="channels"/> channels with a hidden width of <paramref name="squeeze"/>.</summary>
        public SqueezeExcite(long channels, long squeeze) : base("SqueezeExcite")
        {
            fc1 = nn.Conv2d(channels, squeeze, 1);
            fc2 = nn.Conv2d(squeeze, channels, 1);
            register_module("fc1", fc1);
            register_module("fc2", fc2);
        }

        /// <summary>Width of the hidden layer.</summary>
        public long Squeeze => fc1.weight!.shape[0];

        /// <inheritdoc />
        public override Tensor forward(Tensor x)
        {
            using var scope = torch.NewDisposeScope();
            var s = nn.functional.adaptive_avg_pool2d(x, new long[] { 1, 1 });
            s = nn.functional.hardsigmoid(fc2.forward(nn.functional.relu(fc1.forward(s))));
            return x.mul(s).MoveToOuterDisposeScope();
        }

        string IOnnxExportable.Export(OnnxExportContext ctx, string input)
        {
            var g = ctx.Graph;
            var pooled = g.Node("GlobalAveragePool", ctx.Name("pool"), new[] { input });
            var h = ctx.Branch(new FeatureShape(0, 1, 1), () =>
            {
                var z = ctx.Conv(fc1, null, pooled, "fc1", 1, 1);
                z = g.Node("Relu", ctx.Name("relu"), new[] { z });
                return ctx.Conv(fc2, null, z, "fc2", 1, 1);
            });
            // torch hardsigmoid = relu6(x + 3) / 6 = clip(x / 6 + 0.5, 0, 1).
            h = g.Node("HardSigmoid", ctx.Name("hardsigmoid"), new[] { h }, G.Float("alpha", 1f / 6f), G.Float("beta", 0.5f));
            return g.Node("Mul", ctx.Name("scale"), new[] { input, h });
        }
    }

    /// <summary>
    /// MobileNetV2/V3 inverted residual: [2x bilinear upsampling (head)] -> 1x1 expand (skipped when expansion
    /// keeps the width) -> k x k depthwise -> [SE] -> 1x1 linear projection, plus the input when shapes allow.
    /// </summary>
    public sealed class InvertedResidual : nn.Module<Tensor, Tensor>, IOnnxExportable
    {
        private readonly ConvBnAct? expand;
        private readonly ConvBnAct depthwise;
        private readonly SqueezeExcite? se;
        private readonly ConvBnAct project;

        /// <summary>Builds the block from its table row; <paramref name="activation"/> makes the block's activations.</summary>
        public InvertedResidual(long inChannels, BlockSpec spec, bool upsample, Func<TableActivation, long, nn.Module<Tensor, Tensor>> activation, bool keepSqueezeExcite)
            : base("InvertedResidual")
        {
            InChannels = inChannels;
            OutChannels = spec.Out;
            Stride = spec.Stride;
            Upsample = upsample;
            if (spec.Expanded != inChannels)
            {
                expand = new ConvBnAct(inChannels, spec.Expanded, 1, 1, 1, activation(spec.Activation, spec.Expanded));
                register_module("expand", expand);
            }
            depthwise = new ConvBnAct(spec.Expanded, spec.Expanded, spec.Kernel, spec.Stride, spec.Expanded, activation(spec.Activation, spec.Expanded));
            register_module("depthwise", depthwise);
            if (spec.SqueezeExcite && keepSqueezeExcite)
            {
                se = new SqueezeExcite(spec.Expanded, Architectures.MakeDivisible(spec.Expanded / 4.0));
                register_module("se", se);
            }
            project = new ConvBnAct(spec.Expanded, spec.Out, 1, 1, 1, null);
            register_module("project", project);
        }

        /// <summary>Input channels.</summary>
        public long InChannels { get; }

        /// <summary>Output channels.</summary>
        public long OutChannels { get; }

        /// <summary>Depthwise stride.</summary>
        public long Stride { get; }

        /// <summary>True when the block first upsamples its input 2x (bilinear; the head's upsampling).</summary>
        public bool Upsample { get; }

        /// <summary>True when the input is added to the output (stride 1, same width, no upsampling).</summary>
        public bool HasResidual => Stride == 1 && InChannels == OutChannels && !Upsample;

        /// <inheritdoc />
        public override Tensor forward(Tensor x)
        {
            using var scope = torch.NewDisposeScope();
            var input = Upsample ? UpsampleBilinear(x) : x;
            var y = expand is null ? input : expand.forward(input);
            y = depthwise.forward(y);
            if (se is not null) y = se.forward(y);
            y = project.forward(y);
            if (HasResidual)
            {
                // Kept in a using, as in DyRelu.forward: a temporary alpha Scalar could be finalized during the native add.
                using Scalar one = 1f.ToScalar();
                y = y.add(input, one);
            }
            return y.MoveToOuterDisposeScope();
        }

        string IOnnxExportable.Export(OnnxExportContext ctx, string input)
        {
            var g = ctx.Graph;
            var x = input;
            string y;
            string upsampleName = ctx.Name("upsample");
            if (Upsample && expand is not null && ctx.Options.HeadUpsampling == HeadUpsampling.AfterExpand)
            {
                // The residual (never with upsampling) does not need the upsampled input, so only the expanded map is resized.
                y = ctx.Child("expand", () => expand.Export(ctx, input, conv => ctx.Upsample2x(conv, upsampleName)));
            }
            else
            {
                if (Upsample) x = ctx.Upsample2x(input, upsampleName);
                y = expand is null ? x : ctx.Child("expand", expand, x);
            }
            y = ctx.Child("depthwise", depthwise, y);
            if (se is not null) y = ctx.Child("se", se, y);
            y = ctx.Child("project", project, y);
            if (HasResidual) y = g.Node("Add", ctx.Name("add"), new[] { y, x });
            return y;
        }

        /// <summary>2x bilinear upsampling with half-pixel centres (PyTorch align_corners=False, ONNX Resize half_pixel).</summary>
        internal static Tensor UpsampleBilinear(Tensor x) =>
            nn.functional.interpolate(x, size: new long[] { x.shape[2] * 2, x.shape[3] * 2 }, mode: InterpolationMode.Bilinear, align_corners: false);
    }
}
