using System;
using System.Reflection;
using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;

namespace PoseRT.Runtime.Inference
{
    /// <summary>First contact with the native ONNX Runtime, with a PoseRT error for a missing or too-old library.</summary>
    internal static class OnnxRuntimeNative
    {
        internal const string CpuPackage = "Microsoft.ML.OnnxRuntime";

        /// <summary>OrtEnv.Instance().GetAvailableProviders(), the Runtime's first ONNX Runtime call.</summary>
        internal static string[] GetAvailableProviders()
        {
            try
            {
                return OrtEnv.Instance().GetAvailableProviders();
            }
            catch (Exception e) when (Explain(e, ManagedVersion(), NativeVersion) is { } explained)
            {
                throw explained;
            }
        }

        /// <summary>
        /// A PoseRT error for ONNX Runtime's failure to start, or null when <paramref name="error"/> is something
        /// else. <paramref name="managedVersion"/> is the managed package's version ("1.31.1");
        /// <paramref name="nativeVersion"/> asks the native library for its own (null when it cannot tell).
        /// </summary>
        internal static OnnxRuntimeNativeException? Explain(Exception error, string managedVersion, Func<string?> nativeVersion)
        {
            Exception root = error is TypeInitializationException { InnerException: { } inner } ? inner : error;
            string minimum = MajorMinor(managedVersion);
            string add = $"add the NuGet package {CpuPackage} {managedVersion} or later to the application " +
                         $"(GPU builds of the same version: Microsoft.ML.OnnxRuntime.Gpu.Linux, Microsoft.ML.OnnxRuntime.Gpu.Windows, Microsoft.ML.OnnxRuntime.DirectML), " +
                         "or, in a host such as Unity, copy that package's native library for the platform " +
                         "(runtimes/<rid>/native: onnxruntime.dll, libonnxruntime.so, libonnxruntime.dylib) next to the plugins";
            switch (root)
            {
                case DllNotFoundException:
                    return new OnnxRuntimeNativeException(
                        $"PoseRT: the ONNX Runtime native library (onnxruntime) was not found; the managed ONNX Runtime {managedVersion} needs native ONNX Runtime {minimum} or later: {add}. ({root.Message})",
                        CpuPackage, minimum, error);
                case EntryPointNotFoundException:
                    return new OnnxRuntimeNativeException(
                        $"PoseRT: the library loaded as 'onnxruntime' has no OrtGetApiBase, so it is not ONNX Runtime (or a very old one); the managed ONNX Runtime {managedVersion} needs native ONNX Runtime {minimum} or later: {add}. ({root.Message})",
                        CpuPackage, minimum, error);
                case InvalidOperationException when root.Message.IndexOf("does not support API version", StringComparison.Ordinal) >= 0:
                    string found = nativeVersion() is { } v ? "is version " + v : "is older";
                    return new OnnxRuntimeNativeException(
                        $"PoseRT: the ONNX Runtime native library {found}, but the managed ONNX Runtime {managedVersion} needs native ONNX Runtime {minimum} or later " +
                        $"(the native package's version must be at least the managed one's): {add}. ({root.Message})",
                        CpuPackage, minimum, error);
                default:
                    return null;
            }
        }

        /// <summary>The version of the managed ONNX Runtime package in use ("1.31.1"), from its assembly.</summary>
        internal static string ManagedVersion()
        {
            Assembly ort = typeof(OrtEnv).Assembly;
            string? informational = ort.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
            if (!string.IsNullOrEmpty(informational))
            {
                int plus = informational!.IndexOf('+');
                return plus < 0 ? informational : informational.Substring(0, plus);
            }
            Version? v = ort.GetName().Version;
            return v == null ? "?" : $"{v.Major}.{v.Minor}.{Math.Max(v.Build, 0)}";
        }

        private static string MajorMinor(string version)
        {
            string[] parts = version.Split('.');
            return parts.Length >= 2 ? parts[0] + "." + parts[1] : version;
        }

        // OrtGetApiBase()->GetVersionString(): valid for every ONNX Runtime version, whatever its API version.
        [DllImport("onnxruntime", EntryPoint = "OrtGetApiBase")]
        private static extern IntPtr OrtGetApiBase();

        [UnmanagedFunctionPointer(CallingConvention.Winapi)]
        private delegate IntPtr GetVersionStringFn();

        /// <summary>The loaded native library's version ("1.30.0"), or null when it cannot be asked.</summary>
        internal static string? NativeVersion()
        {
            try
            {
                IntPtr apiBase = OrtGetApiBase();
                if (apiBase == IntPtr.Zero) return null;
                IntPtr getVersion = Marshal.ReadIntPtr(apiBase, IntPtr.Size);   // struct OrtApiBase { GetApi; GetVersionString; }
                if (getVersion == IntPtr.Zero) return null;
                return Marshal.PtrToStringAnsi(Marshal.GetDelegateForFunctionPointer<GetVersionStringFn>(getVersion)());
            }
            catch (Exception e) when (e is DllNotFoundException || e is EntryPointNotFoundException || e is BadImageFormatException)
            {
                return null;
            }
        }
    }
}
