using System;
using System.Runtime.CompilerServices;
#if NET
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
#endif
using PoseRT.Runtime.Model;

namespace PoseRT.Runtime.Geometry
{
    /// <summary>
    /// Preprocessing: the affine crop (bilinear, black outside the image like cv2.warpAffine's
    /// constant border), normalisation ((byte / 255 - mean) / std in the model's channel order) and
    /// HWC -> CHW in one pass, written straight into a network input tensor, and the mirrored copy
    /// for the flip test in the same pass. <see cref="PoseEstimator"/> uses it for every frame; a
    /// trainer uses it with an augmented <see cref="CropTransform"/> so that training crops are made
    /// by the same code as inference crops.
    /// </summary>
    /// <remarks>
    /// Immutable: one instance may be used from several threads with separate destinations. Allocates nothing.
    /// On .NET with AVX2, runs of eight pixels whose neighbours all lie inside the image are sampled eight at a time
    /// (four 32-bit gathers), giving exactly the floats of the scalar path, which handles the border, the row ends and
    /// every other runtime (Mono, netstandard2.0).
    /// </remarks>
    internal sealed class CropSampler
    {
        private readonly int _width, _height;
        private readonly bool _modelRgb;
        // Per model channel: value = byte * scale + offset  ==  (byte / 255 - mean) / std.
        private readonly float _s0, _s1, _s2, _o0, _o1, _o2;
        private readonly bool _useSimd;

        /// <summary>A sampler for a model's input size, channel order and normalisation.</summary>
        public CropSampler(PoseModelInfo info) : this(info, vectorised: true)
        {
        }

        /// <summary>A sampler that may (where the CPU has AVX2) or may not use the vector path; tests compare the two.</summary>
        internal CropSampler(PoseModelInfo info, bool vectorised)
        {
            _useSimd = vectorised;
            if (info == null) throw new ArgumentNullException(nameof(info));
            info.Validate();
            _width = info.InputWidth;
            _height = info.InputHeight;
            _modelRgb = info.ChannelOrder == ChannelOrder.Rgb;
            _s0 = 1f / (255f * info.Std[0]);
            _s1 = 1f / (255f * info.Std[1]);
            _s2 = 1f / (255f * info.Std[2]);
            _o0 = -info.Mean[0] / info.Std[0];
            _o1 = -info.Mean[1] / info.Std[1];
            _o2 = -info.Mean[2] / info.Std[2];
        }

        /// <summary>Floats in one crop (3 * H * W).</summary>
        public int CropLength => 3 * _width * _height;

