using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace PoseRT.Runtime.Model
{
    /// <summary>Order of colour channels a model expects in its input tensor.</summary>
    public enum ChannelOrder
    {
        /// <summary>Red, green, blue (torchvision / ImageNet convention).</summary>
        Rgb,

        /// <summary>Blue, green, red (OpenCV convention).</summary>
        Bgr,
    }

    /// <summary>
    /// What a heatmap pose model needs around it: input size, normalisation, keypoint definitions.
    /// The exporter writes it into the ONNX file's metadata (<see cref="ToMetadata"/>); the Runtime
    /// reads it back (<see cref="FromMetadata"/>). Models without it can be described by hand.
    /// </summary>
    public sealed class PoseModelInfo
    {
        /// <summary>Version of the metadata layout written by <see cref="ToMetadata"/>.</summary>
        public const int FormatVersion = 1;

        private const string Prefix = "posert.";

        /// <summary>Network input width in pixels (192 for the paper's 256x192 setting).</summary>
        public int InputWidth { get; set; } = 192;

        /// <summary>Network input height in pixels.</summary>
        public int InputHeight { get; set; } = 256;

        /// <summary>Ratio of input size to heatmap size (4: 256x192 gives 64x48 heatmaps).</summary>
        public int HeatmapStride { get; set; } = 4;

        /// <summary>Channel order of the input tensor.</summary>
        public ChannelOrder ChannelOrder { get; set; } = ChannelOrder.Rgb;

        /// <summary>Per-channel mean, in the input's channel order, for pixel values scaled to [0, 1].</summary>
        public float[] Mean { get; set; } = { 0.485f, 0.456f, 0.406f };

        /// <summary>Per-channel standard deviation, in the input's channel order, for pixel values scaled to [0, 1].</summary>
        public float[] Std { get; set; } = { 0.229f, 0.224f, 0.225f };

        /// <summary>Keypoint names in output order.</summary>
        public string[] KeypointNames { get; set; } = CocoKeypoints.Names.ToArray();

        /// <summary>Left/right keypoint pairs swapped by a horizontal flip.</summary>
        public (int Left, int Right)[] FlipPairs { get; set; } = CocoKeypoints.FlipPairs.ToArray();

        /// <summary>Limbs for drawing, as (from, to) keypoint indices.</summary>
        public (int From, int To)[] Skeleton { get; set; } = DefaultSkeleton();

        /// <summary>Backbone name, e.g. <c>mobilenetv3_large</c>; informational.</summary>
        public string Architecture { get; set; } = "unknown";

        /// <summary>Activation name, e.g. <c>dyrelu_c</c>; informational.</summary>
        public string Activation { get; set; } = "unknown";

        /// <summary>Free text (JSON by convention) saying what the model was trained on and how it scores.</summary>
        public string Provenance { get; set; } = "";

        /// <summary>Number of keypoints (heatmap channels).</summary>
        public int KeypointCount => KeypointNames.Length;

        /// <summary>Heatmap width (<see cref="InputWidth"/> / <see cref="HeatmapStride"/>).</summary>
        public int HeatmapWidth => InputWidth / HeatmapStride;

        /// <summary>Heatmap height (<see cref="InputHeight"/> / <see cref="HeatmapStride"/>).</summary>
        public int HeatmapHeight => InputHeight / HeatmapStride;

        /// <summary>The model description for COCO's 17 keypoints at the paper's 256x192 input.</summary>
        public static PoseModelInfo CocoDefault() => new PoseModelInfo();

        /// <summary>Checks the description for internal consistency; throws <see cref="ArgumentException"/> naming the field.</summary>
        public void Validate()
        {
            if (InputWidth <= 0 || InputHeight <= 0)
                throw new ArgumentException($"Input size {InputWidth}x{InputHeight} must be positive.", nameof(InputWidth));
            if (HeatmapStride <= 0 || InputWidth % HeatmapStride != 0 || InputHeight % HeatmapStride != 0)
                throw new ArgumentException($"Heatmap stride {HeatmapStride} must divide the input size {InputWidth}x{InputHeight}.", nameof(HeatmapStride));
            if (Mean.Length != 3 || Std.Length != 3)
                throw new ArgumentException($"Mean and Std need 3 values each (got {Mean.Length} and {Std.Length}).", nameof(Mean));
            foreach (var s in Std)
            {
                if (!(s > 0)) throw new ArgumentException($"Std values must be positive (got {s}).", nameof(Std));
            }
            if (KeypointNames.Length == 0)
                throw new ArgumentException("At least one keypoint is needed.", nameof(KeypointNames));
            foreach (var (a, b) in FlipPairs) CheckIndex(a, b, nameof(FlipPairs));
            foreach (var (a, b) in Skeleton) CheckIndex(a, b, nameof(Skeleton));
        }

        private void CheckIndex(int a, int b, string field)
        {
            if (a < 0 || b < 0 || a >= KeypointCount || b >= KeypointCount)
                throw new ArgumentException($"{field} pair ({a}, {b}) is outside the {KeypointCount} keypoints.", field);
        }

        /// <summary>The description as ONNX metadata properties (all keys start with <c>posert.</c>).</summary>
        public IReadOnlyDictionary<string, string> ToMetadata()
        {
            return new Dictionary<string, string>
            {
                [Prefix + "format_version"] = FormatVersion.ToString(CultureInfo.InvariantCulture),
                [Prefix + "input_width"] = InputWidth.ToString(CultureInfo.InvariantCulture),
                [Prefix + "input_height"] = InputHeight.ToString(CultureInfo.InvariantCulture),
                [Prefix + "heatmap_stride"] = HeatmapStride.ToString(CultureInfo.InvariantCulture),
                [Prefix + "channel_order"] = ChannelOrder == ChannelOrder.Rgb ? "RGB" : "BGR",
                [Prefix + "mean"] = JoinFloats(Mean),
                [Prefix + "std"] = JoinFloats(Std),
                [Prefix + "keypoints"] = string.Join(",", KeypointNames),
                [Prefix + "flip_pairs"] = string.Join(",", FlipPairs.Select(p => p.Left.ToString(CultureInfo.InvariantCulture) + "-" + p.Right.ToString(CultureInfo.InvariantCulture))),
                [Prefix + "skeleton"] = string.Join(",", Skeleton.Select(p => p.From.ToString(CultureInfo.InvariantCulture) + "-" + p.To.ToString(CultureInfo.InvariantCulture))),
                [Prefix + "architecture"] = Architecture,
                [Prefix + "activation"] = Activation,
                [Prefix + "provenance"] = Provenance,
            };
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

            var info = new PoseModelInfo
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
                KeypointNames = Get("keypoints").Split(','),
                FlipPairs = ParsePairs(Get("flip_pairs"), source, "flip_pairs"),
                Skeleton = ParsePairs(Get("skeleton"), source, "skeleton"),
                Architecture = metadata.TryGetValue(Prefix + "architecture", out var arch) ? arch : "unknown",
                Activation = metadata.TryGetValue(Prefix + "activation", out var act) ? act : "unknown",
                Provenance = metadata.TryGetValue(Prefix + "provenance", out var prov) ? prov : "",
            };
            try
            {
                info.Validate();
            }
            catch (ArgumentException e)
            {
                throw new FormatException($"{source}: model metadata is inconsistent: {e.Message}", e);
            }
            return info;
        }

        private static string JoinFloats(float[] values) =>
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

        private static (int, int)[] DefaultSkeleton()
        {
            var s = CocoKeypoints.Skeleton;
            var pairs = new (int, int)[s.Length / 2];
            for (int i = 0; i < pairs.Length; i++) pairs[i] = (s[2 * i], s[2 * i + 1]);
            return pairs;
        }
    }
}
