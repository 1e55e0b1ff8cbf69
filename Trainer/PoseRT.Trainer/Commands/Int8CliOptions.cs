using System;
using System.CommandLine;
using System.IO;
using Google.Protobuf;
using Onnx;
using PoseRT.Cli;
using PoseRT.IO;
using PoseRT.Trainer.Export;

namespace PoseRT.Trainer.Commands
{
    /// <summary>The int8 calibration options shared by <c>export --int8</c> and <c>quantize</c>, and the one quantise-and-write step.</summary>
    internal sealed class Int8CliOptions
    {
        public Option<int> Crops { get; } = new Option<int>("--calibration-crops")
        {
            Description = "int8: synthetic person crops (generated in memory, posert synth's people) whose activation ranges set the quantisation",
            DefaultValueFactory = _ => new Int8Options().CalibrationCrops,
        }.InRange(1, Int8Options.MaxCalibrationCrops);

        public Option<long> Seed { get; } = new Option<long>("--calibration-seed")
        {
            Description = "int8: generator seed of the calibration images (default differs from the shipped models' training seed 1 and validation seed 1001)",
            DefaultValueFactory = _ => CalibrationCrops.DefaultSeed,
        };

        public Option<double> Percentile { get; } = new Option<double>("--calibration-percentile")
        {
            Description = "int8: activation range = the [100-p, p] percentiles of each tensor over the crops (99..100; 100 = min/max)",
            DefaultValueFactory = _ => new Int8Options().Percentile,
        }.InRange(99.0, 100.0);

        public void AddTo(Command command)
        {
            command.Options.Add(Crops);
            command.Options.Add(Seed);
            command.Options.Add(Percentile);
        }

        /// <summary>True when the user set either option (export refuses them without --int8).</summary>
        public bool AnyGiven(ParseResult result) => result.GetResult(Crops) is { Implicit: false } || result.GetResult(Seed) is { Implicit: false }
            || result.GetResult(Percentile) is { Implicit: false };

        public Int8Options Read(ParseResult result) => new Int8Options { CalibrationCrops = result.GetValue(Crops), Seed = result.GetValue(Seed), Percentile = result.GetValue(Percentile) };

        /// <summary>Quantises <paramref name="model"/> and writes it atomically to <paramref name="path"/>; returns what was written.</summary>
        public static ModelProto QuantizeAndWrite(ModelProto model, Int8Options options, string source, string path)
        {
            var quantized = Int8Quantizer.Quantize(model, options, source);
            AtomicFile.Write(path, quantized.WriteTo);
            return quantized;
        }

        /// <summary>Reads an ONNX file; a file that is not ONNX is <see cref="InvalidDataException"/> naming it.</summary>
        public static ModelProto ReadModel(string path)
        {
            try
            {
                using var stream = File.OpenRead(path);
                return ModelProto.Parser.ParseFrom(stream);
            }
            catch (InvalidProtocolBufferException e)
            {
                throw new InvalidDataException($"--model '{path}' is not an ONNX model: {e.Message}", e);
            }
        }
    }
}
