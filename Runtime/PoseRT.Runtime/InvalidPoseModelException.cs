using System;
using PoseRT.Runtime.Model;

namespace PoseRT.Runtime
{
    /// <summary>The model file is not a heatmap pose model this runtime can run; the message names the file and the problem.</summary>
    public sealed class InvalidPoseModelException : Exception
    {
        /// <summary>Creates the exception.</summary>
        public InvalidPoseModelException(string message) : base(message) { }

        /// <summary>Creates the exception with its cause.</summary>
        public InvalidPoseModelException(string message, Exception inner) : base(message, inner) { }
    }
}
