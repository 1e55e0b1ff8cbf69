using System;
using System.Collections.Generic;
using System.IO;
using OpenCvSharp;
using PoseRT.Demo.Pipeline;
using PoseRT.IO;

namespace PoseRT.Demo.Output
{
    /// <summary>
    /// Writes the annotated frames to a video file. The video is written under a unique hidden temporary name in
    /// the same folder and renamed over the destination on <see cref="Complete"/>, so a reader never sees a
    /// half-written file under the final name, an interrupted run (Ctrl+C) still ends with a playable video, and
    /// <see cref="Discard"/> (a failed run) leaves an existing file as it was. Frames of another size than the first
    /// (a folder of mixed images) are scaled to the first frame's size, which the encoder needs, and counted.
    /// </summary>
    internal sealed class VideoFileSink : IFileOutputSink
    {
        private readonly string _path;
        private readonly string _temp;
        private readonly double _fps;
        private VideoWriter? _writer;
        private Size _size;
        private Mat? _scaled;
        private bool _completed;

        public VideoFileSink(string path, double fps)
        {
            OutputPath = path;
            _path = Path.GetFullPath(path);
            string ext = Path.GetExtension(_path);
            if (!ext.Equals(".mp4", StringComparison.OrdinalIgnoreCase) && !ext.Equals(".avi", StringComparison.OrdinalIgnoreCase))
                throw new ArgumentException($"Output video '{path}' must end in .mp4 or .avi (or name a folder for images).", nameof(path));
            OutputPaths.CheckFile(path, "--out");
            _temp = AtomicFile.TempPathFor(_path);
            _fps = fps > 0 ? fps : 25;
        }

        /// <inheritdoc />
        public string OutputPath { get; }

        public int FramesWritten { get; private set; }

        /// <summary>Frames scaled to the first frame's size because theirs differed.</summary>
        public int FramesResized { get; private set; }

        public bool NeedsImage => true;

        public bool StopRequested => false;

        public void Write(FrameResult result, Mat annotated)
        {
            if (_writer == null)
            {
                // Lower-case 'mp4v' is the tag FFmpeg's MP4 muxer accepts without a warning.
                FourCC codec = _temp.EndsWith(".avi", StringComparison.OrdinalIgnoreCase) ? FourCC.MJPG : FourCC.FromFourChars('m', 'p', '4', 'v');
                _size = new Size(annotated.Width, annotated.Height);
                _writer = new VideoWriter(_temp, codec, _fps, _size);
                if (!_writer.IsOpened())
                    throw new IOException($"Could not open '{_path}' for writing (codec {(codec == FourCC.MJPG ? "MJPG" : "mp4v")}).");
            }
            if (annotated.Width != _size.Width || annotated.Height != _size.Height)
            {
                // The encoder silently drops frames of another size.
                _scaled ??= new Mat();
                Cv2.Resize(annotated, _scaled, _size);
                _writer.Write(_scaled);
                FramesResized++;
            }
            else
            {
                _writer.Write(annotated);
            }
            FramesWritten++;
        }

        public void Complete()
        {
            if (_completed) return;
            _completed = true;
            if (_writer == null) return;
            _writer.Release();
            _writer.Dispose();
            _writer = null;
            AtomicFile.Commit(_temp, _path);
        }

        /// <inheritdoc />
        public void Discard()
        {
            _completed = true;
            _writer?.Dispose();
            _writer = null;
            AtomicFile.TryDelete(_temp);
        }

        public void Dispose()
        {
            // Not completed (an exception escaped): do not publish a file we did not finish.
            if (_writer != null) Discard();
            _scaled?.Dispose();
            _scaled = null;
        }
    }

