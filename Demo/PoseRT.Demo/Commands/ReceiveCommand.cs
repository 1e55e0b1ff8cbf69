using System;
using System.CommandLine;
using System.Globalization;
using System.IO;
using System.Net;
using System.Text;
using System.Threading;
using PoseRT.Runtime;
using PoseRT.Runtime.Protocol;

namespace PoseRT.Demo.Commands
{
    /// <summary><c>posert-demo receive</c>: a small client of the PoseFrame stream, printing one line per frame.</summary>
    internal static class ReceiveCommand
    {
        internal static Command Create()
        {
            var udp = new Option<string?>("--udp") { Description = "Listen for UDP datagrams on host:port (the demo's --udp target)." };
            var tcp = new Option<string?>("--tcp") { Description = "Connect to the demo's TCP stream at host:port (its --tcp endpoint)." };
            var count = new Option<int>("--count") { Description = "Stop after N frames (0: until Ctrl+C or the sender closes).", DefaultValueFactory = _ => 0 };
            var timeout = new Option<double>("--timeout") { Description = "Give up after this many seconds without a frame.", DefaultValueFactory = _ => 10 };
            var command = new Command("receive", "Receive the demo's MessagePack PoseFrame stream (UDP or TCP) and print each frame.")
            {
                udp, tcp, count, timeout,
            };
            command.SetAction(parse =>
            {
                using var cancel = new CancellationTokenSource();
                ConsoleCancelEventHandler onCancel = (_, e) =>
                {
                    e.Cancel = true;
                    cancel.Cancel();
                };
                Console.CancelKeyPress += onCancel;
                try
                {
                    return Run(parse.GetValue(udp), parse.GetValue(tcp), parse.GetValue(count), TimeSpan.FromSeconds(parse.GetValue(timeout)), Console.Out, Console.Error, cancel.Token);
                }
                finally
                {
                    Console.CancelKeyPress -= onCancel;
                }
            });
            return command;
        }

        internal static int Run(string? udp, string? tcp, int count, TimeSpan timeout, TextWriter stdout, TextWriter stderr, CancellationToken cancel, Action? listening = null)
        {
            if ((udp == null) == (tcp == null))
            {
                stderr.WriteLine("error: give exactly one of --udp host:port or --tcp host:port.");
                return 2;
            }
            PoseFrameReceiver receiver;
            try
            {
                receiver = udp != null
                    ? PoseFrameReceiver.ListenUdp(Endpoints.Parse(udp, "--udp"))
                    : PoseFrameReceiver.ConnectTcp(Endpoints.Parse(tcp!, "--tcp"), TimeSpan.FromSeconds(5));
            }
            catch (Exception e) when (e is ArgumentException || e is System.Net.Sockets.SocketException || e is TimeoutException)
            {
                stderr.WriteLine("error: " + e.Message);
                return 2;
            }
            using (receiver)
            {
                listening?.Invoke();
                int received = 0;
                DateTime lastFrame = DateTime.UtcNow;
                while (!cancel.IsCancellationRequested && (count <= 0 || received < count))
                {
                    PoseFrame? frame;
                    try
                    {
                        if (!receiver.TryReceive(TimeSpan.FromMilliseconds(200), out frame))
                        {
                            if (DateTime.UtcNow - lastFrame > timeout)
                            {
                                stderr.WriteLine($"error: no frame for {timeout.TotalSeconds:F0} s{(receiver.RejectedMessages > 0 ? $" ({receiver.RejectedMessages} rejected: {receiver.LastError})" : "")}.");
                                return 1;
                            }
                            continue;
                        }
                    }
                    catch (PoseFrameFormatException e)
                    {
                        stderr.WriteLine("error: " + e.Message);
                        return 1;
                    }
                    catch (EndOfStreamException e)
                    {
                        stderr.WriteLine("receive: " + e.Message);
                        break;
                    }
                    lastFrame = DateTime.UtcNow;
                    received++;
                    stdout.WriteLine(Describe(frame!));
                }
                stderr.WriteLine($"receive: {received} frames, {receiver.RejectedMessages} rejected messages.");
                return 0;
            }
        }

        internal static string Describe(PoseFrame frame)
        {
            var text = new StringBuilder();
            text.Append(CultureInfo.InvariantCulture, $"frame {frame.FrameNumber} t={frame.TimestampMicroseconds / 1e6:F3}s {frame.ImageWidth}x{frame.ImageHeight} poses {frame.Poses.Length}");
            foreach (TrackedPose p in frame.Poses)
            {
                Keypoint nose = p.Pose.KeypointCount > 0 ? p.Pose[0] : default;
                text.Append(CultureInfo.InvariantCulture, $" | #{p.TrackId} score {p.Pose.Score:F2} box {p.Pose.Box} nose ({nose.X:F0},{nose.Y:F0})");
            }
            return text.ToString();
        }
    }
}
