using System;
using OpenCvSharp;
using PoseRT.Runtime;

namespace PoseRT.Vision
{
    /// <summary>Draws poses and a status panel onto BGR frames.</summary>
    public static class PoseOverlay
    {
        private static readonly Scalar[] TrackColors =
        {
            new Scalar(255, 128, 0), new Scalar(0, 200, 255), new Scalar(255, 0, 255), new Scalar(0, 255, 128),
            new Scalar(128, 128, 255), new Scalar(255, 255, 0), new Scalar(0, 128, 255), new Scalar(200, 200, 200),
        };

        /// <summary>Colour by confidence: red at <paramref name="minScore"/>, through yellow, to green at 1.</summary>
        public static Scalar ScoreColor(float score, float minScore)
        {
            double t = Math.Clamp((score - minScore) / Math.Max(1e-6, 1 - minScore), 0, 1);
            // BGR: red (0,0,255) -> yellow (0,255,255) -> green (0,255,0).
            return t < 0.5 ? new Scalar(0, 510 * t, 255) : new Scalar(0, 255, 255 - 510 * (t - 0.5));
        }

        /// <summary>A distinct colour per track id.</summary>
        public static Scalar TrackColor(int trackId) => TrackColors[(int)((uint)trackId % (uint)TrackColors.Length)];

        /// <summary>
        /// Draws one pose: its box and track id in the track's colour, limbs and keypoints coloured by
        /// score. Keypoints below <paramref name="minScore"/> (and limbs touching them) are hidden. The limbs are
        /// <paramref name="keypoints"/>' skeleton: the model's own (<c>PoseEstimator.ModelInfo.Keypoints</c>).
        /// </summary>
        public static void DrawPose(Mat image, in Pose pose, int trackId, float minScore, KeypointSchema keypoints)
        {
            if (image == null) throw new ArgumentNullException(nameof(image));
            if (keypoints == null) throw new ArgumentNullException(nameof(keypoints));
            Scalar color = TrackColor(trackId);
            var box = new Rect((int)pose.Box.X, (int)pose.Box.Y, (int)pose.Box.Width, (int)pose.Box.Height);
            Cv2.Rectangle(image, box, color, 2);
            string label = trackId >= 0 ? $"#{trackId} {pose.Score:F2}" : $"{pose.Score:F2}";
            Cv2.PutText(image, label, new Point(box.X, Math.Max(12, box.Y - 6)), HersheyFonts.HersheySimplex, 0.6, color, 2);
            var limbs = keypoints.Skeleton;
            for (int l = 0; l < limbs.Count; l++)
            {
                var (a, b) = limbs[l];
                if (a >= pose.KeypointCount || b >= pose.KeypointCount) continue;
                Keypoint ka = pose[a], kb = pose[b];
                if (ka.Score < minScore || kb.Score < minScore) continue;
                Cv2.Line(image, new Point(ka.X, ka.Y), new Point(kb.X, kb.Y), ScoreColor(Math.Min(ka.Score, kb.Score), minScore), 2, LineTypes.AntiAlias);
            }
            for (int k = 0; k < pose.KeypointCount; k++)
            {
                Keypoint kp = pose[k];
                if (kp.Score < minScore) continue;
                Cv2.Circle(image, new Point(kp.X, kp.Y), 4, ScoreColor(kp.Score, minScore), -1, LineTypes.AntiAlias);
            }
        }

        /// <summary>Draws text lines on a dark panel in the top-left corner.</summary>
        public static void DrawPanel(Mat image, ReadOnlySpan<string> lines)
        {
            if (image == null) throw new ArgumentNullException(nameof(image));
            const int lineHeight = 20;
            int width = 0;
            for (int i = 0; i < lines.Length; i++)
                width = Math.Max(width, Cv2.GetTextSize(lines[i], HersheyFonts.HersheySimplex, 0.5, 1, out _).Width);
            var panel = new Rect(0, 0, Math.Min(image.Width, width + 16), Math.Min(image.Height, lines.Length * lineHeight + 10));
            using (var roi = new Mat(image, panel))
            {
                roi.ConvertTo(roi, -1, 0.35, 0);
            }
            for (int i = 0; i < lines.Length; i++)
                Cv2.PutText(image, lines[i], new Point(8, 20 + i * lineHeight), HersheyFonts.HersheySimplex, 0.5, Scalar.White, 1, LineTypes.AntiAlias);
        }
    }
}
