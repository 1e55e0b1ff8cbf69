using System;
using System.Collections.Generic;

namespace PoseRT.Synthetic
{
    /// <summary>
    /// The photographic features a still image may have beyond the shaded mannequins of the first generator.
    /// Each one draws from its own random stream, so switching one off leaves the other features' random choices as they were,
    /// and <see cref="None"/> gives byte for byte the images of the first generator (docs/synthetic.md measures each).
    /// </summary>
    [Flags]
    public enum SyntheticFeatures
    {
        /// <summary>The first generator: orthographic mannequins, no shadows, bags, body types or camera colour.</summary>
        None = 0,

        /// <summary>A soft shadow on the ground under each upright person, cast away from the image's light.</summary>
        Shadows = 1,

        /// <summary>Perspective foreshortening: parts nearer the camera are drawn bigger (camera 2.5 to 9 statures away).</summary>
        Perspective = 2,

        /// <summary>Backpacks, shoulder bags and hand bags, drawn in depth order, that hide the joints behind them.</summary>
        Accessories = 4,

        /// <summary>Body types beyond the build factor: children's proportions, heavier and slimmer torsos, broad shoulders.</summary>
        Bodies = 8,

        /// <summary>Camera colour and optics: white balance, tone curve, vignetting and motion blur.</summary>
        Camera = 16,

        /// <summary>Every feature.</summary>
        All = Shadows | Perspective | Accessories | Bodies | Camera,
    }

    /// <summary>The command-line spelling of <see cref="SyntheticFeatures"/>: <c>all</c>, <c>none</c> or names joined by commas.</summary>
    public static class SyntheticFeatureNames
    {
        private static readonly (string Name, SyntheticFeatures Flag)[] Names =
        {
            ("shadows", SyntheticFeatures.Shadows), ("perspective", SyntheticFeatures.Perspective),
            ("accessories", SyntheticFeatures.Accessories), ("bodies", SyntheticFeatures.Bodies), ("camera", SyntheticFeatures.Camera),
        };

        /// <summary>The accepted names, for help texts.</summary>
        public const string Help = "all, none, or a comma-separated list of shadows, perspective, accessories, bodies, camera";

        /// <summary>Parses <paramref name="text"/>; throws <see cref="ArgumentException"/> naming the unknown word.</summary>
        public static SyntheticFeatures Parse(string text)
        {
            string t = text.Trim();
            if (t.Equals("all", StringComparison.OrdinalIgnoreCase)) return SyntheticFeatures.All;
            if (t.Equals("none", StringComparison.OrdinalIgnoreCase)) return SyntheticFeatures.None;
            var result = SyntheticFeatures.None;
            foreach (string part in t.Split(','))
            {
                string word = part.Trim();
                SyntheticFeatures? flag = null;
                foreach (var (name, f) in Names)
                {
                    if (word.Equals(name, StringComparison.OrdinalIgnoreCase)) flag = f;
                }
                if (flag is null) throw new ArgumentException($"Synthetic feature '{word}' is not one of: {Help}.", nameof(text));
                result |= flag.Value;
            }
            return result;
        }

        /// <summary>The canonical spelling (<c>all</c>, <c>none</c> or the names in a fixed order), as written to the data set's info.</summary>
        public static string Format(SyntheticFeatures features)
        {
            if (features == SyntheticFeatures.All) return "all";
            if (features == SyntheticFeatures.None) return "none";
            var words = new List<string>(Names.Length);
            foreach (var (name, f) in Names)
            {
                if ((features & f) != 0) words.Add(name);
            }
            return string.Join(",", words);
        }
    }
}
