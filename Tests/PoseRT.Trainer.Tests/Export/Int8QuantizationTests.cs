using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Onnx;
using PoseRT.Runtime;
using PoseRT.Runtime.Model;
using PoseRT.Synthetic;
using PoseRT.Tests.Models;
using PoseRT.Trainer.Export;
using PoseRT.Trainer.Models;
using TorchSharp;
using Xunit.Abstractions;

namespace PoseRT.Tests.Export
{
    /// <summary>
    /// The int8 path (issue 11): QDQ files written by <see cref="Int8Quantizer"/> from an export and from a shipped
    /// model, run by ONNX Runtime as fused int8 convolutions, close to the fp32 forward, and decoded by the Runtime's
    /// <see cref="PoseEstimator"/> into the fp32 model's poses.
    /// </summary>
    public class Int8QuantizationTests
    {
        /// <summary>
        /// Heatmap tolerance: relative L2 error ||int8 - fp32|| / ||fp32|| over all held-out crops' heatmaps. Measured
        /// (64 calibration crops, 99.99 % percentile): 13.5 % for the shipped 128x96 DY-ReLU-C model, 17.4 % for the static
        /// twin shipped 2026-12-06 at that model's recipe (14.4 % and 11.7 % for the models shipped before), 3.3 % for a
        /// randomised tiny export; with 8-bit instead of 7-bit weights (on the models before) 13.7 % / 12.0 %, so the error is the
        /// per-tensor 8-bit activations (channels of small range share the step of the widest), compounded over about 25
        /// quantised convolutions on each path. The shipped models' maps are weak (std 0.04, peaks about 0.2), so this
        /// noise is a sizeable fraction of them and yet moves almost no peak (the pose checks). 20 % leaves room for
        /// those measurements and still fails a wrong scale, zero point or axis, which gives errors of order 100 %.
        /// </summary>
        private const double HeatmapRelativeL2 = 0.20;

        /// <summary>
        /// Decoded poses: the int8 model's keypoints lie within these fractions of the person's box height of the fp32
        /// model's, on median and at the 90th percentile over all keypoints of the held-out people (measured: 0 % and
        /// 2.5 %; 5 % of a 150 px person is 7.5 px, under two cells of the shipped models' 32x24 heatmaps).
        /// </summary>
        private const double MedianKeypointShift = 0.01, P90KeypointShift = 0.05;

        private readonly ITestOutputHelper output;

        public Int8QuantizationTests(ITestOutputHelper output) => this.output = output;

        private static string ShippedModel(string activation) => Path.Combine(RepoPaths.Root, "Models", $"posert-mbv3s-tiny-{activation}-synth.onnx");

        /// <summary>Held-out crops: the shipped models' validation seed (1001), which calibration (seed 5001) never sees.</summary>
        private static List<float[]> HeldOutCrops(PoseModelInfo info, int count) => CalibrationCrops.Generate(info, count, seed: 1001);

        [Theory]
        [InlineData("dyreluc")]
        [InlineData("static")]
        public void Shipped_model_quantised_to_int8_runs_fused_int8_convolutions_and_keeps_its_heatmaps_and_poses(string activation)
        {
            var path = ShippedModel(activation);
            var fp32 = ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
            var int8 = Int8Quantizer.Quantize(fp32, new Int8Options { CalibrationCrops = 64 }, path);
            var fp32Bytes = fp32.ToByteArray();
            var int8Bytes = int8.ToByteArray();
            var info = Int8Quantizer.ReadInfoAnyPrecision(int8, path);
            Assert.Equal("int8", info.Precision);
            Assert.Contains("64 synthetic person crops", info.Quantization);

            CheckOrtFusesQdq(int8, int8Bytes, activation);
            CheckHeatmaps(fp32Bytes, int8Bytes, info, activation);
            CheckPoses(fp32Bytes, int8Bytes, activation);
        }

