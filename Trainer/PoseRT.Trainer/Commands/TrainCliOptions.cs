using System;
using System.Collections.Generic;
using System.CommandLine;
using System.Globalization;
using System.IO;
using PoseRT.Cli;
using PoseRT.Trainer.Data;
using PoseRT.Trainer.Training;

namespace PoseRT.Trainer.Commands
{
    /// <summary>
    /// The recipe, machine and data options of <c>posert-train train</c>, shared with <c>posert-train ablation</c>, which
    /// runs the same training once per row: one definition of each option, its check and its reading into
    /// <see cref="TrainOptions"/>. A command may give <c>--epochs</c>, <c>--lr-steps</c> and <c>--val-every</c> other
    /// defaults; a null default for the last two means "scaled to <c>--epochs</c>" (<see cref="Read"/>).
    /// </summary>
    internal sealed class TrainCliOptions
    {
        private readonly Option<int> epochs;
        private readonly Option<int> batch;
        private readonly Option<double> lr = new("--lr") { Description = "Adam learning rate (paper: 1e-3).", DefaultValueFactory = _ => 1e-3 };
        private readonly Option<string?> lrSteps;
        private readonly Option<double> lrFactor = new("--lr-factor") { Description = "Rate multiplier at each step (paper: 0.1).", DefaultValueFactory = _ => 0.1 };
        private readonly Option<int> warmup = new("--warmup-steps") { Description = "Linear warm-up steps (0 = off, as in the paper).", DefaultValueFactory = _ => 0 };
        private readonly Option<double> wd = new Option<double>("--weight-decay") { Description = "Adam weight decay (0 in the paper).", DefaultValueFactory = _ => 0 }.AtLeast(0.0);
        private readonly Option<double?> clip = new("--grad-clip") { Description = "Clip the gradient L2 norm to this (off by default)." };
        private readonly Option<long> seed;
        private readonly Option<int?> threads = new Option<int?>("--threads") { Description = "LibTorch CPU threads (default: LibTorch's choice; at most 4 per logical processor)." }
            .InRangeIfGiven(1, Environment.ProcessorCount * 4, "4 per logical processor at most");
        private readonly Option<string> device = DeviceChoice.Create("cpu", TrainingSession.DeviceKinds, "Where TorchSharp trains: cpu, cuda, cuda:N or auto (CUDA when this build has it).");
        private readonly Option<int> workers = new("--workers") { Description = "Data loading threads.", DefaultValueFactory = _ => Math.Max(1, Environment.ProcessorCount / 2) };
        private readonly Option<int> prefetch = new("--prefetch") { Description = "Batches loaded ahead at most.", DefaultValueFactory = _ => 4 };
        private readonly Option<int> ckptEvery = new("--checkpoint-every") { Description = "Also checkpoint every N steps inside an epoch (0 = epoch ends only).", DefaultValueFactory = _ => 500 };
        private readonly Option<int?> valEvery;
        private readonly Option<int> logEvery = new("--log-every") { Description = "Write a step row to metrics.jsonl every N steps.", DefaultValueFactory = _ => 20 };
        private readonly Option<long?> stopAfter = new("--stop-after-steps") { Description = "Stop after N steps in this process (testing resume).", Hidden = true };
        private readonly Option<string> aug;
        private readonly Option<string?> ann = new("--ann") { Description = "Training annotations (COCO person_keypoints_*.json format)." };
        private readonly Option<string?> images = new("--images") { Description = "Folder with the training images." };
        private readonly Option<string?> valAnn;
        private readonly Option<string?> valImages = new("--val-images") { Description = "Folder with the validation images (default: --images)." };
        private readonly Option<string?> valDets = new("--val-dets") { Description = "Person detections for validation (AP_H_56 format); default: ground-truth boxes." };

