using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PoseRT.Trainer.Training
{
    /// <summary>
    /// A small real heatmap network (conv-BN-ReLU, stride 4 like the pose models, with dropout so LibTorch's
    /// generator matters). Used to test and demonstrate the training machinery on generated tensors; the
    /// pose models themselves live in Models/.
    /// </summary>
    public sealed class SmallConvNet : nn.Module<Tensor, Tensor>
    {
        private readonly Sequential _body;

        /// <summary>Creates the network for <paramref name="inChannels"/> inputs and <paramref name="joints"/> heatmaps.</summary>
        public SmallConvNet(int inChannels, int joints, int width = 16) : base(nameof(SmallConvNet))
        {
            _body = nn.Sequential(
                ("conv1", nn.Conv2d(inChannels, width, 3, padding: 1, bias: false)),
                ("bn1", nn.BatchNorm2d(width)),
                ("relu1", nn.ReLU()),
                ("conv2", nn.Conv2d(width, width * 2, 3, stride: 2, padding: 1, bias: false)),
                ("bn2", nn.BatchNorm2d(width * 2)),
                ("relu2", nn.ReLU()),
                ("drop", nn.Dropout2d(0.1)),
                ("conv3", nn.Conv2d(width * 2, width * 2, 3, stride: 2, padding: 1, bias: false)),
                ("bn3", nn.BatchNorm2d(width * 2)),
                ("relu3", nn.ReLU()),
                ("conv4", nn.Conv2d(width * 2, width * 2, 3, padding: 1)),
                ("relu4", nn.ReLU()),
                ("head", nn.Conv2d(width * 2, joints, 1)));
            RegisterComponents();
        }

        /// <inheritdoc />
        public override Tensor forward(Tensor input) => _body.forward(input);

        /// <inheritdoc />
        protected override void Dispose(bool disposing)
        {
            if (disposing) _body.Dispose();
            base.Dispose(disposing);
        }
    }
}
