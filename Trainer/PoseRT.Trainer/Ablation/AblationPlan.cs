using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using PoseRT.Trainer.Data;
using PoseRT.Trainer.Models;
using PoseRT.Trainer.Training;

namespace PoseRT.Trainer.Ablation
{
    /// <summary>
    /// The generated data an ablation trains and validates on when no COCO files are given: <c>posert synth</c>'s
    /// generator (384x288 images, 1-4 people each), training set with seed <see cref="Seed"/>, held-out validation set
    /// with seed <see cref="Seed"/> + 1000 (as the shipped models' data, Models/README.md).
    /// </summary>
    /// <param name="TrainImages">Training images.</param>
    /// <param name="ValImages">Validation images.</param>
    /// <param name="Difficulty">The generator's difficulty, 0 to 1.</param>
    /// <param name="Seed">Seed of the training set.</param>
    public sealed record SyntheticData(int TrainImages, int ValImages, double Difficulty, long Seed)
    {
        /// <summary>Offset between the training and the validation set's seeds.</summary>
        public const long ValSeedOffset = 1000;
    }

    /// <summary>
    /// An ablation to run: a table's rows, each trained with one recipe over <see cref="Seeds"/> seeds on one data
    /// set into <c>OutDir/rows/&lt;row&gt;-seed&lt;S&gt;/</c>. <see cref="Settings"/> is what makes two ablations the
    /// same experiment; <c>ablation.json</c> keeps it, and a rerun with other settings is refused.
    /// </summary>
    public sealed record AblationPlan
    {
        /// <summary>The table whose rows are trained.</summary>
        public required AblationTable Table { get; init; }

        /// <summary>The rows this run trains (all of the table's, or the ones <c>--rows</c> names); the report lists them all.</summary>
        public required IReadOnlyList<AblationRow> Rows { get; init; }

        /// <summary>Seeds per row: <see cref="TrainOptions.Seed"/> of <see cref="Train"/>, and the ones after it.</summary>
        public required int Seeds { get; init; }

        /// <summary>The ablation folder.</summary>
        public required string OutDir { get; init; }

        /// <summary>Backbone, widths and input size; each row sets its activations (<see cref="AblationRow.Model"/>).</summary>
        public required PoseNetOptions Model { get; init; }

        /// <summary>The recipe and machine settings of every run; its seed is the first seed, its folder is replaced per run.</summary>
        public required TrainOptions Train { get; init; }

        /// <summary>Augmentation of every run.</summary>
        public Augmentation Augmentation { get; init; } = Augmentation.Paper;

        /// <summary>COCO-format data given on the command line; null: <see cref="Synthetic"/> is generated into <c>OutDir/data</c>.</summary>
        public Commands.TrainData? Given { get; init; }

        /// <summary>The generated data used when <see cref="Given"/> is null.</summary>
        public SyntheticData Synthetic { get; init; } = new(600, 100, 0.4, 1);

        /// <summary>Throws <see cref="ArgumentException"/> naming the first impossible setting.</summary>
        public void Validate()
        {
            if (Seeds < 1) throw new ArgumentException($"--seeds must be at least 1 (got {Seeds}).");
            if (Rows.Count == 0) throw new ArgumentException("No rows to train.");
            Train.Validate();
            Model.Validate();
            if (Given is { } g)
            {
                if (g.Annotations == null || g.Images == null || g.ValAnnotations == null)
                    throw new ArgumentException("Give --ann, --images and --val-ann together (every row is scored on the validation set), or none of them to train on generated synthetic people.");
            }
            else
            {
                if (Synthetic.TrainImages < 1) throw new ArgumentException($"--synth-train must be at least 1 (got {Synthetic.TrainImages}).");
                if (Synthetic.ValImages < 1) throw new ArgumentException($"--synth-val must be at least 1 (got {Synthetic.ValImages}).");
                if (!(Synthetic.Difficulty >= 0 && Synthetic.Difficulty <= 1)) throw new ArgumentException($"--synth-difficulty must be between 0 and 1 (got {Synthetic.Difficulty}).");
            }
        }

        /// <summary>
        /// What defines the experiment, by option name, values in invariant round-trip form: table, first seed, model,
        /// recipe (<see cref="TrainingSession.Recipe"/>'s keys plus epochs, batch, validation interval) and data. Not in
        /// it: the seed count (more seeds may be added later), the rows chosen for this run, and machine settings.
        /// </summary>
        public IReadOnlyDictionary<string, string> Settings()
        {
            static string I(long v) => v.ToString(CultureInfo.InvariantCulture);
            static string F(double v) => v.ToString("R", CultureInfo.InvariantCulture);
            var s = TrainingSession.Recipe(Train, new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["--table"] = I(Table.Number),
                ["--seed"] = I(Train.Seed),
                ["--epochs"] = I(Train.Epochs),
                ["--batch"] = I(Train.BatchSize),
                ["--val-every"] = I(Train.ValidateEveryEpochs),
                ["--aug"] = PoseTraining.AugmentationName(Augmentation),
                ["model"] = Model.ArchitectureName,
                ["--input"] = FormattableString.Invariant($"{Model.InputHeight}x{Model.InputWidth}"),
            });
            if (Given is { } g)
            {
                s["--ann"] = Path.GetFullPath(g.Annotations!);
                s["--images"] = Path.GetFullPath(g.Images!);
                s["--val-ann"] = Path.GetFullPath(g.ValAnnotations!);
                s["--val-images"] = Path.GetFullPath(g.ValImages ?? g.Images!);
                s["--val-dets"] = g.ValDetections == null ? "ground truth" : Path.GetFullPath(g.ValDetections);
            }
            else
            {
                s["--synth-train"] = I(Synthetic.TrainImages);
                s["--synth-val"] = I(Synthetic.ValImages);
                s["--synth-difficulty"] = F(Synthetic.Difficulty);
                s["--synth-seed"] = I(Synthetic.Seed);
            }
            return s;
        }
    }
}
