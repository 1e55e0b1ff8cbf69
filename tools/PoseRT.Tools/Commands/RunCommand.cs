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
using Spectre.Console;

namespace PoseRT.Tools.Commands
{
    /// <summary>
    /// <c>posert run</c>: the whole SimpleBaselines/HRNet top-down COCO protocol with a PoseRT model: boxes
    /// (detector file or cleaned ground-truth boxes), crop + flip test + decode + rescoring (the Runtime's
    /// <see cref="PoseEstimator"/>), OKS-NMS at 0.9 per image, a results file, then the pycocotools-exact score.
    /// The loop and its error policy are <see cref="TopDownRunner"/>'s, shared with training validation.
    /// </summary>
    internal static class RunCommand
    {
        /// <summary>Everything one run needs; <see cref="ModelBytes"/> replaces <see cref="Model"/> in tests.</summary>
        internal sealed record Settings(
            string Model, string GroundTruth, string ImageDir, string? Detections, bool GroundTruthBoxes, bool Flip,
            string? OutPath, string? PlotDir, string? JsonPath, DeviceChoice Device, int Threads)
        {
            public byte[]? ModelBytes { get; init; }

            /// <summary>Most person boxes of one image that are run (a detection file above it is refused).</summary>
            public int MaxBoxesPerImage { get; init; } = DefaultMaxBoxesPerImage;

            /// <summary>How peaks are refined below the heatmap cell (the test protocol's quarter offset by default).</summary>
            public PeakRefinement Refinement { get; init; } = PeakRefinement.QuarterOffset;
        }

        /// <summary>The default of <c>--max-boxes-per-image</c> (the runner's default).</summary>
        internal const int DefaultMaxBoxesPerImage = TopDownRunner.DefaultMaxBoxesPerImage;

        /// <summary>The most CPU threads <c>--threads</c> accepts: 4 per logical processor.</summary>
        internal static int MaxThreads => Environment.ProcessorCount * 4;

        /// <summary>The <c>--refinement</c> option of <c>posert run</c> and <c>posert bench</c>.</summary>
        internal static Option<PeakRefinement> RefinementOption() => new("--refinement")
        {
            Description = "Sub-cell peak refinement: QuarterOffset (the test protocol's, default), Dark (distribution-aware, a Newton step on the log heatmap) or None.",
            DefaultValueFactory = _ => PeakRefinement.QuarterOffset,
        };

