using System;
using System.Collections.Generic;
using Google.Protobuf;
using PoseRT.OnnxGraph;
using PoseRT.Runtime.Model;

namespace PoseRT.Tests.Inference
{
    /// <summary>
    /// Real ONNX graphs whose output a test can predict: a 1x1 convolution with stride s, so heatmap
    /// (k, i, j) = bias[k] + sum_c weight[k, c] * input[c, s*i, s*j].
    /// </summary>
    internal sealed class TestModel
    {
        public int InputWidth = 48;
        public int InputHeight = 64;
        public int Stride = 4;
        public int Keypoints = 17;
        public int InputChannels = 3;
        public long Batch = -1;            // -1: symbolic "N"
        public bool WriteMetadata = true;
        public bool SymbolicSpatialDims = false;   // declare H, W as symbols (shape known only when run)
        public bool SecondInput = false;
        public float[] Weights;            // [K, C]
        public float[] Bias;               // [K]
        public float[]? AddConstant = null;     // [K, Hh, Wh] added to every heatmap batch entry

        public TestModel(int seed = 1)
        {
            var rng = new Random(seed);
            Weights = new float[Keypoints * InputChannels];
            for (int i = 0; i < Weights.Length; i++) Weights[i] = (float)(rng.NextDouble() * 2 - 1);
            Bias = new float[Keypoints];
            for (int i = 0; i < Bias.Length; i++) Bias[i] = (float)(rng.NextDouble() * 0.2 - 0.1);
        }

        public PoseModelInfo Info() => new PoseModelInfo
        {
            InputWidth = InputWidth,
            InputHeight = InputHeight,
            HeatmapStride = Stride,
            Architecture = "conv1x1-test",
            Activation = "none",
        };

        public int HeatmapWidth => InputWidth / Stride;

        public int HeatmapHeight => InputHeight / Stride;

        public byte[] Build() => Build(Info());

        public byte[] Build(PoseModelInfo metadataInfo)
        {
            var g = new OnnxGraphBuilder("conv-test");
            OnnxDim height = SymbolicSpatialDims ? "H" : InputHeight, width = SymbolicSpatialDims ? "W" : InputWidth;
            OnnxDim heatmapHeight = SymbolicSpatialDims ? "H" : HeatmapHeight, heatmapWidth = SymbolicSpatialDims ? "W" : HeatmapWidth;
            OnnxDim batch = Batch < 0 ? "N" : Batch;
            var x = g.Input("image", batch, InputChannels, height, width);
            if (SecondInput) g.Input("extra", 1);
            var w = g.Float("w", Weights, Keypoints, InputChannels, 1, 1);
            var b = g.Float("b", Bias, Keypoints);
            x = g.Node("Conv", "conv", new[] { x, w, b }, OnnxGraphBuilder.Ints("strides", Stride, Stride));
            if (AddConstant != null)
                x = g.Node("Add", "add", new[] { x, g.Float("const", AddConstant, 1, Keypoints, HeatmapHeight, HeatmapWidth) });
            g.Output(x, "heatmaps", batch, Keypoints, heatmapHeight, heatmapWidth);
            var metadata = WriteMetadata ? metadataInfo.ToMetadata() : null;
            return g.ToModel(irVersion: 8, opset: 17, producerName: "PoseRT.Runtime.Tests", metadata: metadata).ToByteArray();
        }
    }

    /// <summary>A smooth synthetic colour image (a gradient plus coloured blobs) with no flat regions, so peaks are unique.</summary>
    internal static class TestImages
    {
        public static byte[] Bgr(int width, int height, int stride, int seed = 5)
        {
            var rng = new Random(seed);
            var blobs = new List<(double X, double Y, double S, double B, double G, double R)>();
            for (int i = 0; i < 12; i++)
                blobs.Add((rng.NextDouble() * width, rng.NextDouble() * height, 4 + rng.NextDouble() * 15, rng.NextDouble() * 150, rng.NextDouble() * 150, rng.NextDouble() * 150));
            var data = new byte[stride * height];
            for (int y = 0; y < height; y++)
            {
                for (int x = 0; x < width; x++)
                {
                    double b = 20 + 40.0 * x / width, g = 30 + 50.0 * y / height, r = 25 + 30.0 * (x + y) / (width + height);
                    foreach (var bl in blobs)
                    {
                        double e = Math.Exp(-((x - bl.X) * (x - bl.X) + (y - bl.Y) * (y - bl.Y)) / (2 * bl.S * bl.S));
                        b += bl.B * e; g += bl.G * e; r += bl.R * e;
                    }
                    int o = y * stride + 3 * x;
                    data[o] = (byte)Math.Min(255, Math.Round(b));
                    data[o + 1] = (byte)Math.Min(255, Math.Round(g));
                    data[o + 2] = (byte)Math.Min(255, Math.Round(r));
                }
            }
            return data;
        }
    }
}
