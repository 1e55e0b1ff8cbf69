using System;
using System.Collections.Generic;
using PoseRT.OnnxGraph;
using PoseRT.Trainer.Models;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PoseRT.Trainer.Export
{
    /// <summary>Channels, height and width of one sample of a feature map (the batch stays symbolic).</summary>
    internal readonly record struct FeatureShape(long C, long H, long W);

    /// <summary>A convolution after BatchNorm folding, as written: row-major weights [Cout, Cin/groups, k, k] and bias.</summary>
    internal sealed record FoldedConv(float[] Weight, float[] Bias, long OutChannels, long InChannelsPerGroup, long Kernel, long Stride, long Groups)
    {
        public long InChannels => InChannelsPerGroup * Groups;
    }

    /// <summary>
    /// The convolution that computed a value, and its input: what the fused DY-ReLU folds through. <paramref name="Upsampled"/>:
    /// the value is the convolution's output after the head's 2x bilinear upsampling (<see cref="HeadUpsampling.AfterExpand"/>).
    /// </summary>
    internal sealed record ConvSource(string Input, FoldedConv Conv, bool Upsampled = false);

    /// <summary>
    /// The state of one ONNX export walk: the graph, the options, the current module path and feature shape, and the
    /// TorchSharp building blocks (<see cref="Conv2d"/> with an optional BatchNorm, <see cref="PReLU"/>) that PoseRT's
    /// own modules are made of but that cannot implement <see cref="IOnnxExportable"/> themselves.
    /// </summary>
    internal sealed class OnnxExportContext
    {
        private readonly Dictionary<string, ConvSource> convOutputs = new(StringComparer.Ordinal);

        public OnnxExportContext(OnnxGraphBuilder graph, OnnxExportOptions options, FeatureShape shape)
        {
            Graph = graph;
            Options = options;
            Shape = shape;
        }

        /// <summary>The graph being written.</summary>
        public OnnxGraphBuilder Graph { get; }

        /// <summary>The graph choices (DY-ReLU form).</summary>
        public OnnxExportOptions Options { get; }

        /// <summary>State_dict path of the module being exported (<c>backbone.blocks.3</c>; empty at the root).</summary>
        public string Prefix { get; private set; } = "";

        /// <summary>Shape of the value the current module reads on entry and writes on return.</summary>
        public FeatureShape Shape { get; set; }

        /// <summary>The name <paramref name="suffix"/> inside the current module (<c>Prefix.suffix</c>).</summary>
        public string Name(string suffix) => Prefix.Length == 0 ? suffix : Prefix + "." + suffix;

        /// <summary>Exports the child module registered as <paramref name="name"/> on <paramref name="input"/>.</summary>
        public string Child(string name, IOnnxExportable module, string input) => Child(name, () => module.Export(this, input));

        /// <summary>Writes <paramref name="emit"/>'s nodes as those of the child registered as <paramref name="name"/>.</summary>
        public string Child(string name, Func<string> emit)
        {
            var parent = Prefix;
            Prefix = Name(name);
            try
            {
                return emit();
            }
            finally
            {
                Prefix = parent;
            }
        }

        /// <summary>
        /// 2x bilinear upsampling with half-pixel centres (PyTorch align_corners=False) named <paramref name="name"/>; updates
        /// <see cref="Shape"/>. The upsampled output of a convolution stays known as that convolution's (marked upsampled).
        /// </summary>
        public string Upsample2x(string input, string name)
        {
            var scales = Graph.Float(name + "_scales", new[] { 1f, 1f, 2f, 2f }, 4);
            var y = Graph.Node("Resize", name, new[] { input, "", scales },
                OnnxGraphBuilder.Text("mode", "linear"), OnnxGraphBuilder.Text("coordinate_transformation_mode", "half_pixel"));
            Shape = Shape with { H = Shape.H * 2, W = Shape.W * 2 };
            if (convOutputs.TryGetValue(input, out var src)) convOutputs[y] = src with { Upsampled = true };
            return y;
        }

        /// <summary>
        /// Exports the activation module registered as <paramref name="name"/>: PoseRT's own activations export
        /// themselves; TorchSharp's <see cref="PReLU"/> is written here.
        /// </summary>
        public string Activation(string name, nn.Module act, string input)
        {
            switch (act)
            {
                case IOnnxExportable own:
                    return Child(name, own, input);
                case PReLU prelu:
                    {
                        // ONNX PRelu broadcasts the slope against N x C x H x W from the right: shape it C x 1 x 1.
                        var prefix = Name(name);
                        var slope = Graph.Float(prefix + ".weight", prelu.weight!, Shape.C, 1, 1);
                        return Graph.Node("PRelu", prefix, new[] { input, slope });
                    }
                default:
                    throw new NotSupportedException($"ONNX export does not know activation module {act.GetType().Name} at {Name(name)}.");
            }
        }

        /// <summary>
        /// The convolution registered as <paramref name="name"/> ("same" padding); with <paramref name="bn"/> its
        /// eval-mode affine map is folded into weight and bias. Updates <see cref="Shape"/> to the output's.
        /// </summary>
        public string Conv(Conv2d conv, BatchNorm2d? bn, string input, string name, long stride, long groups)
        {
            var weight = conv.weight!;
            long co = weight.shape[0], ci = weight.shape[1], k = weight.shape[2];
            float[] w = TensorInitializers.HostFloats(weight);
            float[] b = conv.bias is null ? new float[co] : TensorInitializers.HostFloats(conv.bias);
            if (bn is not null)
            {
                var gamma = TensorInitializers.HostFloats(bn.weight!);
                var beta = TensorInitializers.HostFloats(bn.bias!);
                var mean = TensorInitializers.HostFloats(bn.running_mean!);
                var variance = TensorInitializers.HostFloats(bn.running_var!);
                long per = ci * k * k;
                for (long o = 0; o < co; o++)
                {
                    double scale = gamma[o] / Math.Sqrt(variance[o] + ConvBnAct.BnEps);
                    for (long j = 0; j < per; j++) w[o * per + j] = (float)(w[o * per + j] * scale);
                    b[o] = (float)((b[o] - mean[o]) * scale + beta[o]);
                }
            }
            var prefix = Name(name);
            var wName = Graph.Float(prefix + ".weight", w, co, ci, k, k);
            var bName = Graph.Float(prefix + ".bias", b, co);
            long pad = (k - 1) / 2;
            var y = Graph.Node("Conv", prefix, new[] { input, wName, bName },
                OnnxGraphBuilder.Ints("kernel_shape", k, k), OnnxGraphBuilder.Ints("strides", stride, stride), OnnxGraphBuilder.Ints("pads", pad, pad, pad, pad),
                OnnxGraphBuilder.Ints("dilations", 1, 1), OnnxGraphBuilder.Int("group", groups));
            var s = Shape;
            Shape = new FeatureShape(co, (s.H + 2 * pad - k) / stride + 1, (s.W + 2 * pad - k) / stride + 1);
            convOutputs[y] = new ConvSource(input, new FoldedConv(w, b, co, ci, k, stride, groups));
            return y;
        }

        /// <summary>A side branch (SE, attention) whose convolutions must not change the main path's <see cref="Shape"/>.</summary>
        public string Branch(FeatureShape branchShape, Func<string> emit)
        {
            var main = Shape;
            Shape = branchShape;
            try
            {
                return emit();
            }
            finally
            {
                Shape = main;
            }
        }

        /// <summary>The convolution written by <see cref="Conv"/> that computed <paramref name="value"/>, or null.</summary>
        public ConvSource? ConvProducing(string value) => convOutputs.TryGetValue(value, out var src) ? src : null;
    }
}
