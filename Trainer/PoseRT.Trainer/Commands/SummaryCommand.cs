using System;
using System.CommandLine;
using System.Globalization;
using PoseRT.Trainer.Export;
using PoseRT.Trainer.Models;

namespace PoseRT.Trainer.Commands
{
    internal static class SummaryCommand
    {
        public static Command Create()
        {
            var command = new Command("summary", "Parameters and multiply-adds per layer and in total for a model, or the paper's Table 10 side by side.");
            var model = new ModelCliOptions();
            model.AddTo(command);
            var table10 = new Option<bool>("--table10") { Description = "Print the eight Table 10 rows (256x192, 17 keypoints) beside the paper's numbers" };
            command.Options.Add(table10);
            command.SetAction(result =>
            {
                try
                {
                    if (result.GetValue(table10)) PrintTable10();
                    else PrintModel(model.Read(result));
                    return 0;
                }
                catch (ArgumentException e)
                {
                    Console.Error.WriteLine("posert-train summary: " + e.Message);
                    return PoseRT.Cli.ExitCodes.BadInput;
                }
            });
            return command;
        }

        private static void PrintModel(PoseNetOptions options)
        {
            var cost = ModelSummary.Compute(options);
            Console.WriteLine($"{options.ArchitectureName}, activation {options.ActivationName}, input {options.InputHeight}x{options.InputWidth}, {options.Keypoints} keypoints");
            Console.WriteLine($"{"layer",-20} {"output (CxHxW)",-16} {"params",12} {"MAdds",14}");
            foreach (var l in cost.Layers)
                Console.WriteLine($"{l.Name,-20} {l.Output,-16} {l.Parameters,12:N0} {l.MultiplyAdds,14:N0}");
            Console.WriteLine($"{"total",-20} {"",-16} {cost.Parameters,12:N0} {cost.MultiplyAdds,14:N0}");
            Console.WriteLine($"= {cost.Parameters / 1e6:F2}M parameters, {cost.MultiplyAdds / 1e6:F1}M MAdds. " + CountingNote);
            var exported = OnnxExportOptions.Default.HeadUpsampling;
            long executed = ModelSummary.Compute(options, exported).MultiplyAdds;
            if (executed != cost.MultiplyAdds)
                Console.WriteLine($"  the exported graph executes {executed / 1e6:F1}M: its head's 1x1 expansions run before the upsampling ({exported}, the same function; export --head-upsampling).");
        }

        private const string CountingNote =
            "MAdds count convs and FC layers (incl. SE / DY-ReLU hyper functions and DY-ReLU-C's spatial conv), pooling, SE scaling and DY-ReLU's K pieces and spatial scaling; not biases, BN, softmax, upsampling or residual adds.";

        private static void PrintTable10()
        {
            Console.WriteLine("Table 10 at 256x192, 17 keypoints; one head for all backbones. Ratios are ours / paper's.");
            Console.WriteLine($"{"row",-27} {"params",8} {"paper",8} {"ratio",6}   {"MAdds",8} {"paper",8} {"ratio",6}");
            foreach (var row in PaperTable10.Rows())
            {
                var cost = ModelSummary.Compute(row.Options);
                double pr = cost.Parameters / row.PaperParameters, mr = cost.MultiplyAdds / row.PaperMultiplyAdds;
                Console.WriteLine(string.Format(CultureInfo.InvariantCulture, "{0,-27} {1,7:F2}M {2,7:F1}M {3,6:F3}   {4,7:F1}M {5,7:F1}M {6,6:F3}",
                    row.Label, cost.Parameters / 1e6, row.PaperParameters / 1e6, pr, cost.MultiplyAdds / 1e6, row.PaperMultiplyAdds / 1e6, mr));
            }
            Console.WriteLine(CountingNote);
        }
    }
}
