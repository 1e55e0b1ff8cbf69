using System;
using System.Collections.Generic;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;
using OpenCvSharp;
using PoseRT.Demo.Pipeline;
using PoseRT.Protocol;

namespace PoseRT.Demo.Output
{
    /// <summary>
    /// Streams every frame's poses as MessagePack <see cref="PoseFrame"/>s: UDP datagrams to a
    /// receiver's endpoint, and/or a TCP server that sends length-prefixed messages to every connected
    /// client. The video loop never waits for a client: each TCP client has its own queue of at most
    /// <see cref="ServerLimits.ClientBufferFrames"/> frames, sent by its own task; when a client falls behind,
    /// its oldest queued frame is dropped (and counted), and a client that accepts nothing for
    /// <see cref="ServerLimits.StallTimeout"/> is closed. At most <see cref="ServerLimits.MaxClients"/> clients
    /// are served; one more is closed at once, before any byte is sent (the receiver sees the sender close).
    /// </summary>
    internal sealed class PoseStreamSender : IFrameSink
    {
        private readonly PoseFrameEncoder _encoder = new PoseFrameEncoder();
        private readonly Socket? _udp;
        private readonly IPEndPoint? _udpTarget;
        private readonly Socket? _listener;
        private readonly ServerLimits _limits;
        private readonly List<Client> _clients = new List<Client>();
        private readonly CancellationTokenSource _stop = new CancellationTokenSource();
        private readonly LogThrottle _throttle = new LogThrottle(TimeSpan.FromSeconds(5));
        private readonly Task? _acceptLoop;
        private readonly Action<string> _log;
        private readonly ChangeSignal _clientsChanged = new ChangeSignal();
        private long _refused;
        private long _stalled;
        private long _dropped;

        /// <summary>Sends to <paramref name="udpTarget"/> and/or serves TCP clients on <paramref name="tcpListen"/> (port 0: one the system picks).</summary>
        public PoseStreamSender(IPEndPoint? udpTarget, IPEndPoint? tcpListen, Action<string> log, ServerLimits? limits = null)
        {
            if (udpTarget == null && tcpListen == null) throw new ArgumentException("Give a UDP target and/or a TCP endpoint.");
            _log = log;
            _limits = limits ?? new ServerLimits();
            if (udpTarget != null)
            {
                _udpTarget = udpTarget;
                _udp = new Socket(udpTarget.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            }
            if (tcpListen != null)
            {
                _listener = new Socket(tcpListen.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
                try
                {
                    _listener.Bind(tcpListen);
                    _listener.Listen(Math.Min(1024, _limits.MaxClients * 2 + 16));
                }
                catch (SocketException e)
                {
                    _listener.Dispose();
                    _udp?.Dispose();
                    throw new InvalidOperationException($"Cannot listen for pose stream clients on tcp://{tcpListen}: {e.Message}", e);
                }
                _acceptLoop = Task.Run(AcceptLoop);
            }
        }

        /// <summary>The TCP endpoint actually bound (port 0 resolved), or null.</summary>
        public IPEndPoint? TcpEndPoint => (IPEndPoint?)_listener?.LocalEndPoint;

        /// <summary>TCP clients connected now.</summary>
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

        /// <summary>TCP clients closed at once because <see cref="ServerLimits.MaxClients"/> were connected.</summary>
        public long Refused => Interlocked.Read(ref _refused);

        /// <summary>TCP clients closed because they accepted no data for <see cref="ServerLimits.StallTimeout"/>.</summary>
        public long Stalled => Interlocked.Read(ref _stalled);

        /// <summary>Frames dropped from the queues of clients that fell behind.</summary>
        public long DroppedFrames => Interlocked.Read(ref _dropped);

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
                Client[] clients;
                lock (_clients) clients = _clients.Count == 0 ? Array.Empty<Client>() : _clients.ToArray();
                if (clients.Length > 0)
                {
                    // One framed copy per frame, shared by every client's queue (the encoder's buffer is reused).
                    var packet = new byte[PoseFrameFraming.HeaderBytes + message.Length];
                    PoseFrameFraming.WriteHeader(packet, message.Length);
                    message.Span.CopyTo(packet.AsSpan(PoseFrameFraming.HeaderBytes));
                    foreach (Client client in clients) client.Queue.Writer.TryWrite(packet);
                }
            }
            MessagesSent++;
        }

