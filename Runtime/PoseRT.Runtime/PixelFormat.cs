using System;

namespace PoseRT.Runtime
{
    /// <summary>Byte layout of one pixel in an <see cref="ImageView"/>.</summary>
    public enum PixelFormat
    {
        /// <summary>3 bytes: blue, green, red (OpenCV's default <c>Mat</c>).</summary>
        Bgr24,

        /// <summary>3 bytes: red, green, blue.</summary>
        Rgb24,

        /// <summary>4 bytes: blue, green, red, alpha (Windows bitmaps, Unity <c>TextureFormat.BGRA32</c>).</summary>
        Bgra32,

        /// <summary>4 bytes: red, green, blue, alpha (Unity <c>TextureFormat.RGBA32</c>, WebCamTexture colours).</summary>
        Rgba32,

        /// <summary>1 byte of luminance, copied to all three model channels.</summary>
        Gray8,
    }
}
