using System;
using System.Collections.Generic;
using System.Globalization;
using Google.Protobuf;
using Onnx;

namespace PoseRT.OnnxGraph
{
    /// <summary>
    /// Builds one ONNX graph: float graph inputs and outputs, nodes whose outputs get unique names, float and int64
    /// initializers, attributes; <see cref="ToModel"/> wraps it with the IR version, opset and metadata. Every PoseRT
    /// program that writes ONNX (the Trainer's exporter, posert's stand-in network, the tests' small models) uses this
    /// one writer, so a rule of the format (raw data is little-endian, a name is defined once) is kept in one place.
    /// </summary>
    public sealed class OnnxGraphBuilder
    {
        private readonly HashSet<string> names = new(StringComparer.Ordinal);

        /// <summary>Starts an empty graph named <paramref name="name"/>.</summary>
        public OnnxGraphBuilder(string name)
        {
            ArgumentNullException.ThrowIfNull(name);
            Graph = new GraphProto { Name = name };
        }

        /// <summary>
        /// Continues an existing graph (the quantiser's rewrite of an exported model): every name the graph already
        /// defines (inputs, initializers, node outputs) is reserved, so what is added cannot collide with it. The graph
        /// is edited in place.
        /// </summary>
        public static OnnxGraphBuilder Edit(GraphProto graph)
        {
            ArgumentNullException.ThrowIfNull(graph);
            var builder = new OnnxGraphBuilder(graph);
            foreach (var v in graph.Input) builder.names.Add(v.Name);
            foreach (var t in graph.Initializer) builder.names.Add(t.Name);
            foreach (var n in graph.Node)
            {
                builder.names.Add(n.Name);
                foreach (var o in n.Output) builder.names.Add(o);
            }
            return builder;
        }

        private OnnxGraphBuilder(GraphProto graph) => Graph = graph;

        /// <summary>The graph built so far (the nodes in the order they were added, which must be topological).</summary>
        public GraphProto Graph { get; }

        /// <summary>A value name starting with <paramref name="hint"/> that is not used yet (the hint itself when free).</summary>
        public string Unique(string hint)
        {
            ArgumentNullException.ThrowIfNull(hint);
            if (names.Add(hint)) return hint;
            for (int i = 1; ; i++)
            {
                var candidate = hint + "_" + i.ToString(CultureInfo.InvariantCulture);
                if (names.Add(candidate)) return candidate;
            }
        }

        /// <summary>Declares a float graph input named exactly <paramref name="name"/> of <paramref name="shape"/>; returns the name.</summary>
        public string Input(string name, params OnnxDim[] shape)
        {
            Reserve(name, "graph input");
            Graph.Input.Add(TensorValue(name, shape));
            return name;
        }

        /// <summary>
        /// Declares the value <paramref name="value"/> a float graph output named <paramref name="name"/> of
        /// <paramref name="shape"/>. When the names differ, the node that computes <paramref name="value"/> is changed to
        /// write <paramref name="name"/> instead (its node name is kept); no node may read <paramref name="value"/>.
        /// </summary>
        public void Output(string value, string name, params OnnxDim[] shape)
        {
            ArgumentNullException.ThrowIfNull(value);
            if (!string.Equals(value, name, StringComparison.Ordinal))
            {
                Reserve(name, "graph output");
                Rename(value, name);
            }
            Graph.Output.Add(TensorValue(name, shape));
        }

        /// <summary>
        /// Adds a float initializer named exactly <paramref name="name"/> of shape <paramref name="dims"/> (no dims: a
        /// scalar, one value), stored as little-endian raw data; returns the name.
        /// </summary>
        public string Float(string name, float[] data, params long[] dims)
        {
            ArgumentNullException.ThrowIfNull(data);
            long count = 1;
            foreach (var d in dims) count *= d;
            if (count != data.Length) throw new ArgumentException($"ONNX initializer '{name}' has {data.Length} values for shape [{string.Join(", ", dims)}].", nameof(data));
            if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("ONNX raw data is little-endian; this writer does not byte-swap.");
            Reserve(name, "initializer");
            var t = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
            t.Dims.AddRange(dims);
            var bytes = new byte[data.Length * sizeof(float)];
            Buffer.BlockCopy(data, 0, bytes, 0, bytes.Length);
            t.RawData = ByteString.CopyFrom(bytes);
            Graph.Initializer.Add(t);
            return name;
        }

