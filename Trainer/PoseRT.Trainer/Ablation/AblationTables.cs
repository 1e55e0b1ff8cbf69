using System;
using System.Collections.Generic;
using System.Linq;
using PoseRT.Trainer.Models;

namespace PoseRT.Trainer.Ablation
{
    /// <summary>What the paper reports for a row: its main number and, where the table has them, the others.</summary>
    /// <param name="Value">The table's main number: COCO val AP (Table 4) or ImageNet top-1 (Table 7), in percent.</param>
    /// <param name="AP50">AP at OKS 0.5 (Table 4 only).</param>
    /// <param name="AP75">AP at OKS 0.75 (Table 4 only).</param>
    /// <param name="AR">AR (Table 4 only).</param>
    public sealed record PaperNumbers(double Value, double? AP50 = null, double? AP75 = null, double? AR = null);

    /// <summary>
    /// One row of an ablation table: the activations of backbone and head and, for Table 7, the DY-ReLU form
    /// (K pieces, with or without the intercepts b). Every row of a table trains the same network otherwise.
    /// </summary>
    /// <param name="Id">Folder-safe name, e.g. <c>relu-c</c> (run folders are <c>rows/&lt;Id&gt;-seed&lt;S&gt;</c>).</param>
    /// <param name="Label">As the paper's table writes it, e.g. <c>ReLU / DY-ReLU-C</c>.</param>
    /// <param name="Short">Short label for charts, e.g. <c>ReLU/C</c>.</param>
    /// <param name="Backbone">Activation in the backbone.</param>
    /// <param name="Head">Activation in the head.</param>
    /// <param name="K">DY-ReLU's number of linear pieces.</param>
    /// <param name="Intercepts">Whether DY-ReLU has the intercepts b (false: b = 0, Table 7's max_k a_k x rows).</param>
    /// <param name="Paper">The paper's numbers for the row.</param>
    public sealed record AblationRow(string Id, string Label, string Short, ActivationKind Backbone, ActivationKind Head, int K, bool Intercepts, PaperNumbers Paper)
    {
        /// <summary>
        /// The row's network: <paramref name="baseModel"/> (backbone, widths, input) with this row's activations and
        /// DY-ReLU form. K = 3 starts from slopes (1, 0, 0) and intercepts 0, extending the paper's K = 2 init
        /// (alpha 1, 0; beta 0, 0; the paper gives none for K = 3). No intercepts is lambda_b = 0 with beta = 0, so
        /// b = beta + lambda_b (2 sigmoid - 1) is exactly 0 (the hyper function's b outputs stay, unused).
        /// </summary>
        public PoseNetOptions Model(PoseNetOptions baseModel)
        {
            ArgumentNullException.ThrowIfNull(baseModel);
            var o = baseModel.Clone();
            o.BackboneActivation = Backbone;
            o.HeadActivation = Head;
            o.DyRelu.K = K;
            o.DyRelu.Alpha = Enumerable.Range(0, K).Select(k => k == 0 ? 1.0 : 0.0).ToArray();
            o.DyRelu.Beta = new double[K];
            if (!Intercepts) o.DyRelu.LambdaB = 0;
            return o;
        }
    }

    /// <summary>An ablation table: its rows, the row the deltas are taken against, and the rows whose validation curves are compared.</summary>
    /// <param name="Number">The paper's table number (4 or 7).</param>
    /// <param name="Title">What the table compares.</param>
    /// <param name="PaperMetric">What the paper's numbers are (they are not all COCO AP).</param>
    /// <param name="Rows">Rows in the paper's order; the first is the baseline.</param>
    /// <param name="CurveRows">Ids of the rows drawn in the convergence chart and table.</param>
    public sealed record AblationTable(int Number, string Title, string PaperMetric, IReadOnlyList<AblationRow> Rows, IReadOnlyList<string> CurveRows)
    {
        /// <summary>The baseline row (ReLU in backbone and head).</summary>
        public AblationRow Baseline => Rows[0];

        /// <summary>The tables this program reproduces.</summary>
        public static readonly IReadOnlyList<int> Numbers = new[] { 4, 7 };

        /// <summary>Table <paramref name="number"/>; throws <see cref="ArgumentException"/> for one that is not reproduced.</summary>
        public static AblationTable Get(int number) => number switch
        {
            4 => Table4,
            7 => Table7,
            _ => throw new ArgumentException($"--table {number}: only tables {string.Join(" and ", Numbers)} of the paper are ablations this program reproduces (4: DY-ReLU variants in backbone and head; 7: K and the intercepts)."),
        };

        private const ActivationKind R = ActivationKind.Relu;
        private const ActivationKind A = ActivationKind.DyReluA;
        private const ActivationKind B = ActivationKind.DyReluB;
        private const ActivationKind C = ActivationKind.DyReluC;

