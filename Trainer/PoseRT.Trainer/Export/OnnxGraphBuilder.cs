using System;
using System.Collections.Generic;
using Google.Protobuf;
using Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace PoseRT.Trainer.Export
{
    /// <summary>Accumulates ONNX nodes and initializers with unique names.</summary>
    internal sealed class OnnxGraphBuilder
    {
        private readonly HashSet<string> names = new(StringComparer.Ordinal);

        public GraphProto Graph { get; } = new GraphProto();

        /// <summary>A value name starting with <paramref name="hint"/> that is not used yet.</summary>
        public string Unique(string hint)
        {
            if (names.Add(hint)) return hint;
            for (int i = 1; ; i++)
            {
                var candidate = hint + "_" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
                if (names.Add(candidate)) return candidate;
            }
        }

        /// <summary>Adds a float initializer named exactly <paramref name="name"/> (a module parameter name).</summary>
        public string Float(string name, float[] data, params long[] dims)
        {
            if (!names.Add(name)) throw new InvalidOperationException($"ONNX initializer name '{name}' is used twice.");
            long count = 1;
            foreach (var d in dims) count *= d;
            if (count != data.Length) throw new InvalidOperationException($"Initializer '{name}' has {data.Length} values for shape [{string.Join(", ", dims)}].");
            var t = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
            t.Dims.AddRange(dims);
            var bytes = new byte[data.Length * sizeof(float)];
            Buffer.BlockCopy(data, 0, bytes, 0, bytes.Length);
            if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("ONNX raw data is little-endian; this exporter does not byte-swap.");
            t.RawData = ByteString.CopyFrom(bytes);
            Graph.Initializer.Add(t);
            return name;
        }

        /// <summary>Adds a float initializer from a tensor (copied to the CPU as float32).</summary>
        public string Float(string name, Tensor tensor, params long[] dims)
        {
            return Float(name, HostFloats(tensor), dims.Length == 0 ? tensor.shape : dims);
        }

        /// <summary>A copy of a tensor's values in host memory, whatever its device (data() reads CPU tensors only).</summary>
        public static float[] HostFloats(Tensor tensor)
        {
            using var c = tensor.detach().to(ScalarType.Float32).cpu().contiguous();
            return c.data<float>().ToArray();
        }

        /// <summary>Adds an int64 initializer (shapes, axes).</summary>
        public string Int64(string name, long[] data)
        {
            if (!names.Add(name)) throw new InvalidOperationException($"ONNX initializer name '{name}' is used twice.");
            var t = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int64 };
            t.Dims.Add(data.Length);
            t.Int64Data.AddRange(data);
            Graph.Initializer.Add(t);
            return name;
        }

        /// <summary>Adds a node with one output, named after <paramref name="outputHint"/>; returns the output name.</summary>
        public string Node(string op, string outputHint, string[] inputs, params AttributeProto[] attributes)
        {
            var output = Unique(outputHint);
            var node = new NodeProto { OpType = op, Name = output };
            node.Input.AddRange(inputs);
            node.Output.Add(output);
            node.Attribute.AddRange(attributes);
            Graph.Node.Add(node);
            return output;
        }

        /// <summary>Adds a node with several outputs; returns their names.</summary>
        public string[] Node(string op, string outputHint, int outputs, string[] inputs, params AttributeProto[] attributes)
        {
            var node = new NodeProto { OpType = op, Name = Unique(outputHint) };
            node.Input.AddRange(inputs);
            var result = new string[outputs];
            for (int i = 0; i < outputs; i++)
            {
                result[i] = Unique(outputHint + "." + i.ToString(System.Globalization.CultureInfo.InvariantCulture));
                node.Output.Add(result[i]);
            }
            node.Attribute.AddRange(attributes);
            Graph.Node.Add(node);
            return result;
        }

        public static AttributeProto Int(string name, long value) =>
            new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

        public static AttributeProto Float(string name, float value) =>
            new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

        public static AttributeProto Text(string name, string value) =>
            new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(value) };

        public static AttributeProto Ints(string name, params long[] values)
        {
            var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
            a.Ints.AddRange(values);
            return a;
        }

        /// <summary>A float tensor value description with a symbolic first dimension.</summary>
        public static ValueInfoProto TensorValue(string name, string batchName, params long[] dims)
        {
            var shape = new TensorShapeProto();
            shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = batchName });
            foreach (var d in dims) shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
            return new ValueInfoProto
            {
                Name = name,
                Type = new TypeProto
                {
                    TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape },
                },
            };
        }
    }
}
