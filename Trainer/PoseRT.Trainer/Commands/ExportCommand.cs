using System;
using System.CommandLine;
using System.Globalization;
using System.IO;
using PoseRT.Cli;
using PoseRT.IO;
using PoseRT.Trainer.Export;
using PoseRT.Trainer.Models;

namespace PoseRT.Trainer.Commands
{
    internal static class ExportCommand
    {
        public static Command Create()
        {
            var command = new Command("export", "Export a model to ONNX (opset 17, BN folded, DY-ReLU in standard ops, PoseRT metadata).");
            var model = new ModelCliOptions();
            model.AddTo(command);
            var weights = new Option<string?>("--weights") { Description = "Weights file (.pt/.pth PyTorch state_dict, else TorchSharp format) saved from a model with the same options" };
            var untrained = new Option<bool>("--untrained") { Description = "Export freshly initialised weights (for tests and benchmarks) instead of --weights" };
            var output = new Option<string>("--out") { Description = "ONNX file to write", Required = true };
            var provenance = new Option<string>("--provenance") { Description = "Training provenance written to the metadata (JSON by convention)", DefaultValueFactory = _ => "" };
            command.Options.Add(weights);
            command.Options.Add(untrained);
            command.Options.Add(output);
            var benchmark = new Option<int>("--benchmark") { Description = "After writing, time N runs of the file in ONNX Runtime (CPU, batch 2) and print the median", DefaultValueFactory = _ => 0 }
                .InRange(0, 100_000);
            var threads = new Option<int>("--threads") { Description = "ONNX Runtime intra-op threads for --benchmark (at most 4 per logical processor)", DefaultValueFactory = _ => 1 }
                .InRange(1, Environment.ProcessorCount * 4, "4 per logical processor at most");
            var graph = new Option<DyReluGraphForm>("--dyrelu-graph") { Description = "How DY-ReLU is written: Fused (fastest, default) or Reference (equations 4-5 transcribed); both compute the same function", DefaultValueFactory = _ => DyReluGraphForm.Fused };
            var headUpsampling = new Option<HeadUpsampling>("--head-upsampling") { Description = "Where the head's 2x upsampling is written: AfterExpand (its 1x1 expansions at the smaller size, default) or BeforeExpand (as the module computes); both compute the same function", DefaultValueFactory = _ => HeadUpsampling.AfterExpand };
            var int8 = new Option<bool>("--int8") { Description = "Write an int8 model (QDQ: quantised convolutions, calibrated on generated synthetic people; docs/performance.md)" };
            var calibration = new Int8CliOptions();
            command.Options.Add(provenance);
            command.Options.Add(graph);
            command.Options.Add(headUpsampling);
            command.Options.Add(int8);
            calibration.AddTo(command);
            var profile = new Option<bool>("--profile") { Description = "With --benchmark: record an ONNX Runtime profile of the runs (a JSON file beside --out) and print kernel time per operator type" };
            command.Options.Add(benchmark);
            command.Options.Add(threads);
            command.Options.Add(profile);
            command.SetAction(result =>
            {
                try
                {
                    var options = model.Read(result);
                    var weightsPath = result.GetValue(weights);
                    if (weightsPath is null && !result.GetValue(untrained))
                        throw new ArgumentException("Give --weights FILE, or --untrained to export freshly initialised weights.");
                    if (result.GetValue(profile) && result.GetValue(benchmark) == 0)
                        throw new ArgumentException("--profile records the --benchmark runs: give --benchmark N too.");
                    bool quantize = result.GetValue(int8);
                    if (!quantize && calibration.AnyGiven(result))
                        throw new ArgumentException("--calibration-crops, --calibration-seed and --calibration-percentile apply to --int8 only.");
                    if (weightsPath is not null && !File.Exists(weightsPath))
                        throw new FileNotFoundException($"--weights '{weightsPath}' does not exist.", weightsPath);
                    // Checked before the model is built and exported, so an unusable path costs nothing.
                    OutputPaths.CheckFile(result.GetValue(output)!, "--out");
                    OutputPaths.CheckDistinct(result.GetValue(output)!, "--out", (weightsPath, "--weights"));
                    using var net = PoseNet.Create(options);
                    if (weightsPath is not null) PoseNetWeights.Load(net, weightsPath);
                    net.eval();
                    var path = result.GetValue(output)!;
                    var info = OnnxExporter.Describe(net, result.GetValue(provenance) ?? "");
                    var exportOptions = new OnnxExportOptions { DyReluForm = result.GetValue(graph), HeadUpsampling = result.GetValue(headUpsampling) };
                    if (quantize) Int8CliOptions.QuantizeAndWrite(OnnxExporter.Build(net, info, exportOptions), calibration.Read(result), options.ArchitectureName, path);
                    else OnnxExporter.Export(net, info, path, exportOptions);
                    Console.WriteLine($"Wrote {path}{(quantize ? " (int8)" : "")}: {options.ArchitectureName} ({options.ActivationName}), input image [N,3,{options.InputHeight},{options.InputWidth}], output heatmaps [N,{options.Keypoints},{options.InputHeight / 4},{options.InputWidth / 4}].");
                    int runs = result.GetValue(benchmark);
                    if (runs > 0)
                    {
                        int t = result.GetValue(threads);
                        string? prefix = result.GetValue(profile) ? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, Path.GetFileNameWithoutExtension(path) + ".profile") : null;
                        var (median, min, profilePath) = OnnxBenchmark.Run(path, 2, options.InputHeight, options.InputWidth, runs, t, prefix);
                        Console.WriteLine($"ONNX Runtime CPU, batch 2, {t} thread(s), {runs} runs: median {median:F1} ms, min {min:F1} ms{(profilePath != null ? " (profiled)" : "")}");
                        if (profilePath != null) PrintProfile(profilePath);
                    }
                    return 0;
                }
                catch (Exception e) when (e is ArgumentException || e is IOException || e is InvalidDataException || e is UnauthorizedAccessException)
                {
                    Console.Error.WriteLine("posert-train export: " + e.Message);
                    // Bad options or input files are the command line's fault; any other I/O error is the run's.
                    return e is ArgumentException || e is InvalidDataException || e is FileNotFoundException || e is DirectoryNotFoundException
                        ? ExitCodes.BadInput
                        : ExitCodes.Failure;
                }
            });
            return command;
        }

        private static void PrintProfile(string profilePath)
        {
            var (operators, profiledRuns) = OnnxProfile.Summarize(profilePath);
            double total = 0;
            foreach (var o in operators) total += o.MsPerRun;
            Console.WriteLine($"Kernel time per run by operator type ({profiledRuns} profiled runs, warm-up included; {profilePath}):");
            Console.WriteLine($"  {"operator",-24} {"ms/run",8} {"share",7} {"nodes",6}");
            foreach (var o in operators)
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {o.Operator,-24} {o.MsPerRun,8:F2} {100 * o.MsPerRun / total,6:F1}% {o.Nodes,6}"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {"total",-24} {total,8:F2}"));
        }
    }
}