    /// <summary>
    /// Writes each annotated frame as an image (frame_000000.png ...) into a hidden staging folder beside the
    /// destination, published on <see cref="Complete"/>: renamed to the destination when it does not exist yet,
    /// else moved in file by file (each a rename over the old frame of that number, older frames beyond this run
    /// removed; other files are left alone). <see cref="Discard"/> deletes the staging folder and leaves the
    /// destination as it was.
    /// </summary>
    internal sealed class ImageFolderSink : IFileOutputSink
    {
        private static readonly System.Text.RegularExpressions.Regex FrameName = new(@"^frame_\d{6,}\.[a-z]+$", System.Text.RegularExpressions.RegexOptions.CultureInvariant);
        private readonly string _folder;
        private readonly string _staging;
        private readonly string _extension;
        private readonly HashSet<string> _written = new(StringComparer.Ordinal);
        private bool _done;

        public ImageFolderSink(string folder, string extension = ".png")
        {
            OutputPath = folder;
            OutputPaths.CheckFolder(folder, "--out");
            _folder = Path.GetFullPath(folder).TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar);
            _extension = extension;
            string parent = Path.GetDirectoryName(_folder) ?? ".";
            _staging = Path.Combine(parent, "." + Path.GetFileName(_folder) + ".tmp-" + Guid.NewGuid().ToString("N").Substring(0, 8));
        }

        /// <inheritdoc />
        public string OutputPath { get; }

        public int FramesWritten { get; private set; }

        public bool NeedsImage => true;

        public bool StopRequested => false;

        public void Write(FrameResult result, Mat annotated)
        {
            if (FramesWritten == 0) Directory.CreateDirectory(_staging);
            Cv2.ImEncode(_extension, annotated, out byte[] bytes);
            string name = $"frame_{result.FrameNumber:D6}{_extension}";
            File.WriteAllBytes(Path.Combine(_staging, name), bytes);
            _written.Add(name);
            FramesWritten++;
        }

        public void Complete()
        {
            if (_done) return;
            _done = true;
            if (FramesWritten == 0) return;
            if (!Directory.Exists(_folder))
            {
                Directory.Move(_staging, _folder);
                return;
            }
            foreach (string name in _written) File.Move(Path.Combine(_staging, name), Path.Combine(_folder, name), overwrite: true);
            foreach (string file in Directory.GetFiles(_folder))
            {
                string name = Path.GetFileName(file);
                if (FrameName.IsMatch(name) && !_written.Contains(name)) File.Delete(file);
            }
            Directory.Delete(_staging, recursive: true);
        }

        /// <inheritdoc />
        public void Discard()
        {
            _done = true;
            try
            {
                if (Directory.Exists(_staging)) Directory.Delete(_staging, recursive: true);
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                // A stale hidden staging folder is harmless; the destination was not touched.
            }
        }

        public void Dispose()
        {
            if (!_done) Discard();
        }
    }

    /// <summary>Shows the annotated frames in an OpenCV window; q or Esc (or closing the window) ends the run.</summary>
    internal sealed class WindowSink : IFrameSink
    {
        private const string Title = "PoseRT demo (q to quit)";
        private bool _shown;

        public bool NeedsImage => true;

        public bool StopRequested { get; private set; }

        /// <summary>True when a display is available for a window.</summary>
        public static bool DisplayAvailable()
        {
            if (OperatingSystem.IsWindows() || OperatingSystem.IsMacOS()) return true;
            return !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("DISPLAY"))
                   || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("WAYLAND_DISPLAY"));
        }

        public void Write(FrameResult result, Mat annotated)
        {
            Cv2.ImShow(Title, annotated);
            _shown = true;
            int key = Cv2.WaitKey(1);
            if (key == 'q' || key == 'Q' || key == 27) StopRequested = true;
            else if (Cv2.GetWindowProperty(Title, WindowPropertyFlags.Visible) < 1) StopRequested = true;
        }

        public void Complete()
        {
            if (_shown) Cv2.DestroyWindow(Title);
            _shown = false;
        }

        public void Dispose() => Complete();
    }
}
