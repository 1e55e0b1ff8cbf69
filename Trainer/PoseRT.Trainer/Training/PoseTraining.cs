using System;
using System.IO;
using PoseRT.Runtime;
using PoseRT.Trainer.Data;
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
    }

    /// <summary>The result of <see cref="PoseTraining.Run"/>.</summary>
    public sealed record PoseTrainingResult(TrainResult Training, string? OnnxPath, int Samples, string DataWarnings);

    /// <summary>
    /// The whole recipe behind <c>posert-train train</c>: build the model under the seed, index the COCO set,
    /// train with <see cref="TrainingSession"/> and return the run's files.
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
            var info = DataInfo(spec.Model);
            var warnings = new DataWarnings();
            if (observer != null) warnings.OnWarning = m => observer.OnMessage("data warning: " + m);
            var data = new CocoPoseDataset(spec.TrainAnnotations, spec.TrainImages, info, spec.Augmentation, warnings);
            if (data.Count == 0)
                throw new InvalidOperationException($"'{spec.TrainAnnotations}' has no usable person (num_keypoints > 0, not crowd, image present): {warnings.Summary()}.");
            observer?.OnMessage($"{data.Count} persons from {spec.TrainAnnotations}; data warnings: {warnings.Summary()}");

            torch.manual_seed(spec.Train.Seed);
            using var model = PoseNet.Create(spec.Model);
            var result = TrainingSession.Run(model, data, spec.Train, Describe(spec.Model), null, observer, warnings);
            return new PoseTrainingResult(result, null, data.Count, warnings.Summary());
        }

        /// <summary>Model text stored in checkpoints (resume refuses a checkpoint of another model).</summary>
        public static string Describe(PoseNetOptions o) =>
            $"{o.ArchitectureName} {o.ActivationName} {o.InputHeight}x{o.InputWidth} k{o.Keypoints}";

        /// <summary>The input/heatmap contract the data pipeline encodes for a model.</summary>
        public static Runtime.Model.PoseModelInfo DataInfo(PoseNetOptions o)
        {
            var info = Runtime.Model.PoseModelInfo.CocoDefault();
            info.InputHeight = o.InputHeight;
            info.InputWidth = o.InputWidth;
            info.HeatmapStride = PoseNet.HeatmapStride;
            info.Architecture = o.ArchitectureName;
            info.Activation = o.ActivationName;
            if (o.Keypoints != CocoKeypoints.Count)
                throw new ArgumentException($"COCO training needs {CocoKeypoints.Count} keypoints; the model has {o.Keypoints}.");
            return info;
        }
    }
}
