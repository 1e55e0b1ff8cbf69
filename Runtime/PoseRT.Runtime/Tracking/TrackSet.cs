using System;

namespace PoseRT.Runtime.Tracking
{
    /// <summary>
    /// Top-down tracking as in MediaPipe and MoveNet: the detector seeds tracks on the first frame,
    /// every <see cref="PoseTrackerOptions.DetectEvery"/> frames and whenever a track is lost; in between
    /// each person's box comes from their previous keypoints. Detections are matched to tracks by box
    /// overlap and keypoint containment, so ids stay stable. No allocations after construction.
    /// The engine behind <see cref="PoseTracker"/>, also driven step by step by the demo, which runs its own detector.
    /// </summary>
    internal sealed class TrackSet
    {
        private struct Track
        {
            public int Id;
            public BoundingBox Box;
            public float BoxScore;
            public int Misses;
            public bool HasPose;
            public bool PoseLost;
            public bool Detected;
            public Pose LastPose;
        }

        private readonly PoseTrackerOptions _options;
        private readonly Track[] _tracks;
        private readonly float[] _matchScores;
        private readonly bool[] _detectionUsed;
        private readonly bool[] _trackMatched;
        private int _count;
        private int _nextId = 1;
        private int _framesSinceDetection;
        private bool _lostSinceDetection;

        public TrackSet(PoseTrackerOptions options)
        {
            _options = options ?? throw new ArgumentNullException(nameof(options));
            options.Validate();
            int capacity = options.SinglePerson ? 1 : options.MaxPeople;
            _tracks = new Track[capacity];
            _trackMatched = new bool[capacity];
            _matchScores = new float[capacity * MaxDetections];
            _detectionUsed = new bool[MaxDetections];
        }

        /// <summary>Most detections considered per frame.</summary>
        public const int MaxDetections = 32;

        /// <summary>Tracks currently held (including ones lost for up to <see cref="PoseTrackerOptions.MaxMisses"/> frames).</summary>
        public int Count => _count;

        /// <summary>Capacity: at most this many boxes are produced per frame.</summary>
        public int Capacity => _tracks.Length;

        /// <summary>True when the detector should run on this frame.</summary>
        public bool NeedsDetection => _count == 0 || _lostSinceDetection || _framesSinceDetection >= _options.DetectEvery;

        /// <summary>Links this frame's detections to the tracks and starts tracks for new people.</summary>
        public void AddDetections(ReadOnlySpan<BoundingBox> boxes, ReadOnlySpan<float> scores, int imageWidth, int imageHeight)
        {
            int n = Math.Min(boxes.Length, MaxDetections);
            _framesSinceDetection = 0;
            _lostSinceDetection = false;
            for (int d = 0; d < n; d++) _detectionUsed[d] = false;
            for (int t = 0; t < _count; t++) _trackMatched[t] = false;
            for (int t = 0; t < _count; t++)
            {
                for (int d = 0; d < n; d++) _matchScores[t * MaxDetections + d] = MatchScore(_tracks[t], boxes[d]);
            }
            // Greedy: best remaining (track, detection) pair first.
            while (true)
            {
                int bestT = -1, bestD = -1;
                float best = _options.MatchThreshold;
                for (int t = 0; t < _count; t++)
                {
                    if (_trackMatched[t]) continue;
                    for (int d = 0; d < n; d++)
                    {
                        if (_detectionUsed[d]) continue;
                        float s = _matchScores[t * MaxDetections + d];
                        if (s >= best)
                        {
                            best = s;
                            bestT = t;
                            bestD = d;
                        }
                    }
                }
                if (bestT < 0) break;
                _trackMatched[bestT] = true;
                _detectionUsed[bestD] = true;
                ref Track track = ref _tracks[bestT];
                track.BoxScore = scores[bestD];
                track.Detected = true;
                // A track that follows its keypoints keeps that tighter box while it agrees with the detector;
                // a lost track, or one whose box has drifted from the detection, is re-anchored on the detection.
                if (track.PoseLost || !track.HasPose || IoU(track.Box, boxes[bestD]) < 0.5f) track.Box = boxes[bestD];
            }
            if (_options.SinglePerson)
            {
                if (_count == 0)
                {
                    int pick = MostCentralLargest(boxes.Slice(0, n), imageWidth, imageHeight);
                    if (pick >= 0) Start(boxes[pick], scores[pick]);
                }
                return;
            }
            for (int d = 0; d < n && _count < _tracks.Length; d++)
            {
                if (_detectionUsed[d] || OverlapsTrack(boxes[d], 0.5f)) continue;
                Start(boxes[d], scores[d]);
            }
        }

