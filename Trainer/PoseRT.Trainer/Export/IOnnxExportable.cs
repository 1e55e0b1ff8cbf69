namespace PoseRT.Trainer.Export
{
    /// <summary>
    /// A model module that writes its own eval-mode forward as ONNX nodes, next to its TorchSharp forward, so the
    /// exporter walks the model from the root instead of reaching into each module's parts.
    /// </summary>
    internal interface IOnnxExportable
    {
        /// <summary>
        /// Emits this module applied to the value <paramref name="input"/> and returns the name of its output value.
        /// <see cref="OnnxExportContext.Shape"/> is the input's shape on entry and must be the output's on return; node
        /// and initializer names start with <see cref="OnnxExportContext.Prefix"/>, the module's state_dict path.
        /// </summary>
        string Export(OnnxExportContext ctx, string input);
    }
}
