using System;
using System.IO;
using PoseRT.Runtime;
using PoseRT.Runtime.Model;

namespace PoseRT.Demo
{
    /// <summary>Finds the bundled clip and the default model from wherever the demo runs (repo root, bin folder, published folder).</summary>
    internal static class DemoPaths
    {
        public const string ClipRelative = "samples/video/people-960x540.mp4";

        /// <summary>The bundled street clip, or its repository-relative path when not found (the error then names it).</summary>
        public static string DefaultClip() => FindUp(ClipRelative) ?? ClipRelative;

        /// <summary>
        /// The default model: the entry of <c>Models/manifest.json</c> whose role is <c>default</c>, its sha256 verified
        /// (with every other listed file's); null when no <c>Models/manifest.json</c> is found. A malformed manifest, a
        /// missing file or a hash that differs throws <see cref="InvalidModelManifestException"/> naming the file and field.
        /// </summary>
        public static string? DefaultModel()
        {
            string? manifest = FindUp(ManifestRelative);
            return manifest == null ? null : ModelManifest.Load(manifest, verifySha256: true).Default.FullPath;
        }

        /// <summary>Where the demo looks for the manifest, relative to the repository root.</summary>
        public const string ManifestRelative = "Models/" + ModelManifest.FileName;

        private static string? FindUp(string relative)
        {
            foreach (string start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            {
                for (var dir = new DirectoryInfo(start); dir != null; dir = dir.Parent)
                {
                    string candidate = Path.Combine(dir.FullName, relative);
                    if (File.Exists(candidate) || Directory.Exists(candidate)) return candidate;
                }
            }
            return null;
        }
    }
}