        /// <summary>
        /// Samples the crop of <paramref name="transform"/> into <paramref name="destination"/> (3 x H x W floats)
        /// and, when <paramref name="flipped"/> is not empty, its column mirror into <paramref name="flipped"/>.
        /// Input pixel (u, v) holds the image at <see cref="CropTransform.InputToImage"/>(u, v).
        /// </summary>
        /// <exception cref="ArgumentException">The transform is for another input size, or a destination is shorter than <see cref="CropLength"/>.</exception>
        public unsafe void Sample(in ImageView image, in CropTransform transform, Span<float> destination, Span<float> flipped = default)
        {
            int w = _width, h = _height, plane = w * h;
            if (transform.InputWidth != w || transform.InputHeight != h)
                throw new ArgumentException($"The crop transform is for a {transform.InputWidth}x{transform.InputHeight} input; this sampler makes {w}x{h}.", nameof(transform));
            if (destination.Length < 3 * plane) throw new ArgumentException($"A crop needs {3 * plane} floats; the destination has {destination.Length}.", nameof(destination));
            bool flip = !flipped.IsEmpty;
            if (flip && flipped.Length < 3 * plane) throw new ArgumentException($"A crop needs {3 * plane} floats; the flipped destination has {flipped.Length}.", nameof(flipped));

            int bpp = ImageView.BytesPerPixel(image.Format);
            int r, g, b;
            switch (image.Format)
            {
                case PixelFormat.Bgr24:
                case PixelFormat.Bgra32: r = 2; g = 1; b = 0; break;
                case PixelFormat.Gray8: r = 0; g = 0; b = 0; break;
                default: r = 0; g = 1; b = 2; break;
            }
            int c0 = _modelRgb ? r : b, c1 = g, c2 = _modelRgb ? b : r;
            int iw = image.Width, ih = image.Height, stride = image.Stride;
            bool bottomUp = image.BottomUp;
            transform.GetInverse(out double i00, out double i01, out double i02, out double i10, out double i11, out double i12);

            var source = new Source(iw, ih, stride, bpp, c0, c1, c2, bottomUp, _s0, _s1, _s2, _o0, _o1, _o2);
            fixed (byte* src = image.Data)
            fixed (float* dst = destination)
            fixed (float* fdst = flipped)
            {
                source.Pixels = src;
#if NET
                bool simd = _useSimd && Avx2.IsSupported;
                var norm = new Normalisation(_s0, _s1, _s2, _o0, _o1, _o2);
                // Lanes whose right neighbour's 4-byte read stays inside the row: x0 <= limit (see Block).
                int limit = (iw * bpp - 4) / bpp - 1;
#endif
                for (int v = 0; v < h; v++)
                {
                    double bx = i01 * v + i02, by = i11 * v + i12;
                    float* d0 = dst + v * w;
                    float* f0 = fdst + v * w + (w - 1);
                    int u = 0;
#if NET
                    if (simd)
                    {
                        for (; u + 8 <= w; u += 8)
                        {
                            // x and y are affine in u, so the block is inside when its first and last pixels are.
                            double xa = i00 * u + bx, ya = i10 * u + by, xb = i00 * (u + 7) + bx, yb = i10 * (u + 7) + by;
                            if (xa >= 0 && xb >= 0 && ya >= 0 && yb >= 0 && xa < limit + 1 && xb < limit + 1 && ya < ih - 1 && yb < ih - 1)
                                Block(in source, in norm, i00, i10, bx, by, u, d0, flip ? f0 : null, plane);
                            else
                                Run(in source, i00, i10, bx, by, d0, flip ? f0 : null, plane, u, u + 8);
                        }
                    }
#endif
                    Run(in source, i00, i10, bx, by, d0, flip ? f0 : null, plane, u, w);
                }
            }
        }

        /// <summary>The source image as the sampler reads it (layout, channel offsets in the model's order, the pinned pixels) and the normalisation.</summary>
        private unsafe struct Source
        {
            public readonly int Width, Height, Stride, Bpp, C0, C1, C2;
            public readonly bool BottomUp;
            public readonly float S0, S1, S2, O0, O1, O2;
            public byte* Pixels;

            public Source(int width, int height, int stride, int bpp, int c0, int c1, int c2, bool bottomUp,
                float s0, float s1, float s2, float o0, float o1, float o2)
            {
                Width = width; Height = height; Stride = stride; Bpp = bpp; C0 = c0; C1 = c1; C2 = c2; BottomUp = bottomUp;
                S0 = s0; S1 = s1; S2 = s2; O0 = o0; O1 = o1; O2 = o2;
                Pixels = null;
            }
        }

