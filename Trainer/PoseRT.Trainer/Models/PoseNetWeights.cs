using System;
using System.IO;
using TorchSharp;
using TorchSharp.PyBridge;

using PoseRT.IO;

namespace PoseRT.Trainer.Models
{
    /// <summary>On-disk formats for <see cref="PoseNet"/> weights.</summary>
    public enum WeightFormat
    {
        /// <summary>TorchSharp's own format (<c>Module.save</c>); any extension other than .pt/.pth.</summary>
        TorchSharp,

        /// <summary>A PyTorch <c>state_dict</c> pickle (TorchSharp.PyBridge), readable by <c>torch.load</c>; .pt or .pth.</summary>
        PyTorch,
    }

    /// <summary>
    /// Saves and loads <see cref="PoseNet"/> weights. Parameter names are the module paths
    /// (e.g. <c>backbone.blocks.3.depthwise.act.fc1.weight</c>), so a PyTorch copy of the architecture can share them.
    /// The file holds weights only: load into a model built with the same <see cref="PoseNetOptions"/>.
    /// </summary>
    public static class PoseNetWeights
    {
        /// <summary>
        /// Where the training weights of a shipped model file lie: <c>weights/NAME.pt</c> in the folder of <c>NAME.onnx</c>
        /// (Models/README.md), the state a later run exports again or trains on.
        /// </summary>
        public static string ShippedPathFor(string modelFile) =>
            Path.Combine(ShippedFolder(Path.GetDirectoryName(Path.GetFullPath(modelFile))!), Path.GetFileNameWithoutExtension(modelFile) + ".pt");

        /// <summary>The folder of the shipped weights of the models in <paramref name="modelsDir"/>.</summary>
        public static string ShippedFolder(string modelsDir) => Path.Combine(modelsDir, "weights");

        /// <summary>The inverse of <see cref="ShippedPathFor"/>: the model file name (<c>NAME.onnx</c>) a shipped weights file belongs to.</summary>
        public static string ShippedModelNameFor(string weightsFile) => Path.GetFileNameWithoutExtension(weightsFile) + ".onnx";

        /// <summary>The format <see cref="Save"/> writes for a file name: .pt/.pth are PyTorch state_dicts, anything else TorchSharp.</summary>
        public static WeightFormat FormatOf(string path)
        {
            var ext = Path.GetExtension(path);
            return string.Equals(ext, ".pt", StringComparison.OrdinalIgnoreCase) || string.Equals(ext, ".pth", StringComparison.OrdinalIgnoreCase)
                ? WeightFormat.PyTorch
                : WeightFormat.TorchSharp;
        }

        /// <summary>Writes the weights (temporary file, then rename) in <paramref name="format"/> or the one <paramref name="path"/> implies.</summary>
        public static void Save(PoseNet model, string path, WeightFormat? format = null)
        {
            ArgumentNullException.ThrowIfNull(model);
            ArgumentNullException.ThrowIfNull(path);
            // TorchSharp and PyBridge write to a path, so the temporary file is named here and committed after.
            var temp = AtomicFile.TempPathFor(path);
            try
            {
                if ((format ?? FormatOf(path)) == WeightFormat.PyTorch) model.save_py(temp);
                else model.save(temp);
                AtomicFile.Commit(temp, path);
            }
            finally
            {
                AtomicFile.TryDelete(temp);
            }
        }

        /// <summary>
        /// The format of an existing weights file, from its first bytes: PyTorch's torch.save (and PyBridge) write a zip
        /// archive, TorchSharp its own stream. The training run's best.pt / final.pt / checkpoint weights are TorchSharp
        /// (byte-identical resume is tested on them), so a .pt name alone does not tell.
        /// </summary>
        public static WeightFormat Detect(string path)
        {
            Span<byte> head = stackalloc byte[4];
            using var f = File.OpenRead(path);
            int n = f.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
            return n == 4 && head[0] == (byte)'P' && head[1] == (byte)'K' && head[2] == 3 && head[3] == 4 ? WeightFormat.PyTorch : WeightFormat.TorchSharp;
        }

        /// <summary>
        /// Loads weights saved by <see cref="Save"/>, by a training run, or a matching PyTorch state_dict into
        /// <paramref name="model"/>; without <paramref name="format"/> the file's content decides (<see cref="Detect"/>).
        /// Throws <see cref="FileNotFoundException"/> for a missing file and <see cref="InvalidDataException"/> naming the
        /// file for a corrupt one or one whose tensors do not fit the model.
        /// </summary>
        public static void Load(PoseNet model, string path, WeightFormat? format = null)
        {
            ArgumentNullException.ThrowIfNull(model);
            ArgumentNullException.ThrowIfNull(path);
            if (!File.Exists(path)) throw new FileNotFoundException($"Weights file '{path}' does not exist.", path);
            var f = format ?? Detect(path);
            try
            {
                if (f == WeightFormat.PyTorch) model.load_py(path, strict: true);
                else model.load(path, strict: true);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                throw new InvalidDataException(
                    $"Weights file '{path}' could not be read as {(f == WeightFormat.PyTorch ? "a PyTorch state_dict" : "TorchSharp weights")} " +
                    $"for {model.Options.ArchitectureName} ({model.Options.ActivationName}): {e.Message} " +
                    "The file is corrupt, or it was saved from a model with other options.", e);
            }
        }
    }
}
