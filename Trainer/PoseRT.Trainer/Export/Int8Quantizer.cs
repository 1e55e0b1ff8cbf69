using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Onnx;
using PoseRT.OnnxGraph;
using PoseRT.Runtime.Model;

namespace PoseRT.Trainer.Export
{
    /// <summary>Choices of <see cref="Int8Quantizer"/>.</summary>
    public sealed record Int8Options
    {
        /// <summary>Generated person crops the activation ranges are measured on (default 64).</summary>
        public int CalibrationCrops { get; init; } = 64;

        /// <summary>Seed of the synthetic images the crops come from (default <see cref="Export.CalibrationCrops.DefaultSeed"/>, not a training or validation seed).</summary>
        public long Seed { get; init; } = Export.CalibrationCrops.DefaultSeed;

        /// <summary>
        /// Activation range: the [100 - p, p] percentiles of each tensor's values over the crops (default 99.99), or
        /// min/max at 100.
        /// </summary>
        public double Percentile { get; init; } = 99.99;

        /// <summary>Throws <see cref="ArgumentException"/> naming a bad setting.</summary>
        public void Validate()
        {
            if (!(Percentile >= 99 && Percentile <= 100))
                throw new ArgumentException($"Calibration percentile must be 99..100 (got {Percentile}).", nameof(Percentile));
            if (CalibrationCrops < 1 || CalibrationCrops > MaxCalibrationCrops)
                throw new ArgumentException($"Calibration crops must be 1..{MaxCalibrationCrops} (got {CalibrationCrops}).", nameof(CalibrationCrops));
        }

        /// <summary>Most calibration crops (each is generated and run through the fp32 network with every convolution's tensors kept).</summary>
        public const int MaxCalibrationCrops = 10_000;
    }

    /// <summary>
    /// Post-training static int8 quantisation of a PoseRT ONNX model in ONNX's QDQ form, which ONNX Runtime's CPU provider
    /// fuses into <c>QLinearConv</c>: every convolution (except the last, whose output is the float heatmaps, and those
    /// on 1x1 maps such as squeeze-and-excitation's) reads <c>DequantizeLinear(QuantizeLinear(x))</c> with a uint8
    /// per-tensor scale and zero point, has int8 weights per output channel (symmetric, zero point 0) and an int32 bias
    /// (scale = input scale x weight scale), and its output (after its ReLU, when a ReLU is its only reader, so that ReLU
    /// folds into the zero point) goes through QuantizeLinear/DequantizeLinear again. Everything else (DY-ReLU's hyper
    /// function, pieces, max and attention, h-swish, SE, resize, residual adds) stays fp32 and reads the dequantised values.
    /// Activation ranges are percentiles (<see cref="Int8Options.Percentile"/>) of each tensor's values over
    /// <see cref="Int8Options.CalibrationCrops"/> synthetic person crops (<see cref="CalibrationCrops"/>) run through the fp32 model.
    /// </summary>
    public static class Int8Quantizer
    {
        /// <summary>
        /// Largest weight magnitude: 7 bits. With 8-bit weights, uint8 x int8 products summed in pairs overflow int16 in
        /// ONNX Runtime's AVX2 kernels on CPUs without VNNI (vpmaddubsw saturates); with 7 bits (255 x 63 x 2 = 32130) they
        /// cannot, at the cost of one bit of per-channel weight precision.
        /// </summary>
        public const int WeightLevels = 63;

        /// <summary>Metadata value of <see cref="PoseModelInfo.Precision"/> written into quantised files.</summary>
        public const string Precision = "int8";