        /// <summary>
        /// The exporter's path (<c>posert-train export --int8</c>): a randomised tiny DY-ReLU-C model, built and quantised in
        /// memory. Every convolution but the last reads int8 weights per output channel (axis 0, zero point 0, |q| &lt;= 63)
        /// and an int32 bias whose scale is input scale x weight scale; the heatmaps stay float and close to the fp32 export's.
        /// </summary>
        [Fact]
        public void Exported_model_quantised_has_per_channel_int8_weights_int32_biases_and_float_heatmaps()
        {
            ModelTestUtil.Init();
            using var scope = torch.NewDisposeScope();
            using var model = PoseNet.Create(PoseNetOptions.Tiny(ActivationKind.DyReluC));
            ModelTestUtil.Randomize(model, 5);
            model.eval();
            var fp32 = OnnxExporter.Build(model, OnnxExporter.Describe(model, "{\"test\":\"int8\"}"));
            var int8 = Int8Quantizer.Quantize(fp32, new Int8Options { CalibrationCrops = 16 }, "tiny");
            var g = int8.Graph;
            var init = g.Initializer.ToDictionary(t => t.Name);
            var producer = new Dictionary<string, NodeProto>();
            foreach (var n in g.Node) foreach (var o in n.Output) producer[o] = n;

            var convs = g.Node.Where(n => n.OpType == "Conv").ToList();
            var quantized = convs.Where(c => producer.TryGetValue(c.Input[1], out var p) && p.OpType == "DequantizeLinear").ToList();
            var floatConvs = convs.Except(quantized).ToList();
            output.WriteLine($"{quantized.Count} int8 convolutions, {floatConvs.Count} fp32 ({string.Join(", ", floatConvs.Select(c => c.Name))})");
            Assert.True(quantized.Count >= 40, $"only {quantized.Count} convolutions were quantised");
            // The last convolution writes the float heatmaps directly.
            var last = Assert.Single(floatConvs);
            Assert.Equal(OnnxExporter.OutputName, last.Output[0]);
            foreach (var conv in quantized)
            {
                var wdq = producer[conv.Input[1]];
                var w = init[wdq.Input[0]];
                Assert.Equal((int)TensorProto.Types.DataType.Int8, w.DataType);
                Assert.Equal(0, wdq.Attribute.Single(a => a.Name == "axis").I);
                var wScale = init[wdq.Input[1]];
                Assert.Equal(w.Dims[0], wScale.Dims.Single());
                Assert.All(init[wdq.Input[2]].RawData.ToByteArray(), b => Assert.Equal(0, b));
                Assert.All(w.RawData.ToByteArray(), b => Assert.InRange((sbyte)b, -Int8Quantizer.WeightLevels, Int8Quantizer.WeightLevels));

                var xdq = producer[conv.Input[0]];
                Assert.Equal("DequantizeLinear", xdq.OpType);
                Assert.Equal("QuantizeLinear", producer[xdq.Input[0]].OpType);
                float xScale = Floats(init[xdq.Input[1]]).Single();
                Assert.Equal((int)TensorProto.Types.DataType.Uint8, init[xdq.Input[2]].DataType);

                var bdq = producer[conv.Input[2]];
                Assert.Equal((int)TensorProto.Types.DataType.Int32, init[bdq.Input[0]].DataType);
                var bScale = Floats(init[bdq.Input[1]]);
                var ws = Floats(wScale);
                for (int o = 0; o < ws.Length; o++) Assert.Equal(xScale * ws[o], bScale[o], 6);

                // ONNX Runtime fuses DQ -> Conv [-> Relu] -> Q into QLinearConv only when the convolution's single reader is a Q.
                var consumers = g.Node.Where(n => n.Input.Contains(conv.Output[0])).ToList();
                var after = Assert.Single(consumers);
                Assert.True(after.OpType == "QuantizeLinear" || (after.OpType == "Relu" && g.Node.Single(n => n.Input.Contains(after.Output[0])).OpType == "QuantizeLinear"),
                    $"{conv.Name} is read by {after.OpType}");
            }
            Assert.Equal((int)TensorProto.Types.DataType.Float, g.Output.Single().Type.TensorType.ElemType);

            var info = OnnxExporter.Describe(model);
            // Random weights: the maps have no meaningful peaks to compare, only their values.
            CheckHeatmaps(fp32.ToByteArray(), int8.ToByteArray(), info, "random tiny dyrelu_c", peaks: false);
        }

