using System;
using System.Collections.Generic;
using System.CommandLine;
using System.IO;
using System.Text.Json;
using PoseRT.Cli;
using PoseRT.IO;
using PoseRT.Runtime;
using PoseRT.Runtime.Model;

namespace PoseRT.Bench
{
    internal static class Program
    {
        private static int Main(string[] args)
        {
            var outDir = new Option<string>("--out") { Description = "Folder for results.json, results.md and the exported models.", DefaultValueFactory = _ => "out/bench" };
            var frames = new Option<int>("--frames") { Description = "Timed runs per measurement, over all rounds.", DefaultValueFactory = _ => 30 };
            var warmup = new Option<int>("--warmup") { Description = "Untimed runs before each measurement.", DefaultValueFactory = _ => 3 };
            var rounds = new Option<int>("--rounds") { Description = "Passes over the whole matrix; each row pools its frames over them, so machine noise hits every model alike.", DefaultValueFactory = _ => 3 };
            var threads = new Option<string>("--threads") { Description = "Thread counts, comma separated.", DefaultValueFactory = _ => "1,2" };
            var models = new Option<string[]>("--model") { Description = "Shipped ONNX models to add (default: every model of Models/manifest.json, sha256 checked).", AllowMultipleArgumentsPerToken = true };
            var noArch = new Option<bool>("--no-architectures") { Description = "Skip the four exported MobileNetV3 networks (shipped models only)." };
            var root = new RootCommand("PoseRT's CPU path beside ONNX Runtime defaults, OpenCV DNN and TorchSharp eager, in one run; writes results.json and results.md.")
            {
                outDir, frames, warmup, rounds, threads, models, noArch,
            };
            root.SetAction(parse =>
            {
                int f = parse.GetValue(frames), w = parse.GetValue(warmup), r = parse.GetValue(rounds);
                if (f < 3 || w < 0 || r < 1 || r > f)
                {
                    Console.Error.WriteLine($"posert-bench: --frames ({f}) must be at least 3, --warmup ({w}) at least 0, --rounds ({r}) between 1 and --frames.");
                    return 2;
                }
                var counts = new List<int>();
                foreach (var part in (parse.GetValue(threads) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries))
                {
                    if (!int.TryParse(part, out int t) || t < 1 || t > Runtime.PoseEstimatorOptions.MaxCpuThreads)
                    {
                        Console.Error.WriteLine($"posert-bench: --threads '{part}' is not a thread count between 1 and {Runtime.PoseEstimatorOptions.MaxCpuThreads}.");
                        return 2;
                    }
                    counts.Add(t);
                }
                if (counts.Count == 0)
                {
                    Console.Error.WriteLine("posert-bench: --threads needs at least one count.");
                    return 2;
                }
                var shipped = new List<string>(parse.GetValue(models) ?? Array.Empty<string>());
                if (shipped.Count == 0 && !ShippedModels("posert-bench", all: true, shipped)) return ExitCodes.BadInput;
                shipped.Sort(StringComparer.Ordinal);
                string dir = parse.GetValue(outDir)!;
                if (!Ready("posert-bench", dir, shipped)) return ExitCodes.BadInput;
                Directory.CreateDirectory(dir);
                var settings = new BenchSettings(dir, f, w, r, counts, shipped, !parse.GetValue(noArch));
                var results = new CompareBenchmark(settings, Console.Error.WriteLine).Run("posert-bench " + string.Join(" ", args));
                AtomicFile.WriteAllText(Path.Combine(dir, "results.json"), JsonSerializer.Serialize(results, new JsonSerializerOptions { WriteIndented = true }));
                string md = BenchReport.Markdown(results);
                AtomicFile.WriteAllText(Path.Combine(dir, "results.md"), md);
                Console.WriteLine(md);
                return 0;
            });
            var soakFrames = new Option<int>("--frames") { Description = "Frames tracked after the warm-up.", DefaultValueFactory = _ => 10_000 };
            var soakModel = new Option<string?>("--model") { Description = "ONNX model (default: the default model of Models/manifest.json, sha256 checked)." };
            var soakOut = new Option<string>("--out") { Description = "Folder for soak.json.", DefaultValueFactory = _ => "out/bench" };
            var soak = new Command("soak", "Track the bundled street clip, looped, for many frames (PoseTracker + PoseEstimator, no detector): RSS at start/middle/end, managed bytes per frame, threads and handles.")
            {
                soakFrames, soakModel, soakOut,
            };
            soak.SetAction(parse =>
            {
                int n = parse.GetValue(soakFrames);
                string dir = parse.GetValue(soakOut)!;
                if (n < 2)
                {
                    Console.Error.WriteLine($"posert-bench soak: --frames ({n}) must be at least 2.");
                    return 2;
                }
                var defaultModel = new List<string>();
                string? given = parse.GetValue(soakModel);
                if (given == null && !ShippedModels("posert-bench soak", all: false, defaultModel)) return ExitCodes.BadInput;
                string model = given ?? defaultModel[0];
                if (!Ready("posert-bench soak", dir, new[] { model })) return ExitCodes.BadInput;
                var (frames, width, height) = ClipFrames.Load(ClipFrames.BundledClip);
                if (frames.Count == 0)
                {
                    Console.Error.WriteLine($"posert-bench soak: {ClipFrames.BundledClip} gave no frames (run from the repository root).");
                    return 2;
                }
                // A long warm-up: tiered JIT and ONNX Runtime's arena settle in the first seconds and are not a leak.
                var r = SoakRun.Run(model, frames, width, height, n, 1000, Environment.ProcessorCount, Console.Error.WriteLine);
                Directory.CreateDirectory(dir);
                AtomicFile.WriteAllText(System.IO.Path.Combine(dir, "soak.json"), JsonSerializer.Serialize(r, new JsonSerializerOptions { WriteIndented = true }));
                Console.WriteLine(string.Format(System.Globalization.CultureInfo.InvariantCulture,
                    "soak {0}: {1} frames after {2} warm-up, {3:F2} ms/frame, {4} poses; RSS {5:F1} -> {6:F1} -> {7:F1} MB ({8:+0.0;-0.0} %); {9:F1} managed bytes/frame; threads {10} -> {11}, handles {12} -> {13}",
                    r.Model, r.Frames, r.WarmupFrames, r.MeanMsPerFrame, r.PosesReported, r.RssStartMb, r.RssMiddleMb, r.RssEndMb, r.RssGrowthPercent, r.BytesPerFrame, r.ThreadsStart, r.ThreadsEnd, r.HandlesStart, r.HandlesEnd));
                return 0;
            });
            var trackerModels = new Option<string[]>("--model") { Description = "ONNX models (default: every model of Models/manifest.json, sha256 checked).", AllowMultipleArgumentsPerToken = true };
            var trackerThreads = new Option<int>("--threads") { Description = "ONNX Runtime CPU threads.", DefaultValueFactory = _ => Environment.ProcessorCount };
            var trackerOut = new Option<string>("--out") { Description = "Folder for tracker.json, tracker.md and the generated clip.", DefaultValueFactory = _ => "out/bench" };
            var trackerCommand = new Command("tracker", "PoseTracker's per-frame cost next to PoseEstimator alone (detect, estimate, track, total, managed bytes) on the bundled street clip and a generated two-person walk.")
            {
                trackerModels, trackerThreads, trackerOut,
            };
            trackerCommand.SetAction(parse =>
            {
                int threadCount = parse.GetValue(trackerThreads);
                if (threadCount < 1 || threadCount > Runtime.PoseEstimatorOptions.MaxCpuThreads)
                {
                    Console.Error.WriteLine($"posert-bench tracker: --threads ({threadCount}) must be between 1 and {Runtime.PoseEstimatorOptions.MaxCpuThreads}.");
                    return 2;
                }
                var list = new List<string>(parse.GetValue(trackerModels) ?? Array.Empty<string>());
                if (list.Count == 0 && !ShippedModels("posert-bench tracker", all: true, list)) return ExitCodes.BadInput;
                list.Sort(StringComparer.Ordinal);
                string dir = parse.GetValue(trackerOut)!;
                if (!Ready("posert-bench tracker", dir, list)) return ExitCodes.BadInput;
                var (street, sw, sh) = ClipFrames.Load(ClipFrames.BundledClip);
                if (street.Count == 0)
                {
                    Console.Error.WriteLine($"posert-bench tracker: {ClipFrames.BundledClip} gave no frames (run from the repository root).");
                    return 2;
                }
                Directory.CreateDirectory(dir);
                var walk = TrackerCost.SyntheticWalk(Path.Combine(dir, "tracker-clip"));
                var rows = new List<TrackerRow>();
                foreach (var m in list)
                {
                    string name = Path.GetFileNameWithoutExtension(m);
                    rows.Add(TrackerCost.Measure(name, m, $"bundled street clip, {sw}x{sh}, looped", street, sw, sh, 150, threadCount));
                    rows.Add(TrackerCost.Measure(name, m, walk.Name, walk.Frames, walk.Width, walk.Height, 0, threadCount));
                }
                var machine = MachineInfo.Detect();
                var md = new System.Text.StringBuilder();
                md.Append($"Machine: {machine.Describe()}; {threadCount} ONNX Runtime thread(s); command `posert-bench tracker {string.Join(" ", args[1..])}`.\n\n");
                BenchReport.TrackerTable(rows, line => md.Append(line).Append('\n'));
                AtomicFile.WriteAllText(Path.Combine(dir, "tracker.json"), JsonSerializer.Serialize(new { Machine = machine, Threads = threadCount, Rows = rows }, new JsonSerializerOptions { WriteIndented = true }));
                AtomicFile.WriteAllText(Path.Combine(dir, "tracker.md"), md.ToString());
                Console.WriteLine(md.ToString());
                return 0;
            });
            root.Subcommands.Add(trackerCommand);
            root.Subcommands.Add(soak);
            return CommandLineApp.Run(root, "posert-bench", args);
        }

