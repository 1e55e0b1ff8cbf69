using System;
using System.IO;

namespace PoseRT.Synthetic
{
    /// <summary>Writes a file next to its destination and renames it into place, so readers never see half a file.</summary>
    internal static class AtomicFile
    {
        public static void WriteAllBytes(string path, ReadOnlySpan<byte> bytes)
        {
            string tmp = TempPathFor(path);
            try
            {
                using (var fs = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
                {
                    // No fsync: the rename alone keeps readers from seeing a partial file, and
                    // syncing every image made data set generation disk-bound.
                    fs.Write(bytes);
                }
                File.Move(tmp, path, overwrite: true);
            }
            catch
            {
                TryDelete(tmp);
                throw;
            }
        }

        /// <summary>A unique temporary name in the same folder, keeping the extension (video writers pick the container by it).</summary>
        public static string TempPathFor(string path)
        {
            string dir = Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".";
            return Path.Combine(dir, "." + Path.GetFileNameWithoutExtension(path) + ".tmp-" + Guid.NewGuid().ToString("N")[..8] + Path.GetExtension(path));
        }

        public static void TryDelete(string path)
        {
            try
            {
                if (File.Exists(path)) File.Delete(path);
            }
            catch (IOException)
            {
                // Best effort: a stale temporary file is harmless and hidden.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }
}
