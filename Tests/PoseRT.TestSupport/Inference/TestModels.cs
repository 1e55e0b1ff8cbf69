using System;
using System.Collections.Generic;
using Google.Protobuf;
using Onnx;
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
            var graph = new GraphProto { Name = "conv-test" };
            graph.Input.Add(Value("image", Batch, InputChannels, SymbolicSpatialDims ? -2 : InputHeight, SymbolicSpatialDims ? -3 : InputWidth));
            if (SecondInput) graph.Input.Add(Value("extra", 1));
            graph.Output.Add(Value("heatmaps", Batch, Keypoints, SymbolicSpatialDims ? -2 : HeatmapHeight, SymbolicSpatialDims ? -3 : HeatmapWidth));
            var w = new TensorProto { Name = "w", DataType = (int)TensorProto.Types.DataType.Float };
            w.Dims.AddRange(new long[] { Keypoints, InputChannels, 1, 1 });
            w.FloatData.AddRange(Weights);
            var b = new TensorProto { Name = "b", DataType = (int)TensorProto.Types.DataType.Float };
            b.Dims.Add(Keypoints);
            b.FloatData.AddRange(Bias);
            graph.Initializer.Add(w);
            graph.Initializer.Add(b);
            var conv = new NodeProto { OpType = "Conv", Name = "conv" };
            conv.Input.AddRange(new[] { "image", "w", "b" });
            conv.Output.Add(AddConstant == null ? "heatmaps" : "conv_out");
            if (AddConstant != null)
            {
                var c = new TensorProto { Name = "const", DataType = (int)TensorProto.Types.DataType.Float };
                c.Dims.AddRange(new long[] { 1, Keypoints, HeatmapHeight, HeatmapWidth });
                c.FloatData.AddRange(AddConstant);
                graph.Initializer.Add(c);
                var add = new NodeProto { OpType = "Add", Name = "add" };
                add.Input.AddRange(new[] { "conv_out", "const" });
                add.Output.Add("heatmaps");
                graph.Node.Add(add);
            }
            var strides = new AttributeProto { Name = "strides", Type = AttributeProto.Types.AttributeType.Ints };
            strides.Ints.AddRange(new long[] { Stride, Stride });
            conv.Attribute.Add(strides);
            graph.Node.Add(conv);
            var model = new ModelProto { IrVersion = 8, Graph = graph, ProducerName = "PoseRT.Runtime.Tests" };
            model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 17 });
            if (WriteMetadata)
            {
                foreach (var kv in metadataInfo.ToMetadata())
                    model.MetadataProps.Add(new StringStringEntryProto { Key = kv.Key, Value = kv.Value });
            }
            return model.ToByteArray();
        }

        private static ValueInfoProto Value(string name, params long[] dims)
        {
            var shape = new TensorShapeProto();
            foreach (var d in dims)
            {
                shape.Dim.Add(d switch
                {
                    -1 => new TensorShapeProto.Types.Dimension { DimParam = "N" },
                    -2 => new TensorShapeProto.Types.Dimension { DimParam = "H" },
                    -3 => new TensorShapeProto.Types.Dimension { DimParam = "W" },
                    _ => new TensorShapeProto.Types.Dimension { DimValue = d },
                });
            }
            return new ValueInfoProto
            {
                Name = name,
                Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } },
            };
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