        /// <summary>The options with the command's defaults (<see cref="TrainCliDefaults"/>).</summary>
        public TrainCliOptions(TrainCliDefaults defaults)
        {
            ArgumentNullException.ThrowIfNull(defaults);
            epochs = new Option<int>("--epochs") { Description = defaults.EpochsHelp, DefaultValueFactory = _ => defaults.Epochs };
            batch = new Option<int>("--batch") { Description = "Batch size (paper: 32).", DefaultValueFactory = _ => defaults.Batch };
            lrSteps = new Option<string?>("--lr-steps")
            {
                Description = "Epochs where the rate drops, comma separated (paper: 170,200 of 210" + (defaults.LrSteps == null ? "; default: those scaled to --epochs)." : ")."),
                DefaultValueFactory = _ => defaults.LrSteps,
            };
            valEvery = new Option<int?>("--val-every")
            {
                Description = "Validate every N epochs (the last epoch always)" + (defaults.ValEvery == null ? "; default: every quarter of --epochs." : "."),
                DefaultValueFactory = _ => defaults.ValEvery,
            };
            seed = new Option<long>("--seed") { Description = defaults.SeedHelp, DefaultValueFactory = _ => 1 };
            valAnn = new Option<string?>("--val-ann") { Description = defaults.ValAnnHelp };
            aug = new Option<string>("--aug") { Description = "Augmentation: paper (rotation, scale, flip, half-body), flip (flips only), none.", DefaultValueFactory = _ => defaults.Augmentation };
        }

        /// <summary>Adds the options to <paramref name="command"/>.</summary>
        public void AddTo(Command command)
        {
            foreach (Option o in new Option[] { ann, images, valAnn, valImages, valDets, aug, epochs, batch, lr, lrSteps, lrFactor, warmup, wd, clip, seed, threads, device, workers, prefetch, ckptEvery, valEvery, logEvery, stopAfter })
                command.Options.Add(o);
        }

        /// <summary>
        /// The run settings for <paramref name="outputDir"/>, checked (<see cref="TrainOptions.Validate"/>); throws
        /// <see cref="ArgumentException"/> naming the bad option.
        /// </summary>
        public TrainOptions Read(ParseResult pr, string outputDir, bool resume)
        {
            int e = pr.GetValue(epochs);
            string? steps = pr.GetValue(lrSteps);
            var options = new TrainOptions
            {
                Epochs = e,
                BatchSize = pr.GetValue(batch),
                LearningRate = pr.GetValue(lr),
                LrMilestones = steps == null ? LearningRateSchedule.PaperMilestones(e) : ParseInts(steps, "--lr-steps"),
                LrFactor = pr.GetValue(lrFactor),
                WarmupSteps = pr.GetValue(warmup),
                WeightDecay = pr.GetValue(wd),
                GradClipNorm = pr.GetValue(clip),
                Seed = pr.GetValue(seed),
                Threads = pr.GetValue(threads),
                Device = pr.GetValue(device)!,
                Workers = pr.GetValue(workers),
                Prefetch = pr.GetValue(prefetch),
                CheckpointEverySteps = pr.GetValue(ckptEvery),
                ValidateEveryEpochs = pr.GetValue(valEvery) ?? Math.Max(1, e / 4),
                LogEverySteps = pr.GetValue(logEvery),
                OutputDir = outputDir,
                Resume = resume,
                StopAfterSteps = pr.GetValue(stopAfter),
            };
            options.Validate();
            return options;
        }

        /// <summary>The <c>--aug</c> choice; throws <see cref="ArgumentException"/> for an unknown name.</summary>
        public Augmentation ReadAugmentation(ParseResult pr) => pr.GetValue(aug) switch
        {
            "paper" => Augmentation.Paper,
            "flip" => Augmentation.FlipOnly,
            "none" => Augmentation.None,
            var other => throw new ArgumentException($"--aug '{other}' is not one of paper, flip, none."),
        };

        /// <summary>
        /// <c>--ann</c>, <c>--images</c>, <c>--val-ann</c>, <c>--val-images</c>, <c>--val-dets</c> as given (nulls when
        /// absent); the files and folders that are given must exist, and validation images or detections need validation
        /// annotations (else <see cref="ArgumentException"/> naming the option or path).
        /// </summary>
        public TrainData ReadData(ParseResult pr)
        {
            var data = new TrainData(pr.GetValue(ann), pr.GetValue(images), pr.GetValue(valAnn), pr.GetValue(valImages), pr.GetValue(valDets));
            // Without validation annotations nothing is validated: the run would ignore them without a word.
            if (data.ValAnnotations == null && (data.ValImages != null || data.ValDetections != null))
                throw new ArgumentException("--val-images and --val-dets need --val-ann (the validation set they belong to).");
            foreach (var (path, what) in new[] { (data.Annotations, "annotation file"), (data.ValAnnotations, "validation annotation file"), (data.ValDetections, "detection file") })
                if (path != null && !File.Exists(path)) throw new ArgumentException($"{what} '{path}' does not exist.");
            foreach (var (path, what) in new[] { (data.Images, "image folder"), (data.ValImages, "validation image folder") })
                if (path != null && !Directory.Exists(path)) throw new ArgumentException($"{what} '{path}' does not exist.");
            return data;
        }

