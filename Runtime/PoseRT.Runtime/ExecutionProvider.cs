using System;
using PoseRT.Runtime.Model;

namespace PoseRT.Runtime
{
    /// <summary>Where ONNX Runtime executes the network.</summary>
    public enum ExecutionProvider
    {
        /// <summary>DirectML on Windows when the DirectML build is loaded, else CUDA when available and working, else CPU. <see cref="PoseEstimator.ProviderReport"/> says what was chosen and why.</summary>
        Auto,

        /// <summary>ONNX Runtime's CPU provider (<see cref="PoseEstimatorOptions.CpuThreads"/> threads).</summary>
        Cpu,

        /// <summary>NVIDIA CUDA (<see cref="PoseEstimatorOptions.DeviceId"/>); needs the Microsoft.ML.OnnxRuntime.Gpu native build and CUDA/cuDNN.</summary>
        Cuda,

        /// <summary>DirectML on Windows (<see cref="PoseEstimatorOptions.DeviceId"/>); needs the Microsoft.ML.OnnxRuntime.DirectML native build.</summary>
        DirectML,
    }
}
