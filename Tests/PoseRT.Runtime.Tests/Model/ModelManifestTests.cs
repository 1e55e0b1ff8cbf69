using System;
using System.Collections.Generic;
using System.IO;
using System.Security.Cryptography;
using System.Text;
using PoseRT.Runtime;
using PoseRT.Runtime.Model;

namespace PoseRT.Tests.Model
{
    /// <summary>
    /// <see cref="ModelManifest"/> on small manifests written here: what it reads, and that every malformed, incomplete
    /// or mismatched manifest fails with a message naming the manifest file and the field. The shipped manifest itself is
    /// tested with the real models in PoseRT.Tools.Tests (ShippedModelTests).
    /// </summary>
    public class ModelManifestTests
    {
        private static readonly byte[] ModelBytes = Encoding.ASCII.GetBytes("stand-in model bytes");

        // Computed here with .NET's own one-shot API, independently of ModelManifest.ComputeSha256.
        private static readonly string ModelSha = Convert.ToHexStringLower(SHA256.HashData(ModelBytes));

        private static string Entry(string file, string role, string? sha = null, string extra = "") =>
            $@"{{ ""file"": ""{file}"", ""sha256"": ""{sha ?? ModelSha}"", ""role"": ""{role}"",
               ""architecture"": ""mobilenetv3_small_x0.5_head0.25"", ""activation"": ""dyrelu_c"",
               ""input_width"": 96, ""input_height"": 128, ""training_data"": ""synthetic only \u2014 posert synth"",
               ""ap"": {{ ""held_out_synthetic"": 0.1555, ""coco_mini"": 0.0704 }}{extra} }}";

        private static string Manifest(params string[] entries) =>
            $@"{{ ""format_version"": 1, ""about"": ""test"", ""models"": [ {string.Join(", ", entries)} ] }}";

        /// <summary>A folder with a.onnx and b.onnx (the same stand-in bytes) and manifest.json holding <paramref name="json"/>.</summary>
        private static string Write(string json, string name = "manifest")
        {
            string dir = RepoPaths.NewTempDir(name);
            File.WriteAllBytes(Path.Combine(dir, "a.onnx"), ModelBytes);
            File.WriteAllBytes(Path.Combine(dir, "b.onnx"), ModelBytes);
            string path = Path.Combine(dir, ModelManifest.FileName);
            File.WriteAllText(path, json);
            return path;
        }

        private static void AssertFails(string json, params string[] fragments)
        {
            string path = Write(json, "manifest-bad");
            var e = Assert.Throws<InvalidModelManifestException>(() => ModelManifest.Load(path, verifySha256: true));
            Assert.Contains(path, e.Message, StringComparison.Ordinal);
            foreach (var fragment in fragments) Assert.Contains(fragment, e.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void A_manifest_reads_its_entries_resolves_files_beside_it_and_finds_the_default()
        {
            string path = Write(Manifest(Entry("b.onnx", "alternative", ModelSha.ToUpperInvariant()), Entry("a.onnx", "default")));
            var manifest = ModelManifest.Load(path, verifySha256: true);

            Assert.Equal(path, manifest.Path);
            Assert.Equal(new[] { "b.onnx", "a.onnx" }, new[] { manifest.Models[0].File, manifest.Models[1].File });
            Assert.Same(manifest.Models[1], manifest.Default);
            Assert.True(manifest.Default.IsDefault);
            Assert.False(manifest.Models[0].IsDefault);
            Assert.Equal(ModelManifest.AlternativeRole, manifest.Models[0].Role);
            var a = manifest.Default;
            Assert.Equal(Path.Combine(Path.GetDirectoryName(path)!, "a.onnx"), a.FullPath);
            Assert.Equal(ModelSha, a.Sha256);
            Assert.Equal(ModelSha, manifest.Models[0].Sha256); // upper-case hex is accepted and kept lower-case
            Assert.Equal(ModelSha, ModelManifest.ComputeSha256(a.FullPath));
            Assert.Equal(("mobilenetv3_small_x0.5_head0.25", "dyrelu_c", 96, 128), (a.Architecture, a.Activation, a.InputWidth, a.InputHeight));
            Assert.Equal("synthetic only \u2014 posert synth", a.TrainingData);
            Assert.Equal((0.1555, 0.0704), (a.HeldOutSyntheticAp, a.CocoMiniAp));
        }

        [Fact]
        public void Without_verification_the_files_are_not_read()
        {
            string path = Write(Manifest(Entry("missing.onnx", "default", new string('0', 64))));
            Assert.Equal("missing.onnx", ModelManifest.Load(path).Default.File);
        }

        [Fact]
        public void A_missing_manifest_is_named()
        {
            string path = Path.Combine(RepoPaths.NewTempDir("manifest-none"), ModelManifest.FileName);
            var e = Assert.Throws<FileNotFoundException>(() => ModelManifest.Load(path));
            Assert.Contains(path, e.Message, StringComparison.Ordinal);
            Assert.Equal(path, e.FileName);
        }

        [Fact]
        public void A_file_whose_sha256_differs_names_the_manifest_the_file_both_hashes_and_what_to_do()
        {
            string wrong = new string('a', 64);
            string path = Write(Manifest(Entry("a.onnx", "default"), Entry("b.onnx", "alternative", wrong)));
            var e = Assert.Throws<InvalidModelManifestException>(() => ModelManifest.Load(path, verifySha256: true));
            Assert.Contains(path, e.Message, StringComparison.Ordinal);
            Assert.Contains(Path.Combine(Path.GetDirectoryName(path)!, "b.onnx"), e.Message, StringComparison.Ordinal);
            Assert.Contains("models[1].sha256 expects " + wrong, e.Message, StringComparison.Ordinal);
            Assert.Contains("has sha256 " + ModelSha, e.Message, StringComparison.Ordinal);
            Assert.Contains($"put {ModelSha} in models[1].sha256", e.Message, StringComparison.Ordinal);
            Assert.Contains("restore the file", e.Message, StringComparison.Ordinal);
            // Not verifying: the same manifest loads.
            Assert.Equal(wrong, ModelManifest.Load(path).Models[1].Sha256);
        }

        [Fact]
        public void A_listed_file_that_is_missing_is_named_when_verifying() =>
            AssertFails(Manifest(Entry("a.onnx", "default"), Entry("gone.onnx", "alternative")), "models[1].file 'gone.onnx' does not exist");

        [Theory]
        [InlineData("{ \"format_version\": 1, \"models\": [ }", "not valid JSON: line 1, column 36")]
        [InlineData("{ \"format_version\": 1,\n  \"models\": [1,],\n}", "not valid JSON: line 2, column 16")]
        [InlineData("", "not valid JSON: line 1, column 1: unexpected end")]
        [InlineData("{ \"models\": [], \"models\": [] }", "property \"models\" appears twice")]
        [InlineData("[]", "must be a JSON object")]
        [InlineData("{ \"models\": [] }", "format_version is missing")]
        [InlineData("{ \"format_version\": 2, \"models\": [] }", "format_version 2 is newer", "update PoseRT.Runtime")]
        [InlineData("{ \"format_version\": 1.5, \"models\": [] }", "format_version = 1.5 must be a positive whole number")]
        [InlineData("{ \"format_version\": \"1\", \"models\": [] }", "format_version must be a number")]
        [InlineData("{ \"format_version\": 1, \"models\": [] }", "models is empty")]
        [InlineData("{ \"format_version\": 1, \"models\": {} }", "models must be an array")]
        [InlineData("{ \"format_version\": 1, \"model\": [] }", "unknown field model (known: format_version, about, models)")]
        [InlineData("{ \"format_version\": 1, \"models\": [ 3 ] }", "models[0] must be a JSON object")]
        public void Malformed_manifests_name_the_file_and_the_place(string json, params string[] fragments) => AssertFails(json, fragments);

        public static IEnumerable<object[]> BadEntries() => new[]
        {
            new object[] { Manifest(Entry("a.onnx", "alternative")), "no model has role \"default\"", "mark exactly one" },
            new object[] { Manifest(Entry("a.onnx", "default"), Entry("b.onnx", "default")), "2 models have role \"default\" (a.onnx, b.onnx)" },
            new object[] { Manifest(Entry("a.onnx", "Default")), "models[0].role 'Default' must be \"default\" or \"alternative\"" },
            new object[] { Manifest(Entry("a.onnx", "default"), Entry("a.onnx", "alternative")), "models[1].file 'a.onnx' is listed twice" },
            new object[] { Manifest(Entry("a.onnx", "default", "abc")), "models[0].sha256 'abc' is not 64 hex digits" },
            new object[] { Manifest(Entry("/abs/a.onnx", "default")), "models[0].file '/abs/a.onnx' must be a path relative to the manifest's folder" },
            new object[] { Manifest(Entry("../a.onnx", "default")), "models[0].file '../a.onnx' leaves the manifest's folder ('..')" },
            new object[] { Manifest(Entry("sub/../../a.onnx", "default")), "models[0].file 'sub/../../a.onnx' leaves the manifest's folder ('..')" },
            new object[] { Manifest(Entry("a.onnx", "default", extra: ", \"sha265\": \"x\"")), "unknown field models[0].sha265" },
            new object[] { Manifest(Entry("a.onnx", "default").Replace("\"input_width\": 96", "\"input_width\": 0", StringComparison.Ordinal)), "models[0].input_width = 0 must be a positive whole number" },
            new object[] { Manifest(Entry("a.onnx", "default").Replace("\"activation\": \"dyrelu_c\"", "\"activation\": null", StringComparison.Ordinal)), "models[0].activation must be a value, not null" },
            new object[] { Manifest(Entry("a.onnx", "default").Replace("\"training_data\": \"synthetic only \\u2014 posert synth\"", "\"training_data\": \" \"", StringComparison.Ordinal)), "models[0].training_data is empty" },
            new object[] { Manifest(Entry("a.onnx", "default").Replace("\"coco_mini\": 0.0704", "\"coco_mini\": 70.4", StringComparison.Ordinal)), "models[0].ap.coco_mini = 70.4 must be an AP between 0 and 1" },
            new object[] { Manifest(Entry("a.onnx", "default").Replace(", \"coco_mini\": 0.0704", "", StringComparison.Ordinal)), "models[0].ap.coco_mini is missing" },
            new object[] { Manifest(Entry("a.onnx", "default").Replace("\"sha256\"", "\"sha\"", StringComparison.Ordinal)), "unknown field models[0].sha" },
        };

        [Theory]
        [MemberData(nameof(BadEntries))]
        public void Incomplete_or_inconsistent_entries_name_the_file_and_the_field(string json, params string[] fragments) => AssertFails(json, fragments);

        [Fact]
        public void The_json_reader_takes_strict_json_with_escapes_and_numbers()
        {
            var value = (Dictionary<string, object?>)JsonText.Parse(
                " {\"s\": \"a\\\"b\\\\c\\/d\\n\\u00e9\", \"n\": [-0.5e2, 0, 12, 1E-3], \"t\": true, \"f\": false, \"z\": null, \"o\": {}} ")!;
            Assert.Equal("a\"b\\c/d\n\u00e9", value["s"]);
            Assert.Equal(new object?[] { -50.0, 0.0, 12.0, 0.001 }, (List<object?>)value["n"]!);
            Assert.Equal(true, value["t"]);
            Assert.Equal(false, value["f"]);
            Assert.Null(value["z"]);
            Assert.Empty((Dictionary<string, object?>)value["o"]!);
            foreach (var bad in new[] { "01", "1.", "-", "[1 2]", "{'a': 1}", "\"a", "\"\\x\"", "tru", "{\"a\" 1}", "1e400", "\"a\tb\"", "{} x" })
                Assert.Throws<FormatException>(() => JsonText.Parse(bad));
        }
    }
}
