using System;

namespace PoseRT.Protocol
{
    /// <summary>A message is not a valid <see cref="PoseFrame"/>: malformed, too large, or of an unsupported version.</summary>
    public sealed class PoseFrameFormatException : FormatException
    {
        /// <summary>Creates the exception.</summary>
        public PoseFrameFormatException(string message, Exception? inner = null) : base(message, inner) { }
    }
}
