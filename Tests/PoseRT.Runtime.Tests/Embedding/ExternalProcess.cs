using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;

namespace PoseRT.Tests.Embedding
{
    /// <summary>Runs a program to completion with a time limit and returns what it printed.</summary>
    internal static class ExternalProcess
    {
        internal sealed record Result(int ExitCode, string Stdout, string Stderr)
        {
            public string Describe(string what) => $"{what} exited {ExitCode}\n--- stdout ---\n{Tail(Stdout)}\n--- stderr ---\n{Tail(Stderr)}";

            private static string Tail(string s) => s.Length <= 6000 ? s : "…" + s[^6000..];
        }

        /// <summary>
        /// Runs <paramref name="file"/>; kills it (and its children) and fails after <paramref name="timeout"/>.
        /// <paramref name="environment"/> sets variables (a null value removes one).
        /// </summary>
        public static Result Run(string file, IEnumerable<string> args, string workingDirectory, TimeSpan timeout,
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
            using var p = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {file}");
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            if (!p.WaitForExit(timeout))
            {
                p.Kill(entireProcessTree: true);
                p.WaitForExit();
                throw new TimeoutException($"{file} {string.Join(' ', psi.ArgumentList)} did not finish within {timeout.TotalSeconds:F0} s\n{stdout.Result}\n{stderr.Result}");
            }
            return new Result(p.ExitCode, stdout.Result, stderr.Result);
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
