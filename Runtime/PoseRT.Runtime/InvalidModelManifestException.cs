using System;
using PoseRT.Runtime.Model;

namespace PoseRT.Runtime
{
    /// <summary>
    /// A <see cref="ModelManifest"/> file is malformed, lacks or misstates a field, names no default model, or (when
    /// verified) lists a model file that is missing or whose sha256 differs; the message names the manifest file, the
    /// field and what to do.
    /// </summary>
    public sealed class InvalidModelManifestException : Exception
    {
        /// <summary>Creates the exception.</summary>
        public InvalidModelManifestException(string message) : base(message) { }

        /// <summary>Creates the exception with its cause.</summary>
        public InvalidModelManifestException(string message, Exception inner) : base(message, inner) { }
    }
}
