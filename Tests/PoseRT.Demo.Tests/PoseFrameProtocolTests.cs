using System;
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using MessagePack;
using PoseRT.Runtime;
using PoseRT.Protocol;

namespace PoseRT.Tests
{
    public class PoseFrameProtocolTests
    {
        internal static PoseFrame Sample(int people = 2)
        {
            var poses = new TrackedPose[people];
            for (int p = 0; p < people; p++)
            {
                var pose = new Pose { Box = new BoundingBox(10 + p, 20, 30.5f, 40.25f), BoxScore = 0.75f, Score = 0.5f + p / 100f, KeypointCount = 17 };
                for (int k = 0; k < 17; k++) pose[k] = new Keypoint(k + 0.25f, 2 * k + p, k / 17f);
                poses[p] = new TrackedPose(p + 7, pose);
            }
            return new PoseFrame { FrameNumber = 42, TimestampMicroseconds = 1_680_000, ImageWidth = 960, ImageHeight = 540, Poses = poses };
        }

        [Fact]
        public void Round_trip_keeps_every_field()
        {
            PoseFrame frame = Sample();
            PoseFrame back = PoseFrameSerializer.Deserialize(PoseFrameSerializer.Serialize(frame));
            Assert.Equal(1, back.Version);
            Assert.Equal(42, back.FrameNumber);
            Assert.Equal(1_680_000, back.TimestampMicroseconds);
            Assert.Equal(960, back.ImageWidth);
            Assert.Equal(540, back.ImageHeight);
            Assert.Equal(2, back.Poses.Length);
            for (int p = 0; p < 2; p++)
            {
                Assert.Equal(p + 7, back.Poses[p].TrackId);
                Assert.Equal(frame.Poses[p].Pose.Box, back.Poses[p].Pose.Box);
                Assert.Equal(frame.Poses[p].Pose.Score, back.Poses[p].Pose.Score);
                Assert.Equal(0.75f, back.Poses[p].Pose.BoxScore);
                Assert.Equal(17, back.Poses[p].Pose.KeypointCount);
                for (int k = 0; k < 17; k++) Assert.Equal(frame.Poses[p].Pose[k].ToString(), back.Poses[p].Pose[k].ToString());
            }
        }

        [Fact]
        public void Wire_layout_is_the_documented_positional_arrays()
        {
            byte[] bytes = PoseFrameSerializer.Serialize(Sample(1));
            // Read it with a plain MessagePackReader, as a Unity script without our types would.
            var r = new MessagePackReader(bytes);
            Assert.Equal(6, r.ReadArrayHeader());
            Assert.Equal(1, r.ReadInt32());          // version
            Assert.Equal(42, r.ReadInt64());         // frame
            Assert.Equal(1_680_000, r.ReadInt64());  // timestamp (us)
            Assert.Equal(960, r.ReadInt32());
            Assert.Equal(540, r.ReadInt32());
            Assert.Equal(1, r.ReadArrayHeader());    // poses
            Assert.Equal(5, r.ReadArrayHeader());    // [trackId, score, boxScore, box, keypoints]
            Assert.Equal(7, r.ReadInt32());
            Assert.Equal(0.5f, r.ReadSingle());
            Assert.Equal(0.75f, r.ReadSingle());
            Assert.Equal(4, r.ReadArrayHeader());
            Assert.Equal(10f, r.ReadSingle());
            r.Skip(); r.Skip(); r.Skip();
            Assert.Equal(51, r.ReadArrayHeader());   // 17 x (x, y, score)
            Assert.Equal(0.25f, r.ReadSingle());
            // Whole frame with one pose: small enough for any datagram.
            Assert.InRange(bytes.Length, 200, 400);
        }

        [Fact]
        public void Reader_skips_fields_appended_by_a_later_minor_version()
        {
            var buffer = new System.Buffers.ArrayBufferWriter<byte>();
            var w = new MessagePackWriter(buffer);
            w.WriteArrayHeader(7);
            w.Write(1); w.Write(5L); w.Write(6L); w.Write(64); w.Write(48);
            w.WriteArrayHeader(0);
            w.Write("a future field");
            w.Flush();
            PoseFrame f = PoseFrameSerializer.Deserialize(buffer.WrittenMemory);
            Assert.Equal(5, f.FrameNumber);
            Assert.Empty(f.Poses);
        }

