using System;
using PoseRT.Runtime.Model;

namespace PoseRT.Runtime
{
    /// <summary>How a heatmap peak is refined below one heatmap pixel.</summary>
    public enum PeakRefinement
    {
        /// <summary>The integer argmax only.</summary>
        None,

        /// <summary>
        /// SimpleBaselines / HRNet: move 0.25 px toward the higher neighbour in x and in y when
        /// 1 &lt; px &lt; W-1 and 1 &lt; py &lt; H-1 (strict). The paper's protocol; the default.
        /// </summary>
        QuarterOffset,

        /// <summary>
        /// DARK (Zhang et al., CVPR 2020): Gaussian-blur the map (sigma = the training targets' Gaussian sigma,
        /// zero padding, rescaled to the original peak), take the log and apply one Newton step from
        /// the argmax when 1 &lt; px &lt; W-2 and 1 &lt; py &lt; H-2. Needs a scratch buffer.
        /// </summary>
        Dark,
    }
}
