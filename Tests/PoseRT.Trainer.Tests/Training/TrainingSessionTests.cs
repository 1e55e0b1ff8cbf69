using System;
using System.IO;
using System.Linq;
using PoseRT.Trainer.Data;
using PoseRT.Trainer.Training;

namespace PoseRT.Tests.Training
{
    [Collection(TorchStateCollection.Name)]
    public class TrainingSessionTests
    {
        [Fact]
        public void Training_lowers_the_loss_and_writes_checkpoint_logs_tensorboard_and_plot()
        {
            var dir = RepoPaths.NewTempDir("train-learns");
            var data = new BlobDataset(64);
            var result = TrainingTestKit.Run(TrainingTestKit.Options(dir, epochs: 6) with { LrMilestones = new[] { 100 }, LogEverySteps = 4 }, data, width: 16);

            Assert.True(result.Completed);
            Assert.Equal(6, result.Epochs.Count);
            Assert.Equal(6 * 8, result.Steps);
            // Predicting all zeros scores 0.5*mean(target^2) ~ 0.024 here; the net must do far better than
            // both that and its own first epoch.
            Assert.True(result.Epochs[^1].Loss < 0.5 * result.Epochs[0].Loss, $"loss {result.Epochs[0].Loss} -> {result.Epochs[^1].Loss}");
            Assert.True(result.Epochs[^1].Loss < 0.012, $"final loss {result.Epochs[^1].Loss}");

            foreach (var f in new[] { TrainingSession.CheckpointFile, TrainingSession.BestModelFile, TrainingSession.FinalModelFile, MetricsLog.FileName, "curves.png" })
                Assert.True(new FileInfo(Path.Combine(dir, f)).Length > 0, f);
            Assert.Empty(Directory.GetFiles(dir, "*.tmp"));
            var events = Directory.GetFiles(Path.Combine(dir, "tensorboard"), "events.out.tfevents.*");
            Assert.Single(events);
            Assert.True(new FileInfo(events[0]).Length > 200);

            var records = MetricsLog.Read(result.MetricsPath);
            Assert.Equal(6, records.Count(r => r.Type == "epoch"));
            Assert.Equal(12, records.Count(r => r.Type == "step"));
            Assert.All(records.Where(r => r.Type == "epoch"), r => Assert.True(r.Values["rss_mib"] > 10));
            var png = File.ReadAllBytes(Path.Combine(dir, "curves.png"));
            Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png[..4]);

            var state = Checkpoint.ReadState(result.CheckpointPath);
            Assert.Equal(6, state.Epoch);
            Assert.Equal(0, state.NextBatch);
            Assert.Equal(48, state.GlobalStep);
        }

