using System;
using PoseRT.Runtime.Tracking;
using PoseRT.Runtime;
using PoseRT.Protocol;

namespace PoseRT.Tests
{
    public class PoseTrackerTests
    {
        private const int W = 960, H = 540;

        [Fact]
        public void IoU_numbers()
        {
            Assert.Equal(1f / 3f, TrackSet.IoU(new BoundingBox(0, 0, 10, 10), new BoundingBox(5, 0, 10, 10)), 5);
            Assert.Equal(0f, TrackSet.IoU(new BoundingBox(0, 0, 10, 10), new BoundingBox(20, 0, 10, 10)));
            Assert.Equal(1f, TrackSet.IoU(new BoundingBox(3, 4, 10, 10), new BoundingBox(3, 4, 10, 10)));
        }

        [Fact]
        public void Keypoint_box_is_the_visible_extent_grown_by_1_3_and_clipped()
        {
            var tracker = new TrackSet(new PoseTrackerOptions());
            var pose = new Pose { KeypointCount = 17, Score = 0.8f };
            for (int k = 0; k < 17; k++) pose[k] = new Keypoint(100 + k * 5, 200 + k * 10, 0.9f); // x 100..180, y 200..360
            pose[16] = new Keypoint(900, 900, 0.1f); // hidden: ignored
            Assert.True(tracker.KeypointBox(pose, W, H, out BoundingBox box));
            // visible x 100..175 (w 75 -> 97.5), y 200..350 (h 150 -> 195), centre (137.5, 275)
            Assert.Equal(88.75f, box.X, 3);
            Assert.Equal(177.5f, box.Y, 3);
            Assert.Equal(97.5f, box.Width, 3);
            Assert.Equal(195f, box.Height, 3);
        }

        [Fact]
        public void Ids_stay_stable_while_people_move_and_redetection_matches_them()
        {
            var options = new PoseTrackerOptions { DetectEvery = 5 };
            var tracker = new TrackSet(options);
            var stage = new TemplatePoseEstimator();
            var people = new[] { new BoundingBox(100, 100, 120, 300), new BoundingBox(600, 120, 110, 280) };
            var boxes = new BoundingBox[8];
            var scores = new float[8];
            var poses = new Pose[8];
            var output = new TrackedPose[8];
            int detections = 0;
            for (int frame = 0; frame < 30; frame++)
            {
                // People walk right 6 px a frame (the first) and left 4 px (the second); the "detector" sees them there.
                var truth = new[]
                {
                    new BoundingBox(people[0].X + 6 * frame, people[0].Y, people[0].Width, people[0].Height),
                    new BoundingBox(people[1].X - 4 * frame, people[1].Y, people[1].Width, people[1].Height),
                };
                if (tracker.NeedsDetection)
                {
                    detections++;
                    tracker.AddDetections(truth, new[] { 0.9f, 0.8f }, W, H);
                }
                int n = tracker.GetBoxes(boxes, scores);
                Assert.Equal(2, n);
                // The estimator finds each person where they are now when the box still overlaps them.
                for (int i = 0; i < n; i++)
                {
                    int who = Nearest(boxes[i], truth);
                    var view = new[] { truth[who] };
                    stage.Estimate(default, view, new[] { scores[i] }, poses.AsSpan(i, 1));
                }
                int m = tracker.Update(poses.AsSpan(0, n), output, W, H);
                Assert.Equal(2, m);
                Assert.Equal(1, output[0].TrackId);
                Assert.Equal(2, output[1].TrackId);
                Assert.Equal(truth[0].CenterX, output[0].Pose.Box.CenterX, 1);
                Assert.Equal(truth[1].CenterX, output[1].Pose.Box.CenterX, 1);
            }
            // Frame 0, then every 5 frames: 0, 5, 10, 15, 20, 25.
            Assert.Equal(6, detections);
        }

