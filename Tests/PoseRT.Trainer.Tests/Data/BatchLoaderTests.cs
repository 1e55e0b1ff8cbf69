using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using PoseRT.Trainer.Data;

namespace PoseRT.Tests.Data
{
    public class BatchLoaderTests
    {
        private static List<(int[] Indices, float[] Images, float[] Targets)> Collect(IPoseDataset data, int workers, int prefetch, int epoch, int start = 0, long seed = 3)
        {
            var list = new List<(int[], float[], float[])>();
            using var loader = new BatchLoader(data, 5, workers, prefetch, seed, new DataWarnings());
            foreach (var b in loader.Epoch(epoch, start))
            {
                using (b)
                {
                    list.Add((b.Indices[..b.Count], b.Images[..(b.Count * data.Shape.ImageLength)], b.Targets[..(b.Count * data.Shape.TargetLength)]));
                }
            }
            return list;
        }

        [Fact]
        public void Batches_are_identical_whatever_the_worker_count_and_prefetch()
        {
            var data = new BlobDataset(23);
            var serial = Collect(data, workers: 0, prefetch: 1, epoch: 2);
            var parallel = Collect(data, workers: 4, prefetch: 3, epoch: 2);
            Assert.Equal(5, serial.Count); // 23 samples / 5 = 4 full + 1 partial, nothing dropped
            Assert.Equal(3, serial[^1].Indices.Length);
            for (int i = 0; i < serial.Count; i++)
            {
                Assert.Equal(serial[i].Indices, parallel[i].Indices);
                Assert.Equal(serial[i].Images, parallel[i].Images);
                Assert.Equal(serial[i].Targets, parallel[i].Targets);
            }
            // Every sample exactly once per epoch.
            Assert.Equal(Enumerable.Range(0, 23), serial.SelectMany(b => b.Indices).OrderBy(i => i));
        }

        [Fact]
        public void Order_and_augmentation_change_with_the_epoch_and_seed_but_a_start_batch_replays_the_tail()
        {
            var data = new BlobDataset(20);
            var e0 = Collect(data, 2, 2, epoch: 0);
            var e1 = Collect(data, 2, 2, epoch: 1);
            var otherSeed = Collect(data, 2, 2, epoch: 0, seed: 4);
            Assert.NotEqual(e0.SelectMany(b => b.Indices), e1.SelectMany(b => b.Indices));
            Assert.NotEqual(e0.SelectMany(b => b.Indices), otherSeed.SelectMany(b => b.Indices));
            // The same index gets a different augmentation in another epoch.
            int idx = e0[0].Indices[0];
            int pos1 = e1.SelectMany(b => b.Indices).ToList().IndexOf(idx);
            var img0 = e0[0].Images[..data.Shape.ImageLength];
            var img1 = e1[pos1 / 5].Images.Skip((pos1 % 5) * data.Shape.ImageLength).Take(data.Shape.ImageLength).ToArray();
            Assert.NotEqual(img0, img1);

            var tail = Collect(data, 3, 2, epoch: 1, start: 2);
            Assert.Equal(2, tail.Count);
            Assert.Equal(e1[2].Images, tail[0].Images);
            Assert.Equal(e1[3].Indices, tail[1].Indices);
        }

        [Fact]
        public void Prefetch_bounds_how_far_loading_runs_ahead_of_the_consumer()
        {
            var data = new CountingDataset(new BlobDataset(60));
            using var loader = new BatchLoader(data, 5, workers: 3, prefetch: 2, seed: 1, new DataWarnings());
            int consumed = 0;
            foreach (var b in loader.Epoch(0))
            {
                using (b)
                {
                    consumed++;
                    // A consumer that holds each batch until loading has gone as far as it may: the batch in hand plus
                    // `prefetch` batches ahead, all started and finished. A correct loader gets there and stops; one that ran
                    // further ahead has started more by then. A handshake on the data set's counters, not a sleep.
                    int allowed = Math.Min((consumed + 2) * 5, 60);
                    Assert.True(data.WaitSettled(allowed, TimeSpan.FromSeconds(30)), $"loading stalled at {data.Started} samples started, {allowed} allowed");
                    Assert.True(data.Started == allowed, $"started {data.Started} samples with {consumed} batches consumed (at most {allowed})");
                }
            }
            Assert.Equal(12, consumed);
            Assert.Equal(60, data.Started);
        }

        [Fact]
        public void Bad_arguments_name_the_value()
        {
            var data = new BlobDataset(4);
            Assert.Throws<ArgumentOutOfRangeException>(() => new BatchLoader(data, 0, 1, 1, 1, new DataWarnings()));
            Assert.Throws<ArgumentOutOfRangeException>(() => new BatchLoader(data, 2, -1, 1, 1, new DataWarnings()));
            Assert.Throws<ArgumentOutOfRangeException>(() => new BatchLoader(data, 2, 1, 0, 1, new DataWarnings()));
            Assert.Contains("multiple of 4", Assert.Throws<ArgumentException>(() => new BlobDataset(4, height: 30)).Message, StringComparison.Ordinal);
        }

        private sealed class CountingDataset : IPoseDataset
        {
            private readonly IPoseDataset _inner;
            private readonly object _gate = new object();
            private int _started;
            private int _finished;

            public CountingDataset(IPoseDataset inner) => _inner = inner;

            public int Started
            {
                get
                {
                    lock (_gate) return _started;
                }
            }

            /// <summary>Waits until at least <paramref name="started"/> loads have started and every started load has finished.</summary>
            public bool WaitSettled(int started, TimeSpan timeout)
            {
                var deadline = DateTime.UtcNow + timeout;
                lock (_gate)
                {
                    while (_started < started || _finished < _started)
                    {
                        var left = deadline - DateTime.UtcNow;
                        if (left <= TimeSpan.Zero || !Monitor.Wait(_gate, left)) return false;
                    }
                    return true;
                }
            }

            public int Count => _inner.Count;

            public SampleShape Shape => _inner.Shape;

            public bool TryLoad(int index, Random random, Span<float> image, Span<float> target, Span<float> targetWeight, out string? problem)
            {
                lock (_gate)
                {
                    _started++;
                    Monitor.PulseAll(_gate);
                }
                try
                {
                    return _inner.TryLoad(index, random, image, target, targetWeight, out problem);
                }
                finally
                {
                    lock (_gate)
                    {
                        _finished++;
                        Monitor.PulseAll(_gate);
                    }
                }
            }
        }
    }
}
