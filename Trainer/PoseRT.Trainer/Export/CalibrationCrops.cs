using System;
using System.Collections.Generic;
using PoseRT.Runtime;
using PoseRT.Runtime.Geometry;
using PoseRT.Runtime.Model;
using PoseRT.Synthetic;

namespace PoseRT.Trainer.Export
{
    /// <summary>
    /// Person crops for int8 calibration, generated in memory from synthetic people (<see cref="SyntheticPeople"/>) and
    /// sampled exactly as the Runtime feeds its network: the person box through <see cref="CropTransform.FromBox"/>
    /// (padding 1.25) and the Runtime's <see cref="CropSampler"/> (bilinear warp, the model's channel order, mean and std).
    /// Every other crop is mirrored, as the flip test runs mirrored crops through the same network.
    /// </summary>
    internal static class CalibrationCrops
    {
        /// <summary>
        /// The default generator seed. The shipped models were trained on <c>posert synth --seed 1</c> and validated on
        /// <c>--seed 1001</c>; calibration uses neither, so the held-out validation set stays unseen by the quantiser.
        /// </summary>
        public const long DefaultSeed = 5001;

        /// <summary>Difficulty of the generated scenes: the shipped models' training and validation sets' 0.4.</summary>
        public const double Difficulty = 0.4;

        /// <summary>
        /// <paramref name="count"/> crops (3 x H x W floats each, for <paramref name="info"/>'s input) of the people in
        /// synthetic images of seed <paramref name="seed"/>, one person after another, image by image.
        /// </summary>
        public static List<float[]> Generate(PoseModelInfo info, int count, long seed = DefaultSeed)
        {
            ArgumentNullException.ThrowIfNull(info);
            if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), count, "Calibration needs at least one crop.");
            var sampler = new CropSampler(info);
            var options = new SyntheticOptions { Images = 1, Seed = seed, Difficulty = Difficulty, MaxDegreeOfParallelism = 1 };
            var crops = new List<float[]>(count);
            // Each image holds 1-4 people; an image with no usable box still advances the index, so this ends.
            for (int image = 0; crops.Count < count; image++)
            {
                if (image > 16 * count) throw new InvalidOperationException($"Synthetic images of seed {seed} gave only {crops.Count} person crops in {image} images.");
                var picture = SyntheticPeople.RenderImage(options, image);
                var view = new ImageView(picture.Bgr.Span, picture.Width, picture.Height, 3 * picture.Width, PixelFormat.Bgr24);
                foreach (var person in picture.People)
                {
                    if (crops.Count == count) break;
                    if (person.NumKeypoints == 0 || !(person.Box.Width > 1 && person.Box.Height > 1)) continue;
                    var crop = CropTransform.FromBox(person.Box, info.InputWidth, info.InputHeight, flipHorizontal: crops.Count % 2 == 1);
                    var data = new float[sampler.CropLength];
                    sampler.Sample(view, crop, data);
                    crops.Add(data);
                }
            }
            return crops;
        }
    }
}
