using System;
using System.Diagnostics;
using PoseRT.Runtime.Inference;

namespace PoseRT.Runtime.Tracking
{
    /// <summary>
    /// Tracked, smoothed poses with stable ids from a stream of frames: the frame loop of a game or kiosk is one call per
    /// frame. Each person's box comes from their previous keypoints; the <see cref="IPersonDetector"/> runs on the first
    /// frame, every <see cref="PoseTrackerOptions.DetectEvery"/> frames and when a track is lost; all tracked people go to
    /// the estimator in one batched call; keypoints are One-Euro smoothed per track. Without a detector the tracker looks
    /// for one person in <see cref="PoseTrackerOptions.StartRegion"/> and follows them from there.
    /// After the first frames a call allocates no managed memory.
    /// </summary>
    /// <remarks>
    /// Runs on the caller's thread, one call at a time (the estimator's rule). To keep estimation off a game's main
    /// thread, use <see cref="LivePoseTracker"/>. The tracker does not own the estimator or the detector.
    /// </remarks>
    public sealed class PoseTracker
    {
        private readonly IBoxPoseEstimator _estimator;
        private readonly IPersonDetector? _detector;
        private readonly PoseTrackerOptions _options;
        private readonly TrackSet _tracks;
        private readonly PoseSmoother? _smoother;
        private readonly BoundingBox[] _detections = new BoundingBox[TrackSet.MaxDetections];
        private readonly float[] _detectionScores = new float[TrackSet.MaxDetections];
        private readonly BoundingBox[] _boxes;
        private readonly float[] _boxScores;
        private readonly Pose[] _poses;
        private readonly TrackedPose[] _output;
        private long _frames;

        /// <summary>Creates a tracker over <paramref name="estimator"/>; <paramref name="detector"/> may be null (start-region mode).</summary>
        /// <exception cref="ArgumentNullException"><paramref name="estimator"/> is null.</exception>
        /// <exception cref="ArgumentOutOfRangeException">A setting in <paramref name="options"/> is out of range (the message names it).</exception>
        public PoseTracker(PoseEstimator estimator, IPersonDetector? detector = null, PoseTrackerOptions? options = null)
            : this((IBoxPoseEstimator)estimator, detector, options)
        {
        }

        /// <summary>The tracker over any box estimator (the demo's tests pass scripted ones).</summary>
        internal PoseTracker(IBoxPoseEstimator estimator, IPersonDetector? detector, PoseTrackerOptions? options)
        {
            _estimator = estimator ?? throw new ArgumentNullException(nameof(estimator));
            _detector = detector;
            _options = (options ?? new PoseTrackerOptions()).Clone();
            _options.Validate();
            if (detector == null) _options.SinglePerson = true;
            _tracks = new TrackSet(_options);
            int capacity = _tracks.Capacity;
            _smoother = _options.Smoothing is OneEuroSettings s ? new PoseSmoother(s, _options.MinKeypointScore, capacity) : null;
            _boxes = new BoundingBox[capacity];
            _boxScores = new float[capacity];
            _poses = new Pose[capacity];
            _output = new TrackedPose[capacity];
        }

        /// <summary>Most people reported per frame: <see cref="PoseTrackerOptions.MaxPeople"/>, or 1 in single-person mode.</summary>
        public int Capacity => _tracks.Capacity;

        /// <summary>Frames tracked so far.</summary>
        public long FrameCount => _frames;

        /// <summary>Per-stage wall time of the last <see cref="Track"/> call.</summary>
        public TrackerTimings LastTimings { get; private set; }

        /// <summary>
        /// Tracks one frame: writes the poses of the people seen in it, with their track ids, into <paramref name="results"/>
        /// (at most its length) and returns how many were written. Keypoints are in image pixels, y down from the picture's
        /// top (for a bottom-up <see cref="ImageView"/> too).
        /// </summary>
        /// <param name="image">The frame.</param>
        /// <param name="timestampSeconds">Capture time of the frame in seconds (any origin, increasing): the smoothing's clock.</param>
        /// <param name="results">Receives the tracked poses; <see cref="Capacity"/> long is always enough.</param>
        /// <exception cref="ArgumentException">The image is empty or the timestamp is not a number.</exception>
        public int Track(in ImageView image, double timestampSeconds, Span<TrackedPose> results)
        {
            image.ThrowIfEmpty(nameof(image));
            CheckTimestamp(timestampSeconds);
            int width = image.Width, height = image.Height;
            long t0 = Stopwatch.GetTimestamp();
            bool detected = false;
            if (_tracks.NeedsDetection)
            {
                int found = 0;
                if (_detector != null)
                {
                    found = Math.Min(_detector.Detect(image, _detections, _detectionScores), _detections.Length);
                    if (found < 0) throw new InvalidOperationException($"The person detector {_detector.GetType().Name} returned {found} boxes.");
                    detected = true;
                }
                else if (_tracks.Count == 0)
                {
                    // No detector: the start region stands in for a detection until someone is tracked there.
                    var r = _options.StartRegion;
                    _detections[0] = new BoundingBox(r.X * width, r.Y * height, r.Width * width, r.Height * height);
                    _detectionScores[0] = 1f;
                    found = 1;
                }
                _tracks.AddDetections(new ReadOnlySpan<BoundingBox>(_detections, 0, found), new ReadOnlySpan<float>(_detectionScores, 0, found), width, height);
            }
            long t1 = Stopwatch.GetTimestamp();
            int n = _tracks.GetBoxes(_boxes, _boxScores);
            if (n > 0)
                _estimator.Estimate(image, new ReadOnlySpan<BoundingBox>(_boxes, 0, n), new ReadOnlySpan<float>(_boxScores, 0, n), new Span<Pose>(_poses, 0, n));
            long t2 = Stopwatch.GetTimestamp();
            int people = _tracks.Update(new ReadOnlySpan<Pose>(_poses, 0, n), _output, width, height);
            _smoother?.Smooth(new Span<TrackedPose>(_output, 0, people), timestampSeconds);
            int written = Math.Min(people, results.Length);
            new ReadOnlySpan<TrackedPose>(_output, 0, written).CopyTo(results);
            long t3 = Stopwatch.GetTimestamp();
            _frames++;
            LastTimings = new TrackerTimings(detected, StopwatchTicks.ToTimeSpan(t1 - t0), StopwatchTicks.ToTimeSpan(t2 - t1), StopwatchTicks.ToTimeSpan(t3 - t2));
            return written;
        }

        /// <summary>The smoothing clock must be a number: a NaN would poison every filter it reaches.</summary>
        internal static void CheckTimestamp(double timestampSeconds)
        {
            if (double.IsNaN(timestampSeconds) || double.IsInfinity(timestampSeconds))
                throw new ArgumentException($"The timestamp ({timestampSeconds}) must be a finite number of seconds.", nameof(timestampSeconds));
        }
    }
}
