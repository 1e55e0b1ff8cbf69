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
            var train = new TrainCliOptions(new TrainCliDefaults(210, "Epochs (paper: 210).",
                "Seed for weights, data order, augmentation and LibTorch.",
                "Validation annotations: AP through the ONNX export, the Runtime and the COCO evaluator every --val-every epochs; best.pt keeps the best."));
            var outDir = new Option<string>("--out") { Description = "Run folder (checkpoints, logs, TensorBoard, plot, exports).", Required = true };
            var resume = new Option<bool>("--resume") { Description = "Continue from <out>/checkpoint.pt if present." };
            var init = new Option<string?>("--init")
            {
                Description = "Start from these weights (best.pt or final.pt of a run with the same model options, or a shipped model's Models/weights/*.pt) " +
                              "instead of a fresh initialisation: training on or fine-tuning, with a fresh optimiser and schedule.",
            };
            var model = new ModelCliOptions();
            var blobsPose = new Option<bool>("--blobs-pose") { Description = "With --blobs: train the pose model chosen by --backbone/--activation/--input on the blobs (throughput without image decoding)." };
            var blobs = new Option<int?>("--blobs") { Description = "Train a small conv net on N generated blob samples instead of COCO (checks the machinery, e.g. resume)." }
                .InRangeIfGiven(1, null);

            var cmd = new Command("train", "Train a pose model (defaults: the paper's COCO recipe).") { outDir, resume, init, blobs, blobsPose };
            train.AddTo(cmd);
            model.AddTo(cmd);
            cmd.SetAction(pr =>
            {
                TrainOptions options;
                PoseNetOptions modelOptions;
                Augmentation augmentation;
                TrainData given;
                string? initFile = pr.GetValue(init);
                try
                {
                    options = train.Read(pr, pr.GetValue(outDir)!, pr.GetValue(resume));
                    OutputPaths.CheckFolder(options.OutputDir, "--out");
                    modelOptions = model.Read(pr);
                    augmentation = train.ReadAugmentation(pr);
                    given = train.ReadData(pr);
                    if (initFile != null && !File.Exists(initFile)) throw new ArgumentException($"--init '{initFile}' does not exist.");
                    if (initFile != null && pr.GetValue(blobs) != null) throw new ArgumentException("--init trains the pose model on COCO-format data; it does not go with --blobs.");
                }
                catch (ArgumentException e)
                {
                    Console.Error.WriteLine(Program + ": " + e.Message);
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
                    catch (Exception e) when (TrainCliOptions.IsReported(e))
                    {
                        return TrainCliOptions.Report(Program, e);
                    }
                    Console.WriteLine(result.Completed
                        ? $"done: {result.Steps} steps, final loss {result.Epochs.LastOrDefault()?.Loss.ToString("G5", CultureInfo.InvariantCulture) ?? "n/a"}, weights {result.FinalModelPath}"
                        : $"stopped at step {result.Steps}; resume with --resume");
                    return 0;
                }
                if (given.Annotations == null || given.Images == null)
                {
                    Console.Error.WriteLine(Program + ": give --ann and --images (COCO format), or --blobs N.");
                    return ExitCodes.BadInput;
                }
                var spec = given.ToSpec() with { Model = modelOptions, Augmentation = augmentation, Train = options, InitialWeights = initFile };
                PoseTrainingResult run;
                try
                {
                    run = ConsoleProgress.Run(obs => PoseTraining.Run(spec, obs));
                }
                catch (Exception e) when (TrainCliOptions.IsReported(e))
                {
                    return TrainCliOptions.Report(Program, e);
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

        private const string Program = "posert-train train";
    }
}
