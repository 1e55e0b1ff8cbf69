using System;
using System.Linq;

namespace PoseRT.Trainer.Models
{
    /// <summary>Backbone networks the pose model can be built on.</summary>
    public enum BackboneKind
    {
        /// <summary>MobileNetV3-Large (Howard et al. 2019).</summary>
        MobileNetV3Large,

        /// <summary>MobileNetV3-Small.</summary>
        MobileNetV3Small,

        /// <summary>MobileNetV2 (Sandler et al. 2018); width set by <see cref="PoseNetOptions.Width"/>.</summary>
        MobileNetV2,
    }

    /// <summary>Activation used in one part (backbone or head) of the network.</summary>
    public enum ActivationKind
    {
        /// <summary>The architecture's own activations: MobileNetV3's SE + ReLU/h-swish per its table, ReLU elsewhere.</summary>
        Static,

        /// <summary>ReLU everywhere (SE kept in MobileNetV3).</summary>
        Relu,

        /// <summary>h-swish everywhere (SE kept in MobileNetV3).</summary>
        HSwish,

        /// <summary>LeakyReLU with slope 0.01 (paper Table 1).</summary>
        LeakyRelu,

        /// <summary>Channel-wise PReLU, slopes initialised at 0.25 (paper Table 1).</summary>
        PRelu,

        /// <summary>DY-ReLU-A: spatial- and channel-shared (SE removed).</summary>
        DyReluA,

        /// <summary>DY-ReLU-B: spatial-shared, channel-wise (SE removed).</summary>
        DyReluB,

        /// <summary>DY-ReLU-C: channel-wise with spatial attention (SE removed).</summary>
        DyReluC,
    }

    /// <summary>The command-line / metadata names of backbones and activations, and their parsing.</summary>
    public static class ModelNames
    {
        private static readonly (string Name, BackboneKind Kind)[] Backbones =
        {
            ("mobilenetv3_large", BackboneKind.MobileNetV3Large),
            ("mobilenetv3_small", BackboneKind.MobileNetV3Small),
            ("mobilenetv2", BackboneKind.MobileNetV2),
        };

        private static readonly (string Name, ActivationKind Kind)[] Activations =
        {
            ("static", ActivationKind.Static),
            ("relu", ActivationKind.Relu),
            ("hswish", ActivationKind.HSwish),
            ("leakyrelu", ActivationKind.LeakyRelu),
            ("prelu", ActivationKind.PRelu),
            ("dyrelu_a", ActivationKind.DyReluA),
            ("dyrelu_b", ActivationKind.DyReluB),
            ("dyrelu_c", ActivationKind.DyReluC),
        };

        /// <summary>All backbone names, e.g. for help text.</summary>
        public static string[] BackboneNames => Backbones.Select(b => b.Name).ToArray();

        /// <summary>All activation names, e.g. for help text.</summary>
        public static string[] ActivationNames => Activations.Select(a => a.Name).ToArray();

        /// <summary>Parses a backbone name (case-insensitive); throws <see cref="ArgumentException"/> listing the valid names.</summary>
        public static BackboneKind ParseBackbone(string name)
        {
            foreach (var (n, k) in Backbones)
            {
                if (string.Equals(n, name?.Trim(), StringComparison.OrdinalIgnoreCase)) return k;
            }
            throw new ArgumentException($"Unknown architecture '{name}'; expected one of: {string.Join(", ", BackboneNames)}.", nameof(name));
        }

        /// <summary>Parses an activation name (case-insensitive); throws <see cref="ArgumentException"/> listing the valid names.</summary>
        public static ActivationKind ParseActivation(string name)
        {
            foreach (var (n, k) in Activations)
            {
                if (string.Equals(n, name?.Trim(), StringComparison.OrdinalIgnoreCase)) return k;
            }
            throw new ArgumentException($"Unknown activation '{name}'; expected one of: {string.Join(", ", ActivationNames)}.", nameof(name));
        }

        /// <summary>The name of a backbone as <see cref="ParseBackbone"/> accepts it.</summary>
        public static string Name(BackboneKind kind) => Backbones.First(b => b.Kind == kind).Name;

        /// <summary>The name of an activation as <see cref="ParseActivation"/> accepts it.</summary>
        public static string Name(ActivationKind kind) => Activations.First(a => a.Kind == kind).Name;

        /// <summary>True for the DY-ReLU variants (which replace SE in MobileNetV3, as in the paper).</summary>
        public static bool IsDynamic(ActivationKind kind) =>
            kind == ActivationKind.DyReluA || kind == ActivationKind.DyReluB || kind == ActivationKind.DyReluC;
    }
}
