using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace PoseRT.Bench
{
    /// <summary>The Markdown page of a run: machine, command, tables, and one verdict per performance target.</summary>
    internal static class BenchReport
    {
        private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

        public static string Markdown(BenchResults r)
        {
            var md = new StringBuilder();
            void Line(string s) => md.Append(s).Append('\n');
            Line($"Machine: {r.Machine.Describe()}; ONNX Runtime {r.OnnxRuntime}; run {r.StartedUtc}, {r.WallSeconds:F0} s; peak RSS {r.PeakRssMb:F0} MB.");
            Line("");
            Line($"Command: `{r.Command}`");
            Line("");
            Line("End to end, one person in a 1280x720 frame (crop + inference + decode), CPU provider:");
            Line("");
            Line("| model | graph | threads | flip | mean ms | p50 ms | p95 ms | FPS | pre + decode p50 ms | bytes/frame |");
            Line("|---|---|---|---|---|---|---|---|---|---|");
            foreach (var l in r.Latency)
            {
                string graph = l.Graph + (l.Parallelism == "Crops" ? "" : ", " + l.Parallelism.ToLowerInvariant() + " threading");
                Line(F($"| {l.Model} | {graph} | {l.Threads} | {(l.Flip ? "on" : "off")} | {l.Total.MeanMs:F1} | {l.Total.P50Ms:F1} | {l.Total.P95Ms:F1} | {l.Fps:F1} | {l.PreprocessP50Ms + l.DecodeP50Ms:F2} | {l.BytesPerFrame:F0} |"));
            }
            Line("");
            Line("Several people per frame, flip test on:");
            Line("");
            Line("| model | threads | persons | p50 ms per frame | poses/s |");
            Line("|---|---|---|---|---|");
            foreach (var t in r.Throughput)
                Line(F($"| {t.Model} | {t.Threads} | {t.Persons} | {t.Total.P50Ms:F1} | {t.PosesPerSecond:F1} |"));
            Line("");
            Line("Peers on the same file, a batch of 2 crops (one person with the flip test), same thread count; ratio = peer p50 / PoseRT end-to-end p50 (PoseRT's time includes cropping and decoding, the peers' only the network):");
            Line("");
            Line("| model | threads | peer | file | p50 ms | x PoseRT | note |");
            Line("|---|---|---|---|---|---|---|");
            foreach (var p in r.Peers)
                Line(F($"| {p.Model} | {p.Threads} | {p.Peer} | {p.File} | {(p.Time == null ? "-" : p.Time.P50Ms.ToString("F1", Inv))} | {(p.SlowerThanPoseRT == null ? "-" : p.SlowerThanPoseRT.Value.ToString("F2", Inv))} | {p.Note ?? ""} |"));
            Line("");
            if (r.Tracker.Count > 0)
            {
                TrackerTable(r.Tracker, Line);
            }
            Line("Models:");
            Line("");
            Line("| model | what | MAdds | RSS after (MB) |");
            Line("|---|---|---|---|");
            foreach (var m in r.Models)
                Line(F($"| {m.Name} | {m.Description} | {(m.MultiplyAdds == null ? "-" : (m.MultiplyAdds.Value / 1e6).ToString("F0", Inv) + " M")} | {m.RssAfterMb:F0} |"));
            Line("");
            Line("Targets (issue 11):");
            Line("");
            foreach (var v in Verdicts(r)) Line("- " + v);
            return md.ToString();
        }

        /// <summary>The PoseTracker table (compare's section and the tracker command's report).</summary>
        public static void TrackerTable(IReadOnlyList<TrackerRow> rows, Action<string> line)
        {
            line("PoseTracker (HOG detector, batched estimation, One-Euro smoothing), mean per frame; \"estimate\" is PoseEstimator itself on the tracked boxes, \"track\" what the tracker adds in managed code:");
            line("");
            line("| model | clip | frames (clip) | people/frame | detector runs/frame | detect ms | estimate ms | track ms | total ms | managed bytes/frame (no detection) |");
            line("|---|---|---|---|---|---|---|---|---|---|");
            foreach (var t in rows)
                line(F($"| {t.Model} | {t.Clip} | {t.Frames} ({t.ClipFrames}) | {t.PeoplePerFrame:F2} | {t.DetectorRunsPerFrame:F2} | {t.DetectMs:F2} | {t.EstimateMs:F2} | {t.TrackMs:F3} | {t.TotalMs:F2} | {(t.BytesPerFrameWithoutDetection is double b ? b.ToString("F0", Inv) : "- (the detector ran on every frame)")} |"));
            line("");
        }

        /// <summary>One sentence per target: met or missed, by how much.</summary>
        public static List<string> Verdicts(BenchResults r)
        {
            var verdicts = new List<string>();
            int threads = 0;
            foreach (var l in r.Latency) threads = Math.Max(threads, l.Threads);
            foreach (var backbone in new[] { "mobilenetv3_large", "mobilenetv3_small" })
            {
                var dy = PoseRTRow(r, backbone + "-dyrelu_c", threads);
                var st = PoseRTRow(r, backbone + "-static", threads);
                if (dy == null || st == null) continue;
                double ratio = dy.Inference.P50Ms / st.Inference.P50Ms;
                verdicts.Add(F($"DY-ReLU-C / static, {backbone}, fp32, batch 2, {threads} threads: {ratio:F2} (inference p50 {dy.Inference.P50Ms:F1} vs {st.Inference.P50Ms:F1} ms); target <= 1.3: {(ratio <= 1.3 ? "met" : F($"missed by {ratio / 1.3:F2}x"))}."));
            }
            double worst = double.MaxValue;
            string worstName = "";
            foreach (var p in r.Peers)
                if (p.SlowerThanPoseRT is double s && s < worst)
                {
                    worst = s;
                    worstName = $"{p.Peer} on {p.Model}, {p.Threads} thread(s)";
                }
            if (worst < double.MaxValue)
                verdicts.Add(F($"PoseRT >= 1.3x faster than every peer: closest peer is {worstName} at {worst:F2}x; {(worst >= 1.3 ? "met" : "missed")}."));
            var large = PoseRTRow(r, "mobilenetv3_large-dyrelu_c", threads);
            if (large != null)
            {
                // FPS is 1000 / mean; the median's rate is given beside it because a few of a shared VM's spikes move the mean.
                verdicts.Add(F($"MobileNetV3-Large DY-ReLU-C, one person, flip on, fp32: {large.Fps:F1} FPS (p50 {large.Total.P50Ms:F1} ms, {1000 / large.Total.P50Ms:F1} FPS by the median); target >= 30 FPS: {(large.Fps >= 30 ? "met" : F($"missed by {30 / large.Fps:F2}x"))}."));
                foreach (var m in r.Models)
                    if (m.Name == large.Model && m.MultiplyAdds is long madds)
                    {
                        double gflops = 2.0 * madds * 2 / (large.Inference.P50Ms / 1000) / 1e9;
                        verdicts.Add(F($"That run achieves {gflops:F1} GFLOP/s ({madds / 1e6:F0} M MAdds x 2 crops) against a peak of {r.Machine.PeakGflops:F0} GFLOP/s ({r.Machine.LogicalCores} cores x {r.Machine.ClockGHz:F2} GHz x {r.Machine.Fp32Lanes} fp32 lanes x 2 FMA units x 2): {100 * gflops / r.Machine.PeakGflops:F1} % of peak."));
                    }
                // The flip test stays on: turning it off costs more than 1 AP (README, real-time configuration), INT8 does not.
                // Ranked by FPS, the measure the target is stated in (a p50 ranking could name a row with fewer FPS).
                LatencyRow? fastest = null;
                foreach (var l in r.Latency)
                    if (l.Flip && (l.Model == large.Model || l.Model == large.Model + "-int8") && (fastest == null || l.Fps > fastest.Fps))
                        fastest = l;
                if (fastest != null)
                    verdicts.Add(F($"Real-time configuration (flip-on row of MobileNetV3-Large DY-ReLU-C with the most FPS): {fastest.Model}, {fastest.Graph} graph, {fastest.Parallelism} parallelism, {fastest.Threads} thread(s): {fastest.Fps:F1} FPS (p50 {fastest.Total.P50Ms:F1} ms), {fastest.Fps / large.Fps:F2}x the fp32 default's FPS; target >= 30 FPS: {(fastest.Fps >= 30 ? "met" : F($"missed by {30 / fastest.Fps:F2}x"))}."));
            }
            double worstPre = 0, worstBytes = 0;
            foreach (var l in r.Latency)
            {
                double perPerson = l.PreprocessP50Ms + l.DecodeP50Ms;
                worstPre = Math.Max(worstPre, perPerson);
                worstBytes = Math.Max(worstBytes, l.BytesPerFrame);
            }
            verdicts.Add(F($"Preprocess + decode per person: worst p50 {worstPre:F2} ms; target <= 1 ms: {(worstPre <= 1 ? "met" : "missed")}. Managed allocations: worst {worstBytes:F0} bytes/frame; target 0: {(worstBytes == 0 ? "met" : "missed")}."));
            return verdicts;
        }

        /// <summary>PoseRT's shipped configuration for one person with the flip test (Fused graph, crop threading), the row targets and peers compare with.</summary>
        public static LatencyRow? PoseRTRow(BenchResults r, string model, int threads)
        {
            foreach (var l in r.Latency)
                if (l.Model == model && l.Threads == threads && l.Flip && l.Graph == "fused" && l.Parallelism == "Crops") return l;
            return null;
        }

        private static string F(FormattableString s) => s.ToString(Inv);
    }
}