        [Theory]
        [InlineData(new byte[] { 0xc1 }, "array")]                       // reserved byte
        [InlineData(new byte[] { 0x96, 0x01 }, "Malformed")]                   // header then nothing
        [InlineData(new byte[] { 0x81, 0x01, 0x02 }, "map")]                   // a map, not an array
        [InlineData(new byte[] { 0x92, 0x01, 0x02 }, "fields")]                // too few fields
        [InlineData(new byte[] { 0x96, 0x02, 0, 0, 1, 1, 0x90 }, "version 2")] // future major version
        [InlineData(new byte[] { 0x96, 0x01, 0, 0, 1, 1, 0x90, 0x00 }, "trailing")]
        [InlineData(new byte[] { 0x96, 0x01, 0, 0, 0xff, 1, 0x90 }, "negative")]
        [InlineData(new byte[] { 0x96, 0x01, 0xa1, 0x41, 1, 1, 0x90 }, "Malformed")] // frame number as a string
        [InlineData(new byte[] { 0xc0 }, "nil")]
        [InlineData(new byte[0], "Empty")]
        public void Malformed_messages_are_rejected_with_a_reason(byte[] message, string expected)
        {
            var e = Assert.Throws<PoseFrameFormatException>(() => PoseFrameSerializer.Deserialize(message));
            Assert.Contains(expected, e.Message, StringComparison.OrdinalIgnoreCase);
            Assert.False(PoseFrameSerializer.TryDeserialize(message, out _, out string? error));
            Assert.NotNull(error);
        }

        [Fact]
        public void Oversized_and_overfull_messages_are_rejected()
        {
            var big = new byte[PoseFrameSerializer.MaxMessageBytes + 1];
            Assert.Contains("exceeds", Assert.Throws<PoseFrameFormatException>(() => PoseFrameSerializer.Deserialize(big)).Message);

            // 2^31 poses claimed without the bytes: rejected before allocating anything.
            byte[] huge = { 0x96, 0x01, 0, 0, 1, 1, 0xdd, 0x7f, 0xff, 0xff, 0xff };
            Assert.Throws<PoseFrameFormatException>(() => PoseFrameSerializer.Deserialize(huge));
            // 65 poses (array16 header, 65 placeholder bytes): over the pose limit.
            var tooMany = new byte[9 + 65];
            new byte[] { 0x96, 0x01, 0, 0, 1, 1, 0xdc, 0x00, 0x41 }.CopyTo(tooMany, 0);
            for (int i = 9; i < tooMany.Length; i++) tooMany[i] = 0xc0;
            Assert.Contains("at most 64", Assert.Throws<PoseFrameFormatException>(() => PoseFrameSerializer.Deserialize(tooMany)).Message);

            // 18 keypoints.
            var buffer = new System.Buffers.ArrayBufferWriter<byte>();
            var w = new MessagePackWriter(buffer);
            w.WriteArrayHeader(6); w.Write(1); w.Write(0L); w.Write(0L); w.Write(10); w.Write(10);
            w.WriteArrayHeader(1); w.WriteArrayHeader(5); w.Write(1); w.Write(1f); w.Write(1f);
            w.WriteArrayHeader(4); w.Write(0f); w.Write(0f); w.Write(1f); w.Write(1f);
            w.WriteArrayHeader(54);
            for (int i = 0; i < 54; i++) w.Write(0f);
            w.Flush();
            Assert.Contains("at most 17", Assert.Throws<PoseFrameFormatException>(() => PoseFrameSerializer.Deserialize(buffer.WrittenMemory)).Message);

            Assert.Throws<ArgumentException>(() => PoseFrameSerializer.Serialize(new PoseFrame { Poses = new TrackedPose[65] }));
        }

        [Fact]
        public void Random_corruption_never_escapes_as_anything_but_a_format_error()
        {
            byte[] valid = PoseFrameSerializer.Serialize(Sample(3));
            var rng = new Random(1234);
            int rejected = 0, accepted = 0;
            for (int trial = 0; trial < 3000; trial++)
            {
                byte[] m = (byte[])valid.Clone();
                int edits = 1 + rng.Next(4);
                for (int e = 0; e < edits; e++) m[rng.Next(m.Length)] = (byte)rng.Next(256);
                int length = rng.Next(4) == 0 ? rng.Next(m.Length) : m.Length;
                try
                {
                    PoseFrameSerializer.Deserialize(m.AsMemory(0, length));
                    accepted++;
                }
                catch (PoseFrameFormatException)
                {
                    rejected++;
                }
            }
            // Flipped float bytes still decode; most edits to headers or truncations do not.
            Assert.True(rejected > 1000, $"rejected {rejected}, accepted {accepted}");
            Assert.Equal(3000, rejected + accepted);
        }

