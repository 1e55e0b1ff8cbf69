using System;
using System.IO;

namespace PoseRT.IO
{
    /// <summary>
    /// Checks output paths before any work starts, so that a run never spends hours and then fails to write,
    /// and a command with several outputs writes none of them when one is unusable. Nothing is created: the
    /// probe is a temporary file in the deepest folder that already exists, deleted at once.
    /// </summary>
    internal static class OutputPaths
    {
        /// <summary>
        /// Throws <see cref="ArgumentException"/> ("OPTION 'PATH': ...") unless a file can be written at
        /// <paramref name="path"/>: it is not a folder, and its folder exists and is writable or can be created.
        /// </summary>
        public static void CheckFile(string path, string option)
        {
            string full = Full(path, option);
            if (Directory.Exists(full)) throw Error(option, path, "is a folder, not a file");
            Probe(Path.GetDirectoryName(full) ?? ".", option, path);
        }

        /// <summary>
        /// Throws <see cref="ArgumentException"/> unless <paramref name="path"/> is, or can become, a writable
        /// folder: it is not a file, and it (or its deepest existing parent) is writable.
        /// </summary>
        public static void CheckFolder(string path, string option)
        {
            string full = Full(path, option);
            if (File.Exists(full)) throw Error(option, path, "is a file, not a folder");
            Probe(full, option, path);
        }

        /// <summary>
        /// Throws <see cref="ArgumentException"/> ("OPTION 'PATH' is the same path as OTHER ...") when the output
        /// <paramref name="path"/> names the same file or folder as one of <paramref name="others"/> (null paths are
        /// skipped): an input the run reads, which it would replace, or another output, of which only the last would be
        /// kept.
        /// </summary>
        public static void CheckDistinct(string path, string option, params (string? Path, string Option)[] others)
        {
            string full = Comparable(Full(path, option));
            foreach (var (other, otherOption) in others)
            {
                if (other is null || string.IsNullOrWhiteSpace(other)) continue;
                if (string.Equals(full, Comparable(Full(other, otherOption)), PathComparison))
                    throw Error(option, path, $"is the same path as {otherOption}: an output may not replace an input or another output");
            }
        }

        // Windows and macOS file systems ignore case by default; Linux's do not.
        private static StringComparison PathComparison =>
            OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;

        private static string Comparable(string full) => full.Length > 1 ? full.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar) : full;

        private static string Full(string path, string option)
        {
            if (string.IsNullOrWhiteSpace(path)) throw new ArgumentException($"{option}: the path is empty.");
            try
            {
                return Path.GetFullPath(path);
            }
            catch (Exception e) when (e is ArgumentException || e is NotSupportedException || e is PathTooLongException)
            {
                throw Error(option, path, "is not a valid path: " + e.Message);
            }
        }

        private static void Probe(string folder, string option, string path)
        {
            var dir = new DirectoryInfo(folder);
            while (dir != null && !dir.Exists)
            {
                if (File.Exists(dir.FullName)) throw Error(option, path, $"'{dir.FullName}' is a file, so no folder can be made there");
                dir = dir.Parent;
            }
            if (dir == null) throw Error(option, path, "has no existing parent folder");
            string probe = Path.Combine(dir.FullName, ".posert-write-test-" + Guid.NewGuid().ToString("N").Substring(0, 8));
            try
            {
                using (new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose))
                {
                }
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                string why = e is UnauthorizedAccessException ? "permission denied" : e.Message.TrimEnd('.');
                throw Error(option, path, $"cannot be written: folder '{dir.FullName}' is not writable ({why})");
            }
        }

        private static ArgumentException Error(string option, string path, string what) => new ArgumentException($"{option} '{path}' {what}.");
    }
}
