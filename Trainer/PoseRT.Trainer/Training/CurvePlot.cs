using System.Collections.Generic;
using System.IO;

using PoseRT.IO;

namespace PoseRT.Trainer.Training
{
    /// <summary>Draws the training curves (per-epoch loss, step loss, validation score) from metrics.jsonl into a PNG.</summary>
    public static class CurvePlot
    {
        /// <summary>Writes <paramref name="pngPath"/> (atomically) from the records; returns false when there is nothing to plot.</summary>
        public static bool Write(IReadOnlyList<MetricRecord> records, string pngPath, string title)
        {
            var stepX = new List<double>();
            var stepLoss = new List<double>();
            var epochX = new List<double>();
            var epochLoss = new List<double>();
            var valX = new List<double>();
            var valScore = new List<double>();
            foreach (var r in records)
            {
                if (r.Type == "step" && r.Values.TryGetValue("loss", out double l)) { stepX.Add(r.Step); stepLoss.Add(l); }
                else if (r.Type == "epoch" && r.Values.TryGetValue("loss", out double el)) { epochX.Add(r.Step); epochLoss.Add(el); }
                else if (r.Type == "val" && r.Values.TryGetValue("score", out double s)) { valX.Add(r.Step); valScore.Add(s); }
            }
            if (stepX.Count == 0 && epochX.Count == 0) return false;

            var plt = new ScottPlot.Plot();
            plt.Title(title);
            plt.XLabel("optimiser step");
            plt.YLabel("loss");
            if (stepX.Count > 0)
            {
                var s = plt.Add.Scatter(stepX.ToArray(), stepLoss.ToArray());
                s.LegendText = "loss (logged steps)";
                s.MarkerSize = 0;
            }
            if (epochX.Count > 0)
            {
                var s = plt.Add.Scatter(epochX.ToArray(), epochLoss.ToArray());
                s.LegendText = "loss (epoch mean)";
                s.LineWidth = 2;
            }
            if (valX.Count > 0)
            {
                var s = plt.Add.Scatter(valX.ToArray(), valScore.ToArray());
                s.LegendText = "validation score";
                s.Axes.YAxis = plt.Axes.Right;
                plt.Axes.Right.Label.Text = "validation score";
            }
            plt.ShowLegend();
            AtomicFile.WriteAllBytes(pngPath, plt.GetImageBytes(1000, 600, ScottPlot.ImageFormat.Png));
            return true;
        }
    }
}