        [Fact]
        public void A_run_stopped_mid_epoch_and_resumed_ends_bit_identical_to_an_uninterrupted_run()
        {
            var data = new BlobDataset(40);
            var full = RepoPaths.NewTempDir("resume-full");
            var split = RepoPaths.NewTempDir("resume-split");
            var a = TrainingTestKit.Run(TrainingTestKit.Options(full), data);

            // 5 batches per epoch; checkpoints every 3 steps. Stop at step 8 (last checkpoint at 6, epoch 2 batch 1),
            // resume, stop again after 4 more steps (at 10; checkpoint at 9 is mid-epoch 2), then finish.
            var first = TrainingTestKit.Run(TrainingTestKit.Options(split) with { StopAfterSteps = 8 }, data);
            Assert.False(first.Completed);
            var mid = Checkpoint.ReadState(Path.Combine(split, TrainingSession.CheckpointFile));
            Assert.Equal((1, 1, 6L), (mid.Epoch, mid.NextBatch, mid.GlobalStep));
            TrainingTestKit.Run(TrainingTestKit.Options(split) with { Resume = true, StopAfterSteps = 4 }, data);
            var b = TrainingTestKit.Run(TrainingTestKit.Options(split) with { Resume = true }, data);

            Assert.True(b.Completed);
            Assert.Equal(a.Steps, b.Steps);
            Assert.Equal(TrainingTestKit.Weights(full), TrainingTestKit.Weights(split));
            // The log of the split run reads as one run: the steps logged after the checkpoint by the stopped
            // process were dropped, and the per-epoch losses match the uninterrupted run exactly.
            var la = MetricsLog.Read(a.MetricsPath);
            var lb = MetricsLog.Read(b.MetricsPath);
            Assert.Equal(la.Where(r => r.Type == "step").Select(r => (r.Step, r.Values["loss"])), lb.Where(r => r.Type == "step").Select(r => (r.Step, r.Values["loss"])));
            Assert.Equal(la.Where(r => r.Type == "epoch").Select(r => r.Values["loss"]), lb.Where(r => r.Type == "epoch").Select(r => r.Values["loss"]));
            // So do its TensorBoard events: rebuilt on each resume, one file, the same scalars at the same steps
            // (the RSS and speed columns differ between processes, the losses and learning rates must not).
            Assert.Single(Directory.GetFiles(Path.Combine(split, MetricsLog.TensorBoardFolder)));
            static bool Deterministic(string tag) => tag.EndsWith("/loss", StringComparison.Ordinal) || tag.EndsWith("/lr", StringComparison.Ordinal);
            var ta = TensorBoardEvents.ReadScalars(Path.Combine(full, MetricsLog.TensorBoardFolder));
            var tb = TensorBoardEvents.ReadScalars(Path.Combine(split, MetricsLog.TensorBoardFolder));
            Assert.Contains(ta, s => s.Tag == "step/loss");
            Assert.Equal(ta.Count, tb.Count);
            Assert.Equal(ta.Where(s => Deterministic(s.Tag)), tb.Where(s => Deterministic(s.Tag)));
        }

        [Fact]
        public void Validation_keeps_the_best_weights_and_logs_the_score()
        {
            var dir = RepoPaths.NewTempDir("train-val");
            var data = new BlobDataset(16);
            // A validator whose score peaks at epoch 2: best.pt must hold epoch 2's weights, not the last ones.
            byte[]? epoch2 = null;
            ValidationResult Validate(TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor> model, int epoch)
            {
                Assert.False(model.training);
                if (epoch == 2)
                {
                    var tmp = Path.Combine(dir, "epoch2.pt");
                    TrainingSession.SaveWeights(model, tmp);
                    epoch2 = File.ReadAllBytes(tmp);
                }
                return new ValidationResult(epoch == 2 ? 0.9 : 0.1 * epoch, new System.Collections.Generic.Dictionary<string, double> { ["AP50"] = epoch });
            }
            var result = TrainingTestKit.Run(TrainingTestKit.Options(dir, epochs: 4) with { ValidateEveryEpochs = 1 }, data, Validate);
            Assert.Equal(2, result.BestEpoch);
            Assert.Equal(0.9, result.BestScore);
            Assert.Equal(epoch2, TrainingTestKit.Weights(dir, TrainingSession.BestModelFile));
            Assert.NotEqual(epoch2, TrainingTestKit.Weights(dir));
            var val = MetricsLog.Read(result.MetricsPath).Where(r => r.Type == "val").ToList();
            Assert.Equal(new[] { 0.1, 0.9, 0.30000000000000004, 0.4 }, val.Select(r => r.Values["score"]));
        }

        [Fact]
        public void Unusable_samples_are_skipped_with_counted_warnings_and_training_finishes()
        {
            var dir = RepoPaths.NewTempDir("train-bad");
            var data = new FlakyDataset(new BlobDataset(24), badEvery: 5);
            var warnings = new DataWarnings();
            var result = TrainingTestKit.Run(TrainingTestKit.Options(dir, epochs: 2), data, warnings: warnings);
            Assert.True(result.Completed);
            // Indices 0, 5, 10, 15, 20 fail every epoch: 3 return false, 2 throw.
            Assert.Equal(10, warnings.Total);
            Assert.Equal(6, warnings.Counts()["unusable sample"]);
            Assert.Equal(4, warnings.Counts()["failed sample"]);
            Assert.Equal(5, result.Epochs[0].SkippedSamples);
            Assert.Contains("sample 5", string.Join("\n", warnings.Examples()), StringComparison.Ordinal);
        }

