using System;
using PoseRT.Runtime;
using PoseRT.Runtime.Inference;
using PoseRT.Runtime.Model;

namespace PoseRT.Tests.Inference
{
    public class ModelLoadingTests
    {
        private static readonly PoseEstimatorOptions CpuOptions = new() { Provider = ExecutionProvider.Cpu, CpuThreads = 1 };

        private static InvalidPoseModelException Fails(byte[] model, PoseEstimatorOptions? options = null) =>
            Assert.Throws<InvalidPoseModelException>(() => PoseEstimator.Load(model, options ?? CpuOptions, "bad.onnx"));

        [Fact]
        public void Bytes_that_are_not_onnx_fail_naming_the_source()
        {
            var e = Fails(new byte[] { 1, 2, 3, 4, 5, 6, 7, 8 });
            Assert.StartsWith("bad.onnx: ONNX Runtime cannot load it", e.Message);
        }

        [Fact]
        public void A_file_that_is_not_onnx_is_named()
        {
            var path = System.IO.Path.Combine(RepoPaths.NewTempDir("runtime-bad"), "notes.onnx");
            System.IO.File.WriteAllText(path, "this is not a model");
            var e = Assert.Throws<InvalidPoseModelException>(() => PoseEstimator.Load(path, CpuOptions));
            Assert.StartsWith(path + ": ONNX Runtime cannot load it", e.Message);
        }

        [Fact]
        public void A_missing_file_is_named()
        {
            var e = Assert.Throws<System.IO.FileNotFoundException>(() => PoseEstimator.Load("/no/such/model.onnx", CpuOptions));
            Assert.Contains("/no/such/model.onnx", e.Message);
        }

        [Fact]
        public void A_model_without_metadata_needs_a_fallback_description()
        {
            var m = new TestModel { WriteMetadata = false };
            var e = Fails(m.Build());
            Assert.Contains("no PoseRT metadata", e.Message);
            Assert.Contains("FallbackModelInfo", e.Message);

            var o = new PoseEstimatorOptions { Provider = ExecutionProvider.Cpu, FallbackModelInfo = m.Info() };
            using var est = PoseEstimator.Load(m.Build(), o);
            Assert.Equal(48, est.ModelInfo.InputWidth);
        }

        [Fact]
        public void Metadata_that_disagrees_with_the_graph_is_reported_with_both_shapes()
        {
            var m = new TestModel();
            var claimed = m.Info() with { InputWidth = 96 };   // the graph takes 48
            var e = Fails(m.Build(claimed));
            Assert.Contains("input 'image' has shape [?, 3, 64, 48]", e.Message);
            Assert.Contains("[N, 3, 64, 96]", e.Message);
        }

        [Fact]
        public void Wrong_keypoint_count_in_the_output_is_reported()
        {
            var m = new TestModel();
            m.Keypoints = 5;
            m.Weights = new float[5 * 3];
            m.Bias = new float[5];
            var e = Fails(m.Build(new TestModel().Info()));
            Assert.Contains("output 'heatmaps' has shape [?, 5, 16, 12]", e.Message);
            Assert.Contains("[N, 17, 16, 12]", e.Message);
        }

        [Fact]
        public void A_single_channel_input_is_rejected()
        {
            var m = new TestModel { InputChannels = 1 };
            m.Weights = new float[17];
            var e = Fails(m.Build());
            Assert.Contains("[?, 1, 64, 48]", e.Message);
        }

        [Fact]
        public void Two_inputs_are_rejected()
        {
            var e = Fails(new TestModel { SecondInput = true }.Build());
            Assert.Contains("one input", e.Message);
            Assert.Contains("has 2", e.Message);
        }

        [Fact]
        public void Shapes_known_only_at_run_time_are_checked_by_a_test_run_at_load()
        {
            // Declares symbolic H and W, so the declared shapes pass; the metadata claims stride 2, the conv has stride 4.
            var m = new TestModel { SymbolicSpatialDims = true };
            var claimed = m.Info() with { HeatmapStride = 2 };
            var e = Fails(m.Build(claimed));
            Assert.Contains("a test run failed", e.Message);
            Assert.Contains("[N, 17, 32, 24]", e.Message);

            // The same graph with honest metadata loads.
            using var ok = PoseEstimator.Load(m.Build(), CpuOptions);
            Assert.Equal(12, ok.ModelInfo.HeatmapWidth);
        }

