using System;
using System.IO;
using System.Threading;
using PoseRT.Runtime;
using PoseRT.Runtime.Geometry;
using PoseRT.Runtime.Model;

namespace PoseRT.Tests.Inference
{
    public class PoseEstimatorTests
    {
        private const int ImageWidth = 160, ImageHeight = 120, Stride = 160 * 3 + 5;   // padded rows
        private static readonly byte[] Image = TestImages.Bgr(ImageWidth, ImageHeight, Stride);

        private static readonly BoundingBox[] Boxes =
        {
            new(30, 20, 40, 80),
            new(100, 10, 50, 60),      // wide-ish
            new(-15, 60, 45, 90),      // hangs off the left and bottom edges
        };

        private static readonly float[] BoxScores = { 0.9f, 0.5f, 1f };

        private static ImageView View(byte[]? data = null) => new(data ?? Image, ImageWidth, ImageHeight, Stride, PixelFormat.Bgr24);

        private static PoseEstimator Cpu(TestModel m, Action<PoseEstimatorOptions>? configure = null)
        {
            var o = new PoseEstimatorOptions { Provider = ExecutionProvider.Cpu, CpuThreads = 1 };
            configure?.Invoke(o);
            return PoseEstimator.Load(m.Build(), o, "test-model");
        }

        private static void AssertMatches(ReferencePipeline.Result[] expected, Pose[] actual, BoundingBox[] boxes, float[]? boxScores)
        {
            for (int n = 0; n < expected.Length; n++)
            {
                Assert.Equal(17, actual[n].KeypointCount);
                Assert.Equal(boxes[n], actual[n].Box);
                Assert.Equal(boxScores == null ? 1f : boxScores[n], actual[n].BoxScore);
                for (int k = 0; k < 17; k++)
                {
                    var kp = actual[n][k];
                    Assert.True(Math.Abs(expected[n].Keypoints[k, 0] - kp.X) < 1e-3, $"box {n} keypoint {k}: x {kp.X} vs reference {expected[n].Keypoints[k, 0]}");
                    Assert.True(Math.Abs(expected[n].Keypoints[k, 1] - kp.Y) < 1e-3, $"box {n} keypoint {k}: y {kp.Y} vs reference {expected[n].Keypoints[k, 1]}");
                    Assert.True(Math.Abs(expected[n].Keypoints[k, 2] - kp.Score) < 1e-4, $"box {n} keypoint {k}: score {kp.Score} vs reference {expected[n].Keypoints[k, 2]}");
                }
                Assert.True(Math.Abs(expected[n].Score - actual[n].Score) < 1e-4, $"box {n}: pose score {actual[n].Score} vs {expected[n].Score}");
            }
        }

        [Theory]
        [InlineData(true)]
        [InlineData(false)]
        public void Estimates_match_an_independent_reference_of_the_whole_protocol(bool flip)
        {
            var m = new TestModel();
            using var est = Cpu(m, o => o.FlipTest = flip);
            var poses = new Pose[Boxes.Length];
            est.Estimate(View(), Boxes, BoxScores, poses);
            var expected = ReferencePipeline.Run(Image, ImageWidth, ImageHeight, Stride, Boxes, BoxScores, null, m, m.Info(), flip, 0.2f);
            AssertMatches(expected, poses, Boxes, BoxScores);
            // The test is only meaningful if keypoints carry scores above the threshold and quarter offsets happen.
            int positive = 0, fractional = 0;
            foreach (var p in poses)
                for (int k = 0; k < 17; k++) { if (p[k].Score > 0.2f) positive++; }
            foreach (var r in expected)
                for (int k = 0; k < 17; k++) { if (r.Keypoints[k, 2] > 0 && Math.Abs(r.Keypoints[k, 0] - Math.Round(r.Keypoints[k, 0])) > 1e-6) fractional++; }
            Assert.True(positive > 10, $"only {positive} confident keypoints");
            Assert.True(fractional > 5, $"only {fractional} refined keypoints");
        }

