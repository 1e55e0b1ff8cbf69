using System;
using OpenCvSharp;
using PoseRT.Runtime;
using PoseRT.Vision;

namespace PoseRT.Demo.Pipeline
{
    /// <summary>The pose estimator as one stage of the pipeline: poses for given person boxes in a BGR frame.</summary>
    internal interface IPoseStage : IDisposable
    {
        /// <summary>Short description for the overlay and logs (model file, execution provider).</summary>
        string Description { get; }

        /// <summary>The keypoints the poses hold (the model's schema: its skeleton is what the overlay draws).</summary>
        KeypointSchema Keypoints { get; }

        /// <summary>Writes one pose per box into <paramref name="results"/> (same order).</summary>
        void Estimate(Mat bgr, ReadOnlySpan<BoundingBox> boxes, ReadOnlySpan<float> boxScores, Span<Pose> results);
    }

    /// <summary>Finds people in a frame (first frame, lost tracks, periodic re-detection).</summary>
    internal interface IMatPersonDetector : IDisposable
    {
        /// <summary>Writes up to <c>boxes.Length</c> person boxes and scores, best first; returns the count.</summary>
        int Detect(Mat bgr, Span<BoundingBox> boxes, Span<float> scores);
    }

    /// <summary>OpenCV's HOG people detector as the pipeline's detector.</summary>
    internal sealed class HogDetectorStage : IMatPersonDetector
    {
        private readonly HogPersonDetector _hog;

        public HogDetectorStage(int maxWidth) => _hog = new HogPersonDetector(maxWidth);

        public int Detect(Mat bgr, Span<BoundingBox> boxes, Span<float> scores) => _hog.Detect(bgr, boxes, scores);

        public void Dispose() => _hog.Dispose();
    }
}
