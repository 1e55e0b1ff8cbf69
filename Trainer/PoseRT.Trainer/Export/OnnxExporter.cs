using System;
using System.Globalization;
using System.IO;
using Google.Protobuf;
using Onnx;
using PoseRT.Runtime.Model;
using PoseRT.Trainer.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using G = PoseRT.OnnxGraph.OnnxGraphBuilder;

using PoseRT.IO;

namespace PoseRT.Trainer.Export
{
    /// <summary>
    /// Writes a <see cref="PoseNet"/> as an ONNX model (opset 17, IR version 8) in eval-mode semantics: BatchNorm folded
    /// into the preceding convolution, DY-ReLU in standard operators, input <c>image</c> [N, 3, H, W] with a symbolic
    /// batch N, output <c>heatmaps</c> [N, K, H/4, W/4], and the <see cref="PoseModelInfo"/> as metadata. Initializers are
    /// named after the module parameters (<c>backbone.blocks.3.expand.conv.weight</c>; a folded conv gains a
    /// <c>.conv.bias</c>); export-only constants end in <c>.coef_scale</c>, <c>.coef_offset</c> and similar. In the
    /// <see cref="DyReluGraphForm.Fused"/> graph a DY-ReLU parameter folded with its neighbours keeps its name as a prefix
    /// (<c>.fc1.weight_through_conv</c>), and the attention conv's bias is dropped (softmax ignores a constant shift).
    /// </summary>
    public static partial class OnnxExporter
    {
        /// <summary>ONNX operator set version written.</summary>
        public const int Opset = 17;

        /// <summary>ONNX IR version written.</summary>
        public const long IrVersion = 8;

        /// <summary>Name of the graph input.</summary>
        public const string InputName = "image";

        /// <summary>Name of the graph output.</summary>
        public const string OutputName = "heatmaps";

        /// <summary>
        /// The metadata for <paramref name="model"/>: COCO keypoints, ImageNet mean/std (RGB), the model's input size,
        /// architecture and activation names, and <paramref name="provenance"/> (free text, JSON by convention).
        /// </summary>
        public static PoseModelInfo Describe(PoseNet model, string provenance = "")
        {
            ArgumentNullException.ThrowIfNull(model);
            var o = model.Options;
            var keypoints = CocoKeypoints.Schema;
            if (o.Keypoints != keypoints.Count)
            {
                // Not COCO's keypoints: named by index, with no pairs, limbs, parts or sigmas to claim.
                var names = new string[o.Keypoints];
                for (int i = 0; i < o.Keypoints; i++) names[i] = "k" + i.ToString(CultureInfo.InvariantCulture);
                keypoints = new KeypointSchema(names, Array.Empty<(int, int)>(), Array.Empty<(int, int)>(), Array.Empty<BodyPart>(), Array.Empty<double>());
            }
            return new PoseModelInfo
            {
                InputHeight = o.InputHeight,
                InputWidth = o.InputWidth,
                HeatmapStride = PoseNet.HeatmapStride,
                Architecture = o.ArchitectureName,
                Activation = o.ActivationName,
                Provenance = provenance,
                Keypoints = keypoints,
            };
        }

        /// <summary>
        /// Exports <paramref name="model"/> to <paramref name="path"/> (written to a temporary file, then renamed);
        /// <paramref name="exportOptions"/> chooses among equivalent graphs (default: <see cref="OnnxExportOptions.Default"/>).
        /// <paramref name="info"/> must agree with the model (input size, keypoint count, stride 4); its architecture and
        /// activation are replaced by the model's own names. Throws <see cref="ArgumentException"/> naming a mismatch.
        /// </summary>
        public static void Export(PoseNet model, PoseModelInfo info, string path, OnnxExportOptions? exportOptions = null)
        {
            ArgumentNullException.ThrowIfNull(path);
            var proto = Build(model, info, exportOptions);
            AtomicFile.Write(path, proto.WriteTo);
        }

