using System;
using PoseRT.Runtime;
using PoseRT.Runtime.Inference;

namespace PoseRT.Tests.Native
{
    /// <summary>
    /// The PoseRT errors for a missing or too-old native ONNX Runtime, from the exceptions ONNX Runtime's
    /// managed API really throws (its NativeMethods static constructor). PackageConsumerTests provokes both
    /// for real in a fresh application.
    /// </summary>
    public class OnnxRuntimeNativeTests
    {
        [Fact]
        public void Missing_native_library_names_the_package_and_minimum_version()
        {
            var raw = new TypeInitializationException("Microsoft.ML.OnnxRuntime.NativeMethods",
                new DllNotFoundException("Unable to load shared library 'onnxruntime' or one of its dependencies."));
            var e = OnnxRuntimeNative.Explain(raw, "1.31.1", () => throw new InvalidOperationException("must not be asked"));
            Assert.NotNull(e);
            Assert.Equal("Microsoft.ML.OnnxRuntime", e!.PackageId);
            Assert.Equal("1.31", e.MinimumVersion);
            Assert.Contains("native library (onnxruntime) was not found", e.Message);
            Assert.Contains("Microsoft.ML.OnnxRuntime 1.31.1 or later", e.Message);
            Assert.Contains("Unable to load shared library 'onnxruntime'", e.Message);
            Assert.Same(raw, e.InnerException);
        }

        [Fact]
        public void Too_old_native_library_says_which_version_it_is_and_which_is_needed()
        {
            var raw = new TypeInitializationException("Microsoft.ML.OnnxRuntime.NativeMethods",
                new InvalidOperationException("The native ONNX Runtime library does not support API version 31."));
            var e = OnnxRuntimeNative.Explain(raw, "1.31.1", () => "1.30.0");
            Assert.NotNull(e);
            Assert.Equal("1.31", e!.MinimumVersion);
            Assert.StartsWith("PoseRT: the ONNX Runtime native library is version 1.30.0, but the managed ONNX Runtime 1.31.1 needs native ONNX Runtime 1.31 or later", e.Message);
            Assert.Contains("Microsoft.ML.OnnxRuntime 1.31.1 or later", e.Message);
        }

        [Fact]
        public void Other_failures_are_left_alone()
        {
            Assert.Null(OnnxRuntimeNative.Explain(new TypeInitializationException("X", new InvalidOperationException("something else")), "1.31.1", () => null));
            Assert.Null(OnnxRuntimeNative.Explain(new ArgumentException("bad"), "1.31.1", () => null));
        }

        [Fact]
        public void Versions_of_the_loaded_libraries_are_read_from_them()
        {
            // This test process has the managed and native packages of one version (Directory.Packages.props).
            string managed = OnnxRuntimeNative.ManagedVersion();
            Assert.Matches(@"^1\.\d+\.\d+$", managed);
            Assert.Equal(managed, OnnxRuntimeNative.NativeVersion());
            Assert.NotEmpty(OnnxRuntimeNative.GetAvailableProviders());
        }
    }
}