        /// <summary>
        /// Quantises <paramref name="model"/> (an fp32 PoseRT export; its metadata gives the input size and normalisation
        /// the calibration crops are sampled with). <paramref name="source"/> names the model in errors. Throws
        /// <see cref="InvalidDataException"/> when the model is not a PoseRT fp32 model or has no convolution to quantise.
        /// </summary>
        public static ModelProto Quantize(ModelProto model, Int8Options? options = null, string source = "model")
        {
            ArgumentNullException.ThrowIfNull(model);
            options ??= new Int8Options();
            options.Validate();
            var info = ReadInfo(model, source);
            var crops = CalibrationCrops.Generate(info, options.CalibrationCrops, options.Seed);
            var plan = Plan(model.Graph);
            if (plan.Count == 0) throw new InvalidDataException($"{source}: the graph has no convolution with constant weights to quantise.");
            var ranges = Calibrate(model, plan, crops, info, options.Percentile);
            return Rewrite(model, plan, ranges, info, options);
        }

        /// <summary>The model's PoseRT description; refuses files without it and files already quantised.</summary>
        internal static PoseModelInfo ReadInfo(ModelProto model, string source)
        {
            var info = ReadInfoAnyPrecision(model, source);
            bool hasQdq = false;
            foreach (var n in model.Graph.Node) hasQdq |= n.OpType is "QuantizeLinear" or "DequantizeLinear" or "QLinearConv";
            if (info.Precision != PoseModelInfo.DefaultPrecision || hasQdq)
                throw new InvalidDataException($"{source}: already quantised (precision {info.Precision}); quantise the fp32 model instead.");
            return info;
        }

        /// <summary>The model's PoseRT description (<see cref="PoseModelInfo.FromMetadata"/>); <see cref="InvalidDataException"/> without one.</summary>
        internal static PoseModelInfo ReadInfoAnyPrecision(ModelProto model, string source)
        {
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var p in model.MetadataProps) metadata[p.Key] = p.Value;
            if (!PoseModelInfo.HasPoseRTMetadata(metadata))
                throw new InvalidDataException($"{source}: not a PoseRT model (no posert.* metadata), so its input size and normalisation for calibration are unknown.");
            try
            {
                return PoseModelInfo.FromMetadata(metadata, source);
            }
            catch (FormatException e)
            {
                throw new InvalidDataException(e.Message, e);
            }
        }

        /// <summary>A convolution to quantise: the node, the value its quantised output is taken at, and the Relu folded in (or null).</summary>
        internal sealed record ConvPlan(NodeProto Conv, string Output, NodeProto? Relu)
        {
            public string Input => Conv.Input[0];
        }

        /// <summary>The convolutions with constant weights (and bias) whose output is not a graph output.</summary>
        private static List<ConvPlan> Plan(GraphProto graph)
        {
            var initializers = new Dictionary<string, TensorProto>(StringComparer.Ordinal);
            foreach (var t in graph.Initializer) initializers[t.Name] = t;
            var outputs = new HashSet<string>(StringComparer.Ordinal);
            foreach (var o in graph.Output) outputs.Add(o.Name);
            var readers = Readers(graph);
            var plan = new List<ConvPlan>();
            foreach (var node in graph.Node)
            {
                if (node.OpType != "Conv" || node.Input.Count < 2 || outputs.Contains(node.Output[0])) continue;
                if (!IsFloat(initializers, node.Input[1], 4)) continue;
                if (node.Input.Count > 2 && node.Input[2].Length > 0 && !IsFloat(initializers, node.Input[2], 1)) continue;
                // Conv -> Relu -> Q: ONNX Runtime drops the Relu when the zero point is 0 (the ReLU's range starts at 0).
                NodeProto? relu = null;
                if (readers.TryGetValue(node.Output[0], out var r) && r.Count == 1 && r[0].OpType == "Relu" && !outputs.Contains(r[0].Output[0])) relu = r[0];
                plan.Add(new ConvPlan(node, relu?.Output[0] ?? node.Output[0], relu));
            }
            return plan;
        }

        private static bool IsFloat(Dictionary<string, TensorProto> initializers, string name, int rank) =>
            initializers.TryGetValue(name, out var t) && t.DataType == (int)TensorProto.Types.DataType.Float && t.Dims.Count == rank;

