using PoseRT.Trainer;
using PoseRT.Trainer.Training;
using TorchSharp;

namespace PoseRT.Tests.Training
{
    public class ScheduleAndLossTests
    {
        [Fact]
        public void Default_schedule_is_the_papers_1e3_then_1e4_at_170_and_1e5_at_200()
        {
            var o = new TrainOptions();
            Assert.Equal(210, o.Epochs);
            Assert.Equal(32, o.BatchSize);
            var s = new LearningRateSchedule(o.LearningRate, o.LrMilestones, o.LrFactor, o.WarmupSteps);
            Assert.Equal(1e-3, s.At(0, 0), 15);
            Assert.Equal(1e-3, s.At(169, 999_999), 15);
            Assert.Equal(1e-4, s.At(170, 0), 15);
            Assert.Equal(1e-4, s.At(199, 0), 15);
            Assert.Equal(1e-5, s.At(200, 0), 15);
            Assert.Equal(1e-5, s.At(209, 0), 15);
        }

        [Fact]
        public void Warmup_ramps_linearly_over_its_steps_then_follows_the_milestones()
        {
            var s = new LearningRateSchedule(1e-3, new[] { 2 }, 0.5, warmupSteps: 4);
            Assert.Equal(0.25e-3, s.At(0, 0), 15);
            Assert.Equal(0.75e-3, s.At(0, 2), 15);
            Assert.Equal(1e-3, s.At(0, 3), 15);
            Assert.Equal(1e-3, s.At(1, 10), 15);
            Assert.Equal(0.5e-3, s.At(2, 11), 15);
        }

        [Fact]
        public void JointsMse_is_half_the_weighted_mean_square_error_as_in_SimpleBaselines()
        {
            TorchRuntime.EnsureLoaded();
            using var scope = torch.NewDisposeScope();
            // 1 sample, 2 joints, 1x2 maps. Joint 0 weight 1: errors (1, 3) -> MSE 5. Joint 1 weight 0: ignored (0).
            var pred = torch.tensor(new float[] { 1, 3, 100, -100 }, new long[] { 1, 2, 1, 2 });
            var gt = torch.tensor(new float[] { 0, 0, 0, 0 }, new long[] { 1, 2, 1, 2 });
            var w = torch.tensor(new float[] { 1, 0 }, new long[] { 1, 2, 1 });
            // 0.5 * mean_j MSE_j = 0.5 * (5 + 0) / 2 = 1.25
            Assert.Equal(1.25f, JointsMseLoss.Compute(pred, gt, w).item<float>(), 6);
            // Weight 2 scales the joint's squared error by 4 (the weight multiplies prediction and target).
            var w2 = torch.tensor(new float[] { 2, 0 }, new long[] { 1, 2, 1 });
            Assert.Equal(5f, JointsMseLoss.Compute(pred, gt, w2).item<float>(), 6);
        }
    }
}
