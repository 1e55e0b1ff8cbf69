using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace PoseRT.Runtime.Model
{
    /// <summary>
    /// What a heatmap pose model needs around it: input size, normalisation, its keypoint schema.
    /// The exporter writes it into the ONNX file's metadata (<see cref="ToMetadata"/>); the Runtime
    /// reads it back (<see cref="FromMetadata"/>). Models without it can be described by hand
    /// (<c>new PoseModelInfo { InputWidth = 288, ... }</c>). Immutable: an estimator and its callers can share one.
    /// </summary>
    public sealed record PoseModelInfo
    {
        /// <summary>Version of the metadata layout written by <see cref="ToMetadata"/>.</summary>
        public const int FormatVersion = 1;

        private const string Prefix = "posert.";

        /// <summary>Network input width in pixels (192 for the paper's 256x192 setting).</summary>
        public int InputWidth { get; init; } = 192;

        /// <summary>Network input height in pixels.</summary>
        public int InputHeight { get; init; } = 256;

        /// <summary>Ratio of input size to heatmap size (4: 256x192 gives 64x48 heatmaps).</summary>
        public int HeatmapStride { get; init; } = 4;

        /// <summary>Channel order of the input tensor.</summary>
        public ChannelOrder ChannelOrder { get; init; } = ChannelOrder.Rgb;

        /// <summary>Per-channel mean, in the input's channel order, for pixel values scaled to [0, 1].</summary>
        public IReadOnlyList<float> Mean { get; init; } = new[] { 0.485f, 0.456f, 0.406f };

        /// <summary>Per-channel standard deviation, in the input's channel order, for pixel values scaled to [0, 1].</summary>
        public IReadOnlyList<float> Std { get; init; } = new[] { 0.229f, 0.224f, 0.225f };

        /// <summary>The keypoints in output order: names, flip pairs, limbs, body parts, OKS sigmas.</summary>
        public KeypointSchema Keypoints { get; init; } = CocoKeypoints.Schema;

        /// <summary>Backbone name, e.g. <c>mobilenetv3_large</c>; informational.</summary>
        public string Architecture { get; init; } = "unknown";

        /// <summary>Activation name, e.g. <c>dyrelu_c</c>; informational.</summary>
        public string Activation { get; init; } = "unknown";

        /// <summary>Free text (JSON by convention) saying what the model was trained on and how it scores.</summary>
        public string Provenance { get; init; } = "";

        /// <summary>
        /// Numeric precision of the network: <c>fp32</c>, or <c>int8</c> for a quantised (QDQ) file written by
        /// <c>posert-train quantize</c> / <c>export --int8</c>. Written only when not fp32 (key <c>posert.precision</c>), so
        /// fp32 files and runtimes older than the key are unchanged; the Runtime loads both alike.
        /// </summary>
        public string Precision { get; init; } = DefaultPrecision;

        /// <summary>How an int8 file was quantised and calibrated (free text; key <c>posert.quantization</c>, written when not empty).</summary>
        public string Quantization { get; init; } = "";

        /// <summary>The <see cref="Precision"/> of a file without the key.</summary>
        public const string DefaultPrecision = "fp32";

        /// <summary>Number of keypoints (heatmap channels).</summary>
        public int KeypointCount => Keypoints.Count;

        /// <summary>Heatmap width (<see cref="InputWidth"/> / <see cref="HeatmapStride"/>).</summary>
        public int HeatmapWidth => InputWidth / HeatmapStride;

        /// <summary>Heatmap height (<see cref="InputHeight"/> / <see cref="HeatmapStride"/>).</summary>
        public int HeatmapHeight => InputHeight / HeatmapStride;

        /// <summary>The model description for COCO's 17 keypoints at the paper's 256x192 input.</summary>
        public static PoseModelInfo CocoDefault() => new PoseModelInfo();

        /// <summary>Checks the description for internal consistency; throws <see cref="ArgumentException"/> naming the field.</summary>
        public void Validate()
        {
            if (Precision is not (DefaultPrecision or "int8"))
                throw new ArgumentException($"Precision '{Precision}' must be fp32 or int8.", nameof(Precision));
            if (InputWidth <= 0 || InputHeight <= 0)
                throw new ArgumentException($"Input size {InputWidth}x{InputHeight} must be positive.", nameof(InputWidth));
            if (HeatmapStride <= 0 || InputWidth % HeatmapStride != 0 || InputHeight % HeatmapStride != 0)
                throw new ArgumentException($"Heatmap stride {HeatmapStride} must divide the input size {InputWidth}x{InputHeight}.", nameof(HeatmapStride));
            if (Mean is null || Std is null || Mean.Count != 3 || Std.Count != 3)
                throw new ArgumentException($"Mean and Std need 3 values each (got {Mean?.Count} and {Std?.Count}).", nameof(Mean));
            foreach (var m in Mean)
            {
                if (float.IsNaN(m) || float.IsInfinity(m)) throw new ArgumentException($"Mean values must be finite (got {m}).", nameof(Mean));
            }
            foreach (var s in Std)
            {
                if (!(s > 0) || float.IsInfinity(s)) throw new ArgumentException($"Std values must be positive and finite (got {s}).", nameof(Std));
            }
            if (Keypoints is null) throw new ArgumentException("A keypoint schema is needed.", nameof(Keypoints));
            if (KeypointCount > Pose.MaxKeypoints)
                throw new ArgumentException($"The model has {KeypointCount} keypoints; a Pose holds at most {Pose.MaxKeypoints}.", nameof(Keypoints));
        }

        /// <summary>The description as ONNX metadata properties (all keys start with <c>posert.</c>).</summary>
        public IReadOnlyDictionary<string, string> ToMetadata()
        {
            var metadata = new Dictionary<string, string>
            {
                [Prefix + "format_version"] = FormatVersion.ToString(CultureInfo.InvariantCulture),
                [Prefix + "input_width"] = InputWidth.ToString(CultureInfo.InvariantCulture),
                [Prefix + "input_height"] = InputHeight.ToString(CultureInfo.InvariantCulture),
                [Prefix + "heatmap_stride"] = HeatmapStride.ToString(CultureInfo.InvariantCulture),
                [Prefix + "channel_order"] = ChannelOrder == ChannelOrder.Rgb ? "RGB" : "BGR",
                [Prefix + "mean"] = JoinFloats(Mean),
                [Prefix + "std"] = JoinFloats(Std),
                [Prefix + "keypoints"] = string.Join(",", Keypoints.Names),
                [Prefix + "flip_pairs"] = string.Join(",", Keypoints.FlipPairs.Select(p => p.Left.ToString(CultureInfo.InvariantCulture) + "-" + p.Right.ToString(CultureInfo.InvariantCulture))),
                [Prefix + "skeleton"] = string.Join(",", Keypoints.Skeleton.Select(p => p.From.ToString(CultureInfo.InvariantCulture) + "-" + p.To.ToString(CultureInfo.InvariantCulture))),
                [Prefix + "body_parts"] = string.Join(",", Keypoints.Parts.ToArray().Select(p => p == BodyPart.Upper ? "upper" : "lower")),
                [Prefix + "sigmas"] = string.Join(",", Keypoints.Sigmas.ToArray().Select(v => v.ToString("R", CultureInfo.InvariantCulture))),
                [Prefix + "architecture"] = Architecture,
                [Prefix + "activation"] = Activation,
                [Prefix + "provenance"] = Provenance,
            };
            // Optional keys (added after format 1's first files): absent means fp32 / not quantised.
            if (!string.Equals(Precision, DefaultPrecision, StringComparison.Ordinal)) metadata[Prefix + "precision"] = Precision;
            if (Quantization.Length > 0) metadata[Prefix + "quantization"] = Quantization;
            return metadata;
        }

        /// <summary>True when <paramref name="metadata"/> holds a PoseRT description.</summary>
        public static bool HasPoseRTMetadata(IReadOnlyDictionary<string, string> metadata) =>
            metadata.ContainsKey(Prefix + "format_version");

        /// <summary>
        /// Reads a description written by <see cref="ToMetadata"/>. <paramref name="source"/> (a file name)
        /// is used in error messages. Throws <see cref="FormatException"/> naming the bad key.
        /// </summary>
        public static PoseModelInfo FromMetadata(IReadOnlyDictionary<string, string> metadata, string source)
        {
            string Get(string key)
            {
                if (!metadata.TryGetValue(Prefix + key, out var value))
                    throw new FormatException($"{source}: model metadata lacks '{Prefix + key}'.");
                return value;
            }

            int GetInt(string key)
            {
                var text = Get(key);
                if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value))
                    throw new FormatException($"{source}: model metadata '{Prefix + key}' = '{text}' is not an integer.");
                return value;
            }

            int version = GetInt("format_version");
            if (version > FormatVersion)
                throw new FormatException($"{source}: model metadata format {version} is newer than this PoseRT understands ({FormatVersion}); update PoseRT.Runtime.");

            PoseModelInfo info;
            try
            {
                info = new PoseModelInfo
                {
                    InputWidth = GetInt("input_width"),
                    InputHeight = GetInt("input_height"),
                    HeatmapStride = GetInt("heatmap_stride"),
                    ChannelOrder = Get("channel_order") switch
                    {
                        "RGB" => ChannelOrder.Rgb,
                        "BGR" => ChannelOrder.Bgr,
                        var other => throw new FormatException($"{source}: model metadata '{Prefix}channel_order' = '{other}' must be RGB or BGR."),
                    },
                    Mean = ParseFloats(Get("mean"), source, "mean"),
                    Std = ParseFloats(Get("std"), source, "std"),
                    Keypoints = ReadSchema(metadata, source, Get),
                    Architecture = metadata.TryGetValue(Prefix + "architecture", out var arch) ? arch : "unknown",
                    Activation = metadata.TryGetValue(Prefix + "activation", out var act) ? act : "unknown",
                    Provenance = metadata.TryGetValue(Prefix + "provenance", out var prov) ? prov : "",
                    Precision = metadata.TryGetValue(Prefix + "precision", out var precision) ? precision : DefaultPrecision,
                    Quantization = metadata.TryGetValue(Prefix + "quantization", out var quantization) ? quantization : "",
                };
                info.Validate();
            }
            catch (ArgumentException e)
            {
                throw new FormatException($"{source}: model metadata is inconsistent: {e.Message}", e);
            }
            return info;
        }

        // Body parts and sigmas came after format 1's first files: a file without them that has COCO's keypoint names
        // takes COCO's; any other skeleton without them has none (OKS and half-body augmentation then refuse it).
        private static KeypointSchema ReadSchema(IReadOnlyDictionary<string, string> metadata, string source, Func<string, string> get)
        {
            var names = get("keypoints").Split(',');
            var flipPairs = ParsePairs(get("flip_pairs"), source, "flip_pairs");
            var skeleton = ParsePairs(get("skeleton"), source, "skeleton");
            var coco = CocoKeypoints.Schema;
            bool cocoNames = names.Length == coco.Count && names.SequenceEqual(coco.Names, StringComparer.Ordinal);
            BodyPart[] parts = metadata.TryGetValue(Prefix + "body_parts", out var partsText)
                ? ParseParts(partsText, source)
                : cocoNames ? coco.Parts.ToArray() : Array.Empty<BodyPart>();
            double[] sigmas = metadata.TryGetValue(Prefix + "sigmas", out var sigmaText)
                ? ParseDoubles(sigmaText, source, "sigmas")
                : cocoNames ? coco.Sigmas.ToArray() : Array.Empty<double>();
            var schema = new KeypointSchema(names, flipPairs, skeleton, parts, sigmas);
            return schema.IsSameAs(coco) ? coco : schema;
        }

        private static BodyPart[] ParseParts(string text, string source)
        {
            if (text.Length == 0) return Array.Empty<BodyPart>();
            var parts = text.Split(',');
            var values = new BodyPart[parts.Length];
            for (int i = 0; i < parts.Length; i++)
            {
                values[i] = parts[i] switch
                {
                    "upper" => BodyPart.Upper,
                    "lower" => BodyPart.Lower,
                    var other => throw new FormatException($"{source}: model metadata '{Prefix}body_parts' entry '{other}' must be 'upper' or 'lower'."),
                };
            }
            return values;
        }

        private static double[] ParseDoubles(string text, string source, string key)
        {
            if (text.Length == 0) return Array.Empty<double>();
            var parts = text.Split(',');
            var values = new double[parts.Length];
            for (int i = 0; i < parts.Length; i++)
            {
                if (!double.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out values[i]))
                    throw new FormatException($"{source}: model metadata '{Prefix + key}' = '{text}' is not a list of numbers.");
            }
            return values;
        }

        private static string JoinFloats(IReadOnlyList<float> values) =>
            string.Join(",", values.Select(v => v.ToString("R", CultureInfo.InvariantCulture)));

        private static float[] ParseFloats(string text, string source, string key)
        {
            var parts = text.Split(',');
            var values = new float[parts.Length];
            for (int i = 0; i < parts.Length; i++)
            {
                if (!float.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out values[i]))
                    throw new FormatException($"{source}: model metadata '{Prefix + key}' = '{text}' is not a list of numbers.");
            }
            return values;
        }

        private static (int, int)[] ParsePairs(string text, string source, string key)
        {
            if (text.Length == 0) return Array.Empty<(int, int)>();
            var parts = text.Split(',');
            var pairs = new (int, int)[parts.Length];
            for (int i = 0; i < parts.Length; i++)
            {
                var ab = parts[i].Split('-');
                if (ab.Length != 2
                    || !int.TryParse(ab[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out int a)
                    || !int.TryParse(ab[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out int b))
                    throw new FormatException($"{source}: model metadata '{Prefix + key}' entry '{parts[i]}' is not 'a-b'.");
                pairs[i] = (a, b);
            }
            return pairs;
        }
    }
}
