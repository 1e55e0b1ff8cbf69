using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using PoseRT.IO;
using PoseRT.Trainer.Training;

namespace PoseRT.Trainer.Ablation
{
    /// <summary>
    /// The ablation's report from its finished results: <c>ablation.md</c> (per row AP, AP50, AP75 and AR as the mean
    /// and [min, max] over seeds, the seed count, the paper's number beside it, the paired difference to the ReLU/ReLU
    /// row; validation AP against step for the convergence rows; the settings), <c>ablation.png</c> (AP per row with
    /// each seed) and <c>convergence.png</c>. Numbers are in percent, as the paper prints them. Every file is written atomically.
    /// </summary>
    public static class AblationReport
    {
        /// <summary>The Markdown report's file name.</summary>
        public const string MarkdownFile = "ablation.md";

        /// <summary>The AP-per-row chart's file name.</summary>
        public const string ChartFile = "ablation.png";

        /// <summary>The validation-AP-against-step chart's file name.</summary>
        public const string ConvergenceFile = "convergence.png";

        private static readonly (string Key, string Name)[] Columns = { ("AP", "AP"), ("AP50", "AP50"), ("AP75", "AP75"), ("AR", "AR") };

        /// <summary>Writes the three files into <paramref name="dir"/> and returns the Markdown file's path.</summary>
        public static string Write(string dir, AblationTable table, IReadOnlyDictionary<string, string> settings, int seeds, IReadOnlyList<AblationResult> results)
        {
            var byRow = table.Rows.ToDictionary(r => r.Id, r => results.Where(x => x.Row == r.Id).OrderBy(x => x.Seed).ToList(), StringComparer.Ordinal);
            var md = new StringBuilder();
            md.AppendLine(Inv($"# Ablation: {table.Title}"));
            md.AppendLine();
            md.AppendLine(Inv($"Written by `posert-train ablation` at {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC: {results.Count} of {table.Rows.Count * seeds} runs ({table.Rows.Count} rows x {seeds} seeds) finished."));
            md.AppendLine("Each cell is the mean over the finished seeds and [the lowest, the highest seed]; AP, AP50, AP75 and AR in percent,");
            md.AppendLine("validated at the end of the step budget (ground-truth boxes, flip test, the Runtime and the COCO evaluator).");
            md.AppendLine(Inv($"Δ is the difference to {table.Baseline.Label}, seed by seed (same seed = same data order and augmentation), averaged over the seeds both finished."));
            md.AppendLine(Inv($"The paper's numbers: {table.PaperMetric}."));
            md.AppendLine();
            md.AppendLine("| backbone / head | paper | paper Δ | AP | Δ AP | AP50 | AP75 | AR | seeds |");
            md.AppendLine("|---|---|---|---|---|---|---|---|---|");
            var baseline = byRow[table.Baseline.Id];
            foreach (var row in table.Rows)
            {
                var runs = byRow[row.Id];
                string paperDelta = row == table.Baseline ? "" : Signed(row.Paper.Value - table.Baseline.Paper.Value);
                var cells = Columns.Select(c => Spread(runs.Select(r => 100 * r.Final.GetValueOrDefault(c.Key, double.NaN)).ToList())).ToList();
                string delta = row == table.Baseline ? "" : Delta(runs, baseline);
                md.AppendLine(Inv($"| {row.Label} | {row.Paper.Value:F1} | {paperDelta} | {cells[0]} | {delta} | {cells[1]} | {cells[2]} | {cells[3]} | {runs.Count} |"));
            }
            md.AppendLine();
            md.AppendLine(Inv($"![AP per row]({ChartFile})"));
            md.AppendLine();

            var curveRows = table.CurveRows.Select(id => table.Rows.First(r => r.Id == id)).ToList();
            var steps = curveRows.SelectMany(r => byRow[r.Id]).SelectMany(x => x.Validation).Select(p => p.Step).Distinct().OrderBy(s => s).ToList();
            md.AppendLine("## Validation AP against step");
            md.AppendLine();
            md.AppendLine("Mean validation AP (percent) over the finished seeds at each validation of the run; the paper: \"when spatial attention is");
            md.AppendLine("involved in the head network, the training converges much faster at the beginning\".");
            md.AppendLine();
            md.AppendLine("| step | " + string.Join(" | ", curveRows.Select(r => r.Label)) + " |");
            md.AppendLine("|---" + string.Concat(curveRows.Select(_ => "|---")) + "|");
            foreach (long step in steps)
            {
                var cells = curveRows.Select(r => Mean(byRow[r.Id].SelectMany(x => x.Validation).Where(p => p.Step == step).Select(p => 100 * p.AP).ToList()));
                md.AppendLine(Inv($"| {step} | ") + string.Join(" | ", cells.Select(v => double.IsNaN(v) ? "" : Inv($"{v:F1}"))) + " |");
            }
            md.AppendLine();
            md.AppendLine(Inv($"![validation AP against step]({ConvergenceFile})"));
            md.AppendLine();
            md.AppendLine("## Settings (ablation.json)");
            md.AppendLine();
            md.AppendLine("| setting | value |");
            md.AppendLine("|---|---|");
            foreach (var (key, value) in settings.OrderBy(kv => kv.Key, StringComparer.Ordinal)) md.AppendLine($"| `{key}` | `{value}` |");
            md.AppendLine(Inv($"| seeds | {seeds} |"));
            var done = results.Where(r => r.TrainSeconds > 0).ToList();
            if (done.Count > 0)
                md.AppendLine(Inv($"| training time per run | {done.Average(r => r.TrainSeconds) / 60:F1} min mean ({done.Min(r => r.TrainSeconds) / 60:F1}-{done.Max(r => r.TrainSeconds) / 60:F1}), {done[0].Steps} steps |"));

            string mdPath = Path.Combine(dir, MarkdownFile);
            AtomicFile.WriteAllText(mdPath, md.ToString());
            DrawRows(Path.Combine(dir, ChartFile), table, byRow);
            DrawCurves(Path.Combine(dir, ConvergenceFile), table, curveRows, byRow);
            return mdPath;
        }