        /// <summary>
        /// The two commands, through the real program: <c>export --int8</c> of a tiny untrained model and <c>quantize</c> of
        /// a shipped model write int8 files that the Runtime loads, describes as int8 and runs on a held-out synthetic image.
        /// </summary>
        [Fact]
        public void Export_int8_and_quantize_commands_write_models_the_Runtime_loads_and_runs()
        {
            var dir = RepoPaths.NewTempDir("int8-cli");
            try
            {
                var exported = Path.Combine(dir, "tiny-int8.onnx");
                var quantized = Path.Combine(dir, "static-int8.onnx");
                var runs = new[]
                {
                    (exported, new[] { "export", "--untrained", "--tiny", "--int8", "--calibration-crops", "4", "--out", exported }),
                    (quantized, new[] { "quantize", "--model", ShippedModel("static"), "--out", quantized, "--calibration-crops", "8", "--calibration-percentile", "100" }),
                };
                foreach (var (file, args) in runs)
                {
                    var r = CliCorpus.Run("posert-train", args, dir, TimeSpan.FromSeconds(120));
                    output.WriteLine(r.Stdout.Trim());
                    Assert.True(r.ExitCode == 0, $"posert-train {string.Join(' ', args)}: exit {r.ExitCode}: {r.Stderr}");
                    Assert.Contains("(int8)", r.Stdout);
                    using var estimator = PoseEstimator.Load(file, new PoseEstimatorOptions { Provider = ExecutionProvider.Cpu, CpuThreads = 1 });
                    Assert.Equal("int8", estimator.ModelInfo.Precision);
                    var crops = file == exported ? "4 synthetic person crops" : "min/max over 8 synthetic person crops";
                    Assert.Contains(crops, estimator.ModelInfo.Quantization);
                    var image = SyntheticPeople.RenderImage(new SyntheticOptions { Images = 1, Seed = 1001, Features = SyntheticFeatures.None, MaxDegreeOfParallelism = 1 }, 0);
                    var boxes = image.People.Select(p => p.Box).ToArray();
                    var poses = new Pose[boxes.Length];
                    estimator.Estimate(new ImageView(image.Bgr.Span, image.Width, image.Height, 3 * image.Width, PixelFormat.Bgr24), boxes, poses);
                    Assert.All(poses, p => Assert.Equal(CocoKeypoints.Count, p.KeypointCount));
                    Assert.All(poses, p => Assert.True(float.IsFinite(p.Score)));
                }
            }
            finally
            {
                Directory.Delete(dir, true);
            }
        }

        [Fact]
        public void Quantiser_refuses_an_int8_model_and_a_model_without_PoseRT_metadata()
        {
            var path = ShippedModel("static");
            var fp32 = ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
            var int8 = Int8Quantizer.Quantize(fp32, new Int8Options { CalibrationCrops = 2 }, path);
            var again = Assert.Throws<InvalidDataException>(() => Int8Quantizer.Quantize(int8, new Int8Options { CalibrationCrops = 2 }, "q.onnx"));
            Assert.Contains("q.onnx: already quantised (precision int8)", again.Message);

            var bare = fp32.Clone();
            bare.MetadataProps.Clear();
            var none = Assert.Throws<InvalidDataException>(() => Int8Quantizer.Quantize(bare, new Int8Options { CalibrationCrops = 2 }, "bare.onnx"));
            Assert.Contains("bare.onnx: not a PoseRT model", none.Message);
            Assert.Throws<ArgumentException>(() => Int8Quantizer.Quantize(fp32, new Int8Options { CalibrationCrops = 0 }, path));
        }

        [Theory]
        [InlineData(-1f, 3f)]     // zero inside: exactly representable
        [InlineData(0f, 6f)]      // a ReLU's range: zero point 0, so ONNX Runtime can drop the ReLU
        [InlineData(0.5f, 2f)]    // widened to include zero
        [InlineData(-4f, -1f)]
        public void Activation_parameters_cover_the_range_and_represent_zero_exactly(float min, float max)
        {
            var (scale, zp) = Int8Quantizer.ActivationParameters(min, max);
            Assert.True(scale > 0);
            // Zero maps to the integer zp exactly; the range ends map into 0..255 within half a step.
            Assert.InRange((min - 0) / scale + zp, -0.5001, 255.5001);
            Assert.InRange(max / scale + zp, -0.5001, 255.5001);
            if (min >= 0) Assert.Equal(0, zp);
            if (max <= 0) Assert.Equal(255, zp);
            Assert.Equal(Math.Max(max, 0) - Math.Min(min, 0), scale * 255, 4);
        }

