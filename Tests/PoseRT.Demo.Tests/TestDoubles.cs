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
    /// <summary>The template estimator (<see cref="TemplatePoseEstimator"/>) as the demo's pose stage.</summary>
    internal sealed class TemplateStage : TemplatePoseEstimator, IPoseStage
    {
        public string Description => "template stage (test double)";

        public KeypointSchema Keypoints => CocoKeypoints.Schema;

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
