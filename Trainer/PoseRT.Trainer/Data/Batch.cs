using System;
using TorchSharp;
using static TorchSharp.torch;

namespace PoseRT.Trainer.Data
{
    /// <summary>
    /// One batch of samples in pooled buffers. Dispose it to hand the buffers back to its loader;
    /// <see cref="ToTensors"/> copies, so the tensors outlive the batch.
    /// </summary>
    public sealed class Batch : IDisposable
    {
        private readonly Action<Batch>? _release;

        internal Batch(SampleShape shape, int capacity, Action<Batch>? release)
        {
            Shape = shape;
            Capacity = capacity;
            Images = new float[capacity * shape.ImageLength];
            Targets = new float[capacity * shape.TargetLength];
            Weights = new float[capacity * shape.Joints];
            Indices = new int[capacity];
            Loaded = new bool[capacity];
            _release = release;
        }

        /// <summary>Sample sizes.</summary>
        public SampleShape Shape { get; }

        /// <summary>Most samples the buffers hold.</summary>
        public int Capacity { get; }

        /// <summary>Usable samples in this batch (bad ones are compacted away).</summary>
        public int Count { get; internal set; }

        /// <summary>Position of this batch in its epoch (0-based).</summary>
        public int Number { get; internal set; }

        /// <summary>Samples that were scheduled but skipped as unusable.</summary>
        public int Skipped { get; internal set; }

        /// <summary>Images, NCHW, first <see cref="Count"/> samples valid.</summary>
        public float[] Images { get; }

        /// <summary>Heatmap targets, N x J x h x w.</summary>
        public float[] Targets { get; }

        /// <summary>Per-joint target weights, N x J.</summary>
        public float[] Weights { get; }

        /// <summary>Data set index of each sample.</summary>
        public int[] Indices { get; }

        internal bool[] Loaded { get; }

        /// <summary>Copies the valid samples into new tensors on <paramref name="device"/>: input (N,C,H,W), target (N,J,h,w), weight (N,J,1).</summary>
        public (Tensor Input, Tensor Target, Tensor Weight) ToTensors(Device device)
        {
            var s = Shape;
            int n = Count;
            var input = Copy(Images, n * s.ImageLength, new long[] { n, s.Channels, s.Height, s.Width }, device);
            var target = Copy(Targets, n * s.TargetLength, new long[] { n, s.Joints, s.HeatmapHeight, s.HeatmapWidth }, device);
            var weight = Copy(Weights, n * s.Joints, new long[] { n, s.Joints, 1 }, device);
            return (input, target, weight);
        }

        private static Tensor Copy(float[] source, int length, long[] shape, Device device)
        {
            // torch.empty + copy into its storage: the tensor must not alias the pooled array,
            // which the loader reuses for a later batch.
            var t = torch.empty(shape, ScalarType.Float32);
            using (var view = t.data<float>()) view.CopyFrom(new ReadOnlySpan<float>(source, 0, length), 0, 0);
            if (device.type == DeviceType.CPU) return t;
            using (t) return t.to(device);
        }

        /// <summary>Returns the buffers to the loader's pool.</summary>
        public void Dispose() => _release?.Invoke(this);
    }
}
