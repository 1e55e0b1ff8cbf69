using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using PoseRT.Tests.Inference;

namespace PoseRT.Tests
{
    /// <summary>
    /// The bad-input corpus of <c>posert-bench</c> (the comparison, <c>tracker</c> and <c>soak</c>), run through the real
    /// program (<c>dotnet posert-bench.dll</c>); every case fails before any measurement starts. Checked by
    /// <see cref="CliCorpus.Check"/>.
    /// </summary>
    public class BenchBadInputCorpusTests
    {
        private const string Program = "posert-bench";

        private static string P(string dir, string name) => Path.Combine(dir, name);

        private static string ShippedModel => CorpusModels.Shipped;

        /// <summary>The comparison on the shipped model only (no exported networks), with extra options.</summary>
        private static string[] Compare(string model, params string[] optionValues) =>
            CliCorpus.With(new[] { "--no-architectures", "--model", model, "--frames", "3", "--rounds", "1", "--threads", "1" }, optionValues);

        private static readonly Action<string> NotAModel = d => File.WriteAllText(Path.Combine(d, "m.onnx"), "not a model");

        /// <summary>Every case; the README's reliability section counts them.</summary>
        internal static readonly CliCase[] Cases =
        {
            new() { Name = "frames-below-3", Args = _ => Compare(ShippedModel, "--frames", "2"), Message = _ => "--frames (2) must be at least 3" },
            new() { Name = "rounds-above-frames", Args = _ => Compare(ShippedModel, "--rounds", "9"), Message = _ => "--rounds (9) between 1 and --frames" },
            new() { Name = "threads-not-a-count", Args = _ => Compare(ShippedModel, "--threads", "1,x"), Message = _ => "--threads 'x' is not a thread count between 1 and" },
            new() { Name = "threads-empty", Args = _ => Compare(ShippedModel, "--threads", ","), Message = _ => "--threads needs at least one count" },
            new() { Name = "frames-not-a-number", Args = _ => Compare(ShippedModel, "--frames", "many"), Message = _ => "'many'" },
            new() { Name = "model-missing", Args = d => Compare(P(d, "none.onnx")), Message = d => $"'{P(d, "none.onnx")}' does not exist", Untouched = new[] { "out" } },
            new() { Name = "model-not-onnx", Setup = NotAModel, Args = d => Compare(P(d, "m.onnx")), Message = d => P(d, "m.onnx") + ": ONNX Runtime cannot load it as a model", Untouched = new[] { "out" } },
            new() { Name = "out-unwritable", Args = _ => Compare(ShippedModel, "--out", "/proc/posert-bench"), Message = _ => "--out '/proc/posert-bench' cannot be written" },
            new()
            {
                Name = "out-is-a-file", Setup = d => File.WriteAllText(P(d, "results"), "mine"), Args = d => Compare(ShippedModel, "--out", P(d, "results")),
                Message = d => $"--out '{P(d, "results")}' is a file, not a folder", Untouched = new[] { "results" },
            },
            new() { Name = "unknown-option", Args = _ => new[] { "--fast" }, Message = _ => "--fast" },
            new() { Name = "unknown-subcommand", Args = _ => new[] { "latency" }, Message = _ => "'latency'" },
            new() { Name = "soak-frames-below-2", Args = _ => new[] { "soak", "--frames", "1" }, Message = _ => "posert-bench soak: --frames (1) must be at least 2" },
            new() { Name = "soak-model-missing", Args = d => new[] { "soak", "--model", P(d, "none.onnx") }, Message = d => $"posert-bench soak: Pose model '{P(d, "none.onnx")}' does not exist" },
            new() { Name = "soak-model-not-onnx", Setup = NotAModel, Args = d => new[] { "soak", "--model", P(d, "m.onnx"), "--frames", "10" }, Message = d => P(d, "m.onnx") + ": ONNX Runtime cannot load it as a model", Untouched = new[] { "out" } },
            new() { Name = "soak-out-unwritable", Args = _ => new[] { "soak", "--model", ShippedModel, "--frames", "10", "--out", "/proc/posert-soak" }, Message = _ => "posert-bench soak: --out '/proc/posert-soak' cannot be written" },
            new() { Name = "tracker-threads-zero", Args = _ => new[] { "tracker", "--threads", "0" }, Message = _ => "posert-bench tracker: --threads (0) must be between 1 and" },
            new() { Name = "tracker-no-models-here", Args = _ => new[] { "tracker" }, Message = _ => "posert-bench tracker: " + Path.Combine("Models", "manifest.json") + " does not exist: run from the repository root, or pass --model FILE" },
            new() { Name = "tracker-model-missing", Args = d => new[] { "tracker", "--model", P(d, "none.onnx") }, Message = d => $"'{P(d, "none.onnx")}' does not exist" },
            new() { Name = "tracker-model-not-onnx", Setup = NotAModel, Args = d => new[] { "tracker", "--model", P(d, "m.onnx") }, Message = d => P(d, "m.onnx") + ": ONNX Runtime cannot load it as a model", Untouched = new[] { "out" } },
            new() { Name = "tracker-out-unwritable", Args = _ => new[] { "tracker", "--model", ShippedModel, "--out", "/proc/posert-tracker" }, Message = _ => "posert-bench tracker: --out '/proc/posert-tracker' cannot be written" },
        };

        public static IEnumerable<object[]> CaseNames() => CliCorpus.Names(Cases);

        [Theory]
        [MemberData(nameof(CaseNames))]
        public void Bad_input_fails_before_any_measurement_with_one_clear_line(string name) => CliCorpus.Check(Program, Cases, name);
    }
}
