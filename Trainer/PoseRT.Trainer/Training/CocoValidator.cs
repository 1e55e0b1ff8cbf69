using System;
using System.Collections.Generic;
using Google.Protobuf;
using PoseRT.Coco;
using PoseRT.Runtime;
using PoseRT.Runtime.Geometry;
using PoseRT.Runtime.Model;
using PoseRT.Trainer.Export;
using PoseRT.Trainer.Models;

namespace PoseRT.Trainer.Training
{
    /// <summary>
    /// Validation the way a user will run the model: the network is exported to ONNX (in memory), run by the
    /// Runtime's <see cref="PoseEstimator"/> (crop sampler, flip test, codec decode, rescoring) on ground-truth
    /// boxes or a detection file, OKS-NMS per image, and scored by the COCO evaluator. Score = AP.
    /// The loop is <see cref="TopDownRunner"/>, the one <c>posert run</c> uses, with its error policy: a missing
    /// image fails here, before training starts, and an image that cannot be decoded fails the validation,
    /// naming the file, instead of lowering the AP unnoticed.
    /// </summary>
    public sealed class CocoValidator
    {
        private readonly TopDownRunner _runner;
        private readonly CocoKeypointEvaluator _evaluator;

        /// <summary>
        /// Prepares validation on <paramref name="annotations"/> with images under <paramref name="imageDir"/>;
        /// <paramref name="detections"/> null = ground-truth boxes. Throws, naming the file, for a missing image or
        /// a detection of an image the annotation file does not have (see <see cref="TopDownRunner"/>).
        /// </summary>
        public CocoValidator(string annotations, string imageDir, string? detections)
        {
            var gt = CocoKeypointFile.Load(annotations);
            _runner = new TopDownRunner(gt, imageDir, detections);
            _evaluator = new CocoKeypointEvaluator(gt);
            Source = annotations;
        }

        /// <summary>The annotation file validated on.</summary>
        public string Source { get; }

        /// <summary>True when detector boxes are used instead of ground-truth boxes.</summary>
        public bool UsesDetections => _runner.UsesDetections;

        /// <summary>Person boxes that will be run.</summary>
        public int BoxCount => _runner.BoxCount;

        /// <summary>
        /// Runs <paramref name="estimator"/> on every box and evaluates (pycocotools-equivalent stats).
        /// <paramref name="boxPadding"/> must be the estimator's <see cref="PoseEstimatorOptions.BoxPadding"/>.
        /// </summary>
        public CocoEvaluation Evaluate(PoseEstimator estimator, float boxPadding = CropTransform.DefaultPadding)
        {
            var results = new List<CocoKeypointResult>();
            _runner.Run(estimator, boxPadding, results);
            return _evaluator.Evaluate(results, "validation");
        }

        /// <summary>Exports <paramref name="model"/> to ONNX in memory, loads it in the Runtime on the CPU and evaluates.</summary>
        public ValidationResult Validate(PoseNet model, int cpuThreads = 0)
        {
            var info = OnnxExporter.Describe(model);
            byte[] onnx = OnnxExporter.Build(model, info).ToByteArray();
            var options = new PoseEstimatorOptions { Provider = ExecutionProvider.Cpu, CpuThreads = cpuThreads };
            using var estimator = PoseEstimator.Load(onnx, options, "validation export");
            var stats = Evaluate(estimator, options.BoxPadding).Stats;
            var values = stats.ToArray();
            var metrics = new Dictionary<string, double>(StringComparer.Ordinal);
            for (int i = 0; i < values.Length; i++) metrics[CocoKeypointStats.Names[i]] = values[i];
            return new ValidationResult(stats.AP, metrics);
        }
    }
}