        /// <summary>Completes when <paramref name="condition"/> holds for <see cref="ClientCount"/>; false after <paramref name="timeout"/>.</summary>
        internal Task<bool> WaitForClientsAsync(Func<int, bool> condition, TimeSpan timeout) =>
            _clientsChanged.WaitUntilAsync(() => condition(ClientCount), timeout);

        private async Task AcceptLoop()
        {
            while (!_stop.IsCancellationRequested)
            {
                Socket socket;
                try
                {
                    socket = await _listener!.AcceptAsync(_stop.Token).ConfigureAwait(false);
                }
                catch (Exception e) when (e is SocketException || e is ObjectDisposedException || e is OperationCanceledException)
                {
                    return; // listener stopped
                }
                Client? client = null;
                lock (_clients)
                {
                    if (_clients.Count < _limits.MaxClients)
                    {
                        client = new Client(socket, SafeRemote(socket), _limits.ClientBufferFrames, () => Interlocked.Increment(ref _dropped));
                        _clients.Add(client);
                    }
                }
                if (client == null)
                {
                    Interlocked.Increment(ref _refused);
                    if (_throttle.Due())
                        _log($"stream: refused TCP client {SafeRemote(socket)}: {_limits.MaxClients} clients already connected (--max-clients); {Refused} refused so far.");
                    socket.Dispose();
                    continue;
                }
                socket.NoDelay = true;
                socket.SendBufferSize = _limits.SocketSendBufferBytes;
                _clientsChanged.Signal();
                _log($"stream: TCP client {client.Remote} connected.");
                _ = Task.Run(() => Pump(client));
            }
        }

        // Sends one client's queue; ends (and closes the client) when it stalls, goes away or the sender stops.
        private async Task Pump(Client client)
        {
            string why = "sender stopped";
            try
            {
                while (await client.Queue.Reader.WaitToReadAsync(_stop.Token).ConfigureAwait(false))
                {
                    while (client.Queue.Reader.TryRead(out byte[]? packet))
                    {
                        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                        cancel.CancelAfter(_limits.StallTimeout);
                        try
                        {
                            for (int sent = 0; sent < packet.Length;)
                                sent += await client.Socket.SendAsync(packet.AsMemory(sent), SocketFlags.None, cancel.Token).ConfigureAwait(false);
                        }
                        catch (OperationCanceledException) when (!_stop.IsCancellationRequested)
                        {
                            Interlocked.Increment(ref _stalled);
                            why = $"accepted no data for {_limits.StallTimeout.TotalSeconds:0.#} s";
                            return;
                        }
                    }
                }
            }
            catch (Exception e) when (e is SocketException || e is ObjectDisposedException)
            {
                why = e.Message;
            }
            catch (OperationCanceledException)
            {
            }
            finally
            {
                lock (_clients) _clients.Remove(client);
                client.Socket.Dispose();
                _clientsChanged.Signal();
                if (!_stop.IsCancellationRequested && _throttle.Due())
                    _log($"stream: TCP client {client.Remote} dropped ({why}); so far {Stalled} closed for not reading, {DroppedFrames} frames dropped for slow clients.");
            }
        }

        private static string SafeRemote(Socket s)
        {
            try
            {
                return s.RemoteEndPoint?.ToString() ?? "?";
            }
            catch (Exception e) when (e is ObjectDisposedException || e is SocketException)
            {
                return "?";
            }
        }

        public void Complete()
        {
        }

        public void Dispose()
        {
            _stop.Cancel();
            _listener?.Dispose();
            try
            {
                _acceptLoop?.Wait(1000);
            }
            catch (AggregateException)
            {
            }
            lock (_clients)
            {
                foreach (Client c in _clients) c.Socket.Dispose();
                _clients.Clear();
            }
            _udp?.Dispose();
            // The reports while running are throttled; the totals are always said once at the end.
            if (Refused + Stalled + DroppedFrames > 0)
                _log($"stream: in all {Refused} TCP clients refused (at most {_limits.MaxClients}), {Stalled} closed for not reading, " +
                     $"{DroppedFrames} frames dropped for slow clients.");
        }

        private sealed class Client
        {
            public Client(Socket socket, string remote, int capacity, Action dropped)
            {
                Socket = socket;
                Remote = remote;
                Queue = Channel.CreateBounded<byte[]>(
                    new BoundedChannelOptions(capacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true, SingleWriter = true },
                    _ => dropped());
            }

            public Socket Socket { get; }

            public string Remote { get; }

            public Channel<byte[]> Queue { get; }
        }
    }
}
