using System;
using System.Linq;
using PoseRT.Trainer.Export;
using PoseRT.Trainer.Models;

namespace PoseRT.Tests.Models
{
    public class ModelSummaryTests
    {
        /// <summary>The bounds: the four MobileNetV3 rows of Table 10, one shared head, MAdds within 5%, params within 15%.</summary>
        [Fact]
        public void MobileNetV3_rows_of_Table_10_match_the_paper()
        {
            ModelTestUtil.Init();
            var rows = PaperTable10.Rows().Where(r => r.Options.Backbone != BackboneKind.MobileNetV2).ToList();
            Assert.Equal(4, rows.Count);
            foreach (var row in rows)
            {
                var cost = ModelSummary.Compute(row.Options);
                double madds = cost.MultiplyAdds / row.PaperMultiplyAdds, parameters = cost.Parameters / row.PaperParameters;
                Assert.True(Math.Abs(madds - 1) <= 0.05, $"{row.Label}: MAdds ratio {madds:F3}");
                Assert.True(Math.Abs(parameters - 1) <= 0.15, $"{row.Label}: parameter ratio {parameters:F3}");
            }
        }

        [Fact]
        public void Layer_costs_add_up_and_parameters_are_the_models()
        {
            ModelTestUtil.Init();
            using var model = PoseNet.Create(PoseNetOptions.Tiny());
            var cost = ModelSummary.Compute(model);
            Assert.Equal(cost.Layers.Sum(l => l.Parameters), cost.Parameters);
            Assert.Equal(cost.Layers.Sum(l => l.MultiplyAdds), cost.MultiplyAdds);
            Assert.Equal(model.parameters().Sum(p => p.numel()), cost.Parameters);
            Assert.Equal("17x32x24", cost.Layers[^1].Output);
            // head.final is a plain 1x1 conv: 17 x 32 x 24 x Cin multiply-adds, 17 x Cin + 17 parameters.
            var final = cost.Layers[^1];
            long cin = (final.Parameters - 17) / 17;
            Assert.Equal(17 * 32 * 24 * cin, final.MultiplyAdds);
        }

        [Fact]
        public void Expansions_before_the_head_upsampling_cost_a_quarter()
        {
            ModelTestUtil.Init();
            var options = new PoseNetOptions { Backbone = BackboneKind.MobileNetV3Large, BackboneActivation = ActivationKind.Static };
            var architecture = ModelSummary.Compute(options);
            var executed = ModelSummary.Compute(options, HeadUpsampling.AfterExpand);
            // Head rows at 256x192 and head width 1: 320 -> 640 at 16x12, 256 -> 1024 at 32x24, 96 -> 384 at 64x48.
            long expansions = 640L * 320 * 16 * 12 + 1024L * 256 * 32 * 24 + 384L * 96 * 64 * 48;
            Assert.Equal(architecture.MultiplyAdds - 3 * expansions / 4, executed.MultiplyAdds);
            Assert.Equal(architecture.Parameters, executed.Parameters);
        }

        [Fact]
        public void The_stem_costs_what_a_3x3_stride_2_convolution_costs()
        {
            ModelTestUtil.Init();
            var cost = ModelSummary.Compute(new PoseNetOptions { Backbone = BackboneKind.MobileNetV3Large, BackboneActivation = ActivationKind.Static });
            var stem = cost.Layers[0];
            Assert.Equal("backbone.stem", stem.Name);
            Assert.Equal("16x128x96", stem.Output);
            Assert.Equal(16L * 128 * 96 * 3 * 3 * 3, stem.MultiplyAdds);
            Assert.Equal(16 * 3 * 3 * 3 + 2 * 16, stem.Parameters);
        }
    }
}
