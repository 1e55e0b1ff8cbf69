using System;
using System.Linq;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using PoseRT.Trainer;
using PoseRT.Trainer.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PoseRT.Tests.Models
{
    /// <summary>Helpers shared by the model and export tests.</summary>
    internal static class ModelTestUtil
    {
        /// <summary>Loads LibTorch and keeps it to one thread: the test machine's cores are shared.</summary>
        public static void Init()
        {
            TorchRuntime.EnsureLoaded();
            torch.set_num_threads(1);
        }

        /// <summary>
        /// Gives every parameter and BN statistic a non-trivial value, so that parity tests exercise BN folding and the
        /// DY-ReLU coefficients (fresh models have zero DY residuals and identity BN), while activations stay O(1).
        /// Random deep nets are badly conditioned (measured: a 1e-7 relative input change moved the output of a random
        /// ReLU MobileNetV2 by 3e-4, of MobileNetV3-Large DY-ReLU-C by 6e-2), which would hide export errors behind
        /// rounding noise; positive BN shifts keep most units in their linear part and bring that to about 1e-5.
        /// </summary>
        public static void Randomize(PoseNet model, long seed)
        {
            torch.random.manual_seed(seed);
            var gen = new Generator((ulong)seed);
            using var _ = torch.no_grad();
            foreach (var (name, module) in model.named_modules())
            {
                switch (module)
                {
                    case Conv2d conv:
                        // fan-in scaling keeps O(1) activations in eval mode (fan-out init shrinks depthwise outputs,
                        // which only training-mode BN undoes), so the output really depends on the input.
                        long fanIn = conv.weight!.shape[1] * conv.weight.shape[2] * conv.weight.shape[3];
                        conv.weight.normal_(0, Math.Sqrt(2.0 / fanIn), gen);
                        break;
                    case BatchNorm2d bn:
                        bn.weight!.uniform_(0.6, 1.2, gen);
                        bn.bias!.uniform_(1.0, 2.0, gen);
                        break;
                    case DyRelu dy:
                        Param(dy, "fc1.weight").normal_(0, 1.0 / Math.Sqrt(dy.Channels), gen);
                        Param(dy, "fc1.bias").uniform_(-0.3, 0.3, gen);
                        Param(dy, "fc2.weight").normal_(0, 0.2, gen);
                        Param(dy, "fc2.bias").uniform_(-0.3, 0.3, gen);
                        break;
                    case PReLU p:
                        p.weight!.uniform_(0.0, 0.5, gen);
                        break;
                }
            }
            // Spatial attention weights large enough that pi varies over the map (and sometimes reaches the clamp at 1).
            foreach (var (_, module) in model.named_modules())
            {
                if (module is DyRelu { Variant: DyReluVariant.C } dy) Param(dy, "spatial.weight").normal_(0, 2.0 / Math.Sqrt(dy.Channels), gen);
            }
            // Heatmaps are O(1) (targets peak at 1): scale the output layer to give outputs of about unit spread.
            Param(model, "head.final.weight").mul_(0.3);
            Param(model, "head.final.bias").uniform_(-0.1, 0.1, gen);

            // Set the BN statistics from one training-mode pass over a calibration batch, as training would: with
            // arbitrary statistics the eval-mode signal dies out (DY-ReLU-C scales by about 1/3 per layer) or explodes.
            var momenta = new System.Collections.Generic.List<(BatchNorm2d, double?)>();
            foreach (var (_, module) in model.named_modules())
            {
                if (module is BatchNorm2d bn)
                {
                    momenta.Add((bn, bn.momentum));
                    bn.momentum = 1.0;
                }
            }
            model.train();
            var o = model.Options;
            long batch = Math.Max(4, 16 * 2048 / (o.InputHeight * o.InputWidth));
            using (var calibration = RandomInput(seed + 1000, batch, 3, o.InputHeight, o.InputWidth))
            using (var y = model.forward(calibration)) { }
            foreach (var (bn, m) in momenta)
            {
                bn.momentum = m;
                // A channel that was (nearly) constant on the calibration batch would get a huge eval-mode gain and
                // amplify rounding differences chaotically; floor each variance at half the layer's mean variance.
                var floor = bn.running_var!.mean().mul(0.5);
                bn.running_var.copy_(torch.maximum(bn.running_var, floor));
            }
            model.eval();
        }

        /// <summary>A reproducible N(0, 1) input tensor.</summary>
        public static torch.Tensor RandomInput(long seed, params long[] shape) => torch.randn(shape, generator: new Generator((ulong)seed));

        /// <summary>The parameter at state_dict path <paramref name="name"/> of <paramref name="module"/> (<c>fc1.weight</c>).</summary>
        public static Parameter Param(nn.Module module, string name)
        {
            foreach (var (n, p) in module.named_parameters())
            {
                if (n == name) return p;
            }
            throw new ArgumentException($"{module.GetType().Name} has no parameter '{name}'.", nameof(name));
        }

        /// <summary>Runs an ONNX model (bytes) on one float input with ONNX Runtime, single-threaded.</summary>
        public static float[] RunOnnx(byte[] model, float[] input, int[] dims, out int[] outputDims)
        {
            using var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1 };
            using var session = new InferenceSession(model, options);
            var tensor = new DenseTensor<float>(input, dims);
            using var results = session.Run(new[] { NamedOnnxValue.CreateFromTensor("image", tensor) });
            var output = results.First(r => r.Name == "heatmaps").AsTensor<float>();
            outputDims = output.Dimensions.ToArray();
            return output.ToArray();
        }

        /// <summary>Every value of <paramref name="model"/>'s state (parameters and buffers) in state_dict order, as floats.</summary>
        public static float[] StateValues(nn.Module model) =>
            model.state_dict().SelectMany(p => p.Value.to(ScalarType.Float32).data<float>().ToArray()).ToArray();

        public static float MaxAbsDiff(float[] a, float[] b)
        {
            Assert.Equal(a.Length, b.Length);
            float max = 0;
            for (int i = 0; i < a.Length; i++) max = Math.Max(max, Math.Abs(a[i] - b[i]));
            return max;
        }

        public static float Std(float[] a)
        {
            double mean = a.Average(v => (double)v);
            return (float)Math.Sqrt(a.Average(v => (v - mean) * (v - mean)));
        }
    }
}