        [Fact]
        public void Broken_metadata_names_the_key()
        {
            var m = new TestModel();
            var info = m.Info() with { Std = new[] { 0.2f, 0f, 0.2f } };
            var e = Fails(m.Build(info));
            Assert.Contains("Std", e.Message);
        }

        [Fact]
        public void More_keypoints_than_a_pose_holds_are_rejected()
        {
            var m = new TestModel { Keypoints = 18 };
            m.Weights = new float[18 * 3];
            m.Bias = new float[18];
            var names = new string[18];
            for (int i = 0; i < 18; i++) names[i] = "k" + i;
            var info = m.Info() with { Keypoints = new KeypointSchema(names, Array.Empty<(int, int)>(), Array.Empty<(int, int)>(), Array.Empty<BodyPart>(), Array.Empty<double>()) };
            var e = Fails(m.Build(info));
            Assert.Contains("18 keypoints", e.Message);
        }
    }

    public class ExecutionProviderTests
    {
        private static readonly byte[] Model = new TestModel().Build();

        [Fact]
        public void Cuda_missing_from_the_cpu_build_names_the_gpu_package()
        {
            var e = Assert.Throws<NotSupportedException>(() => PoseEstimator.Load(Model, new PoseEstimatorOptions { Provider = ExecutionProvider.Cuda }));
            Assert.Contains("Microsoft.ML.OnnxRuntime.Gpu.Linux", e.Message);
            Assert.Contains("CPUExecutionProvider", e.Message);
        }

        [Fact]
        public void DirectML_off_windows_says_so()
        {
            var e = Assert.Throws<NotSupportedException>(() => PoseEstimator.Load(Model, new PoseEstimatorOptions { Provider = ExecutionProvider.DirectML }));
            Assert.Contains(OperatingSystem.IsWindows() ? "Microsoft.ML.OnnxRuntime.DirectML" : "only on Windows", e.Message);
        }

        [Fact]
        public void Auto_falls_back_to_cpu_and_reports_why()
        {
            using var est = PoseEstimator.Load(Model);
            Assert.Equal(ExecutionProvider.Cpu, est.Provider);
            Assert.StartsWith("CPU (auto;", est.ProviderReport);
            Assert.Contains("CUDA not in this native build", est.ProviderReport);
        }

        [Fact]
        public void Auto_survives_providers_that_are_listed_but_cannot_start()
        {
            // Pretend the native build lists DirectML and CUDA on Windows: appending them to the real CPU-only
            // library fails, and Auto must land on the CPU, saying what failed.
            using var so = ExecutionProviders.Create(new PoseEstimatorOptions(),
                new[] { ExecutionProviders.DmlName, ExecutionProviders.CudaName, ExecutionProviders.CpuName }, isWindows: true,
                out var chosen, out var report);
            Assert.Equal(ExecutionProvider.Cpu, chosen);
            Assert.Contains("DirectML failed", report);
            Assert.Contains("CUDA failed", report);
        }

        [Fact]
        public void Requested_cuda_that_cannot_start_explains()
        {
            var e = Assert.Throws<NotSupportedException>(() => ExecutionProviders.Create(new PoseEstimatorOptions { Provider = ExecutionProvider.Cuda },
                new[] { ExecutionProviders.CudaName, ExecutionProviders.CpuName }, isWindows: false, out _, out _));
            Assert.Contains("failed to start on device 0", e.Message);
        }

        [Fact]
        public void Bad_options_are_named()
        {
            var e = Assert.Throws<ArgumentOutOfRangeException>(() => PoseEstimator.Load(Model, new PoseEstimatorOptions { MaxBoxesPerRun = 0 }));
            Assert.Equal("MaxBoxesPerRun", e.ParamName);
        }
    }
}
