using System;

namespace PoseRT.Runtime.Tracking
{
    /// <summary>
    /// Finds people in a frame for <see cref="PoseTracker"/>, which calls it on the first frame, every
    /// <see cref="PoseTrackerOptions.DetectEvery"/> frames and when a track is lost. PoseRT.Vision's
    /// <c>HogPersonDetector</c> implements it; any detector (a game's own, a neural one) can.
    /// </summary>
    public interface IPersonDetector
    {
        /// <summary>
        /// Writes up to <c>boxes.Length</c> person boxes (image pixels, y down from the picture's top, whatever the rows'
        /// order in memory) and their scores; returns how many were written. Called on the tracking thread; must not keep
        /// <paramref name="image"/> after returning.
        /// </summary>
        int Detect(in ImageView image, Span<BoundingBox> boxes, Span<float> scores);
    }
}
