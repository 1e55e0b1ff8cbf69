using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;
using System.Text.Json;
using TorchSharp.Modules;
using static TorchSharp.torch;

using PoseRT.IO;

namespace PoseRT.Trainer.Training
{
    /// <summary>One row of metrics.jsonl: a kind ("step", "epoch", "val"), its position and named numbers.</summary>
    public sealed record MetricRecord(string Type, int Epoch, long Step, IReadOnlyDictionary<string, double> Values);

    /// <summary>
    /// Machine-readable training log: JSON lines (metrics.jsonl, one flushed line per record so a killed run
    /// keeps what it logged) mirrored to TensorBoard event files (tensorboard/).
    /// </summary>
    public sealed class MetricsLog : IDisposable
    {
        /// <summary>File name of the JSON-lines log inside the run folder.</summary>
        public const string FileName = "metrics.jsonl";

        private readonly StreamWriter _writer;
        private readonly SummaryWriter? _tensorBoard;

        /// <summary>Folder of the TensorBoard event files inside the run folder.</summary>
        public const string TensorBoardFolder = "tensorboard";

        /// <summary>
        /// Opens the log in <paramref name="dir"/>. When resuming from <paramref name="resumeStep"/>, rows written
        /// after that step by the interrupted process are dropped first, so the log reads as one clean run, and the
        /// TensorBoard events are rebuilt from the rows kept (otherwise TensorBoard would draw the dropped steps and
        /// their repeats on top of each other; its events then carry the rebuild's wall time). A fresh run starts both empty.
        /// </summary>
        public MetricsLog(string dir, long? resumeStep, bool tensorBoard = true)
        {
            Path = System.IO.Path.Combine(dir, FileName);
            var kept = new List<MetricRecord>();
            if (resumeStep is { } keepUpTo && File.Exists(Path))
            {
                var lines = new List<string>();
                foreach (var r in ReadLines(Path))
                {
                    if (r.Record.Step > keepUpTo) continue;
                    lines.Add(r.Line);
                    kept.Add(r.Record);
                }
                AtomicFile.WriteAllText(Path, lines.Count == 0 ? "" : string.Join(Environment.NewLine, lines) + Environment.NewLine);
            }
            else if (File.Exists(Path))
            {
                File.Delete(Path);
            }
            _writer = new StreamWriter(new FileStream(Path, FileMode.Append, FileAccess.Write, FileShare.Read), new UTF8Encoding(false)) { AutoFlush = true };
            if (tensorBoard)
            {
                // The event files only mirror metrics.jsonl, so they are rewritten rather than trimmed in place.
                string events = System.IO.Path.Combine(dir, TensorBoardFolder);
                if (Directory.Exists(events)) Directory.Delete(events, recursive: true);
                _tensorBoard = utils.tensorboard.SummaryWriter(events);
                foreach (var r in kept) Mirror(r.Type, r.Step, r.Values);
            }
        }

        /// <summary>Full path of metrics.jsonl.</summary>
        public string Path { get; }

        /// <summary>Appends one record and mirrors each value to TensorBoard as "<c>type/name</c>" at <paramref name="step"/>.</summary>
        public void Write(string type, int epoch, long step, IReadOnlyDictionary<string, double> values)
        {
            using var ms = new MemoryStream();
            using (var j = new Utf8JsonWriter(ms))
            {
                j.WriteStartObject();
                j.WriteString("type", type);
                j.WriteNumber("epoch", epoch);
                j.WriteNumber("step", step);
                j.WriteString("time", DateTime.UtcNow.ToString("o", CultureInfo.InvariantCulture));
                foreach (var kv in values)
                {
                    if (double.IsFinite(kv.Value)) j.WriteNumber(kv.Key, kv.Value);
                    else j.WriteString(kv.Key, kv.Value.ToString(CultureInfo.InvariantCulture));
                }
                j.WriteEndObject();
            }
            _writer.WriteLine(Encoding.UTF8.GetString(ms.ToArray()));
            Mirror(type, step, values);
        }

        private void Mirror(string type, long step, IReadOnlyDictionary<string, double> values)
        {
            if (_tensorBoard == null) return;
            int tbStep = (int)Math.Min(step, int.MaxValue);
            foreach (var kv in values)
            {
                if (double.IsFinite(kv.Value)) _tensorBoard.add_scalar(type + "/" + kv.Key, (float)kv.Value, tbStep);
            }
        }

        /// <summary>Reads the records of a metrics.jsonl file (skipping a torn last line).</summary>
        public static IReadOnlyList<MetricRecord> Read(string path)
        {
            var list = new List<MetricRecord>();
            foreach (var r in ReadLines(path)) list.Add(r.Record);
            return list;
        }

        private static IEnumerable<(string Line, MetricRecord Record)> ReadLines(string path)
        {
            foreach (var line in File.ReadAllLines(path))
            {
                if (line.Length == 0) continue;
                MetricRecord rec;
                try
                {
                    using var doc = JsonDocument.Parse(line);
                    var root = doc.RootElement;
                    var values = new Dictionary<string, double>(StringComparer.Ordinal);
                    foreach (var p in root.EnumerateObject())
                    {
                        if (p.Name is "type" or "epoch" or "step" or "time") continue;
                        if (p.Value.ValueKind == JsonValueKind.Number) values[p.Name] = p.Value.GetDouble();
                        else if (p.Value.ValueKind == JsonValueKind.String && double.TryParse(p.Value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out double d)) values[p.Name] = d;
                    }
                    rec = new MetricRecord(root.GetProperty("type").GetString() ?? "", root.GetProperty("epoch").GetInt32(), root.GetProperty("step").GetInt64(), values);
                }
                catch (JsonException)
                {
                    continue; // a line torn by a kill mid-write
                }
                catch (KeyNotFoundException)
                {
                    continue;
                }
                yield return (line, rec);
            }
        }

        /// <summary>Closes the files.</summary>
        public void Dispose()
        {
            // TorchSharp's SummaryWriter appends and closes its event file on every write; nothing to close.
            _writer.Dispose();
        }
    }
}
