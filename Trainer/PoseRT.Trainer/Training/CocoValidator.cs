using System;
using System.Collections.Generic;
using System.IO;
using Google.Protobuf;
using OpenCvSharp;
using PoseRT.Coco;
using PoseRT.Runtime;
using PoseRT.Runtime.Geometry;
using PoseRT.Runtime.Model;
using PoseRT.Trainer.Data;
using PoseRT.Trainer.Export;
using PoseRT.Trainer.Models;
using PoseRT.Vision;

namespace PoseRT.Trainer.Training
{
    /// <summary>
    /// Validation the way a user will run the model: the network is exported to ONNX (in memory), run by the
    /// Runtime's <see cref="PoseEstimator"/> (crop sampler, flip test, codec decode, rescoring) on ground-truth
    /// boxes or a detection file, OKS-NMS per image, and scored by the COCO evaluator. Score = AP.
    /// </summary>
    public sealed class CocoValidator
    {
        private readonly CocoKeypointFile _gt;
        private readonly CocoKeypointEvaluator _evaluator;
        private readonly List<(CocoImage Image, string Path, BoundingBox[] Boxes, float[] Scores)> _work = new();

        /// <summary>Prepares validation on <paramref name="annotations"/> with images under <paramref name="imageDir"/>; <paramref name="detections"/> null = ground-truth boxes.</summary>
        public CocoValidator(string annotations, string imageDir, string? detections, DataWarnings warnings)
        {
            OpenCvNative.EnsureAvailable();
            _gt = CocoKeypointFile.Load(annotations);
            _evaluator = new CocoKeypointEvaluator(_gt);
            Dictionary<long, List<CocoDetection>>? byImage = null;
            if (detections != null)
            {
                byImage = new Dictionary<long, List<CocoDetection>>();
                foreach (var d in TopDownProtocol.SelectDetections(CocoDetectionFile.Load(detections)))
                {
                    if (!byImage.TryGetValue(d.ImageId, out var list)) byImage[d.ImageId] = list = new List<CocoDetection>();
                    list.Add(d);
                }
            }
            foreach (var image in _gt.Images)
            {
                var boxes = byImage != null
                    ? (byImage.TryGetValue(image.Id, out var l) ? l : new List<CocoDetection>())
                    : TopDownProtocol.GroundTruthBoxes(_gt.AnnotationsOf(image.Id), image.Width, image.Height);
                if (boxes.Count == 0) continue;
                string path = Path.Combine(imageDir, image.FileName);
                if (!File.Exists(path))
                {
                    warnings.Add("missing validation image", $"image {image.Id}: '{path}' does not exist; its persons count as missed.");
                    continue;
                }
                var b = new BoundingBox[boxes.Count];
                var s = new float[boxes.Count];
                for (int i = 0; i < b.Length; i++)
                {
                    b[i] = boxes[i].Bbox.ToBoundingBox();
                    s[i] = (float)boxes[i].Score;
                }
                _work.Add((image, path, b, s));
            }
            Source = annotations;
            UsesDetections = detections != null;
        }

        /// <summary>The annotation file validated on.</summary>
        public string Source { get; }

        /// <summary>True when detector boxes are used instead of ground-truth boxes.</summary>
        public bool UsesDetections { get; }

        /// <summary>Person boxes that will be run.</summary>
        public int BoxCount
        {
            get
            {
                int n = 0;
                foreach (var w in _work) n += w.Boxes.Length;
                return n;
            }
        }

        /// <summary>Runs <paramref name="estimator"/> on every box and evaluates (pycocotools-equivalent stats).</summary>
        public CocoEvaluation Evaluate(PoseEstimator estimator)
        {
            var results = new List<CocoKeypointResult>();
            var info = estimator.ModelInfo;
            foreach (var (image, path, boxes, scores) in _work)
            {
                using var bgr = Cv2.ImRead(path, ImreadModes.Color);
                if (bgr.Empty()) continue; // counted as missed by the evaluator
                var view = bgr.AsImageView();
                var poses = new Pose[boxes.Length];
                estimator.Estimate(view, boxes, scores, poses);
                TopDownProtocol.AddImageResults(image.Id, poses, boxes, info.InputWidth, info.InputHeight, CropTransform.DefaultPadding, results);
            }
            return _evaluator.Evaluate(results, "validation");
        }

        /// <summary>Exports <paramref name="model"/> to ONNX in memory, loads it in the Runtime on the CPU and evaluates.</summary>
        public ValidationResult Validate(PoseNet model, int cpuThreads = 0)
        {
            var info = OnnxExporter.Describe(model);
            byte[] onnx = OnnxExporter.Build(model, info).ToByteArray();
            using var estimator = PoseEstimator.Load(onnx, new PoseEstimatorOptions { Provider = ExecutionProvider.Cpu, CpuThreads = cpuThreads }, "validation export");
            var stats = Evaluate(estimator).Stats;
            var values = stats.ToArray();
            var metrics = new Dictionary<string, double>(StringComparer.Ordinal);
            for (int i = 0; i < values.Length; i++) metrics[CocoKeypointStats.Names[i]] = values[i];
            return new ValidationResult(stats.AP, metrics);
        }
    }
}
