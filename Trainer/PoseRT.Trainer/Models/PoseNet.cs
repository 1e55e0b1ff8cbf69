using System;
using System.Collections.Generic;
using PoseRT.Trainer.Export;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PoseRT.Trainer.Models
{
    /// <summary>MobileNet feature extractor: stem, inverted residual blocks, final 1x1 conv (stride 32).</summary>
    public sealed class Backbone : nn.Module<Tensor, Tensor>, IOnnxExportable
    {
        private readonly ConvBnAct stem;
        private readonly ModuleList<InvertedResidual> blocks;
        private readonly ConvBnAct last;

        internal Backbone(BackboneSpec spec, ActivationKind activation, DyReluOptions dyRelu) : base("Backbone")
        {
            nn.Module<Tensor, Tensor> Act(TableActivation table, long channels) => Activations.Create(activation, table, channels, dyRelu);
            // The paper removes SE when DY-ReLU is used (section 5.1); static variants keep MobileNetV3's SE.
            bool keepSe = !ModelNames.IsDynamic(activation);
            stem = new ConvBnAct(3, spec.Stem, 3, 2, 1, Act(spec.StemActivation, spec.Stem));
            var list = new List<InvertedResidual>();
            long channels = spec.Stem;
            foreach (var b in spec.Blocks)
            {
                list.Add(new InvertedResidual(channels, b, false, Act, keepSe));
                channels = b.Out;
            }
            blocks = nn.ModuleList(list.ToArray());
            last = new ConvBnAct(channels, spec.Last, 1, 1, 1, Act(spec.LastActivation, spec.Last));
            OutChannels = spec.Last;
            register_module("stem", stem);
            register_module("blocks", blocks);
            register_module("last", last);
        }

        /// <summary>Channels of the stride-32 output.</summary>
        public long OutChannels { get; }

        /// <inheritdoc />
        public override Tensor forward(Tensor x)
        {
            using var scope = torch.NewDisposeScope();
            var y = stem.forward(x);
            foreach (var b in blocks) y = b.forward(y);
            return last.forward(y).MoveToOuterDisposeScope();
        }

        string IOnnxExportable.Export(OnnxExportContext ctx, string input)
        {
            var y = ctx.Child("stem", stem, input);
            for (int i = 0; i < blocks.Count; i++) y = ctx.Child($"blocks.{i}", blocks[i], y);
            return ctx.Child("last", last, y);
        }
    }

    /// <summary>Keypoint head: 1x1 reduce, upsampling inverted residual blocks (stride 32 -> 4), 1x1 conv to heatmaps.</summary>
    public sealed class KeypointHead : nn.Module<Tensor, Tensor>, IOnnxExportable
    {
        private readonly ConvBnAct reduce;
        private readonly ModuleList<InvertedResidual> blocks;
        private readonly Conv2d final;

        internal KeypointHead(long inChannels, double width, int keypoints, ActivationKind activation, DyReluOptions dyRelu) : base("KeypointHead")
        {
            // The static head uses ReLU (as MobileNetV2 does); Static resolves to the table value ReLU.
            nn.Module<Tensor, Tensor> Act(TableActivation table, long channels) => Activations.Create(activation, table, channels, dyRelu);
            int reduceChannels = Architectures.MakeDivisible(Architectures.HeadReduce * width);
            reduce = new ConvBnAct(inChannels, reduceChannels, 1, 1, 1, Act(TableActivation.Relu, reduceChannels));
            var list = new List<InvertedResidual>();
            long channels = reduceChannels;
            foreach (var row in Architectures.Head)
            {
                int output = Architectures.MakeDivisible(row.Out * width);
                var spec = new BlockSpec(3, (int)channels * row.Expansion, output, false, TableActivation.Relu, 1);
                list.Add(new InvertedResidual(channels, spec, row.Upsample, Act, keepSqueezeExcite: false));
                channels = output;
            }
            blocks = nn.ModuleList(list.ToArray());
            final = nn.Conv2d(channels, keypoints, 1);
            register_module("reduce", reduce);
            register_module("blocks", blocks);
            register_module("final", final);
        }

        /// <inheritdoc />
        public override Tensor forward(Tensor x)
        {
            using var scope = torch.NewDisposeScope();
            var y = reduce.forward(x);
            foreach (var b in blocks) y = b.forward(y);
            return final.forward(y).MoveToOuterDisposeScope();
        }

        /// <summary>Heatmap regression starts from small outputs: final conv weights of std 0.001 (SimpleBaselines' final layer init).</summary>
        internal void ResetOutputLayer()
        {
            using var _ = torch.no_grad();
            nn.init.normal_(final.weight!, 0, 0.001);
        }

        string IOnnxExportable.Export(OnnxExportContext ctx, string input)
        {
            var y = ctx.Child("reduce", reduce, input);
            for (int i = 0; i < blocks.Count; i++) y = ctx.Child($"blocks.{i}", blocks[i], y);
            return ctx.Conv(final, null, y, "final", 1, 1);
        }
    }

    /// <summary>
    /// Top-down heatmap pose network: MobileNet backbone + keypoint head. Input N x 3 x H x W float (normalised
    /// image, H and W multiples of 32); output N x keypoints x H/4 x W/4 heatmaps. Build it with <see cref="Create"/>.
    /// </summary>
    public sealed class PoseNet : nn.Module<Tensor, Tensor>, IOnnxExportable
    {
        /// <summary>Ratio of input size to heatmap size.</summary>
        public const int HeatmapStride = 4;

        private readonly Backbone backbone;
        private readonly KeypointHead head;

        private PoseNet(PoseNetOptions options) : base("PoseNet")
        {
            Options = options;
            var spec = Architectures.Backbone(options.Backbone, options.Width);
            backbone = new Backbone(spec, options.BackboneActivation, options.DyRelu);
            head = new KeypointHead(backbone.OutChannels, options.HeadWidth, options.Keypoints, options.EffectiveHeadActivation, options.DyRelu);
            register_module("backbone", backbone);
            register_module("head", head);
        }

        /// <summary>The options the model was built with (a private copy; do not change it).</summary>
        public PoseNetOptions Options { get; }

        /// <summary>
        /// Builds a freshly initialised model (He init for convs, BN at identity, DY-ReLU starting as ReLU).
        /// Throws <see cref="ArgumentException"/> naming an impossible option. Loads LibTorch if needed.
        /// </summary>
        public static PoseNet Create(PoseNetOptions options)
        {
            ArgumentNullException.ThrowIfNull(options);
            options.Validate();
            TorchRuntime.EnsureLoaded();
            var model = new PoseNet(options.Clone());
            model.InitializeWeights();
            return model;
        }

        /// <summary>Computes heatmaps; throws <see cref="ArgumentException"/> for a tensor that is not N x 3 x H x W with H, W multiples of 32.</summary>
        public override Tensor forward(Tensor image)
        {
            if (image.dim() != 4 || image.shape[1] != 3)
                throw new ArgumentException($"PoseNet expects an N x 3 x H x W image tensor; got shape [{string.Join(", ", image.shape)}].", nameof(image));
            if (image.shape[2] % 32 != 0 || image.shape[3] % 32 != 0 || image.shape[2] == 0 || image.shape[3] == 0)
                throw new ArgumentException($"PoseNet input height and width must be positive multiples of 32; got {image.shape[2]}x{image.shape[3]}.", nameof(image));
            using var scope = torch.NewDisposeScope();
            return head.forward(backbone.forward(image)).MoveToOuterDisposeScope();
        }

        string IOnnxExportable.Export(OnnxExportContext ctx, string input) =>
            ctx.Child("head", head, ctx.Child("backbone", backbone, input));

        private void InitializeWeights()
        {
            using var _ = torch.no_grad();
            foreach (var (_, module) in named_modules())
            {
                switch (module)
                {
                    case Conv2d conv:
                        nn.init.kaiming_normal_(conv.weight!, mode: nn.init.FanInOut.FanOut);
                        conv.bias?.zero_();
                        break;
                    case BatchNorm2d bn:
                        bn.weight!.fill_(1);
                        bn.bias!.zero_();
                        break;
                }
            }
            foreach (var (_, module) in named_modules())
            {
                if (module is DyRelu dy) dy.ResetHyperFunction();
            }
            head.ResetOutputLayer();
        }
    }
}
