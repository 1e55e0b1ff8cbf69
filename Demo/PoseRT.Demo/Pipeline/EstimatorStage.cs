using System;
using System.IO;
using PoseRT.Cli;
using PoseRT.Runtime;

namespace PoseRT.Demo.Pipeline
{
    /// <summary>PoseRT.Runtime's <see cref="PoseEstimator"/> (ONNX Runtime) as the pipeline's pose stage.</summary>
    internal sealed class EstimatorStage : IPoseStage
    {
        private readonly PoseEstimator _estimator;

        private EstimatorStage(PoseEstimator estimator, string model)
        {
            _estimator = estimator;
            Description = $"{Path.GetFileName(model)} on {estimator.ProviderReport}";
        }

        public string Description { get; }

        public KeypointSchema Keypoints => _estimator.ModelInfo.Keypoints;

        /// <summary>The estimator's own split of the pose stage, for the last frame.</summary>
        public StageTimings LastTimings => _estimator.LastTimings;

        /// <summary>Opens the model named by the options (or the default model) with the requested device.</summary>
        public static IPoseStage Open(DemoRunOptions options)
        {
            string? model = options.Model ?? DemoPaths.DefaultModel();
            if (model == null)
                throw new FileNotFoundException($"No model given and no {DemoPaths.ManifestRelative} found (from the current folder or the program's, upward): pass --model path/to/model.onnx.");
            if (!File.Exists(model))
                throw new FileNotFoundException($"Model '{model}' does not exist.", model);
            var device = DeviceChoice.Parse(options.Device, DeviceChoice.AllKinds);
            var estimatorOptions = new PoseEstimatorOptions
            {
                Provider = device.Provider,
                DeviceId = device.Index,
                // One run for every tracked person keeps a frame to a single inference call.
                MaxBoxesPerRun = Math.Max(1, options.Single ? 1 : options.MaxPeople),
            };
            return new EstimatorStage(PoseEstimator.Load(model, estimatorOptions), model);
        }

        public void Estimate(in ImageView image, ReadOnlySpan<BoundingBox> boxes, ReadOnlySpan<float> boxScores, Span<Pose> results) =>
            _estimator.Estimate(image, boxes, boxScores, results);

        public void Dispose()
        {
            _estimator.Dispose();
        }
    }
}
