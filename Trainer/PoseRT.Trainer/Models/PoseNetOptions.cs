using System;
using System.Globalization;

namespace PoseRT.Trainer.Models
{
    /// <summary>Hyper-parameters of DY-ReLU (paper section 3.2 and 4); the defaults are the paper's.</summary>
    public sealed class DyReluOptions
    {
        /// <summary>Number of linear pieces K (paper: 2).</summary>
        public int K { get; set; } = 2;

        /// <summary>Reduction ratio R of the hyper function's first FC layer (paper: 8).</summary>
        public int Reduction { get; set; } = 8;

        /// <summary>Initial slopes alpha_k, one per piece (paper: 1, 0).</summary>
        public double[] Alpha { get; set; } = { 1.0, 0.0 };

        /// <summary>Initial intercepts beta_k, one per piece (paper: 0, 0).</summary>
        public double[] Beta { get; set; } = { 0.0, 0.0 };

        /// <summary>Range of the slope residuals, lambda_a (paper: 1.0).</summary>
        public double LambdaA { get; set; } = 1.0;

        /// <summary>Range of the intercept residuals, lambda_b (paper: 0.5).</summary>
        public double LambdaB { get; set; } = 0.5;

        /// <summary>Softmax temperature tau of DY-ReLU-C's spatial attention (paper: 10).</summary>
        public double Tau { get; set; } = 10.0;

        /// <summary>Scale gamma of the spatial attention; null means the paper's HW/3 for each layer's H x W.</summary>
        public double? Gamma { get; set; }

        /// <summary>Throws <see cref="ArgumentException"/> naming the first inconsistent field.</summary>
        public void Validate()
        {
            if (K < 1) throw new ArgumentException($"DY-ReLU K must be at least 1 (got {K}).", nameof(K));
            if (Reduction < 1) throw new ArgumentException($"DY-ReLU reduction R must be at least 1 (got {Reduction}).", nameof(Reduction));
            if (Alpha.Length != K) throw new ArgumentException($"DY-ReLU needs K={K} alpha values (got {Alpha.Length}).", nameof(Alpha));
            if (Beta.Length != K) throw new ArgumentException($"DY-ReLU needs K={K} beta values (got {Beta.Length}).", nameof(Beta));
            if (!(Tau > 0)) throw new ArgumentException($"DY-ReLU tau must be positive (got {Tau}).", nameof(Tau));
            if (Gamma is double g && !(g > 0)) throw new ArgumentException($"DY-ReLU gamma must be positive (got {g}).", nameof(Gamma));
        }

        /// <summary>
        /// The settings in one line, e.g. <c>K=2 R=8 alpha=1,0 beta=0,0 lambda_a=1 lambda_b=0.5 tau=10 gamma=HW/3</c>;
        /// two options describe alike exactly when they build the same DY-ReLU.
        /// </summary>
        public string Describe()
        {
            static string F(double v) => v.ToString("R", CultureInfo.InvariantCulture);
            return $"K={K} R={Reduction} alpha={string.Join(",", Array.ConvertAll(Alpha, F))} beta={string.Join(",", Array.ConvertAll(Beta, F))} " +
                   $"lambda_a={F(LambdaA)} lambda_b={F(LambdaB)} tau={F(Tau)} gamma={(Gamma is { } g ? F(g) : "HW/3")}";
        }

        internal DyReluOptions Clone() => new DyReluOptions
        {
            K = K, Reduction = Reduction, Alpha = (double[])Alpha.Clone(), Beta = (double[])Beta.Clone(),
            LambdaA = LambdaA, LambdaB = LambdaB, Tau = Tau, Gamma = Gamma,
        };
    }

    /// <summary>
    /// Everything that decides the shape of a <see cref="PoseNet"/>. Variants differ only by these values:
    /// the layer tables live in <see cref="Architectures"/>.
    /// </summary>
    public sealed class PoseNetOptions
    {
        /// <summary>Backbone network.</summary>
        public BackboneKind Backbone { get; set; } = BackboneKind.MobileNetV3Large;

