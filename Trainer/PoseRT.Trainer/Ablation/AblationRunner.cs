using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using PoseRT.IO;
using PoseRT.Synthetic;
using PoseRT.Trainer.Training;

namespace PoseRT.Trainer.Ablation
{
    /// <summary>What <see cref="AblationRunner.Run"/> did.</summary>
    /// <param name="Trained">Runs finished by this call.</param>
    /// <param name="Skipped">Runs that were already finished.</param>
    /// <param name="Stopped">True when a run stopped before its end (<see cref="TrainOptions.StopAfterSteps"/>); rerun to resume it.</param>
    /// <param name="Report">The Markdown report.</param>
    public sealed record AblationOutcome(int Trained, int Skipped, bool Stopped, string Report);

    /// <summary>
    /// Runs an <see cref="AblationPlan"/>: records (or checks) its settings in <c>ablation.json</c>, generates the
    /// synthetic data when no data is given, then trains each (seed, row) with <see cref="PoseTraining.Run"/> — the
    /// training behind <c>posert-train train</c>, with its run folder, validation, checkpoints and resume — and after
    /// every finished run writes its <see cref="AblationResult"/> and the report (<see cref="AblationReport"/>).
    /// A finished run (its result.json exists) is skipped; an interrupted one resumes from its checkpoint.
    /// </summary>
    public static class AblationRunner
    {
        /// <summary>The settings file in the ablation folder.</summary>
        public const string SettingsFile = "ablation.json";

        /// <summary>Folder of the run folders.</summary>
        public const string RowsFolder = "rows";

        /// <summary>The run folder of <paramref name="row"/> with <paramref name="seed"/>.</summary>
        public static string RunFolder(string outDir, string row, long seed) =>
            Path.Combine(outDir, RowsFolder, row + "-seed" + seed.ToString(CultureInfo.InvariantCulture));

        /// <summary>
        /// Runs the plan. <paramref name="log"/> receives progress lines; <paramref name="train"/> runs one training
        /// (default: <see cref="PoseTraining.Run"/> without an observer; the command shows progress on the console).
        /// Throws <see cref="ArgumentException"/> when the folder holds an ablation with other settings.
        /// </summary>
        public static AblationOutcome Run(AblationPlan plan, Action<string> log, Func<PoseTrainingSpec, PoseTrainingResult>? train = null)
        {
            ArgumentNullException.ThrowIfNull(plan);
            ArgumentNullException.ThrowIfNull(log);
            plan.Validate();
            train ??= spec => PoseTraining.Run(spec);
            string dir = Path.GetFullPath(plan.OutDir);
            Directory.CreateDirectory(dir);
            var settings = plan.Settings();
            int seeds = RecordSettings(dir, settings, plan.Seeds);
            var data = PrepareData(plan, dir, log);

            int trained = 0, skipped = 0;
            int total = plan.Seeds * plan.Rows.Count, index = 0;
            for (int s = 0; s < plan.Seeds; s++)
            {
                long seed = plan.Train.Seed + s;
                foreach (var row in plan.Rows)
                {
                    index++;
                    string runDir = RunFolder(dir, row.Id, seed);
                    string resultPath = Path.Combine(runDir, AblationResult.FileName);
                    string what = $"{row.Label} seed {seed} ({index}/{total})";
                    if (File.Exists(resultPath))
                    {
                        AblationResult.Load(resultPath);
                        log($"{what}: already finished ({resultPath}), skipped.");
                        skipped++;
                        continue;
                    }
                    var model = row.Model(plan.Model);
                    string description = PoseTraining.Describe(model);
                    var spec = data with
                    {
                        Model = model,
                        Augmentation = plan.Augmentation,
                        Train = plan.Train with { Seed = seed, OutputDir = runDir, Resume = true },
                    };
                    var clock = Stopwatch.StartNew();
                    string? onnx;
                    if (FinishedCheckpoint(runDir, plan.Train.Epochs) is { } done)
                    {
                        // Killed after the last epoch's checkpoint but before its result was written: the log is complete.
                        log($"{what}: training had finished ({done}); writing its result.");
                        onnx = File.Exists(Path.Combine(runDir, ModelFile)) ? ModelFile : null;
                    }
                    else
                    {
                        log($"{what}: training {description} into {runDir}.");
                        var run = train(spec);
                        if (!run.Training.Completed)
                        {
                            log($"{what}: stopped at step {run.Training.Steps}; rerun the same command to resume it.");
                            return new AblationOutcome(trained, skipped, true, WriteReport(plan, dir, seeds, settings));
                        }
                        onnx = run.OnnxPath == null ? null : Path.GetFileName(run.OnnxPath);
                    }
                    var result = AblationResult.FromRun(row.Id, seed, runDir, description, onnx);
                    result.Save(resultPath);
                    trained++;
                    log(FormattableString.Invariant($"{what}: AP {result.AP:F4} after {result.Steps} steps ({clock.Elapsed.TotalMinutes:F1} min here, {result.TrainSeconds / 60:F1} min of training in all)."));
                    WriteReport(plan, dir, seeds, settings);
                }
            }
            return new AblationOutcome(trained, skipped, false, WriteReport(plan, dir, seeds, settings));
        }

        private const string ModelFile = "model.onnx";