        /// <summary>The box to estimate for each track, in track order; returns the count.</summary>
        public int GetBoxes(Span<BoundingBox> boxes, Span<float> scores)
        {
            for (int t = 0; t < _count; t++)
            {
                boxes[t] = _tracks[t].Box;
                scores[t] = _tracks[t].BoxScore;
            }
            return _count;
        }

        /// <summary>
        /// Takes the poses estimated in the boxes of <see cref="GetBoxes"/> (same order), updates each
        /// track's next box from its keypoints, drops lost and duplicate tracks, and writes the poses
        /// of the tracks seen in this frame with their ids. Returns how many were written.
        /// </summary>
        public int Update(ReadOnlySpan<Pose> poses, Span<TrackedPose> output, int imageWidth, int imageHeight)
        {
            if (poses.Length != _count)
                throw new ArgumentException($"Expected {_count} poses (one per box), got {poses.Length}.", nameof(poses));
            _framesSinceDetection++;
            for (int t = 0; t < _count; t++)
            {
                ref Track track = ref _tracks[t];
                BoundingBox next;
                if (IsGood(poses[t]) && KeypointBox(poses[t], imageWidth, imageHeight, out next) && Plausible(track.Box, next))
                {
                    track.Misses = 0;
                    track.HasPose = true;
                    track.PoseLost = false;
                    track.LastPose = poses[t];
                    track.Box = next;
                }
                else
                {
                    // A person the detector found this frame is still there: the pose failed, the track did not.
                    track.PoseLost = true;
                    if (!track.Detected) track.Misses++;
                    _lostSinceDetection = true;
                }
                track.Detected = false;
            }
            // Drop tracks lost too long, and the younger of two tracks that converged on one person.
            for (int t = _count - 1; t >= 0; t--)
            {
                if (_tracks[t].Misses > _options.MaxMisses) RemoveAt(t);
            }
            for (int a = 0; a < _count; a++)
            {
                for (int b = _count - 1; b > a; b--)
                {
                    if (IoU(_tracks[a].Box, _tracks[b].Box) > _options.DuplicateIoU)
                        RemoveAt(_tracks[a].Id < _tracks[b].Id ? b : a);
                }
            }
            int written = 0;
            for (int t = 0; t < _count && written < output.Length; t++)
            {
                if (_tracks[t].PoseLost) continue;
                output[written++] = new TrackedPose(_tracks[t].Id, _tracks[t].LastPose);
            }
            return written;
        }

        /// <summary>
        /// A person does not jump away from their box or double in size between two frames: such a box
        /// comes from scattered keypoints (a wrong pose), and following it would grow the box without
        /// end. The track counts as lost instead, which brings the detector back.
        /// </summary>
        internal static bool Plausible(in BoundingBox previous, in BoundingBox next) =>
            IoU(previous, next) >= 0.2f && next.Area <= 2.25f * previous.Area;

        private bool IsGood(in Pose pose)
        {
            if (pose.Score < _options.MinPoseScore) return false;
            int visible = 0;
            for (int k = 0; k < pose.KeypointCount; k++)
            {
                if (pose[k].Score >= _options.MinKeypointScore) visible++;
            }
            return visible >= _options.MinVisibleKeypoints;
        }

