using System;
using PoseRT.Runtime.Tracking;
using PoseRT.Runtime;
using PoseRT.Protocol;

namespace PoseRT.Tests
{
    public class OneEuroFilterTests
    {
        [Fact]
        public void Alpha_matches_the_first_order_low_pass_formula()
        {
            // alpha = 1 / (1 + tau / dt), tau = 1 / (2 pi fc)
            Assert.Equal(0.0591174, OneEuroFilter.Alpha(1.0, 0.01), 6);
            Assert.Equal(0.3858695, OneEuroFilter.Alpha(1.0, 0.1), 6);
        }

        [Fact]
        public void First_sample_passes_and_a_step_moves_by_alpha_without_beta()
        {
            var f = new OneEuroFilter();
            var s = new OneEuroSettings(minCutoff: 1.0, beta: 0.0);
            Assert.Equal(0.0, f.Filter(0, 0.0, s));
            Assert.Equal(3.858695, f.Filter(10, 0.1, s), 5);
        }

        [Fact]
        public void Beta_raises_the_cutoff_with_speed()
        {
            var f = new OneEuroFilter();
            var s = new OneEuroSettings(minCutoff: 1.0, beta: 0.1, derivativeCutoff: 1.0);
            f.Filter(0, 0.0, s);
            // dx = 100/s, smoothed derivative 38.587, cutoff 1 + 0.1 * 38.587 = 4.8587 Hz, alpha 0.75326.
            Assert.Equal(7.532575, f.Filter(10, 0.1, s), 5);
        }

        [Fact]
        public void Repeated_timestamp_returns_the_previous_value_and_reset_restarts()
        {
            var f = new OneEuroFilter();
            var s = new OneEuroSettings(1.0, 0.0);
            f.Filter(5, 1.0, s);
            Assert.Equal(5.0, f.Filter(50, 1.0, s));
            f.Reset();
            Assert.Equal(50.0, f.Filter(50, 1.0, s));
        }

        [Fact]
        public void Reduces_jitter_on_a_still_point_and_lags_less_with_beta_on_a_moving_one()
        {
            var rng = new Random(7);
            var settings = new OneEuroSettings(1.0, 0.0);
            var still = new OneEuroFilter();
            double rawVar = 0, filteredVar = 0;
            for (int i = 0; i < 300; i++)
            {
                double noise = (rng.NextDouble() - 0.5) * 4; // +-2 px jitter around 100
                double y = still.Filter(100 + noise, i / 30.0, settings);
                if (i >= 30)
                {
                    rawVar += noise * noise;
                    filteredVar += (y - 100) * (y - 100);
                }
            }
            Assert.True(filteredVar < rawVar / 5, $"jitter energy {filteredVar:F1} vs raw {rawVar:F1}");

            // A point moving at 300 px/s: the lag after 1 s is much smaller with beta = 0.05 than with beta = 0.
            double Lag(double beta)
            {
                var f = new OneEuroFilter();
                var s = new OneEuroSettings(1.0, beta);
                double y = 0;
                for (int i = 0; i <= 30; i++) y = f.Filter(300.0 * i / 30, i / 30.0, s);
                return 300 - y;
            }
            double lagNoBeta = Lag(0), lagBeta = Lag(0.05);
            Assert.True(lagNoBeta > 40, $"lag without beta {lagNoBeta:F1}");
            Assert.True(lagBeta < lagNoBeta / 3, $"lag with beta {lagBeta:F1} vs {lagNoBeta:F1}");
        }

        [Fact]
        public void Settings_reject_nonsense()
        {
            Assert.Throws<ArgumentOutOfRangeException>(() => new OneEuroSettings(0, 0));
            Assert.Throws<ArgumentOutOfRangeException>(() => new OneEuroSettings(1, -1));
        }

        [Fact]
        public void Smoother_keeps_tracks_apart_and_resets_hidden_keypoints()
        {
            var smoother = new PoseSmoother(new OneEuroSettings(1.0, 0.0), minKeypointScore: 0.3f, capacity: 4);
            var poses = new TrackedPose[2];
            poses[0] = new TrackedPose(1, Make(0, 0.9f));
            poses[1] = new TrackedPose(2, Make(500, 0.9f));
            smoother.Smooth(poses, 0.0);
            poses[0] = new TrackedPose(1, Make(10, 0.9f));
            poses[1] = new TrackedPose(2, Make(510, 0.9f));
            smoother.Smooth(poses, 0.1);
            // Each track moved by 10 px from its own history: both filtered by alpha 0.38587.
            Assert.Equal(3.8587f, poses[0].Pose[0].X, 3);
            Assert.Equal(503.8587f, poses[1].Pose[0].X, 3);
            // Keypoint 0 of track 1 hidden for a frame, then back at 100: it restarts there instead of dragging from 3.86.
            var hidden = Make(20, 0.9f);
            hidden[0] = new Keypoint(20, 20, 0.1f);
            poses[0] = new TrackedPose(1, hidden);
            smoother.Smooth(poses.AsSpan(0, 1), 0.2);
            poses[0] = new TrackedPose(1, Make(100, 0.9f));
            smoother.Smooth(poses.AsSpan(0, 1), 0.3);
            Assert.Equal(100f, poses[0].Pose[0].X);
            Assert.NotEqual(100f, poses[0].Pose[1].X);
        }

        private static Pose Make(float x, float score)
        {
            var p = new Pose { KeypointCount = CocoKeypoints.Count, Score = score };
            for (int k = 0; k < CocoKeypoints.Count; k++) p[k] = new Keypoint(x, x, score);
            return p;
        }
    }
}
