using System;
using System.Collections.Generic;
using System.CommandLine;
using System.IO;
using System.Text.Json;
using PoseRT.IO;

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
            var models = new Option<string[]>("--model") { Description = "Shipped ONNX models to add (default: every .onnx in Models/).", AllowMultipleArgumentsPerToken = true };
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
                if (shipped.Count == 0 && Directory.Exists("Models")) shipped.AddRange(Directory.GetFiles("Models", "*.onnx"));
                shipped.Sort(StringComparer.Ordinal);
                foreach (var m in shipped)
                    if (!File.Exists(m))
                    {
                        Console.Error.WriteLine($"posert-bench: model '{m}' does not exist.");
                        return 2;
                    }
                string dir = parse.GetValue(outDir)!;
                try
                {
                    Directory.CreateDirectory(dir);
                }
                catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
                {
                    Console.Error.WriteLine($"posert-bench: cannot create --out '{dir}': {e.Message}");
                    return 2;
                }
                var settings = new BenchSettings(dir, f, w, r, counts, shipped, !parse.GetValue(noArch));
                var results = new CompareBenchmark(settings, Console.Error.WriteLine).Run("posert-bench " + string.Join(" ", args));
                AtomicFile.WriteAllText(Path.Combine(dir, "results.json"), JsonSerializer.Serialize(results, new JsonSerializerOptions { WriteIndented = true }));
                string md = BenchReport.Markdown(results);
                AtomicFile.WriteAllText(Path.Combine(dir, "results.md"), md);
                Console.WriteLine(md);
                return 0;
            });
            return root.Parse(args).Invoke();
        }
    }
}
