using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;

namespace PoseRT.Trainer.Training
{
    /// <summary>Resident set size of this process, for the per-epoch memory report.</summary>
    public static class ProcessMemory
    {
        /// <summary>Current RSS in MiB (Linux: VmRSS from /proc/self/status; elsewhere the working set).</summary>
        public static double ResidentMiB()
        {
            const string status = "/proc/self/status";
            if (File.Exists(status))
            {
                foreach (var line in File.ReadLines(status))
                {
                    if (!line.StartsWith("VmRSS:", StringComparison.Ordinal)) continue;
                    var parts = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
                    if (parts.Length >= 2 && long.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out long kb))
                        return kb / 1024.0;
                }
            }
            using var p = Process.GetCurrentProcess();
            return p.WorkingSet64 / (1024.0 * 1024.0);
        }
    }
}