        private static Dictionary<string, List<NodeProto>> Readers(GraphProto graph)
        {
            var readers = new Dictionary<string, List<NodeProto>>(StringComparer.Ordinal);
            foreach (var node in graph.Node)
            {
                foreach (var input in node.Input)
                {
                    if (input.Length == 0) continue;
                    if (!readers.TryGetValue(input, out var list)) readers[input] = list = new List<NodeProto>();
                    if (!list.Contains(node)) list.Add(node);
                }
            }
            return readers;
        }

        /// <summary>Observed range and per-sample shape of one tensor over the calibration crops.</summary>
        internal sealed class TensorRange
        {
            public float Min = float.PositiveInfinity;
            public float Max = float.NegativeInfinity;
            public int[] Dims = Array.Empty<int>();

            /// <summary>Positions per channel (H x W) of a 4-D tensor.</summary>
            public long Positions => Dims.Length == 4 ? (long)Dims[2] * Dims[3] : 0;
        }

        /// <summary>
        /// Runs the fp32 model on the crops with each planned convolution's input and output added as graph outputs
        /// (through Identity nodes, so a graph input can be one too) and records their ranges.
        /// </summary>
        private static Dictionary<string, TensorRange> Calibrate(ModelProto model, List<ConvPlan> plan, List<float[]> crops, PoseModelInfo info, double percentile)
        {
            var tapped = model.Clone();
            var g = OnnxGraphBuilder.Edit(tapped.Graph);
            var taps = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var p in plan)
            {
                foreach (var v in new[] { p.Input, p.Output })
                {
                    if (taps.ContainsKey(v)) continue;
                    var tap = g.Node("Identity", "calibration/" + v, new[] { v });
                    tapped.Graph.Output.Add(new ValueInfoProto
                    {
                        Name = tap,
                        Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float } },
                    });
                    taps[v] = tap;
                }
            }

            var ranges = new Dictionary<string, TensorRange>(StringComparer.Ordinal);
            foreach (var v in taps.Keys) ranges[v] = new TensorRange();
            using var sessionOptions = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1, GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
            using var session = new InferenceSession(tapped.ToByteArray(), sessionOptions);
            var tapNames = new List<string>(taps.Keys);

            // Pass 1: minimum, maximum and shape of every tapped tensor.
            RunTaps(session, model.Graph.Input[0].Name, taps, crops, info, (v, tensor) =>
            {
                var range = ranges[v];
                if (range.Dims.Length == 0)
                {
                    range.Dims = tensor.Dimensions.ToArray();
                    range.Dims[0] = 1;
                }
                var span = tensor.Buffer.Span;
                float lo = range.Min, hi = range.Max;
                for (int i = 0; i < span.Length; i++)
                {
                    float x = span[i];
                    if (x < lo) lo = x;
                    if (x > hi) hi = x;
                }
                if (!float.IsFinite(lo) || !float.IsFinite(hi))
                    throw new InvalidDataException($"The fp32 model computed a non-finite value in '{v}' on a calibration crop; it cannot be quantised.");
                range.Min = lo;
                range.Max = hi;
            });
            if (percentile >= 100) return ranges;

            // Pass 2: a histogram over [min, max]; the range becomes the [100 - p, p] percentiles, so that a few extreme
            // values (which min/max lets set the step for all the others) are clipped instead.
            var histograms = new Dictionary<string, long[]>(StringComparer.Ordinal);
            foreach (var v in tapNames) histograms[v] = new long[HistogramBins];
            RunTaps(session, model.Graph.Input[0].Name, taps, crops, info, (v, tensor) =>
            {
                var range = ranges[v];
                var h = histograms[v];
                double width = range.Max - range.Min;
                if (!(width > 0)) return;
                double perBin = HistogramBins / width;
                var span = tensor.Buffer.Span;
                for (int i = 0; i < span.Length; i++)
                    h[Math.Min(HistogramBins - 1, (int)((span[i] - range.Min) * perBin))]++;
            });
            foreach (var v in tapNames)
            {
                var range = ranges[v];
                var h = histograms[v];
                long total = 0;
                foreach (var c in h) total += c;
                if (total == 0) continue;
                double width = (range.Max - range.Min) / HistogramBins;
                long tail = (long)Math.Floor(total * (100 - percentile) / 100);
                int lo = 0, hi = HistogramBins - 1;
                for (long seen = h[0]; seen <= tail && lo < HistogramBins - 1; seen += h[++lo]) { }
                for (long seen = h[HistogramBins - 1]; seen <= tail && hi > 0; seen += h[--hi]) { }
                // Only ever narrow: the lower end of the lowest kept bin, the upper end of the highest.
                float newMin = (float)(range.Min + lo * width), newMax = (float)(range.Min + (hi + 1) * width);
                if (newMin < newMax)
                {
                    range.Min = Math.Max(range.Min, newMin);
                    range.Max = Math.Min(range.Max, newMax);
                }
            }
            return ranges;
        }

        /// <summary>Bins of the calibration histograms.</summary>
        private const int HistogramBins = 4096;

        private static void RunTaps(InferenceSession session, string inputName, Dictionary<string, string> taps, List<float[]> crops, PoseModelInfo info, Action<string, DenseTensor<float>> visit)
        {
            var outputNames = new List<string>(taps.Values);
            int per = 3 * info.InputHeight * info.InputWidth;
            const int Batch = 4;
            for (int start = 0; start < crops.Count; start += Batch)
            {
                int n = Math.Min(Batch, crops.Count - start);
                var data = new float[n * per];
                for (int i = 0; i < n; i++) crops[start + i].CopyTo(data, i * per);
                var inputs = new List<NamedOnnxValue> { NamedOnnxValue.CreateFromTensor(inputName, new DenseTensor<float>(data, new[] { n, 3, info.InputHeight, info.InputWidth })) };
                using var results = session.Run(inputs, outputNames);
                int k = 0;
                foreach (var v in taps.Keys)
                {
                    var tensor = results[k++].AsTensor<float>();
                    visit(v, tensor as DenseTensor<float> ?? tensor.ToDenseTensor());
                }
            }
        }

        /// <summary>uint8 scale and zero point for [min, max], widened to include 0 (so zero, padding and ReLU's floor are exact).</summary>
        internal static (float Scale, byte ZeroPoint) ActivationParameters(float min, float max)
        {
            double lo = Math.Min(min, 0.0), hi = Math.Max(max, 0.0);
            double scale = (hi - lo) / 255.0;
            if (!(scale > 1e-12)) return (1f, 0);
            double zp = Math.Round(-lo / scale);
            return ((float)scale, (byte)Math.Clamp(zp, 0, 255));
        }

        private static ModelProto Rewrite(ModelProto model, List<ConvPlan> plan, Dictionary<string, TensorRange> ranges, PoseModelInfo info, Int8Options options)
        {
            var result = model.Clone();
            var graph = result.Graph;
            var g = OnnxGraphBuilder.Edit(graph);
            // The clone's nodes, found again by name (the plan holds the original's).
            var nodes = new Dictionary<string, NodeProto>(StringComparer.Ordinal);
            foreach (var n in graph.Node) nodes[n.Name] = n;
            var initializers = new Dictionary<string, TensorProto>(StringComparer.Ordinal);
            foreach (var t in graph.Initializer) initializers[t.Name] = t;
            var graphOutputs = new HashSet<string>(StringComparer.Ordinal);
            foreach (var o in graph.Output) graphOutputs.Add(o.Name);

            // Convolutions on 1x1 maps (SE's) cost nothing and would only add rounding error: they stay fp32.
            var kept = new List<ConvPlan>();
            foreach (var p in plan)
            {
                if (ranges[p.Input].Positions <= 1) continue;
                kept.Add(new ConvPlan(nodes[p.Conv.Name], p.Output, p.Relu is null ? null : nodes[p.Relu.Name]));
            }
            var readers = Readers(graph);
            var convReaders = new Dictionary<string, List<NodeProto>>(StringComparer.Ordinal);
            var producedBy = new Dictionary<string, NodeProto>(StringComparer.Ordinal);
            var order = new List<string>();
            foreach (var p in kept)
            {
                if (!convReaders.TryGetValue(p.Input, out var list))
                {
                    convReaders[p.Input] = list = new List<NodeProto>();
                    if (!order.Contains(p.Input)) order.Add(p.Input);
                }
                list.Add(p.Conv);
                producedBy[p.Output] = p.Relu ?? p.Conv;
                if (!order.Contains(p.Output)) order.Add(p.Output);
            }

            // One QuantizeLinear per quantised value; one DequantizeLinear per convolution reading it (ONNX Runtime fuses a
            // DQ into the one node it feeds), and one for all other readers of a quantised convolution's output.
            var quantized = new Dictionary<string, (string Q, string Scale, string ZeroPoint, float ScaleValue)>(StringComparer.Ordinal);
            foreach (var v in order)
            {
                var r = ranges[v];
                var (scale, zp) = ActivationParameters(r.Min, r.Max);
                var scaleName = g.Float(v + "/scale", new[] { scale });
                var zpName = g.UInt8(v + "/zero_point", new[] { zp });
                string source = v;
                if (producedBy.TryGetValue(v, out var producer))
                {
                    source = g.Unique(v + "/float");
                    producer.Output[0] = source;
                }
                var q = g.Node("QuantizeLinear", v + "/quantized", new[] { source, scaleName, zpName });
                quantized[v] = (q, scaleName, zpName, scale);
                if (producer is not null)
                {
                    bool otherReaders = graphOutputs.Contains(v);
                    if (readers.TryGetValue(v, out var rs))
                    {
                        foreach (var reader in rs)
                            otherReaders |= !(convReaders.TryGetValue(v, out var cs) && cs.Contains(reader));
                    }
                    if (otherReaders)
                    {
                        // Written by hand: the value keeps its exact name, which the builder has reserved already.
                        var dq = new NodeProto { OpType = "DequantizeLinear", Name = g.Unique(v + "/dequantize") };
                        dq.Input.Add(q);
                        dq.Input.Add(scaleName);
                        dq.Input.Add(zpName);
                        dq.Output.Add(v);
                        graph.Node.Add(dq);
                    }
                }
            }

            var unused = new HashSet<string>(StringComparer.Ordinal);
            foreach (var p in kept)
            {
                var conv = p.Conv;
                var input = quantized[p.Input];
                var prefix = conv.Name;
                conv.Input[0] = g.Node("DequantizeLinear", prefix + "/input", new[] { input.Q, input.Scale, input.ZeroPoint });

                var wTensor = initializers[conv.Input[1]];
                float[] w = ReadFloats(wTensor);
                long co = wTensor.Dims[0];
                long per = w.Length / co;
                var qw = new sbyte[w.Length];
                var ws = new float[co];
                for (long o = 0; o < co; o++)
                {
                    float amax = 0;
                    for (long j = 0; j < per; j++) amax = Math.Max(amax, Math.Abs(w[o * per + j]));
                    ws[o] = amax > 0 ? amax / WeightLevels : 1f;
                    for (long j = 0; j < per; j++)
                        qw[o * per + j] = (sbyte)Math.Clamp(Math.Round(w[o * per + j] / ws[o]), -WeightLevels, WeightLevels);
                }
                var dims = new long[wTensor.Dims.Count];
                for (int i = 0; i < dims.Length; i++) dims[i] = wTensor.Dims[i];
                var qwName = g.Int8(wTensor.Name + "/quantized", qw, dims);
                var wsName = g.Float(wTensor.Name + "/scale", ws, co);
                var wzName = g.Int8(wTensor.Name + "/zero_point", new sbyte[co], co);
                unused.Add(conv.Input[1]);
                conv.Input[1] = g.Node("DequantizeLinear", prefix + "/weight", new[] { qwName, wsName, wzName }, OnnxGraphBuilder.Int("axis", 0));

                bool hasBias = conv.Input.Count > 2 && conv.Input[2].Length > 0;
                float[] b = hasBias ? ReadFloats(initializers[conv.Input[2]]) : new float[co];
                var qb = new int[co];
                var bs = new float[co];
                for (long o = 0; o < co; o++)
                {
                    bs[o] = input.ScaleValue * ws[o];
                    qb[o] = (int)Math.Clamp(Math.Round(b[o] / bs[o]), int.MinValue, int.MaxValue);
                }
                string biasBase = hasBias ? conv.Input[2] : prefix + ".bias";
                var qbName = g.Int32(biasBase + "/quantized", qb, co);
                var bsName = g.Float(biasBase + "/scale", bs, co);
                var bias = g.Node("DequantizeLinear", prefix + "/bias", new[] { qbName, bsName }, OnnxGraphBuilder.Int("axis", 0));
                if (hasBias)
                {
                    unused.Add(conv.Input[2]);
                    conv.Input[2] = bias;
                }
                else
                {
                    conv.Input.Add(bias);
                }
            }

            // Drop the fp32 weights and biases nothing reads any more.
            var stillRead = new HashSet<string>(StringComparer.Ordinal);
            foreach (var n in graph.Node)
                foreach (var i in n.Input) stillRead.Add(i);
            for (int i = graph.Initializer.Count - 1; i >= 0; i--)
                if (unused.Contains(graph.Initializer[i].Name) && !stillRead.Contains(graph.Initializer[i].Name)) graph.Initializer.RemoveAt(i);
            g.SortNodes();

            var described = info with
            {
                Precision = Precision,
                Quantization = string.Create(CultureInfo.InvariantCulture,
                    $"QDQ, {kept.Count} convolutions int8 (the last, those on 1x1 maps and all other operators fp32): activations uint8 per tensor, range = {(options.Percentile >= 100 ? "min/max" : $"{100 - options.Percentile:0.####}-{options.Percentile:0.####} percentiles")} over {options.CalibrationCrops} synthetic person crops (seed {options.Seed}, difficulty {CalibrationCrops.Difficulty}, every other crop mirrored); weights int8 per output channel, symmetric, 7-bit (-{WeightLevels}..{WeightLevels}); biases int32."),
            };
            for (int i = result.MetadataProps.Count - 1; i >= 0; i--)
                if (result.MetadataProps[i].Key.StartsWith("posert.", StringComparison.Ordinal)) result.MetadataProps.RemoveAt(i);
            foreach (var kv in described.ToMetadata()) result.MetadataProps.Add(new StringStringEntryProto { Key = kv.Key, Value = kv.Value });
            result.DocString = (result.DocString.Length > 0 ? result.DocString + " " : "") + "Quantised to int8 (QDQ) by posert-train.";
            return result;
        }

        /// <summary>A float initializer's values (raw little-endian data, as PoseRT writes them, or the float_data field).</summary>
        private static float[] ReadFloats(TensorProto t)
        {
            if (t.DataType != (int)TensorProto.Types.DataType.Float) throw new InvalidDataException($"Initializer '{t.Name}' is not float.");
            if (!t.RawData.IsEmpty)
            {
                if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("ONNX raw data is little-endian; this reader does not byte-swap.");
                var values = new float[t.RawData.Length / sizeof(float)];
                Buffer.BlockCopy(t.RawData.ToByteArray(), 0, values, 0, values.Length * sizeof(float));
                return values;
            }
            var data = new float[t.FloatData.Count];
            t.FloatData.CopyTo(data, 0);
            return data;
        }
    }
}