        /// <summary>
        /// Output pixels [<paramref name="from"/>, <paramref name="to"/>) of one row, the image point of column u being
        /// (i00 u + bx, i10 u + by): bilinear, black outside, normalised, stored in the three planes of <paramref name="d0"/>
        /// and, when <paramref name="f0"/> is not null, mirrored. The reference the vector path must equal bit for bit.
        /// </summary>
        private static unsafe void Run(in Source s, double i00, double i10, double bx, double by, float* d0, float* f0, int plane, int from, int to)
        {
            // Copied to locals once per run: the per-pixel loop below then keeps them in registers.
            int iw = s.Width, ih = s.Height, stride = s.Stride, bpp = s.Bpp, c0 = s.C0, c1 = s.C1, c2 = s.C2;
            bool bottomUp = s.BottomUp;
            float s0 = s.S0, s1 = s.S1, s2 = s.S2, o0 = s.O0, o1 = s.O1, o2 = s.O2;
            byte* src = s.Pixels;
            for (int u = from; u < to; u++)
            {
                double x = i00 * u + bx, y = i10 * u + by;
                float v0 = 0, v1 = 0, v2 = 0;
                if (x >= 0 && y >= 0 && x < iw - 1 && y < ih - 1)
                {
                    // All four neighbours inside: the common case, without per-neighbour checks.
                    int x0 = (int)x, y0 = (int)y;
                    float ax = (float)(x - x0), ay = (float)(y - y0);
                    byte* p = src + (long)(bottomUp ? ih - 1 - y0 : y0) * stride + x0 * bpp;
                    byte* q = bottomUp ? p - stride : p + stride;
                    float bx0 = 1 - ax, by0 = 1 - ay;
                    v0 = by0 * (bx0 * p[c0] + ax * p[bpp + c0]) + ay * (bx0 * q[c0] + ax * q[bpp + c0]);
                    v1 = by0 * (bx0 * p[c1] + ax * p[bpp + c1]) + ay * (bx0 * q[c1] + ax * q[bpp + c1]);
                    v2 = by0 * (bx0 * p[c2] + ax * p[bpp + c2]) + ay * (bx0 * q[c2] + ax * q[bpp + c2]);
                }
                else if (x > -1 && y > -1 && x < iw && y < ih)
                {
                    // On the border: neighbours outside the image count as black (cv2 BORDER_CONSTANT).
                    double fx = Math.Floor(x), fy = Math.Floor(y);
                    int x0 = (int)fx, y0 = (int)fy;
                    float ax = (float)(x - fx), ay = (float)(y - fy);
                    float w00 = (1 - ax) * (1 - ay), w01 = ax * (1 - ay), w10 = (1 - ax) * ay, w11 = ax * ay;
                    bool left = x0 >= 0, right = x0 + 1 < iw, top = y0 >= 0, bottom = y0 + 1 < ih;
                    byte* rowTop = top ? src + (long)(bottomUp ? ih - 1 - y0 : y0) * stride : null;
                    byte* rowBottom = bottom ? src + (long)(bottomUp ? ih - 2 - y0 : y0 + 1) * stride : null;
                    if (top && left) Accumulate(rowTop + x0 * bpp, w00, c0, c1, c2, ref v0, ref v1, ref v2);
                    if (top && right) Accumulate(rowTop + (x0 + 1) * bpp, w01, c0, c1, c2, ref v0, ref v1, ref v2);
                    if (bottom && left) Accumulate(rowBottom + x0 * bpp, w10, c0, c1, c2, ref v0, ref v1, ref v2);
                    if (bottom && right) Accumulate(rowBottom + (x0 + 1) * bpp, w11, c0, c1, c2, ref v0, ref v1, ref v2);
                }
                float n0 = v0 * s0 + o0, n1 = v1 * s1 + o1, n2 = v2 * s2 + o2;
                d0[u] = n0; d0[plane + u] = n1; d0[2 * plane + u] = n2;
                if (f0 != null)
                {
                    f0[-u] = n0; f0[plane - u] = n1; f0[2 * plane - u] = n2;
                }
            }
        }

        /// <summary>Adds one neighbour's three channels, weighted, to the border pixel's sums.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static unsafe void Accumulate(byte* p, float weight, int c0, int c1, int c2, ref float v0, ref float v1, ref float v2)
        {
            v0 += weight * p[c0];
            v1 += weight * p[c1];
            v2 += weight * p[c2];
        }

#if NET
        /// <summary>Per model channel, value = byte * scale + offset, broadcast for the vector path.</summary>
        private readonly struct Normalisation
        {
            public readonly Vector256<float> S0, S1, S2, O0, O1, O2;

            public Normalisation(float s0, float s1, float s2, float o0, float o1, float o2)
            {
                S0 = Vector256.Create(s0); S1 = Vector256.Create(s1); S2 = Vector256.Create(s2);
                O0 = Vector256.Create(o0); O1 = Vector256.Create(o1); O2 = Vector256.Create(o2);
            }
        }