        /// <summary>
        /// Table 4 (COCO keypoints, MobileNetV2 x0.5, 256x192): backbone x head activation, the paper's AP, AP50, AP75
        /// and AR in percent. MobileNetV2's own activation is ReLU (ReLU6 in the original; ReLU here, as the paper's
        /// rows name it), so the baseline is <c>relu</c> in both parts.
        /// </summary>
        public static readonly AblationTable Table4 = new(
            4,
            "DY-ReLU variants in the backbone and the head (paper Table 4)",
            "COCO val2017 AP, MobileNetV2 x0.5, 256x192, 210 epochs",
            new[]
            {
                new AblationRow("relu-relu", "ReLU / ReLU", "ReLU/ReLU", R, R, 2, true, new PaperNumbers(59.2, 84.3, 66.4, 65.6)),
                new AblationRow("a-relu", "DY-ReLU-A / ReLU", "A/ReLU", A, R, 2, true, new PaperNumbers(58.8, 84.6, 65.3, 65.4)),
                new AblationRow("b-relu", "DY-ReLU-B / ReLU", "B/ReLU", B, R, 2, true, new PaperNumbers(61.5, 85.8, 68.9, 67.9)),
                new AblationRow("c-relu", "DY-ReLU-C / ReLU", "C/ReLU", C, R, 2, true, new PaperNumbers(61.9, 86.0, 69.2, 68.3)),
                new AblationRow("relu-a", "ReLU / DY-ReLU-A", "ReLU/A", R, A, 2, true, new PaperNumbers(57.0, 83.7, 63.5, 63.6)),
                new AblationRow("relu-b", "ReLU / DY-ReLU-B", "ReLU/B", R, B, 2, true, new PaperNumbers(58.4, 83.8, 64.9, 64.6)),
                new AblationRow("relu-c", "ReLU / DY-ReLU-C", "ReLU/C", R, C, 2, true, new PaperNumbers(61.0, 85.2, 68.6, 67.3)),
                new AblationRow("c-c", "DY-ReLU-C / DY-ReLU-C", "C/C", C, C, 2, true, new PaperNumbers(63.3, 86.3, 71.4, 69.4)),
            },
            new[] { "relu-relu", "relu-c", "c-c" });

        /// <summary>
        /// Table 7's structure for the keypoint model: DY-ReLU-C in backbone and head with K = 2 or 3 pieces, with and
        /// without the intercepts b, against ReLU. The paper's Table 7 is ImageNet top-1 of DY-ReLU-B on MobileNetV2
        /// x0.35 (the numbers beside the rows); its two rows that keep the second piece at 0 (max(a x [+ b], 0)) need a
        /// model form PoseNet does not have and are not reproduced.
        /// </summary>
        public static readonly AblationTable Table7 = new(
            7,
            "DY-ReLU-C's pieces K and intercepts b (paper Table 7's structure, keypoint model)",
            "ImageNet top-1, DY-ReLU-B in MobileNetV2 x0.35 (the paper has no keypoint Table 7)",
            new[]
            {
                new AblationRow("relu-relu", "ReLU / ReLU", "ReLU/ReLU", R, R, 2, true, new PaperNumbers(60.3)),
                new AblationRow("c-c-k2-nob", "DY-ReLU-C K=2, no b", "C/C K2 no b", C, C, 2, false, new PaperNumbers(65.7)),
                new AblationRow("c-c-k2", "DY-ReLU-C K=2, with b", "C/C K2", C, C, 2, true, new PaperNumbers(66.4)),
                new AblationRow("c-c-k3-nob", "DY-ReLU-C K=3, no b", "C/C K3 no b", C, C, 3, false, new PaperNumbers(65.9)),
                new AblationRow("c-c-k3", "DY-ReLU-C K=3, with b", "C/C K3", C, C, 3, true, new PaperNumbers(66.6)),
            },
            new[] { "relu-relu", "c-c-k2-nob", "c-c-k2", "c-c-k3-nob", "c-c-k3" });

        /// <summary>The rows named in <paramref name="ids"/> (comma separated; null or empty: all), in table order.</summary>
        public IReadOnlyList<AblationRow> Select(string? ids)
        {
            if (string.IsNullOrWhiteSpace(ids)) return Rows;
            var wanted = ids.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            foreach (var id in wanted)
            {
                if (!Rows.Any(r => r.Id == id))
                    throw new ArgumentException($"--rows: '{id}' is not a row of table {Number}; its rows are {string.Join(", ", Rows.Select(r => r.Id))}.");
            }
            return Rows.Where(r => wanted.Contains(r.Id, StringComparer.Ordinal)).ToList();
        }
    }
}
