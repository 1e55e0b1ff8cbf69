using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using PoseRT.Trainer.Ablation;
using PoseRT.Trainer.Models;
using PoseRT.Trainer.Training;

namespace PoseRT.Tests.Training
{
    /// <summary>
    /// <c>posert-train ablation</c> run as a user runs it (the built program), on tiny generated data with the tiny
    /// model and a few steps: the table's numbers are the run folders' validations, a rerun skips finished runs, an
    /// interrupted run resumes from its checkpoint, other settings in the same folder are refused, bad options get
    /// one clear line and exit 2.
    /// </summary>
    [Collection(TorchStateCollection.Name)]
    public class AblationCommandTests
    {
        private const string Program = "posert-train";

        private static readonly TimeSpan Limit = TimeSpan.FromMinutes(6);

        // 6 training images (1-4 people each) and 3 validation images; the tiny model, batch 4, 2 epochs validated after each.
        private static string[] Tiny(string dir, params string[] extra) => new[]
        {
            "ablation", "--out", Path.Combine(dir, "abl"), "--tiny", "--synth-train", "6", "--synth-val", "3", "--epochs", "2",
            "--val-every", "1", "--batch", "4", "--threads", "1", "--workers", "1", "--aug", "flip",
        }.Concat(extra).ToArray();

        private static ExternalProcess.Result Run(string dir, string[] args)
        {
            var r = CliCorpus.Run(Program, args, dir, Limit);
            Assert.False(r.TimedOut, $"killed after {Limit}: {r.Stderr}");
            return r;
        }

        [Fact]
        public void A_tiny_ablation_reports_its_run_folders_numbers_skips_them_on_a_rerun_and_refuses_other_settings()
        {
            string dir = RepoPaths.NewTempDir("ablation-tiny");
            string abl = Path.Combine(dir, "abl");
            var args = Tiny(dir, "--rows", "relu-relu,relu-c", "--seeds", "2");
            var first = Run(dir, args);
            Assert.True(first.ExitCode == 0, first.Stderr + first.Stdout);
            Assert.Contains("done: 4 runs finished now, 0 before", first.Stdout, StringComparison.Ordinal);

            // Each run folder is a training run folder (metrics.jsonl with validations, the exported model) whose final
            // validation is its result.
            var results = new Dictionary<string, List<AblationResult>>(StringComparer.Ordinal);
            foreach (var row in new[] { "relu-relu", "relu-c" })
            {
                results[row] = new List<AblationResult>();
                foreach (long seed in new long[] { 1, 2 })
                {
                    string run = AblationRunner.RunFolder(abl, row, seed);
                    var val = MetricsLog.Read(Path.Combine(run, MetricsLog.FileName)).Where(m => m.Type == "val").ToList();
                    Assert.Equal(new[] { 1, 2 }, val.Select(v => v.Epoch));
                    var result = AblationResult.Load(Path.Combine(run, AblationResult.FileName));
                    Assert.Equal(val[^1].Values["AP"], result.AP);
                    Assert.Equal(val[^1].Values["AR"], result.Final["AR"]);
                    Assert.Equal(val.Select(v => v.Step), result.Validation.Select(p => p.Step));
                    Assert.Equal(seed, result.Seed);
                    Assert.True(File.Exists(Path.Combine(run, "model.onnx")));
                    results[row].Add(result);
                }
            }
            // Same data, batch and epochs: every run has the same step budget.
            Assert.Single(results.Values.SelectMany(r => r).Select(r => r.Steps).Distinct());
            Assert.Contains("relu+dyrelu_c", results["relu-c"][0].Model, StringComparison.Ordinal);

            // The table lists all eight rows with the paper's AP, and the finished rows' means over both seeds.
            string md = File.ReadAllText(Path.Combine(abl, AblationReport.MarkdownFile));
            var lines = md.Split('\n');
            foreach (var row in AblationTable.Table4.Rows)
                Assert.Contains(lines, l => l.StartsWith($"| {row.Label} | {row.Paper.Value.ToString("F1", CultureInfo.InvariantCulture)} |", StringComparison.Ordinal));
            foreach (var (id, label) in new[] { ("relu-relu", "ReLU / ReLU"), ("relu-c", "ReLU / DY-ReLU-C") })
            {
                var ap = results[id].Select(r => 100 * r.AP).ToList();
                string expected = string.Format(CultureInfo.InvariantCulture, "{0:F1} [{1:F1}, {2:F1}]", ap.Average(), ap.Min(), ap.Max());
                string line = lines.Single(l => l.StartsWith("| " + label + " |", StringComparison.Ordinal));
                var cells = line.Split('|').Select(c => c.Trim()).ToList();
                Assert.Equal(expected, cells[4]);
                Assert.Equal("2", cells[9]);
            }
            string unrun = lines.Single(l => l.StartsWith("| DY-ReLU-C / DY-ReLU-C |", StringComparison.Ordinal));
            Assert.Equal("0", unrun.Split('|').Select(c => c.Trim()).ToList()[9]);
            Assert.Contains("## Validation AP against step", md, StringComparison.Ordinal);
            foreach (string png in new[] { AblationReport.ChartFile, AblationReport.ConvergenceFile })
                Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47 }, File.ReadAllBytes(Path.Combine(abl, png)).Take(4).ToArray());

