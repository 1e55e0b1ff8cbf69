using System;
using System.Collections.Generic;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using PoseRT.Cli;
using PoseRT.Coco;
using PoseRT.IO;
using PoseRT.Runtime;

namespace PoseRT.Tools.Commands
{
    /// <summary><c>posert score</c>: pycocotools-exact keypoint AP of a results file, and the evaluation benchmark.</summary>
    internal static class ScoreCommand
    {
        public static Command Create()
        {
            var gt = new Option<string?>("--gt") { Description = "COCO keypoint annotation file (person_keypoints_val2017.json format)." };
            var results = new Option<string?>("--results") { Description = "Keypoint results: a JSON list of {image_id, category_id, keypoints[51], score}." };
            var json = new Option<string?>("--json") { Description = "Also write the 10 stats as one JSON object (AP, AP50, AP75, APm, APl, AR, AR50, AR75, ARm, ARl)." };
            var plots = new Option<string?>("--plots") { Description = "Also write PNG plots into this folder: precision/recall per OKS threshold, per-keypoint error." };
            var benchmark = new Option<bool>("--benchmark") { Description = "Instead of scoring files: generate synthetic ground truth and results, then time and measure loading + evaluating them." };
            var persons = new Option<int>("--bench-persons") { Description = "Benchmark: ground-truth persons.", DefaultValueFactory = _ => 6000 };
            var resultCount = new Option<int>("--bench-results") { Description = "Benchmark: results.", DefaultValueFactory = _ => 100_000 };
            var images = new Option<int>("--bench-images") { Description = "Benchmark: images (COCO val2017 has 5000).", DefaultValueFactory = _ => 5000 };
            var keep = new Option<string?>("--bench-keep") { Description = "Benchmark: write the synthetic gt.json and results.json into this folder and keep them (to time 'posert score' on them separately)." };
            var command = new Command("score", "Score keypoint results against COCO ground truth exactly as pycocotools COCOeval (iouType='keypoints') does.")
            {
                gt, results, json, plots, benchmark, persons, resultCount, images, keep,
            };
            command.SetAction(parse =>
            {
                if (parse.GetValue(benchmark))
                    return EvaluationBenchmark.Run(parse.GetValue(persons), parse.GetValue(resultCount), parse.GetValue(images), parse.GetValue(keep), Console.Out, Console.Error);
                string? gtPath = parse.GetValue(gt), resultsPath = parse.GetValue(results);
                if (gtPath is null || resultsPath is null)
                {
                    Console.Error.WriteLine("posert score: --gt and --results are both required (or use --benchmark).");
                    return ExitCodes.BadInput;
                }
                return Execute(gtPath, resultsPath, parse.GetValue(json), parse.GetValue(plots), Console.Out, Console.Error);
            });
            return command;
        }

        /// <summary>
        /// Loads, evaluates, prints; bad input (a file, an entry, an unusable output path) ends with a one-line message
        /// naming the file and entry, exit code 2, and no output written; a failed write with exit code 1.
        /// </summary>
        internal static int Execute(string gtPath, string resultsPath, string? jsonPath, string? plotDir, TextWriter output, TextWriter error)
        {
            try
            {
                if (jsonPath != null)
                {
                    OutputPaths.CheckFile(jsonPath, "--json");
                    OutputPaths.CheckDistinct(jsonPath, "--json", (gtPath, "--gt"), (resultsPath, "--results"));
                }
                if (plotDir != null) OutputPaths.CheckFolder(plotDir, "--plots");
                var clock = Stopwatch.StartNew();
                var groundTruth = CocoKeypointFile.Load(gtPath);
                var results = CocoResultsFile.Load(resultsPath);
                var evaluation = new CocoKeypointEvaluator(groundTruth).Evaluate(results, resultsPath);
                foreach (var warning in evaluation.Warnings) error.WriteLine("warning: " + warning);
                PrintStats(evaluation.Stats, output);
                PrintKeypointScores(evaluation.KeypointScores, output);
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{groundTruth.Images.Count} images, {groundTruth.Annotations.Count} ground-truth persons, {results.Count} results, {clock.Elapsed.TotalSeconds:F2} s"));
                if (jsonPath != null)
                {
                    evaluation.Stats.Save(jsonPath);
                    output.WriteLine($"wrote {jsonPath}");
                }
                if (plotDir != null)
                {
                    foreach (var file in WritePlots(evaluation, plotDir)) output.WriteLine($"wrote {file}");
                }
                return 0;
            }
            catch (Exception ex) when (IsInputError(ex))
            {
                error.WriteLine($"posert score: {ex.Message}");
                return ExitCodeFor(ex);
            }
        }

