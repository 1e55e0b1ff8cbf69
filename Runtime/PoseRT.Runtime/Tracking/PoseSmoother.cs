using System;
using PoseRT.Runtime;

namespace PoseRT.Runtime.Tracking
{
    /// <summary>
    /// One-Euro filters per track and keypoint (x and y). State lives in fixed slots so a steady
    /// frame allocates nothing; a track that disappears frees its slot, a new track starts fresh.
    /// Keypoints below the visibility threshold reset their filter so they do not drag on reappearing.
    /// </summary>
    internal sealed class PoseSmoother
    {
        private readonly OneEuroSettings _settings;
        private readonly float _minScore;
        private readonly int[] _slotTrack;
        private readonly long[] _slotFrame;
        private readonly OneEuroFilter[] _filters;
        private long _frame;

        public PoseSmoother(OneEuroSettings settings, float minKeypointScore, int capacity)
        {
            if (capacity < 1) throw new ArgumentOutOfRangeException(nameof(capacity));
            _settings = settings;
            _minScore = minKeypointScore;
            _slotTrack = new int[capacity];
            _slotFrame = new long[capacity];
            _filters = new OneEuroFilter[capacity * Pose.MaxKeypoints * 2];
            for (int i = 0; i < capacity; i++) _slotTrack[i] = -1;
        }

        /// <summary>Smooths the poses of one frame in place; <paramref name="timeSeconds"/> is the frame's capture time.</summary>
        public void Smooth(Span<TrackedPose> poses, double timeSeconds)
        {
            _frame++;
            for (int i = 0; i < poses.Length; i++)
            {
                int slot = SlotFor(poses[i].TrackId);
                if (slot < 0) continue; // more people than slots: leave unsmoothed rather than fail
                _slotFrame[slot] = _frame;
                ref Pose pose = ref poses[i].Pose;
                int baseIndex = slot * Pose.MaxKeypoints * 2;
                for (int k = 0; k < pose.KeypointCount; k++)
                {
                    Keypoint kp = pose[k];
                    ref OneEuroFilter fx = ref _filters[baseIndex + 2 * k];
                    ref OneEuroFilter fy = ref _filters[baseIndex + 2 * k + 1];
                    if (kp.Score < _minScore)
                    {
                        fx.Reset();
                        fy.Reset();
                        continue;
                    }
                    kp.X = (float)fx.Filter(kp.X, timeSeconds, _settings);
                    kp.Y = (float)fy.Filter(kp.Y, timeSeconds, _settings);
                    pose[k] = kp;
                }
            }
            // Slots whose track was not in this frame are freed.
            for (int s = 0; s < _slotTrack.Length; s++)
            {
                if (_slotTrack[s] >= 0 && _slotFrame[s] != _frame) _slotTrack[s] = -1;
            }
        }

        private int SlotFor(int trackId)
        {
            int free = -1;
            for (int s = 0; s < _slotTrack.Length; s++)
            {
                if (_slotTrack[s] == trackId) return s;
                if (free < 0 && _slotTrack[s] < 0) free = s;
            }
            if (free < 0) return -1;
            _slotTrack[free] = trackId;
            int baseIndex = free * Pose.MaxKeypoints * 2;
            for (int i = 0; i < Pose.MaxKeypoints * 2; i++) _filters[baseIndex + i].Reset();
            return free;
        }
    }
}
