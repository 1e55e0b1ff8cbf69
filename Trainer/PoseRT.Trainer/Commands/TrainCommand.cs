using System;
using System.Collections.Generic;
using System.CommandLine;
using System.Globalization;
using System.IO;
using System.Linq;
using PoseRT.Cli;
using PoseRT.IO;
using PoseRT.Trainer.Data;
using PoseRT.Trainer.Models;
using PoseRT.Trainer.Training;
using TorchSharp;

namespace PoseRT.Trainer.Commands
{
    internal static class TrainCommand
    {
        public static Command Create()
        {
            var epochs = new Option<int>("--epochs") { Description = "Epochs (paper: 210).", DefaultValueFactory = _ => 210 };
            var batch = new Option<int>("--batch") { Description = "Batch size (paper: 32).", DefaultValueFactory = _ => 32 };
            var lr = new Option<double>("--lr") { Description = "Adam learning rate (paper: 1e-3).", DefaultValueFactory = _ => 1e-3 };
            var lrSteps = new Option<string>("--lr-steps") { Description = "Epochs where the rate drops, comma separated (paper: 170,200).", DefaultValueFactory = _ => "170,200" };
            var lrFactor = new Option<double>("--lr-factor") { Description = "Rate multiplier at each step (paper: 0.1).", DefaultValueFactory = _ => 0.1 };
            var warmup = new Option<int>("--warmup-steps") { Description = "Linear warm-up steps (0 = off, as in the paper).", DefaultValueFactory = _ => 0 };
            var wd = new Option<double>("--weight-decay") { Description = "Adam weight decay (0 in the paper).", DefaultValueFactory = _ => 0 }.AtLeast(0.0);
            var clip = new Option<double?>("--grad-clip") { Description = "Clip the gradient L2 norm to this (off by default)." };
            var seed = new Option<long>("--seed") { Description = "Seed for weights, data order, augmentation and LibTorch.", DefaultValueFactory = _ => 1 };
            var threads = new Option<int?>("--threads") { Description = "LibTorch CPU threads (default: LibTorch's choice; at most 4 per logical processor)." }
                .InRangeIfGiven(1, Environment.ProcessorCount * 4, "4 per logical processor at most");
            var device = DeviceChoice.Create("cpu", TrainingSession.DeviceKinds, "Where TorchSharp trains: cpu, cuda, cuda:N or auto (CUDA when this build has it).");
            var workers = new Option<int>("--workers") { Description = "Data loading threads.", DefaultValueFactory = _ => Math.Max(1, Environment.ProcessorCount / 2) };
            var prefetch = new Option<int>("--prefetch") { Description = "Batches loaded ahead at most.", DefaultValueFactory = _ => 4 };
            var ckptEvery = new Option<int>("--checkpoint-every") { Description = "Also checkpoint every N steps inside an epoch (0 = epoch ends only).", DefaultValueFactory = _ => 500 };
            var valEvery = new Option<int>("--val-every") { Description = "Validate every N epochs (the last epoch always).", DefaultValueFactory = _ => 10 };
            var logEvery = new Option<int>("--log-every") { Description = "Write a step row to metrics.jsonl every N steps.", DefaultValueFactory = _ => 20 };
            var outDir = new Option<string>("--out") { Description = "Run folder (checkpoints, logs, TensorBoard, plot, exports).", Required = true };
            var resume = new Option<bool>("--resume") { Description = "Continue from <out>/checkpoint.pt if present." };
            var stopAfter = new Option<long?>("--stop-after-steps") { Description = "Stop after N steps in this process (testing resume).", Hidden = true };
            var ann = new Option<string?>("--ann") { Description = "Training annotations (COCO person_keypoints_*.json format)." };
            var images = new Option<string?>("--images") { Description = "Folder with the training images." };
            var valAnn = new Option<string?>("--val-ann") { Description = "Validation annotations: AP through the ONNX export, the Runtime and the COCO evaluator every --val-every epochs; best.pt keeps the best." };
            var valImages = new Option<string?>("--val-images") { Description = "Folder with the validation images (default: --images)." };
            var valDets = new Option<string?>("--val-dets") { Description = "Person detections for validation (AP_H_56 format); default: ground-truth boxes." };
            var aug = new Option<string>("--aug") { Description = "Augmentation: paper (rotation, scale, flip, half-body), flip (flips only), none.", DefaultValueFactory = _ => "paper" };
            var model = new ModelCliOptions();
            var blobsPose = new Option<bool>("--blobs-pose") { Description = "With --blobs: train the pose model chosen by --backbone/--activation/--input on the blobs (throughput without image decoding)." };
            var blobs = new Option<int?>("--blobs") { Description = "Train a small conv net on N generated blob samples instead of COCO (checks the machinery, e.g. resume)." }
                .InRangeIfGiven(1, null);

            var cmd = new Command("train", "Train a pose model (defaults: the paper's COCO recipe).")
            {
                ann, images, valAnn, valImages, valDets, aug,
                epochs, batch, lr, lrSteps, lrFactor, warmup, wd, clip, seed, threads, device, workers, prefetch, ckptEvery, valEvery, logEvery, outDir, resume, stopAfter, blobs, blobsPose,
            };
            model.AddTo(cmd);
            cmd.SetAction(pr =>
            {
                TrainOptions options;
                PoseNetOptions modelOptions;
                Augmentation augmentation;
                try
                {
                    options = new TrainOptions
                    {
                        Epochs = pr.GetValue(epochs),
                        BatchSize = pr.GetValue(batch),
                        LearningRate = pr.GetValue(lr),
                        LrMilestones = ParseInts(pr.GetValue(lrSteps)!, "--lr-steps"),
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
                        ValidateEveryEpochs = pr.GetValue(valEvery),
                        LogEverySteps = pr.GetValue(logEvery),
                        OutputDir = pr.GetValue(outDir)!,
                        Resume = pr.GetValue(resume),
                        StopAfterSteps = pr.GetValue(stopAfter),
                    };
                    options.Validate();
                    OutputPaths.CheckFolder(options.OutputDir, "--out");
                    modelOptions = model.Read(pr);
                    augmentation = pr.GetValue(aug) switch
                    {
                        "paper" => Augmentation.Paper,
                        "flip" => Augmentation.FlipOnly,
                        "none" => Augmentation.None,
                        var other => throw new ArgumentException($"--aug '{other}' is not one of paper, flip, none."),
                    };
                }
                catch (ArgumentException e)
                {
                    Console.Error.WriteLine("posert-train train: " + e.Message);
                    return ExitCodes.BadInput;
                }

                TorchRuntime.EnsureLoaded();
                if (pr.GetValue(blobs) is { } n)
                {
                    // Generated blobs: a small conv net by default (machinery checks), or the chosen pose model when
                    // --blobs-pose is given (model + optimiser throughput at its input size without image decoding).
                    bool pose = pr.GetValue(blobsPose);
                    var data = pose ? new BlobDataset(n, CocoKeypointsCount, modelOptions.InputHeight, modelOptions.InputWidth) : new BlobDataset(n);
                    torch.manual_seed(options.Seed);
                    using torch.nn.Module<torch.Tensor, torch.Tensor> net = pose ? PoseNet.Create(modelOptions) : new SmallConvNet(data.Shape.Channels, data.Shape.Joints);
                    string what = pose ? "blobs " + PoseTraining.Describe(modelOptions) : "smallconv-blobs";
                    TrainResult result;
                    try
                    {
                        result = ConsoleProgress.Run(obs => TrainingSession.Run(net, data, options, what, observer: obs));
                    }
                    catch (Exception e) when (IsReported(e))
                    {
                        return Report(e);
                    }
                    Console.WriteLine(result.Completed
                        ? $"done: {result.Steps} steps, final loss {result.Epochs.LastOrDefault()?.Loss.ToString("G5", CultureInfo.InvariantCulture) ?? "n/a"}, weights {result.FinalModelPath}"
                        : $"stopped at step {result.Steps}; resume with --resume");
                    return 0;
                }
                string? annPath = pr.GetValue(ann), imageDir = pr.GetValue(images);
                if (annPath == null || imageDir == null)
                {
                    Console.Error.WriteLine("posert-train train: give --ann and --images (COCO format), or --blobs N.");
                    return ExitCodes.BadInput;
                }
                if (!File.Exists(annPath))
                {
                    Console.Error.WriteLine($"posert-train train: annotation file '{annPath}' does not exist.");
                    return ExitCodes.BadInput;
                }
                if (!Directory.Exists(imageDir))
                {
                    Console.Error.WriteLine($"posert-train train: image folder '{imageDir}' does not exist.");
                    return ExitCodes.BadInput;
                }
                if (pr.GetValue(valAnn) == null && (pr.GetValue(valImages) != null || pr.GetValue(valDets) != null))
                {
                    // Without validation annotations nothing is validated: the run would ignore them without a word.
                    Console.Error.WriteLine("posert-train train: --val-images and --val-dets need --val-ann (the validation set they belong to).");
                    return ExitCodes.BadInput;
                }
                var spec = new PoseTrainingSpec
                {
                    TrainAnnotations = annPath,
                    TrainImages = imageDir,
                    ValAnnotations = pr.GetValue(valAnn),
                    ValImages = pr.GetValue(valImages),
                    ValDetections = pr.GetValue(valDets),
                    Model = modelOptions,
                    Augmentation = augmentation,
                    Train = options,
                };
                PoseTrainingResult run;
                try
                {
                    run = ConsoleProgress.Run(obs => PoseTraining.Run(spec, obs));
                }
                catch (Exception e) when (IsReported(e))
                {
                    return Report(e);
                }
                var t = run.Training;
                Console.WriteLine(t.Completed
                    ? $"done: {t.Steps} steps on {run.Samples} persons; best epoch {t.BestEpoch}" + (double.IsNaN(t.BestScore) ? "" : $" (AP {t.BestScore:F4})") +
                      $"; weights {t.BestModelPath}" + (run.OnnxPath != null ? $"; ONNX {run.OnnxPath}" : "") + $"; data warnings: {run.DataWarnings}"
                    : $"stopped at step {t.Steps}; resume with --resume");
                return 0;
            });
            return cmd;
        }

        private const int CocoKeypointsCount = CocoKeypoints.Count;

        // Errors of the input (annotations, checkpoint, a resume that does not match) and of the machine (I/O).
        private static bool IsReported(Exception e) =>
            e is PoseRT.Coco.CocoFormatException || e is InvalidOperationException || e is InvalidDataException || e is ArgumentException
            || e is IOException || e is UnauthorizedAccessException;

        /// <summary>One line on stderr; exit 1 for an I/O failure while running, 2 for bad input (the others).</summary>
        private static int Report(Exception e)
        {
            Console.Error.WriteLine("posert-train train: " + e.Message);
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
}
