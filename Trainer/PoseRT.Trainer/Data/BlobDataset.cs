using System;
using PoseRT.Runtime;
using PoseRT.Runtime.Geometry;

namespace PoseRT.Trainer.Data
{
    /// <summary>
    /// Generated tensors for exercising the training machinery without images: each sample shows one
    /// coloured Gaussian blob per joint on a noisy background, and the target is the codec's heatmap peaked at
    /// the blob. Learnable by a small conv net in a few hundred steps, cheap enough for CI, and it uses the
    /// per-sample random source (shift, flip, noise) so determinism and resume are really tested.
    /// </summary>
    public sealed class BlobDataset : IPoseDataset
    {
        private readonly int _count;
        private readonly int _dataSeed;
        private readonly HeatmapCodec _codec;

        /// <summary>Creates <paramref name="count"/> samples of 3 x <paramref name="height"/> x <paramref name="width"/> with <paramref name="joints"/> joints (heatmaps at stride 4).</summary>
        public BlobDataset(int count, int joints = 4, int height = 32, int width = 32, int dataSeed = 1)
        {
            if (count <= 0) throw new ArgumentOutOfRangeException(nameof(count), count, "Need at least one sample.");
            if (joints <= 0 || joints > 32) throw new ArgumentOutOfRangeException(nameof(joints), joints, "Joints must be 1..32.");
            if (height % 4 != 0 || width % 4 != 0 || height < 16 || width < 16)
                throw new ArgumentException($"Image size {width}x{height} must be a multiple of 4 and at least 16.");
            _count = count;
            _dataSeed = dataSeed;
            Shape = new SampleShape(3, height, width, joints, height / 4, width / 4);
            // Targets come from the Runtime's codec, like the COCO set's; sigma 1 suits the small 8x8 maps.
            _codec = new HeatmapCodec(width, height, width / 4, height / 4, sigma: 1f);
        }

        /// <inheritdoc />
        public int Count => _count;

        /// <inheritdoc />
        public SampleShape Shape { get; }

        /// <inheritdoc />
        public bool TryLoad(int index, Random random, Span<float> image, Span<float> target, Span<float> targetWeight, out string? problem)
        {
            if ((uint)index >= (uint)_count) throw new ArgumentOutOfRangeException(nameof(index), index, $"Index outside 0..{_count - 1}.");
            var s = Shape;
            // Where the blobs are is fixed per index; how they are shifted/flipped/noised comes from the epoch's random source.
            var layout = new Random(SampleRandom.DeriveSeed(_dataSeed, -7, index));
            bool flip = random.NextDouble() < 0.5;
            float dx = (float)(random.NextDouble() * 4 - 2), dy = (float)(random.NextDouble() * 4 - 2);
            float noise = (float)(0.05 + 0.1 * random.NextDouble());

            for (int i = 0; i < image.Length; i++) image[i] = noise * (float)(random.NextDouble() - 0.5);
            Span<float> joints = stackalloc float[3 * 32];
            for (int j = 0; j < s.Joints; j++)
            {
                float x = 3 + (float)layout.NextDouble() * (s.Width - 6) + dx;
                float y = 3 + (float)layout.NextDouble() * (s.Height - 6) + dy;
                if (flip) x = s.Width - 1 - x;
                // A flip mirrors the picture and swaps the labels of joint pairs (0,1), (2,3), ... like COCO's
                // left/right pairs; the colour follows the label, so the mapping stays learnable.
                int label = flip && (j ^ 1) < s.Joints ? j ^ 1 : j;
                int colour = label % 3;
                float gain = 1f + (label / 3) * 0.5f;
                Splat(image.Slice(colour * s.Height * s.Width, s.Height * s.Width), s.Width, s.Height, x, y, 1.5f, gain);
                joints[3 * label] = x;
                joints[3 * label + 1] = y;
                joints[3 * label + 2] = 2;
            }
            _codec.Encode(joints[..(3 * s.Joints)], target, targetWeight);
            problem = null;
            return true;
        }

        // Draws a blob into an image plane (the picture, not the target: targets come from the codec).
        private static void Splat(Span<float> plane, int w, int h, float cx, float cy, float sigma, float gain)
        {
            float inv = 1f / (2 * sigma * sigma);
            for (int y = 0; y < h; y++)
            {
                float ddy = (y - cy) * (y - cy);
                for (int x = 0; x < w; x++)
                {
                    float v = gain * MathF.Exp(-((x - cx) * (x - cx) + ddy) * inv);
                    ref float p = ref plane[y * w + x];
                    if (v > p) p = v;
                }
            }
        }
    }
}
