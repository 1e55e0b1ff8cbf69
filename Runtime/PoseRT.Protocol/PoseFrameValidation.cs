using System;

namespace PoseRT.Protocol
{
    /// <summary>
    /// Checks the values of a decoded <see cref="PoseFrame"/>: a message can be well-formed MessagePack and
    /// still carry numbers no sender of the protocol writes (a negative frame number, a 945x10524 image, a NaN
    /// keypoint). <see cref="PoseFrameReceiver"/> rejects and counts such frames instead of handing them on.
    /// </summary>
    public static class PoseFrameValidation
    {
        /// <summary>Largest image side accepted, in pixels (8K video is 7680x4320).</summary>
        public const int MaxImageSide = 8192;

        /// <summary>
        /// Largest absolute coordinate accepted, in pixels. Keypoints may lie a little outside the image
        /// (a predicted wrist beyond the border), so this is a multiple of <see cref="MaxImageSide"/>, not the image size.
        /// </summary>
        public const float MaxAbsCoordinate = 4f * MaxImageSide;

        /// <summary>
        /// Returns null when every value of <paramref name="frame"/> is plausible, else the first problem found,
        /// naming the field and the value (invariant culture).
        /// </summary>
        public static string? Check(PoseFrame frame)
        {
            if (frame == null) throw new ArgumentNullException(nameof(frame));
            if (frame.FrameNumber < 0) return FormattableString.Invariant($"PoseFrame frame number {frame.FrameNumber} is negative.");
            if (frame.TimestampMicroseconds < 0) return FormattableString.Invariant($"PoseFrame {frame.FrameNumber}: timestamp {frame.TimestampMicroseconds} us is negative.");
            if (frame.ImageWidth < 1 || frame.ImageWidth > MaxImageSide || frame.ImageHeight < 1 || frame.ImageHeight > MaxImageSide)
                return FormattableString.Invariant($"PoseFrame {frame.FrameNumber}: image size {frame.ImageWidth}x{frame.ImageHeight} is outside 1 to {MaxImageSide} pixels per side.");
            for (int i = 0; i < frame.Poses.Length; i++)
            {
                Pose pose = frame.Poses[i].Pose;
                string where = FormattableString.Invariant($"PoseFrame {frame.FrameNumber}, pose {i}");
                if (!IsFinite(pose.Score)) return FormattableString.Invariant($"{where}: score {pose.Score} is not finite.");
                if (!IsFinite(pose.BoxScore)) return FormattableString.Invariant($"{where}: box score {pose.BoxScore} is not finite.");
                BoundingBox box = pose.Box;
                if (!IsCoordinate(box.X) || !IsCoordinate(box.Y) || !IsCoordinate(box.Width) || !IsCoordinate(box.Height))
                    return FormattableString.Invariant($"{where}: box ({box.X}, {box.Y}, {box.Width}, {box.Height}) has a non-finite or absurd value.");
                if (box.Width < 0 || box.Height < 0) return FormattableString.Invariant($"{where}: box size {box.Width}x{box.Height} is negative.");
                for (int k = 0; k < pose.KeypointCount; k++)
                {
                    Keypoint p = pose[k];
                    if (!IsCoordinate(p.X) || !IsCoordinate(p.Y) || !IsFinite(p.Score))
                        return FormattableString.Invariant($"{where}, keypoint {k}: ({p.X}, {p.Y}, score {p.Score}) has a non-finite or absurd value.");
                }
            }
            return null;
        }

        private static bool IsFinite(float v) => !float.IsNaN(v) && !float.IsInfinity(v);

        private static bool IsCoordinate(float v) => IsFinite(v) && Math.Abs(v) <= MaxAbsCoordinate;
    }
}
