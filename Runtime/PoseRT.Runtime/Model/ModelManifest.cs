using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;

namespace PoseRT.Runtime.Model
{
    /// <summary>
    /// The list of the models shipped in a folder (<c>Models/manifest.json</c>): each file with its sha256, its role
    /// (exactly one is the <see cref="Default"/>), what it is (architecture, activation, input size), what it was trained
    /// on and the APs its model card states. The demo, <c>posert-bench</c> and <c>./build.sh demo</c> find their models
    /// here. Read-only once loaded.
    /// </summary>
    /// <remarks>
    /// The file is JSON:
    /// <code>
    /// { "format_version": 1,
    ///   "models": [
    ///     { "file": "m.onnx", "sha256": "64 hex digits", "role": "default",
    ///       "architecture": "mobilenetv3_small_x0.5_head0.25", "activation": "dyrelu_c",
    ///       "input_width": 96, "input_height": 128, "training_data": "synthetic only: ...",
    ///       "ap": { "held_out_synthetic": 0.1555, "coco_mini": 0.0704 } } ] }
    /// </code>
    /// <c>file</c> is relative to the manifest's folder and stays inside it (no <c>..</c>); <c>role</c> is <see cref="DefaultRole"/> or
    /// <see cref="AlternativeRole"/>; an optional top-level <c>"about"</c> string is free text. Unknown fields are
    /// refused (a misspelt field must not pass silently).
    /// </remarks>
    public sealed class ModelManifest
    {
        /// <summary>The manifest's file name in a models folder.</summary>
        public const string FileName = "manifest.json";

        /// <summary>Version of the layout this Runtime reads (<c>format_version</c>).</summary>
        public const int FormatVersion = 1;

        /// <summary>The <see cref="ModelManifestEntry.Role"/> of the one model a program uses when given none.</summary>
        public const string DefaultRole = "default";

        /// <summary>The <see cref="ModelManifestEntry.Role"/> of every other shipped model.</summary>
        public const string AlternativeRole = "alternative";

        private static readonly string[] TopLevelFields = { "format_version", "about", "models" };
        private static readonly string[] EntryFields =
        {
            "file", "sha256", "role", "architecture", "activation", "input_width", "input_height", "training_data", "ap",
        };
        private static readonly string[] ApFields = { "held_out_synthetic", "coco_mini" };

        private ModelManifest(string path, IReadOnlyList<ModelManifestEntry> models, ModelManifestEntry defaultModel)
        {
            Path = path;
            Models = models;
            Default = defaultModel;
        }

        /// <summary>The manifest file this was read from (as given to <see cref="Load"/>).</summary>
        public string Path { get; }

        /// <summary>The models in the manifest's order.</summary>
        public IReadOnlyList<ModelManifestEntry> Models { get; }

        /// <summary>The one model whose role is <see cref="DefaultRole"/>.</summary>
        public ModelManifestEntry Default { get; }

        /// <summary>
        /// Reads and checks a manifest. With <paramref name="verifySha256"/> every listed file must also exist and have
        /// the stated sha256. Throws <see cref="FileNotFoundException"/> when <paramref name="path"/> does not exist and
        /// <see cref="InvalidModelManifestException"/> (naming the file, the field and what to do) for anything else.
        /// </summary>
        public static ModelManifest Load(string path, bool verifySha256 = false)
        {
            if (path is null) throw new ArgumentNullException(nameof(path));
            if (!File.Exists(path))
                throw new FileNotFoundException($"Model manifest '{path}' does not exist: pass a model file instead, or restore {FileName} (Models/README.md says what it holds).", path);
            string text;
            try
            {
                text = File.ReadAllText(path, Encoding.UTF8);
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                throw new InvalidModelManifestException($"{path}: cannot read the model manifest: {e.Message}", e);
            }
            var manifest = Parse(text, path);
            if (verifySha256)
            {
                for (int i = 0; i < manifest.Models.Count; i++) Verify(manifest, manifest.Models[i], i);
            }
            return manifest;
        }

