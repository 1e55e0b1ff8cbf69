using System;
using System.Collections.Generic;
using System.IO;
using System.Text.Json;

namespace PoseRT.Trainer.Export
{
    /// <summary>One operator type's share of an ONNX Runtime profile: kernel milliseconds per run and node count.</summary>
    internal sealed record OperatorTime(string Operator, double MsPerRun, int Nodes);

    /// <summary>
    /// Reads the JSON trace ONNX Runtime writes with <c>SessionOptions.EnableProfiling</c> and sums kernel time per
    /// operator type: the table in docs/performance.md ("where the time goes") comes from here.
    /// </summary>
    internal static class OnnxProfile
    {
        /// <summary>
        /// Kernel time per operator type per run, largest first, and the number of runs in the trace (its
        /// <c>model_run</c> events). Operators ONNX Runtime inserted itself (NCHWc reorders) appear under their own names.
        /// </summary>
        /// <exception cref="InvalidDataException">The file is not an ONNX Runtime profile; the message names it.</exception>
        public static (IReadOnlyList<OperatorTime> Operators, int Runs) Summarize(string path)
        {
            JsonDocument doc;
            try
            {
                doc = JsonDocument.Parse(File.ReadAllBytes(path));
            }
            catch (JsonException e)
            {
                throw new InvalidDataException($"{path} is not an ONNX Runtime profile: {e.Message}", e);
            }
            using (doc)
            {
                if (doc.RootElement.ValueKind != JsonValueKind.Array)
                    throw new InvalidDataException($"{path} is not an ONNX Runtime profile: its top level is not an array of trace events.");
                int runs = 0;
                var micros = new Dictionary<string, double>(StringComparer.Ordinal);
                var nodes = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
                foreach (var e in doc.RootElement.EnumerateArray())
                {
                    if (!e.TryGetProperty("cat", out var cat) || !e.TryGetProperty("name", out var nameElement)) continue;
                    string name = nameElement.GetString() ?? "";
                    if (cat.GetString() == "Session" && name == "model_run")
                    {
                        runs++;
                        continue;
                    }
                    if (cat.GetString() != "Node" || !name.EndsWith("_kernel_time", StringComparison.Ordinal)) continue;
                    if (!e.TryGetProperty("args", out var args) || !args.TryGetProperty("op_name", out var op) || !e.TryGetProperty("dur", out var dur)) continue;
                    string opName = op.GetString() ?? "?";
                    micros[opName] = (micros.TryGetValue(opName, out var sum) ? sum : 0) + dur.GetDouble();
                    if (!nodes.TryGetValue(opName, out var set)) nodes[opName] = set = new HashSet<string>(StringComparer.Ordinal);
                    set.Add(name);
                }
                if (runs == 0)
                    throw new InvalidDataException($"{path} holds no model_run event: not a profile of session runs.");
                var list = new List<OperatorTime>();
                foreach (var (op, us) in micros) list.Add(new OperatorTime(op, us / 1000.0 / runs, nodes[op].Count));
                list.Sort((a, b) => b.MsPerRun.CompareTo(a.MsPerRun));
                return (list, runs);
            }
        }
    }
}
