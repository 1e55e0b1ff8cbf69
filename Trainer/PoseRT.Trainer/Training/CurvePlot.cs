using System;
using System.Collections.Generic;
using System.Linq;

using PoseRT.IO;

namespace PoseRT.Trainer.Training
{
    /// <summary>A line and/or marker series of a <see cref="PlotSpec"/>.</summary>
    /// <param name="Label">Legend text.</param>
    /// <param name="X">X values.</param>
    /// <param name="Y">Y values (same count as <paramref name="X"/>).</param>
    public sealed record PlotSeries(string Label, IReadOnlyList<double> X, IReadOnlyList<double> Y)
    {
        /// <summary>Plot against the right axis (<see cref="PlotSpec.RightLabel"/>).</summary>
        public bool RightAxis { get; init; }

        /// <summary>Line width in pixels; 0 draws markers only.</summary>
        public float LineWidth { get; init; } = 1.5f;

        /// <summary>Marker size in pixels; 0 draws the line only.</summary>
        public float MarkerSize { get; init; } = 5;

        /// <summary>Draw in the colour of the series before (e.g. the single seeds beside their mean).</summary>
        public bool ColorOfPrevious { get; init; }
    }

    /// <summary>What <see cref="CurvePlot.Draw"/> draws: series, optionally bars at x = 0, 1, ... with category labels.</summary>
    /// <param name="Title">Title above the plot.</param>
    /// <param name="XLabel">X axis label.</param>
    /// <param name="YLabel">Left Y axis label.</param>
    /// <param name="Series">Lines and markers.</param>
    public sealed record PlotSpec(string Title, string XLabel, string YLabel, IReadOnlyList<PlotSeries> Series)
    {
        /// <summary>Right Y axis label, for series with <see cref="PlotSeries.RightAxis"/>.</summary>
        public string? RightLabel { get; init; }

        /// <summary>Bar heights at x = 0, 1, ...; NaN leaves a gap.</summary>
        public IReadOnlyList<double>? Bars { get; init; }

        /// <summary>Legend text of the bars.</summary>
        public string BarsLabel { get; init; } = "";

        /// <summary>Labels of x = 0, 1, ... replacing the numeric ticks (categories).</summary>
        public IReadOnlyList<string>? Categories { get; init; }
    }

    /// <summary>
    /// The Trainer's one plotter (ScottPlot): a run's training curves (per-epoch loss, step loss, validation score) from
    /// metrics.jsonl, and the ablation's charts, written as PNG.
    /// </summary>
    public static class CurvePlot
    {
        /// <summary>Writes <paramref name="pngPath"/> (atomically) from the records; returns false when there is nothing to plot.</summary>
        public static bool Write(IReadOnlyList<MetricRecord> records, string pngPath, string title)
        {
            var step = Pick(records, "step", "loss");
            var epoch = Pick(records, "epoch", "loss");
            var val = Pick(records, "val", "score");
            if (step.X.Count == 0 && epoch.X.Count == 0) return false;
            var series = new List<PlotSeries>();
            if (step.X.Count > 0) series.Add(new PlotSeries("loss (logged steps)", step.X, step.Y) { MarkerSize = 0 });
            if (epoch.X.Count > 0) series.Add(new PlotSeries("loss (epoch mean)", epoch.X, epoch.Y) { LineWidth = 2 });
            if (val.X.Count > 0) series.Add(new PlotSeries("validation score", val.X, val.Y) { RightAxis = true });
            Draw(new PlotSpec(title, "optimiser step", "loss", series) { RightLabel = "validation score" }, pngPath);
            return true;
        }

        private static (List<double> X, List<double> Y) Pick(IReadOnlyList<MetricRecord> records, string type, string value)
        {
            var x = new List<double>();
            var y = new List<double>();
            foreach (var r in records)
            {
                if (r.Type == type && r.Values.TryGetValue(value, out double v))
                {
                    x.Add(r.Step);
                    y.Add(v);
                }
            }
            return (x, y);
        }

        /// <summary>Draws <paramref name="spec"/> into <paramref name="pngPath"/> (1000 x 600, written atomically).</summary>
        public static void Draw(PlotSpec spec, string pngPath)
        {
            ArgumentNullException.ThrowIfNull(spec);
            var plt = new ScottPlot.Plot();
            plt.Title(spec.Title);
            plt.XLabel(spec.XLabel);
            plt.YLabel(spec.YLabel);
            if (spec.Bars is { } bars)
            {
                var present = Enumerable.Range(0, bars.Count).Where(i => double.IsFinite(bars[i])).ToArray();
                if (present.Length > 0)
                {
                    var b = plt.Add.Bars(present.Select(i => (double)i).ToArray(), present.Select(i => bars[i]).ToArray());
                    b.LegendText = spec.BarsLabel;
                }
            }
            ScottPlot.Color? previous = null;
            foreach (var s in spec.Series)
            {
                if (s.X.Count == 0) continue;
                var scatter = plt.Add.Scatter(s.X.ToArray(), s.Y.ToArray());
                scatter.LegendText = s.Label;
                scatter.LineWidth = s.LineWidth;
                scatter.MarkerSize = s.MarkerSize;
                if (s.ColorOfPrevious && previous is { } c) scatter.Color = c;
                previous = scatter.Color;
                if (s.RightAxis) scatter.Axes.YAxis = plt.Axes.Right;
            }
            if (spec.RightLabel != null) plt.Axes.Right.Label.Text = spec.RightLabel;
            if (spec.Categories is { } names)
                plt.Axes.Bottom.SetTicks(Enumerable.Range(0, names.Count).Select(i => (double)i).ToArray(), names.ToArray());
            plt.ShowLegend();
            AtomicFile.WriteAllBytes(pngPath, plt.GetImageBytes(1000, 600, ScottPlot.ImageFormat.Png));
        }
    }
}
