using System.Collections.Generic;
using System.Runtime.InteropServices;
using OpenCvSharp;

namespace PoseRT.Bench
{
    /// <summary>A video's frames as packed BGR24 byte arrays (at most <c>max</c>; none when the file is missing or unreadable).</summary>
    internal static class ClipFrames
    {
        /// <summary>The bundled street clip, relative to the repository root (where the benchmark runs).</summary>
        public static readonly string BundledClip = System.IO.Path.Combine("samples", "video", "people-960x540.mp4");

        public static (List<byte[]> Frames, int Width, int Height) Load(string path, int max = 100)
        {
            var frames = new List<byte[]>();
            int width = 0, height = 0;
            if (!System.IO.File.Exists(path)) return (frames, 0, 0);
            using var capture = new VideoCapture(path);
            using var m = new Mat();
            while (frames.Count < max && capture.Read(m) && !m.Empty())
            {
                width = m.Width;
                height = m.Height;
                using var packed = m.Clone();   // a clone is continuous
                var bytes = new byte[width * height * 3];
                Marshal.Copy(packed.Data, bytes, 0, bytes.Length);
                frames.Add(bytes);
            }
            return (frames, width, height);
        }
    }
}
