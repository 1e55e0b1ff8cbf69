using System;
using PoseRT.Runtime.Model;

namespace PoseRT.Runtime
{
    /// <summary>Wall time of the last <see cref="PoseEstimator.Estimate(in ImageView, ReadOnlySpan{BoundingBox}, ReadOnlySpan{float}, Span{Pose})"/> call, per stage.</summary>
    public readonly struct StageTimings
    {
        /// <summary>Creates a timing record.</summary>
        public StageTimings(TimeSpan preprocess, TimeSpan inference, TimeSpan decode)
        {
            Preprocess = preprocess;
            Inference = inference;
            Decode = decode;
        }

        /// <summary>Crop, normalise, write the input tensor.</summary>
        public TimeSpan Preprocess { get; }

        /// <summary>ONNX Runtime run(s), including host/device copies.</summary>
        public TimeSpan Inference { get; }

        /// <summary>Flip merge, peak finding, back-projection, scoring.</summary>
        public TimeSpan Decode { get; }
    }
}