        [Fact]
        public void A_bgr_model_with_its_own_normalisation_matches_the_reference()
        {
            var m = new TestModel(seed: 4);
            var info = m.Info() with { ChannelOrder = ChannelOrder.Bgr, Mean = new[] { 0.5f, 0.4f, 0.3f }, Std = new[] { 0.3f, 0.25f, 0.2f } };
            using var est = PoseEstimator.Load(m.Build(info), new PoseEstimatorOptions { Provider = ExecutionProvider.Cpu, KeypointScoreThreshold = 0.1f });
            var poses = new Pose[3];
            est.Estimate(View(), Boxes, BoxScores, poses);
            var expected = ReferencePipeline.Run(Image, ImageWidth, ImageHeight, Stride, Boxes, BoxScores, null, m, info, true, 0.1f);
            AssertMatches(expected, poses, Boxes, BoxScores);
        }

        [Fact]
        public void Rotated_boxes_match_the_reference()
        {
            var m = new TestModel(seed: 2);
            using var est = Cpu(m);
            var rotations = new[] { 30f, -45f, 90f };
            var poses = new Pose[3];
            est.Estimate(View(), Boxes, BoxScores, poses, rotations);
            var expected = ReferencePipeline.Run(Image, ImageWidth, ImageHeight, Stride, Boxes, BoxScores, rotations, m, m.Info(), true, 0.2f);
            AssertMatches(expected, poses, Boxes, BoxScores);
        }

        [Fact]
        public void More_boxes_than_one_run_holds_and_a_fixed_batch_of_one_give_the_same_poses()
        {
            var m = new TestModel(seed: 3);
            var expected = ReferencePipeline.Run(Image, ImageWidth, ImageHeight, Stride, Boxes, null, null, m, m.Info(), true, 0.2f);
            using (var chunked = Cpu(m, o => o.MaxBoxesPerRun = 2))
            {
                var poses = new Pose[3];
                chunked.Estimate(View(), Boxes, poses);
                AssertMatches(expected, poses, Boxes, null);
            }
            m.Batch = 1;
            using (var single = Cpu(m))
            {
                var poses = new Pose[3];
                single.Estimate(View(), Boxes, poses);
                AssertMatches(expected, poses, Boxes, null);
            }
        }

        [Fact]
        public void Every_pixel_format_and_bottom_up_rows_give_the_same_poses()
        {
            var m = new TestModel();
            using var est = Cpu(m);
            var reference = new Pose[3];
            est.Estimate(View(), Boxes, reference);

            byte[] Convert(int bpp, bool rgb, bool bottomUp)
            {
                var d = new byte[ImageWidth * bpp * ImageHeight];
                for (int y = 0; y < ImageHeight; y++)
                    for (int x = 0; x < ImageWidth; x++)
                    {
                        int s = y * Stride + 3 * x, row = bottomUp ? ImageHeight - 1 - y : y, o = row * ImageWidth * bpp + x * bpp;
                        d[o] = Image[rgb ? s + 2 : s];
                        d[o + 1] = Image[s + 1];
                        d[o + 2] = Image[rgb ? s : s + 2];
                        if (bpp == 4) d[o + 3] = 255;
                    }
                return d;
            }

            var cases = new (byte[] Data, PixelFormat Format, bool BottomUp)[]
            {
                (Convert(3, true, false), PixelFormat.Rgb24, false),
                (Convert(4, false, false), PixelFormat.Bgra32, false),
                (Convert(4, true, false), PixelFormat.Rgba32, false),
                (Convert(4, true, true), PixelFormat.Rgba32, true),
            };
            foreach (var (data, format, bottomUp) in cases)
            {
                var poses = new Pose[3];
                est.Estimate(new ImageView(data, ImageWidth, ImageHeight, 0, format, bottomUp), Boxes, poses);
                for (int n = 0; n < 3; n++)
                    for (int k = 0; k < 17; k++)
                    {
                        Assert.Equal(reference[n][k].X, poses[n][k].X);
                        Assert.Equal(reference[n][k].Y, poses[n][k].Y);
                        Assert.Equal(reference[n][k].Score, poses[n][k].Score, 5);
                    }
            }
        }

