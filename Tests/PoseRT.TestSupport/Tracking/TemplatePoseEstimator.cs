using System;
using PoseRT.Runtime;
using PoseRT.Runtime.Tracking;

namespace PoseRT.Tests
{
    /// <summary>
    /// Stands in for the ONNX estimator where a test is about the plumbing around it (tracking,
    /// streaming, serving, faults), not about keypoint accuracy: puts the 17 keypoints at fixed
    /// places inside each box, with known scores. Its keypoints span 1/1.3 of the box, so the
    /// tracker's next box (keypoint extent grown by 1.3) equals the current one.
    /// </summary>
    internal class TemplatePoseEstimator : IBoxPoseEstimator
    {
        // (x, y) fractions of the box for nose .. right ankle, spanning 0.115 .. 0.885.
        private static readonly float[] Template =
        {
            0.50f, 0.115f, 0.45f, 0.13f, 0.55f, 0.13f, 0.40f, 0.15f, 0.60f, 0.15f,
            0.30f, 0.30f, 0.70f, 0.30f, 0.20f, 0.45f, 0.80f, 0.45f, 0.115f, 0.60f, 0.885f, 0.60f,
            0.38f, 0.58f, 0.62f, 0.58f, 0.37f, 0.73f, 0.63f, 0.73f, 0.36f, 0.885f, 0.64f, 0.885f,
        };

        /// <summary>How many times <see cref="Estimate"/> ran.</summary>
        public int Calls { get; private set; }

        /// <summary>The score the template gives keypoint <paramref name="k"/>.</summary>
        public static float KeypointScore(int k) => 0.5f + 0.025f * k;

        /// <inheritdoc/>
        public void Estimate(in ImageView image, ReadOnlySpan<BoundingBox> boxes, ReadOnlySpan<float> boxScores, Span<Pose> results)
        {
            Calls++;
            for (int i = 0; i < boxes.Length; i++)
            {
                BoundingBox b = boxes[i];
                var pose = new Pose { Box = b, BoxScore = boxScores[i], KeypointCount = CocoKeypoints.Count };
                float sum = 0;
                for (int k = 0; k < CocoKeypoints.Count; k++)
                {
                    pose[k] = new Keypoint(b.X + Template[2 * k] * b.Width, b.Y + Template[2 * k + 1] * b.Height, KeypointScore(k));
                    sum += KeypointScore(k);
                }
                pose.Score = boxScores[i] * sum / CocoKeypoints.Count;
                results[i] = pose;
            }
        }
    }
}
