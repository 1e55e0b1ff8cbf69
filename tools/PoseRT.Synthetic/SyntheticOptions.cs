using System;

namespace PoseRT.Synthetic
{
    /// <summary>Settings of a synthetic still-image data set. Every image depends only on these and its index.</summary>
    public sealed class SyntheticOptions
    {
        /// <summary>Number of images (at least 1).</summary>
        public int Images { get; set; } = 100;

        /// <summary>Image width in pixels (32 to 4096).</summary>
        public int Width { get; set; } = 384;

        /// <summary>Image height in pixels (32 to 4096).</summary>
        public int Height { get; set; } = 288;

        /// <summary>Seed: the same seed and options give byte-identical images and annotations.</summary>
        public long Seed { get; set; } = 1;

        /// <summary>Fewest people per image (at least 1).</summary>
        public int PeopleMin { get; set; } = 1;

        /// <summary>Most people per image (at most 16).</summary>
        public int PeopleMax { get; set; } = 4;

        /// <summary>
        /// 0 (upright, mostly frontal, big, clean) to 1 (any orientation and pose, small, rotated,
        /// overlapping, cluttered, blurred and noisy). Default 0.5.
        /// </summary>
        public double Difficulty { get; set; } = 0.5;

        /// <summary>Whether some people may stand partly outside the frame (their keypoints there get v = 0).</summary>
        public bool AllowPartiallyOutside { get; set; } = true;

        /// <summary>
        /// Photographic features beyond the first generator's mannequins. Default <see cref="SyntheticFeatures.None"/> (the
        /// first generator's images): all of them together did not raise coco-mini AP in the short-recipe measurement of
        /// docs/synthetic.md, so they stay opt-in until one does.
        /// </summary>
        public SyntheticFeatures Features { get; set; } = SyntheticFeatures.None;

        /// <summary>Images rendered at once; the output does not depend on it.</summary>
        public int MaxDegreeOfParallelism { get; set; } = Environment.ProcessorCount;

        /// <summary>Annotation file name, written under <c>annotations/</c> of the output folder.</summary>
        public string AnnotationFileName { get; set; } = "person_keypoints_synthetic.json";

        /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
        public void Validate()
        {
            if (Images < 1) throw new ArgumentException($"Images must be at least 1 (got {Images}).", nameof(Images));
            CheckSize(Width, nameof(Width));
            CheckSize(Height, nameof(Height));
            if (PeopleMin < 1) throw new ArgumentException($"PeopleMin must be at least 1 (got {PeopleMin}).", nameof(PeopleMin));
            if (PeopleMax > MaxPeople) throw new ArgumentException($"PeopleMax must be at most {MaxPeople} (got {PeopleMax}).", nameof(PeopleMax));
            if (PeopleMax < PeopleMin) throw new ArgumentException($"PeopleMax ({PeopleMax}) must not be below PeopleMin ({PeopleMin}).", nameof(PeopleMax));
            CheckDifficulty(Difficulty);
            if ((Features & ~SyntheticFeatures.All) != 0) throw new ArgumentException($"Features has unknown flags ({(int)Features}); use the SyntheticFeatures values.", nameof(Features));
            if (MaxDegreeOfParallelism < 1) throw new ArgumentException($"MaxDegreeOfParallelism must be at least 1 (got {MaxDegreeOfParallelism}).", nameof(MaxDegreeOfParallelism));
            if (string.IsNullOrWhiteSpace(AnnotationFileName) || AnnotationFileName.IndexOfAny(System.IO.Path.GetInvalidFileNameChars()) >= 0)
                throw new ArgumentException($"AnnotationFileName '{AnnotationFileName}' is not a valid file name.", nameof(AnnotationFileName));
        }

        /// <summary>Most people in one image (people are drawn in slots of the label map).</summary>
        public const int MaxPeople = 16;

        internal static void CheckSize(int value, string name)
        {
            if (value < 32 || value > 4096) throw new ArgumentException($"{name} must be between 32 and 4096 pixels (got {value}).", name);
        }

        internal static void CheckDifficulty(double d)
        {
            if (!(d >= 0 && d <= 1)) throw new ArgumentException($"Difficulty must be between 0 and 1 (got {d}).", nameof(Difficulty));
        }
    }

    /// <summary>Settings of a synthetic video clip of people walking or waving.</summary>
    public sealed class SyntheticClipOptions
    {
        /// <summary>Frame width in pixels (32 to 4096; even sizes suit video codecs best).</summary>
        public int Width { get; set; } = 640;

        /// <summary>Frame height in pixels (32 to 4096).</summary>
        public int Height { get; set; } = 360;

        /// <summary>Number of frames (at least 1).</summary>
        public int Frames { get; set; } = 75;

        /// <summary>Frames per second of the video and of the motion.</summary>
        public double Fps { get; set; } = 25;

        /// <summary>Number of people (1 to 16), each with a fixed id and appearance for the whole clip.</summary>
        public int People { get; set; } = 3;

        /// <summary>Seed: the same seed and options give the same frames and an identical ground-truth file.</summary>
        public long Seed { get; set; } = 1;

        /// <summary>0 (plain background, mild noise) to 1 (cluttered background). Default 0.3.</summary>
        public double Difficulty { get; set; } = 0.3;

        /// <summary>Base file name: writes <c>NAME.mp4</c> and <c>NAME.json</c>.</summary>
        public string Name { get; set; } = "synthetic-clip";

        /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
        public void Validate()
        {
            SyntheticOptions.CheckSize(Width, nameof(Width));
            SyntheticOptions.CheckSize(Height, nameof(Height));
            // The MPEG-4 encoder rounds odd sizes down to even ones: the clip and its ground truth would disagree.
            if (Width % 2 != 0 || Height % 2 != 0)
                throw new ArgumentException($"A clip's width and height must be even (the video encoder needs it); got {Width}x{Height}.", Width % 2 != 0 ? nameof(Width) : nameof(Height));
            if (Frames < 1) throw new ArgumentException($"Frames must be at least 1 (got {Frames}).", nameof(Frames));
            if (!(Fps > 0 && Fps <= 240)) throw new ArgumentException($"Fps must be in (0, 240] (got {Fps}).", nameof(Fps));
            if (People < 1 || People > SyntheticOptions.MaxPeople) throw new ArgumentException($"People must be between 1 and {SyntheticOptions.MaxPeople} (got {People}).", nameof(People));
            SyntheticOptions.CheckDifficulty(Difficulty);
            if (string.IsNullOrWhiteSpace(Name) || Name.IndexOfAny(System.IO.Path.GetInvalidFileNameChars()) >= 0)
                throw new ArgumentException($"Name '{Name}' is not a valid file name.", nameof(Name));
        }
    }
}
