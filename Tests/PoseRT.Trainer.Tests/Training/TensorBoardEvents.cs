using System;
using System.Collections.Generic;
using System.IO;
using System.Text;

namespace PoseRT.Tests.Training
{
    /// <summary>
    /// Reads the scalar summaries of TensorBoard event files, independently of the writer: TFRecord framing
    /// (u64 length, u32 masked CRC, payload, u32 masked CRC) around Event protos (step = field 2, summary = field 5,
    /// whose Value entries hold tag = field 1 and simple_value = field 2).
    /// </summary>
    internal static class TensorBoardEvents
    {
        public static List<(string Tag, long Step, float Value)> ReadScalars(string folder)
        {
            var scalars = new List<(string, long, float)>();
            var files = Directory.GetFiles(folder, "events.out.tfevents.*");
            Array.Sort(files, StringComparer.Ordinal);
            foreach (var file in files)
            {
                byte[] bytes = File.ReadAllBytes(file);
                int at = 0;
                while (at < bytes.Length)
                {
                    if (at + 12 > bytes.Length) throw new InvalidDataException($"{file}: torn record header at byte {at}.");
                    long length = BitConverter.ToInt64(bytes, at);
                    at += 12;
                    if (length < 0 || at + length + 4 > bytes.Length) throw new InvalidDataException($"{file}: record of {length} bytes at {at} runs past the end.");
                    ReadEvent(bytes.AsSpan(at, (int)length), scalars);
                    at += (int)length + 4;
                }
            }
            return scalars;
        }

        private static void ReadEvent(ReadOnlySpan<byte> e, List<(string, long, float)> scalars)
        {
            long step = 0;
            var values = new List<(string, float)>();
            int at = 0;
            while (at < e.Length)
            {
                ulong key = Varint(e, ref at);
                int field = (int)(key >> 3), wire = (int)(key & 7);
                if (field == 2 && wire == 0) step = (long)Varint(e, ref at);
                else if (field == 5 && wire == 2) ReadSummary(LengthDelimited(e, ref at), values);
                else Skip(e, ref at, wire);
            }
            foreach (var (tag, value) in values) scalars.Add((tag, step, value));
        }

        private static void ReadSummary(ReadOnlySpan<byte> s, List<(string, float)> values)
        {
            int at = 0;
            while (at < s.Length)
            {
                ulong key = Varint(s, ref at);
                if ((key >> 3) == 1 && (key & 7) == 2)
                {
                    var v = LengthDelimited(s, ref at);
                    string tag = "";
                    float? value = null;
                    int vat = 0;
                    while (vat < v.Length)
                    {
                        ulong vkey = Varint(v, ref vat);
                        int field = (int)(vkey >> 3), wire = (int)(vkey & 7);
                        if (field == 1 && wire == 2) tag = Encoding.UTF8.GetString(LengthDelimited(v, ref vat));
                        else if (field == 2 && wire == 5) { value = BitConverter.ToSingle(v.Slice(vat, 4)); vat += 4; }
                        else Skip(v, ref vat, wire);
                    }
                    if (value.HasValue) values.Add((tag, value.Value));
                }
                else Skip(s, ref at, (int)(key & 7));
            }
        }

        private static ulong Varint(ReadOnlySpan<byte> b, ref int at)
        {
            ulong result = 0;
            for (int shift = 0; ; shift += 7)
            {
                byte x = b[at++];
                result |= (ulong)(x & 0x7F) << shift;
                if ((x & 0x80) == 0) return result;
            }
        }

        private static ReadOnlySpan<byte> LengthDelimited(ReadOnlySpan<byte> b, ref int at)
        {
            int length = (int)Varint(b, ref at);
            var slice = b.Slice(at, length);
            at += length;
            return slice;
        }

        private static void Skip(ReadOnlySpan<byte> b, ref int at, int wire)
        {
            switch (wire)
            {
                case 0: Varint(b, ref at); break;
                case 1: at += 8; break;
                case 2: LengthDelimited(b, ref at); break;
                case 5: at += 4; break;
                default: throw new InvalidDataException($"protobuf wire type {wire} at byte {at}");
            }
        }
    }
}