        /// <summary>Box around the visible keypoints, grown so the head top and feet (not keypoints) stay inside.</summary>
        internal bool KeypointBox(in Pose pose, int imageWidth, int imageHeight, out BoundingBox box)
        {
            float x0 = float.MaxValue, y0 = float.MaxValue, x1 = float.MinValue, y1 = float.MinValue;
            for (int k = 0; k < pose.KeypointCount; k++)
            {
                Keypoint kp = pose[k];
                if (kp.Score < _options.MinKeypointScore) continue;
                x0 = Math.Min(x0, kp.X);
                y0 = Math.Min(y0, kp.Y);
                x1 = Math.Max(x1, kp.X);
                y1 = Math.Max(y1, kp.Y);
            }
            box = default;
            if (x1 < x0) return false;
            float w = Math.Max(x1 - x0, 16), h = Math.Max(y1 - y0, 16);
            float cx = (x0 + x1) / 2, cy = (y0 + y1) / 2;
            w *= 1.3f;
            h *= 1.3f;
            float left = Math.Max(0, cx - w / 2), top = Math.Max(0, cy - h / 2);
            float right = Math.Min(imageWidth, cx + w / 2), bottom = Math.Min(imageHeight, cy + h / 2);
            if (right - left < 4 || bottom - top < 4) return false;
            box = new BoundingBox(left, top, right - left, bottom - top);
            return true;
        }

        private float MatchScore(in Track track, in BoundingBox detection)
        {
            float iou = IoU(track.Box, detection);
            if (!track.HasPose) return iou;
            int visible = 0, inside = 0;
            for (int k = 0; k < track.LastPose.KeypointCount; k++)
            {
                Keypoint kp = track.LastPose[k];
                if (kp.Score < _options.MinKeypointScore) continue;
                visible++;
                if (kp.X >= detection.X && kp.X <= detection.X + detection.Width && kp.Y >= detection.Y && kp.Y <= detection.Y + detection.Height) inside++;
            }
            return visible == 0 ? iou : (iou + (float)inside / visible) / 2;
        }

        private bool OverlapsTrack(in BoundingBox box, float iou)
        {
            for (int t = 0; t < _count; t++)
            {
                if (IoU(_tracks[t].Box, box) > iou) return true;
            }
            return false;
        }

        private static int MostCentralLargest(ReadOnlySpan<BoundingBox> boxes, int width, int height)
        {
            int best = -1;
            double bestScore = double.MinValue;
            double halfDiagonal = Math.Sqrt((double)width * width + (double)height * height) / 2;
            for (int i = 0; i < boxes.Length; i++)
            {
                double dx = boxes[i].CenterX - width / 2.0, dy = boxes[i].CenterY - height / 2.0;
                double centrality = 1 - Math.Sqrt(dx * dx + dy * dy) / halfDiagonal;
                double score = boxes[i].Area * centrality;
                if (score > bestScore)
                {
                    bestScore = score;
                    best = i;
                }
            }
            return best;
        }

        private void Start(in BoundingBox box, float score)
        {
            _tracks[_count++] = new Track { Id = _nextId++, Box = box, BoxScore = score, Detected = true };
        }

        private void RemoveAt(int index)
        {
            for (int i = index; i < _count - 1; i++) _tracks[i] = _tracks[i + 1];
            _count--;
        }

        /// <summary>Intersection over union of two boxes.</summary>
        public static float IoU(in BoundingBox a, in BoundingBox b)
        {
            float ix = Math.Min(a.X + a.Width, b.X + b.Width) - Math.Max(a.X, b.X);
            float iy = Math.Min(a.Y + a.Height, b.Y + b.Height) - Math.Max(a.Y, b.Y);
            if (ix <= 0 || iy <= 0) return 0;
            float inter = ix * iy;
            float union = a.Area + b.Area - inter;
            return union > 0 ? inter / union : 0;
        }
    }
}
