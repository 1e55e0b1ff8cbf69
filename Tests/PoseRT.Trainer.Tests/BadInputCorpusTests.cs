using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using PoseRT.Tests.Inference;
using PoseRT.Trainer.Models;

namespace PoseRT.Tests
{
    /// <summary>
    /// The bad-input corpus of <c>posert-train</c>, run through the real program (<c>dotnet posert-train.dll</c>);
    /// checked by <see cref="CliCorpus.Check"/>. The resume cases first train a few steps of the blob net for real.
    /// </summary>
    public class BadInputCorpusTests
    {
        private const string Program = "posert-train";

        private static string P(string dir, string name) => Path.Combine(dir, name);

        private static readonly string[] Blobs = { "train", "--blobs", "16", "--batch", "4", "--epochs", "2", "--workers", "0" };

        private static string[] Train(string dir, params string[] extra) => Blobs.Concat(new[] { "--out", P(dir, "run") }).Concat(extra).ToArray();

        /// <summary>Trains 2 steps with <paramref name="recipe"/> into run/, leaving a checkpoint to resume from.</summary>
        private static Action<string> Started(params string[] recipe) => dir =>
        {
            var r = CliCorpus.Run(Program, Train(dir, recipe.Concat(new[] { "--stop-after-steps", "2", "--checkpoint-every", "1" }).ToArray()), dir, TimeSpan.FromSeconds(120));
            Assert.True(r.ExitCode == 0 && File.Exists(P(P(dir, "run"), "checkpoint.pt")), "the run to resume did not start: " + r.Stderr + r.Stdout);
        };

        private static string MiniAnnotations => Path.Combine(RepoPaths.CocoMini, "annotations", "person_keypoints_mini.json");

        private static string MiniImages => Path.Combine(RepoPaths.CocoMini, "images");

        private static string ShippedModel => CorpusModels.Shipped;

        /// <summary><c>export --untrained --tiny</c> to x.onnx in the case's folder, with extra options.</summary>
        private static string[] Export(string dir, params string[] extra) => new[] { "export", "--untrained", "--tiny", "--out", P(dir, "x.onnx") }.Concat(extra).ToArray();

        /// <summary><c>quantize</c> m.onnx to q.onnx in the case's folder.</summary>
        private static string[] Quantize(string dir) => new[] { "quantize", "--model", P(dir, "m.onnx"), "--out", P(dir, "q.onnx") };

        /// <summary>Saves the weights of a tiny model with <paramref name="keypoints"/> keypoints to w.pt (TorchSharp format).</summary>
        private static Action<string> WeightsWithKeypoints(int keypoints) => dir =>
        {
            var options = PoseNetOptions.Tiny();
            options.Keypoints = keypoints;
            using var net = PoseNet.Create(options);
            PoseNetWeights.Save(net, P(dir, "w.pt"), WeightFormat.TorchSharp);
        };

