using System;
using System.Collections.Generic;
using System.Text.Json;

using PoseRT.IO;

namespace PoseRT.Coco
{
    /// <summary>
    /// The 10 summary numbers of pycocotools' keypoint evaluation, in its order. A value of -1 means
    /// "undefined" (no ground truth in that area range), exactly as pycocotools prints it.
    /// </summary>
    /// <param name="AP">AP at OKS 0.50:0.95, all areas, 20 detections per image.</param>
    /// <param name="AP50">AP at OKS 0.50.</param>
    /// <param name="AP75">AP at OKS 0.75.</param>
    /// <param name="APm">AP for medium persons (32² to 96² pixels).</param>
    /// <param name="APl">AP for large persons (above 96² pixels).</param>
    /// <param name="AR">Recall at OKS 0.50:0.95, all areas.</param>
    /// <param name="AR50">Recall at OKS 0.50.</param>
    /// <param name="AR75">Recall at OKS 0.75.</param>
    /// <param name="ARm">Recall for medium persons.</param>
    /// <param name="ARl">Recall for large persons.</param>
    public readonly record struct CocoKeypointStats(
        double AP, double AP50, double AP75, double APm, double APl,
        double AR, double AR50, double AR75, double ARm, double ARl)
    {
        private static readonly string[] NameArray = { "AP", "AP50", "AP75", "APm", "APl", "AR", "AR50", "AR75", "ARm", "ARl" };

        private static readonly string[] DescriptionArray =
        {
            "Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets= 20 ]",
            "Average Precision  (AP) @[ IoU=0.50      | area=   all | maxDets= 20 ]",
            "Average Precision  (AP) @[ IoU=0.75      | area=   all | maxDets= 20 ]",
            "Average Precision  (AP) @[ IoU=0.50:0.95 | area=medium | maxDets= 20 ]",
            "Average Precision  (AP) @[ IoU=0.50:0.95 | area= large | maxDets= 20 ]",
            "Average Recall     (AR) @[ IoU=0.50:0.95 | area=   all | maxDets= 20 ]",
            "Average Recall     (AR) @[ IoU=0.50      | area=   all | maxDets= 20 ]",
            "Average Recall     (AR) @[ IoU=0.75      | area=   all | maxDets= 20 ]",
            "Average Recall     (AR) @[ IoU=0.50:0.95 | area=medium | maxDets= 20 ]",
            "Average Recall     (AR) @[ IoU=0.50:0.95 | area= large | maxDets= 20 ]",
        };

        /// <summary>The short names, in order: AP, AP50, AP75, APm, APl, AR, AR50, AR75, ARm, ARl.</summary>
        public static IReadOnlyList<string> Names => NameArray;

        /// <summary>pycocotools' line labels for the 10 numbers (its <c>summarize()</c> print-out).</summary>
        public static IReadOnlyList<string> Descriptions => DescriptionArray;

        /// <summary>The 10 values in order.</summary>
        public double[] ToArray() => new[] { AP, AP50, AP75, APm, APl, AR, AR50, AR75, ARm, ARl };

        /// <summary>
        /// Writes the stats as one JSON object with keys AP, AP50, AP75, APm, APl, AR, AR50, AR75, ARm, ARl
        /// (full precision), atomically.
        /// </summary>
        public void Save(string path)
        {
            ArgumentNullException.ThrowIfNull(path);
            var values = ToArray();
            AtomicFile.Write(path, durable: true, write: stream =>
            {
                using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
                w.WriteStartObject();
                for (int i = 0; i < values.Length; i++) w.WriteNumber(NameArray[i], values[i]);
                w.WriteEndObject();
            });
        }

        /// <summary>Builds stats from 10 values in pycocotools order.</summary>
        public static CocoKeypointStats FromArray(ReadOnlySpan<double> v)
        {
            if (v.Length != 10) throw new ArgumentException($"Expected 10 values, got {v.Length}.", nameof(v));
            return new CocoKeypointStats(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9]);
        }
    }
}
