using System;
using System.Collections.Generic;
using PoseRT.Runtime.Model;

namespace PoseRT.Tests.Model
{
    public class KeypointSchemaTests
    {
        [Fact]
        public void Coco_schema_is_the_annotation_files_definition()
        {
            var coco = CocoKeypoints.Schema;
            Assert.Equal(17, coco.Count);
            Assert.Equal("left_shoulder", coco.Names[CocoKeypoints.LeftShoulder]);
            Assert.Equal("right_ankle", coco.Names[CocoKeypoints.RightAnkle]);
            Assert.Equal(new[] { 0, 2, 1, 4, 3, 6, 5, 8, 7, 10, 9, 12, 11, 14, 13, 16, 15 }, coco.FlipIndex.ToArray());
            Assert.Equal(19, coco.Skeleton.Count);
            // person_keypoints_*.json's skeleton is 1-based: its first limb [16, 14] is left ankle - left knee.
            Assert.Equal((CocoKeypoints.LeftAnkle, CocoKeypoints.LeftKnee), coco.Skeleton[0]);
            Assert.Equal(0.026, coco.Sigmas[CocoKeypoints.Nose]);
            Assert.Equal(0.107, coco.Sigmas[CocoKeypoints.LeftHip]);
            for (int k = 0; k < coco.Count; k++)
            {
                // HRNet's upper_body_ids are 0-10, and a mirrored keypoint stays in its half.
                Assert.Equal(k <= CocoKeypoints.RightWrist ? BodyPart.Upper : BodyPart.Lower, coco.Parts[k]);
                Assert.Equal(coco.Parts[k], coco.Parts[coco.FlipIndex[k]]);
                Assert.Equal(coco.Sigmas[k], coco.Sigmas[coco.FlipIndex[k]]);
            }
            Assert.Equal(CocoKeypoints.LeftEar, coco.IndexOf("left_ear"));
            Assert.Equal(-1, coco.IndexOf("tail"));
        }

        public static IEnumerable<object[]> BadSchemas()
        {
            string[] three = { "a", "b", "c" };
            var none = Array.Empty<(int, int)>();
            var noParts = Array.Empty<BodyPart>();
            var noSigmas = Array.Empty<double>();
            yield return new object[] { "names", Array.Empty<string>(), none, none, noParts, noSigmas };
            yield return new object[] { "names", new[] { "a", "a" }, none, none, noParts, noSigmas };
            yield return new object[] { "names", new[] { "a", "b,c" }, none, none, noParts, noSigmas };
            yield return new object[] { "flipPairs", three, new[] { (0, 3) }, none, noParts, noSigmas };
            yield return new object[] { "flipPairs", three, new[] { (1, 1) }, none, noParts, noSigmas };
            yield return new object[] { "flipPairs", three, new[] { (0, 1), (1, 2) }, none, noParts, noSigmas };
            yield return new object[] { "skeleton", three, none, new[] { (-1, 2) }, noParts, noSigmas };
            yield return new object[] { "parts", three, none, none, new[] { BodyPart.Upper }, noSigmas };
            yield return new object[] { "parts", three, none, none, new[] { BodyPart.Upper, BodyPart.Lower, (BodyPart)7 }, noSigmas };
            yield return new object[] { "sigmas", three, none, none, noParts, new[] { 0.1, 0.1 } };
            yield return new object[] { "sigmas", three, none, none, noParts, new[] { 0.1, 0.0, 0.1 } };
            yield return new object[] { "sigmas", three, none, none, noParts, new[] { 0.1, double.NaN, 0.1 } };
        }

        [Theory]
        [MemberData(nameof(BadSchemas))]
        public void An_inconsistent_schema_is_refused_naming_the_parameter(string parameter, string[] names, (int, int)[] flipPairs,
            (int, int)[] skeleton, BodyPart[] parts, double[] sigmas)
        {
            var e = Assert.Throws<ArgumentException>(() => new KeypointSchema(names, flipPairs, skeleton, parts, sigmas));
            Assert.Equal(parameter, e.ParamName);
        }

