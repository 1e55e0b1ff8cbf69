using System;
using PoseRT.Runtime;

namespace PoseRT.Tests.Inference
{
    /// <summary>Counts the allocations of every thread of the process, so nothing else may run meanwhile.</summary>
    [CollectionDefinition(nameof(ProcessAllocationTests), DisableParallelization = true)]
    public sealed class ProcessAllocationCollection
    {
    }

    [Collection(nameof(ProcessAllocationTests))]
    public class ProcessAllocationTests
    {
        private const int ImageWidth = 160, ImageHeight = 120, Stride = 160 * 3 + 5;
        private static readonly byte[] Image = TestImages.Bgr(ImageWidth, ImageHeight, Stride);
        private static readonly BoundingBox[] Boxes = { new(30, 20, 40, 80), new(100, 10, 50, 60), new(-15, 60, 45, 90) };
        private static readonly float[] BoxScores = { 0.9f, 0.5f, 1f };

        private static ImageView View() => new(Image, ImageWidth, ImageHeight, Stride, PixelFormat.Bgr24);

        private static PoseEstimator Cpu(TestModel m, Action<PoseEstimatorOptions> configure)
        {
            var o = new PoseEstimatorOptions { Provider = ExecutionProvider.Cpu, CpuThreads = 1 };
            configure(o);
            return PoseEstimator.Load(m.Build(), o, "test-model");
        }

        [Fact]
        public void Crop_parallel_steady_state_allocates_nothing_on_any_thread()
        {
            var m = new TestModel();
            using var est = Cpu(m, o => { o.CpuThreads = 2; o.CpuParallelism = CpuParallelism.Crops; });
            var poses = new Pose[3];
            for (int i = 0; i < 5; i++) est.Estimate(View(), Boxes, BoxScores, poses);
            long before = GC.GetTotalAllocatedBytes(precise: true);
            for (int i = 0; i < 100; i++) est.Estimate(View(), Boxes, BoxScores, poses);
            long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
            // The whole process is counted (the worker thread too), so this class runs alone (see its collection); the
            // test host's own threads may still allocate a little meanwhile: allow far less than one object per frame.
            Assert.True(allocated < 2048, $"{allocated} bytes over 100 frames with two crop threads");
        }

    }
}
