using PoseRT.Trainer;
using TorchSharp;
using static TorchSharp.torch;

namespace PoseRT.Tests.Native
{
    public class TorchSharpSmokeTests
    {
        [Fact]
        public void LibTorch_loads_in_the_test_process()
        {
            TorchRuntime.EnsureLoaded();
            using var x = torch.ones(3);
            Assert.Equal(3f, x.sum().item<float>());
        }

        [Fact]
        public void Conv2d_forward_and_backward_compute_the_expected_gradient()
        {
            TorchRuntime.EnsureLoaded();
            using var scope = torch.NewDisposeScope();
            // A 3x3 all-ones kernel over an all-ones 1x1x5x5 image: each valid output is 9,
            // and d(sum of outputs)/d(weight) counts how many outputs each tap touches (3x3 = 9).
            var conv = nn.Conv2d(1, 1, 3, bias: false);
            using (torch.no_grad()) conv.weight!.fill_(1f);
            var input = torch.ones(1, 1, 5, 5);
            var output = conv.forward(input);
            Assert.Equal(new long[] { 1, 1, 3, 3 }, output.shape);
            Assert.Equal(81f, output.sum().item<float>());
            output.sum().backward();
            var grad = conv.weight!.grad!;
            Assert.All(grad.data<float>().ToArray(), g => Assert.Equal(9f, g));
        }
    }
}
