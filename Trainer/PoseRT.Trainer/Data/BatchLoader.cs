using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;

namespace PoseRT.Trainer.Data
{
    /// <summary>
    /// Loads batches on a pool of worker threads with a bounded prefetch queue. The batches of an epoch come
    /// out in a fixed order, and each sample is a pure function of (seed, epoch, index) written into a fixed
    /// slot, so the result does not depend on the worker count or on thread timing.
    /// </summary>
    public sealed class BatchLoader : IDisposable
    {
        private readonly IPoseDataset _dataset;
        private readonly long _seed;
        private readonly DataWarnings _warnings;
        private readonly BlockingCollection<Job>? _jobs;
        private readonly Thread[] _threads;
        private readonly ConcurrentBag<Batch> _pool = new();
        private bool _disposed;

        /// <summary>Creates the loader and starts <paramref name="workers"/> threads (0 = load on the caller's thread).</summary>
        public BatchLoader(IPoseDataset dataset, int batchSize, int workers, int prefetch, long seed, DataWarnings warnings)
        {
            if (dataset.Count <= 0) throw new ArgumentException("The training set is empty: no usable samples.", nameof(dataset));
            if (batchSize <= 0) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "Batch size must be positive.");
            if (workers < 0) throw new ArgumentOutOfRangeException(nameof(workers), workers, "Worker count must be >= 0.");
            if (prefetch <= 0) throw new ArgumentOutOfRangeException(nameof(prefetch), prefetch, "Prefetch must be >= 1 batch.");
            _dataset = dataset;
            BatchSize = batchSize;
            Prefetch = prefetch;
            _seed = seed;
            _warnings = warnings;
            _threads = new Thread[workers];
            if (workers > 0)
            {
                _jobs = new BlockingCollection<Job>();
                for (int i = 0; i < workers; i++)
                {
                    _threads[i] = new Thread(WorkerLoop) { IsBackground = true, Name = "posert-data-" + i };
                    _threads[i].Start();
                }
            }
        }

        /// <summary>Samples per batch (the last batch of an epoch may be smaller).</summary>
        public int BatchSize { get; }

        /// <summary>Batches loaded ahead of the consumer at most.</summary>
        public int Prefetch { get; }

        /// <summary>Batches in one epoch (the last one partial; nothing is dropped).</summary>
        public int BatchesPerEpoch => (_dataset.Count + BatchSize - 1) / BatchSize;

        /// <summary>
        /// The batches of <paramref name="epoch"/> from <paramref name="startBatch"/> on (used by resume).
        /// Dispose each batch before asking for more than <see cref="Prefetch"/> further ones.
        /// </summary>
        public IEnumerable<Batch> Epoch(int epoch, int startBatch = 0, CancellationToken cancel = default)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            int[] order = SampleRandom.EpochOrder(_seed, epoch, _dataset.Count);
            int total = BatchesPerEpoch;
            var inFlight = new Queue<Pending>();
            int next = startBatch;
            try
            {
                while (next < total && inFlight.Count < Prefetch) inFlight.Enqueue(Schedule(order, epoch, next++));
                while (inFlight.Count > 0)
                {
                    var pending = inFlight.Dequeue();
                    WaitHandle.WaitAny(new[] { pending.Done.WaitHandle, cancel.WaitHandle });
                    cancel.ThrowIfCancellationRequested();
                    pending.Done.Dispose();
                    if (next < total) inFlight.Enqueue(Schedule(order, epoch, next++));
                    Compact(pending.Batch);
                    yield return pending.Batch;
                }
            }
            finally
            {
                // Abandoned epoch (exception, cancellation, early break): wait for the workers to finish the
                // batches they were given so their buffers are not written after being reused.
                while (inFlight.Count > 0)
                {
                    var p = inFlight.Dequeue();
                    p.Done.Wait();
                    p.Done.Dispose();
                    p.Batch.Dispose();
                }
            }
        }

        private Pending Schedule(int[] order, int epoch, int number)
        {
            int start = number * BatchSize;
            int n = Math.Min(BatchSize, order.Length - start);
            var batch = Rent();
            batch.Number = number;
            batch.Count = n;
            batch.Skipped = 0;
            var done = new CountdownEvent(n);
            for (int slot = 0; slot < n; slot++)
            {
                var job = new Job(batch, slot, order[start + slot], epoch, done);
                if (_jobs != null) _jobs.Add(job);
                else Run(job);
            }
            return new Pending(batch, done);
        }

        private void WorkerLoop()
        {
            foreach (var job in _jobs!.GetConsumingEnumerable()) Run(job);
        }

        private void Run(Job job)
        {
            var b = job.Batch;
            var s = b.Shape;
            b.Indices[job.Slot] = job.Index;
            var image = b.Images.AsSpan(job.Slot * s.ImageLength, s.ImageLength);
            var target = b.Targets.AsSpan(job.Slot * s.TargetLength, s.TargetLength);
            var weight = b.Weights.AsSpan(job.Slot * s.Joints, s.Joints);
            bool ok;
            try
            {
                ok = _dataset.TryLoad(job.Index, SampleRandom.ForSample(_seed, job.Epoch, job.Index), image, target, weight, out string? problem);
                if (!ok) _warnings.Add("unusable sample", $"sample {job.Index}: {problem ?? "no reason given"}");
            }
#pragma warning disable CA1031 // A bad sample must never end the epoch: it is counted and skipped.
            catch (Exception e)
#pragma warning restore CA1031
            {
                ok = false;
                _warnings.Add("failed sample", $"sample {job.Index}: {e.GetType().Name}: {e.Message}");
            }
            b.Loaded[job.Slot] = ok;
            job.Done.Signal();
        }

        private static void Compact(Batch b)
        {
            var s = b.Shape;
            int w = 0;
            for (int r = 0; r < b.Count; r++)
            {
                if (!b.Loaded[r]) continue;
                if (w != r)
                {
                    Array.Copy(b.Images, r * s.ImageLength, b.Images, w * s.ImageLength, s.ImageLength);
                    Array.Copy(b.Targets, r * s.TargetLength, b.Targets, w * s.TargetLength, s.TargetLength);
                    Array.Copy(b.Weights, r * s.Joints, b.Weights, w * s.Joints, s.Joints);
                    b.Indices[w] = b.Indices[r];
                }
                w++;
            }
            b.Skipped = b.Count - w;
            b.Count = w;
        }

        private Batch Rent() => _pool.TryTake(out var b) ? b : new Batch(_dataset.Shape, BatchSize, _pool.Add);

        /// <summary>Stops the worker threads.</summary>
        public void Dispose()
        {
            if (_disposed) return;
            _disposed = true;
            if (_jobs != null)
            {
                _jobs.CompleteAdding();
                foreach (var t in _threads) t.Join();
                _jobs.Dispose();
            }
        }

        private readonly record struct Job(Batch Batch, int Slot, int Index, int Epoch, CountdownEvent Done);

        private readonly record struct Pending(Batch Batch, CountdownEvent Done);
    }
}
