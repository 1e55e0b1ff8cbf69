using static TorchSharp.torch;

namespace PoseRT.Trainer.Training
{
    /// <summary>
    /// SimpleBaselines' JointsMSELoss with target weights: 0.5 * mean over joints of
    /// MSE(pred_j * w_j, gt_j * w_j), each MSE averaged over batch and heatmap pixels.
    /// </summary>
    public static class JointsMseLoss
    {
        /// <summary>Loss for predictions and targets (N,J,h,w) and weights (N,J,1) or (N,J).</summary>
        public static Tensor Compute(Tensor prediction, Tensor target, Tensor weight)
        {
            using var scope = NewDisposeScope();
            long n = prediction.shape[0], j = prediction.shape[1];
            var w = weight.reshape(n, j, 1);
            var p = prediction.reshape(n, j, -1) * w;
            var g = target.reshape(n, j, -1) * w;
            // mean over (batch, pixels) per joint, then mean over joints, times 0.5
            // == 0.5 * mean over everything, because every joint has the same element count.
            var loss = (p - g).square().mean() * 0.5;
            return loss.MoveToOuterDisposeScope();
        }
    }
}