        /// <summary>
        /// Eight interior pixels u..u+7 of one row with AVX2: the same operations in the same order as <see cref="Run"/>'s
        /// interior case (so the same floats), with each neighbour's bytes fetched by one 32-bit gather. The caller checked
        /// that every lane is interior and that the 4 bytes read at the right neighbour stay inside its row.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static unsafe void Block(in Source s, in Normalisation n, double i00, double i10, double bx, double by, int u,
            float* d0, float* f0, int plane)
        {
            var lo = Vector256.Create((double)u, u + 1, u + 2, u + 3);
            var hi = Vector256.Create((double)(u + 4), u + 5, u + 6, u + 7);
            Vector256<double> m00 = Vector256.Create(i00), m10 = Vector256.Create(i10), vbx = Vector256.Create(bx), vby = Vector256.Create(by);
            Vector256<double> xLo = m00 * lo + vbx, xHi = m00 * hi + vbx, yLo = m10 * lo + vby, yHi = m10 * hi + vby;
            // Lanes are >= 0 here, so truncation is the floor.
            Vector128<int> x0Lo = Avx.ConvertToVector128Int32WithTruncation(xLo), x0Hi = Avx.ConvertToVector128Int32WithTruncation(xHi);
            Vector128<int> y0Lo = Avx.ConvertToVector128Int32WithTruncation(yLo), y0Hi = Avx.ConvertToVector128Int32WithTruncation(yHi);
            Vector256<float> ax = Vector256.Create(
                Avx.ConvertToVector128Single(xLo - Avx.ConvertToVector256Double(x0Lo)),
                Avx.ConvertToVector128Single(xHi - Avx.ConvertToVector256Double(x0Hi)));
            Vector256<float> ay = Vector256.Create(
                Avx.ConvertToVector128Single(yLo - Avx.ConvertToVector256Double(y0Lo)),
                Avx.ConvertToVector128Single(yHi - Avx.ConvertToVector256Double(y0Hi)));
            Vector256<int> x0 = Vector256.Create(x0Lo, x0Hi), y0 = Vector256.Create(y0Lo, y0Hi);
            Vector256<int> rows = s.BottomUp ? Vector256.Create(s.Height - 1) - y0 : y0;
            Vector256<int> p = Avx2.MultiplyLow(rows, Vector256.Create(s.Stride)) + Avx2.MultiplyLow(x0, Vector256.Create(s.Bpp));
            Vector256<int> q = p + Vector256.Create(s.BottomUp ? -s.Stride : s.Stride);
            Vector256<int> right = Vector256.Create(s.Bpp);
            int* src = (int*)s.Pixels;
            Vector256<int> g00 = Avx2.GatherVector256(src, p, 1), g01 = Avx2.GatherVector256(src, p + right, 1);
            Vector256<int> g10 = Avx2.GatherVector256(src, q, 1), g11 = Avx2.GatherVector256(src, q + right, 1);
            Vector256<float> bx0 = Vector256<float>.One - ax, by0 = Vector256<float>.One - ay;
            Vector256<float> v0 = Channel(g00, g01, g10, g11, s.C0, ax, ay, bx0, by0) * n.S0 + n.O0;
            Vector256<float> v1 = Channel(g00, g01, g10, g11, s.C1, ax, ay, bx0, by0) * n.S1 + n.O1;
            Vector256<float> v2 = Channel(g00, g01, g10, g11, s.C2, ax, ay, bx0, by0) * n.S2 + n.O2;
            v0.Store(d0 + u); v1.Store(d0 + plane + u); v2.Store(d0 + 2 * plane + u);
            if (f0 != null)
            {
                // Column u + j goes to f0[-(u + j)]: the eight lanes reversed, stored from f0 - u - 7.
                Vector256<int> reverse = Vector256.Create(7, 6, 5, 4, 3, 2, 1, 0);
                Avx2.PermuteVar8x32(v0, reverse).Store(f0 - u - 7);
                Avx2.PermuteVar8x32(v1, reverse).Store(f0 + plane - u - 7);
                Avx2.PermuteVar8x32(v2, reverse).Store(f0 + 2 * plane - u - 7);
            }
        }

        /// <summary>One channel's bilinear value from the four gathered neighbours, as <see cref="Run"/> computes it.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector256<float> Channel(Vector256<int> g00, Vector256<int> g01, Vector256<int> g10, Vector256<int> g11, int channel,
            Vector256<float> ax, Vector256<float> ay, Vector256<float> bx0, Vector256<float> by0)
        {
            int shift = 8 * channel;
            Vector256<int> mask = Vector256.Create(0xFF);
            Vector256<float> p0 = Avx.ConvertToVector256Single(Vector256.ShiftRightLogical(g00, shift) & mask);
            Vector256<float> p1 = Avx.ConvertToVector256Single(Vector256.ShiftRightLogical(g01, shift) & mask);
            Vector256<float> q0 = Avx.ConvertToVector256Single(Vector256.ShiftRightLogical(g10, shift) & mask);
            Vector256<float> q1 = Avx.ConvertToVector256Single(Vector256.ShiftRightLogical(g11, shift) & mask);
            return by0 * (bx0 * p0 + ax * p1) + ay * (bx0 * q0 + ax * q1);
        }
#endif
    }
}
