using System;
using System.Reflection;
using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;

namespace PoseRT.Runtime
{
    /// <summary>
    /// The ONNX Runtime native library is missing, or older than the managed ONNX Runtime API needs
    /// (managed 1.N asks the native library for C API version N). The message names the NuGet package and
    /// the minimum version to add; <see cref="Exception.InnerException"/> is ONNX Runtime's own error.
    /// </summary>
    public sealed class OnnxRuntimeNativeException : Exception
    {
        /// <summary>Creates the exception.</summary>
        public OnnxRuntimeNativeException(string message, string packageId, string minimumVersion, Exception? inner = null)
            : base(message, inner)
        {
            PackageId = packageId;
            MinimumVersion = minimumVersion;
        }

        /// <summary>The NuGet package that brings the native library for the CPU (GPU builds are named in the message).</summary>
        public string PackageId { get; }

        /// <summary>The oldest native ONNX Runtime version that the loaded managed API works with, e.g. "1.31".</summary>
        public string MinimumVersion { get; }
    }
}
