using System;
using System.CommandLine;
using System.Globalization;

namespace PoseRT.Trainer.Models
{
    /// <summary>The command-line options that describe a <see cref="PoseNetOptions"/>, shared by every command that builds a model.</summary>
    internal sealed class ModelCliOptions
    {
        private readonly Option<string> backbone;
        private readonly Option<string> activation;
        private readonly Option<string?> headActivation;
        private readonly Option<double> width;
        private readonly Option<double> headWidth;
        private readonly Option<string> input;
        private readonly Option<int> keypoints;
        private readonly bool withActivations;

        private readonly Option<bool> tiny = new("--tiny")
        {
            Description = "Start from the CI-sized preset (MobileNetV3-Small x0.5, head x0.25, 128x96); explicit options still apply",
        };

        /// <summary>
        /// The options with <paramref name="defaults"/> (null: <see cref="PoseNetOptions"/>'s, MobileNetV3-Large at
        /// 256x192); without <paramref name="activations"/> there are no <c>--activation</c>/<c>--head-activation</c>
        /// options (a command that sets the activations itself, such as the ablation).
        /// </summary>
        public ModelCliOptions(PoseNetOptions? defaults = null, bool activations = true)
        {
            var d = defaults ?? new PoseNetOptions();
            withActivations = activations;
            backbone = new("--backbone") { Description = "Backbone: " + string.Join(", ", ModelNames.BackboneNames), DefaultValueFactory = _ => ModelNames.Name(d.Backbone) };
            activation = new("--activation")
            {
                Description = "Activation in the backbone (and head unless --head-activation): " + string.Join(", ", ModelNames.ActivationNames),
                DefaultValueFactory = _ => ModelNames.Name(d.BackboneActivation),
            };
            headActivation = new("--head-activation") { Description = "Activation in the head (default: same as --activation)" };
            width = new("--width") { Description = "Backbone width multiplier (MobileNetV2 x0.5 is --backbone mobilenetv2 --width 0.5)", DefaultValueFactory = _ => d.Width };
            headWidth = new("--head-width") { Description = "Head width multiplier (1.0 is the paper-cost head)", DefaultValueFactory = _ => d.HeadWidth };
            string size = FormattableString.Invariant($"{d.InputHeight}x{d.InputWidth}");
            input = new("--input") { Description = "Input size HxW, multiples of 32", DefaultValueFactory = _ => size };
            keypoints = new("--keypoints") { Description = "Number of keypoints", DefaultValueFactory = _ => d.Keypoints };
        }

        /// <summary>Adds the options to <paramref name="command"/>.</summary>
        public void AddTo(Command command)
        {
            command.Options.Add(backbone);
            if (withActivations)
            {
                command.Options.Add(activation);
                command.Options.Add(headActivation);
            }
            command.Options.Add(width);
            command.Options.Add(headWidth);
            command.Options.Add(input);
            command.Options.Add(keypoints);
            command.Options.Add(tiny);
        }

        /// <summary>Reads and validates the options; throws <see cref="ArgumentException"/> naming the bad value.</summary>
        public PoseNetOptions Read(ParseResult result)
        {
            bool isTiny = result.GetValue(tiny);
            var options = isTiny ? PoseNetOptions.Tiny() : new PoseNetOptions();
            bool Given(Option o) => result.GetResult(o) is { Implicit: false };
            if (!isTiny || Given(backbone)) options.Backbone = ModelNames.ParseBackbone(result.GetValue(backbone)!);
            if (withActivations)
            {
                options.BackboneActivation = ModelNames.ParseActivation(result.GetValue(activation)!);
                var head = result.GetValue(headActivation);
                options.HeadActivation = head is null ? null : ModelNames.ParseActivation(head);
            }
            if (!isTiny || Given(width)) options.Width = result.GetValue(width);
            if (!isTiny || Given(headWidth)) options.HeadWidth = result.GetValue(headWidth);
            if (!isTiny || Given(input)) (options.InputHeight, options.InputWidth) = ParseSize(result.GetValue(input)!);
            options.Keypoints = result.GetValue(keypoints);
            options.Validate();
            return options;
        }

        /// <summary>Parses "HxW" (e.g. 256x192); throws <see cref="ArgumentException"/> quoting the text.</summary>
        public static (int Height, int Width) ParseSize(string text)
        {
            var parts = text.Split('x', 'X');
            if (parts.Length != 2
                || !int.TryParse(parts[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out int h)
                || !int.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out int w))
                throw new ArgumentException($"Input size '{text}' is not HxW, e.g. 256x192.", nameof(text));
            return (h, w);
        }
    }
}
