using System;
using System.Collections.Generic;
using System.IO;
using System.Net;
using System.Threading;
using OpenCvSharp;
using PoseRT.Demo;
using PoseRT.Protocol;
using PoseRT.Runtime.Model;
using PoseRT.Tests.Inference;

namespace PoseRT.Tests
{
    /// <summary>
    /// The demo end to end with the real PoseRT.Runtime PoseEstimator (ONNX Runtime, CPU). No trained
    /// model exists yet, so the model is the Runtime tests' real 1x1-convolution ONNX graph: its keypoints
    /// mean nothing, but every stage (crop, flip test, inference, decode, tracking, output) runs for real.
    /// </summary>
    public class EstimatorDemoTests
    {
        internal static string WriteTestModel(string dir)
        {
            string path = Path.Combine(dir, "conv1x1-test.onnx");
            // The plain graph: the options the Runtime tests vary keep their defaults.
            var graph = new TestModel(seed: 3);
            File.WriteAllBytes(path, graph.Build());
            return path;
        }

        [Fact]
        public void Headless_demo_with_the_real_estimator_writes_every_frame_and_prints_the_summary()
        {
            string dir = RepoPaths.NewTempDir("estimator");
            string model = WriteTestModel(dir);
            string video = Path.Combine(dir, "demo.mp4");
            var stdout = new StringWriter();
            var stderr = new StringWriter();
            long poses = 0, frames = 0;
            int code = DemoApp.Run(new DemoRunOptions { Input = RepoPaths.SampleVideo, Model = model, Device = "cpu", Output = video, Window = "off" },
                stdout, stderr, CancellationToken.None, configure: p => p.FrameObserver = r =>
                {
                    frames++;
                    poses += r.PoseCount;
                    Assert.Equal(960, r.Width);
                    for (int i = 0; i < r.PoseCount; i++) Assert.Equal(17, r.Poses[i].Pose.KeypointCount);
                });
            Assert.True(code == DemoApp.ExitOk, stderr.ToString());
            Assert.Equal(5, frames);
            Assert.Contains("conv1x1-test.onnx on CPU", stderr.ToString(), StringComparison.Ordinal);
            Assert.Matches(@$"^frames 5, poses {poses}, latency mean [\d.]+ ms, p95 [\d.]+ ms \(capture [\d.]+, detect [\d.]+, pose [\d.]+, .*\), [\d.]+ FPS -> .*demo\.mp4\r?\n$", stdout.ToString());
            using var written = new VideoCapture(video);
            Assert.Equal(5, written.FrameCount);
            Assert.Equal(960, written.FrameWidth);
        }

        [Fact]
        public void Stream_from_the_real_estimator_matches_the_demo_results()
        {
            string dir = RepoPaths.NewTempDir("estimator-stream");
            string model = WriteTestModel(dir);
            using var receiver = PoseFrameReceiver.ListenUdp(new IPEndPoint(IPAddress.Loopback, 0));
            var expected = new List<TrackedPose[]>();
            int code = DemoApp.Run(new DemoRunOptions
            {
                Input = RepoPaths.SampleVideo, Model = model, Device = "cpu", Output = "none", Window = "off",
                Udp = (IPEndPoint)receiver.LocalEndPoint!, KeypointThreshold = 0.05f,
            }, new StringWriter(), new StringWriter(), CancellationToken.None, configure: p => p.FrameObserver = r => expected.Add(r.Poses.ToArray()));
            Assert.Equal(DemoApp.ExitOk, code);
            Assert.Equal(5, expected.Count);
            int posesSeen = 0;
            for (int f = 0; f < 5; f++)
            {
                Assert.True(receiver.TryReceive(TimeSpan.FromSeconds(5), out PoseFrame? got));
                Assert.Equal(f, got!.FrameNumber);
                Assert.Equal(expected[f].Length, got.Poses.Length);
                for (int p = 0; p < got.Poses.Length; p++)
                {
                    posesSeen++;
                    Assert.Equal(expected[f][p].TrackId, got.Poses[p].TrackId);
                    Assert.Equal(expected[f][p].Pose.Score, got.Poses[p].Pose.Score);
                    for (int k = 0; k < 17; k++)
                    {
                        Assert.Equal(expected[f][p].Pose[k].X, got.Poses[p].Pose[k].X);
                        Assert.Equal(expected[f][p].Pose[k].Y, got.Poses[p].Pose[k].Y);
                        Assert.Equal(expected[f][p].Pose[k].Score, got.Poses[p].Pose[k].Score);
                    }
                }
            }
            Assert.True(posesSeen > 0, "the estimator's poses should reach the stream");
        }

        [Fact]
        public void Without_a_model_the_demo_runs_the_default_model_of_the_manifest()
        {
            var manifest = ModelManifest.Load(Path.Combine(RepoPaths.Root, "Models", ModelManifest.FileName));
            Assert.Equal(manifest.Default.FullPath, DemoPaths.DefaultModel());
            var stderr = new StringWriter();
            int code = DemoApp.Run(new DemoRunOptions { Input = RepoPaths.SampleVideo, Device = "cpu", Output = "none", Window = "off", MaxFrames = 2 },
                new StringWriter(), stderr, CancellationToken.None);
            Assert.True(code == DemoApp.ExitOk, stderr.ToString());
            Assert.Contains($"with {manifest.Default.File} on ", stderr.ToString(), StringComparison.Ordinal);
        }

        [Fact]
        public void A_file_that_is_not_a_model_is_a_clear_error()
        {
            string dir = RepoPaths.NewTempDir("estimator-bad");
            string model = Path.Combine(dir, "broken.onnx");
            File.WriteAllText(model, "not a model");
            var stderr = new StringWriter();
            int code = DemoApp.Run(new DemoRunOptions { Input = RepoPaths.SampleVideo, Model = model, Output = "none", Window = "off" },
                new StringWriter(), stderr, CancellationToken.None);
            Assert.Equal(DemoApp.ExitBadInput, code);
            Assert.Contains("broken.onnx", stderr.ToString(), StringComparison.Ordinal);
        }
    }
}
