using System;
using System.Globalization;
using System.Linq;
using PoseRT.Runtime;

namespace PoseRT.Tests.Embedding
{
    /// <summary>Reads what Tests/Hosts/PoseRT.MonoHost/Program.cs prints and compares it with this process's poses.</summary>
    internal sealed class HostOutput
    {
        private readonly string[] _lines;

        public HostOutput(string stdout)
        {
            _lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        }

        public string Runtime => Line("runtime ");

        /// <summary>The manifest's default model file, printed when the host was given a manifest.</summary>
        public string Model => Line("model ");

        public string Allocated => "allocated " + Line("allocated ");

        public long Probe => long.Parse(Line("probe "), CultureInfo.InvariantCulture);

        private string Line(string prefix)
        {
            var matches = _lines.Where(l => l.StartsWith(prefix, StringComparison.Ordinal)).ToArray();
            Assert.True(matches.Length == 1, $"expected one '{prefix}…' line in:\n{string.Join('\n', _lines)}");
            return matches[0][prefix.Length..];
        }

        /// <summary>
        /// The host's poses equal <paramref name="expected"/> bit for bit, and they are real poses (a positive
        /// score, most keypoints on the person's box), so two empty results cannot agree.
        /// </summary>
        public void AssertPosesEqual(Pose[] expected, BoundingBox[] boxes, string who)
        {
            var poseLines = _lines.Where(l => l.StartsWith("pose ", StringComparison.Ordinal)).ToArray();
            Assert.Equal(expected.Length, poseLines.Length);
            for (int i = 0; i < expected.Length; i++)
            {
                Assert.True(expected[i].Score > 0.05f, $"pose {i}: score {expected[i].Score}");
                int onBox = Enumerable.Range(0, 17).Count(k => Inside(expected[i][k], boxes[i]));
                Assert.True(onBox >= 12, $"pose {i}: only {onBox} of 17 keypoints on its box");

                string[] f = poseLines[i].Split(' ');
                Assert.Equal(i.ToString(CultureInfo.InvariantCulture), f[1]);
                Assert.Equal(2 + 1 + 3 * 17, f.Length);
                Assert.True(Bits(expected[i].Score) == f[2], $"pose {i} score: {who} gave {Float(f[2]):R}, this process {expected[i].Score:R}");
                for (int k = 0; k < 17; k++)
                {
                    Keypoint e = expected[i][k];
                    string got = string.Join(" ", f[3 + 3 * k], f[4 + 3 * k], f[5 + 3 * k]);
                    Assert.True(got == $"{Bits(e.X)} {Bits(e.Y)} {Bits(e.Score)}",
                        $"pose {i} keypoint {k}: {who} gave {Float(f[3 + 3 * k]):R}, {Float(f[4 + 3 * k]):R}, {Float(f[5 + 3 * k]):R}; this process {e.X:R}, {e.Y:R}, {e.Score:R}");
                }
            }
        }

        private static bool Inside(Keypoint p, BoundingBox b) =>
            p.X >= b.X - 0.25f * b.Width && p.X <= b.X + 1.25f * b.Width && p.Y >= b.Y - 0.25f * b.Height && p.Y <= b.Y + 1.25f * b.Height;

        private static string Bits(float v) => BitConverter.SingleToInt32Bits(v).ToString("x8", CultureInfo.InvariantCulture);

        private static float Float(string bits) => BitConverter.Int32BitsToSingle(int.Parse(bits, NumberStyles.HexNumber, CultureInfo.InvariantCulture));
    }
}