        /// <summary>
        /// What a (sub)command checks before any work, so that a run never measures for minutes and then fails: the output
        /// folder can be written and every model loads as a pose model. False after one line on stderr naming the problem.
        /// </summary>
        private static bool Ready(string program, string outDir, IEnumerable<string> models)
        {
            try
            {
                OutputPaths.CheckFolder(outDir, "--out");
                foreach (var m in models)
                    PoseEstimator.Load(m, new PoseEstimatorOptions { Provider = ExecutionProvider.Cpu, CpuThreads = 1, FlipTest = false, MaxBoxesPerRun = 1 }).Dispose();
                return true;
            }
            catch (Exception e) when (e is ArgumentException || e is FileNotFoundException || e is InvalidPoseModelException || e is NotSupportedException)
            {
                Console.Error.WriteLine($"{program}: {e.Message}");
                return false;
            }
        }

        /// <summary>
        /// The shipped models of <c>Models/manifest.json</c> (relative to the current folder, the repository root), their
        /// sha256 verified: every one, or only the default. False, after an error line starting with
        /// <paramref name="program"/>, when the manifest is missing, malformed or does not match the files.
        /// </summary>
        private static bool ShippedModels(string program, bool all, List<string> files)
        {
            string manifestPath = Path.Combine("Models", ModelManifest.FileName);
            try
            {
                var manifest = ModelManifest.Load(manifestPath, verifySha256: true);
                if (all)
                    foreach (var entry in manifest.Models) files.Add(entry.FullPath);
                else
                    files.Add(manifest.Default.FullPath);
                return true;
            }
            catch (FileNotFoundException)
            {
                Console.Error.WriteLine($"{program}: {manifestPath} does not exist: run from the repository root, or pass --model FILE.");
                return false;
            }
            catch (InvalidModelManifestException e)
            {
                Console.Error.WriteLine($"{program}: {e.Message}");
                return false;
            }
        }
    }
}
