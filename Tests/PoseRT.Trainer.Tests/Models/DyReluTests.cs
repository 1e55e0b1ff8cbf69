using System;
using System.Linq;
using PoseRT.Trainer.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace PoseRT.Tests.Models
{
    /// <summary>DY-ReLU against the paper's equations (1), (4) and (5) on cases small enough to compute by hand.</summary>
    public class DyReluTests
    {
        // 2 sigmoid(t) - 1 = d  <=>  t = ln((1 + d) / (1 - d)).
        private static float Logit(double d) => (float)Math.Log((1 + d) / (1 - d));

        private static Tensor T(float[] values, params long[] shape) => torch.tensor(values).reshape(shape);

        [Fact]
        public void Variant_A_shares_one_function_over_channels_and_space()
        {
            ModelTestUtil.Init();
            using var dy = new DyRelu(2, DyReluVariant.A, new DyReluOptions());
            using (torch.no_grad())
            {
                // fc1 outputs 0, so the hyper function's output is fc2's bias: residuals (da1, da2, db1, db2).
                ModelTestUtil.Param(dy, "fc1.weight").zero_();
                ModelTestUtil.Param(dy, "fc1.bias").zero_();
                ModelTestUtil.Param(dy, "fc2.bias").copy_(torch.tensor(new[] { Logit(0.5), Logit(-0.5), Logit(0.2), Logit(0.4) }));
            }
            // a1 = 1 + 0.5 = 1.5, a2 = 0 - 0.5 = -0.5, b1 = 0.5 * 0.2 = 0.1, b2 = 0.5 * 0.4 = 0.2.
            // y = max(1.5x + 0.1, -0.5x + 0.2): x=2 -> 3.1, x=-1 -> 0.7, x=0 -> 0.2, x=0.5 -> 0.85.
            using var x = T(new[] { 2f, -1f, 0f, 0.5f }, 1, 2, 1, 2);
            using var y = dy.forward(x);
            AssertClose(new[] { 3.1f, 0.7f, 0.2f, 0.85f }, y);
        }

        [Fact]
        public void Variant_B_computes_per_channel_coefficients_from_the_pooled_input()
        {
            ModelTestUtil.Init();
            using var dy = new DyRelu(2, DyReluVariant.B, new DyReluOptions { Reduction = 2 });
            Assert.Equal(1, dy.Squeeze);
            using (torch.no_grad())
            {
                // Hidden unit h = relu(mean of channel 0); only output a^1 of channel 0 (index 0) reads it, with weight 1.
                ModelTestUtil.Param(dy, "fc1.weight").copy_(T(new[] { 1f, 0f }, 1, 2));
                ModelTestUtil.Param(dy, "fc1.bias").zero_();
                ModelTestUtil.Param(dy, "fc2.weight").zero_();
                ModelTestUtil.Param(dy, "fc2.weight")[0, 0] = torch.tensor(1f);
                ModelTestUtil.Param(dy, "fc2.bias").zero_();
            }
            // Channel 0 is constant ln 3, so t = ln 3, da = 2 sigmoid(ln 3) - 1 = 0.5 and a^1_0 = 1.5: y = 1.5 ln 3.
            // Channel 1 keeps the initial a = (1, 0), b = 0: y = relu(x).
            float l3 = (float)Math.Log(3);
            using var x = T(new[] { l3, l3, l3, -2f, 3f, 0.25f }, 1, 2, 1, 3);
            using var y = dy.forward(x);
            AssertClose(new[] { 1.5f * l3, 1.5f * l3, 1.5f * l3, 0f, 3f, 0.25f }, y);
        }

        [Fact]
        public void Spatial_attention_follows_equation_5_on_a_non_square_map()
        {
            ModelTestUtil.Init();
            using var dy = new DyRelu(1, DyReluVariant.C, new DyReluOptions());
            using (torch.no_grad())
            {
                ModelTestUtil.Param(dy, "spatial.weight").fill_(1f);
                ModelTestUtil.Param(dy, "spatial.bias").zero_();
            }
            // z = x on a 2 x 3 map (H != W); tau = 10, gamma = HW / 3 = 2.
            var z = new[] { 0f, 0f, 0f, 0f, 0f, 40f };
            using var x = T(z, 1, 1, 2, 3);
            using var pi = dy.SpatialAttention(x);
            Assert.Equal(new long[] { 1, 1, 2, 3 }, pi.shape);
            double sum = z.Sum(v => Math.Exp(v / 10.0));
            var expected = z.Select(v => (float)Math.Min(2.0 * Math.Exp(v / 10.0) / sum, 1.0)).ToArray();
            AssertClose(expected, pi);
            // The largest position is clamped at 1 (2 e^4 / (5 + e^4) = 1.83 before the clamp) ...
            Assert.Equal(1f, pi.data<float>()[5]);
            // ... and without the clamp the scaled softmax sums to gamma = HW/3, i.e. a mean of 1/3.
            using var flat = torch.tensor(z).div(10.0).softmax(0).mul(2.0);
            Assert.Equal(2.0, flat.sum().item<float>(), 5);
        }

        [Fact]
        public void Variant_C_equals_the_paper_form_with_a_and_b_scaled_by_pi()
        {
            ModelTestUtil.Init();
            var options = new DyReluOptions();
            using var dy = new DyRelu(2, DyReluVariant.C, options);
            using (torch.no_grad())
            {
                ModelTestUtil.Param(dy, "fc1.weight").zero_();
                ModelTestUtil.Param(dy, "fc1.bias").zero_();
                // Residuals per (coefficient, channel): a1 = (1.5, 0.8), a2 = (-0.5, 0.3), b1 = (0.1, -0.2), b2 = (0.2, 0.05).
                ModelTestUtil.Param(dy, "fc2.bias").copy_(torch.tensor(new[] { Logit(0.5), Logit(-0.2), Logit(-0.5), Logit(0.3), Logit(0.2), Logit(-0.4), Logit(0.4), Logit(0.1) }));
                ModelTestUtil.Param(dy, "spatial.weight").copy_(T(new[] { 1f, -1f }, 1, 2, 1, 1));
                ModelTestUtil.Param(dy, "spatial.bias").fill_(0.5f);
            }
            float[] xs = { 2f, -1f, 0.5f, -3f, 1f, 4f, 0f, -0.5f, 2.5f, 1.5f, -2f, 0.3f };
            using var x = T(xs, 1, 2, 2, 3);
            using var y = dy.forward(x);
            var a1 = new[] { 1.5, 0.8 };
            var a2 = new[] { -0.5, 0.3 };
            var b1 = new[] { 0.1, -0.2 };
            var b2 = new[] { 0.2, 0.05 };
            // Equation (5) by hand: z_hw = x_0hw - x_1hw + 0.5, gamma = 6 / 3 = 2.
            var zs = Enumerable.Range(0, 6).Select(i => xs[i] - xs[6 + i] + 0.5).ToArray();
            double sum = zs.Sum(v => Math.Exp(v / 10));
            var pi = zs.Select(v => Math.Min(2 * Math.Exp(v / 10) / sum, 1)).ToArray();
            var expected = new float[12];
            for (int c = 0; c < 2; c++)
            {
                for (int i = 0; i < 6; i++)
                {
                    double v = xs[c * 6 + i];
                    // The paper's form: max_k (pi a_k x + pi b_k).
                    expected[c * 6 + i] = (float)Math.Max(pi[i] * a1[c] * v + pi[i] * b1[c], pi[i] * a2[c] * v + pi[i] * b2[c]);
                }
            }
            AssertClose(expected, y);
        }

        [Theory]
        [InlineData(DyReluVariant.A)]
        [InlineData(DyReluVariant.B)]
        [InlineData(DyReluVariant.C)]
        public void At_initialisation_DY_ReLU_is_ReLU(DyReluVariant variant)
        {
            ModelTestUtil.Init();
            using var dy = new DyRelu(8, variant, new DyReluOptions());
            // Batch 1, non-square 5 x 3 map.
            using var x = ModelTestUtil.RandomInput(3, 1, 8, 5, 3);
            using var y = dy.forward(x);
            Assert.Equal(x.shape, y.shape);
            using var relu = nn.functional.relu(x);
            // Zero residuals give a = (1, 0), b = (0, 0): ReLU (Table 1); variant C's zero spatial conv makes the
            // attention uniform, pi = gamma / HW = 1/3 at every position, whatever the input.
            using var expected = variant == DyReluVariant.C ? relu.div(3.0) : relu.alias();
            AssertClose(expected.data<float>().ToArray(), y);
            if (variant != DyReluVariant.C) Assert.True(y.eq(relu).all().item<bool>(), "fresh DY-ReLU differs from ReLU");
            else
            {
                using var pi = dy.SpatialAttention(x);
                AssertClose(Enumerable.Repeat(1f / 3, 15).ToArray(), pi);
            }
        }

        [Fact]
        public void Options_with_the_wrong_number_of_alphas_are_rejected()
        {
            var e = Assert.Throws<ArgumentException>(() => new DyReluOptions { K = 3 }.Validate());
            Assert.Contains("alpha", e.Message);
        }

        private static void AssertClose(float[] expected, Tensor actual)
        {
            var a = actual.data<float>().ToArray();
            Assert.Equal(expected.Length, a.Length);
            for (int i = 0; i < a.Length; i++)
                Assert.True(Math.Abs(expected[i] - a[i]) <= 1e-5f, $"element {i}: expected {expected[i]}, got {a[i]}");
        }
    }
}
