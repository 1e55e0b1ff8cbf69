using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Runtime.InteropServices;
using OpenCvSharp;

namespace PoseRT.Vision
{
    /// <summary>What one <see cref="IFrameSource.Read"/> produced.</summary>
    public enum FrameReadStatus
    {
        /// <summary>A frame was read into the destination.</summary>
        Frame,

        /// <summary>The source has no more frames (end of a file or folder).</summary>
        EndOfStream,

        /// <summary>The source failed (a camera disconnected, a stream broke, an empty frame from a live source).</summary>
        Failed,
    }

    /// <summary>A source of BGR frames: a camera, a video file or stream, an image or a folder of images.</summary>
    public interface IFrameSource : IDisposable
    {
        /// <summary>Human-readable description for messages ("camera 0", "video people.mp4").</summary>
        string Description { get; }

        /// <summary>True for cameras and network streams: a failure may be temporary, and there is no end.</summary>
        bool IsLive { get; }

        /// <summary>Nominal frame rate, or 0 when unknown.</summary>
        double Fps { get; }

        /// <summary>Reads the next frame into <paramref name="frame"/> (BGR, 8 bits per channel).</summary>
        FrameReadStatus Read(Mat frame);
    }

    /// <summary>Thrown when an input cannot be opened or a live source stays failed; the message names the input.</summary>
    public sealed class CaptureException : Exception
    {
        /// <summary>Creates the exception.</summary>
        public CaptureException(string message, Exception? inner = null) : base(message, inner) { }
    }

    /// <summary>Opens frame sources from a command-line style specification.</summary>
    public static class FrameSources
    {
        private static readonly HashSet<string> ImageExtensions = new(StringComparer.OrdinalIgnoreCase)
        {
            ".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp",
        };

        /// <summary>True when <paramref name="path"/> has an image file extension OpenCV reads.</summary>
        public static bool IsImageFile(string path) => ImageExtensions.Contains(Path.GetExtension(path));

        /// <summary>
        /// Opens <paramref name="spec"/>: a webcam index ("0"), an rtsp/http(s) URL, an image file, a
        /// folder of images, or a video file. Throws <see cref="CaptureException"/> with the reason when
        /// it cannot be opened. Cameras and URLs are opened once here (so a missing camera is an error at
        /// start), and are meant to be wrapped in a <see cref="ReconnectingFrameSource"/> for faults later.
        /// </summary>
        public static IFrameSource Open(string spec)
        {
            if (string.IsNullOrWhiteSpace(spec)) throw new CaptureException("No input given.");
            OpenCvNative.EnsureAvailable();
            if (int.TryParse(spec, NumberStyles.None, CultureInfo.InvariantCulture, out int index))
                return OpenCamera(index);
            if (IsUrl(spec))
                return OpenUrl(spec);
            if (Directory.Exists(spec))
                return new ImageFolderSource(spec);
            if (!File.Exists(spec))
                throw new CaptureException($"Input '{spec}' does not exist (expected a camera index, a URL, an image, a folder of images or a video file).");
            if (IsImageFile(spec))
                return new ImageFolderSource(new[] { Path.GetFullPath(spec) }, "image " + Path.GetFileName(spec));
            return OpenVideoFile(spec);
        }

        /// <summary>True for rtsp://, rtmp://, http:// and https:// inputs.</summary>
        public static bool IsUrl(string spec) =>
            spec.StartsWith("rtsp://", StringComparison.OrdinalIgnoreCase) || spec.StartsWith("rtmp://", StringComparison.OrdinalIgnoreCase)
            || spec.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || spec.StartsWith("https://", StringComparison.OrdinalIgnoreCase);

        /// <summary>Opens camera <paramref name="index"/> (V4L2 on Linux, the default backend elsewhere).</summary>
        public static IFrameSource OpenCamera(int index)
        {
            var api = RuntimeInformation.IsOSPlatform(OSPlatform.Linux) ? VideoCaptureAPIs.V4L2 : VideoCaptureAPIs.ANY;
            if (api == VideoCaptureAPIs.V4L2 && !File.Exists("/dev/video" + index.ToString(CultureInfo.InvariantCulture)))
                throw new CaptureException($"Camera {index} not found: /dev/video{index} does not exist. Connect a camera or pass a video file with --input.");
            var capture = new VideoCapture(index, api);
            return new VideoCaptureSource(capture, "camera " + index.ToString(CultureInfo.InvariantCulture), isLive: true);
        }

        /// <summary>Open and read timeout of network streams: a dead server cannot hang the app.</summary>
        public static readonly TimeSpan StreamTimeout = TimeSpan.FromSeconds(5);