        /// <summary>Builds the ONNX model in memory (<paramref name="exportOptions"/>: graph choices, by default the fastest).</summary>
        public static ModelProto Build(PoseNet model, PoseModelInfo info, OnnxExportOptions? exportOptions = null)
        {
            ArgumentNullException.ThrowIfNull(model);
            ArgumentNullException.ThrowIfNull(info);
            var o = model.Options;
            info.Validate();
            if (info.InputHeight != o.InputHeight || info.InputWidth != o.InputWidth)
                throw new ArgumentException($"Model info input size {info.InputHeight}x{info.InputWidth} differs from the model's {o.InputHeight}x{o.InputWidth}.", nameof(info));
            if (info.KeypointCount != o.Keypoints)
                throw new ArgumentException($"Model info names {info.KeypointCount} keypoints; the model outputs {o.Keypoints}.", nameof(info));
            if (info.HeatmapStride != PoseNet.HeatmapStride)
                throw new ArgumentException($"Model info heatmap stride {info.HeatmapStride} differs from the model's {PoseNet.HeatmapStride}.", nameof(info));

            var g = new G("posert_" + o.ArchitectureName);
            g.Input(InputName, "N", 3, o.InputHeight, o.InputWidth);
            var exporter = new Emitter(g, exportOptions ?? OnnxExportOptions.Default);
            var shape = new Shape(3, o.InputHeight, o.InputWidth);
            string x = InputName;
            using (torch.no_grad())
            {
                x = exporter.ConvBnAct(model.BackboneNet.Stem, x, "backbone.stem", ref shape);
                for (int i = 0; i < model.BackboneNet.Blocks.Count; i++)
                    x = exporter.Block(model.BackboneNet.Blocks[i], x, $"backbone.blocks.{i}", ref shape);
                x = exporter.ConvBnAct(model.BackboneNet.Last, x, "backbone.last", ref shape);
                x = exporter.ConvBnAct(model.Head.Reduce, x, "head.reduce", ref shape);
                for (int i = 0; i < model.Head.Blocks.Count; i++)
                    x = exporter.Block(model.Head.Blocks[i], x, $"head.blocks.{i}", ref shape);
                x = exporter.Conv(model.Head.Final, null, x, "head.final", ref shape, 1, 1);
            }
            g.Output(x, OutputName, "N", o.Keypoints, o.InputHeight / PoseNet.HeatmapStride, o.InputWidth / PoseNet.HeatmapStride);

            var described = info with { Architecture = o.ArchitectureName, Activation = o.ActivationName };
            var proto = g.ToModel(
                IrVersion,
                Opset,
                "posert-train",
                typeof(OnnxExporter).Assembly.GetName().Version?.ToString() ?? "0",
                $"PoseRT {o.ArchitectureName} ({o.ActivationName}) {o.InputHeight}x{o.InputWidth}, {o.Keypoints} heatmaps at stride {PoseNet.HeatmapStride}.",
                described.ToMetadata());
            return proto;
        }

        private struct Shape
        {
            public Shape(long c, long h, long w)
            {
                C = c;
                H = h;
                W = w;
            }

            public long C;
            public long H;
            public long W;
        }

        private sealed record FoldedConv(float[] Weight, float[] Bias, long OutChannels, long InChannelsPerGroup, long Kernel, long Stride, long Groups)
        {
            public long InChannels => InChannelsPerGroup * Groups;
        }

        private sealed record ConvSource(string Input, FoldedConv Conv);

        private sealed partial class Emitter
        {
            private readonly G g;
            private readonly OnnxExportOptions options;

            public Emitter(G g, OnnxExportOptions options)
            {
                this.g = g;
                this.options = options;
            }

            public string ConvBnAct(ConvBnAct layer, string x, string prefix, ref Shape s)
            {
                var input = x;
                x = Conv(layer.Conv, layer.Bn, x, prefix + ".conv", ref s, layer.Stride, layer.Groups, out var folded);
                if (layer.Act is DyRelu dy && options.DyReluForm == DyReluGraphForm.Fused)
                    return FusedDynamicRelu(dy, x, prefix + ".act", s, new ConvSource(input, folded));
                return layer.Act is null ? x : Activation(layer.Act, x, prefix + ".act", s);
            }

            /// <summary>A convolution; with <paramref name="bn"/> its eval-mode affine map is folded into weight and bias.</summary>
            public string Conv(Conv2d conv, BatchNorm2d? bn, string x, string prefix, ref Shape s, long stride, long groups) =>
                Conv(conv, bn, x, prefix, ref s, stride, groups, out _);

