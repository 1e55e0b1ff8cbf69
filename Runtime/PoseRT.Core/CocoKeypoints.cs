namespace PoseRT
{
    /// <summary>
    /// The 17 COCO person keypoints: their indices by name and their <see cref="Schema"/> (names, flip pairs,
    /// skeleton, body parts, OKS sigmas), the one definition training, export, inference and evaluation read.
    /// </summary>
    public static class CocoKeypoints
    {
        /// <summary>Number of keypoints.</summary>
        public const int Count = 17;

#pragma warning disable CS1591 // The constants are the keypoint names; a summary each would repeat them.
        public const int Nose = 0, LeftEye = 1, RightEye = 2, LeftEar = 3, RightEar = 4,
            LeftShoulder = 5, RightShoulder = 6, LeftElbow = 7, RightElbow = 8, LeftWrist = 9, RightWrist = 10,
            LeftHip = 11, RightHip = 12, LeftKnee = 13, RightKnee = 14, LeftAnkle = 15, RightAnkle = 16;
#pragma warning restore CS1591

        /// <summary>COCO's keypoint definition (the skeleton of the annotation files, made 0-based).</summary>
        public static KeypointSchema Schema { get; } = new KeypointSchema(
            new[]
            {
                "nose", "left_eye", "right_eye", "left_ear", "right_ear",
                "left_shoulder", "right_shoulder", "left_elbow", "right_elbow",
                "left_wrist", "right_wrist", "left_hip", "right_hip",
                "left_knee", "right_knee", "left_ankle", "right_ankle",
            },
            new[]
            {
                (LeftEye, RightEye), (LeftEar, RightEar), (LeftShoulder, RightShoulder), (LeftElbow, RightElbow),
                (LeftWrist, RightWrist), (LeftHip, RightHip), (LeftKnee, RightKnee), (LeftAnkle, RightAnkle),
            },
            new[]
            {
                (LeftAnkle, LeftKnee), (LeftKnee, LeftHip), (RightAnkle, RightKnee), (RightKnee, RightHip),
                (LeftHip, RightHip), (LeftShoulder, LeftHip), (RightShoulder, RightHip), (LeftShoulder, RightShoulder),
                (LeftShoulder, LeftElbow), (RightShoulder, RightElbow), (LeftElbow, LeftWrist), (RightElbow, RightWrist),
                (LeftEye, RightEye), (Nose, LeftEye), (Nose, RightEye), (LeftEye, LeftEar), (RightEye, RightEar),
                (LeftEar, LeftShoulder), (RightEar, RightShoulder),
            },
            new[]
            {
                BodyPart.Upper, BodyPart.Upper, BodyPart.Upper, BodyPart.Upper, BodyPart.Upper,
                BodyPart.Upper, BodyPart.Upper, BodyPart.Upper, BodyPart.Upper, BodyPart.Upper, BodyPart.Upper,
                BodyPart.Lower, BodyPart.Lower, BodyPart.Lower, BodyPart.Lower, BodyPart.Lower, BodyPart.Lower,
            },
            // pycocotools' per-keypoint OKS constants (already divided by 10).
            new[] { .026, .025, .025, .035, .035, .079, .079, .072, .072, .062, .062, .107, .107, .087, .087, .089, .089 });
    }
}