        [Fact]
        public void A_new_person_gets_a_new_id_and_a_lost_one_is_dropped_after_max_misses()
        {
            var tracker = new TrackSet(new PoseTrackerOptions { DetectEvery = 100, MaxMisses = 1 });
            var a = new BoundingBox(100, 100, 100, 300);
            var b = new BoundingBox(500, 100, 100, 300);
            tracker.AddDetections(new[] { a }, new[] { 0.9f }, W, H);
            Assert.Equal(new[] { 1 }, Step(tracker, _ => true));
            Assert.False(tracker.NeedsDetection);
            // Person 1 fades out: one lost frame keeps the track (and asks for detection), the second drops it.
            Assert.Empty(Step(tracker, _ => false));
            Assert.True(tracker.NeedsDetection);
            tracker.AddDetections(new[] { b }, new[] { 0.9f }, W, H);
            Assert.Equal(2, tracker.Count);
            int[] ids = Step(tracker, i => i == 1);
            Assert.Equal(new[] { 2 }, ids);
            Assert.Equal(1, tracker.Count);
        }

        [Fact]
        public void A_person_the_detector_still_finds_keeps_their_id_through_failed_poses()
        {
            var tracker = new TrackSet(new PoseTrackerOptions { DetectEvery = 100, MaxMisses = 1 });
            var a = new BoundingBox(100, 100, 100, 300);
            tracker.AddDetections(new[] { a }, new[] { 0.9f }, W, H);
            Assert.Equal(new[] { 1 }, Step(tracker, _ => true));
            // Five frames where the pose model fails but the detector (asked for every frame) still sees the person:
            // nothing is reported, the track survives far beyond MaxMisses, and its box follows the detections.
            for (int f = 1; f <= 5; f++)
            {
                Assert.Empty(Step(tracker, _ => false));
                Assert.True(tracker.NeedsDetection);
                var moved = new BoundingBox(100 + 10 * f, 100, 100, 300);
                tracker.AddDetections(new[] { moved }, new[] { 0.9f }, W, H);
                Assert.Equal(1, tracker.Count);
                var boxes = new BoundingBox[8];
                tracker.GetBoxes(boxes, new float[8]);
                Assert.Equal(moved, boxes[0]);
            }
            Assert.Equal(new[] { 1 }, Step(tracker, _ => true));
            // Without the detector's support the same failure drops it after MaxMisses + 1 frames.
            Assert.Empty(Step(tracker, _ => false));
            Assert.Empty(Step(tracker, _ => false));
            Assert.Equal(0, tracker.Count);
        }

        [Fact]
        public void A_pose_whose_keypoints_scatter_over_the_image_loses_the_track_instead_of_growing_its_box()
        {
            var prev = new BoundingBox(100, 100, 100, 200);
            Assert.True(TrackSet.Plausible(prev, new BoundingBox(110, 105, 110, 210)));
            Assert.False(TrackSet.Plausible(prev, new BoundingBox(180, 100, 100, 200)));   // IoU 0.111
            Assert.False(TrackSet.Plausible(prev, new BoundingBox(70, 40, 160, 320)));     // area x2.56

            var tracker = new TrackSet(new PoseTrackerOptions { DetectEvery = 100 });
            tracker.AddDetections(new[] { prev }, new[] { 0.9f }, W, H);
            var scattered = new Pose { KeypointCount = 17, Score = 0.8f, Box = prev };
            for (int k = 0; k < 17; k++) scattered[k] = new Keypoint(k * 55, (k * 97) % 540, 0.9f);
            var output = new TrackedPose[8];
            Assert.Equal(0, tracker.Update(new[] { scattered }, output, W, H));
            Assert.True(tracker.NeedsDetection);
            var boxes = new BoundingBox[8];
            tracker.GetBoxes(boxes, new float[8]);
            Assert.Equal(prev, boxes[0]); // kept, not blown up to the whole image
        }

