using System;
using System.Collections.Generic;
using OpenCvSharp;
using PoseRT.Demo.Pipeline;
using PoseRT.Runtime;
using PoseRT.Runtime.Tracking;
using PoseRT.Protocol;
using PoseRT.Vision;

namespace PoseRT.Tests
{
    /// <summary>
    /// Stands in for the ONNX estimator where a test is about the plumbing around it (tracking,
    /// streaming, serving, faults), not about keypoint accuracy: puts the 17 keypoints at fixed
    /// places inside each box, with known scores. Its keypoints span 1/1.3 of the box, so the
    /// tracker's next box (keypoint extent grown by 1.3) equals the current one.
    /// </summary>
    internal sealed class TemplateStage : IPoseStage
    {
        // (x, y) fractions of the box for nose .. right ankle, spanning 0.115 .. 0.885.
        private static readonly float[] Template =
        {
            0.50f, 0.115f, 0.45f, 0.13f, 0.55f, 0.13f, 0.40f, 0.15f, 0.60f, 0.15f,
            0.30f, 0.30f, 0.70f, 0.30f, 0.20f, 0.45f, 0.80f, 0.45f, 0.115f, 0.60f, 0.885f, 0.60f,
            0.38f, 0.58f, 0.62f, 0.58f, 0.37f, 0.73f, 0.63f, 0.73f, 0.36f, 0.885f, 0.64f, 0.885f,
        };

        public int Calls { get; private set; }

        public string Description => "template stage (test double)";

        public KeypointSchema Keypoints => CocoKeypoints.Schema;

        public static float KeypointScore(int k) => 0.5f + 0.025f * k;

        public void Estimate(in ImageView image, ReadOnlySpan<BoundingBox> boxes, ReadOnlySpan<float> boxScores, Span<Pose> results)
        {
            Calls++;
            for (int i = 0; i < boxes.Length; i++)
            {
                BoundingBox b = boxes[i];
                var pose = new Pose { Box = b, BoxScore = boxScores[i], KeypointCount = CocoKeypoints.Count };
                float sum = 0;
                for (int k = 0; k < CocoKeypoints.Count; k++)
                {
                    pose[k] = new Keypoint(b.X + Template[2 * k] * b.Width, b.Y + Template[2 * k + 1] * b.Height, KeypointScore(k));
                    sum += KeypointScore(k);
                }
                pose.Score = boxScores[i] * sum / CocoKeypoints.Count;
                results[i] = pose;
            }
        }

        public void Dispose()
        {
        }
    }

    /// <summary>A detector that returns fixed boxes (moving by a per-frame offset) and counts calls.</summary>
    internal sealed class ScriptedDetector : IPersonDetector, IDisposable
    {
        private readonly BoundingBox[] _boxes;
        private readonly float _dxPerCall;

        public ScriptedDetector(float dxPerCall, params BoundingBox[] boxes)
        {
            _boxes = boxes;
            _dxPerCall = dxPerCall;
        }

        public int Calls { get; private set; }

        public int Detect(in ImageView image, Span<BoundingBox> boxes, Span<float> scores)
        {
            int n = Math.Min(_boxes.Length, boxes.Length);
            for (int i = 0; i < n; i++)
            {
                boxes[i] = _boxes[i];
                boxes[i].X += _dxPerCall * Calls;
                scores[i] = 0.9f;
            }
            Calls++;
            return n;
        }

        public void Dispose()
        {
        }
    }

    /// <summary>Frames from memory; optionally fails (returns Failed or throws) at given reads, like a camera that drops out.</summary>
    internal sealed class ScriptedSource : IFrameSource
    {
        private readonly IReadOnlyList<Mat> _frames;
        private readonly int _failAt;
        private readonly bool _throw;
        private int _next;

        public ScriptedSource(IReadOnlyList<Mat> frames, bool live, int failAt = -1, bool throwOnFail = false, int start = 0)
        {
            _frames = frames;
            IsLive = live;
            _failAt = failAt;
            _throw = throwOnFail;
            _next = start;
        }

        public string Description => "scripted camera";

        public bool IsLive { get; }

        public double Fps => 25;

        public int Reads { get; private set; }

        public bool Disposed { get; private set; }

        public FrameReadStatus Read(Mat frame)
        {
            Reads++;
            // Once broken, this instance stays broken, like an unplugged camera; a reopen gives a new instance.
            if (_failAt >= 0 && _next >= _failAt)
            {
                if (_throw) throw new CaptureException("scripted camera: USB device disconnected");
                return FrameReadStatus.Failed;
            }
            if (_next >= _frames.Count) return IsLive ? FrameReadStatus.Failed : FrameReadStatus.EndOfStream;
            _frames[_next++].CopyTo(frame);
            return FrameReadStatus.Frame;
        }

        public void Dispose() => Disposed = true;
    }

    internal static class Clip
    {
        /// <summary>The bundled clip's frames.</summary>
        public static List<Mat> LoadFrames(int max = int.MaxValue)
        {
            OpenCvNative.EnsureAvailable();
            var frames = new List<Mat>();
            using var capture = new VideoCapture(RepoPaths.SampleVideo);
            Assert.True(capture.IsOpened(), "cannot open " + RepoPaths.SampleVideo);
            while (frames.Count < max)
            {
                var m = new Mat();
                if (!capture.Read(m) || m.Empty())
                {
                    m.Dispose();
                    break;
                }
                frames.Add(m);
            }
            return frames;
        }

        /// <summary>Copies a frame's poses (the pipeline reuses its buffers).</summary>
        public static TrackedPose[] Copy(FrameResult r) => r.Poses.ToArray();
    }
}