            // The rerun trains nothing: every run is skipped, its result untouched.
            var stamps = Directory.GetFiles(Path.Combine(abl, AblationRunner.RowsFolder), AblationResult.FileName, SearchOption.AllDirectories)
                .ToDictionary(p => p, File.GetLastWriteTimeUtc, StringComparer.Ordinal);
            Assert.Equal(4, stamps.Count);
            var again = Run(dir, args);
            Assert.True(again.ExitCode == 0, again.Stderr + again.Stdout);
            Assert.Contains("done: 0 runs finished now, 4 before", again.Stdout, StringComparison.Ordinal);
            Assert.Equal(4, again.Stderr.Split('\n').Count(l => l.Contains("already finished", StringComparison.Ordinal)));
            Assert.DoesNotContain("training ", again.Stderr, StringComparison.Ordinal);
            foreach (var (path, time) in stamps) Assert.Equal(time, File.GetLastWriteTimeUtc(path));

            // Other settings in the same folder: refused before anything is written.
            string settings = File.ReadAllText(Path.Combine(abl, AblationRunner.SettingsFile));
            var other = Run(dir, Tiny(dir, "--rows", "relu-relu", "--lr", "0.002"));
            Assert.True(other.ExitCode == 2, other.Stderr + other.Stdout);
            Assert.Contains(other.Stderr.Split('\n'), l => l.StartsWith("posert-train ablation: ", StringComparison.Ordinal)
                && l.Contains("made with --lr 0.001; this run asks for --lr 0.002", StringComparison.Ordinal));
            Assert.Equal(settings, File.ReadAllText(Path.Combine(abl, AblationRunner.SettingsFile)));
            foreach (var (path, time) in stamps) Assert.Equal(time, File.GetLastWriteTimeUtc(path));
        }

        [Fact]
        public void An_interrupted_run_resumes_from_its_checkpoint_and_ends_with_the_full_step_budget()
        {
            string dir = RepoPaths.NewTempDir("ablation-resume");
            string run = AblationRunner.RunFolder(Path.Combine(dir, "abl"), "c-c", 1);
            var stopped = Run(dir, Tiny(dir, "--rows", "c-c", "--seeds", "1", "--checkpoint-every", "1", "--stop-after-steps", "3"));
            Assert.True(stopped.ExitCode == 0, stopped.Stderr + stopped.Stdout);
            Assert.Contains("stopped: 0 runs finished now", stopped.Stdout, StringComparison.Ordinal);
            // The checkpoint of step 3 (or of the epoch end before it, when step 3 ends an epoch) is where it resumes.
            long at = Checkpoint.ReadState(Path.Combine(run, TrainingSession.CheckpointFile)).GlobalStep;
            Assert.InRange(at, 1, 3);
            Assert.False(File.Exists(Path.Combine(run, AblationResult.FileName)));

            var resumed = Run(dir, Tiny(dir, "--rows", "c-c", "--seeds", "1", "--checkpoint-every", "1"));
            Assert.True(resumed.ExitCode == 0, resumed.Stderr + resumed.Stdout);
            Assert.Contains("Resuming from", resumed.Stderr, StringComparison.Ordinal);
            Assert.Contains($"step {at}.", resumed.Stderr, StringComparison.Ordinal);
            var result = AblationResult.Load(Path.Combine(run, AblationResult.FileName));
            var steps = MetricsLog.Read(Path.Combine(run, MetricsLog.FileName)).Where(m => m.Type == "epoch").Select(m => m.Step).ToList();
            Assert.Equal(2, steps.Count);
            Assert.Equal(steps[^1], result.Steps);
            Assert.Equal(2 * steps[0], steps[1]); // two whole epochs of the same length, as an uninterrupted run
        }

        [Fact]
        public void The_ablation_report_gives_mean_spread_seed_count_and_the_paired_delta_of_the_result_files()
        {
            string dir = RepoPaths.NewTempDir("ablation-report");
            static AblationResult R(string row, long seed, double ap, params (long Step, double AP)[] curve) => new(
                row, seed, 2, 40, new Dictionary<string, double>(StringComparer.Ordinal) { ["AP"] = ap, ["AP50"] = ap + 0.2, ["AP75"] = ap / 2, ["AR"] = ap + 0.05 },
                ap, 2, curve.Select((c, i) => new CurvePoint(i + 1, c.Step, c.AP)).ToList(), 60, row, null, DateTime.UtcNow);
            var results = new[]
            {
                R("relu-relu", 1, 0.100, (20, 0.05), (40, 0.100)), R("relu-relu", 2, 0.120, (20, 0.07), (40, 0.120)),
                R("c-c", 1, 0.150, (20, 0.09), (40, 0.150)), R("c-c", 2, 0.130, (20, 0.11), (40, 0.130)),
                R("relu-c", 2, 0.200, (20, 0.15), (40, 0.200)),
            };
            foreach (var r in results) r.Save(Path.Combine(dir, r.Row + r.Seed + ".json"));
            var loaded = results.Select(r => AblationResult.Load(Path.Combine(dir, r.Row + r.Seed + ".json"))).ToList();
            Assert.Equal(results.Select(r => r.Final["AP75"]), loaded.Select(r => r.Final["AP75"]));

            string md = File.ReadAllText(AblationReport.Write(dir, AblationTable.Table4, new Dictionary<string, string> { ["--epochs"] = "2" }, 2, loaded));
            string[] Cells(string label) => md.Split('\n').Single(l => l.StartsWith("| " + label + " |", StringComparison.Ordinal)).Split('|').Select(c => c.Trim()).ToArray();
            // backbone/head | paper | paper delta | AP | delta AP | AP50 | AP75 | AR | seeds
            Assert.Equal(new[] { "", "ReLU / ReLU", "59.2", "", "11.0 [10.0, 12.0]", "", "31.0 [30.0, 32.0]", "5.5 [5.0, 6.0]", "16.0 [15.0, 17.0]", "2", "" }, Cells("ReLU / ReLU"));
            Assert.Equal(new[] { "", "DY-ReLU-C / DY-ReLU-C", "63.3", "+4.1", "14.0 [13.0, 15.0]", "+3.0 [+1.0, +5.0]", "34.0 [33.0, 35.0]", "7.0 [6.5, 7.5]", "19.0 [18.0, 20.0]", "2", "" }, Cells("DY-ReLU-C / DY-ReLU-C"));
            // One seed: its value, and the delta to the baseline's same seed only.
            Assert.Equal(new[] { "20.0", "+8.0" }, Cells("ReLU / DY-ReLU-C")[4..6]);
            Assert.Equal("0", Cells("DY-ReLU-A / ReLU")[9]);
            // The convergence table: mean validation AP at each step of the three rows.
            Assert.Contains("| 20 | 6.0 | 15.0 | 10.0 |", md, StringComparison.Ordinal);
            Assert.Contains("| 40 | 11.0 | 20.0 | 14.0 |", md, StringComparison.Ordinal);
            Assert.Contains("5 of 16 runs", md, StringComparison.Ordinal);
            Assert.True(new FileInfo(Path.Combine(dir, AblationReport.ChartFile)).Length > 1000);
            Assert.True(new FileInfo(Path.Combine(dir, AblationReport.ConvergenceFile)).Length > 1000);
        }

        [Fact]
        public void Every_table_7_row_builds_its_DY_ReLU_form()
        {
            var tiny = PoseNetOptions.Tiny();
            foreach (var row in AblationTable.Table7.Rows)
            {
                var o = row.Model(tiny);
                o.Validate();
                Assert.Equal(row.K, o.DyRelu.K);
                Assert.Equal(row.Intercepts ? 0.5 : 0.0, o.DyRelu.LambdaB);
                Assert.Equal(tiny.Backbone, o.Backbone);
            }
            // The paper's default form leaves the checkpoint's model text as it always was; the others say what they are.
            Assert.DoesNotContain("dyrelu(", PoseTraining.Describe(AblationTable.Table7.Rows[2].Model(tiny)), StringComparison.Ordinal);
            Assert.Contains("K=3", PoseTraining.Describe(AblationTable.Table7.Rows[4].Model(tiny)), StringComparison.Ordinal);
            Assert.Contains("lambda_b=0 ", PoseTraining.Describe(AblationTable.Table7.Rows[1].Model(tiny)), StringComparison.Ordinal);
            Assert.Equal(new[] { 170, 200 }, LearningRateSchedule.PaperMilestones(210));
            Assert.Equal(new[] { 6, 8 }, LearningRateSchedule.PaperMilestones(8));
        }

        private static string P(string dir, string name) => Path.Combine(dir, name);

        private static readonly CliCase[] Cases =
        {
            new() { Name = "ablation-seeds-zero", Args = d => new[] { "ablation", "--out", P(d, "abl"), "--seeds", "0" }, Message = _ => "--seeds 0: must be from 1 to 100", Untouched = new[] { "abl" } },
            new() { Name = "ablation-table-5", Args = d => new[] { "ablation", "--out", P(d, "abl"), "--table", "5" }, Message = _ => "--table 5: only tables 4 and 7", Untouched = new[] { "abl" } },
            new() { Name = "ablation-out-unwritable", Args = _ => new[] { "ablation", "--out", "/sys/abl" }, Message = _ => "--out '/sys/abl' cannot be written" },
            new()
            {
                Name = "ablation-out-is-a-file", Setup = d => File.WriteAllText(P(d, "abl"), "mine"),
                Args = d => new[] { "ablation", "--out", P(d, "abl") }, Message = d => $"--out '{P(d, "abl")}' is a file", Untouched = new[] { "abl" },
            },
            new() { Name = "ablation-row-unknown", Args = d => new[] { "ablation", "--out", P(d, "abl"), "--rows", "relu-d" }, Message = _ => "--rows: 'relu-d' is not a row of table 4", Untouched = new[] { "abl" } },
            new()
            {
                Name = "ablation-ann-without-val-ann", Setup = d => File.WriteAllText(P(d, "a.json"), "{}"),
                Args = d => new[] { "ablation", "--out", P(d, "abl"), "--ann", P(d, "a.json"), "--images", d },
                Message = _ => "Give --ann, --images and --val-ann together", Untouched = new[] { "abl" },
            },
            new()
            {
                Name = "ablation-val-ann-missing", Args = d => new[] { "ablation", "--out", P(d, "abl"), "--ann", P(d, "a.json"), "--images", d, "--val-ann", P(d, "v.json") },
                Setup = d => File.WriteAllText(P(d, "a.json"), "{}"), Message = d => $"validation annotation file '{P(d, "v.json")}' does not exist", Untouched = new[] { "abl" },
            },
            new() { Name = "ablation-difficulty-high", Args = d => new[] { "ablation", "--out", P(d, "abl"), "--synth-difficulty", "2" }, Message = _ => "--synth-difficulty 2", Untouched = new[] { "abl" } },
            new() { Name = "ablation-activation-is-the-rows", Args = d => new[] { "ablation", "--out", P(d, "abl"), "--activation", "relu" }, Message = _ => "--activation", Untouched = new[] { "abl" } },
        };

        public static IEnumerable<object[]> CaseNames() => CliCorpus.Names(Cases);

        [Theory]
        [MemberData(nameof(CaseNames))]
        public void Bad_ablation_options_get_one_clear_line_and_exit_2(string name) => CliCorpus.Check(Program, Cases, name);
    }
}