        /// <summary>The sha256 of a file as 64 lowercase hex digits (what <c>sha256sum</c> prints).</summary>
        public static string ComputeSha256(string path)
        {
            using var sha = SHA256.Create();
            using var stream = File.OpenRead(path);
            byte[] hash = sha.ComputeHash(stream);
            var sb = new StringBuilder(hash.Length * 2);
            foreach (byte b in hash) sb.Append(b.ToString("x2", CultureInfo.InvariantCulture));
            return sb.ToString();
        }

        private static void Verify(ModelManifest manifest, ModelManifestEntry entry, int index)
        {
            string field = $"models[{index}]";
            if (!File.Exists(entry.FullPath))
                throw new InvalidModelManifestException($"{manifest.Path}: {field}.file '{entry.File}' does not exist (looked for {entry.FullPath}): restore the file or remove its entry.");
            string actual;
            try
            {
                actual = ComputeSha256(entry.FullPath);
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                throw new InvalidModelManifestException($"{manifest.Path}: {field}.file '{entry.FullPath}' cannot be read: {e.Message}", e);
            }
            if (!string.Equals(actual, entry.Sha256, StringComparison.Ordinal))
                throw new InvalidModelManifestException(
                    $"{manifest.Path}: {entry.FullPath} has sha256 {actual}, but {field}.sha256 expects {entry.Sha256}. " +
                    $"If the file was replaced on purpose (a retrained model), put {actual} in {field}.sha256 and update its model card; " +
                    "otherwise restore the file (e.g. git checkout -- Models/).");
        }

