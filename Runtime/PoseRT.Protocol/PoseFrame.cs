using System;

namespace PoseRT.Protocol
{
    /// <summary>
    /// Everything a consumer (a game, a kiosk page) gets for one video frame: the poses of the
    /// people in it with their track ids. Serialized with <see cref="PoseFrameSerializer"/>; the wire
    /// layout is documented in docs/protocol.md and versioned by <see cref="Version"/>.
    /// </summary>
    public sealed class PoseFrame
    {
        /// <summary>The protocol version this library writes. Readers accept this and older versions.</summary>
        public const int CurrentVersion = 1;

        /// <summary>Protocol version of the message (<see cref="CurrentVersion"/> when written by this library).</summary>
        public int Version { get; set; } = CurrentVersion;

        /// <summary>Frame number, counted from 0 at the start of the source.</summary>
        public long FrameNumber { get; set; }

        /// <summary>Capture time in microseconds since the sender started (monotonic clock).</summary>
        public long TimestampMicroseconds { get; set; }

        /// <summary>Width of the image the coordinates refer to, in pixels.</summary>
        public int ImageWidth { get; set; }

        /// <summary>Height of the image the coordinates refer to, in pixels.</summary>
        public int ImageHeight { get; set; }

        /// <summary>The people in the frame.</summary>
        public TrackedPose[] Poses { get; set; } = Array.Empty<TrackedPose>();
    }
}
