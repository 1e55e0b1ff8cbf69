using System;
using System.Buffers.Binary;
using System.Globalization;
using System.IO;
using OpenCvSharp;

namespace PoseRT.Vision
{
    /// <summary>
    /// Reads image files with a bound on their size and with errors that name the file. The size in the header
    /// of a PNG, JPEG or BMP is checked before anything is decoded, so a file that claims 100000x100000 pixels is
    /// refused in microseconds instead of asking for 30 GB; OpenCV's own failures become the same kind of error.
    /// </summary>
    public static class ImageFiles
    {
        /// <summary>The largest image read, in pixels (100 megapixels: 300 MB as BGR).</summary>
        public const long MaxPixels = 100_000_000;

        /// <summary>
        /// Reads <paramref name="path"/> as 8-bit BGR. Throws <see cref="InvalidDataException"/> naming the file when
        /// its header claims more than <see cref="MaxPixels"/> pixels or a zero size, or when OpenCV cannot decode it;
        /// <see cref="FileNotFoundException"/> when it does not exist.
        /// </summary>
        public static Mat ReadBgr(string path)
        {
            if (path == null) throw new ArgumentNullException(nameof(path));
            if (!File.Exists(path)) throw new FileNotFoundException($"Image file '{path}' does not exist.", path);
            OpenCvNative.EnsureAvailable();
            if (TryReadSize(path, out int width, out int height))
            {
                if (width <= 0 || height <= 0)
                    throw new InvalidDataException($"Image file '{path}' has a header size of {width}x{height} pixels: not an image.");
                if ((long)width * height > MaxPixels)
                    throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                        $"Image file '{path}' claims {width}x{height} pixels, more than the {MaxPixels / 1_000_000} megapixels PoseRT reads; not decoded."));
            }
            if (IsTruncated(path, out string format))
                throw new InvalidDataException($"Image file '{path}' is truncated or corrupt: the {format} file has no end marker (a decoder would fill the missing part with grey).");
            Mat image;
            try
            {
                image = Cv2.ImRead(path, ImreadModes.Color);
            }
            catch (OpenCVException e)
            {
                throw new InvalidDataException($"Image file '{path}' cannot be decoded: {e.Message}", e);
            }
            if (image.Empty())
            {
                image.Dispose();
                throw new InvalidDataException($"Image file '{path}' cannot be decoded (corrupt, truncated or not an image format OpenCV reads).");
            }
            if ((long)image.Width * image.Height > MaxPixels)
            {
                int w = image.Width, h = image.Height;
                image.Dispose();
                throw new InvalidDataException($"Image file '{path}' is {w}x{h} pixels, more than the {MaxPixels / 1_000_000} megapixels PoseRT reads.");
            }
            return image;
        }

        /// <summary>
        /// The width and height a PNG, JPEG or BMP file's header states, without decoding it; false for other
        /// formats and for headers too short or malformed to say (the decoder then decides).
        /// </summary>
        public static bool TryReadSize(string path, out int width, out int height)
        {
            width = height = 0;
            var head = new byte[64 * 1024];
            int n;
            using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1))
            {
                n = ReadUpTo(stream, head);
            }
            return TryReadSize(head.AsSpan(0, n), out width, out height);
        }

        /// <summary>As <see cref="TryReadSize(string, out int, out int)"/> for the first bytes of a file.</summary>
        public static bool TryReadSize(ReadOnlySpan<byte> head, out int width, out int height)
        {
            width = height = 0;
            // PNG: signature, then the IHDR chunk: length, "IHDR", width, height (big-endian).
            if (head.Length >= 24 && head[0] == 0x89 && head[1] == (byte)'P' && head[2] == (byte)'N' && head[3] == (byte)'G')
            {
                long w = BinaryPrimitives.ReadUInt32BigEndian(head.Slice(16, 4)), h = BinaryPrimitives.ReadUInt32BigEndian(head.Slice(20, 4));
                width = (int)Math.Min(w, int.MaxValue);
                height = (int)Math.Min(h, int.MaxValue);
                return true;
            }
            // BMP: "BM", then width and height (signed; negative height means top-down) at 18 and 22.
            if (head.Length >= 26 && head[0] == (byte)'B' && head[1] == (byte)'M')
            {
                width = BinaryPrimitives.ReadInt32LittleEndian(head.Slice(18, 4));
                int h = BinaryPrimitives.ReadInt32LittleEndian(head.Slice(22, 4));
                height = h == int.MinValue ? int.MaxValue : Math.Abs(h);
                return true;
            }
            // JPEG: segments after SOI until a start-of-frame marker, which holds height and width.
            if (head.Length >= 4 && head[0] == 0xFF && head[1] == 0xD8)
            {
                int i = 2;
                while (i + 3 < head.Length)
                {
                    if (head[i] != 0xFF) return false;
                    byte marker = head[i + 1];
                    if (marker == 0xFF)
                    {
                        i++;
                        continue;
                    }
                    if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7))
                    {
                        i += 2;
                        continue;
                    }
                    int length = BinaryPrimitives.ReadUInt16BigEndian(head.Slice(i + 2, 2));
                    bool startOfFrame = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
                    if (startOfFrame)
                    {
                        if (i + 9 > head.Length) return false;
                        height = BinaryPrimitives.ReadUInt16BigEndian(head.Slice(i + 5, 2));
                        width = BinaryPrimitives.ReadUInt16BigEndian(head.Slice(i + 7, 2));
                        return true;
                    }
                    if (marker == 0xDA || marker == 0xD9 || length < 2) return false;
                    i += 2 + length;
                }
            }
            return false;
        }

        /// <summary>
        /// True for a JPEG without an end-of-image marker (FF D9) in its last 4 KiB, or a PNG without its IEND chunk
        /// at the end: files cut short, which libjpeg and libpng decode with a warning only.
        /// </summary>
        public static bool IsTruncated(string path, out string format)
        {
            format = "";
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1);
            var head = new byte[8];
            if (ReadUpTo(stream, head) < 8) return false;
            bool jpeg = head[0] == 0xFF && head[1] == 0xD8;
            bool png = head[0] == 0x89 && head[1] == (byte)'P' && head[2] == (byte)'N' && head[3] == (byte)'G';
            if (!jpeg && !png) return false;
            format = jpeg ? "JPEG" : "PNG";
            int tailLength = (int)Math.Min(stream.Length, jpeg ? 4096 : 64);
            var tail = new byte[tailLength];
            stream.Seek(-tailLength, SeekOrigin.End);
            int n = ReadUpTo(stream, tail);
            ReadOnlySpan<byte> end = tail.AsSpan(0, n);
            ReadOnlySpan<byte> marker = jpeg ? stackalloc byte[] { 0xFF, 0xD9 } : stackalloc byte[] { (byte)'I', (byte)'E', (byte)'N', (byte)'D' };
            return end.LastIndexOf(marker) < 0;
        }

        private static int ReadUpTo(Stream stream, byte[] buffer)
        {
            int total = 0;
            while (total < buffer.Length)
            {
                int read = stream.Read(buffer, total, buffer.Length - total);
                if (read == 0) break;
                total += read;
            }
            return total;
        }
    }
}
