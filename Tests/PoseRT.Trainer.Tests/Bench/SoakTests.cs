using PoseRT.Bench;

namespace PoseRT.Tests.Bench
{
    /// <summary>Measures the whole process's memory, so nothing else runs meanwhile.</summary>
    [CollectionDefinition(nameof(SoakTests), DisableParallelization = true)]
    public sealed class SoakCollection
    {
    }

    /// <summary>A short run of `posert-bench soak`: the tracker and estimator hold steady memory and allocate nothing per frame.</summary>
    [Collection(nameof(SoakTests))]
    public class SoakTests
    {
        [Fact]
        [Trait("Category", "Slow")]
        public void A_short_soak_keeps_memory_flat_and_allocates_nothing_per_frame()
        {
            var (frames, width, height) = ClipFrames.Load(RepoPaths.SampleVideo);
            Assert.NotEmpty(frames);
            string model = RepoPaths.DefaultModel;
            var r = SoakRun.Run(model, frames, width, height, count: 600, warmup: 300, threads: 2);
            Assert.Equal(600, r.Frames);
            Assert.Equal(0, r.BytesPerFrame);
            Assert.True(r.RssGrowthPercent < 5, $"RSS {r.RssStartMb:F1} -> {r.RssEndMb:F1} MB ({r.RssGrowthPercent:F1} %) over 600 frames");
            Assert.True(r.MeanMsPerFrame > 0);
        }
    }
}
