using System;
using System.Linq;
using System.Security.Cryptography;
using PoseRT.Runtime;
using PoseRT.Synthetic;

namespace PoseRT.Trainer.Tests.Synthetic
{
    public class SyntheticFeaturesTests
    {
        private static SyntheticOptions Options(SyntheticFeatures features) => new()
        {
            Images = 4, Width = 160, Height = 128, Seed = 5, Difficulty = 0.6, PeopleMin = 1, PeopleMax = 4, Features = features,
        };

        /// <summary>
        /// SHA-256 of the BGR pixels of images 0..3 of <see cref="Options"/>, written by the generator before the
        /// photographic features existed (commit 9ed44ae): <see cref="SyntheticFeatures.None"/> must keep giving them, so
        /// the shipped models' training data stays reproducible.
        /// </summary>
        private static readonly string[] FirstGenerator =
        {
            "D88FCF7FBAEE6A2FC67857CC8981163CFA0BB0EA897FA6E5A9675B8409F67448",
            "B05692F75A5D03F18CB5B79277DC8176A97854F61B1186481A8FE4EB77BCD13B",
            "74EF0B7E70A1312BE47F066847D3D1B41CCC5103E73C47C31A70100CF02A4FF5",
            "511098FFCF7B592417EFDFED8BC20ED4FB41E6DEC20C43DC509EAF56A1343ED7",
        };

        private static string Hash(SyntheticImage image) => Convert.ToHexString(SHA256.HashData(image.Bgr.Span));

        [Fact]
        public void None_ReproducesTheFirstGeneratorsPixels()
        {
            var o = Options(SyntheticFeatures.None);
            for (int i = 0; i < FirstGenerator.Length; i++) Assert.Equal(FirstGenerator[i], Hash(SyntheticPeople.RenderImage(o, i)));
        }

        [Theory]
        [InlineData(SyntheticFeatures.Shadows)]
        [InlineData(SyntheticFeatures.Perspective)]
        [InlineData(SyntheticFeatures.Accessories)]
        [InlineData(SyntheticFeatures.Bodies)]
        [InlineData(SyntheticFeatures.Camera)]
        [InlineData(SyntheticFeatures.All)]
        public void EachFeature_ChangesTheImages_AndKeepsTheAnnotationsValid(SyntheticFeatures feature)
        {
            var o = Options(feature);
            int changed = 0;
            for (int i = 0; i < 4; i++)
            {
                var image = SyntheticPeople.RenderImage(o, i);
                if (Hash(image) != FirstGenerator[i]) changed++;
                Assert.NotEmpty(image.People);
                foreach (var p in image.People)
                {
                    Assert.InRange(p.Box.X, 0, o.Width);
                    Assert.InRange(p.Box.Y, 0, o.Height);
                    Assert.InRange(p.Box.X + p.Box.Width, 0, o.Width);
                    Assert.InRange(p.Box.Y + p.Box.Height, 0, o.Height);
                    for (int k = 0; k < CocoKeypoints.Count; k++)
                    {
                        float v = p.Keypoints[3 * k + 2];
                        Assert.Contains(v, new[] { 0f, 1f, 2f });
                        if (v == 0) continue;
                        Assert.InRange(p.Keypoints[3 * k], p.Box.X, p.Box.X + p.Box.Width);
                        Assert.InRange(p.Keypoints[3 * k + 1], p.Box.Y, p.Box.Y + p.Box.Height);
                    }
                    Assert.Equal(p.Keypoints.Where((_, j) => j % 3 == 2).Count(v => v > 0), p.NumKeypoints);
                }
            }
            // An image may have nobody carrying a bag, or only a lying person (no shadow), but not all four.
            Assert.True(changed >= 1, $"{feature} changed none of the 4 images");
        }

        [Fact]
        public void Accessories_HideSomeJointsTheBodyAloneShowed()
        {
            int hidden = 0;
            var plain = Options(SyntheticFeatures.None);
            var bags = Options(SyntheticFeatures.Accessories);
            plain.Images = bags.Images = 40;
            for (int i = 0; i < 40; i++)
            {
                var a = SyntheticPeople.RenderImage(plain, i).People;
                var b = SyntheticPeople.RenderImage(bags, i).People;
                if (a.Count != b.Count) continue;
                for (int p = 0; p < a.Count; p++)
                {
                    for (int k = 0; k < CocoKeypoints.Count; k++)
                    {
                        if (a[p].Keypoints[3 * k + 2] == 2 && b[p].Keypoints[3 * k + 2] == 1) hidden++;
                    }
                }
            }
            Assert.True(hidden > 0, "no keypoint became occluded (v = 1) by a bag in 40 images");
        }

        [Theory]
        [InlineData("all", SyntheticFeatures.All)]
        [InlineData("NONE", SyntheticFeatures.None)]
        [InlineData("shadows", SyntheticFeatures.Shadows)]
        [InlineData(" camera , perspective", SyntheticFeatures.Camera | SyntheticFeatures.Perspective)]
        [InlineData("accessories,bodies", SyntheticFeatures.Accessories | SyntheticFeatures.Bodies)]
        public void Names_ParseAndFormatBack(string text, SyntheticFeatures expected)
        {
            var parsed = SyntheticFeatureNames.Parse(text);
            Assert.Equal(expected, parsed);
            Assert.Equal(parsed, SyntheticFeatureNames.Parse(SyntheticFeatureNames.Format(parsed)));
        }

        [Theory]
        [InlineData("shadow", "'shadow'")]
        [InlineData("shadows,,camera", "''")]
        [InlineData("", "''")]
        public void UnknownNames_AreRejectedNamingTheWord(string text, string named)
        {
            var e = Assert.Throws<ArgumentException>(() => SyntheticFeatureNames.Parse(text));
            Assert.Contains(named, e.Message, StringComparison.Ordinal);
            Assert.Contains("shadows, perspective", e.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void UnknownFlags_AreRejectedByValidate()
        {
            var o = Options((SyntheticFeatures)64);
            var e = Assert.Throws<ArgumentException>(o.Validate);
            Assert.Equal(nameof(SyntheticOptions.Features), e.ParamName);
        }
    }
}