        /// <summary>
        /// The exit code of an error <see cref="IsInputError"/> accepts: 2 for bad input (a missing or malformed file,
        /// a bad entry or value), 1 for a failure of the machine (any other I/O error: disk full, permissions).
        /// </summary>
        internal static int ExitCodeFor(Exception ex) =>
            ex is CocoFormatException or FileNotFoundException or DirectoryNotFoundException or InvalidDataException or ArgumentException
                ? ExitCodes.BadInput
                : ExitCodes.Failure;

        /// <summary>Errors that are the user's input, reported as one line instead of a stack trace.</summary>
        internal static bool IsInputError(Exception ex) =>
            ex is CocoFormatException or FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException or IOException or InvalidDataException or ArgumentException;

        /// <summary>The 10 stats with their names, in pycocotools order and wording, at full and at printed precision.</summary>
        internal static void PrintStats(CocoKeypointStats stats, TextWriter output)
        {
            var values = stats.ToArray();
            for (int i = 0; i < values.Length; i++)
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{CocoKeypointStats.Names[i],-5} {values[i],10:F6}   {CocoKeypointStats.Descriptions[i]} = {values[i]:0.000}"));
            }
        }

        /// <summary>
        /// What each keypoint score threshold shows of the annotated persons' labelled keypoints and how much of it is
        /// right (<see cref="CocoKeypointScoreTable"/>): the evidence for a demo's or tracker's keypoint threshold.
        /// </summary>
        internal static void PrintKeypointScores(CocoKeypointScoreTable table, TextWriter output)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"keypoint scores: {table.Labelled} labelled keypoints, {table.LabelledRight} right (OKS term >= 0.5 in each person's best-OKS pose)"));
            for (int t = 0; t < table.Thresholds.Count; t++)
            {
                int shown = table.Shown[t], right = table.Right[t];
                string share = shown > 0 ? string.Create(CultureInfo.InvariantCulture, $"{100.0 * right / shown:F0} % of shown") : "none shown";
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  score >= {table.Thresholds[t]:0.0}: {shown,5} shown, {right,5} right ({share})"));
            }
        }

        /// <summary>
        /// Writes <c>pr-curves.png</c> (interpolated precision against recall, one line per OKS threshold, all
        /// areas) and <c>keypoint-error.png</c> (mean distance / sqrt(area) per keypoint over persons matched at
        /// OKS 0.5), each through a temporary file and a rename. Returns the paths written.
        /// </summary>
        internal static List<string> WritePlots(CocoEvaluation evaluation, string dir)
        {
            Directory.CreateDirectory(dir);
            var written = new List<string>();
            var recall = new double[CocoKeypointEvaluator.RecallThresholds.Count];
            for (int r = 0; r < recall.Length; r++) recall[r] = CocoKeypointEvaluator.RecallThresholds[r];

            var pr = new ScottPlot.Plot();
            bool anyCurve = false;
            for (int t = 0; t < CocoKeypointEvaluator.OksThresholds.Count; t++)
            {
                var precision = new double[recall.Length];
                for (int r = 0; r < recall.Length; r++) precision[r] = evaluation.Precision(t, r, 0, 0);
                if (precision[0] < 0) continue; // undefined: no ground truth
                anyCurve = true;
                var line = pr.Add.Scatter(recall, precision);
                line.MarkerSize = 0;
                line.LegendText = string.Create(CultureInfo.InvariantCulture, $"OKS {CocoKeypointEvaluator.OksThresholds[t]:0.00}");
            }
            if (anyCurve)
            {
                pr.Title(string.Create(CultureInfo.InvariantCulture, $"Precision / recall per OKS threshold (AP {evaluation.Stats.AP:0.000})"));
                pr.XLabel("recall");
                pr.YLabel("precision");
                pr.Axes.SetLimits(0, 1, 0, 1.02);
                pr.ShowLegend(ScottPlot.Alignment.LowerLeft);
                written.Add(SavePng(pr, Path.Combine(dir, "pr-curves.png"), 900, 650));
            }

            var errors = evaluation.KeypointErrors;
            var values = new double[CocoKeypoints.Count];
            var positions = new double[CocoKeypoints.Count];
            var labels = new string[CocoKeypoints.Count];
            for (int k = 0; k < values.Length; k++)
            {
                values[k] = double.IsNaN(errors.MeanNormalizedDistance[k]) ? 0 : errors.MeanNormalizedDistance[k];
                positions[k] = k;
                labels[k] = CocoKeypoints.Schema.Names[k] + (errors.Count[k] == 0 ? " (none)" : string.Empty);
            }
            var bars = new ScottPlot.Plot();
            bars.Add.Bars(values);
            bars.Axes.Bottom.SetTicks(positions, labels);
            bars.Axes.Bottom.TickLabelStyle.Rotation = 45;
            bars.Axes.Bottom.TickLabelStyle.Alignment = ScottPlot.Alignment.MiddleLeft;
            bars.Axes.Bottom.MinimumSize = 110;
            double highest = 0;
            foreach (var v in values) highest = Math.Max(highest, v);
            bars.Axes.SetLimitsY(0, Math.Max(highest * 1.15, 0.05));
            bars.Title("Mean keypoint error of persons matched at OKS 0.5");
            bars.YLabel("distance / sqrt(area)");
            written.Add(SavePng(bars, Path.Combine(dir, "keypoint-error.png"), 900, 600));
            return written;
        }

        private static string SavePng(ScottPlot.Plot plot, string path, int width, int height)
        {
            var bytes = plot.GetImageBytes(width, height, ScottPlot.ImageFormat.Png);
            PoseRT.IO.AtomicFile.WriteAllBytes(path, bytes);
            return path;
        }

        /// <summary>
        /// Synthetic COCO-sized evaluation: ground truth and results written to temporary files, then loaded and
        /// evaluated with the clock and the memory counters running, exactly as <c>posert score</c> does.
        /// </summary>
        private static class EvaluationBenchmark
        {
            public static int Run(int persons, int resultCount, int imageCount, string? keepDir, TextWriter output, TextWriter error)
            {
                if (persons < 1 || resultCount < 0 || imageCount < 1)
                {
                    error.WriteLine("posert score --benchmark: --bench-persons and --bench-images must be positive, --bench-results not negative.");
                    return ExitCodes.BadInput;
                }
                if (keepDir != null)
                {
                    try
                    {
                        OutputPaths.CheckFolder(keepDir, "--bench-keep");
                    }
                    catch (ArgumentException e)
                    {
                        error.WriteLine("posert score --benchmark: " + e.Message);
                        return ExitCodes.BadInput;
                    }
                }
                var dir = keepDir ?? Path.Combine(Path.GetTempPath(), "posert-score-bench-" + Guid.NewGuid().ToString("N")[..8]);
                Directory.CreateDirectory(dir);
                try
                {
                    string gtPath = Path.Combine(dir, "gt.json"), resultsPath = Path.Combine(dir, "results.json");
                    Generate(persons, resultCount, imageCount, gtPath, resultsPath);
                    output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"synthetic: {imageCount} images, {persons} persons ({new FileInfo(gtPath).Length / 1e6:F1} MB), {resultCount} results ({new FileInfo(resultsPath).Length / 1e6:F1} MB)"));

                    GC.Collect();
                    GC.WaitForPendingFinalizers();
                    GC.Collect();
                    long allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
                    long workingSetBefore = Environment.WorkingSet;
                    var cpu = new double[4];
                    var wall = new double[4];
                    var clock = Stopwatch.StartNew();
                    void Mark(int i)
                    {
                        wall[i] = clock.Elapsed.TotalSeconds;
                        using var process = Process.GetCurrentProcess();
                        cpu[i] = process.TotalProcessorTime.TotalSeconds;
                    }
                    Mark(0);
                    var groundTruth = CocoKeypointFile.Load(gtPath);
                    Mark(1);
                    var results = CocoResultsFile.Load(resultsPath);
                    Mark(2);
                    var evaluation = new CocoKeypointEvaluator(groundTruth).Evaluate(results, resultsPath);
                    Mark(3);
                    long allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
                    long liveAfter = GC.GetTotalMemory(forceFullCollection: true);
                    GC.KeepAlive(evaluation);
                    GC.KeepAlive(results);
                    long peak;
                    using (var process = Process.GetCurrentProcess()) peak = process.PeakWorkingSet64;

                    PrintStats(evaluation.Stats, output);
                    string[] phases = { "load ground truth", "load results", "evaluate" };
                    for (int i = 0; i < phases.Length; i++)
                        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{phases[i],-17} {wall[i + 1] - wall[i],6:F2} s wall {cpu[i + 1] - cpu[i],6:F2} s CPU"));
                    output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{"total",-17} {wall[3] - wall[0],6:F2} s wall {cpu[3] - cpu[0],6:F2} s CPU (CPU counts all threads; wall above CPU means other processes had the cores)"));
                    output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"memory: {allocated / 1048576.0:F0} MiB allocated, {liveAfter / 1048576.0:F0} MiB live after evaluation, process peak working set {peak / 1048576.0:F0} MiB (was {workingSetBefore / 1048576.0:F0} MiB before loading)"));
                    return 0;
                }
                finally
                {
                    if (keepDir is null) Directory.Delete(dir, recursive: true);
                }
            }

            private static void Generate(int personCount, int resultCount, int imageCount, string gtPath, string resultsPath)
            {
                var rng = new Random(20200815);
                var images = new CocoImage[imageCount];
                for (int i = 0; i < imageCount; i++) images[i] = new CocoImage(i + 1, $"{i + 1:D12}.jpg", 640, 480);

                var persons = new CocoKeypointAnnotation[personCount];
                var kp = new double[CocoKeypoints.Count * 3];
                for (int p = 0; p < personCount; p++)
                {
                    // Sizes spread over small, medium and large (log-uniform 16..400 px); 10% without keypoints.
                    double size = 16 * Math.Pow(25, rng.NextDouble());
                    double cx = rng.NextDouble() * 640, cy = rng.NextDouble() * 480;
                    bool unlabelled = rng.Next(10) == 0;
                    int labelled = 0;
                    for (int k = 0; k < CocoKeypoints.Count; k++)
                    {
                        int v = unlabelled || rng.Next(10) == 0 ? 0 : 1 + rng.Next(2);
                        kp[3 * k] = v == 0 ? 0 : cx + size * (rng.NextDouble() - 0.5);
                        kp[3 * k + 1] = v == 0 ? 0 : cy + size * (rng.NextDouble() - 0.5);
                        kp[3 * k + 2] = v;
                        if (v > 0) labelled++;
                    }
                    var box = new CocoBox(cx - size / 2, cy - size / 2, size, size);
                    persons[p] = new CocoKeypointAnnotation(p + 1, 1 + rng.Next(imageCount), 1, kp, labelled, box, size * size * 0.5, isCrowd: rng.Next(200) == 0);
                }
                new CocoKeypointFile(images, persons, new[] { new CocoCategory(1, "person", CocoKeypoints.Schema.Names) }, gtPath).Save(gtPath);

                var results = new List<CocoKeypointResult>(resultCount);
                for (int r = 0; r < resultCount; r++)
                {
                    // Three quarters are noisy copies of a person, the rest land anywhere in some image.
                    var source = persons[rng.Next(personCount)];
                    bool falsePositive = rng.Next(4) == 0;
                    double jitter = Math.Sqrt(source.Area) * 0.1;
                    double shiftX = falsePositive ? rng.NextDouble() * 640 - source.Bbox.X : 0;
                    double shiftY = falsePositive ? rng.NextDouble() * 480 - source.Bbox.Y : 0;
                    var g = source.Keypoints;
                    for (int k = 0; k < CocoKeypoints.Count; k++)
                    {
                        double bx = g[3 * k + 2] > 0 ? g[3 * k] : source.Bbox.X + source.Bbox.Width / 2;
                        double by = g[3 * k + 2] > 0 ? g[3 * k + 1] : source.Bbox.Y + source.Bbox.Height / 2;
                        kp[3 * k] = bx + shiftX + jitter * (rng.NextDouble() - 0.5);
                        kp[3 * k + 1] = by + shiftY + jitter * (rng.NextDouble() - 0.5);
                        kp[3 * k + 2] = rng.NextDouble();
                    }
                    long image = falsePositive ? 1 + rng.Next(imageCount) : source.ImageId;
                    // Scores on a 0.001 grid, so equal scores (and their tie order) occur.
                    results.Add(new CocoKeypointResult(image, 1, kp, Math.Round(rng.NextDouble(), 3)));
                }
                CocoResultsFile.Save(resultsPath, results);
            }
        }
    }
}
