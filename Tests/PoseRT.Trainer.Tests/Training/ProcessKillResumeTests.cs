using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using PoseRT.Trainer.Training;

namespace PoseRT.Tests.Training
{
    /// <summary>
    /// The real thing: the built posert-train executable is killed (SIGKILL) mid-epoch after it wrote a
    /// checkpoint, resumed with --resume, and must end with exactly the weights of an uninterrupted run.
    /// </summary>
    [Collection(TorchStateCollection.Name)]
    public class ProcessKillResumeTests
    {
        // 160 samples / batch 8 = 20 steps per epoch, 3 epochs; one LibTorch thread so the run is exact and fast.
        private static readonly string[] Args =
        {
            "train", "--blobs", "160", "--epochs", "3", "--batch", "8", "--lr-steps", "2", "--warmup-steps", "5",
            "--threads", "1", "--workers", "2", "--checkpoint-every", "3", "--log-every", "2", "--seed", "11",
        };

        [Fact]
        public void Killed_mid_epoch_and_resumed_the_executable_ends_with_the_uninterrupted_weights()
        {
            var full = RepoPaths.NewTempDir("kill-full");
            var killed = RepoPaths.NewTempDir("kill-split");

            Assert.Equal(0, RunToEnd(full));

            string ckpt = Path.Combine(killed, TrainingSession.CheckpointFile);
            CheckpointState? atKill = null;
            using var decided = new ManualResetEventSlim();
            Process? p = null;
            var gate = new object();
            // Each checkpoint write (AtomicFile: a temporary file renamed over checkpoint.pt) wakes the watcher, which reads
            // the state and kills at the first mid-epoch checkpoint of the second epoch: no polling loop.
            void OnCheckpoint(object sender, FileSystemEventArgs e)
            {
                lock (gate)
                {
                    if (p == null || atKill != null || decided.IsSet) return;
                    var s = TryReadState(ckpt);
                    if (s is not { Epoch: >= 1, NextBatch: > 0 }) return;
                    try
                    {
                        p.Kill(entireProcessTree: true);
                    }
                    catch (InvalidOperationException)
                    {
                        return; // it had already exited: the assertion below reports that
                    }
                    atKill = s;
                    decided.Set();
                }
            }
            using (var watcher = new FileSystemWatcher(killed, TrainingSession.CheckpointFile) { NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite })
            {
                watcher.Created += OnCheckpoint;
                watcher.Changed += OnCheckpoint;
                watcher.Renamed += (sender, e) => OnCheckpoint(sender, e);
                watcher.EnableRaisingEvents = true;
                using var process = Start(killed, resume: false);
                process.EnableRaisingEvents = true;
                process.Exited += (_, _) => decided.Set();
                lock (gate) p = process;
                if (process.HasExited) decided.Set();
                Assert.True(decided.Wait(TimeSpan.FromMinutes(2)), "the run neither checkpointed mid-epoch nor exited within 2 minutes");
                watcher.EnableRaisingEvents = false;
                process.WaitForExit();
                lock (gate) Assert.True(atKill != null, "the run finished before a mid-epoch checkpoint could be seen; make it longer");
                Assert.NotEqual(0, process.ExitCode);
            }
            Assert.False(File.Exists(Path.Combine(killed, TrainingSession.FinalModelFile)), "killed run must not have finished");

            var resumed = RunToEnd(killed, resume: true, out string output);
            Assert.True(resumed == 0, output);
            Assert.Contains("Resuming from", output, StringComparison.Ordinal);

            Assert.Equal(File.ReadAllBytes(Path.Combine(full, TrainingSession.FinalModelFile)), File.ReadAllBytes(Path.Combine(killed, TrainingSession.FinalModelFile)));
            var a = MetricsLog.Read(Path.Combine(full, MetricsLog.FileName)).Where(r => r.Type == "epoch").Select(r => r.Values["loss"]);
            var b = MetricsLog.Read(Path.Combine(killed, MetricsLog.FileName)).Where(r => r.Type == "epoch").Select(r => r.Values["loss"]);
            Assert.Equal(a, b);
        }

        private static CheckpointState? TryReadState(string path)
        {
            try
            {
                return Checkpoint.ReadState(path);
            }
            catch (IOException)
            {
                return null; // being replaced right now
            }
        }

        private static int RunToEnd(string dir, bool resume = false) => RunToEnd(dir, resume, out _);

        private static int RunToEnd(string dir, bool resume, out string output)
        {
            var r = ExternalProcess.Run(ExternalProcess.Dotnet, TrainArgs(dir, resume), dir, TimeSpan.FromMinutes(3));
            output = (r.TimedOut ? "posert-train was killed after 3 minutes\n" : "") + r.Stdout + r.Stderr;
            return r.ExitCode;
        }

        private static Process Start(string dir, bool resume) =>
            Process.Start(ExternalProcess.StartInfo(ExternalProcess.Dotnet, TrainArgs(dir, resume), dir)) ?? throw new InvalidOperationException("could not start posert-train");

        private static string[] TrainArgs(string dir, bool resume) =>
            new[] { Path.Combine(AppContext.BaseDirectory, "posert-train.dll") }.Concat(Args).Concat(new[] { "--out", dir })
                .Concat(resume ? new[] { "--resume" } : Array.Empty<string>()).ToArray();
    }
}
