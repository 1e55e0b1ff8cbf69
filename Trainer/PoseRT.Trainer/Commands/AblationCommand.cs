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
        /// The defaults fit one run of the 16 (8 rows x 2 seeds) into about 60 minutes on this project's 2-core CPU
        /// (measured step times in docs/ablation-method.md): the paper's Table 4 backbone, MobileNetV2 x0.5, with the
        /// keypoint head at width 0.25 (with the paper-cost head, width 1, the network needs 4.7 times the multiply-adds:
        /// 211M instead of 45M for DY-ReLU-C), at 128x96 instead of 256x192 (a quarter of the pixels).
        /// </summary>
        private static PoseNetOptions DefaultModel() => new()
        {
            Backbone = BackboneKind.MobileNetV2,
            Width = 0.5,
            HeadWidth = 0.25,
            InputHeight = 128,
            InputWidth = 96,
        };

        /// <summary>
        /// Default budget per run: 5 epochs of the default data (600 images, 1476 persons) in batches of 8, 185 steps
        /// each, 925 in all, flips only. Batch 32 with the paper's augmentation spent about as long on 282 steps that
        /// stayed at the "mean heatmap" plateau (AP 0.0003); batch 8 with flips learned (AP 0.008 to 0.052 in 6 epochs).
        /// </summary>
        private const int DefaultEpochs = 5;

        private const int DefaultBatch = 8;

        private const string DefaultAugmentation = "flip";

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
            var train = new TrainCliOptions(new TrainCliDefaults(DefaultEpochs, "Epochs per run, the same for every row and seed.",
                "First seed (weights, data order, augmentation); the seeds are this and the ones after it.",
                "Validation annotations (with --ann and --images; without all three, synthetic people are generated into <out>/data).")
            {
                Batch = DefaultBatch, Augmentation = DefaultAugmentation, LrSteps = null, ValEvery = null,
            });
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