        /// <summary>The checkpoint of a run whose training reached <paramref name="epochs"/>, or null.</summary>
        private static string? FinishedCheckpoint(string runDir, int epochs)
        {
            string ckpt = Path.Combine(runDir, TrainingSession.CheckpointFile);
            return File.Exists(ckpt) && Checkpoint.ReadState(ckpt).Epoch >= epochs ? ckpt : null;
        }

        /// <summary>
        /// Writes ablation.json for a new folder, or checks that the folder's recorded settings are these; returns the
        /// seed count to report (the most any run asked for). Throws <see cref="ArgumentException"/> on a difference.
        /// </summary>
        private static int RecordSettings(string dir, IReadOnlyDictionary<string, string> settings, int seeds)
        {
            string path = Path.Combine(dir, SettingsFile);
            int recordedSeeds = 0;
            if (File.Exists(path))
            {
                var (recorded, n) = ReadSettings(path);
                if (TrainingSession.FirstDifference(recorded, settings) is { } d)
                    throw new ArgumentException($"--out '{dir}' holds an ablation made with {d.Key} {d.Was}; this run asks for {d.Key} {d.Now} ({path}). Rerun with its settings, or use a new --out folder.");
                recordedSeeds = n;
                if (seeds <= recordedSeeds) return recordedSeeds;
            }
            else if (Directory.Exists(Path.Combine(dir, RowsFolder)))
            {
                throw new ArgumentException($"--out '{dir}' has run folders ({RowsFolder}/) but no {SettingsFile}: it is not an ablation folder this program made, or its settings file was removed. Use a new --out folder.");
            }
            var json = new JsonObject
            {
                ["program"] = "posert-train ablation",
                ["seeds"] = Math.Max(seeds, recordedSeeds),
                ["settings"] = new JsonObject(settings.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)JsonValue.Create(kv.Value)))),
            };
            AtomicFile.WriteAllText(path, json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n", durable: true);
            return Math.Max(seeds, recordedSeeds);
        }

        private static (Dictionary<string, string> Settings, int Seeds) ReadSettings(string path)
        {
            try
            {
                var root = JsonNode.Parse(File.ReadAllText(path))?.AsObject() ?? throw new InvalidDataException($"'{path}' is empty.");
                var settings = root["settings"]?.AsObject() ?? throw new InvalidDataException($"'{path}' has no \"settings\".");
                var dict = settings.ToDictionary(kv => kv.Key, kv => kv.Value?.GetValue<string>() ?? "", StringComparer.Ordinal);
                return (dict, root["seeds"]?.GetValue<int>() ?? 0);
            }
            catch (Exception e) when (e is JsonException || e is InvalidOperationException || e is FormatException)
            {
                throw new InvalidDataException($"'{path}' is not an ablation settings file: {e.Message}", e);
            }
        }

        /// <summary>The data files: the given ones, or the synthetic sets, generated into DIR/data once (deterministic per seed).</summary>
        private static PoseTrainingSpec PrepareData(AblationPlan plan, string dir, Action<string> log)
        {
            if (plan.Given is { } g) return g.ToSpec();
            var s = plan.Synthetic;
            var train = Generate(Path.Combine(dir, "data", "train"), s.TrainImages, s.Seed, s.Difficulty, plan.Train.Threads, log);
            var val = Generate(Path.Combine(dir, "data", "val"), s.ValImages, s.Seed + SyntheticData.ValSeedOffset, s.Difficulty, plan.Train.Threads, log);
            return new PoseTrainingSpec { TrainAnnotations = train.Annotations, TrainImages = train.Images, ValAnnotations = val.Annotations, ValImages = val.Images };
        }

        private static (string Annotations, string Images) Generate(string dir, int images, long seed, double difficulty, int? threads, Action<string> log)
        {
            var options = new SyntheticOptions
            {
                Images = images, Seed = seed, Difficulty = difficulty,
                MaxDegreeOfParallelism = threads ?? Environment.ProcessorCount,
            };
            string ann = Path.Combine(dir, "annotations", options.AnnotationFileName);
            string imageDir = Path.Combine(dir, "images");
            // The annotation file is written last (atomically): when it is there, the set is complete.
            if (File.Exists(ann)) return (ann, imageDir);
            var clock = Stopwatch.StartNew();
            var set = SyntheticPeople.GenerateDataset(options, dir);
            log(FormattableString.Invariant($"generated {set.ImageCount} synthetic images ({set.AnnotationCount} people, seed {seed}, difficulty {difficulty}) in {dir} in {clock.Elapsed.TotalSeconds:F0} s."));
            return (set.AnnotationPath, set.ImageDirectory);
        }

        /// <summary>Loads every finished result of the folder's seeds and rewrites the report; returns the Markdown path.</summary>
        private static string WriteReport(AblationPlan plan, string dir, int seeds, IReadOnlyDictionary<string, string> settings)
        {
            var results = new List<AblationResult>();
            foreach (var row in plan.Table.Rows)
            {
                for (int s = 0; s < seeds; s++)
                {
                    string path = Path.Combine(RunFolder(dir, row.Id, plan.Train.Seed + s), AblationResult.FileName);
                    if (File.Exists(path)) results.Add(AblationResult.Load(path));
                }
            }
            return AblationReport.Write(dir, plan.Table, settings, seeds, results);
        }
    }
}