            public string Conv(Conv2d conv, BatchNorm2d? bn, string x, string prefix, ref Shape s, long stride, long groups, out FoldedConv folded)
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
                        double scale = gamma[o] / Math.Sqrt(variance[o] + Models.ConvBnAct.BnEps);
                        for (long j = 0; j < per; j++) w[o * per + j] = (float)(w[o * per + j] * scale);
                        b[o] = (float)((b[o] - mean[o]) * scale + beta[o]);
                    }
                }
                var wName = g.Float(prefix + ".weight", w, co, ci, k, k);
                var bName = g.Float(prefix + ".bias", b, co);
                long pad = (k - 1) / 2;
                var y = g.Node("Conv", prefix, new[] { x, wName, bName },
                    G.Ints("kernel_shape", k, k), G.Ints("strides", stride, stride), G.Ints("pads", pad, pad, pad, pad),
                    G.Ints("dilations", 1, 1), G.Int("group", groups));
                s = new Shape(co, (s.H + 2 * pad - k) / stride + 1, (s.W + 2 * pad - k) / stride + 1);
                folded = new FoldedConv(w, b, co, ci, k, stride, groups);
                return y;
            }

            public string Block(InvertedResidual block, string x, string prefix, ref Shape s)
            {
                var input = x;
                if (block.Upsample)
                {
                    var scales = g.Float(prefix + ".upsample_scales", new[] { 1f, 1f, 2f, 2f }, 4);
                    input = g.Node("Resize", prefix + ".upsample", new[] { x, "", scales },
                        G.Text("mode", "linear"), G.Text("coordinate_transformation_mode", "half_pixel"));
                    s = new Shape(s.C, s.H * 2, s.W * 2);
                }
                var y = input;
                if (block.Expand is not null) y = ConvBnAct(block.Expand, y, prefix + ".expand", ref s);
                y = ConvBnAct(block.Depthwise, y, prefix + ".depthwise", ref s);
                if (block.Se is not null) y = SqueezeExcite(block.Se, y, prefix + ".se");
                y = ConvBnAct(block.Project, y, prefix + ".project", ref s);
                if (block.HasResidual) y = g.Node("Add", prefix + ".add", new[] { y, input });
                return y;
            }

            private string SqueezeExcite(Models.SqueezeExcite se, string x, string prefix)
            {
                var pooled = g.Node("GlobalAveragePool", prefix + ".pool", new[] { x });
                var dummy = new Shape(0, 1, 1);
                var h = Conv(se.Fc1, null, pooled, prefix + ".fc1", ref dummy, 1, 1);
                h = g.Node("Relu", prefix + ".relu", new[] { h });
                h = Conv(se.Fc2, null, h, prefix + ".fc2", ref dummy, 1, 1);
                // torch hardsigmoid = relu6(x + 3) / 6 = clip(x / 6 + 0.5, 0, 1).
                h = g.Node("HardSigmoid", prefix + ".hardsigmoid", new[] { h }, G.Float("alpha", 1f / 6f), G.Float("beta", 0.5f));
                return g.Node("Mul", prefix + ".scale", new[] { x, h });
            }

            private string Activation(nn.Module act, string x, string prefix, Shape s)
            {
                switch (act)
                {
                    case StaticActivation sa:
                        return sa.Kind switch
                        {
                            ActivationKind.Relu => g.Node("Relu", prefix, new[] { x }),
                            ActivationKind.HSwish => g.Node("HardSwish", prefix, new[] { x }),
                            _ => g.Node("LeakyRelu", prefix, new[] { x }, G.Float("alpha", (float)StaticActivation.LeakySlope)),
                        };
                    case PReLU prelu:
                        {
                            // ONNX PRelu broadcasts the slope against N x C x H x W from the right: shape it C x 1 x 1.
                            var slope = g.Float(prefix + ".weight", prelu.weight!, s.C, 1, 1);
                            return g.Node("PRelu", prefix, new[] { x, slope });
                        }
                    case DyRelu dy:
                        return DynamicRelu(dy, x, prefix, s);
                    default:
                        throw new NotSupportedException($"ONNX export does not know activation module {act.GetType().Name} at {prefix}.");
                }
            }

            /// <summary>
            /// DY-ReLU in 4-D standard operators: the hyper function on N x C vectors, coefficients split into 2K tensors
            /// of N x C' x 1 x 1 that broadcast over the feature map, max over the K pieces, and (variant C) one multiply by
            /// the N x 1 x H x W attention after the max (equal to scaling a and b because pi >= 0).
            /// </summary>
            private string DynamicRelu(DyRelu dy, string x, string prefix, Shape s)
            {
                int k = dy.Options.K;
                long cc = dy.CoefficientChannels;
                long total = 2L * k * cc;
                var pooled = g.Node("GlobalAveragePool", prefix + ".pool", new[] { x });
                var flat = g.Node("Flatten", prefix + ".flatten", new[] { pooled }, G.Int("axis", 1));
                var w1 = g.Float(prefix + ".fc1.weight", dy.Fc1.weight!);
                var b1 = g.Float(prefix + ".fc1.bias", dy.Fc1.bias!);
                var h = g.Node("Gemm", prefix + ".fc1", new[] { flat, w1, b1 }, G.Int("transB", 1));
                h = g.Node("Relu", prefix + ".relu", new[] { h });
                var w2 = g.Float(prefix + ".fc2.weight", dy.Fc2.weight!);
                var b2 = g.Float(prefix + ".fc2.bias", dy.Fc2.bias!);
                var t = g.Node("Gemm", prefix + ".fc2", new[] { h, w2, b2 }, G.Int("transB", 1));
                t = g.Node("Sigmoid", prefix + ".sigmoid", new[] { t });
                var scale = new float[total];
                var offset = new float[total];
                for (int j = 0; j < 2 * k; j++)
                {
                    var (sc, of) = dy.Coefficient(j);
                    for (long c = 0; c < cc; c++)
                    {
                        scale[j * cc + c] = sc;
                        offset[j * cc + c] = of;
                    }
                }
                t = g.Node("Mul", prefix + ".coef_mul", new[] { t, g.Float(prefix + ".coef_scale", scale, total) });
                t = g.Node("Add", prefix + ".coef", new[] { t, g.Float(prefix + ".coef_offset", offset, total) });
                t = g.Node("Reshape", prefix + ".coef_4d", new[] { t, g.Int64(prefix + ".coef_shape", new[] { -1, total, 1, 1 }) });
                var coefficients = g.Node("Split", prefix + ".coef_split", 2 * k, new[] { t }, G.Int("axis", 1));
                var pieces = new string[k];
                for (int i = 0; i < k; i++)
                {
                    var ax = g.Node("Mul", prefix + $".piece{i}_mul", new[] { x, coefficients[i] });
                    pieces[i] = g.Node("Add", prefix + $".piece{i}", new[] { ax, coefficients[k + i] });
                }
                var y = k == 1 ? pieces[0] : g.Node("Max", prefix + ".max", pieces);
                if (dy.Spatial is null) return y;

                var dummy = new Shape(s.C, s.H, s.W);
                var z = Conv(dy.Spatial, null, x, prefix + ".spatial", ref dummy, 1, 1);
                z = g.Node("Flatten", prefix + ".spatial_flatten", new[] { z }, G.Int("axis", 1));
                z = g.Node("Div", prefix + ".spatial_tau", new[] { z, g.Float(prefix + ".tau", new[] { (float)dy.Options.Tau }) });
                z = g.Node("Softmax", prefix + ".spatial_softmax", new[] { z }, G.Int("axis", 1));
                z = g.Node("Mul", prefix + ".spatial_gamma", new[] { z, g.Float(prefix + ".gamma", new[] { (float)dy.GammaFor(s.H, s.W) }) });
                z = g.Node("Min", prefix + ".spatial_clamp", new[] { z, g.Float(prefix + ".one", new[] { 1f }) });
                var pi = g.Node("Reshape", prefix + ".attention", new[] { z, g.Int64(prefix + ".attention_shape", new[] { -1, 1, s.H, s.W }) });
                return g.Node("Mul", prefix + ".out", new[] { y, pi });
            }
        }
    }
}
