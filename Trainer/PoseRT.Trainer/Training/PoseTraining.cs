using System;
using System.Collections.Generic;
using System.IO;
using PoseRT.Runtime;
using PoseRT.Runtime.Model;
using PoseRT.Trainer.Data;
using PoseRT.Trainer.Export;
using PoseRT.Trainer.Models;
using TorchSharp;

namespace PoseRT.Trainer.Training
{
    /// <summary>What to train on and how: the COCO-format data, the model and the run settings.</summary>
    public sealed record PoseTrainingSpec
    {
        /// <summary>Training annotations (person_keypoints_*.json format).</summary>
        public required string TrainAnnotations { get; init; }

        /// <summary>Folder with the training images.</summary>
        public required string TrainImages { get; init; }

        /// <summary>Validation annotations (null = no validation; best.pt is then the last epoch).</summary>
        public string? ValAnnotations { get; init; }

        /// <summary>Folder with the validation images (defaults to <see cref="TrainImages"/>).</summary>
        public string? ValImages { get; init; }

        /// <summary>Person detections for validation (AP_H_56 format); null = ground-truth boxes.</summary>
        public string? ValDetections { get; init; }

        /// <summary>The model to build.</summary>
        public PoseNetOptions Model { get; init; } = new();

        /// <summary>Augmentation (defaults to the paper's).</summary>
        public Augmentation Augmentation { get; init; } = Augmentation.Paper;

        /// <summary>Optimiser, schedule and run settings.</summary>
        public TrainOptions Train { get; init; } = new();

        /// <summary>
        /// Weights to start from instead of a fresh initialisation (null = fresh): a model saved with the same
        /// <see cref="Model"/> options, such as a shipped model's weights. The optimiser and the schedule start fresh;
        /// the file's name and sha256 go into the checkpoints' recipe and the exported provenance.
        /// </summary>
        public string? InitialWeights { get; init; }
    }

    /// <summary>The result of <see cref="PoseTraining.Run"/>.</summary>
    public sealed record PoseTrainingResult(TrainResult Training, string? OnnxPath, int Samples, string DataWarnings);

    /// <summary>
    /// The whole recipe behind <c>posert-train train</c>: build the model under the seed, index the COCO set,
    /// train with <see cref="TrainingSession"/> (validating with <see cref="CocoValidator"/> when asked), and export
    /// the best model to ONNX with its provenance (data set, epochs, seed, AP, git commit) in the metadata.
    /// </summary>
    public static class PoseTraining
    {
        /// <summary>Runs the training described by <paramref name="spec"/>.</summary>
        public static PoseTrainingResult Run(PoseTrainingSpec spec, ITrainingObserver? observer = null)
        {
            ArgumentNullException.ThrowIfNull(spec);
            spec.Train.Validate();
            spec.Model.Validate();
            TorchRuntime.EnsureLoaded();
            // Read now: the checkout may move on during a run of hours, and the model comes from the code it started with.
            string? commit = GitCommit();
            var warnings = new DataWarnings();
            if (observer != null) warnings.OnWarning = m => observer.OnMessage("data warning: " + m);
            CocoValidator? validator = null;
            if (spec.ValAnnotations != null)
            {
                validator = new CocoValidator(spec.ValAnnotations, spec.ValImages ?? spec.TrainImages, spec.ValDetections);
                observer?.OnMessage($"Validation: {validator.BoxCount} {(validator.UsesDetections ? "detected" : "ground-truth")} boxes from {spec.ValAnnotations}, every {spec.Train.ValidateEveryEpochs} epochs and at the end.");
            }

            if (spec.Model.Keypoints != CocoKeypoints.Count)
                throw new ArgumentException($"COCO training needs {CocoKeypoints.Count} keypoints; the model has {spec.Model.Keypoints}.");
            string? init = spec.InitialWeights == null ? null : DescribeWeights(spec.InitialWeights);
            using var model = CreateModel(spec);
            // The exporter's description is the contract the data must be encoded for (input size, stride, mean/std, order).
            var info = OnnxExporter.Describe(model);
            var data = new CocoPoseDataset(spec.TrainAnnotations, spec.TrainImages, info, spec.Augmentation, warnings);
            if (data.Count == 0)
                throw new InvalidOperationException($"'{spec.TrainAnnotations}' has no usable person (num_keypoints > 0, not crowd, image present): {warnings.Summary()}.");
            observer?.OnMessage($"{data.Count} persons from {spec.TrainAnnotations}; data warnings: {warnings.Summary()}");

            int valThreads = spec.Train.Threads ?? 0;
            Validator? validate = validator == null ? null : (m, epoch) => validator.Validate((PoseNet)m, valThreads);
            var recipe = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["--aug"] = AugmentationName(spec.Augmentation),
                ["--ann"] = Path.GetFileName(spec.TrainAnnotations),
                ["--val-ann"] = spec.ValAnnotations == null ? "none" : Path.GetFileName(spec.ValAnnotations),
                ["--val-dets"] = spec.ValDetections == null ? "ground truth" : Path.GetFileName(spec.ValDetections),
            };
            // Only when given, so checkpoints written before --init existed still resume.
            if (init != null) recipe["--init"] = init;
            var result = TrainingSession.Run(model, data, spec.Train, Describe(spec.Model), validate, observer, warnings, recipe: recipe);
            if (!result.Completed) return new PoseTrainingResult(result, null, data.Count, warnings.Summary());

            // Export the best model (best validated epoch, or the last one) with where it came from.
            model.load(result.BestModelPath);
            model.eval();
            string provenance = Provenance(spec, result, data.Count, commit, init);
            var exportInfo = OnnxExporter.Describe(model, provenance);
            string onnx = Path.Combine(Path.GetFullPath(spec.Train.OutputDir), "model.onnx");
            OnnxExporter.Export(model, exportInfo, onnx);
            observer?.OnMessage($"Exported {onnx} ({exportInfo.Architecture}, {exportInfo.Activation}).");
            return new PoseTrainingResult(result, onnx, data.Count, warnings.Summary());
        }