        public static Command Create()
        {
            var model = new Option<string>("--model") { Description = "ONNX pose model (PoseRT metadata).", Required = true };
            var gt = new Option<string>("--gt") { Description = "COCO keypoint annotation file (person_keypoints_val2017.json format).", Required = true };
            var images = new Option<string>("--images") { Description = "Folder with the images named in the annotation file.", Required = true };
            var detections = new Option<string?>("--detections") { Description = "Person detections (COCO_val2017_detections_AP_H_56_person.json format)." };
            var gtBoxes = new Option<bool>("--gt-boxes") { Description = "Use the ground-truth person boxes (HRNet's USE_GT_BBOX) instead of --detections." };
            var flip = new Option<bool>("--flip") { Description = "Flip test: also run the mirrored crop and average (the default)." };
            var noFlip = new Option<bool>("--no-flip") { Description = "No flip test (halves the network work)." };
            var output = new Option<string?>("--out") { Description = "Write the results file (list of {image_id, category_id, keypoints, score}) here." };
            var plots = new Option<string?>("--plots") { Description = "Write PNG plots (PR curve per OKS threshold, per-keypoint error) into this folder." };
            var json = new Option<string?>("--json") { Description = "Write the 10 stats as one JSON object here." };
            var device = DeviceChoice.Create("auto", DeviceChoice.AllKinds, "Where the model runs: auto, cpu, cuda[:N] or directml[:N].");
            var threads = new Option<int>("--threads") { Description = "CPU provider threads (0 = ONNX Runtime's choice; at most 4 per logical processor).", DefaultValueFactory = _ => 0 }
                .InRange(0, MaxThreads, "4 per logical processor at most");
            var maxBoxes = new Option<int>("--max-boxes-per-image") { Description = $"Refuse a detection file with more person boxes than this on one image (default {DefaultMaxBoxesPerImage}).", DefaultValueFactory = _ => DefaultMaxBoxesPerImage }
                .AtLeast(1);
            var refinement = RefinementOption();
            var command = new Command("run", "Run a model over COCO images with the top-down test protocol (boxes, flip test, rescoring, OKS-NMS 0.9) and score it like pycocotools.")
            {
                model, gt, images, detections, gtBoxes, flip, noFlip, output, plots, json, device, threads, maxBoxes, refinement,
            };
            command.SetAction(parse =>
            {
                string? detectionPath = parse.GetValue(detections);
                bool useGt = parse.GetValue(gtBoxes);
                if ((detectionPath != null) == useGt)
                {
                    Console.Error.WriteLine("posert run: give exactly one of --detections FILE or --gt-boxes.");
                    return ExitCodes.BadInput;
                }
                if (parse.GetValue(flip) && parse.GetValue(noFlip))
                {
                    Console.Error.WriteLine("posert run: --flip and --no-flip contradict each other.");
                    return ExitCodes.BadInput;
                }
                var settings = new Settings(parse.GetValue(model)!, parse.GetValue(gt)!, parse.GetValue(images)!, detectionPath, useGt,
                    !parse.GetValue(noFlip), parse.GetValue(output), parse.GetValue(plots), parse.GetValue(json),
                    DeviceChoice.Parse(parse.GetValue(device)!, DeviceChoice.AllKinds), parse.GetValue(threads))
                { MaxBoxesPerImage = parse.GetValue(maxBoxes), Refinement = parse.GetValue(refinement) };
                // Progress goes to stderr (a bar on a terminal); stdout holds the model line, the table and the totals.
                return Execute(settings, Console.Out, Console.Error, liveProgress: !Console.IsErrorRedirected);
            });
            return command;
        }

        /// <summary>
        /// Runs the protocol; bad input (files, entries, images, unwritable outputs) ends with one line naming the file,
        /// entry or image and exit code 2, a failure while running (a write, the model's output) with exit code 1.
        /// </summary>
        internal static int Execute(Settings s, TextWriter output, TextWriter error, bool liveProgress)
        {
            try
            {
                // Every output must be writable before any work, and before any of them is written.
                // ... and none may replace an input or another output.
                (string?, string)[] inputs = { (s.GroundTruth, "--gt"), (s.Detections, "--detections"), (s.Model, "--model") };
                if (s.OutPath != null)
                {
                    OutputPaths.CheckFile(s.OutPath, "--out");
                    OutputPaths.CheckDistinct(s.OutPath, "--out", inputs);
                }
                if (s.JsonPath != null)
                {
                    OutputPaths.CheckFile(s.JsonPath, "--json");
                    OutputPaths.CheckDistinct(s.JsonPath, "--json", [.. inputs, (s.OutPath, "--out")]);
                }
                if (s.PlotDir != null) OutputPaths.CheckFolder(s.PlotDir, "--plots");
                if (s.Threads < 0 || s.Threads > MaxThreads)
                    throw new ArgumentException($"--threads {s.Threads}: must be a number from 0 to {MaxThreads} (4 per logical processor at most).");
                var groundTruth = CocoKeypointFile.Load(s.GroundTruth);
                // Boxes, and every image present, before any inference (the runner's error policy).
                var runner = new TopDownRunner(groundTruth, s.ImageDir, s.Detections, s.MaxBoxesPerImage);
                int imageCount = runner.ImageCount;

                var options = new PoseEstimatorOptions { Provider = s.Device.Provider, DeviceId = s.Device.Index, CpuThreads = s.Threads, FlipTest = s.Flip, Refinement = s.Refinement };
                using var estimator = s.ModelBytes != null
                    ? PoseEstimator.Load(s.ModelBytes, options, s.Model)
                    : PoseEstimator.Load(s.Model, options);
                output.WriteLine($"model {s.Model}: {estimator.ModelInfo.Architecture}, input {estimator.ModelInfo.InputWidth}x{estimator.ModelInfo.InputHeight}, {estimator.ProviderReport}, flip test {(s.Flip ? "on" : "off")}, {s.Refinement} refinement");

                var results = new List<CocoKeypointResult>();
                int boxCount = 0;
                var clock = Stopwatch.StartNew();
                void RunAll(Action<int> progress) => boxCount = runner.Run(estimator, options.BoxPadding, results, progress);

                if (liveProgress)
                {
                    AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(error) }).Progress()
                        .AutoClear(false)
                        .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn(), new SpinnerColumn())
                        .Start(ctx =>
                        {
                            var task = ctx.AddTask("images", maxValue: imageCount);
                            RunAll(done =>
                            {
                                task.Value = done;
                                task.Description = string.Create(CultureInfo.InvariantCulture, $"{done}/{imageCount} images, {done / Math.Max(clock.Elapsed.TotalSeconds, 1e-9):F1} img/s");
                            });
                        });
                }
                else
                {
                    int step = Math.Max(1, imageCount / 10);
                    RunAll(done =>
                    {
                        if (done % step != 0 && done != imageCount) return;
                        double rate = done / Math.Max(clock.Elapsed.TotalSeconds, 1e-9);
                        var eta = TimeSpan.FromSeconds((imageCount - done) / rate);
                        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{done}/{imageCount} images, {rate:F1} img/s, ETA {eta:hh\\:mm\\:ss}"));
                    });
                }
                double seconds = clock.Elapsed.TotalSeconds;