        [Fact]
        public void Metadata_precision_round_trips_and_fp32_files_keep_their_keys()
        {
            var fp32 = PoseModelInfo.CocoDefault();
            Assert.False(fp32.ToMetadata().ContainsKey("posert.precision"));
            Assert.Equal("fp32", PoseModelInfo.FromMetadata(fp32.ToMetadata(), "a").Precision);
            var int8 = fp32 with { Precision = "int8", Quantization = "how" };
            var read = PoseModelInfo.FromMetadata(int8.ToMetadata(), "b");
            Assert.Equal("int8", read.Precision);
            Assert.Equal("how", read.Quantization);
            var bad = new Dictionary<string, string>(int8.ToMetadata()) { ["posert.precision"] = "int4" };
            var e = Assert.Throws<FormatException>(() => PoseModelInfo.FromMetadata(bad, "c.onnx"));
            Assert.Contains("Precision 'int4' must be fp32 or int8", e.Message);
        }

        /// <summary>
        /// ONNX Runtime (the Runtime's optimisation level) turns every quantised convolution into QLinearConv, read from the
        /// optimised model it writes: a QDQ graph it did not fuse would run as fp32 convolutions plus conversion passes.
        /// </summary>
        private void CheckOrtFusesQdq(ModelProto int8, byte[] bytes, string label)
        {
            int qdqConvs = int8.Graph.Node.Count(n => n.OpType == "Conv" && n.Input[0].EndsWith("/input", StringComparison.Ordinal));
            var dir = RepoPaths.NewTempDir("int8-opt");
            try
            {
                var optimized = Path.Combine(dir, "optimized.onnx");
                using (var so = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL, OptimizedModelFilePath = optimized, IntraOpNumThreads = 1 })
                using (new InferenceSession(bytes, so)) { }
                var ops = ModelProto.Parser.ParseFrom(File.ReadAllBytes(optimized)).Graph.Node.GroupBy(n => n.OpType).ToDictionary(x => x.Key, x => x.Count());
                output.WriteLine($"{label}: {qdqConvs} QDQ convolutions; optimised graph: " + string.Join(", ", ops.OrderByDescending(kv => kv.Value).Select(kv => $"{kv.Key} {kv.Value}")));
                Assert.True(qdqConvs > 0);
                Assert.Equal(qdqConvs, ops.GetValueOrDefault("QLinearConv"));
            }
            finally
            {
                Directory.Delete(dir, true);
            }
        }

        private void CheckHeatmaps(byte[] fp32, byte[] int8, PoseModelInfo info, string label, bool peaks = true)
        {
            var crops = HeldOutCrops(info, 16);
            var input = crops.SelectMany(c => c).ToArray();
            var dims = new[] { crops.Count, 3, info.InputHeight, info.InputWidth };
            var a = ModelTestUtil.RunOnnx(fp32, input, dims, out var da);
            var b = ModelTestUtil.RunOnnx(int8, input, dims, out var db);
            Assert.Equal(da, db);
            double num = 0, den = 0;
            for (int i = 0; i < a.Length; i++)
            {
                num += (a[i] - b[i]) * (double)(a[i] - b[i]);
                den += a[i] * (double)a[i];
            }
            double rel = Math.Sqrt(num / den);
            // Peaks: the argmax cell of each heatmap, agreeing to one cell (sub-cell refinement then decides the pose).
            int maps = da[0] * da[1], cells = da[2] * da[3], near = 0;
            for (int m = 0; m < maps; m++)
            {
                int pa = ArgMax(a.AsSpan(m * cells, cells)), pb = ArgMax(b.AsSpan(m * cells, cells));
                if (Math.Abs(pa % da[3] - pb % da[3]) <= 1 && Math.Abs(pa / da[3] - pb / da[3]) <= 1) near++;
            }
            output.WriteLine($"{label}: heatmap relative L2 {rel:P2}, std {ModelTestUtil.Std(a):F4}; argmax within one cell on {near} of {maps} maps");
            Assert.True(ModelTestUtil.Std(a) > 1e-3, "fp32 heatmaps are flat; the comparison would mean nothing");
            Assert.True(rel < HeatmapRelativeL2, $"{label}: int8 heatmaps differ from fp32 by {rel:P2} (relative L2), more than {HeatmapRelativeL2:P0}");
            if (peaks) Assert.True(near >= 0.9 * maps, $"{label}: only {near} of {maps} heatmap peaks agree to one cell");
        }