        private static ModelManifest Parse(string text, string path)
        {
            object? root;
            try
            {
                root = JsonText.Parse(text);
            }
            catch (FormatException e)
            {
                throw new InvalidModelManifestException($"{path}: not valid JSON: {e.Message}", e);
            }
            var fields = new Fields(path, "", root as Dictionary<string, object?>
                ?? throw new InvalidModelManifestException($"{path}: the manifest must be a JSON object {{ \"format_version\": 1, \"models\": [...] }}."));
            fields.RefuseUnknown(TopLevelFields);
            int version = fields.PositiveInt("format_version");
            if (version > FormatVersion)
                throw new InvalidModelManifestException($"{path}: format_version {version} is newer than this PoseRT reads ({FormatVersion}); update PoseRT.Runtime.");
            fields.OptionalString("about");
            var list = fields.Array("models");
            if (list.Count == 0) throw new InvalidModelManifestException($"{path}: models is empty; list at least the default model.");

            string folder = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path)) ?? "";
            var models = new List<ModelManifestEntry>(list.Count);
            for (int i = 0; i < list.Count; i++)
            {
                string name = $"models[{i}]";
                var entry = new Fields(path, name + ".", list[i] as Dictionary<string, object?>
                    ?? throw new InvalidModelManifestException($"{path}: {name} must be a JSON object with the fields {string.Join(", ", EntryFields)}."));
                entry.RefuseUnknown(EntryFields);
                string file = entry.String("file");
                if (System.IO.Path.IsPathRooted(file) || file.IndexOfAny(System.IO.Path.GetInvalidPathChars()) >= 0)
                    throw new InvalidModelManifestException($"{path}: {name}.file '{file}' must be a path relative to the manifest's folder.");
                // A manifest lists the models of its own folder: a '..' segment would let it vouch for any file elsewhere.
                if (Array.IndexOf(file.Split('/', '\\'), "..") >= 0)
                    throw new InvalidModelManifestException($"{path}: {name}.file '{file}' leaves the manifest's folder ('..'); list only files in it or its subfolders.");
                if (models.Any(m => string.Equals(m.File, file, StringComparison.Ordinal)))
                    throw new InvalidModelManifestException($"{path}: {name}.file '{file}' is listed twice.");
                string sha = entry.String("sha256");
                if (sha.Length != 64 || !sha.All(c => (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
                    throw new InvalidModelManifestException($"{path}: {name}.sha256 '{sha}' is not 64 hex digits (sha256sum prints them).");
                string role = entry.String("role");
                if (role != DefaultRole && role != AlternativeRole)
                    throw new InvalidModelManifestException($"{path}: {name}.role '{role}' must be \"{DefaultRole}\" or \"{AlternativeRole}\".");
                var ap = new Fields(path, name + ".ap.", entry.Object("ap"));
                ap.RefuseUnknown(ApFields);
                models.Add(new ModelManifestEntry(
                    file,
                    System.IO.Path.GetFullPath(System.IO.Path.Combine(folder, file)),
                    sha.ToLowerInvariant(),
                    role,
                    entry.String("architecture"),
                    entry.String("activation"),
                    entry.PositiveInt("input_width"),
                    entry.PositiveInt("input_height"),
                    entry.String("training_data"),
                    ap.Fraction("held_out_synthetic"),
                    ap.Fraction("coco_mini")));
            }

            var defaults = models.Where(m => m.IsDefault).ToList();
            if (defaults.Count == 0)
                throw new InvalidModelManifestException($"{path}: no model has role \"{DefaultRole}\": mark exactly one entry of models with \"role\": \"{DefaultRole}\".");
            if (defaults.Count > 1)
                throw new InvalidModelManifestException($"{path}: {defaults.Count} models have role \"{DefaultRole}\" ({string.Join(", ", defaults.Select(m => m.File))}): mark exactly one, the others \"{AlternativeRole}\".");
            return new ModelManifest(path, models, defaults[0]);
        }

        /// <summary>One JSON object of the manifest, read field by field with errors that name the field.</summary>
        private readonly struct Fields
        {
            private readonly string _path;
            private readonly string _prefix;
            private readonly Dictionary<string, object?> _values;

            public Fields(string path, string prefix, Dictionary<string, object?> values)
            {
                _path = path;
                _prefix = prefix;
                _values = values;
            }

            public void RefuseUnknown(string[] known)
            {
                foreach (var key in _values.Keys)
                {
                    if (System.Array.IndexOf(known, key) < 0)
                        throw new InvalidModelManifestException($"{_path}: unknown field {_prefix}{key} (known: {string.Join(", ", known)}).");
                }
            }

            public string String(string key)
            {
                var value = Required(key) as string ?? throw WrongType(key, "a string");
                if (value.Trim().Length == 0) throw new InvalidModelManifestException($"{_path}: {_prefix}{key} is empty.");
                return value;
            }

            public void OptionalString(string key)
            {
                if (_values.TryGetValue(key, out var value) && value is not string) throw WrongType(key, "a string");
            }

            public int PositiveInt(string key)
            {
                if (Required(key) is not double value) throw WrongType(key, "a number");
                if (value < 1 || value > int.MaxValue || Math.Floor(value) != value)
                    throw new InvalidModelManifestException($"{_path}: {_prefix}{key} = {value.ToString("R", CultureInfo.InvariantCulture)} must be a positive whole number.");
                return (int)value;
            }

            public double Fraction(string key)
            {
                if (Required(key) is not double value) throw WrongType(key, "a number");
                if (value < 0 || value > 1)
                    throw new InvalidModelManifestException($"{_path}: {_prefix}{key} = {value.ToString("R", CultureInfo.InvariantCulture)} must be an AP between 0 and 1.");
                return value;
            }

            public List<object?> Array(string key) => Required(key) as List<object?> ?? throw WrongType(key, "an array");

            public Dictionary<string, object?> Object(string key) => Required(key) as Dictionary<string, object?> ?? throw WrongType(key, "an object");

            private object Required(string key)
            {
                if (!_values.TryGetValue(key, out var value))
                    throw new InvalidModelManifestException($"{_path}: {_prefix}{key} is missing.");
                return value ?? throw WrongType(key, "a value, not null");
            }

            private InvalidModelManifestException WrongType(string key, string expected) =>
                new InvalidModelManifestException($"{_path}: {_prefix}{key} must be {expected}.");
        }
    }
}
