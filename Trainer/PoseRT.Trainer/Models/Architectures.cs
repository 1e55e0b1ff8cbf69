using System;
using System.Collections.Generic;

namespace PoseRT.Trainer.Models
{
    /// <summary>One inverted-residual row of an architecture table, with channel counts already width-scaled.</summary>
    /// <param name="Kernel">Depthwise kernel size.</param>
    /// <param name="Expanded">Channels after the 1x1 expansion.</param>
    /// <param name="Out">Output channels.</param>
    /// <param name="SqueezeExcite">Whether the static network has SE in this block.</param>
    /// <param name="Activation">The static network's activation in this block.</param>
    /// <param name="Stride">Depthwise stride.</param>
    public sealed record BlockSpec(int Kernel, int Expanded, int Out, bool SqueezeExcite, TableActivation Activation, int Stride);

    /// <summary>A whole backbone: stem conv, blocks, final 1x1 conv, all width-scaled.</summary>
    /// <param name="Stem">Channels of the 3x3 stride-2 stem convolution.</param>
    /// <param name="StemActivation">Static activation of the stem.</param>
    /// <param name="Blocks">Inverted residual blocks in order.</param>
    /// <param name="Last">Channels of the final 1x1 convolution (the head's input).</param>
    /// <param name="LastActivation">Static activation of the final convolution.</param>
    public sealed record BackboneSpec(int Stem, TableActivation StemActivation, IReadOnlyList<BlockSpec> Blocks, int Last, TableActivation LastActivation);

    /// <summary>One head row: optional 2x upsampling, then an inverted residual block (3x3, ReLU in the static head).</summary>
    /// <param name="Upsample">Whether the block starts with 2x bilinear upsampling.</param>
    /// <param name="Expansion">Expansion ratio applied to the block's input channels.</param>
    /// <param name="Out">Output channels (before the head width multiplier).</param>
    public sealed record HeadRow(bool Upsample, int Expansion, int Out);

    /// <summary>
    /// The architecture tables (as in torchvision's mobilenetv3.py / mobilenetv2.py) and the keypoint head table.
    /// Every variant is built from these rows by the same block classes; only the rows and multipliers differ.
    /// </summary>
    public static class Architectures
    {
        private const TableActivation RE = TableActivation.Relu;
        private const TableActivation HS = TableActivation.HSwish;

        // MobileNetV3-Large, Howard et al. 2019 Table 1: kernel, expanded, out, SE, activation, stride.
        private static readonly (int K, int Exp, int Out, bool Se, TableActivation Act, int S)[] V3Large =
        {
            (3, 16, 16, false, RE, 1),
            (3, 64, 24, false, RE, 2),
            (3, 72, 24, false, RE, 1),
            (5, 72, 40, true, RE, 2),
            (5, 120, 40, true, RE, 1),
            (5, 120, 40, true, RE, 1),
            (3, 240, 80, false, HS, 2),
            (3, 200, 80, false, HS, 1),
            (3, 184, 80, false, HS, 1),
            (3, 184, 80, false, HS, 1),
            (3, 480, 112, true, HS, 1),
            (3, 672, 112, true, HS, 1),
            (5, 672, 160, true, HS, 2),
            (5, 960, 160, true, HS, 1),
            (5, 960, 160, true, HS, 1),
        };

        // MobileNetV3-Small, Howard et al. 2019 Table 2.
        private static readonly (int K, int Exp, int Out, bool Se, TableActivation Act, int S)[] V3Small =
        {
            (3, 16, 16, true, RE, 2),
            (3, 72, 24, false, RE, 2),
            (3, 88, 24, false, RE, 1),
            (5, 96, 40, true, HS, 2),
            (5, 240, 40, true, HS, 1),
            (5, 240, 40, true, HS, 1),
            (5, 120, 48, true, HS, 1),
            (5, 144, 48, true, HS, 1),
            (5, 288, 96, true, HS, 2),
            (5, 576, 96, true, HS, 1),
            (5, 576, 96, true, HS, 1),
        };

        // MobileNetV2, Sandler et al. 2018 Table 2: expansion t, channels c, repeats n, first stride s.
        private static readonly (int T, int C, int N, int S)[] V2 =
        {
            (1, 16, 1, 1),
            (6, 24, 2, 2),
            (6, 32, 3, 2),
            (6, 64, 4, 2),
            (6, 96, 3, 1),
            (6, 160, 3, 2),
            (6, 320, 1, 1),
        };

        /// <summary>
        /// The keypoint head shared by all backbones (the paper gives only "upsampling and four MobileNetV2 inverted
        /// residual blocks"): a 1x1 conv to <see cref="HeadReduce"/> channels at stride 32, then these rows, then a 1x1
        /// conv to the heatmaps at stride 4. Chosen so the four MobileNetV3 rows of Table 10 match (docs/models.md).
        /// </summary>
        public static readonly IReadOnlyList<HeadRow> Head = new[]
        {
            new HeadRow(true, 2, 256), // stride 16
            new HeadRow(true, 4, 96),  // stride 8
            new HeadRow(true, 4, 64),  // stride 4
            new HeadRow(false, 4, 64), // stride 4, residual
        };

        /// <summary>Channels of the head's first 1x1 convolution (before the head width multiplier).</summary>
        public const int HeadReduce = 320;

        /// <summary>Rounds a channel count to a multiple of 8 without losing more than 10% (MobileNet's _make_divisible).</summary>
        public static int MakeDivisible(double value, int divisor = 8)
        {
            int rounded = Math.Max(divisor, (int)(value + divisor / 2.0) / divisor * divisor);
            if (rounded < 0.9 * value) rounded += divisor;
            return rounded;
        }

        /// <summary>The backbone table for <paramref name="kind"/> at width multiplier <paramref name="width"/>.</summary>
        public static BackboneSpec Backbone(BackboneKind kind, double width)
        {
            int Scale(int c) => MakeDivisible(c * width);
            var blocks = new List<BlockSpec>();
            switch (kind)
            {
                case BackboneKind.MobileNetV3Large:
                case BackboneKind.MobileNetV3Small:
                    {
                        var rows = kind == BackboneKind.MobileNetV3Large ? V3Large : V3Small;
                        foreach (var r in rows) blocks.Add(new BlockSpec(r.K, Scale(r.Exp), Scale(r.Out), r.Se, r.Act, r.S));
                        // The last conv is 6x the last block's width (960 and 576 at width 1), as in torchvision.
                        return new BackboneSpec(Scale(16), HS, blocks, 6 * blocks[blocks.Count - 1].Out, HS);
                    }
                case BackboneKind.MobileNetV2:
                    {
                        int input = Scale(32);
                        foreach (var r in V2)
                        {
                            for (int i = 0; i < r.N; i++)
                            {
                                int output = Scale(r.C);
                                blocks.Add(new BlockSpec(3, input * r.T, output, false, RE, i == 0 ? r.S : 1));
                                input = output;
                            }
                        }
                        return new BackboneSpec(Scale(32), RE, blocks, MakeDivisible(1280 * Math.Max(1.0, width)), RE);
                    }
                default:
                    throw new ArgumentException($"Unknown backbone {kind}.", nameof(kind));
            }
        }
    }
}