        /// <summary>
        /// Opens a network stream: http(s) MJPEG with PoseRT's own reader (<see cref="MjpegHttpSource"/>), anything else
        /// (RTSP, RTMP) with OpenCV's FFmpeg, with open and read timeouts.
        /// </summary>
        public static IFrameSource OpenUrl(string url)
        {
            if (url.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || url.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
                return MjpegHttpSource.Open(url, StreamTimeout);
            // CAP_PROP_OPEN_TIMEOUT_MSEC (53) and CAP_PROP_READ_TIMEOUT_MSEC (54).
            int ms = (int)StreamTimeout.TotalMilliseconds;
            var capture = new VideoCapture(url, VideoCaptureAPIs.FFMPEG, new[] { 53, ms, 54, ms });
            if (!capture.IsOpened())
            {
                capture.Dispose();
                throw new CaptureException($"Could not open stream {url}: the server is down or unreachable, or this OpenCV build's FFmpeg cannot open network streams " +
                    "(OpenCvSharp's Linux runtime has no network protocols in its FFmpeg; an http:// MJPEG stream is read by PoseRT itself).");
            }
            return new VideoCaptureSource(capture, "stream " + url, isLive: true);
        }

        /// <summary>Opens a video file.</summary>
        public static IFrameSource OpenVideoFile(string path)
        {
            var capture = new VideoCapture(path);
            return new VideoCaptureSource(capture, "video " + Path.GetFileName(path), isLive: false);
        }
    }

    /// <summary>A camera, video file or stream read through OpenCV's <see cref="VideoCapture"/>.</summary>
    public sealed class VideoCaptureSource : IFrameSource
    {
        private readonly VideoCapture _capture;

        /// <summary>Wraps an opened capture; throws <see cref="CaptureException"/> (and disposes it) when it is not open.</summary>
        public VideoCaptureSource(VideoCapture capture, string description, bool isLive)
        {
            _capture = capture ?? throw new ArgumentNullException(nameof(capture));
            Description = description;
            IsLive = isLive;
            if (!capture.IsOpened())
            {
                capture.Dispose();
                throw new CaptureException($"Could not open {description}" + (isLive ? " (is it connected and not used by another program?)." : " (not a video OpenCV can decode?)."));
            }
            Fps = capture.Fps > 0 && capture.Fps < 1000 ? capture.Fps : 0;
        }

        /// <inheritdoc />
        public string Description { get; }

        /// <inheritdoc />
        public bool IsLive { get; }

        /// <inheritdoc />
        public double Fps { get; }

        /// <inheritdoc />
        public FrameReadStatus Read(Mat frame)
        {
            bool ok = _capture.Read(frame);
            if (ok && !frame.Empty()) return FrameReadStatus.Frame;
            // A file that stops returning frames has ended; a camera that does so has failed.
            return IsLive ? FrameReadStatus.Failed : FrameReadStatus.EndOfStream;
        }

        /// <inheritdoc />
        public void Dispose() => _capture.Dispose();
    }

    /// <summary>An image, or the images of a folder in name order, as frames.</summary>
    public sealed class ImageFolderSource : IFrameSource
    {
        private readonly string[] _files;
        private int _next;

        /// <summary>Reads the images of <paramref name="folder"/> (png, jpg, bmp, tif, webp) in ordinal name order.</summary>
        public ImageFolderSource(string folder)
            : this(ListImages(folder), "folder " + folder)
        {
        }

        /// <summary>Reads the given image files in order.</summary>
        public ImageFolderSource(IReadOnlyList<string> files, string description)
        {
            if (files == null || files.Count == 0) throw new CaptureException($"No images in {description}.");
            _files = new string[files.Count];
            for (int i = 0; i < files.Count; i++) _files[i] = files[i];
            Description = description;
        }

        /// <inheritdoc />
        public string Description { get; }

        /// <inheritdoc />
        public bool IsLive => false;

        /// <inheritdoc />
        public double Fps => 0;

        /// <summary>Image files in reading order.</summary>
        public IReadOnlyList<string> Files => _files;

        /// <summary>
        /// When set, an image that cannot be read (corrupt, truncated, too large: see <see cref="ImageFiles"/>) is
        /// skipped, counted in <see cref="SkippedFiles"/> and reported to this callback with the reason, and the next
        /// image is read; when null (the default) such an image ends the read with a <see cref="CaptureException"/>.
        /// </summary>
        public Action<string>? SkipUnreadable { get; set; }

        /// <summary>Images skipped so far because they could not be read (see <see cref="SkipUnreadable"/>).</summary>
        public int SkippedFiles { get; private set; }

        /// <inheritdoc />
        public FrameReadStatus Read(Mat frame)
        {
            if (frame == null) throw new ArgumentNullException(nameof(frame));
            while (_next < _files.Length)
            {
                string file = _files[_next++];
                Mat image;
                try
                {
                    image = ImageFiles.ReadBgr(file);
                }
                catch (Exception e) when (e is InvalidDataException || e is IOException || e is UnauthorizedAccessException)
                {
                    if (SkipUnreadable == null) throw new CaptureException(e.Message, e);
                    SkippedFiles++;
                    SkipUnreadable(e.Message);
                    continue;
                }
                using (image) image.CopyTo(frame);
                return FrameReadStatus.Frame;
            }
            return FrameReadStatus.EndOfStream;
        }

        private static string[] ListImages(string folder)
        {
            var files = new List<string>();
            foreach (var file in Directory.GetFiles(folder))
            {
                if (FrameSources.IsImageFile(file)) files.Add(file);
            }
            files.Sort(StringComparer.Ordinal);
            if (files.Count == 0) throw new CaptureException($"Folder '{folder}' has no images (png, jpg, bmp, tif, webp).");
            return files.ToArray();
        }

        /// <inheritdoc />
        public void Dispose()
        {
        }
    }
}