        [Fact]
        public void A_schema_is_a_copy_of_its_arguments()
        {
            var names = new[] { "l", "r", "m" };
            var pairs = new[] { (0, 1) };
            var sigmas = new[] { 0.05, 0.05, 0.1 };
            var schema = new KeypointSchema(names, pairs, new[] { (0, 2), (1, 2) }, new[] { BodyPart.Upper, BodyPart.Upper, BodyPart.Lower }, sigmas);
            names[0] = "changed";
            pairs[0] = (1, 2);
            sigmas[0] = 9;
            Assert.Equal("l", schema.Names[0]);
            Assert.Equal(new[] { 1, 0, 2 }, schema.FlipIndex.ToArray());
            Assert.Equal(0.05, schema.Sigmas[0]);
            Assert.True(schema.HasSigmas && schema.HasParts);
        }

        [Fact]
        public void Metadata_round_trips_a_schema_of_its_own()
        {
            var schema = new KeypointSchema(new[] { "head", "left_hand", "right_hand", "tail" }, new[] { (1, 2) },
                new[] { (0, 1), (0, 2), (0, 3) }, new[] { BodyPart.Upper, BodyPart.Upper, BodyPart.Upper, BodyPart.Lower },
                new[] { 0.025, 0.062, 0.062, 0.1 });
            var info = new PoseModelInfo { InputWidth = 96, InputHeight = 128, Keypoints = schema };
            var read = PoseModelInfo.FromMetadata(info.ToMetadata(), "animal.onnx");
            Assert.True(schema.IsSameAs(read.Keypoints));
            Assert.NotSame(CocoKeypoints.Schema, read.Keypoints);
            Assert.Equal(96, read.InputWidth);
        }

        [Fact]
        public void A_file_written_before_parts_and_sigmas_takes_cocos_when_its_names_are_cocos()
        {
            var metadata = new Dictionary<string, string>(PoseModelInfo.CocoDefault().ToMetadata());
            metadata.Remove("posert.body_parts");
            metadata.Remove("posert.sigmas");
            Assert.Same(CocoKeypoints.Schema, PoseModelInfo.FromMetadata(metadata, "old.onnx").Keypoints);

            // Another skeleton without them has none, rather than COCO's by accident.
            var other = new PoseModelInfo { Keypoints = new KeypointSchema(new[] { "a", "b" }, new[] { (0, 1) }, Array.Empty<(int, int)>(), new[] { BodyPart.Upper, BodyPart.Upper }, new[] { 0.1, 0.1 }) };
            metadata = new Dictionary<string, string>(other.ToMetadata());
            metadata.Remove("posert.body_parts");
            metadata.Remove("posert.sigmas");
            var read = PoseModelInfo.FromMetadata(metadata, "old-other.onnx").Keypoints;
            Assert.False(read.HasParts);
            Assert.False(read.HasSigmas);
        }

        [Theory]
        [InlineData("posert.body_parts", "upper,middle", "'middle' must be 'upper' or 'lower'")]
        [InlineData("posert.sigmas", "0.1,x", "'posert.sigmas'")]
        [InlineData("posert.sigmas", "0.1,0.2", "2 OKS sigmas given for 17 keypoints")]
        [InlineData("posert.flip_pairs", "1-2,2-3", "already paired")]
        public void Bad_schema_metadata_names_the_file_and_the_key(string key, string value, string expected)
        {
            var metadata = new Dictionary<string, string>(PoseModelInfo.CocoDefault().ToMetadata()) { [key] = value };
            var e = Assert.Throws<FormatException>(() => PoseModelInfo.FromMetadata(metadata, "bad.onnx"));
            Assert.StartsWith("bad.onnx: ", e.Message);
            Assert.Contains(expected, e.Message);
        }
    }
}