        /// <summary>Activation in the backbone.</summary>
        public ActivationKind BackboneActivation { get; set; } = ActivationKind.DyReluC;

        /// <summary>Activation in the head; null means the same as <see cref="BackboneActivation"/> (paper Table 4 varies them apart).</summary>
        public ActivationKind? HeadActivation { get; set; }

        /// <summary>Backbone width multiplier (MobileNet's alpha; channels rounded to multiples of 8).</summary>
        public double Width { get; set; } = 1.0;

        /// <summary>Head width multiplier (1.0 is the design whose cost matches the paper's Table 10).</summary>
        public double HeadWidth { get; set; } = 1.0;

        /// <summary>Input height in pixels; must be a multiple of 32.</summary>
        public int InputHeight { get; set; } = 256;

        /// <summary>Input width in pixels; must be a multiple of 32.</summary>
        public int InputWidth { get; set; } = 192;

        /// <summary>Number of keypoints (heatmap channels).</summary>
        public int Keypoints { get; set; } = 17;

        /// <summary>DY-ReLU hyper-parameters (used when an activation is a DY-ReLU variant).</summary>
        public DyReluOptions DyRelu { get; set; } = new DyReluOptions();

        /// <summary>The activation actually used in the head.</summary>
        public ActivationKind EffectiveHeadActivation => HeadActivation ?? BackboneActivation;

        /// <summary>
        /// A CI-sized configuration: MobileNetV3-Small at width 0.5 with a quarter-width head at 128x96
        /// (the same tables as the full model; trains a few minutes on 2 CPU cores).
        /// </summary>
        public static PoseNetOptions Tiny(ActivationKind activation = ActivationKind.DyReluC) => new PoseNetOptions
        {
            Backbone = BackboneKind.MobileNetV3Small,
            BackboneActivation = activation,
            Width = 0.5,
            HeadWidth = 0.25,
            InputHeight = 128,
            InputWidth = 96,
        };

        /// <summary>Name written to model metadata, e.g. <c>mobilenetv3_large</c> or <c>mobilenetv2_x0.5_head0.25</c>.</summary>
        public string ArchitectureName
        {
            get
            {
                var name = ModelNames.Name(Backbone);
                if (Width != 1.0) name += "_x" + Width.ToString("0.###", CultureInfo.InvariantCulture);
                if (HeadWidth != 1.0) name += "_head" + HeadWidth.ToString("0.###", CultureInfo.InvariantCulture);
                return name;
            }
        }

        /// <summary>Activation name for metadata: one name, or <c>backbone+head</c> when they differ.</summary>
        public string ActivationName => EffectiveHeadActivation == BackboneActivation
            ? ModelNames.Name(BackboneActivation)
            : ModelNames.Name(BackboneActivation) + "+" + ModelNames.Name(EffectiveHeadActivation);

