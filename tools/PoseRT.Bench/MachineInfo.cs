using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;

namespace PoseRT.Bench
{
    /// <summary>The CPU a benchmark ran on: model, logical cores, clock, SIMD flags, and the fp32 FMA peak they imply.</summary>
    internal sealed record MachineInfo(string CpuModel, int LogicalCores, double ClockGHz, IReadOnlyList<string> SimdFlags, int Fp32Lanes, string Os)
    {
        /// <summary>
        /// Peak fp32 GFLOP/s = cores x clock x SIMD lanes x 2 (an FMA is two flops) x 2 FMA units per core (Zen 4,
        /// Ice Lake and later server cores); an upper bound, as the benchmark states next to the figure.
        /// </summary>
        public double PeakGflops => LogicalCores * ClockGHz * Fp32Lanes * 2 * 2;

        /// <summary>One line for tables: model, cores, clock and the flags that matter for convolutions.</summary>
        public string Describe() =>
            $"{CpuModel}, {LogicalCores} logical cores at {ClockGHz:F2} GHz, SIMD: {string.Join(" ", SimdFlags)} ({Os})";

        private static readonly string[] Interesting = { "sse4_2", "avx", "avx2", "fma", "avx512f", "avx512bw", "avx512vl", "avx512_vnni", "avx512_bf16", "avx_vnni", "amx_tile" };

        /// <summary>Reads /proc/cpuinfo on Linux; elsewhere what .NET reports.</summary>
        public static MachineInfo Detect()
        {
            string model = Environment.GetEnvironmentVariable("PROCESSOR_IDENTIFIER") ?? RuntimeInformation.ProcessArchitecture.ToString();
            double mhz = 0;
            var flags = new List<string>();
            if (File.Exists("/proc/cpuinfo"))
            {
                foreach (var line in File.ReadLines("/proc/cpuinfo"))
                {
                    int colon = line.IndexOf(':');
                    if (colon < 0) continue;
                    string key = line.Substring(0, colon).Trim(), value = line.Substring(colon + 1).Trim();
                    if (key == "model name") model = value;
                    else if (key == "cpu MHz" && mhz == 0) double.TryParse(value, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out mhz);
                    else if (key == "flags" && flags.Count == 0)
                    {
                        var present = new HashSet<string>(value.Split(' ', StringSplitOptions.RemoveEmptyEntries), StringComparer.Ordinal);
                        foreach (var f in Interesting) if (present.Contains(f)) flags.Add(f);
                    }
                }
            }
            int lanes = flags.Contains("avx512f") ? 16 : flags.Contains("avx2") || flags.Contains("avx") ? 8 : 4;
            return new MachineInfo(model, Environment.ProcessorCount, mhz / 1000.0, flags, lanes, RuntimeInformation.OSDescription);
        }
    }
}
