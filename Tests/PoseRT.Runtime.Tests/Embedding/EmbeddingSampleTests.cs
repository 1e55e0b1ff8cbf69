using System;
using System.IO;
using System.Reflection;
using System.Threading;
using PoseRT.Runtime;
using PoseRT.Protocol;
using PoseRT.Runtime.Tracking;
using UnityEngine;

namespace PoseRT.Tests.Embedding
{
    /// <summary>
    /// The samples the README and docs/protocol.md show are the files in samples/embedding, compiled by
    /// Tests/Hosts/PoseRT.UnitySamples as Unity would compile them; here they are checked against the docs and run
    /// through Unity's call sequence on UnityEngine stand-ins.
    /// </summary>
    public class EmbeddingSampleTests
    {
        private static string Sample(string name) => File.ReadAllText(Path.Combine(RepoPaths.Root, "samples", "embedding", name)).Replace("\r\n", "\n");

        [Theory]
        [InlineData("PoseFromWebcam.cs", "README.md")]
        [InlineData("PoseRTReceiver.cs", "docs/protocol.md")]
        public void The_docs_show_the_compiled_sample_verbatim(string sample, string doc)
        {
            string text = File.ReadAllText(Path.Combine(RepoPaths.Root, doc)).Replace("\r\n", "\n");
            Assert.True(text.Contains("```csharp\n" + Sample(sample) + "```\n", StringComparison.Ordinal),
                $"{doc} no longer shows samples/embedding/{sample} as it is: copy the file into the code block (or the block into the file).");
        }

        [Fact]
        public void The_webcam_script_tracks_through_Unitys_call_sequence_and_matches_the_library()
        {
            // The photo cropped so that its first person stands in the middle half of the view, where the script's
            // tracker (no detector) looks for someone: what a kiosk camera sees.
            var photo = TestFrame.Load();
            var person = TestFrame.Boxes[0];
            int x0 = (int)(person.X - person.Width / 2), cropWidth = (int)(person.Width * 2);
            int y0 = (int)(person.Y - person.Height * 0.1f), cropHeight = (int)(person.Height * 1.2f);
            x0 = Math.Max(0, x0);
            y0 = Math.Max(0, y0);
            cropWidth = Math.Min(cropWidth, photo.Width - x0);
            cropHeight = Math.Min(cropHeight, photo.Height - y0);
            var rgba = new byte[cropWidth * cropHeight * 4];
            for (int y = 0; y < cropHeight; y++)
            {
                // Bottom-up rows: row r of the buffer is picture row (height - 1 - r).
                int src = ((photo.Height - 1 - (y0 + y)) * photo.Width + x0) * 4;
                int dst = (cropHeight - 1 - y) * cropWidth * 4;
                Array.Copy(photo.Rgba, src, rgba, dst, cropWidth * 4);
            }
            var frame = (Rgba: rgba, Width: cropWidth, Height: cropHeight);
            var pixels = new Color32[frame.Width * frame.Height];
            for (int i = 0; i < pixels.Length; i++)
                pixels[i] = new Color32(frame.Rgba[4 * i], frame.Rgba[4 * i + 1], frame.Rgba[4 * i + 2], frame.Rgba[4 * i + 3]);
            WebCamTexture.NextPixels = pixels;
            WebCamTexture.NextWidth = frame.Width;
            WebCamTexture.NextHeight = frame.Height;
            Application.streamingAssetsPath = Path.Combine(RepoPaths.Root, "Models");

            var script = new PoseFromWebcam { modelFile = TestFrame.Model };
            Call(script, "Start");
            Assert.Contains(UnityEngine.Debug.Messages, m => m.StartsWith("PoseRT provider: ", StringComparison.Ordinal));
            var live = (LivePoseTracker)Field(script, "_tracker");

            // What the library gives for the same frames and timestamps, on this thread.
            using var estimator = PoseEstimator.Load(TestFrame.ModelPath);
            var direct = new PoseTracker(estimator);
            var expected = new TrackedPose[direct.Capacity];
            var actual = new TrackedPose[live.Capacity];
            var view = new ImageView(frame.Rgba, frame.Width, frame.Height, frame.Width * 4, PixelFormat.Rgba32, bottomUp: true);
            int seen = 0;
            for (int f = 0; f < 8; f++)
            {
                Time.realtimeSinceStartup = f / 25f;
                Call(script, "Update");
                long submitted = live.SubmittedFrames - 1;
                Assert.Equal(f, submitted);
                var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
                int n;
                long got;
                while ((n = live.TryGetLatest(actual, out got, out _)) < 0 || got < submitted)
                {
                    Assert.True(DateTime.UtcNow < deadline, $"no result for frame {f} within 30 s");
                    Thread.Yield();
                }
                int m = direct.Track(view, f / 25f, expected);
                Assert.Equal(m, n);
                for (int i = 0; i < n; i++)
                {
                    Assert.Equal(expected[i].TrackId, actual[i].TrackId);
                    for (int k = 0; k < expected[i].Pose.KeypointCount; k++)
                    {
                        Assert.Equal(expected[i].Pose[k].X, actual[i].Pose[k].X, 3);
                        Assert.Equal(expected[i].Pose[k].Y, actual[i].Pose[k].Y, 3);
                    }
                }
                seen += n;
            }
            Assert.True(seen > 0, "the script tracked nobody in 8 frames of a photo with people in its start region");

            Call(script, "OnDestroy");
            var bytes = frame.Rgba;
            int width = frame.Width, height = frame.Height;
            Assert.Throws<ObjectDisposedException>(() => live.Submit(new ImageView(bytes, width, height, width * 4, PixelFormat.Rgba32, bottomUp: true), 1.0));
        }

        private static void Call(object target, string method) =>
            target.GetType().GetMethod(method, BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public)!.Invoke(target, null);

        private static object Field(object target, string name) =>
            target.GetType().GetField(name, BindingFlags.Instance | BindingFlags.NonPublic)!.GetValue(target)!;
    }
}