        /// <summary>
        /// Both files through the Runtime's <see cref="PoseEstimator"/> (CPU, flip test) on held-out synthetic people with
        /// their true boxes: the int8 keypoints stay near the fp32 ones, and their error to the truth grows by little.
        /// </summary>
        private void CheckPoses(byte[] fp32, byte[] int8, string label)
        {
            var options = new PoseEstimatorOptions { Provider = ExecutionProvider.Cpu, CpuThreads = 1, KeypointScoreThreshold = 0f };
            using var e32 = PoseEstimator.Load(fp32, options, "fp32");
            using var e8 = PoseEstimator.Load(int8, options, "int8");
            Assert.Equal("int8", e8.ModelInfo.Precision);
            var synth = new SyntheticOptions { Images = 1, Seed = 1001, Difficulty = CalibrationCrops.Difficulty, Features = SyntheticFeatures.None, MaxDegreeOfParallelism = 1 };
            var shifts = new List<double>();
            double err32 = 0, err8 = 0;
            int visible = 0, people = 0;
            for (int i = 0; i < 12; i++)
            {
                var image = SyntheticPeople.RenderImage(synth, i);
                var persons = image.People.Where(p => p.NumKeypoints >= 8).ToArray();
                if (persons.Length == 0) continue;
                var boxes = persons.Select(p => p.Box).ToArray();
                var scores = boxes.Select(_ => 1f).ToArray();
                var p32 = new Pose[boxes.Length];
                var p8 = new Pose[boxes.Length];
                var view = new ImageView(image.Bgr.Span, image.Width, image.Height, 3 * image.Width, PixelFormat.Bgr24);
                e32.Estimate(view, boxes, scores, p32);
                e8.Estimate(view, boxes, scores, p8);
                for (int p = 0; p < persons.Length; p++)
                {
                    people++;
                    double h = boxes[p].Height;
                    for (int k = 0; k < CocoKeypoints.Count; k++)
                    {
                        var a = p32[p][k];
                        var b = p8[p][k];
                        shifts.Add(Math.Sqrt((a.X - b.X) * (a.X - b.X) + (a.Y - b.Y) * (a.Y - b.Y)) / h);
                        if (persons[p].Keypoints[3 * k + 2] < 2) continue;
                        float gx = persons[p].Keypoints[3 * k], gy = persons[p].Keypoints[3 * k + 1];
                        err32 += Math.Sqrt((a.X - gx) * (a.X - gx) + (a.Y - gy) * (a.Y - gy)) / h;
                        err8 += Math.Sqrt((b.X - gx) * (b.X - gx) + (b.Y - gy) * (b.Y - gy)) / h;
                        visible++;
                    }
                }
            }
            shifts.Sort();
            double median = shifts[shifts.Count / 2], p90 = shifts[(int)(shifts.Count * 0.9)];
            err32 /= visible;
            err8 /= visible;
            output.WriteLine($"{label}: {people} people; int8 vs fp32 keypoint shift / box height: median {median:P2}, 90th percentile {p90:P2}; mean error to truth fp32 {err32:P2}, int8 {err8:P2} of box height ({visible} visible keypoints)");
            Assert.True(people >= 10, $"only {people} held-out people");
            Assert.True(median < MedianKeypointShift, $"{label}: int8 keypoints moved {median:P2} of the box height on median from fp32's");
            Assert.True(p90 < P90KeypointShift, $"{label}: int8 keypoints moved {p90:P2} of the box height at the 90th percentile from fp32's");
            // Real poses: the int8 model's error to the generator's truth is the fp32 model's, within 10 % of it
            // (measured: DY-ReLU-C 10.22 % -> 10.51 %, static 10.94 % -> 10.83 % of the box height).
            Assert.True(err8 < err32 * 1.1, $"{label}: int8 error to truth {err8:P2} vs fp32 {err32:P2}");
        }

        private static int ArgMax(ReadOnlySpan<float> v)
        {
            int best = 0;
            for (int i = 1; i < v.Length; i++) if (v[i] > v[best]) best = i;
            return best;
        }

        private static float[] Floats(TensorProto t)
        {
            var bytes = t.RawData.ToByteArray();
            var f = new float[bytes.Length / 4];
            Buffer.BlockCopy(bytes, 0, f, 0, bytes.Length);
            return f;
        }
    }
}
