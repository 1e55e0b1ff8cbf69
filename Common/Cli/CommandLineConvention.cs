using System;
using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.IO;
using System.Numerics;

namespace PoseRT.Cli
{
    /// <summary>
    /// The exit codes every PoseRT program uses (README, "Command-line conventions"): 0 success, 1 a failure
    /// while running (a write failed, a model produced garbage, a stream died), 2 a bad command line or bad input.
    /// </summary>
    internal static class ExitCodes
    {
        /// <summary>The command did what it was asked.</summary>
        public const int Ok = 0;

        /// <summary>The command line and inputs were fine, but the run failed.</summary>
        public const int Failure = 1;

        /// <summary>A bad command line (unknown option, value out of range, unwritable output) or a bad input file.</summary>
        public const int BadInput = 2;
    }

    /// <summary>
    /// Parses and runs a root command the same way in every program: parse errors and option values that fail
    /// their checks are one line each on stderr, prefixed with the program's name, exit code 2; an exception no
    /// command handled is one line (no stack trace), exit code 1.
    /// </summary>
    internal static class CommandLineApp
    {
        /// <summary>Runs <paramref name="root"/> on <paramref name="args"/> and returns the exit code.</summary>
        public static int Run(RootCommand root, string program, string[] args, TextWriter? stdout = null, TextWriter? stderr = null)
        {
            ArgumentNullException.ThrowIfNull(root);
            stderr ??= Console.Error;
            ParseResult parse = root.Parse(args);
            if (parse.Errors.Count > 0)
            {
                foreach (ParseError error in parse.Errors) stderr.WriteLine($"{program}: {error.Message}");
                stderr.WriteLine($"{program}: see '{program} --help'.");
                return ExitCodes.BadInput;
            }
            var configuration = new InvocationConfiguration { EnableDefaultExceptionHandler = false, Error = stderr };
            if (stdout != null) configuration.Output = stdout;
            try
            {
                return parse.Invoke(configuration);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                stderr.WriteLine($"{program}: unexpected error ({e.GetType().Name}): {e.Message}");
                return ExitCodes.Failure;
            }
        }
    }

    /// <summary>Range checks for numeric options, reported by the parser as "--name VALUE: must be ..." (exit code 2).</summary>
    internal static class OptionRules
    {
        /// <summary>Rejects values outside <paramref name="min"/>..<paramref name="max"/> and, for floating point, NaN and infinities.</summary>
        public static Option<T> InRange<T>(this Option<T> option, T min, T max, string? meaning = null)
            where T : struct, INumber<T> => Add(option, min, max, meaning);

        /// <summary>Rejects values below <paramref name="min"/> and, for floating point, NaN and infinities.</summary>
        public static Option<T> AtLeast<T>(this Option<T> option, T min, string? meaning = null)
            where T : struct, INumber<T> => Add(option, min, null, meaning);

        /// <summary>As <see cref="InRange{T}(Option{T}, T, T, string?)"/> for an optional value; absent is fine.</summary>
        public static Option<T?> InRangeIfGiven<T>(this Option<T?> option, T min, T? max, string? meaning = null)
            where T : struct, INumber<T>
        {
            ArgumentNullException.ThrowIfNull(option);
            option.Validators.Add(result =>
            {
                if (result.Tokens.Count == 0 || !TryGet(result, out T? given) || given is not { } value) return;
                string? error = Check(option.Name, value, min, max, meaning);
                if (error != null) result.AddError(error);
            });
            return option;
        }

        private static Option<T> Add<T>(Option<T> option, T min, T? max, string? meaning)
            where T : struct, INumber<T>
        {
            ArgumentNullException.ThrowIfNull(option);
            option.Validators.Add(result =>
            {
                if (result.Tokens.Count == 0 || !TryGet(result, out T value)) return;
                string? error = Check(option.Name, value, min, max, meaning);
                if (error != null) result.AddError(error);
            });
            return option;
        }

        // A value that does not convert is already a parse error of its own; there is nothing to range-check.
        private static bool TryGet<T>(OptionResult result, out T value)
        {
            try
            {
                value = result.GetValueOrDefault<T>();
                return true;
            }
            catch (InvalidOperationException)
            {
                value = default!;
                return false;
            }
        }

        private static string? Check<T>(string name, T value, T min, T? max, string? meaning)
            where T : struct, INumber<T>
        {
            if (T.IsFinite(value) && value >= min && (max is not { } m || value <= m)) return null;
            string range = max is { } top ? $"from {Format(min)} to {Format(top)}" : $"at least {Format(min)}";
            return $"{name} {Format(value)}: must be {range}{(meaning != null ? " (" + meaning + ")" : "")}.";
        }

        private static string Format<T>(T value) where T : struct, INumber<T> => value.ToString(null, CultureInfo.InvariantCulture);
    }
}
