using System;
using OpenCvSharp;
using PoseRT.Demo.Pipeline;

namespace PoseRT.Demo.Output
{
    /// <summary>A consumer of the pipeline's frames: a video file, an image folder, a window, a network stream, the web page.</summary>
    internal interface IFrameSink : IDisposable
    {
        /// <summary>True when the sink uses the annotated image (so drawing can be skipped when none does).</summary>
        bool NeedsImage { get; }

        /// <summary>True once the sink wants the run to end (the window was closed, q or Esc pressed).</summary>
        bool StopRequested { get; }

        /// <summary>Consumes one frame. <paramref name="annotated"/> is the frame with the overlay drawn (when some sink needs it).</summary>
        void Write(FrameResult result, Mat annotated);

        /// <summary>Finishes the output (closes and publishes a video file); called once, also after Ctrl+C and faults.</summary>
        void Complete();
    }

    /// <summary>
    /// A sink that publishes a file or folder: it writes under a temporary name and publishes on
    /// <see cref="IFrameSink.Complete"/>. After a failed run the pipeline calls <see cref="Discard"/> instead, so a
    /// partial output never appears under the name, and whatever existed there stays as it was.
    /// </summary>
    internal interface IFileOutputSink : IFrameSink
    {
        /// <summary>The output's path as given.</summary>
        string OutputPath { get; }

        /// <summary>Deletes what was written so far and leaves the destination untouched.</summary>
        void Discard();
    }
}