        [Fact]
        public void Gray8_equals_the_same_grey_as_colour()
        {
            var m = new TestModel();
            using var est = Cpu(m);
            var gray = new byte[ImageWidth * ImageHeight];
            var bgr = new byte[ImageWidth * 3 * ImageHeight];
            for (int i = 0; i < gray.Length; i++)
            {
                gray[i] = Image[(i / ImageWidth) * Stride + 3 * (i % ImageWidth) + 1];
                bgr[3 * i] = bgr[3 * i + 1] = bgr[3 * i + 2] = gray[i];
            }
            var a = new Pose[3];
            var b = new Pose[3];
            est.Estimate(new ImageView(gray, ImageWidth, ImageHeight, 0, PixelFormat.Gray8), Boxes, a);
            est.Estimate(new ImageView(bgr, ImageWidth, ImageHeight, 0, PixelFormat.Bgr24), Boxes, b);
            for (int n = 0; n < 3; n++)
                for (int k = 0; k < 17; k++)
                    Assert.Equal((b[n][k].X, b[n][k].Y), (a[n][k].X, a[n][k].Y));
        }

        /// <summary>
        /// Crop-parallel runs (slices of the batch on several threads) give the reference poses for every split: 3 boxes
        /// with the flip test are 6 crops (3 + 3 on two threads, 2 + 2 + 2 on three), without it 3 crops (1 + 2, 1 + 1 + 1),
        /// and more threads than crops leave the extra ones idle.
        /// </summary>
        [Theory]
        [InlineData(2, true)]
        [InlineData(2, false)]
        [InlineData(3, true)]
        [InlineData(3, false)]
        [InlineData(8, false)]
        public void Crop_parallel_runs_give_the_reference_poses(int threads, bool flip)
        {
            var m = new TestModel(seed: 4);
            var expected = ReferencePipeline.Run(Image, ImageWidth, ImageHeight, Stride, Boxes, BoxScores, null, m, m.Info(), flip, 0.2f);
            using var est = Cpu(m, o => { o.CpuThreads = threads; o.CpuParallelism = CpuParallelism.Crops; o.FlipTest = flip; });
            Assert.Contains($"{threads} threads", est.ProviderReport);
            var poses = new Pose[3];
            for (int i = 0; i < 3; i++)
            {
                est.Estimate(View(), Boxes, BoxScores, poses);
                AssertMatches(expected, poses, Boxes, BoxScores);
            }
        }

        /// <summary>
        /// Fewer crops than threads (one box, flip test off) run on a second session with an intra-op pool, so one crop
        /// still uses every thread: same poses as the reference, and no allocation once warm.
        /// </summary>
        [Fact]
        public void A_single_crop_with_several_threads_gives_the_reference_pose_and_allocates_nothing()
        {
            var m = new TestModel(seed: 8);
            var one = new[] { Boxes[0] };
            var expected = ReferencePipeline.Run(Image, ImageWidth, ImageHeight, Stride, one, null, null, m, m.Info(), false, 0.2f);
            using var est = Cpu(m, o => { o.CpuThreads = 2; o.FlipTest = false; o.MaxBoxesPerRun = 1; });
            var poses = new Pose[1];
            for (int i = 0; i < 3; i++) est.Estimate(View(), one, poses);
            AssertMatches(expected, poses, one, null);
            // The run happens on this thread (ONNX Runtime's pool threads are native), so this thread's count is all of it.
            long allocated = SteadyState.AllocatedBytes(() => est.Estimate(View(), one, poses), 100);
            Assert.True(allocated == 0, $"{allocated} bytes over 100 single-crop frames");
        }

        /// <summary>A model with a fixed batch of one cannot be sliced: with two threads its runs go to the pooled session.</summary>
        [Fact]
        public void A_fixed_batch_model_with_several_threads_runs_in_one_pool_and_gives_the_reference_poses()
        {
            var m = new TestModel(seed: 9) { Batch = 1 };
            var expected = ReferencePipeline.Run(Image, ImageWidth, ImageHeight, Stride, Boxes, null, null, m, m.Info(), true, 0.2f);
            using var est = Cpu(m, o => o.CpuThreads = 2);
            Assert.Contains("2 threads in one pool", est.ProviderReport);
            var poses = new Pose[3];
            est.Estimate(View(), Boxes, poses);
            AssertMatches(expected, poses, Boxes, null);
        }

