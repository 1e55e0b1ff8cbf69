using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

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
        };

        public static IEnumerable<object[]> CaseNames() => CliCorpus.Names(Cases);

        [Theory]
        [MemberData(nameof(CaseNames))]
        public void Bad_input_gets_one_clear_line_the_documented_exit_code_and_no_partial_output(string name) => CliCorpus.Check(Program, Cases, name);
    }
}
