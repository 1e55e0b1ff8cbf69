using System;

namespace PoseRT.Runtime
{
    /// <summary>
    /// A read-only view of 8-bit image memory the caller owns: bytes, size, row stride and pixel
    /// format. Nothing is copied; the view lives on the stack, so it cannot outlive the call it is
    /// passed to.
    /// </summary>
    public readonly ref struct ImageView
    {
        /// <summary>
        /// Wraps image bytes.
        /// </summary>
        /// <param name="data">Pixel bytes; at least <c>stride * (height - 1) + width * bytesPerPixel</c> long.</param>
        /// <param name="width">Width in pixels.</param>
        /// <param name="height">Height in pixels.</param>
        /// <param name="stride">Bytes from one row to the next (at least width * bytes per pixel); 0 means tightly packed.</param>
        /// <param name="format">Pixel layout.</param>
        /// <param name="bottomUp">
        /// True when the first row in memory is the bottom of the picture (Unity textures, Windows DIBs).
        /// Poses are still reported with y growing downward from the picture's top.
        /// </param>
        /// <exception cref="ArgumentException">The size, stride or buffer length does not fit; the message names the value.</exception>
        public ImageView(ReadOnlySpan<byte> data, int width, int height, int stride, PixelFormat format, bool bottomUp = false)
        {
            int bpp = BytesPerPixel(format);
            if (width <= 0 || height <= 0)
                throw new ArgumentException($"Image size {width}x{height} must be positive.", nameof(width));
            // In 64 bits: width * bytes per pixel overflows int for a huge width, and a negative row would pass the length check below.
            long rowBytes = (long)width * bpp;
            if (rowBytes > int.MaxValue)
                throw new ArgumentException($"Image width {width} is too large: a row of {format} pixels would need {rowBytes} bytes.", nameof(width));
            if (stride == 0) stride = (int)rowBytes;
            if (stride < rowBytes)
                throw new ArgumentException($"Stride {stride} is shorter than a row of {width} {format} pixels ({rowBytes} bytes).", nameof(stride));
            long needed = (long)stride * (height - 1) + rowBytes;
            if (data.Length < needed)
                throw new ArgumentException($"A {width}x{height} {format} image with stride {stride} needs {needed} bytes; the buffer has {data.Length}.", nameof(data));
            Data = data;
            Width = width;
            Height = height;
            Stride = stride;
            Format = format;
            BottomUp = bottomUp;
        }

        /// <summary>The pixel bytes.</summary>
        public ReadOnlySpan<byte> Data { get; }

        /// <summary>Width in pixels.</summary>
        public int Width { get; }

        /// <summary>Height in pixels.</summary>
        public int Height { get; }

        /// <summary>Bytes from one row to the next.</summary>
        public int Stride { get; }

        /// <summary>Pixel layout.</summary>
        public PixelFormat Format { get; }

        /// <summary>True when the first row in memory is the picture's bottom row.</summary>
        public bool BottomUp { get; }

        /// <summary>Throws the one error for a default (empty) view, naming <paramref name="paramName"/>.</summary>
        internal void ThrowIfEmpty(string paramName)
        {
            if (Width <= 0 || Height <= 0)
                throw new ArgumentException("The image is empty (a default ImageView); construct it with its bytes and size.", paramName);
        }

        /// <summary>Bytes per pixel of a format (3, 4 or 1).</summary>
        public static int BytesPerPixel(PixelFormat format) => format switch
        {
            PixelFormat.Bgr24 => 3,
            PixelFormat.Rgb24 => 3,
            PixelFormat.Bgra32 => 4,
            PixelFormat.Rgba32 => 4,
            PixelFormat.Gray8 => 1,
            _ => throw new ArgumentOutOfRangeException(nameof(format), format, "Unknown pixel format."),
        };
    }
}
