using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace PoseRT.Runtime.Model
{
    /// <summary>Order of colour channels a model expects in its input tensor.</summary>
    public enum ChannelOrder
    {
        /// <summary>Red, green, blue (torchvision / ImageNet convention).</summary>
        Rgb,

        /// <summary>Blue, green, red (OpenCV convention).</summary>
        Bgr,
    }
}