        [Fact]
        public void Redetection_re_anchors_a_box_that_drifted_from_the_detection_and_keeps_one_that_agrees()
        {
            var tracker = new TrackSet(new PoseTrackerOptions { DetectEvery = 1 });
            var person = new BoundingBox(100, 100, 100, 260);
            tracker.AddDetections(new[] { person }, new[] { 0.9f }, W, H);
            var boxes = new BoundingBox[8];
            var output = new TrackedPose[8];
            // The pose is found 40 px to the right of the detection (box IoU 60/140 = 0.43 < 0.5).
            var drifted = new BoundingBox(140, 100, 100, 260);
            var poses = new Pose[1];
            new TemplatePoseEstimator().Estimate(default, new[] { drifted }, new[] { 0.9f }, poses);
            Assert.Equal(1, tracker.Update(poses, output, W, H));
            tracker.GetBoxes(boxes, new float[8]);
            Assert.True(TrackSet.IoU(boxes[0], person) < 0.5f);
            tracker.AddDetections(new[] { person }, new[] { 0.9f }, W, H);
            Assert.Equal(1, tracker.Count); // matched, not a second track
            tracker.GetBoxes(boxes, new float[8]);
            Assert.Equal(person, boxes[0]);
            // A pose that agrees with the detection keeps its own (keypoint) box.
            new TemplatePoseEstimator().Estimate(default, new[] { person }, new[] { 0.9f }, poses);
            tracker.Update(poses, output, W, H);
            tracker.GetBoxes(boxes, new float[8]);
            BoundingBox keypointBox = boxes[0];
            tracker.AddDetections(new[] { new BoundingBox(105, 95, 100, 270) }, new[] { 0.9f }, W, H);
            tracker.GetBoxes(boxes, new float[8]);
            Assert.Equal(keypointBox, boxes[0]);
            Assert.Equal(1, tracker.Count);
        }

        [Fact]
        public void Kiosk_mode_tracks_the_largest_most_central_person_only()
        {
            var tracker = new TrackSet(new PoseTrackerOptions { SinglePerson = true });
            var corner = new BoundingBox(0, 0, 200, 500);       // big but in the corner
            var centre = new BoundingBox(420, 120, 120, 330);   // centred
            var small = new BoundingBox(470, 250, 30, 60);      // centred but tiny
            tracker.AddDetections(new[] { corner, centre, small }, new[] { 0.9f, 0.9f, 0.9f }, W, H);
            var boxes = new BoundingBox[1];
            Assert.Equal(1, tracker.GetBoxes(boxes, new float[1]));
            Assert.Equal(centre, boxes[0]);
            Assert.Equal(1, tracker.Capacity);
        }

        [Fact]
        public void Two_tracks_on_one_person_collapse_to_the_older_id()
        {
            var tracker = new TrackSet(new PoseTrackerOptions());
            tracker.AddDetections(new[] { new BoundingBox(100, 100, 100, 300), new BoundingBox(300, 100, 100, 300) }, new[] { 0.9f, 0.9f }, W, H);
            var boxes = new BoundingBox[8];
            int n = tracker.GetBoxes(boxes, new float[8]);
            // The estimator puts both poses on the same person.
            var poses = new Pose[n];
            new TemplatePoseEstimator().Estimate(default, new[] { boxes[0], boxes[0] }, new[] { 0.9f, 0.9f }, poses);
            var output = new TrackedPose[8];
            int m = tracker.Update(poses, output, W, H);
            Assert.Equal(1, m);
            Assert.Equal(1, output[0].TrackId);
        }

        /// <summary>One frame: the template stage estimates every box; poses for which <paramref name="good"/> is false get a lost-level score.</summary>
        private static int[] Step(TrackSet tracker, Func<int, bool> good)
        {
            var boxes = new BoundingBox[8];
            var scores = new float[8];
            int n = tracker.GetBoxes(boxes, scores);
            var poses = new Pose[n];
            new TemplatePoseEstimator().Estimate(default, boxes.AsSpan(0, n), scores.AsSpan(0, n), poses);
            for (int i = 0; i < n; i++)
            {
                if (!good(i)) poses[i].Score = 0.01f;
            }
            var output = new TrackedPose[8];
            int m = tracker.Update(poses, output, W, H);
            var ids = new int[m];
            for (int i = 0; i < m; i++) ids[i] = output[i].TrackId;
            return ids;
        }

        private static int Nearest(BoundingBox box, BoundingBox[] truth)
        {
            int best = 0;
            for (int i = 1; i < truth.Length; i++)
            {
                if (Math.Abs(truth[i].CenterX - box.CenterX) < Math.Abs(truth[best].CenterX - box.CenterX)) best = i;
            }
            return best;
        }
    }
}
