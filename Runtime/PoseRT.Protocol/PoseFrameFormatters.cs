using System;
using MessagePack;
using MessagePack.Formatters;

namespace PoseRT.Protocol
{
    /// <summary>
    /// Hand-written MessagePack formatter for <see cref="PoseFrame"/>. No reflection or code
    /// generation, so it works under IL2CPP/AOT. Layout (integer keys = array positions):
    /// <c>[version, frameNumber, timestampUs, width, height, [pose...]]</c>, each pose
    /// <c>[trackId, score, boxScore, [x, y, w, h], [x0, y0, s0, x1, y1, s1, ...]]</c>.
    /// Readers skip array elements past the ones they know, so a later minor version can append fields.
    /// </summary>
    public sealed class PoseFrameFormatter : IMessagePackFormatter<PoseFrame?>
    {
        /// <summary>The single instance.</summary>
        public static readonly PoseFrameFormatter Instance = new PoseFrameFormatter();

        private const int FrameFields = 6;
        private const int PoseFields = 5;

        /// <inheritdoc />
        public void Serialize(ref MessagePackWriter writer, PoseFrame? value, MessagePackSerializerOptions options)
        {
            if (value == null)
            {
                writer.WriteNil();
                return;
            }
            Write(ref writer, value.FrameNumber, value.TimestampMicroseconds, value.ImageWidth, value.ImageHeight, value.Poses, value.Version);
        }

        /// <summary>Writes one frame from its parts; the demo's per-frame path uses this to avoid building a <see cref="PoseFrame"/>.</summary>
        public static void Write(ref MessagePackWriter writer, long frameNumber, long timestampMicroseconds, int width, int height,
            ReadOnlySpan<TrackedPose> poses, int version = PoseFrame.CurrentVersion)
        {
            writer.WriteArrayHeader(FrameFields);
            writer.Write(version);
            writer.Write(frameNumber);
            writer.Write(timestampMicroseconds);
            writer.Write(width);
            writer.Write(height);
            writer.WriteArrayHeader(poses.Length);
            for (int i = 0; i < poses.Length; i++)
            {
                ref readonly TrackedPose tracked = ref poses[i];
                ref readonly Pose pose = ref tracked.Pose;
                writer.WriteArrayHeader(PoseFields);
                writer.Write(tracked.TrackId);
                writer.Write(pose.Score);
                writer.Write(pose.BoxScore);
                writer.WriteArrayHeader(4);
                writer.Write(pose.Box.X);
                writer.Write(pose.Box.Y);
                writer.Write(pose.Box.Width);
                writer.Write(pose.Box.Height);
                int count = Math.Max(0, Math.Min(pose.KeypointCount, Pose.MaxKeypoints));
                writer.WriteArrayHeader(count * 3);
                for (int k = 0; k < count; k++)
                {
                    Keypoint kp = pose[k];
                    writer.Write(kp.X);
                    writer.Write(kp.Y);
                    writer.Write(kp.Score);
                }
            }
        }

        /// <inheritdoc />
        public PoseFrame? Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
        {
            if (reader.TryReadNil()) return null;
            options.Security.DepthStep(ref reader);
            try
            {
                int fields = ReadArrayHeader(ref reader, "PoseFrame");
                if (fields < FrameFields)
                    throw new PoseFrameFormatException($"PoseFrame has {fields} fields; version 1 needs {FrameFields}.");
                var frame = new PoseFrame();
                frame.Version = reader.ReadInt32();
                if (frame.Version < 1 || frame.Version > PoseFrame.CurrentVersion)
                    throw new PoseFrameFormatException($"PoseFrame version {frame.Version} is not supported (this reader knows 1 to {PoseFrame.CurrentVersion}).");
                frame.FrameNumber = reader.ReadInt64();
                frame.TimestampMicroseconds = reader.ReadInt64();
                frame.ImageWidth = reader.ReadInt32();
                frame.ImageHeight = reader.ReadInt32();
                if (frame.ImageWidth < 0 || frame.ImageHeight < 0)
                    throw new PoseFrameFormatException($"PoseFrame image size {frame.ImageWidth}x{frame.ImageHeight} is negative.");
                int count = ReadArrayHeader(ref reader, "poses");
                if (count > PoseFrameSerializer.MaxPoses)
                    throw new PoseFrameFormatException($"PoseFrame holds {count} poses; at most {PoseFrameSerializer.MaxPoses} are accepted.");
                var poses = new TrackedPose[count];
                for (int i = 0; i < count; i++)
                    poses[i] = ReadPose(ref reader, options, i);
                frame.Poses = poses;
                for (int i = FrameFields; i < fields; i++) reader.Skip();
                return frame;
            }
            finally
            {
                reader.Depth--;
            }
        }

        private static TrackedPose ReadPose(ref MessagePackReader reader, MessagePackSerializerOptions options, int index)
        {
            options.Security.DepthStep(ref reader);
            int fields = ReadArrayHeader(ref reader, "pose");
            if (fields < PoseFields)
                throw new PoseFrameFormatException($"Pose {index} has {fields} fields; version 1 needs {PoseFields}.");
            var tracked = new TrackedPose { TrackId = reader.ReadInt32() };
            tracked.Pose.Score = reader.ReadSingle();
            tracked.Pose.BoxScore = reader.ReadSingle();
            if (ReadArrayHeader(ref reader, "box") != 4)
                throw new PoseFrameFormatException($"Pose {index}: the box must have 4 numbers (x, y, w, h).");
            tracked.Pose.Box = new BoundingBox(reader.ReadSingle(), reader.ReadSingle(), reader.ReadSingle(), reader.ReadSingle());
            int values = ReadArrayHeader(ref reader, "keypoints");
            if (values % 3 != 0 || values / 3 > Pose.MaxKeypoints)
                throw new PoseFrameFormatException($"Pose {index}: keypoints must be x, y, score triples, at most {Pose.MaxKeypoints}; got {values} numbers.");
            tracked.Pose.KeypointCount = values / 3;
            for (int k = 0; k < tracked.Pose.KeypointCount; k++)
                tracked.Pose[k] = new Keypoint(reader.ReadSingle(), reader.ReadSingle(), reader.ReadSingle());
            for (int i = PoseFields; i < fields; i++) reader.Skip();
            reader.Depth--;
            return tracked;
        }

        private static int ReadArrayHeader(ref MessagePackReader reader, string what)
        {
            if (reader.NextMessagePackType != MessagePackType.Array)
                throw new PoseFrameFormatException($"PoseFrame field '{what}' must be an array, found {reader.NextMessagePackType}.");
            return reader.ReadArrayHeader();
        }
    }

    /// <summary>
    /// Static resolver that knows only the protocol's types: AOT/IL2CPP-safe (no dynamic
    /// resolver), and a message cannot make the reader instantiate anything else.
    /// </summary>
    public sealed class PoseFrameResolver : IFormatterResolver
    {
        /// <summary>The single instance.</summary>
        public static readonly PoseFrameResolver Instance = new PoseFrameResolver();

        private PoseFrameResolver() { }

        /// <inheritdoc />
        public IMessagePackFormatter<T>? GetFormatter<T>() => Cache<T>.Formatter;

        private static class Cache<T>
        {
            public static readonly IMessagePackFormatter<T>? Formatter =
                typeof(T) == typeof(PoseFrame) ? (IMessagePackFormatter<T>)(object)PoseFrameFormatter.Instance : null;
        }
    }
}
