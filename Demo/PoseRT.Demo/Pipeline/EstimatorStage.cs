using System;
using System.IO;
using OpenCvSharp;
using PoseRT.Runtime;

namespace PoseRT.Demo.Pipeline
{
    /// <summary>The ONNX pose estimator (PoseRT.Runtime) as the pipeline's pose stage.</summary>
    internal sealed class EstimatorStage : IPoseStage
    {
        private EstimatorStage(string description) => Description = description;

        public string Description { get; }

        /// <summary>Opens the model named by the options (or the default model) with the requested device.</summary>
        public static IPoseStage Open(DemoRunOptions options)
        {
            string? model = options.Model ?? DemoPaths.DefaultModel();
            if (model == null)
                throw new FileNotFoundException("No model given and none found in Models/: pass --model path/to/model.onnx.");
            if (!File.Exists(model))
                throw new FileNotFoundException($"Model '{model}' does not exist.", model);
            throw new InvalidOperationException("This build of the demo has no pose estimator yet (PoseRT.Runtime's PoseEstimator is being merged).");
        }

        public int Estimate(Mat bgr, ReadOnlySpan<BoundingBox> boxes, ReadOnlySpan<float> boxScores, Span<Pose> results) => 0;

        public void Dispose()
        {
        }
    }
}
