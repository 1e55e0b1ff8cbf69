using System;
using System.Collections.Generic;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using OpenCvSharp;
using PoseRT.Demo.Pipeline;
using PoseRT.Runtime.Protocol;

namespace PoseRT.Demo.Output
{
    /// <summary>
    /// Streams every frame's poses as MessagePack <see cref="PoseFrame"/>s: UDP datagrams to a
    /// receiver's endpoint, and/or a TCP server that sends length-prefixed messages to every connected
    /// client. A slow or dead client is dropped; it never stalls the video loop for long.
    /// </summary>
    internal sealed class PoseStreamSender : IFrameSink
    {
        private readonly PoseFrameEncoder _encoder = new PoseFrameEncoder();
        private readonly byte[] _header = new byte[PoseFrameFraming.HeaderBytes];
        private readonly Socket? _udp;
        private readonly IPEndPoint? _udpTarget;
        private readonly TcpListener? _listener;
        private readonly List<Socket> _clients = new List<Socket>();
        private readonly Thread? _acceptThread;
        private readonly Action<string> _log;
        private volatile bool _closed;

        public PoseStreamSender(IPEndPoint? udpTarget, IPEndPoint? tcpListen, Action<string> log)
        {
            if (udpTarget == null && tcpListen == null) throw new ArgumentException("Give a UDP target and/or a TCP endpoint.");
            _log = log;
            if (udpTarget != null)
            {
                _udpTarget = udpTarget;
                _udp = new Socket(udpTarget.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            }
            if (tcpListen != null)
            {
                _listener = new TcpListener(tcpListen);
                try
                {
                    _listener.Start();
                }
                catch (SocketException e)
                {
                    _udp?.Dispose();
                    throw new InvalidOperationException($"Cannot listen for pose stream clients on tcp://{tcpListen}: {e.Message}", e);
                }
                _acceptThread = new Thread(AcceptLoop) { IsBackground = true, Name = "posert-tcp-accept" };
                _acceptThread.Start();
            }
        }

        /// <summary>The TCP endpoint actually bound (port 0 resolved), or null.</summary>
        public IPEndPoint? TcpEndPoint => (IPEndPoint?)_listener?.LocalEndpoint;

        public int ClientCount
        {
            get
            {
                lock (_clients) return _clients.Count;
            }
        }

        public bool NeedsImage => false;

        public bool StopRequested => false;

        public long MessagesSent { get; private set; }

        public void Write(FrameResult result, Mat annotated)
        {
            ReadOnlyMemory<byte> message = _encoder.Encode(result.FrameNumber, result.TimestampMicroseconds, result.Width, result.Height, result.Poses);
            if (_udp != null)
            {
                try
                {
                    _udp.SendTo(message.Span, SocketFlags.None, _udpTarget!);
                }
                catch (SocketException e)
                {
                    // Nobody listening (ICMP port unreachable) is normal for UDP; keep streaming.
                    if (e.SocketErrorCode != SocketError.ConnectionRefused && e.SocketErrorCode != SocketError.ConnectionReset)
                        _log($"stream: UDP send to {_udpTarget} failed: {e.Message}");
                }
            }
            if (_listener != null)
            {
                PoseFrameFraming.WriteHeader(_header, message.Length);
                lock (_clients)
                {
                    for (int i = _clients.Count - 1; i >= 0; i--)
                    {
                        Socket client = _clients[i];
                        try
                        {
                            client.Send(_header);
                            client.Send(message.Span);
                        }
                        catch (Exception e) when (e is SocketException || e is ObjectDisposedException)
                        {
                            _log($"stream: TCP client {SafeRemote(client)} dropped ({e.Message}).");
                            client.Dispose();
                            _clients.RemoveAt(i);
                        }
                    }
                }
            }
            MessagesSent++;
        }

        private void AcceptLoop()
        {
            while (!_closed)
            {
                Socket client;
                try
                {
                    client = _listener!.AcceptSocket();
                }
                catch (Exception e) when (e is SocketException || e is ObjectDisposedException || e is InvalidOperationException)
                {
                    return; // listener stopped
                }
                // A client that stops reading must not stall the video loop: a bounded send blocks at most 200 ms.
                client.NoDelay = true;
                client.SendTimeout = 200;
                lock (_clients) _clients.Add(client);
                _log($"stream: TCP client {SafeRemote(client)} connected.");
            }
        }

        private static string SafeRemote(Socket s)
        {
            try
            {
                return s.RemoteEndPoint?.ToString() ?? "?";
            }
            catch (ObjectDisposedException)
            {
                return "?";
            }
        }

        public void Complete()
        {
        }

        public void Dispose()
        {
            _closed = true;
            _listener?.Stop();
            _acceptThread?.Join(1000);
            lock (_clients)
            {
                foreach (Socket c in _clients) c.Dispose();
                _clients.Clear();
            }
            _udp?.Dispose();
        }
    }
}
