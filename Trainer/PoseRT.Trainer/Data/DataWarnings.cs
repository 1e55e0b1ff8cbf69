using System;
using System.Collections.Generic;
using System.Threading;

namespace PoseRT.Trainer.Data
{
    /// <summary>
    /// Counts unusable samples (bad annotations found while indexing, missing or corrupt images found while
    /// loading) so that training skips them with a counted warning instead of stopping mid-epoch.
    /// Thread-safe; the first few messages of each kind are kept verbatim for the log.
    /// </summary>
    public sealed class DataWarnings
    {
        private const int KeptPerKind = 5;
        private readonly object _gate = new();
        private readonly Dictionary<string, int> _counts = new(StringComparer.Ordinal);
        private readonly List<string> _examples = new();
        private int _total;

        /// <summary>Called once per new warning (for printing); may be called from worker threads.</summary>
        public Action<string>? OnWarning { get; set; }

        /// <summary>Total warnings so far.</summary>
        public int Total => Volatile.Read(ref _total);

        /// <summary>Records one warning of <paramref name="kind"/> (e.g. "missing image") with a message naming the file or field.</summary>
        public void Add(string kind, string message)
        {
            bool keep;
            lock (_gate)
            {
                _counts.TryGetValue(kind, out int n);
                _counts[kind] = n + 1;
                _total++;
                keep = n < KeptPerKind;
                if (keep) _examples.Add(kind + ": " + message);
            }
            if (keep) OnWarning?.Invoke(kind + ": " + message);
        }

        /// <summary>Counts per kind, for the summary line and the metrics log.</summary>
        public IReadOnlyDictionary<string, int> Counts()
        {
            lock (_gate) return new Dictionary<string, int>(_counts, StringComparer.Ordinal);
        }

        /// <summary>The kept example messages.</summary>
        public IReadOnlyList<string> Examples()
        {
            lock (_gate) return _examples.ToArray();
        }

        /// <summary>One line such as "3 skipped: missing image x2, corrupt image x1", or "none".</summary>
        public string Summary()
        {
            lock (_gate)
            {
                if (_total == 0) return "none";
                var parts = new List<string>();
                foreach (var kv in _counts) parts.Add($"{kv.Key} x{kv.Value}");
                parts.Sort(StringComparer.Ordinal);
                return $"{_total} skipped: " + string.Join(", ", parts);
            }
        }
    }
}
