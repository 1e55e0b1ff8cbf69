using System;
using System.Globalization;
using Google.Protobuf;
using Onnx;
using PoseRT.Runtime.Model;
using PoseRT.Trainer.Models;
using TorchSharp;
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
            // Each module writes itself next to its TorchSharp forward (IOnnxExportable); the walk starts at the root.
            var ctx = new OnnxExportContext(g, exportOptions ?? OnnxExportOptions.Default, new FeatureShape(3, o.InputHeight, o.InputWidth));
            string x;
            using (torch.no_grad()) x = ctx.Child("", model, InputName);
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
    }
}