        /// <summary>Adds an int8 initializer (quantised weights) named exactly <paramref name="name"/> of shape <paramref name="dims"/>; returns the name.</summary>
        public string Int8(string name, sbyte[] data, params long[] dims)
        {
            ArgumentNullException.ThrowIfNull(data);
            var bytes = new byte[data.Length];
            Buffer.BlockCopy(data, 0, bytes, 0, bytes.Length);
            return Raw(name, TensorProto.Types.DataType.Int8, bytes, data.Length, dims);
        }

        /// <summary>Adds a uint8 initializer (activation zero points) named exactly <paramref name="name"/> of shape <paramref name="dims"/> (none: a scalar); returns the name.</summary>
        public string UInt8(string name, byte[] data, params long[] dims)
        {
            ArgumentNullException.ThrowIfNull(data);
            return Raw(name, TensorProto.Types.DataType.Uint8, (byte[])data.Clone(), data.Length, dims);
        }

        /// <summary>Adds an int32 initializer (quantised biases) named exactly <paramref name="name"/> of shape <paramref name="dims"/>; returns the name.</summary>
        public string Int32(string name, int[] data, params long[] dims)
        {
            ArgumentNullException.ThrowIfNull(data);
            if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("ONNX raw data is little-endian; this writer does not byte-swap.");
            var bytes = new byte[data.Length * sizeof(int)];
            Buffer.BlockCopy(data, 0, bytes, 0, bytes.Length);
            return Raw(name, TensorProto.Types.DataType.Int32, bytes, data.Length, dims);
        }

        /// <summary>
        /// Reorders the nodes so that each comes after the producers of its inputs (ONNX requires topological order),
        /// keeping the current order wherever it already is; for edits that add a node before existing readers.
        /// Throws <see cref="InvalidOperationException"/> on a cycle or an input nothing defines.
        /// </summary>
        public void SortNodes()
        {
            var defined = new HashSet<string>(StringComparer.Ordinal) { "" };
            foreach (var v in Graph.Input) defined.Add(v.Name);
            foreach (var t in Graph.Initializer) defined.Add(t.Name);
            var pending = new List<NodeProto>(Graph.Node);
            var sorted = new List<NodeProto>(pending.Count);
            while (pending.Count > 0)
            {
                // Emit the first node whose inputs all exist; quadratic, but graphs here have a few thousand nodes.
                int ready = -1;
                for (int i = 0; i < pending.Count && ready < 0; i++)
                {
                    bool ok = true;
                    foreach (var input in pending[i].Input) ok &= defined.Contains(input);
                    if (ok) ready = i;
                }
                if (ready < 0)
                    throw new InvalidOperationException($"ONNX graph '{Graph.Name}': node '{pending[0].Name}' reads a value no node, input or initializer defines, or the nodes form a cycle.");
                var node = pending[ready];
                pending.RemoveAt(ready);
                foreach (var o in node.Output) defined.Add(o);
                sorted.Add(node);
            }
            Graph.Node.Clear();
            Graph.Node.AddRange(sorted);
        }

        /// <summary>Adds an int64 vector initializer (shapes, axes) named exactly <paramref name="name"/>; returns the name.</summary>
        public string Int64(string name, long[] data)
        {
            ArgumentNullException.ThrowIfNull(data);
            Reserve(name, "initializer");
            var t = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int64 };
            t.Dims.Add(data.Length);
            t.Int64Data.AddRange(data);
            Graph.Initializer.Add(t);
            return name;
        }

        /// <summary>Adds a node with one output; node and output are named after <paramref name="outputHint"/>. Returns the output name.</summary>
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

