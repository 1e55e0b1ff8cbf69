using System;
using System.CommandLine;
using System.IO;
using PoseRT.Cli;
using PoseRT.IO;
using PoseRT.Trainer.Export;

namespace PoseRT.Trainer.Commands
{
    /// <summary>
    /// <c>posert-train quantize</c>: an fp32 PoseRT ONNX file (an export, or a shipped model, whose weights need not
    /// exist as a checkpoint) to int8 QDQ, calibrated on generated synthetic people.
    /// </summary>
    internal static class QuantizeCommand
    {
        public static Command Create()
        {
            var command = new Command("quantize", "Quantise an fp32 PoseRT ONNX model to int8 (QDQ convolutions, calibrated on generated synthetic people).");
            var model = new Option<string>("--model") { Description = "fp32 PoseRT ONNX file (from posert-train export or training)", Required = true };
            var output = new Option<string>("--out", "-o") { Description = "int8 ONNX file to write", Required = true };
            var calibration = new Int8CliOptions();
            command.Options.Add(model);
            command.Options.Add(output);
            calibration.AddTo(command);
            command.SetAction(result =>
            {
                try
                {
                    var input = result.GetValue(model)!;
                    var path = result.GetValue(output)!;
                    if (!File.Exists(input)) throw new FileNotFoundException($"--model '{input}' {(Directory.Exists(input) ? "is a folder, not a file" : "does not exist")}.", input);
                    OutputPaths.CheckFile(path, "--out");
                    OutputPaths.CheckDistinct(path, "--out", (input, "--model"));
                    var options = calibration.Read(result);
                    var quantized = Int8CliOptions.QuantizeAndWrite(Int8CliOptions.ReadModel(input), options, input, path);
                    var info = Int8Quantizer.ReadInfoAnyPrecision(quantized, path);
                    Console.WriteLine($"Wrote {path} (int8): {info.Architecture} ({info.Activation}), {info.InputHeight}x{info.InputWidth}; {info.Quantization}");
                    return 0;
                }
                catch (Exception e) when (e is ArgumentException || e is IOException || e is InvalidDataException || e is UnauthorizedAccessException)
                {
                    Console.Error.WriteLine("posert-train quantize: " + e.Message);
                    return e is ArgumentException || e is InvalidDataException || e is FileNotFoundException || e is DirectoryNotFoundException
                        ? ExitCodes.BadInput
                        : ExitCodes.Failure;
                }
            });
            return command;
        }
    }
}
