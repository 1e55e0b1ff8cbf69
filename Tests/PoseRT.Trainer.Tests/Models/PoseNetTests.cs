using System;
using System.IO;
using System.Linq;
using PoseRT.Trainer.Models;
using PoseRT.Trainer.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace PoseRT.Tests.Models
{
    public class PoseNetTests
    {
        [Fact]
        public void Heatmaps_are_a_quarter_of_a_non_square_input_for_batch_1()
        {
            ModelTestUtil.Init();
            using var model = PoseNet.Create(PoseNetOptions.Tiny());
            model.eval();
            using var _ = torch.no_grad();
            using var x = ModelTestUtil.RandomInput(1, 1, 3, 128, 96);
            using var y = model.forward(x);
            Assert.Equal(new long[] { 1, 17, 32, 24 }, y.shape);
            using var x2 = ModelTestUtil.RandomInput(2, 2, 3, 64, 160);
            using var y2 = model.forward(x2);
            Assert.Equal(new long[] { 2, 17, 16, 40 }, y2.shape);
        }

        [Fact]
        public void A_training_step_reaches_every_DY_ReLU_and_lowers_the_loss()
        {
            ModelTestUtil.Init();
            torch.random.manual_seed(4);
            var options = PoseNetOptions.Tiny();
            options.InputHeight = 64;
            options.InputWidth = 64;
            using var model = PoseNet.Create(options);
            model.train();
            using var optimizer = torch.optim.Adam(model.parameters(), 1e-3);
            using var x = ModelTestUtil.RandomInput(1, 2, 3, 64, 64);
            using var target = torch.rand(2, 17, 16, 16, generator: new Generator(2));
            float first = 0, last = 0;
            for (int step = 0; step < 5; step++)
            {
                using var scope = torch.NewDisposeScope();
                optimizer.zero_grad();
                var loss = nn.functional.mse_loss(model.forward(x), target);
                loss.backward();
                if (step == 0)
                {
                    // The zero-initialised second FC of every DY-ReLU gets a gradient, so the residuals can learn.
                    foreach (var (name, module) in model.named_modules())
                    {
                        if (module is DyRelu dy)
                            Assert.True(ModelTestUtil.Param(dy, "fc2.weight").grad!.abs().sum().item<float>() > 0, $"{name}.fc2 got no gradient");
                    }
                    first = loss.item<float>();
                }
                last = loss.item<float>();
                optimizer.step();
            }
            Assert.True(last < first, $"loss went from {first} to {last}");
        }

        [Fact]
        public void Dynamic_activations_remove_squeeze_excite_and_static_ones_keep_it()
        {
            ModelTestUtil.Init();
            using var dynamic = PoseNet.Create(new PoseNetOptions { Backbone = BackboneKind.MobileNetV3Small, BackboneActivation = ActivationKind.DyReluB, HeadActivation = ActivationKind.DyReluC });
            using var baseline = PoseNet.Create(new PoseNetOptions { Backbone = BackboneKind.MobileNetV3Small, BackboneActivation = ActivationKind.Static });
            var dynNames = dynamic.named_parameters().Select(p => p.name).ToList();
            var staticNames = baseline.named_parameters().Select(p => p.name).ToList();
            Assert.DoesNotContain(dynNames, n => n.Contains(".se."));
            Assert.Contains(staticNames, n => n.StartsWith("backbone.blocks.0.se.fc1", StringComparison.Ordinal));
            // Table 4 per-part choice: B in the backbone has no spatial branch; C in the head has one.
            Assert.DoesNotContain(dynNames, n => n.StartsWith("backbone.", StringComparison.Ordinal) && n.Contains(".spatial."));
            Assert.Contains(dynNames, n => n.StartsWith("head.blocks.3.expand.act.spatial", StringComparison.Ordinal));
            // MobileNetV3-Small's first block uses ReLU and the 4th h-swish in the static table.
            var acts = baseline.named_modules().Where(m => m.module is StaticActivation).ToDictionary(m => m.name, m => ((StaticActivation)m.module).Kind);
            Assert.Equal(ActivationKind.Relu, acts["backbone.blocks.0.depthwise.act"]);
            Assert.Equal(ActivationKind.HSwish, acts["backbone.blocks.3.expand.act"]);
            Assert.Equal(ActivationKind.Relu, acts["head.blocks.0.expand.act"]);
        }

        [Theory]
        [InlineData("resnet50", "dyrelu_c", "Unknown architecture 'resnet50'")]
        [InlineData("mobilenetv3_large", "swish", "Unknown activation 'swish'")]
        public void Unknown_names_are_rejected_with_the_name_and_the_choices(string backbone, string activation, string message)
        {
            var e = Assert.Throws<ArgumentException>(() =>
            {
                ModelNames.ParseBackbone(backbone);
                ModelNames.ParseActivation(activation);
            });
            Assert.Contains(message, e.Message);
            Assert.Contains("expected one of", e.Message);
        }

        [Theory]
        [InlineData("mobilenetv3_small", 0.5, 0.25, "dyrelu_c", null)]
        [InlineData("mobilenetv3_large", 1.0, 1.0, "static", null)]
        [InlineData("mobilenetv2", 0.5, 0.25, "relu", "dyrelu_c")]
        [InlineData("mobilenetv2", 1.4, 0.75, "dyrelu_b", "dyrelu_a")]
        public void Metadata_names_read_back_into_the_options_that_wrote_them(string backbone, double width, double headWidth, string activation, string? headActivation)
        {
            var written = new PoseNetOptions
            {
                Backbone = ModelNames.ParseBackbone(backbone), Width = width, HeadWidth = headWidth,
                BackboneActivation = ModelNames.ParseActivation(activation),
                HeadActivation = headActivation == null ? null : ModelNames.ParseActivation(headActivation),
                InputHeight = 256, InputWidth = 192,
            };
            var read = PoseNetOptions.FromNames(written.ArchitectureName, written.ActivationName, 256, 192);
            Assert.Equal(written.Backbone, read.Backbone);
            Assert.Equal(width, read.Width);
            Assert.Equal(headWidth, read.HeadWidth);
            Assert.Equal(written.BackboneActivation, read.BackboneActivation);
            Assert.Equal(written.EffectiveHeadActivation, read.EffectiveHeadActivation);
            Assert.Equal(written.ArchitectureName, read.ArchitectureName);
            Assert.Equal(written.ActivationName, read.ActivationName);
            Assert.Equal((256, 192), (read.InputHeight, read.InputWidth));
        }

        [Theory]
        [InlineData("resnet50_x0.5", "dyrelu_c", "does not start with a backbone name")]
        [InlineData("mobilenetv3_small_x", "dyrelu_c", "'_x' is not a positive multiplier")]
        [InlineData("mobilenetv3_small_x0.5_tail2", "dyrelu_c", "has '_tail2' after the backbone")]
        [InlineData("mobilenetv3_small_x0.5", "relu+relu+relu", "more than a backbone and a head activation")]
        [InlineData("mobilenetv3_small_x0.5", "dyrelu_d", "Unknown activation 'dyrelu_d'")]
        public void Unreadable_metadata_names_are_rejected_naming_the_part(string architecture, string activation, string message)
        {
            var e = Assert.Throws<ArgumentException>(() => PoseNetOptions.FromNames(architecture, activation, 256, 192));
            Assert.Contains(message, e.Message);
        }

        [Theory]
        [InlineData(250, 192)]
        [InlineData(256, 100)]
        [InlineData(0, 192)]
        public void Input_sizes_not_divisible_by_32_are_rejected(int height, int width)
        {
            var e = Assert.Throws<ArgumentException>(() => PoseNet.Create(new PoseNetOptions { InputHeight = height, InputWidth = width }));
            Assert.Contains($"{height}x{width}", e.Message);
            Assert.Contains("multiples of 32", e.Message);
        }

        [Fact]
        public void Forward_rejects_a_tensor_of_the_wrong_shape()
        {
            ModelTestUtil.Init();
            using var model = PoseNet.Create(PoseNetOptions.Tiny());
            using var gray = torch.zeros(1, 1, 64, 64);
            Assert.Contains("N x 3 x H x W", Assert.Throws<ArgumentException>(() => model.forward(gray)).Message);
            using var odd = torch.zeros(1, 3, 70, 64);
            Assert.Contains("70x64", Assert.Throws<ArgumentException>(() => model.forward(odd)).Message);
        }

        [Theory]
        [InlineData("weights.dat")]
        [InlineData("weights.pt")]
        public void Weights_round_trip_in_both_formats(string fileName)
        {
            ModelTestUtil.Init();
            var dir = Directory.CreateTempSubdirectory("posert-weights-");
            try
            {
                var path = Path.Combine(dir.FullName, fileName);
                var options = PoseNetOptions.Tiny();
                options.InputHeight = 64;
                options.InputWidth = 64;
                using var a = PoseNet.Create(options);
                ModelTestUtil.Randomize(a, 5);
                PoseNetWeights.Save(a, path);
                Assert.Single(Directory.GetFiles(dir.FullName)); // no temporary file left behind
                using var b = PoseNet.Create(options);
                PoseNetWeights.Load(b, path);
                b.eval();
                using var _ = torch.no_grad();
                using var x = ModelTestUtil.RandomInput(9, 1, 3, 64, 64);
                using var ya = a.forward(x);
                using var yb = b.forward(x);
                Assert.Equal(ya.data<float>().ToArray(), yb.data<float>().ToArray());
            }
            finally
            {
                dir.Delete(true);
            }
        }

        [Fact]
        public void Weights_load_by_content_whatever_the_file_name_says()
        {
            ModelTestUtil.Init();
            var dir = Directory.CreateTempSubdirectory("posert-weights-");
            try
            {
                var options = PoseNetOptions.Tiny();
                using var a = PoseNet.Create(options);
                ModelTestUtil.Randomize(a, 6);
                // A training run writes TorchSharp weights named best.pt / final.pt; a PyTorch state_dict may be named anything.
                var torchSharp = Path.Combine(dir.FullName, TrainingSession.BestModelFile);
                TrainingSession.SaveWeights(a, torchSharp);
                var pyTorch = Path.Combine(dir.FullName, "weights.bin");
                PoseNetWeights.Save(a, pyTorch, WeightFormat.PyTorch);
                Assert.Equal(WeightFormat.TorchSharp, PoseNetWeights.Detect(torchSharp));
                Assert.Equal(WeightFormat.PyTorch, PoseNetWeights.Detect(pyTorch));
                foreach (var path in new[] { torchSharp, pyTorch })
                {
                    using var b = PoseNet.Create(options);
                    PoseNetWeights.Load(b, path);
                    Assert.Equal(ModelTestUtil.StateValues(a), ModelTestUtil.StateValues(b));
                }
            }
            finally
            {
                dir.Delete(true);
            }
        }

        [Theory]
        [InlineData("corrupt.dat")]
        [InlineData("corrupt.pt")]
        public void A_corrupt_weights_file_gives_an_error_naming_it(string fileName)
        {
            ModelTestUtil.Init();
            var dir = Directory.CreateTempSubdirectory("posert-weights-");
            try
            {
                var path = Path.Combine(dir.FullName, fileName);
                File.WriteAllBytes(path, new byte[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 });
                using var model = PoseNet.Create(PoseNetOptions.Tiny());
                var e = Assert.Throws<InvalidDataException>(() => PoseNetWeights.Load(model, path));
                Assert.Contains(path, e.Message);
                Assert.Throws<FileNotFoundException>(() => PoseNetWeights.Load(model, Path.Combine(dir.FullName, "missing.dat")));
            }
            finally
            {
                dir.Delete(true);
            }
        }

        [Fact]
        public void Weights_from_a_different_architecture_are_rejected()
        {
            ModelTestUtil.Init();
            var dir = Directory.CreateTempSubdirectory("posert-weights-");
            try
            {
                var path = Path.Combine(dir.FullName, "small.dat");
                using (var small = PoseNet.Create(PoseNetOptions.Tiny(ActivationKind.Static))) PoseNetWeights.Save(small, path);
                using var other = PoseNet.Create(PoseNetOptions.Tiny(ActivationKind.DyReluC));
                Assert.Contains(path, Assert.Throws<InvalidDataException>(() => PoseNetWeights.Load(other, path)).Message);
            }
            finally
            {
                dir.Delete(true);
            }
        }
    }
}
