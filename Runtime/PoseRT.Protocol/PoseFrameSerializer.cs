using System;
using System.Buffers;
using System.IO;
using MessagePack;

namespace PoseRT.Protocol
{
    /// <summary>
    /// Encodes and decodes <see cref="PoseFrame"/> messages. Decoding treats every message as
    /// untrusted: MessagePack's <see cref="MessagePackSecurity.UntrustedData"/> settings, a static
    /// resolver that knows only the protocol's types, and limits on message size and pose count.
    /// </summary>
    public static class PoseFrameSerializer
    {
        /// <summary>Largest message accepted (bytes). A frame of <see cref="MaxPoses"/> poses needs about 24 KiB, so this leaves room for later fields.</summary>
        public const int MaxMessageBytes = 64 * 1024;

        /// <summary>Most poses one frame may carry.</summary>
        public const int MaxPoses = TrackedPose.MaxPerFrame;

        /// <summary>Serializer options: static resolver, untrusted-data security.</summary>
        public static MessagePackSerializerOptions Options { get; } = MessagePackSerializerOptions.Standard
            .WithResolver(PoseFrameResolver.Instance)
            .WithSecurity(MessagePackSecurity.UntrustedData);

        /// <summary>Encodes a frame into a new array.</summary>
        public static byte[] Serialize(PoseFrame frame)
        {
            if (frame == null) throw new ArgumentNullException(nameof(frame));
            if (frame.Poses.Length > MaxPoses)
                throw new ArgumentException($"A PoseFrame carries at most {MaxPoses} poses; this one has {frame.Poses.Length}.", nameof(frame));
            var buffer = new ArrayBufferWriter();
            var writer = new MessagePackWriter(buffer);
            PoseFrameFormatter.Instance.Serialize(ref writer, frame, Options);
            writer.Flush();
            return buffer.WrittenSpan.ToArray();
        }

        /// <summary>
        /// Decodes one message. Throws <see cref="PoseFrameFormatException"/> (never anything else)
        /// when the bytes are not exactly one valid frame within the limits.
        /// </summary>
        public static PoseFrame Deserialize(ReadOnlyMemory<byte> message)
        {
            if (message.Length == 0)
                throw new PoseFrameFormatException("Empty message: a PoseFrame needs at least its header.");
            if (message.Length > MaxMessageBytes)
                throw new PoseFrameFormatException($"Message of {message.Length} bytes exceeds the {MaxMessageBytes}-byte limit.");
            var reader = new MessagePackReader(message);
            PoseFrame? frame;
            try
            {
                frame = PoseFrameFormatter.Instance.Deserialize(ref reader, Options);
            }
            catch (PoseFrameFormatException)
            {
                throw;
            }
            catch (Exception e) when (e is MessagePackSerializationException || e is EndOfStreamException || e is OverflowException
                                      || e is InvalidOperationException || e is ArgumentException || e is InsufficientExecutionStackException)
            {
                throw new PoseFrameFormatException("Malformed PoseFrame: " + e.Message, e);
            }
            if (frame == null)
                throw new PoseFrameFormatException("Message is nil, not a PoseFrame.");
            if (!reader.End)
                throw new PoseFrameFormatException($"Message has {message.Length - reader.Consumed} trailing bytes after the PoseFrame.");
            return frame;
        }

        /// <summary>Decodes one message, or returns false with the reason.</summary>
        public static bool TryDeserialize(ReadOnlyMemory<byte> message, out PoseFrame? frame, out string? error)
        {
            try
            {
                frame = Deserialize(message);
                error = null;
                return true;
            }
            catch (PoseFrameFormatException e)
            {
                frame = null;
                error = e.Message;
                return false;
            }
        }
    }

    /// <summary>
    /// Encodes frames into one reusable buffer, so a sender that writes every video frame does
    /// not allocate per frame. Not thread-safe; the returned memory is valid until the next call.
    /// </summary>
    public sealed class PoseFrameEncoder
    {
        private readonly ArrayBufferWriter _buffer = new ArrayBufferWriter();

        /// <summary>Encodes one frame from its parts. Poses beyond <see cref="PoseFrameSerializer.MaxPoses"/> are an error.</summary>
        public ReadOnlyMemory<byte> Encode(long frameNumber, long timestampMicroseconds, int width, int height, ReadOnlySpan<TrackedPose> poses)
        {
            if (poses.Length > PoseFrameSerializer.MaxPoses)
                throw new ArgumentException($"A PoseFrame carries at most {PoseFrameSerializer.MaxPoses} poses; got {poses.Length}.", nameof(poses));
            _buffer.Clear();
            var writer = new MessagePackWriter(_buffer);
            PoseFrameFormatter.Write(ref writer, frameNumber, timestampMicroseconds, width, height, poses);
            writer.Flush();
            return _buffer.WrittenMemory;
        }
    }

    // A growable byte buffer (System.Buffers.ArrayBufferWriter is not in netstandard2.1).
    internal sealed class ArrayBufferWriter : IBufferWriter<byte>
    {
        private byte[] _array = new byte[4096];
        private int _written;

        public ReadOnlySpan<byte> WrittenSpan => new ReadOnlySpan<byte>(_array, 0, _written);

        public ReadOnlyMemory<byte> WrittenMemory => new ReadOnlyMemory<byte>(_array, 0, _written);

        public void Clear() => _written = 0;

        public void Advance(int count) => _written += count;

        public Memory<byte> GetMemory(int sizeHint = 0)
        {
            Ensure(sizeHint);
            return new Memory<byte>(_array, _written, _array.Length - _written);
        }

        public Span<byte> GetSpan(int sizeHint = 0)
        {
            Ensure(sizeHint);
            return new Span<byte>(_array, _written, _array.Length - _written);
        }

        private void Ensure(int sizeHint)
        {
            int need = _written + Math.Max(sizeHint, 1);
            if (need <= _array.Length) return;
            Array.Resize(ref _array, Math.Max(need, _array.Length * 2));
        }
    }
}