        /// <summary>
        /// The model <see cref="Run"/> trains: built under the run's seed, then loaded from
        /// <see cref="PoseTrainingSpec.InitialWeights"/> when given (<see cref="InvalidDataException"/> naming the file
        /// when it holds another model).
        /// </summary>
        internal static PoseNet CreateModel(PoseTrainingSpec spec)
        {
            torch.manual_seed(spec.Train.Seed);
            var model = PoseNet.Create(spec.Model);
            if (spec.InitialWeights == null) return model;
            try
            {
                PoseNetWeights.Load(model, spec.InitialWeights);
                return model;
            }
            catch
            {
                model.Dispose();
                throw;
            }
        }

        /// <summary>"NAME sha256 HEX": which weights a run started from, in its recipe and provenance.</summary>
        internal static string DescribeWeights(string path)
        {
            if (!File.Exists(path)) throw new FileNotFoundException($"Initial weights '{path}' do not exist.", path);
            return $"{Path.GetFileName(path)} sha256 {ModelManifest.ComputeSha256(path)}";
        }

        /// <summary>The <c>--aug</c> name of <paramref name="a"/> (paper, flip, none; custom for any other).</summary>
        internal static string AugmentationName(Augmentation a) =>
            a == Augmentation.Paper ? "paper" : a == Augmentation.FlipOnly ? "flip" : a == Augmentation.None ? "none" : "custom";

        /// <summary>The provenance JSON written into the exported model's metadata.</summary>
        public static string Provenance(PoseTrainingSpec spec, TrainResult result, int samples, string? gitCommit, string? initialWeights = null)
        {
            var o = new System.Text.Json.Nodes.JsonObject
            {
                ["trainer"] = "posert-train " + typeof(PoseTraining).Assembly.GetName().Version,
                ["model"] = Describe(spec.Model),
                ["dataset"] = Path.GetFileName(spec.TrainAnnotations),
                ["persons"] = samples,
                ["epochs"] = result.EpochsDone,
                ["best_epoch"] = result.BestEpoch,
                ["steps"] = result.Steps,
                ["seed"] = spec.Train.Seed,
                ["batch"] = spec.Train.BatchSize,
                ["lr"] = spec.Train.LearningRate,
                ["lr_steps"] = string.Join(",", spec.Train.LrMilestones),
                ["augmentation"] = AugmentationName(spec.Augmentation),
                ["val_dataset"] = spec.ValAnnotations == null ? null : Path.GetFileName(spec.ValAnnotations),
                ["val_boxes"] = spec.ValAnnotations == null ? null : spec.ValDetections == null ? "ground truth" : Path.GetFileName(spec.ValDetections),
                ["AP"] = double.IsNaN(result.BestScore) ? null : Math.Round(result.BestScore, 4),
                ["git_commit"] = gitCommit,
            };
            if (initialWeights != null) o["init"] = initialWeights;
            return o.ToJsonString();
        }

        // The commit of the source tree the trainer runs from, when it runs inside a git checkout (no git process needed).
        private static string? GitCommit()
        {
            try
            {
                for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
                {
                    string git = Path.Combine(dir.FullName, ".git");
                    if (File.Exists(git))
                    {
                        // a worktree: ".git" is a file "gitdir: <path>"
                        string line = File.ReadAllText(git).Trim();
                        if (!line.StartsWith("gitdir:", StringComparison.Ordinal)) return null;
                        git = line.Substring(7).Trim();
                    }
                    if (!Directory.Exists(git)) continue;
                    string head = File.ReadAllText(Path.Combine(git, "HEAD")).Trim();
                    if (!head.StartsWith("ref:", StringComparison.Ordinal)) return head;
                    string refName = head.Substring(4).Trim();
                    string refFile = Path.Combine(git, refName);
                    if (File.Exists(refFile)) return File.ReadAllText(refFile).Trim();
                    // worktrees keep branch refs in the common dir
                    string common = Path.Combine(git, "commondir");
                    if (File.Exists(common))
                    {
                        string c = Path.GetFullPath(Path.Combine(git, File.ReadAllText(common).Trim()));
                        string f = Path.Combine(c, refName);
                        if (File.Exists(f)) return File.ReadAllText(f).Trim();
                        string packed = Path.Combine(c, "packed-refs");
                        if (File.Exists(packed))
                            foreach (var l in File.ReadAllLines(packed))
                                if (l.EndsWith(" " + refName, StringComparison.Ordinal)) return l.Substring(0, 40);
                    }
                    return null;
                }
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
            return null;
        }

        /// <summary>
        /// Model text stored in checkpoints (resume refuses a checkpoint of another model), e.g.
        /// <c>mobilenetv2_x0.5 relu+dyrelu_c 128x96 k17</c>; DY-ReLU settings other than the paper's defaults are
        /// appended (<c>dyrelu(K=3 ...)</c>), so K or the intercepts cannot change unnoticed either.
        /// </summary>
        public static string Describe(PoseNetOptions o)
        {
            string text = $"{o.ArchitectureName} {o.ActivationName} {o.InputHeight}x{o.InputWidth} k{o.Keypoints}";
            bool dynamic = ModelNames.IsDynamic(o.BackboneActivation) || ModelNames.IsDynamic(o.EffectiveHeadActivation);
            string dy = o.DyRelu.Describe();
            return dynamic && dy != new DyReluOptions().Describe() ? text + " dyrelu(" + dy + ")" : text;
        }
    }
}