        /// <summary>Adds a node with <paramref name="outputs"/> outputs named <c>hint.0</c>, <c>hint.1</c>, ...; returns their names.</summary>
        public string[] Node(string op, string outputHint, int outputs, string[] inputs, params AttributeProto[] attributes)
        {
            var node = new NodeProto { OpType = op, Name = Unique(outputHint) };
            node.Input.AddRange(inputs);
            var result = new string[outputs];
            for (int i = 0; i < outputs; i++)
            {
                result[i] = Unique(outputHint + "." + i.ToString(CultureInfo.InvariantCulture));
                node.Output.Add(result[i]);
            }
            node.Attribute.AddRange(attributes);
            Graph.Node.Add(node);
            return result;
        }

        /// <summary>
        /// The model: this graph with IR version <paramref name="irVersion"/>, the default-domain operator set
        /// <paramref name="opset"/>, the producer, an optional doc string and <paramref name="metadata"/> as metadata_props
        /// in the order given.
        /// </summary>
        public ModelProto ToModel(long irVersion, long opset, string producerName, string producerVersion = "", string docString = "", IEnumerable<KeyValuePair<string, string>>? metadata = null)
        {
            var model = new ModelProto
            {
                IrVersion = irVersion,
                ProducerName = producerName,
                ProducerVersion = producerVersion,
                Graph = Graph,
                DocString = docString,
            };
            model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = opset });
            if (metadata is not null)
            {
                foreach (var kv in metadata) model.MetadataProps.Add(new StringStringEntryProto { Key = kv.Key, Value = kv.Value });
            }
            return model;
        }

        /// <summary>An int attribute.</summary>
        public static AttributeProto Int(string name, long value) =>
            new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

        /// <summary>A float attribute.</summary>
        public static AttributeProto Float(string name, float value) =>
            new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

        /// <summary>A string attribute (UTF-8).</summary>
        public static AttributeProto Text(string name, string value) =>
            new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(value) };

        /// <summary>An ints attribute.</summary>
        public static AttributeProto Ints(string name, params long[] values)
        {
            var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
            a.Ints.AddRange(values);
            return a;
        }

        /// <summary>A float tensor value description of <paramref name="shape"/>.</summary>
        public static ValueInfoProto TensorValue(string name, params OnnxDim[] shape)
        {
            var s = new TensorShapeProto();
            foreach (var d in shape)
            {
                s.Dim.Add(d.Symbol is null
                    ? new TensorShapeProto.Types.Dimension { DimValue = d.Value }
                    : new TensorShapeProto.Types.Dimension { DimParam = d.Symbol });
            }
            return new ValueInfoProto
            {
                Name = name,
                Type = new TypeProto
                {
                    TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = s },
                },
            };
        }

        private string Raw(string name, TensorProto.Types.DataType type, byte[] bytes, int count, long[] dims)
        {
            long expected = 1;
            foreach (var d in dims) expected *= d;
            if (expected != count) throw new ArgumentException($"ONNX initializer '{name}' has {count} values for shape [{string.Join(", ", dims)}].", nameof(dims));
            Reserve(name, "initializer");
            var t = new TensorProto { Name = name, DataType = (int)type };
            t.Dims.AddRange(dims);
            t.RawData = ByteString.CopyFrom(bytes);
            Graph.Initializer.Add(t);
            return name;
        }

        private void Reserve(string name, string what)
        {
            ArgumentNullException.ThrowIfNull(name);
            if (!names.Add(name)) throw new InvalidOperationException($"ONNX {what} name '{name}' is already used in graph '{Graph.Name}'.");
        }

        private void Rename(string value, string name)
        {
            foreach (var node in Graph.Node)
            {
                for (int i = 0; i < node.Input.Count; i++)
                {
                    if (string.Equals(node.Input[i], value, StringComparison.Ordinal))
                        throw new InvalidOperationException($"ONNX value '{value}' is read by node '{node.Name}'; it cannot be renamed to the graph output '{name}'.");
                }
            }
            for (int n = Graph.Node.Count - 1; n >= 0; n--)
            {
                var outputs = Graph.Node[n].Output;
                for (int i = 0; i < outputs.Count; i++)
                {
                    if (string.Equals(outputs[i], value, StringComparison.Ordinal))
                    {
                        outputs[i] = name;
                        return;
                    }
                }
            }
            throw new InvalidOperationException($"No node of graph '{Graph.Name}' computes '{value}', the value named as graph output '{name}'.");
        }
    }
}
