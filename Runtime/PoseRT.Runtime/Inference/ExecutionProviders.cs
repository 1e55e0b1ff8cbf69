using System;
using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;

namespace PoseRT.Runtime.Inference
{
    /// <summary>Builds ONNX Runtime session options for the requested provider, or says clearly why it cannot.</summary>
    internal static class ExecutionProviders
    {
        internal const string CpuName = "CPUExecutionProvider";
        internal const string CudaName = "CUDAExecutionProvider";
        internal const string DmlName = "DmlExecutionProvider";

        internal const string CudaPackageHint =
            "reference the CUDA build of ONNX Runtime (NuGet Microsoft.ML.OnnxRuntime.Gpu.Linux on Linux, Microsoft.ML.OnnxRuntime.Gpu.Windows on Windows; " +
            "in this repository build with -p:PoseRTCuda=true) and install CUDA 12 and cuDNN 9";

        internal const string DmlPackageHint =
            "reference the DirectML build of ONNX Runtime (NuGet Microsoft.ML.OnnxRuntime.DirectML, Windows only)";

        /// <summary>
        /// Session options for <paramref name="options"/>. <paramref name="available"/> is what the loaded native
        /// build offers (OrtEnv.GetAvailableProviders), passed in so tests can check the decisions.
        /// </summary>
        internal static SessionOptions Create(PoseEstimatorOptions options, string[] available, bool isWindows,
            out ExecutionProvider chosen, out string report)
        {
            var so = NewSessionOptions();
            try
            {
                string list = string.Join(", ", available);
                switch (options.Provider)
                {
                    case ExecutionProvider.Cpu:
                        chosen = ExecutionProvider.Cpu;
                        report = "CPU (requested)";
                        break;

                    case ExecutionProvider.Cuda:
                        if (Array.IndexOf(available, CudaName) < 0)
                            throw new NotSupportedException($"CUDA was requested, but the loaded ONNX Runtime native build has no CUDA provider (it has: {list}); {CudaPackageHint}.");
                        string? cudaError = TryCuda(so, options.DeviceId);
                        if (cudaError != null)
                            throw new NotSupportedException($"CUDA was requested, but its provider failed to start on device {options.DeviceId}: {cudaError}. Check the CUDA 12 / cuDNN 9 installation, or {CudaPackageHint}.");
                        chosen = ExecutionProvider.Cuda;
                        report = $"CUDA device {options.DeviceId} (requested)";
                        break;

                    case ExecutionProvider.DirectML:
                        if (!isWindows)
                            throw new NotSupportedException($"DirectML was requested, but DirectML exists only on Windows; use Cuda or Cpu here (this native build has: {list}).");
                        if (Array.IndexOf(available, DmlName) < 0)
                            throw new NotSupportedException($"DirectML was requested, but the loaded ONNX Runtime native build has no DirectML provider (it has: {list}); {DmlPackageHint}.");
                        string? dmlError = TryDirectML(so, options.DeviceId);
                        if (dmlError != null)
                            throw new NotSupportedException($"DirectML was requested, but its provider failed to start on device {options.DeviceId}: {dmlError}.");
                        chosen = ExecutionProvider.DirectML;
                        report = $"DirectML device {options.DeviceId} (requested)";
                        break;

                    default:
                        string notes;
                        if (!isWindows) notes = "DirectML skipped (not Windows)";
                        else if (Array.IndexOf(available, DmlName) < 0) notes = "DirectML not in this native build";
                        else
                        {
                            string? e = TryDirectML(so, options.DeviceId);
                            if (e == null)
                            {
                                chosen = ExecutionProvider.DirectML;
                                report = $"DirectML device {options.DeviceId} (auto)";
                                break;
                            }
                            notes = "DirectML failed: " + e;
                        }
                        if (Array.IndexOf(available, CudaName) < 0) notes += "; CUDA not in this native build";
                        else
                        {
                            string? e = TryCuda(so, options.DeviceId);
                            if (e == null)
                            {
                                chosen = ExecutionProvider.Cuda;
                                report = $"CUDA device {options.DeviceId} (auto; {notes})";
                                break;
                            }
                            notes += "; CUDA failed: " + e;
                        }
                        chosen = ExecutionProvider.Cpu;
                        report = $"CPU (auto; {notes})";
                        break;
                }
                if (chosen == ExecutionProvider.Cpu)
                {
                    // Crops: every run is single-threaded and the estimator runs slices of the batch side by side.
                    if (options.CpuParallelism == CpuParallelism.Crops) so.IntraOpNumThreads = 1;
                    else if (options.CpuThreads > 0) so.IntraOpNumThreads = options.CpuThreads;
                }
                return so;
            }
            catch
            {
                so.Dispose();
                throw;
            }
        }

        /// <summary>The settings every PoseRT session starts from: all graph optimisations, including the NCHWc layout (docs/performance.md).</summary>
        internal static SessionOptions NewSessionOptions() => new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };

        internal static bool IsWindows => RuntimeInformation.IsOSPlatform(OSPlatform.Windows);

        private static string? TryCuda(SessionOptions so, int deviceId)
        {
            try
            {
                so.AppendExecutionProvider_CUDA(deviceId);
                return null;
            }
            catch (Exception e) when (e is OnnxRuntimeException || e is EntryPointNotFoundException || e is DllNotFoundException)
            {
                return e.Message;
            }
        }

        private static string? TryDirectML(SessionOptions so, int deviceId)
        {
            try
            {
                // DirectML cannot use ONNX Runtime's memory pattern optimisation or parallel execution.
                so.EnableMemoryPattern = false;
                so.ExecutionMode = ExecutionMode.ORT_SEQUENTIAL;
                so.AppendExecutionProvider_DML(deviceId);
                return null;
            }
            catch (Exception e) when (e is OnnxRuntimeException || e is EntryPointNotFoundException || e is DllNotFoundException)
            {
                so.EnableMemoryPattern = true;
                return e.Message;
            }
        }
    }
}
