using System;
using System.CommandLine;
using PoseRT.Cli;
using PoseRT.IO;
using PoseRT.Trainer.Ablation;
using PoseRT.Trainer.Models;
using PoseRT.Trainer.Training;

namespace PoseRT.Trainer.Commands
{
    /// <summary>
    /// <c>posert-train ablation</c>: the paper's Table 4 (or Table 7's structure) trained row by row with one recipe over
    /// several seeds, resumable, with a Markdown table and charts (docs/ablation-method.md).
    /// </summary>
    internal static class AblationCommand
    {
        private const string Program = "posert-train ablation";

        /// <summary>
        /// The defaults fit this project's 2-core CPU (docs/ablation-method.md): the paper's Table 4 network, MobileNetV2
        /// x0.5 with the paper-cost head, at 128x96 instead of 256x192 (a quarter of the pixels).
        /// </summary>
        private static PoseNetOptions DefaultModel() => new()
        {
            Backbone = BackboneKind.MobileNetV2,
            Width = 0.5,
            HeadWidth = 1.0,
            InputHeight = 128,
            InputWidth = 96,
        };

        /// <summary>Default epochs per run: with the default data (600 images, about 1500 persons) and batch 32, about 48 steps each.</summary>
        private const int DefaultEpochs = 8;

        public static Command Create()
        {
            var table = new Option<int>("--table") { Description = "The paper's table: 4 (DY-ReLU-A/B/C in backbone and head, 8 rows) or 7 (DY-ReLU-C with K = 2 or 3, with or without intercepts, 5 rows).", DefaultValueFactory = _ => 4 };
            var seeds = new Option<int>("--seeds") { Description = "Seeds per row: --seed, --seed + 1, ... (more can be added later by rerunning with a larger number).", DefaultValueFactory = _ => 2 }
                .InRange(1, 100);
            var rows = new Option<string?>("--rows") { Description = "Train only these rows in this run, comma separated ids (e.g. relu-relu,c-c); the report lists every row." };
            var outDir = new Option<string>("--out") { Description = "Ablation folder: ablation.json, data/, rows/<row>-seed<S>/ (one training run folder each), ablation.md, ablation.png, convergence.png.", Required = true };
            var synthTrain = new Option<int>("--synth-train") { Description = "Generated training images (384x288, 1-4 people each) when no --ann is given.", DefaultValueFactory = _ => 600 }.InRange(1, 1_000_000);
            var synthVal = new Option<int>("--synth-val") { Description = "Generated held-out validation images when no --ann is given.", DefaultValueFactory = _ => 100 }.InRange(1, 1_000_000);
            var synthDifficulty = new Option<double>("--synth-difficulty") { Description = "Difficulty of the generated people, 0 (easy) to 1 (hard).", DefaultValueFactory = _ => 0.4 }.InRange(0.0, 1.0);
            var synthSeed = new Option<long>("--synth-seed") { Description = "Seed of the generated training set (validation: this + 1000).", DefaultValueFactory = _ => 1 };
            var train = new TrainCliOptions(DefaultEpochs, $"Epochs per run, the same for every row and seed (default {DefaultEpochs}).", null, null,
                "First seed (weights, data order, augmentation); the seeds are this and the ones after it.",
                "Validation annotations (with --ann and --images; without all three, synthetic people are generated into <out>/data).");
            var model = new ModelCliOptions(DefaultModel(), activations: false);
            var cmd = new Command("ablation", "Train and evaluate the rows of the paper's Table 4 (or 7) with one recipe over several seeds; resumable; writes a table and charts.")
            {
                table, seeds, rows, outDir, synthTrain, synthVal, synthDifficulty, synthSeed,
            };
            train.AddTo(cmd);
            model.AddTo(cmd);
            cmd.SetAction(pr =>
            {
                AblationPlan plan;
                try
                {
                    string dir = pr.GetValue(outDir)!;
                    OutputPaths.CheckFolder(dir, "--out");
                    var t = AblationTable.Get(pr.GetValue(table));
                    var given = train.ReadData(pr);
                    bool anyGiven = given.Annotations != null || given.Images != null || given.ValAnnotations != null || given.ValImages != null || given.ValDetections != null;
                    plan = new AblationPlan
                    {
                        Table = t,
                        Rows = t.Select(pr.GetValue(rows)),
                        Seeds = pr.GetValue(seeds),
                        OutDir = dir,
                        Model = model.Read(pr),
                        Train = train.Read(pr, dir, resume: true),
                        Augmentation = train.ReadAugmentation(pr),
                        Given = anyGiven ? given : null,
                        Synthetic = new SyntheticData(pr.GetValue(synthTrain), pr.GetValue(synthVal), pr.GetValue(synthDifficulty), pr.GetValue(synthSeed)),
                    };
                    plan.Validate();
                }
                catch (ArgumentException e)
                {
                    Console.Error.WriteLine(Program + ": " + e.Message);
                    return ExitCodes.BadInput;
                }

                TorchRuntime.EnsureLoaded();
                AblationOutcome outcome;
                try
                {
                    outcome = AblationRunner.Run(plan, m => Console.Error.WriteLine("ablation: " + m), spec => ConsoleProgress.Run(obs => PoseTraining.Run(spec, obs)));
                }
                catch (Exception e) when (TrainCliOptions.IsReported(e))
                {
                    return TrainCliOptions.Report(Program, e);
                }
                Console.WriteLine(outcome.Stopped
                    ? $"stopped: {outcome.Trained} runs finished now, {outcome.Skipped} before; rerun the same command to resume. Table so far: {outcome.Report}"
                    : $"done: {outcome.Trained} runs finished now, {outcome.Skipped} before; table {outcome.Report}");
                return ExitCodes.Ok;
            });
            return cmd;
        }
    }
}
