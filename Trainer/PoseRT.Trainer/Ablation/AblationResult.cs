using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using PoseRT.IO;
using PoseRT.Trainer.Training;

namespace PoseRT.Trainer.Ablation
{
    /// <summary>One validation of a run: after 1-based <paramref name="Epoch"/>, at optimiser step <paramref name="Step"/>, with COCO AP <paramref name="AP"/> (0..1).</summary>
    public sealed record CurvePoint(int Epoch, long Step, double AP);

    /// <summary>
    /// What one finished (row, seed) run gave, read from its run folder's metrics.jsonl: the validation at the end
    /// of the budget (the numbers the table reports), the best validation, every validation (the convergence
    /// curves) and the training time. Stored as <c>result.json</c> in the run folder; its presence marks the run done.
    /// </summary>
    /// <param name="Row">Row id.</param>
    /// <param name="Seed">The run's seed.</param>
    /// <param name="Epochs">Epochs trained.</param>
    /// <param name="Steps">Optimiser steps trained.</param>
    /// <param name="Final">The last validation's COCO stats (AP, AP50, AP75, APm, APl, AR, ...; 0..1, -1 undefined).</param>
    /// <param name="BestAP">The best validation AP of the run.</param>
    /// <param name="BestEpoch">The epoch of <paramref name="BestAP"/>.</param>
    /// <param name="Validation">Every validation, in order.</param>
    /// <param name="TrainSeconds">Sum of the epochs' training time (validation excluded), over all processes that trained the run.</param>
    /// <param name="Model">The model description checkpoints carry (<see cref="PoseTraining.Describe"/>).</param>
    /// <param name="Onnx">The exported model's file name in the run folder, or null when the export did not happen.</param>
    /// <param name="Finished">When the result was written (UTC).</param>
    public sealed record AblationResult(
        string Row,
        long Seed,
        int Epochs,
        long Steps,
        IReadOnlyDictionary<string, double> Final,
        double BestAP,
        int BestEpoch,
        IReadOnlyList<CurvePoint> Validation,
        double TrainSeconds,
        string Model,
        string? Onnx,
        DateTime Finished)
    {
        /// <summary>File name of the result inside a run folder.</summary>
        public const string FileName = "result.json";

        /// <summary>
        /// The result of the finished run in <paramref name="runDir"/>, from its metrics.jsonl; throws
        /// <see cref="InvalidDataException"/> when the log has no validation (a run must validate at its last epoch).
        /// </summary>
        public static AblationResult FromRun(string row, long seed, string runDir, string model, string? onnx)
        {
            string metrics = Path.Combine(runDir, MetricsLog.FileName);
            var records = MetricsLog.Read(metrics);
            var val = records.Where(r => r.Type == "val").ToList();
            if (val.Count == 0) throw new InvalidDataException($"'{metrics}' has no validation rows; the run cannot be scored.");
            var last = val[^1];
            var best = val.OrderByDescending(v => v.Values.GetValueOrDefault("AP", double.NaN)).ThenBy(v => v.Step).First();
            double seconds = records.Where(r => r.Type == "epoch").Sum(r => r.Values.GetValueOrDefault("seconds", 0));
            return new AblationResult(
                row, seed, last.Epoch, last.Step,
                last.Values.Where(kv => kv.Key != "score").ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal),
                best.Values.GetValueOrDefault("AP", double.NaN), best.Epoch,
                val.Select(v => new CurvePoint(v.Epoch, v.Step, v.Values.GetValueOrDefault("AP", double.NaN))).ToList(),
                seconds, model, onnx, DateTime.UtcNow);
        }

        /// <summary>Final AP (0..1).</summary>
        [System.Text.Json.Serialization.JsonIgnore]
        public double AP => Final.GetValueOrDefault("AP", double.NaN);

        /// <summary>Writes the result to <paramref name="path"/> atomically and durably (it is what marks the run done).</summary>
        public void Save(string path) => AtomicFile.WriteAllBytes(path, JsonSerializer.SerializeToUtf8Bytes(this, Json), durable: true);

        /// <summary>Reads a result; throws <see cref="InvalidDataException"/> naming the file when it is not one.</summary>
        public static AblationResult Load(string path)
        {
            try
            {
                return JsonSerializer.Deserialize<AblationResult>(File.ReadAllBytes(path), Json)
                       ?? throw new InvalidDataException($"'{path}' is empty.");
            }
            catch (JsonException e)
            {
                throw new InvalidDataException($"'{path}' is not an ablation result: {e.Message}", e);
            }
        }

        private static readonly JsonSerializerOptions Json = new()
        {
            WriteIndented = true,
            NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
            PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        };
    }
}
