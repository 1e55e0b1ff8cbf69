using System;
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace PoseRT.Protocol
{
    /// <summary>
    /// Stream framing for TCP: each <see cref="PoseFrame"/> message is preceded by its length as a
    /// 4-byte big-endian unsigned integer. UDP needs no framing: one datagram is one message.
    /// </summary>
    public static class PoseFrameFraming
    {
        /// <summary>Bytes in the length prefix.</summary>
        public const int HeaderBytes = 4;

        /// <summary>Writes the length prefix of a message of <paramref name="length"/> bytes.</summary>
        public static void WriteHeader(Span<byte> destination, int length)
        {
            if (length <= 0 || length > PoseFrameSerializer.MaxMessageBytes)
                throw new ArgumentOutOfRangeException(nameof(length), length, $"A message must be 1 to {PoseFrameSerializer.MaxMessageBytes} bytes.");
            BinaryPrimitives.WriteUInt32BigEndian(destination, (uint)length);
        }

        /// <summary>Reads a length prefix; throws <see cref="PoseFrameFormatException"/> for 0 or more than the limit.</summary>
        public static int ReadHeader(ReadOnlySpan<byte> header)
        {
            uint length = BinaryPrimitives.ReadUInt32BigEndian(header);
            if (length == 0 || length > PoseFrameSerializer.MaxMessageBytes)
                throw new PoseFrameFormatException($"Length prefix {length} is outside 1 to {PoseFrameSerializer.MaxMessageBytes} bytes.");
            return (int)length;
        }
    }

    /// <summary>
    /// Receives <see cref="PoseFrame"/>s from the demo (or any sender of the protocol): binds a UDP
    /// port, or connects to a TCP server. Synchronous with timeouts, so a game can poll it from a
    /// worker thread. Malformed UDP datagrams are counted and skipped; a malformed TCP message closes
    /// the connection (the stream cannot be resynchronised) and is reported by an exception. A frame that
    /// decodes but carries impossible values (<see cref="PoseFrameValidation.Check"/>) is counted in
    /// <see cref="RejectedMessages"/> and skipped on either transport: its framing was intact.
    /// </summary>
    public sealed class PoseFrameReceiver : IDisposable
    {
        private readonly Socket _socket;
        private readonly bool _tcp;
        private readonly byte[] _buffer = new byte[PoseFrameSerializer.MaxMessageBytes + 1];
        private bool _disposed;

        private PoseFrameReceiver(Socket socket, bool tcp)
        {
            _socket = socket;
            _tcp = tcp;
        }

        /// <summary>Messages rejected so far (malformed, oversized, of an unsupported version, or with impossible values).</summary>
        public int RejectedMessages { get; private set; }

        /// <summary>Why the last message was rejected, or null.</summary>
        public string? LastError { get; private set; }

        /// <summary>The local endpoint (useful after binding port 0).</summary>
        public EndPoint? LocalEndPoint => _socket.LocalEndPoint;

        /// <summary>Binds a UDP socket on <paramref name="local"/> (port 0 picks a free port).</summary>
        public static PoseFrameReceiver ListenUdp(IPEndPoint local)
        {
            if (local == null) throw new ArgumentNullException(nameof(local));
            var socket = new Socket(local.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            try
            {
                socket.Bind(local);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
            return new PoseFrameReceiver(socket, tcp: false);
        }

        /// <summary>Connects to a TCP sender at <paramref name="remote"/>; fails after <paramref name="timeout"/>.</summary>
        public static PoseFrameReceiver ConnectTcp(IPEndPoint remote, TimeSpan timeout)
        {
            if (remote == null) throw new ArgumentNullException(nameof(remote));
            var socket = new Socket(remote.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                IAsyncResult pending = socket.BeginConnect(remote, null, null);
                if (!pending.AsyncWaitHandle.WaitOne(timeout))
                    throw new TimeoutException($"No PoseFrame sender answered at tcp://{remote} within {timeout.TotalSeconds:F1} s.");
                socket.EndConnect(pending);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
            return new PoseFrameReceiver(socket, tcp: true);
        }

        /// <summary>
        /// Waits up to <paramref name="timeout"/> for the next valid frame. Returns false on timeout
        /// (or when only invalid messages arrived). Over TCP, throws
        /// <see cref="PoseFrameFormatException"/> for a malformed message and <see cref="System.IO.EndOfStreamException"/>
        /// when the sender closed or reset the connection (connect again to resume).
        /// </summary>
        public bool TryReceive(TimeSpan timeout, out PoseFrame? frame)
        {
            if (_disposed) throw new ObjectDisposedException(nameof(PoseFrameReceiver));
            frame = null;
            int micro = (int)Math.Min(int.MaxValue, Math.Max(0, timeout.Ticks / 10));
            var deadline = DateTime.UtcNow + timeout;
            while (true)
            {
                if (!_socket.Poll(micro, SelectMode.SelectRead)) return false;
                if (_tcp)
                {
                    if (ReceiveTcp(out frame)) return true;
                }
                else
                {
                    if (ReceiveUdp(out frame)) return true;
                }
                var left = deadline - DateTime.UtcNow;
                if (left <= TimeSpan.Zero) return false;
                micro = (int)Math.Min(int.MaxValue, left.Ticks / 10);
            }
        }

        private bool ReceiveUdp(out PoseFrame? frame)
        {
            frame = null;
            // A datagram longer than the buffer is truncated: MaxMessageBytes + 1 bytes read means oversized.
            int length;
            try
            {
                length = _socket.Receive(_buffer);
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.MessageSize || e.SocketErrorCode == SocketError.ConnectionReset)
            {
                Reject("Datagram larger than " + PoseFrameSerializer.MaxMessageBytes + " bytes.");
                return false;
            }
            if (length > PoseFrameSerializer.MaxMessageBytes)
            {
                Reject($"Datagram larger than {PoseFrameSerializer.MaxMessageBytes} bytes.");
            }
            else if (PoseFrameSerializer.TryDeserialize(new ReadOnlyMemory<byte>(_buffer, 0, length), out frame, out string? error))
            {
                return Accept(ref frame);
            }
            else
            {
                Reject(error);
            }
            return false;
        }

        private bool Accept(ref PoseFrame? frame)
        {
            string? problem = PoseFrameValidation.Check(frame!);
            if (problem == null) return true;
            Reject(problem);
            frame = null;
            return false;
        }

        private bool ReceiveTcp(out PoseFrame? frame)
        {
            try
            {
                ReadExactly(_buffer, PoseFrameFraming.HeaderBytes);
                int length = PoseFrameFraming.ReadHeader(_buffer);
                ReadExactly(_buffer, length);
                frame = PoseFrameSerializer.Deserialize(new ReadOnlyMemory<byte>(_buffer, 0, length));
                return Accept(ref frame);
            }
            catch (PoseFrameFormatException e)
            {
                Reject(e.Message);
                _socket.Close();
                _disposed = true;
                throw;
            }
        }

        private void ReadExactly(byte[] destination, int count)
        {
            // A sender that stops mid-message must not hang the reader.
            _socket.ReceiveTimeout = 5000;
            int read = 0;
            while (read < count)
            {
                int n;
                try
                {
                    n = _socket.Receive(destination, read, count - read, SocketFlags.None);
                }
                catch (SocketException e) when (e.SocketErrorCode == SocketError.TimedOut)
                {
                    throw new PoseFrameFormatException($"The sender stopped in the middle of a message ({read} of {count} bytes).", e);
                }
                catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset || e.SocketErrorCode == SocketError.ConnectionAborted)
                {
                    throw new System.IO.EndOfStreamException($"The PoseFrame sender reset the connection ({e.Message}).", e);
                }
                if (n == 0)
                    throw new System.IO.EndOfStreamException(read == 0 && count == PoseFrameFraming.HeaderBytes
                        ? "The PoseFrame sender closed the connection."
                        : $"The PoseFrame sender closed the connection in the middle of a message ({read} of {count} bytes).");
                read += n;
            }
        }

        private void Reject(string? error)
        {
            RejectedMessages++;
            LastError = error;
        }

        /// <inheritdoc />
        public void Dispose()
        {
            _disposed = true;
            _socket.Dispose();
        }
    }
}