        private static void DrawRows(string path, AblationTable table, Dictionary<string, List<AblationResult>> byRow)
        {
            var means = table.Rows.Select(r => Mean(byRow[r.Id].Select(x => 100 * x.AP).ToList())).ToList();
            var seedX = new List<double>();
            var seedY = new List<double>();
            for (int i = 0; i < table.Rows.Count; i++)
            {
                foreach (var x in byRow[table.Rows[i].Id])
                {
                    seedX.Add(i);
                    seedY.Add(100 * x.AP);
                }
            }
            var series = new List<PlotSeries>
            {
                new("single seeds", seedX, seedY) { LineWidth = 0, MarkerSize = 8 },
                new("paper (right axis)", Enumerable.Range(0, table.Rows.Count).Select(i => (double)i).ToList(), table.Rows.Select(r => r.Paper.Value).ToList())
                {
                    RightAxis = true, LineWidth = 0, MarkerSize = 10,
                },
            };
            CurvePlot.Draw(new PlotSpec(Inv($"Table {table.Number} ablation: final validation AP per row"), "backbone / head", "AP (%), mean over seeds", series)
            {
                Bars = means,
                BarsLabel = "mean over seeds",
                Categories = table.Rows.Select(r => r.Short).ToList(),
                RightLabel = "the paper's number (%)",
            }, path);
        }

        private static void DrawCurves(string path, AblationTable table, IReadOnlyList<AblationRow> rows, Dictionary<string, List<AblationResult>> byRow)
        {
            var series = new List<PlotSeries>();
            foreach (var row in rows)
            {
                var points = byRow[row.Id].SelectMany(x => x.Validation).ToList();
                var steps = points.Select(p => p.Step).Distinct().OrderBy(s => s).ToList();
                series.Add(new PlotSeries(row.Label + " (mean)", steps.Select(s => (double)s).ToList(), steps.Select(s => Mean(points.Where(p => p.Step == s).Select(p => 100 * p.AP).ToList())).ToList()) { LineWidth = 2 });
                series.Add(new PlotSeries(row.Label + " (seeds)", points.Select(p => (double)p.Step).ToList(), points.Select(p => 100 * p.AP).ToList()) { LineWidth = 0, MarkerSize = 4, ColorOfPrevious = true });
            }
            CurvePlot.Draw(new PlotSpec(Inv($"Table {table.Number} ablation: validation AP during training"), "optimiser step", "validation AP (%)", series), path);
        }

        /// <summary>"mean [min, max]" of the values, one decimal; the mean alone for one value; empty for none.</summary>
        private static string Spread(IReadOnlyList<double> v)
        {
            if (v.Count == 0) return "";
            return v.Count == 1 ? Inv($"{v[0]:F1}") : Inv($"{v.Average():F1} [{v.Min():F1}, {v.Max():F1}]");
        }

        /// <summary>The paired AP difference to the baseline over the seeds both have, as <see cref="Spread"/> with signs.</summary>
        private static string Delta(IReadOnlyList<AblationResult> runs, IReadOnlyList<AblationResult> baseline)
        {
            var d = runs.Join(baseline, r => r.Seed, b => b.Seed, (r, b) => 100 * (r.AP - b.AP)).ToList();
            if (d.Count == 0) return "";
            return d.Count == 1 ? Signed(d[0]) : Inv($"{Signed(d.Average())} [{Signed(d.Min())}, {Signed(d.Max())}]");
        }

        private static double Mean(IReadOnlyList<double> v) => v.Count == 0 ? double.NaN : v.Average();

        private static string Signed(double v) => v.ToString("+0.0;-0.0;0.0", CultureInfo.InvariantCulture);

        private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
    }
}
