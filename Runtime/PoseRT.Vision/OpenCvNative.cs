using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using OpenCvSharp;

namespace PoseRT.Vision
{
    /// <summary>Thrown when OpenCV's native library cannot be loaded; the message says what to install.</summary>
    public sealed class OpenCvUnavailableException : Exception
    {
        /// <summary>Creates the exception.</summary>
        public OpenCvUnavailableException(string message, Exception? inner = null) : base(message, inner) { }
    }

    /// <summary>
    /// Loads OpenCV's native library once and turns a failure into an actionable message.
    /// Without this, a missing system library (GTK on a headless Debian) surfaces as a
    /// <see cref="TypeInitializationException"/> from the first OpenCV call.
    /// </summary>
    public static class OpenCvNative
    {
        private static readonly object Gate = new();
        private static string? _version;

        // Shared libraries OpenCvSharpExtern pulls in on Debian/Ubuntu, and the package that ships each.
        private static readonly Dictionary<string, string> PackageBySoname = new(StringComparer.Ordinal)
        {
            ["libgtk-3.so.0"] = "libgtk-3-0",
            ["libgdk-3.so.0"] = "libgtk-3-0",
            ["libgdk_pixbuf-2.0.so.0"] = "libgdk-pixbuf-2.0-0",
            ["libglib-2.0.so.0"] = "libglib2.0-0",
            ["libgobject-2.0.so.0"] = "libglib2.0-0",
            ["libgthread-2.0.so.0"] = "libglib2.0-0",
            ["libcairo.so.2"] = "libcairo2",
            ["libpango-1.0.so.0"] = "libpango-1.0-0",
            ["libgomp.so.1"] = "libgomp1",
            ["libdc1394.so.25"] = "libdc1394-25",
            ["libtesseract.so.5"] = "libtesseract5",
        };

        /// <summary>The loaded OpenCV version. Throws <see cref="OpenCvUnavailableException"/> when the native library cannot load.</summary>
        public static string EnsureAvailable()
        {
            lock (Gate)
            {
                if (_version != null) return _version;
                try
                {
                    var version = Cv2.GetVersionString() ?? "unknown";
                    _version = version;
                    return version;
                }
                catch (Exception e) when (e is TypeInitializationException || e is DllNotFoundException || e is BadImageFormatException)
                {
                    throw new OpenCvUnavailableException(Explain(ProbeLoadError() ?? Innermost(e).Message), e);
                }
            }
        }

        /// <summary>
        /// Turns a dynamic loader error (as <c>dlerror</c> words it) into advice: which library is
        /// missing and which Debian package provides it.
        /// </summary>
        public static string Explain(string loaderError)
        {
            var match = Regex.Match(loaderError, @"(lib[\w.+-]+\.so(\.\d+)*): cannot open shared object file");
            if (!match.Success)
            {
                return "OpenCV's native library (OpenCvSharpExtern) could not be loaded: " + loaderError +
                       ". On Linux, the OpenCvSharp4.official.runtime.linux-x64 package must be referenced; see README 'Platform notes'.";
            }
            var soname = match.Groups[1].Value;
            var package = PackageBySoname.TryGetValue(soname, out var known) ? known : null;
            var install = package != null
                ? $"Install it with: sudo apt-get install {package} (or run tools/setup/install-deps.sh)."
                : $"Install the package that provides it (Debian: apt-file search {soname}).";
            return $"OpenCV's native library could not be loaded because the system library {soname} is missing. {install}";
        }

        private static Exception Innermost(Exception e)
        {
            while (e.InnerException != null) e = e.InnerException;
            return e;
        }

        // The type initializer's message hides the loader's words; loading the library ourselves recovers them.
        private static string? ProbeLoadError()
        {
            string file = RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? "OpenCvSharpExtern.dll"
                : RuntimeInformation.IsOSPlatform(OSPlatform.OSX) ? "libOpenCvSharpExtern.dylib"
                : "libOpenCvSharpExtern.so";
            var candidates = new List<string> { Path.Combine(AppContext.BaseDirectory, file) };
            var runtimes = Path.Combine(AppContext.BaseDirectory, "runtimes");
            if (Directory.Exists(runtimes))
                candidates.AddRange(Directory.GetFiles(runtimes, file, SearchOption.AllDirectories));
            foreach (var path in candidates)
            {
                if (!File.Exists(path)) continue;
                try
                {
                    NativeLibrary.Free(NativeLibrary.Load(path));
                }
                catch (DllNotFoundException e)
                {
                    return e.Message;
                }
            }
            return null;
        }
    }
}
