using System;
using System.IO;

namespace PoseRT.IO
{
    /// <summary>
    /// Writes files so that a reader (or a crash) never sees half of one: the bytes go to a hidden
    /// temporary file in the destination's folder, which is then renamed over the destination.
    /// Compiled into each PoseRT application/tool assembly that writes files (Directory.Build.targets).
    /// </summary>
    internal static class AtomicFile
    {
        /// <summary>Writes through <paramref name="write"/>; <paramref name="durable"/> also fsyncs before the rename (checkpoints, results).</summary>
        public static void Write(string path, Action<Stream> write, bool durable = false)
        {
            string temp = TempPathFor(path);
            try
            {
                using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
                {
                    write(stream);
                    stream.Flush(flushToDisk: durable);
                }
                Commit(temp, path);
            }
            catch
            {
                TryDelete(temp);
                throw;
            }
        }

        /// <summary>Writes <paramref name="bytes"/> (see <see cref="Write"/>).</summary>
        public static void WriteAllBytes(string path, ReadOnlySpan<byte> bytes, bool durable = false)
        {
            string temp = TempPathFor(path);
            try
            {
                using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
                {
                    stream.Write(bytes);
                    stream.Flush(flushToDisk: durable);
                }
                Commit(temp, path);
            }
            catch
            {
                TryDelete(temp);
                throw;
            }
        }

        /// <summary>Writes text as UTF-8 (see <see cref="Write"/>).</summary>
        public static void WriteAllText(string path, string text, bool durable = false) =>
            WriteAllBytes(path, System.Text.Encoding.UTF8.GetBytes(text), durable);

        /// <summary>
        /// A unique hidden temporary name beside <paramref name="path"/> that keeps its extension (video
        /// writers choose the container by it); creates the folder if needed. Pair with <see cref="Commit"/>.
        /// </summary>
        public static string TempPathFor(string path)
        {
            string full = Path.GetFullPath(path);
            string dir = Path.GetDirectoryName(full) ?? ".";
            Directory.CreateDirectory(dir);
            return Path.Combine(dir, "." + Path.GetFileNameWithoutExtension(full) + ".tmp-" + Guid.NewGuid().ToString("N").Substring(0, 8) + Path.GetExtension(full));
        }

        /// <summary>Renames a finished temporary file over the destination.</summary>
        public static void Commit(string temp, string path) => File.Move(temp, path, overwrite: true);

        /// <summary>Deletes a file if it exists, ignoring failures (a stale hidden temporary file is harmless).</summary>
        public static void TryDelete(string path)
        {
            try
            {
                if (File.Exists(path)) File.Delete(path);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }
}
