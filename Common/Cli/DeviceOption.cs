using System;
using System.CommandLine;
using System.Globalization;
using PoseRT.Runtime;

namespace PoseRT.Cli
{
    /// <summary>
    /// Where the network runs, as every program's <c>--device</c> names it: <c>auto</c>, <c>cpu</c>, <c>cuda</c>,
    /// <c>cuda:N</c>, <c>directml</c> or <c>directml:N</c> (N is the GPU index, 0 when omitted).
    /// </summary>
    internal readonly struct DeviceChoice
    {
        /// <summary>Every kind a device can be; a program accepts those its engine has.</summary>
        public static readonly string[] AllKinds = { "auto", "cpu", "cuda", "directml" };

        private DeviceChoice(string kind, int index)
        {
            Kind = kind;
            Index = index;
        }

        /// <summary><c>auto</c>, <c>cpu</c>, <c>cuda</c> or <c>directml</c>.</summary>
        public string Kind { get; }

        /// <summary>The GPU index (0 unless given after a colon).</summary>
        public int Index { get; }

        /// <summary>Parses <paramref name="text"/>; <paramref name="error"/> says what is wrong and what is accepted.</summary>
        public static bool TryParse(string? text, string[] kinds, out DeviceChoice choice, out string error)
        {
            choice = default;
            string accepted = string.Join(", ", kinds) + (Array.IndexOf(kinds, "cuda") >= 0 || Array.IndexOf(kinds, "directml") >= 0 ? " (a GPU as kind:N, e.g. cuda:1)" : "");
            string value = (text ?? "").Trim().ToLowerInvariant();
            int colon = value.IndexOf(':');
            string kind = colon < 0 ? value : value.Substring(0, colon);
            int index = 0;
            if (Array.IndexOf(AllKinds, kind) < 0 || Array.IndexOf(kinds, kind) < 0)
            {
                error = $"--device '{text}' is not one of {accepted}.";
                return false;
            }
            if (colon >= 0)
            {
                if (kind == "auto" || kind == "cpu"
                    || !int.TryParse(value.Substring(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out index) || index > 63)
                {
                    error = $"--device '{text}': only cuda and directml take a GPU index, a number from 0 to 63.";
                    return false;
                }
            }
            choice = new DeviceChoice(kind, index);
            error = "";
            return true;
        }

        /// <summary>The option itself, checked by the parser (a bad value is a one-line error, exit code 2).</summary>
        public static Option<string> Create(string defaultValue, string[] kinds, string description)
        {
            var option = new Option<string>("--device") { Description = description, DefaultValueFactory = _ => defaultValue };
            option.Validators.Add(result =>
            {
                if (!TryParse(result.GetValueOrDefault<string>(), kinds, out _, out string error)) result.AddError(error);
            });
            return option;
        }

        /// <summary>Parses a value the parser already checked.</summary>
        public static DeviceChoice Parse(string text, string[] kinds) =>
            TryParse(text, kinds, out var choice, out string error) ? choice : throw new ArgumentException(error, nameof(text));

        /// <summary>The Runtime's execution provider for this choice (its GPU index goes to <see cref="PoseEstimatorOptions.DeviceId"/>).</summary>
        public ExecutionProvider Provider => Kind switch
        {
            "cpu" => ExecutionProvider.Cpu,
            "cuda" => ExecutionProvider.Cuda,
            "directml" => ExecutionProvider.DirectML,
            _ => ExecutionProvider.Auto,
        };

        /// <inheritdoc />
        public override string ToString() => Index > 0 ? Kind + ":" + Index.ToString(CultureInfo.InvariantCulture) : Kind;
    }
}