                if (s.OutPath != null) CocoResultsFile.Save(s.OutPath, results);
                var evaluation = new CocoKeypointEvaluator(groundTruth).Evaluate(results, s.OutPath ?? "run results");
                foreach (var warning in evaluation.Warnings) error.WriteLine("warning: " + warning);
                PrintSummary(output, evaluation.Stats, imageCount, boxCount, results.Count, seconds);
                ScoreCommand.PrintKeypointScores(evaluation.KeypointScores, output);
                if (s.OutPath != null) output.WriteLine($"wrote {s.OutPath}");
                if (s.JsonPath != null)
                {
                    evaluation.Stats.Save(s.JsonPath);
                    output.WriteLine($"wrote {s.JsonPath}");
                }
                if (s.PlotDir != null)
                {
                    foreach (var file in ScoreCommand.WritePlots(evaluation, s.PlotDir)) output.WriteLine($"wrote {file}");
                }
                return 0;
            }
            catch (Exception ex) when (ScoreCommand.IsInputError(ex) || ex is InvalidPoseModelException || ex is NotSupportedException)
            {
                error.WriteLine($"posert run: {ex.Message}");
                return ex is InvalidPoseModelException || ex is NotSupportedException ? ExitCodes.BadInput : ScoreCommand.ExitCodeFor(ex);
            }
        }

        private static void PrintSummary(TextWriter output, CocoKeypointStats stats, int images, int boxes, int poses, double seconds)
        {
            var console = AnsiConsole.Create(new AnsiConsoleSettings
            {
                Ansi = AnsiSupport.No,
                ColorSystem = ColorSystemSupport.NoColors,
                Out = new AnsiConsoleOutput(output),
            });
            var table = new Table().AddColumn("stat").AddColumn(new TableColumn("value").RightAligned()).AddColumn("pycocotools");
            var values = stats.ToArray();
            for (int i = 0; i < values.Length; i++)
            {
                table.AddRow(new Text(CocoKeypointStats.Names[i]), new Text(values[i].ToString("F4", CultureInfo.InvariantCulture)), new Text(CocoKeypointStats.Descriptions[i]));
            }
            console.Write(table);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{images} images, {boxes} boxes, {poses} poses after OKS-NMS, {seconds:F1} s ({images / Math.Max(seconds, 1e-9):F1} img/s)"));
        }
    }
}