        [Fact]
        public void Udp_receiver_skips_malformed_datagrams_and_counts_them()
        {
            using var receiver = PoseFrameReceiver.ListenUdp(new IPEndPoint(IPAddress.Loopback, 0));
            var target = (IPEndPoint)receiver.LocalEndPoint!;
            using var sender = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            sender.SendTo(new byte[] { 0x96, 0x07 }, target);
            sender.SendTo(new byte[60000], target); // zeros: not a frame
            sender.SendTo(PoseFrameSerializer.Serialize(Sample()), target);
            Assert.True(receiver.TryReceive(TimeSpan.FromSeconds(5), out PoseFrame? frame));
            Assert.Equal(42, frame!.FrameNumber);
            Assert.Equal(2, receiver.RejectedMessages);
            Assert.False(receiver.TryReceive(TimeSpan.FromMilliseconds(50), out _));
        }

        [Fact]
        public void Tcp_receiver_rejects_an_oversized_length_prefix_without_reading_it()
        {
            // The test's own server binds port 0 and keeps the socket, so no other process can take the port in between.
            using var server = new TcpListener(IPAddress.Loopback, 0);
            server.Start();
            var endpoint = (IPEndPoint)server.LocalEndpoint;
            using var checkedByReceiver = new ManualResetEventSlim();
            var serverThread = new Thread(() =>
            {
                using Socket client = server.AcceptSocket();
                var header = new byte[4];
                byte[] good = PoseFrameSerializer.Serialize(Sample());
                BinaryPrimitives.WriteUInt32BigEndian(header, (uint)good.Length);
                client.Send(header);
                client.Send(good);
                BinaryPrimitives.WriteUInt32BigEndian(header, 200_000_000);
                client.Send(header);
                // Hold the connection open until the receiver has judged the prefix: a close would end the stream
                // first, and the receiver must reject the length itself, not an end of stream.
                checkedByReceiver.Wait(TimeSpan.FromSeconds(30));
            });
            serverThread.Start();
            try
            {
                using var receiver = PoseFrameReceiver.ConnectTcp(endpoint, TimeSpan.FromSeconds(5));
                Assert.True(receiver.TryReceive(TimeSpan.FromSeconds(5), out PoseFrame? frame));
                Assert.Equal(2, frame!.Poses.Length);
                var e = Assert.Throws<PoseFrameFormatException>(() => receiver.TryReceive(TimeSpan.FromSeconds(5), out _));
                Assert.Contains("200000000", e.Message);
                Assert.Equal(1, receiver.RejectedMessages);
            }
            finally
            {
                checkedByReceiver.Set();
                serverThread.Join();
            }
        }

        [Fact]
        public void Resolver_serves_only_protocol_types()
        {
            Assert.NotNull(PoseFrameResolver.Instance.GetFormatter<PoseFrame>());
            Assert.Null(PoseFrameResolver.Instance.GetFormatter<string>());
            Assert.Null(PoseFrameResolver.Instance.GetFormatter<object>());
            Assert.Null(PoseFrameResolver.Instance.GetFormatter<System.Collections.Generic.Dictionary<string, string>>());
        }

        [Fact]
        public void Options_are_MessagePacks_untrusted_data_settings()
        {
            // The very settings object (not merely one of its type): depth limit 500, collision-resistant hashing.
            MessagePackSecurity security = PoseFrameSerializer.Options.Security;
            Assert.Same(MessagePackSecurity.UntrustedData, security);
            Assert.Equal(500, security.MaximumObjectGraphDepth);
            Assert.True(security.HashCollisionResistant);
            Assert.Same(PoseFrameResolver.Instance, PoseFrameSerializer.Options.Resolver);
        }

        [Fact]
        public void The_untrusted_depth_limit_counts_the_frame_and_each_pose()
        {
            // A frame read as part of an enclosing message that is already nested deep: the frame and each pose are one
            // level each against the 500-level limit, so with 498 levels above it the frame fits, with 499 its poses do
            // not. Trusted settings (no limit) read it at any depth: the rejection comes from the untrusted settings.
            byte[] bytes = PoseFrameSerializer.Serialize(Sample(1));
            var formatter = PoseFrameResolver.Instance.GetFormatter<PoseFrame>()!;
            int limit = PoseFrameSerializer.Options.Security.MaximumObjectGraphDepth;

            var fits = new MessagePackReader(bytes) { Depth = limit - 2 };
            Assert.Equal(42, formatter.Deserialize(ref fits, PoseFrameSerializer.Options)!.FrameNumber);
            Assert.Equal(limit - 2, fits.Depth); // each level is given back on the way out

            Assert.Throws<InsufficientExecutionStackException>(() =>
            {
                var tooDeep = new MessagePackReader(bytes) { Depth = limit - 1 };
                formatter.Deserialize(ref tooDeep, PoseFrameSerializer.Options);
            });
            var trusted = PoseFrameSerializer.Options.WithSecurity(MessagePackSecurity.TrustedData);
            var anyDepth = new MessagePackReader(bytes) { Depth = limit - 1 };
            Assert.Equal(42, formatter.Deserialize(ref anyDepth, trusted)!.FrameNumber);
        }
    }
}