        [Fact]
        public void Operator_threading_gives_the_same_poses_as_crop_threading()
        {
            var m = new TestModel(seed: 6);
            var crops = new Pose[3];
            var operators = new Pose[3];
            using (var a = Cpu(m, o => { o.CpuThreads = 2; o.CpuParallelism = CpuParallelism.Crops; }))
                a.Estimate(View(), Boxes, BoxScores, crops);
            using (var b = Cpu(m, o => { o.CpuThreads = 2; o.CpuParallelism = CpuParallelism.Operators; }))
            {
                Assert.DoesNotContain("threads, each running", b.ProviderReport);
                b.Estimate(View(), Boxes, BoxScores, operators);
            }
            for (int n = 0; n < 3; n++)
                for (int k = 0; k < 17; k++)
                {
                    Assert.Equal(crops[n][k].X, operators[n][k].X, 3);
                    Assert.Equal(crops[n][k].Y, operators[n][k].Y, 3);
                    Assert.Equal(crops[n][k].Score, operators[n][k].Score, 5);
                }
        }

        [Fact]
        public void Steady_state_estimation_allocates_nothing()
        {
            var m = new TestModel();
            // Quarter offset and DARK; and several runs per frame (3 boxes, 2 per run: batches of 4 and 2).
            foreach (var (refinement, perRun) in new[] { (PeakRefinement.QuarterOffset, 8), (PeakRefinement.Dark, 8), (PeakRefinement.QuarterOffset, 2) })
            {
                using var est = Cpu(m, o => { o.Refinement = refinement; o.MaxBoxesPerRun = perRun; });
                var poses = new Pose[3];
                long allocated = SteadyState.AllocatedBytes(() => est.Estimate(View(), Boxes, BoxScores, poses), 100);
                Assert.True(allocated == 0, $"{refinement}, {perRun} boxes per run: {allocated} bytes over 100 frames");
                Assert.True(est.LastTimings.Inference > TimeSpan.Zero);
            }
        }

        [Fact]
        public void Dark_refinement_is_wired_in_and_keeps_the_peak_scores()
        {
            // DARK's accuracy is checked on Gaussian maps in HeatmapCodecTests; this test network's maps are
            // not Gaussian (a Newton step can move far on them), so here it only has to change positions
            // and leave scores alone.
            var m = new TestModel();
            using var q = Cpu(m, o => o.Refinement = PeakRefinement.None);
            using var d = Cpu(m, o => o.Refinement = PeakRefinement.Dark);
            var a = new Pose[3];
            var b = new Pose[3];
            q.Estimate(View(), Boxes, a);
            d.Estimate(View(), Boxes, b);
            int moved = 0;
            for (int n = 0; n < 3; n++)
                for (int k = 0; k < 17; k++)
                {
                    if (Math.Abs(a[n][k].X - b[n][k].X) + Math.Abs(a[n][k].Y - b[n][k].Y) > 1e-3) moved++;
                    Assert.Equal(a[n][k].Score, b[n][k].Score);
                }
            Assert.True(moved > 5, $"only {moved} keypoints moved");
        }

