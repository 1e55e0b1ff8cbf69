using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;

namespace PoseRT.Tests
{
    /// <summary>
    /// Runs a program to completion with a time limit and returns what it printed: the one process runner of the tests
    /// (the CLI corpus, the embedding hosts, the trainer's kill-and-resume run).
    /// </summary>
    internal static class ExternalProcess
    {
        /// <summary>What a run gave; a run past its limit was killed (<see cref="TimedOut"/>, exit code -1).</summary>
        internal sealed record Result(int ExitCode, string Stdout, string Stderr, TimeSpan Elapsed, bool TimedOut)
        {
            /// <summary>The outcome and the tails of both streams, for an assertion message.</summary>
            public string Describe(string what) =>
                (TimedOut ? $"{what} did not finish within {Elapsed.TotalSeconds:F0} s and was killed" : $"{what} exited {ExitCode} after {Elapsed.TotalSeconds:F1} s") +
                $"\n--- stdout ---\n{Tail(Stdout)}\n--- stderr ---\n{Tail(Stderr)}";

            private static string Tail(string s) => s.Length <= 6000 ? s : "…" + s[^6000..];
        }

        /// <summary>The dotnet host the test runs under (so a child uses the same SDK), else "dotnet" from PATH.</summary>
        public static string Dotnet => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";

        /// <summary>
        /// Runs <paramref name="file"/> in <paramref name="workingDirectory"/>; kills it (and its children) after
        /// <paramref name="timeout"/>. <paramref name="environment"/> sets variables (a null value removes one).
        /// </summary>
        public static Result Run(string file, IEnumerable<string> args, string workingDirectory, TimeSpan timeout,
            IReadOnlyDictionary<string, string?>? environment = null)
        {
            var psi = StartInfo(file, args, workingDirectory, environment);
            var clock = Stopwatch.StartNew();
            using var p = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {file}");
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            bool exited = p.WaitForExit(timeout);
            if (!exited) p.Kill(entireProcessTree: true);
            p.WaitForExit();
            return new Result(exited ? p.ExitCode : -1, stdout.Result, stderr.Result, clock.Elapsed, !exited);
        }

        /// <summary>The start settings <see cref="Run"/> uses (output redirected, no shell), for a test that drives the process itself.</summary>
        public static ProcessStartInfo StartInfo(string file, IEnumerable<string> args, string workingDirectory,
            IReadOnlyDictionary<string, string?>? environment = null)
        {
            var psi = new ProcessStartInfo(file)
            {
                WorkingDirectory = workingDirectory,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var a in args) psi.ArgumentList.Add(a);
            if (environment != null)
                foreach (var (k, v) in environment)
                {
                    if (v == null) psi.Environment.Remove(k);
                    else psi.Environment[k] = v;
                }
            return psi;
        }

        /// <summary>The full path of <paramref name="program"/> on PATH, or null.</summary>
        public static string? FindOnPath(string program)
        {
            foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
            {
                string candidate = Path.Combine(dir, program);
                if (File.Exists(candidate)) return candidate;
            }
            return null;
        }
    }
}