        /// <summary>Every case; the README's reliability section counts them.</summary>
        internal static readonly CliCase[] Cases =
        {
            new() { Name = "train-out-unwritable", Args = _ => Blobs.Concat(new[] { "--out", "/sys/trx" }).ToArray(), Message = _ => "--out '/sys/trx' cannot be written" },
            new()
            {
                Name = "train-out-is-a-file", Setup = d => File.WriteAllText(P(d, "run"), "mine"),
                Args = d => Train(d), Message = d => $"--out '{P(d, "run")}' is a file", Untouched = new[] { "run" },
            },
            new() { Name = "train-threads-huge", Args = d => Train(d, "--threads", "100000"), Message = _ => "--threads 100000", Untouched = new[] { "run" } },
            new() { Name = "train-weight-decay-nan", Args = d => Train(d, "--weight-decay", "NaN"), Message = _ => "--weight-decay NaN", Untouched = new[] { "run" } },
            new() { Name = "train-lr-nan", Args = d => Train(d, "--lr", "NaN"), Message = _ => "(got NaN)", Untouched = new[] { "run" } },
            new() { Name = "train-log-every-zero", Args = d => Train(d, "--log-every", "0"), Message = _ => "Log interval must be positive (got 0)", Untouched = new[] { "run" } },
            new() { Name = "train-lr-steps-not-numbers", Args = d => Train(d, "--lr-steps", "170,later"), Message = _ => "--lr-steps: 'later'", Untouched = new[] { "run" } },
            new() { Name = "train-aug-unknown", Args = d => Train(d, "--aug", "heavy"), Message = _ => "--aug 'heavy'", Untouched = new[] { "run" } },
            new()
            {
                Name = "train-annotations-missing", Args = d => new[] { "train", "--ann", P(d, "none.json"), "--images", d, "--out", P(d, "run") },
                Message = d => $"'{P(d, "none.json")}' does not exist", Untouched = new[] { "run" },
            },
            new()
            {
                Name = "resume-with-another-lr", Setup = Started("--lr", "0.001"), Args = d => Train(d, "--resume", "--lr", "0.01"),
                Message = _ => "was trained with --lr 0.001; this run asks for --lr 0.01", Untouched = new[] { "run" },
            },
            new()
            {
                Name = "resume-with-another-lr-steps", Setup = Started(), Args = d => Train(d, "--resume", "--lr-steps", "1"),
                Message = _ => "was trained with --lr-steps 170,200; this run asks for --lr-steps 1", Untouched = new[] { "run" },
            },
            new()
            {
                Name = "resume-with-another-seed", Setup = Started(), Args = d => Train(d, "--resume", "--seed", "2"),
                Message = _ => "was trained with seed 1; this run asks for 2", Untouched = new[] { "run" },
            },
            new() { Name = "train-init-missing", Args = d => Train(d, "--init", P(d, "none.pt")), Message = d => $"--init '{P(d, "none.pt")}' does not exist", Untouched = new[] { "run" } },
            new()
            {
                Name = "train-init-with-blobs", Setup = d => File.WriteAllText(P(d, "w.pt"), "weights"), Args = d => Train(d, "--init", P(d, "w.pt")),
                Message = _ => "--init trains the pose model on COCO-format data; it does not go with --blobs", Untouched = new[] { "run" },
            },
            new()
            {
                Name = "train-init-not-weights", Setup = d => File.WriteAllText(P(d, "w.pt"), "not weights"),
                Args = d => new[] { "train", "--ann", MiniAnnotations, "--images", MiniImages, "--init", P(d, "w.pt"), "--out", P(d, "run"), "--tiny", "--workers", "0", "--epochs", "1" },
                Message = d => $"Weights file '{P(d, "w.pt")}' could not be read", Untouched = new[] { "run" },
            },
            new() { Name = "train-device-directml", Args = d => Train(d, "--device", "directml"), Message = _ => "--device 'directml' is not one of auto, cpu, cuda", Untouched = new[] { "run" } },
            new() { Name = "train-device-index-too-large", Args = d => Train(d, "--device", "cuda:64"), Message = _ => "a number from 0 to 63", Untouched = new[] { "run" } },
            new() { Name = "export-output-unwritable", Args = _ => new[] { "export", "--untrained", "--out", "/sys/x.onnx" }, Message = _ => "--out '/sys/x.onnx' cannot be written" },
            new()
            {
                Name = "export-benchmark-negative", Args = d => new[] { "export", "--untrained", "--out", P(d, "x.onnx"), "--benchmark", "-3" },
                Message = _ => "--benchmark -3", Untouched = new[] { "x.onnx" },
            },
            new()
            {
                Name = "export-threads-huge", Args = d => new[] { "export", "--untrained", "--out", P(d, "x.onnx"), "--benchmark", "1", "--threads", "100000" },
                Message = _ => "--threads 100000", Untouched = new[] { "x.onnx" },
            },
            new()
            {
                Name = "export-weights-missing", Args = d => new[] { "export", "--weights", P(d, "w.pt"), "--out", P(d, "x.onnx") },
                Message = d => $"--weights '{P(d, "w.pt")}' does not exist", Untouched = new[] { "x.onnx" },
            },
            new()
            {
                Name = "export-weights-corrupt", Setup = d => File.WriteAllText(P(d, "w.pt"), "not weights"),
                Args = d => new[] { "export", "--weights", P(d, "w.pt"), "--out", P(d, "x.onnx") }, Message = d => P(d, "w.pt"), Untouched = new[] { "x.onnx" },
            },
            new() { Name = "export-no-weights", Args = d => new[] { "export", "--out", P(d, "x.onnx") }, Message = _ => "--untrained", Untouched = new[] { "x.onnx" } },
            new()
            {
                Name = "export-calibration-without-int8", Args = d => new[] { "export", "--untrained", "--tiny", "--out", P(d, "x.onnx"), "--calibration-crops", "8" },
                Message = _ => "apply to --int8 only", Untouched = new[] { "x.onnx" },
            },
            new()
            {
                Name = "export-int8-calibration-crops-zero", Args = d => new[] { "export", "--untrained", "--tiny", "--int8", "--out", P(d, "x.onnx"), "--calibration-crops", "0" },
                Message = _ => "--calibration-crops", Untouched = new[] { "x.onnx" },
            },
            new()
            {
                Name = "export-int8-percentile-nan", Args = d => new[] { "export", "--untrained", "--tiny", "--int8", "--out", P(d, "x.onnx"), "--calibration-percentile", "NaN" },
                Message = _ => "--calibration-percentile", Untouched = new[] { "x.onnx" },
            },
            new()
            {
                Name = "quantize-model-missing", Args = d => new[] { "quantize", "--model", P(d, "none.onnx"), "--out", P(d, "q.onnx") },
                Message = d => $"--model '{P(d, "none.onnx")}' does not exist", Untouched = new[] { "q.onnx" },
            },
            new()
            {
                Name = "quantize-model-not-onnx", Setup = d => File.WriteAllText(P(d, "m.onnx"), "not a model"),
                Args = d => new[] { "quantize", "--model", P(d, "m.onnx"), "--out", P(d, "q.onnx") },
                Message = d => $"--model '{P(d, "m.onnx")}' is not an ONNX model", Untouched = new[] { "q.onnx" },
            },
            new()
            {
                Name = "quantize-out-unwritable", Setup = d => File.WriteAllText(P(d, "m.onnx"), "x"),
                Args = d => new[] { "quantize", "--model", P(d, "m.onnx"), "--out", "/sys/q.onnx" }, Message = _ => "--out '/sys/q.onnx' cannot be written",
            },
            new() { Name = "unknown-command", Args = _ => new[] { "fit" }, Message = _ => "'fit'" },
            // ---- train: the recipe
            new() { Name = "train-epochs-zero", Args = d => CliCorpus.With(Train(d), "--epochs", "0"), Message = _ => "Epochs must be positive (got 0)", Untouched = new[] { "run" } },
            new() { Name = "train-batch-zero", Args = d => CliCorpus.With(Train(d), "--batch", "0"), Message = _ => "Batch size must be positive (got 0)", Untouched = new[] { "run" } },
            new() { Name = "train-lr-factor-infinity", Args = d => Train(d, "--lr-factor", "Infinity"), Message = _ => "LR factor (--lr-factor) must be a positive number", Untouched = new[] { "run" } },
            new() { Name = "train-lr-steps-zero", Args = d => Train(d, "--lr-steps", "0,5"), Message = _ => "LR milestones must be positive epochs (got 0,5)", Untouched = new[] { "run" } },
            new() { Name = "train-warmup-negative", Args = d => Train(d, "--warmup-steps", "-1"), Message = _ => "Warm-up steps must be >= 0 (got -1)", Untouched = new[] { "run" } },
            new() { Name = "train-grad-clip-zero", Args = d => Train(d, "--grad-clip", "0"), Message = _ => "Gradient clip norm must be positive (got 0)", Untouched = new[] { "run" } },
            new() { Name = "train-workers-negative", Args = d => CliCorpus.With(Train(d), "--workers", "-1"), Message = _ => "Workers must be >= 0 (got -1)", Untouched = new[] { "run" } },
            new() { Name = "train-prefetch-zero", Args = d => Train(d, "--prefetch", "0"), Message = _ => "Prefetch must be >= 1 (got 0)", Untouched = new[] { "run" } },
            new() { Name = "train-checkpoint-every-negative", Args = d => Train(d, "--checkpoint-every", "-1"), Message = _ => "Checkpoint interval must be >= 0 (got -1)", Untouched = new[] { "run" } },
            new() { Name = "train-val-every-negative", Args = d => Train(d, "--val-every", "-1"), Message = _ => "Validation interval must be >= 0 (got -1)", Untouched = new[] { "run" } },
            new() { Name = "train-threads-zero", Args = d => Train(d, "--threads", "0"), Message = _ => "--threads 0: must be from 1 to", Untouched = new[] { "run" } },
            new() { Name = "train-seed-not-a-number", Args = d => Train(d, "--seed", "lucky"), Message = _ => "'lucky'", Untouched = new[] { "run" } },
            new() { Name = "train-device-cuda-not-in-this-build", Args = d => Train(d, "--device", "cuda"), Message = _ => "'cuda' was asked for, but this TorchSharp build has no CUDA device" },
            new() { Name = "train-blobs-zero", Args = d => CliCorpus.With(Train(d), "--blobs", "0"), Message = _ => "--blobs 0: must be at least 1", Untouched = new[] { "run" } },

            // ---- train: the model options
            new() { Name = "train-backbone-unknown", Args = d => Train(d, "--backbone", "resnet50"), Message = _ => "'resnet50'", Untouched = new[] { "run" } },
            new() { Name = "train-activation-unknown", Args = d => Train(d, "--activation", "swish"), Message = _ => "'swish'", Untouched = new[] { "run" } },
            new() { Name = "train-width-zero", Args = d => Train(d, "--width", "0"), Message = _ => "Width multiplier 0 must be in (0, 4]", Untouched = new[] { "run" } },
            new() { Name = "train-input-not-multiple-of-32", Args = d => Train(d, "--input", "100x100"), Message = _ => "Input size 100x100 (HxW) is impossible", Untouched = new[] { "run" } },
            new() { Name = "train-input-not-a-size", Args = d => Train(d, "--input", "big"), Message = _ => "'big'", Untouched = new[] { "run" } },
            new() { Name = "train-keypoints-zero", Args = d => Train(d, "--keypoints", "0"), Message = _ => "Keypoint count must be at least 1 (got 0)", Untouched = new[] { "run" } },
            new() { Name = "train-keypoints-more-than-a-pose-holds", Args = d => Train(d, "--keypoints", "18"), Message = _ => "Keypoint count 18 is more than", Untouched = new[] { "run" } },

            // ---- train: the data
            new() { Name = "train-no-data", Args = d => new[] { "train", "--out", P(d, "run") }, Message = _ => "give --ann and --images (COCO format), or --blobs N", Untouched = new[] { "run" } },
            new()
            {
                Name = "train-images-folder-missing", Setup = d => File.WriteAllText(P(d, "gt.json"), "{}"),
                Args = d => new[] { "train", "--ann", P(d, "gt.json"), "--images", P(d, "nowhere"), "--out", P(d, "run") },
                Message = d => $"image folder '{P(d, "nowhere")}' does not exist", Untouched = new[] { "run" },
            },
            new()
            {
                Name = "train-annotations-malformed", Setup = d => { File.WriteAllText(P(d, "gt.json"), "{\"images\": ["); Directory.CreateDirectory(P(d, "images")); },
                Args = d => new[] { "train", "--ann", P(d, "gt.json"), "--images", P(d, "images"), "--out", P(d, "run"), "--workers", "0" },
                Message = d => P(d, "gt.json") + ": invalid COCO keypoint annotation file", Untouched = new[] { "run" },
            },
            new()
            {
                Name = "train-validation-annotations-missing",
                Args = d => new[] { "train", "--ann", MiniAnnotations, "--images", MiniImages, "--val-ann", P(d, "none.json"), "--out", P(d, "run"), "--tiny", "--workers", "0", "--epochs", "1" },
                Message = d => $"'{P(d, "none.json")}' does not exist", Untouched = new[] { "run" },
            },
            new()
            {
                Name = "train-validation-detections-without-annotations",
                Args = d => new[] { "train", "--ann", MiniAnnotations, "--images", MiniImages, "--val-dets", P(d, "det.json"), "--out", P(d, "run"), "--tiny", "--workers", "0", "--epochs", "1" },
                Message = _ => "--val-images and --val-dets need --val-ann", Untouched = new[] { "run" },
            },

            // ---- train --resume
            new()
            {
                Name = "resume-corrupt-checkpoint", Setup = d => { Directory.CreateDirectory(P(d, "run")); File.WriteAllText(P(P(d, "run"), "checkpoint.pt"), "not a checkpoint"); },
                Args = d => Train(d, "--resume"), Message = d => $"'{P(P(d, "run"), "checkpoint.pt")}'", Untouched = new[] { "run" },
            },
            new()
            {
                Name = "resume-truncated-checkpoint", Setup = Started() + (d => { string c = P(P(d, "run"), "checkpoint.pt"); File.WriteAllBytes(c, File.ReadAllBytes(c)[..(int)(new FileInfo(c).Length / 2)]); }),
                Args = d => Train(d, "--resume"), Message = d => $"Checkpoint '{P(P(d, "run"), "checkpoint.pt")}' is truncated: it ends inside the model or optimiser state", Untouched = new[] { "run" },
            },
            new()
            {
                Name = "resume-with-another-batch", Setup = Started(), Args = d => CliCorpus.With(Train(d, "--resume"), "--batch", "8"),
                Message = _ => "used batch size 4; this run asks for 8", Untouched = new[] { "run" },
            },
            new()
            {
                Name = "resume-with-another-data-set", Setup = Started(), Args = d => CliCorpus.With(Train(d, "--resume"), "--blobs", "20"),
                Message = _ => "was trained on 16 samples; this data set has 20", Untouched = new[] { "run" },
            },

            // ---- export
            new()
            {
                Name = "export-out-is-the-weights", Setup = d => File.WriteAllText(P(d, "w.pt"), "my weights"), Args = d => new[] { "export", "--tiny", "--weights", P(d, "w.pt"), "--out", P(d, "w.pt") },
                Message = d => $"--out '{P(d, "w.pt")}' is the same path as --weights", Untouched = new[] { "w.pt" },
            },
            new()
            {
                Name = "export-weights-of-another-model", Setup = WeightsWithKeypoints(5),
                Args = d => new[] { "export", "--tiny", "--weights", P(d, "w.pt"), "--out", P(d, "x.onnx") },
                Message = d => $"Weights file '{P(d, "w.pt")}' could not be read as TorchSharp weights", Untouched = new[] { "x.onnx" },
            },
            new()
            {
                Name = "export-out-is-a-folder", Setup = d => Directory.CreateDirectory(P(d, "x.onnx")), Args = d => Export(d),
                Message = d => $"--out '{P(d, "x.onnx")}' is a folder, not a file", Untouched = new[] { "x.onnx" },
            },
            new() { Name = "export-out-in-proc", Args = _ => new[] { "export", "--untrained", "--tiny", "--out", "/proc/posert.onnx" }, Message = _ => "--out '/proc/posert.onnx' cannot be written" },
            new() { Name = "export-dyrelu-graph-unknown", Args = d => Export(d, "--dyrelu-graph", "Spline"), Message = _ => "'Spline'", Untouched = new[] { "x.onnx" } },
            new() { Name = "export-head-upsampling-unknown", Args = d => Export(d, "--head-upsampling", "Sideways"), Message = _ => "'Sideways'", Untouched = new[] { "x.onnx" } },
            new() { Name = "export-profile-without-benchmark", Args = d => Export(d, "--profile"), Message = _ => "--profile records the --benchmark runs", Untouched = new[] { "x.onnx" } },
            new() { Name = "export-keypoints-more-than-a-pose-holds", Args = d => Export(d, "--keypoints", "18"), Message = _ => "Keypoint count 18 is more than", Untouched = new[] { "x.onnx" } },
            new() { Name = "export-head-width-above-4", Args = d => Export(d, "--head-width", "5"), Message = _ => "Head width multiplier 5 must be in (0, 4]", Untouched = new[] { "x.onnx" } },
            new() { Name = "export-int8-percentile-98", Args = d => Export(d, "--int8", "--calibration-percentile", "98"), Message = _ => "--calibration-percentile 98: must be from 99 to 100", Untouched = new[] { "x.onnx" } },
            new() { Name = "export-int8-seed-not-a-number", Args = d => Export(d, "--int8", "--calibration-seed", "x"), Message = _ => "'x'", Untouched = new[] { "x.onnx" } },
            new() { Name = "export-threads-zero", Args = d => Export(d, "--benchmark", "1", "--threads", "0"), Message = _ => "--threads 0: must be from 1 to", Untouched = new[] { "x.onnx" } },

            // ---- quantize
            new() { Name = "quantize-model-zero-bytes", Setup = d => File.WriteAllBytes(P(d, "m.onnx"), Array.Empty<byte>()), Args = Quantize, Message = d => P(d, "m.onnx") + ": not a PoseRT model (no posert.* metadata)", Untouched = new[] { "q.onnx" } },
            new() { Name = "quantize-model-truncated", Setup = d => File.WriteAllBytes(P(d, "m.onnx"), CorpusModels.ShippedHalf()), Args = Quantize, Message = d => $"--model '{P(d, "m.onnx")}' is not an ONNX model", Untouched = new[] { "q.onnx" } },
            new()
            {
                Name = "quantize-model-without-posert-metadata", Setup = d => File.WriteAllBytes(P(d, "m.onnx"), new TestModel { WriteMetadata = false }.Build()),
                Args = Quantize, Message = d => P(d, "m.onnx") + ": not a PoseRT model (no posert.* metadata)", Untouched = new[] { "q.onnx" },
            },
            new() { Name = "quantize-model-is-a-folder", Setup = d => Directory.CreateDirectory(P(d, "m.onnx")), Args = Quantize, Message = d => $"--model '{P(d, "m.onnx")}' is a folder, not a file", Untouched = new[] { "q.onnx" } },
            new()
            {
                Name = "quantize-out-is-the-model", Setup = d => File.Copy(ShippedModel, P(d, "m.onnx")), Args = d => new[] { "quantize", "--model", P(d, "m.onnx"), "--out", P(d, "m.onnx") },
                Message = d => $"--out '{P(d, "m.onnx")}' is the same path as --model", Untouched = new[] { "m.onnx" },
            },
            new() { Name = "quantize-out-is-a-folder", Setup = d => { File.Copy(ShippedModel, P(d, "m.onnx")); Directory.CreateDirectory(P(d, "q.onnx")); }, Args = Quantize, Message = d => $"--out '{P(d, "q.onnx")}' is a folder", Untouched = new[] { "q.onnx" } },
            new() { Name = "quantize-calibration-crops-zero", Setup = d => File.Copy(ShippedModel, P(d, "m.onnx")), Args = d => Quantize(d).Concat(new[] { "--calibration-crops", "0" }).ToArray(), Message = _ => "--calibration-crops 0: must be from 1 to", Untouched = new[] { "q.onnx" } },
            new() { Name = "quantize-out-missing", Args = d => new[] { "quantize", "--model", P(d, "m.onnx") }, Message = _ => "'--out' is required" },

            // ---- summary, check, the root
            new() { Name = "summary-backbone-unknown", Args = _ => new[] { "summary", "--backbone", "vgg" }, Message = _ => "posert-train summary: " },
            new() { Name = "summary-width-nan", Args = _ => new[] { "summary", "--width", "NaN" }, Message = _ => "Width multiplier NaN must be in (0, 4]" },
            new() { Name = "summary-input-zero", Args = _ => new[] { "summary", "--input", "0x0" }, Message = _ => "Input size 0x0 (HxW) is impossible" },
            new() { Name = "check-unexpected-argument", Args = _ => new[] { "check", "now" }, Message = _ => "'now'" },
            new() { Name = "no-command", Args = _ => Array.Empty<string>(), Message = _ => "Required command was not provided" },
        };

        public static IEnumerable<object[]> CaseNames() => CliCorpus.Names(Cases);

        [Theory]
        [MemberData(nameof(CaseNames))]
        public void Bad_input_gets_one_clear_line_the_documented_exit_code_and_no_partial_output(string name) => CliCorpus.Check(Program, Cases, name);
    }
}
