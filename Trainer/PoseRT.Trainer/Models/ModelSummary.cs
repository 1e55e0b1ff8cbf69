using System;
using System.Collections.Generic;
using PoseRT.Trainer.Export;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PoseRT.Trainer.Models
{
    /// <summary>Cost of one layer of a <see cref="PoseNet"/> for one input image.</summary>
    /// <param name="Name">Module path, as in the state_dict (e.g. <c>backbone.blocks.3</c>).</param>
    /// <param name="Output">Output shape C x H x W.</param>
    /// <param name="Parameters">Trainable parameters (BatchNorm's scale and shift included, running statistics not).</param>
    /// <param name="MultiplyAdds">Multiply-adds, counted as described on <see cref="ModelSummary"/>.</param>
    public sealed record LayerCost(string Name, string Output, long Parameters, long MultiplyAdds);

    /// <summary>Per-layer and total cost of a model.</summary>
    /// <param name="Layers">The layers in forward order.</param>
    /// <param name="Parameters">Sum of the layers' parameters (all of the model's trainable parameters).</param>
    /// <param name="MultiplyAdds">Sum of the layers' multiply-adds.</param>
    public sealed record ModelCost(IReadOnlyList<LayerCost> Layers, long Parameters, long MultiplyAdds);

    /// <summary>
    /// Counts parameters and multiply-adds (MAdds) of a <see cref="PoseNet"/> at its configured input size, batch 1.
    /// Counted: every convolution (Cout x H' x W' x Cin/groups x k x k) and fully connected layer (in x out), including
    /// those inside SE and DY-ReLU's hyper function and DY-ReLU-C's 1x1 spatial conv; global average pooling (one
    /// per input element) in SE and DY-ReLU; SE's channel scaling (one per element); DY-ReLU's K linear pieces (K per
    /// element) and DY-ReLU-C's spatial scaling (one per element). Not counted: biases, BatchNorm (folded into the
    /// convs at export), parameter-free activations, softmax, upsampling and residual additions.
    /// </summary>
    public static class ModelSummary
    {
        /// <summary>
        /// The cost of <paramref name="model"/> at <see cref="PoseNetOptions.InputHeight"/> x <see cref="PoseNetOptions.InputWidth"/>.
        /// <paramref name="headUpsampling"/>: where the head's expansions are counted; <see cref="HeadUpsampling.BeforeExpand"/>
        /// (the default) is the architecture's count, comparable with the paper's, <see cref="HeadUpsampling.AfterExpand"/> what an
        /// export with that order executes (those expansions at a quarter of the positions).
        /// </summary>
        public static ModelCost Compute(PoseNet model, HeadUpsampling headUpsampling = HeadUpsampling.BeforeExpand)
        {
            ArgumentNullException.ThrowIfNull(model);
            var layers = new List<LayerCost>();
            long c = 3, h = model.Options.InputHeight, w = model.Options.InputWidth;
            // The layers are the registered modules below the containers, in registration (= forward) order, named by
            // their state_dict paths: backbone.stem, backbone.blocks.0, ..., head.final.
            void Walk(string prefix, nn.Module module)
            {
                foreach (var (name, child) in module.named_children())
                {
                    var path = prefix.Length == 0 ? name : prefix + "." + name;
                    long m;
                    switch (child)
                    {
                        case ConvBnAct layer:
                            m = ConvBnAct(layer, ref c, ref h, ref w);
                            break;
                        case InvertedResidual block:
                            m = Block(block, headUpsampling, ref c, ref h, ref w);
                            break;
                        case Conv2d conv:
                            long outChannels = conv.weight!.shape[0];
                            m = outChannels * c * h * w;
                            c = outChannels;
                            break;
                        default:
                            Walk(path, child);
                            continue;
                    }
                    layers.Add(new LayerCost(path, $"{c}x{h}x{w}", CountParameters(child), m));
                }
            }
            Walk("", model);

            long totalParams = 0, totalMAdds = 0;
            foreach (var l in layers)
            {
                totalParams += l.Parameters;
                totalMAdds += l.MultiplyAdds;
            }
            return new ModelCost(layers, totalParams, totalMAdds);
        }

        /// <summary>Builds the model for <paramref name="options"/>, counts it (as <see cref="Compute(PoseNet, HeadUpsampling)"/>) and frees it.</summary>
        public static ModelCost Compute(PoseNetOptions options, HeadUpsampling headUpsampling = HeadUpsampling.BeforeExpand)
        {
            using var model = PoseNet.Create(options);
            return Compute(model, headUpsampling);
        }

        private static long CountParameters(nn.Module module)
        {
            long n = 0;
            foreach (var p in module.parameters()) n += p.numel();
            return n;
        }

        private static long ConvBnAct(ConvBnAct layer, ref long c, ref long h, ref long w)
        {
            long oh = (h + layer.Stride - 1) / layer.Stride, ow = (w + layer.Stride - 1) / layer.Stride;
            long madds = layer.OutChannels * oh * ow * (layer.InChannels / layer.Groups) * layer.Kernel * layer.Kernel;
            c = layer.OutChannels;
            h = oh;
            w = ow;
            foreach (var (_, part) in layer.named_children())
            {
                if (part is DyRelu dy) madds += DynamicRelu(dy, c, h, w);
            }
            return madds;
        }

        private static long DynamicRelu(DyRelu dy, long c, long h, long w)
        {
            long k = dy.Options.K;
            long madds = c * h * w                                  // global average pooling
                + c * dy.Squeeze + dy.Squeeze * 2 * k * dy.CoefficientChannels // hyper function FCs
                + k * c * h * w;                                      // the K pieces a x + b
            if (dy.Variant == DyReluVariant.C) madds += c * h * w + c * h * w; // 1x1 spatial conv, pi scaling
            return madds;
        }

        private static long Block(InvertedResidual block, HeadUpsampling headUpsampling, ref long c, ref long h, ref long w)
        {
            bool first = true;
            if (block.Upsample)
            {
                h *= 2;
                w *= 2;
            }
            // expand, depthwise, [se], project, in forward order.
            long madds = 0;
            foreach (var (_, part) in block.named_children())
            {
                switch (part)
                {
                    case ConvBnAct layer:
                        madds += ConvBnAct(layer, ref c, ref h, ref w);
                        // An expansion run before the upsampling (the exporter's AfterExpand) sees a quarter of the positions.
                        if (first && block.Upsample && layer.Kernel == 1 && layer.Groups == 1 && headUpsampling == HeadUpsampling.AfterExpand)
                            madds -= 3 * (layer.OutChannels * layer.InChannels * (h * w / 4));
                        first = false;
                        break;
                    case SqueezeExcite se:
                        madds += c * h * w + 2 * c * se.Squeeze + c * h * w;
                        break;
                }
            }
            return madds;
        }
    }

    /// <summary>The paper's Table 10 (COCO keypoints, 256x192) and the matching model options.</summary>
    public static class PaperTable10
    {
        /// <summary>One row: label, options, the paper's parameter count and MAdds.</summary>
        /// <param name="Label">Row label as in the paper.</param>
        /// <param name="Options">Model options for the row (17 keypoints, 256x192).</param>
        /// <param name="PaperParameters">Paper's #Param.</param>
        /// <param name="PaperMultiplyAdds">Paper's MAdds.</param>
        public sealed record Row(string Label, PoseNetOptions Options, double PaperParameters, double PaperMultiplyAdds);

        /// <summary>The eight rows in the paper's order (static row then DY-ReLU-C row per backbone).</summary>
        public static IReadOnlyList<Row> Rows()
        {
            static PoseNetOptions O(BackboneKind b, double width, ActivationKind a) => new PoseNetOptions { Backbone = b, Width = width, BackboneActivation = a };
            return new[]
            {
                new Row("MobileNetV2 x1.0  ReLU", O(BackboneKind.MobileNetV2, 1.0, ActivationKind.Static), 3.4e6, 993.7e6),
                new Row("MobileNetV2 x1.0  DY-ReLU", O(BackboneKind.MobileNetV2, 1.0, ActivationKind.DyReluC), 9.0e6, 1026.9e6),
                new Row("MobileNetV2 x0.5  ReLU", O(BackboneKind.MobileNetV2, 0.5, ActivationKind.Static), 1.9e6, 794.8e6),
                new Row("MobileNetV2 x0.5  DY-ReLU", O(BackboneKind.MobileNetV2, 0.5, ActivationKind.DyReluC), 4.6e6, 820.3e6),
                new Row("MobileNetV3-Large ReLU/HS", O(BackboneKind.MobileNetV3Large, 1.0, ActivationKind.Static), 4.1e6, 896.4e6),
                new Row("MobileNetV3-Large DY-ReLU", O(BackboneKind.MobileNetV3Large, 1.0, ActivationKind.DyReluC), 10.1e6, 926.6e6),
                new Row("MobileNetV3-Small ReLU/HS", O(BackboneKind.MobileNetV3Small, 1.0, ActivationKind.Static), 2.1e6, 726.9e6),
                new Row("MobileNetV3-Small DY-ReLU", O(BackboneKind.MobileNetV3Small, 1.0, ActivationKind.DyReluC), 4.8e6, 747.9e6),
            };
        }
    }
}
