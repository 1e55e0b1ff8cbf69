using System;
using System.IO;

namespace PoseRT.Demo
{
    /// <summary>Finds the bundled clip and the default model from wherever the demo runs (repo root, bin folder, published folder).</summary>
    internal static class DemoPaths
    {
        public const string ClipRelative = "samples/video/people-960x540.mp4";

        /// <summary>The bundled street clip, or its repository-relative path when not found (the error then names it).</summary>
        public static string DefaultClip() => FindUp(ClipRelative) ?? ClipRelative;

        /// <summary>
        /// The default model: <c>Models/default.onnx</c> when present, else the only (or first by name)
        /// <c>.onnx</c> file in <c>Models/</c>; null when there is none.
        /// </summary>
        public static string? DefaultModel()
        {
            string? models = FindUp("Models");
            if (models == null || !Directory.Exists(models)) return null;
            string preferred = Path.Combine(models, "default.onnx");
            if (File.Exists(preferred)) return preferred;
            string[] files = Directory.GetFiles(models, "*.onnx");
            if (files.Length == 0) return null;
            Array.Sort(files, StringComparer.Ordinal);
            return files[0];
        }

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
