using System;
using System.IO;
using OpenCvSharp;
using PoseRT.Demo.Pipeline;
using PoseRT.IO;

namespace PoseRT.Demo.Output
{
    /// <summary>
    /// Writes the annotated frames to a video file. The video is written under a temporary name
    /// and renamed on <see cref="Complete"/>, so a reader never sees a half-written file under the
    /// final name, and an interrupted run (Ctrl+C) still ends with a playable video.
    /// </summary>
    internal sealed class VideoFileSink : IFrameSink
    {
        private readonly string _path;
        private readonly string _temp;
        private readonly double _fps;
        private VideoWriter? _writer;
        private bool _completed;

        public VideoFileSink(string path, double fps)
        {
            _path = Path.GetFullPath(path);
            string ext = Path.GetExtension(_path);
            if (!ext.Equals(".mp4", StringComparison.OrdinalIgnoreCase) && !ext.Equals(".avi", StringComparison.OrdinalIgnoreCase))
                throw new ArgumentException($"Output video '{path}' must end in .mp4 or .avi (or name a folder for images).", nameof(path));
            string dir = Path.GetDirectoryName(_path)!;
            Directory.CreateDirectory(dir);
            _temp = Path.Combine(dir, "." + Path.GetFileNameWithoutExtension(_path) + ".partial" + ext);
            _fps = fps > 0 ? fps : 25;
        }

        public int FramesWritten { get; private set; }

        public bool NeedsImage => true;

        public bool StopRequested => false;

        public void Write(FrameResult result, Mat annotated)
        {
            if (_writer == null)
            {
                // Lower-case 'mp4v' is the tag FFmpeg's MP4 muxer accepts without a warning.
                FourCC codec = _temp.EndsWith(".avi", StringComparison.OrdinalIgnoreCase) ? FourCC.MJPG : FourCC.FromFourChars('m', 'p', '4', 'v');
                _writer = new VideoWriter(_temp, codec, _fps, new Size(annotated.Width, annotated.Height));
                if (!_writer.IsOpened())
                    throw new IOException($"Could not open '{_path}' for writing (codec {(codec == FourCC.MJPG ? "MJPG" : "mp4v")}).");
            }
            _writer.Write(annotated);
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
            File.Move(_temp, _path, overwrite: true);
        }

        public void Dispose()
        {
            if (_writer != null)
            {
                // Not completed (an exception escaped): do not publish a file we did not finish.
                _writer.Dispose();
                _writer = null;
                if (File.Exists(_temp)) File.Delete(_temp);
            }
        }
    }

    /// <summary>Writes each annotated frame as an image (frame_000000.png ...) in a folder; each file is written atomically.</summary>
    internal sealed class ImageFolderSink : IFrameSink
    {
        private readonly string _folder;
        private readonly string _extension;

        public ImageFolderSink(string folder, string extension = ".png")
        {
            _folder = Path.GetFullPath(folder);
            _extension = extension;
            Directory.CreateDirectory(_folder);
        }

        public int FramesWritten { get; private set; }

        public bool NeedsImage => true;

        public bool StopRequested => false;

        public void Write(FrameResult result, Mat annotated)
        {
            Cv2.ImEncode(_extension, annotated, out byte[] bytes);
            string path = Path.Combine(_folder, $"frame_{result.FrameNumber:D6}{_extension}");
            AtomicFile.WriteAllBytes(path, bytes);
            FramesWritten++;
        }

        public void Complete()
        {
        }

        public void Dispose()
        {
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
