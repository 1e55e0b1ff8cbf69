using System;
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
    /// <remarks>Immutable: one instance may be used from several threads with separate destinations. Allocates nothing.</remarks>
    internal sealed class CropSampler
    {
        private readonly int _width, _height;
        private readonly bool _modelRgb;
        // Per model channel: value = byte * scale + offset  ==  (byte / 255 - mean) / std.
        private readonly float _s0, _s1, _s2, _o0, _o1, _o2;

        /// <summary>A sampler for a model's input size, channel order and normalisation.</summary>
        public CropSampler(PoseModelInfo info)
        {
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
            float s0 = _s0, s1 = _s1, s2 = _s2, o0 = _o0, o1 = _o1, o2 = _o2;

            fixed (byte* src = image.Data)
            fixed (float* dst = destination)
            fixed (float* fdst = flipped)
            {
                for (int v = 0; v < h; v++)
                {
                    double bx = i01 * v + i02, by = i11 * v + i12;
                    float* d0 = dst + v * w;
                    float* f0 = fdst + v * w + (w - 1);
                    for (int u = 0; u < w; u++)
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
                            if (top && left)
                            {
                                byte* p = rowTop + x0 * bpp;
                                v0 += w00 * p[c0]; v1 += w00 * p[c1]; v2 += w00 * p[c2];
                            }
                            if (top && right)
                            {
                                byte* p = rowTop + (x0 + 1) * bpp;
                                v0 += w01 * p[c0]; v1 += w01 * p[c1]; v2 += w01 * p[c2];
                            }
                            if (bottom && left)
                            {
                                byte* p = rowBottom + x0 * bpp;
                                v0 += w10 * p[c0]; v1 += w10 * p[c1]; v2 += w10 * p[c2];
                            }
                            if (bottom && right)
                            {
                                byte* p = rowBottom + (x0 + 1) * bpp;
                                v0 += w11 * p[c0]; v1 += w11 * p[c1]; v2 += w11 * p[c2];
                            }
                        }
                        float n0 = v0 * s0 + o0, n1 = v1 * s1 + o1, n2 = v2 * s2 + o2;
                        d0[u] = n0; d0[plane + u] = n1; d0[2 * plane + u] = n2;
                        if (flip)
                        {
                            f0[-u] = n0; f0[plane - u] = n1; f0[2 * plane - u] = n2;
                        }
                    }
                }
            }
        }
    }
}