        [Fact]
        public void Training_stops_with_a_clear_error_when_most_samples_are_unusable()
        {
            var dir = RepoPaths.NewTempDir("train-allbad");
            var data = new FlakyDataset(new BlobDataset(16), badEvery: 1);
            var e = Assert.Throws<InvalidOperationException>(() => TrainingTestKit.Run(TrainingTestKit.Options(dir, epochs: 2), data));
            Assert.Contains("training cannot go on", e.Message, StringComparison.Ordinal);
            Assert.Contains("missing image", e.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void Resume_refuses_a_checkpoint_from_different_settings_and_reports_a_torn_file()
        {
            var dir = RepoPaths.NewTempDir("train-mismatch");
            var data = new BlobDataset(16);
            TrainingTestKit.Run(TrainingTestKit.Options(dir, epochs: 1), data);
            var e = Assert.Throws<InvalidOperationException>(() => TrainingTestKit.Run(TrainingTestKit.Options(dir, epochs: 2) with { Resume = true, Seed = 8 }, data));
            Assert.Contains("seed 7", e.Message, StringComparison.Ordinal);
            e = Assert.Throws<InvalidOperationException>(() => TrainingTestKit.Run(TrainingTestKit.Options(dir, epochs: 2) with { Resume = true, BatchSize = 4 }, data));
            Assert.Contains("batch size 8", e.Message, StringComparison.Ordinal);
            e = Assert.Throws<InvalidOperationException>(() => TrainingTestKit.Run(TrainingTestKit.Options(dir, epochs: 1) with { Resume = true }, data));
            Assert.Contains("already finished 1 epochs", e.Message, StringComparison.Ordinal);

            var ckpt = Path.Combine(dir, TrainingSession.CheckpointFile);
            var bytes = File.ReadAllBytes(ckpt);
            File.WriteAllBytes(ckpt, bytes[..(bytes.Length / 2)]);
            var torn = Assert.Throws<InvalidDataException>(() => TrainingTestKit.Run(TrainingTestKit.Options(dir, epochs: 2) with { Resume = true }, data));
            Assert.Contains(ckpt, torn.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void Options_with_bad_values_are_rejected_naming_the_value()
        {
            var o = TrainingTestKit.Options("x");
            Assert.Contains("-1", Assert.Throws<ArgumentException>(() => (o with { Epochs = -1 }).Validate()).Message, StringComparison.Ordinal);
            Assert.Contains("Learning rate", Assert.Throws<ArgumentException>(() => (o with { LearningRate = double.NaN }).Validate()).Message, StringComparison.Ordinal);
            Assert.Contains("clip", Assert.Throws<ArgumentException>(() => (o with { GradClipNorm = 0 }).Validate()).Message, StringComparison.Ordinal);
            Assert.Contains("cuda", Assert.Throws<ArgumentException>(() => TrainingSession.ResolveDevice("cuda")).Message, StringComparison.Ordinal);
            Assert.Contains("tpu", Assert.Throws<ArgumentException>(() => TrainingSession.ResolveDevice("tpu")).Message, StringComparison.Ordinal);
            Assert.Equal(TorchSharp.DeviceType.CPU, TrainingSession.ResolveDevice("auto").type);
        }

        /// <summary>Wraps a data set so every badEvery-th index is unusable: alternately reported (false) and thrown.</summary>
        private sealed class FlakyDataset : IPoseDataset
        {
            private readonly IPoseDataset _inner;
            private readonly int _badEvery;

            public FlakyDataset(IPoseDataset inner, int badEvery)
            {
                _inner = inner;
                _badEvery = badEvery;
            }

            public int Count => _inner.Count;

            public SampleShape Shape => _inner.Shape;

            public bool TryLoad(int index, Random random, Span<float> image, Span<float> target, Span<float> targetWeight, out string? problem)
            {
                if (index % _badEvery == 0)
                {
                    if ((index / _badEvery) % 2 == 1) throw new InvalidDataException($"corrupt JPEG in image {index}.jpg");
                    problem = $"missing image {index}.jpg";
                    return false;
                }
                return _inner.TryLoad(index, random, image, target, targetWeight, out problem);
            }
        }
    }
}