        /// <summary>
        /// The options a model's metadata describes: the inverse of <see cref="ArchitectureName"/> and
        /// <see cref="ActivationName"/> (e.g. <c>mobilenetv3_small_x0.5_head0.25</c>, <c>dyrelu_c</c> or <c>dyrelu_c+relu</c>)
        /// at the given input size. DY-ReLU keeps its paper defaults, which the metadata does not record.
        /// Throws <see cref="ArgumentException"/> naming the part of the text it cannot read.
        /// </summary>
        public static PoseNetOptions FromNames(string architecture, string activation, int inputHeight, int inputWidth, int keypoints = 17)
        {
            ArgumentNullException.ThrowIfNull(architecture);
            ArgumentNullException.ThrowIfNull(activation);
            var options = new PoseNetOptions { InputHeight = inputHeight, InputWidth = inputWidth, Keypoints = keypoints };
            string rest = architecture.Trim();
            // Backbone names contain underscores themselves: take the longest known name the text starts with.
            string? backbone = null;
            foreach (string name in ModelNames.BackboneNames)
            {
                if (rest.StartsWith(name, StringComparison.OrdinalIgnoreCase) && name.Length > (backbone?.Length ?? 0)) backbone = name;
            }
            if (backbone == null)
                throw new ArgumentException($"Architecture '{architecture}' does not start with a backbone name ({string.Join(", ", ModelNames.BackboneNames)}).", nameof(architecture));
            options.Backbone = ModelNames.ParseBackbone(backbone);
            rest = rest.Substring(backbone.Length);
            options.Width = Multiplier(ref rest, "_x", architecture);
            options.HeadWidth = Multiplier(ref rest, "_head", architecture);
            if (rest.Length != 0)
                throw new ArgumentException($"Architecture '{architecture}' has '{rest}' after the backbone and its multipliers (expected e.g. mobilenetv3_small_x0.5_head0.25).", nameof(architecture));

            string[] parts = activation.Split('+');
            if (parts.Length > 2) throw new ArgumentException($"Activation '{activation}' names more than a backbone and a head activation.", nameof(activation));
            options.BackboneActivation = ModelNames.ParseActivation(parts[0]);
            if (parts.Length == 2) options.HeadActivation = ModelNames.ParseActivation(parts[1]);
            options.Validate();
            return options;
        }

        // "_x0.5" / "_head0.25" at the start of rest, or 1.0 where the name leaves the multiplier out.
        private static double Multiplier(ref string rest, string prefix, string architecture)
        {
            if (!rest.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)) return 1.0;
            int end = prefix.Length;
            while (end < rest.Length && (char.IsDigit(rest[end]) || rest[end] == '.')) end++;
            string number = rest.Substring(prefix.Length, end - prefix.Length);
            if (!double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double value) || !(value > 0))
                throw new ArgumentException($"Architecture '{architecture}': '{prefix}{number}' is not a positive multiplier.", nameof(architecture));
            rest = rest.Substring(end);
            return value;
        }

        /// <summary>Throws <see cref="ArgumentException"/> naming the first impossible value.</summary>
        public void Validate()
        {
            if (InputHeight <= 0 || InputWidth <= 0 || InputHeight % 32 != 0 || InputWidth % 32 != 0)
                throw new ArgumentException(
                    $"Input size {InputHeight}x{InputWidth} (HxW) is impossible: both sides must be positive multiples of 32 (the backbone's stride), e.g. 256x192 or 128x96.",
                    nameof(InputHeight));
            if (!(Width > 0) || Width > 4) throw new ArgumentException($"Width multiplier {Width} must be in (0, 4].", nameof(Width));
            if (!(HeadWidth > 0) || HeadWidth > 4) throw new ArgumentException($"Head width multiplier {HeadWidth} must be in (0, 4].", nameof(HeadWidth));
            if (Keypoints < 1) throw new ArgumentException($"Keypoint count must be at least 1 (got {Keypoints}).", nameof(Keypoints));
            // The Runtime refuses such a model (a Pose holds at most this many): training or exporting it would be wasted.
            if (Keypoints > Pose.MaxKeypoints)
                throw new ArgumentException($"Keypoint count {Keypoints} is more than a PoseRT Pose holds ({Pose.MaxKeypoints}); the Runtime could not run the model.", nameof(Keypoints));
            if (!Enum.IsDefined(Backbone)) throw new ArgumentException($"Unknown backbone value {(int)Backbone}.", nameof(Backbone));
            DyRelu.Validate();
        }

        /// <summary>A deep copy (the model keeps its own so later edits cannot desynchronise it).</summary>
        public PoseNetOptions Clone() => new PoseNetOptions
        {
            Backbone = Backbone, BackboneActivation = BackboneActivation, HeadActivation = HeadActivation,
            Width = Width, HeadWidth = HeadWidth, InputHeight = InputHeight, InputWidth = InputWidth,
            Keypoints = Keypoints, DyRelu = DyRelu.Clone(),
        };
    }
}
