using System;
using System.IO;

namespace PoseRT.Tests
{
    /// <summary>Locates files of the repository from a test's output folder.</summary>
    internal static class RepoPaths
    {
        private static readonly Lazy<string> RootLazy = new(FindRoot);

        public static string Root => RootLazy.Value;

        public static string Samples => Path.Combine(Root, "samples");

        public static string CocoMini => Path.Combine(Samples, "coco-mini");

        public static string SampleVideo => Path.Combine(Samples, "video", "people-960x540.mp4");

        /// <summary>The shipped default model, as <c>Models/manifest.json</c> names it (what the demo runs without --model).</summary>
        public static string DefaultModel => DefaultModelLazy.Value;

        private static readonly Lazy<string> DefaultModelLazy =
            new(() => PoseRT.Runtime.Model.ModelManifest.Load(Path.Combine(Root, "Models", PoseRT.Runtime.Model.ModelManifest.FileName)).Default.FullPath);

        /// <summary>A fresh, empty folder under the test output folder, named for the caller.</summary>
        public static string NewTempDir(string name)
        {
            var dir = Path.Combine(AppContext.BaseDirectory, "test-output", name + "-" + Guid.NewGuid().ToString("N")[..8]);
            Directory.CreateDirectory(dir);
            return dir;
        }

        private static string FindRoot()
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "PoseRT.sln")))
                    return dir.FullName;
            }
            throw new InvalidOperationException($"PoseRT.sln not found above '{AppContext.BaseDirectory}'.");
        }
    }
}