        /// <summary>Errors of the input (annotations, checkpoint, a resume that does not match) and of the machine (I/O), reported in one line.</summary>
        public static bool IsReported(Exception e) =>
            e is PoseRT.Coco.CocoFormatException || e is InvalidOperationException || e is InvalidDataException || e is ArgumentException
            || e is IOException || e is UnauthorizedAccessException;

        /// <summary>One line on stderr, "<paramref name="program"/>: message"; exit 1 for an I/O failure while running, 2 for bad input (the others).</summary>
        public static int Report(string program, Exception e)
        {
            Console.Error.WriteLine(program + ": " + e.Message);
            bool machine = (e is IOException && e is not FileNotFoundException && e is not DirectoryNotFoundException) || e is UnauthorizedAccessException;
            return machine ? ExitCodes.Failure : ExitCodes.BadInput;
        }

        private static List<int> ParseInts(string text, string option)
        {
            var list = new List<int>();
            foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (!int.TryParse(part, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v))
                    throw new ArgumentException($"{option}: '{part}' is not an integer (expected e.g. 170,200).");
                list.Add(v);
            }
            return list;
        }
    }

    /// <summary>
    /// A command's defaults and help texts for <see cref="TrainCliOptions"/>; the rest are the paper's recipe as
    /// <c>posert-train train</c> has it. Null <see cref="LrSteps"/>: the paper's 170 and 200 of 210 epochs scaled to
    /// <c>--epochs</c>; null <see cref="ValEvery"/>: every quarter of <c>--epochs</c>.
    /// </summary>
    /// <param name="Epochs">Default <c>--epochs</c>.</param>
    /// <param name="EpochsHelp">Help text of <c>--epochs</c>.</param>
    /// <param name="SeedHelp">Help text of <c>--seed</c> (what the seed is for in the command).</param>
    /// <param name="ValAnnHelp">Help text of <c>--val-ann</c>.</param>
    internal sealed record TrainCliDefaults(int Epochs, string EpochsHelp, string SeedHelp, string ValAnnHelp)
    {
        /// <summary>Default <c>--batch</c> (paper: 32).</summary>
        public int Batch { get; init; } = 32;

        /// <summary>Default <c>--lr-steps</c> (paper: "170,200"); null scales the paper's to <c>--epochs</c>.</summary>
        public string? LrSteps { get; init; } = "170,200";

        /// <summary>Default <c>--val-every</c>; null validates every quarter of <c>--epochs</c>.</summary>
        public int? ValEvery { get; init; } = 10;

        /// <summary>Default <c>--aug</c> (paper, flip or none).</summary>
        public string Augmentation { get; init; } = "paper";
    }

    /// <summary>The data options as given: training annotations and images, validation annotations, images and detections (nulls when absent).</summary>
    /// <param name="Annotations"><c>--ann</c>.</param>
    /// <param name="Images"><c>--images</c>.</param>
    /// <param name="ValAnnotations"><c>--val-ann</c>.</param>
    /// <param name="ValImages"><c>--val-images</c> (null: the training images' folder).</param>
    /// <param name="ValDetections"><c>--val-dets</c> (null: ground-truth boxes).</param>
    public sealed record TrainData(string? Annotations, string? Images, string? ValAnnotations, string? ValImages, string? ValDetections)
    {
        /// <summary>A training spec over this data (model, augmentation and recipe at their defaults); needs <c>--ann</c> and <c>--images</c>.</summary>
        public PoseTrainingSpec ToSpec() => new()
        {
            TrainAnnotations = Annotations ?? throw new InvalidOperationException("--ann was not given."),
            TrainImages = Images ?? throw new InvalidOperationException("--images was not given."),
            ValAnnotations = ValAnnotations,
            ValImages = ValImages,
            ValDetections = ValDetections,
        };
    }
}