        [Fact]
        public void A_call_that_overlaps_a_running_one_is_rejected_at_once_and_leaves_its_results_alone()
        {
            var m = new TestModel();
            using var est = Cpu(m);
            var expected = new Pose[3];
            est.Estimate(View(), Boxes, expected);

            // The first call is held inside the guarded region (the test hook) until the overlapping calls have been made,
            // so the overlap is certain, not a race the scheduler may or may not produce.
            using var inside = new ManualResetEventSlim();
            using var release = new ManualResetEventSlim();
            est.InsideCallForTests = () =>
            {
                inside.Set();
                Assert.True(release.Wait(TimeSpan.FromSeconds(30)), "the test never released the first call");
            };
            var first = new Pose[3];
            Exception? firstFailed = null;
            var running = new Thread(() =>
            {
                try
                {
                    est.Estimate(View(), Boxes, first);
                }
                catch (Exception e)
                {
                    firstFailed = e;
                }
            });
            running.Start();
            try
            {
                Assert.True(inside.Wait(TimeSpan.FromSeconds(30)), "the first call never started");
                est.InsideCallForTests = null;

                // Other boxes and a poisoned results buffer: a rejected call must not touch either call's buffers.
                var second = new Pose[1];
                second[0].Score = -7f;
                var overlap = Assert.Throws<InvalidOperationException>(() => est.Estimate(View(), new[] { new BoundingBox(1, 2, 30, 40) }, second));
                Assert.Contains("already running on another thread", overlap.Message, StringComparison.Ordinal);
                Assert.Equal(-7f, second[0].Score);
                Assert.Equal(0, second[0].KeypointCount);
                var dispose = Assert.Throws<InvalidOperationException>(est.Dispose);
                Assert.Contains("Dispose was called while Estimate is running", dispose.Message, StringComparison.Ordinal);
            }
            finally
            {
                release.Set();
                running.Join();
            }

            Assert.Null(firstFailed);
            AssertSame(expected, first);
            // The guard is released once the call returns, and the rejected Dispose did not dispose anything.
            var after = new Pose[3];
            est.Estimate(View(), Boxes, after);
            AssertSame(expected, after);
        }

        private static void AssertSame(Pose[] expected, Pose[] actual)
        {
            for (int n = 0; n < expected.Length; n++)
            {
                Assert.Equal(expected[n].Score, actual[n].Score);
                Assert.Equal(expected[n].KeypointCount, actual[n].KeypointCount);
                for (int k = 0; k < expected[n].KeypointCount; k++)
                {
                    Assert.Equal(expected[n][k].X, actual[n][k].X);
                    Assert.Equal(expected[n][k].Y, actual[n][k].Y);
                    Assert.Equal(expected[n][k].Score, actual[n][k].Score);
                }
            }
        }

        [Fact]
        public void Model_loads_from_path_stream_and_bytes_with_its_metadata()
        {
            var m = new TestModel();
            var bytes = m.Build();
            var dir = RepoPaths.NewTempDir("runtime-load");
            var path = Path.Combine(dir, "test.onnx");
            File.WriteAllBytes(path, bytes);
            var o = new PoseEstimatorOptions { Provider = ExecutionProvider.Cpu };
            using var fromPath = PoseEstimator.Load(path, o);
            using var fromStream = PoseEstimator.Load(new MemoryStream(bytes), o);
            Assert.Equal(48, fromPath.ModelInfo.InputWidth);
            Assert.Equal("conv1x1-test", fromStream.ModelInfo.Architecture);
            var a = new Pose[3];
            var b = new Pose[3];
            fromPath.Estimate(View(), Boxes, a);
            fromStream.Estimate(View(), Boxes, b);
            Assert.Equal(a[2][5].X, b[2][5].X);
        }

        [Fact]
        public void Bad_arguments_are_named()
        {
            using var est = Cpu(new TestModel());
            Assert.Equal("results", Assert.Throws<ArgumentException>(() => est.Estimate(View(), Boxes, new Pose[2])).ParamName);
            Assert.Equal("boxScores", Assert.Throws<ArgumentException>(() => est.Estimate(View(), Boxes, new float[2], new Pose[3])).ParamName);
            var e = Assert.Throws<ArgumentException>(() => est.Estimate(View(), new[] { new BoundingBox(0, 0, 10, 10), new BoundingBox(0, float.NaN, 5, 5) }, new Pose[2]));
            Assert.Contains("Box 1", e.Message);
            Assert.Throws<ArgumentException>(() => new ImageView(new byte[100], 10, 10, 0, PixelFormat.Bgr24));
            Assert.Throws<ArgumentException>(() => new ImageView(new byte[1000], 10, 10, 20, PixelFormat.Bgr24));
            est.Estimate(View(), ReadOnlySpan<BoundingBox>.Empty, Span<Pose>.Empty);
            Assert.Equal("image", Assert.Throws<ArgumentException>(() => est.Estimate(default(ImageView), Boxes, new Pose[3])).ParamName);
            est.Dispose();
            Assert.Throws<ObjectDisposedException>(() => est.Estimate(View(), Boxes, new Pose[3]));
        }
    }
}
