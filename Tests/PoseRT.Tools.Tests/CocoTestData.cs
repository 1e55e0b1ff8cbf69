using System;
using System.Collections.Generic;
using System.Linq;
using PoseRT.Coco;

namespace PoseRT.Tests
{
    /// <summary>Builds small ground-truth / result sets for evaluator tests.</summary>
    internal static class CocoTestData
    {
        /// <summary>pycocotools' sigmas, written as pycocotools writes them.</summary>
        public static readonly double[] Sigmas = new[] { .26, .25, .25, .35, .35, .79, .79, .72, .72, .62, .62, 1.07, 1.07, .87, .87, .89, .89 }.Select(s => s / 10.0).ToArray();

        public static readonly CocoCategory Person = new(1, "person", Array.Empty<string>());

        /// <summary>samples/coco-mini's annotation file (4 images, 12 ground-truth boxes).</summary>
        public static string MiniAnnotations => System.IO.Path.Combine(RepoPaths.CocoMini, "annotations", "person_keypoints_mini.json");

        /// <summary>samples/coco-mini's images.</summary>
        public static string MiniImages => System.IO.Path.Combine(RepoPaths.CocoMini, "images");

        /// <summary>samples/coco-mini's 118 person detections.</summary>
        public static string MiniDetections => System.IO.Path.Combine(RepoPaths.CocoMini, "person_detections_AP_H_56_mini.json");

        /// <summary>
        /// A real (random-weight) convolutional ONNX network (the <c>posert bench</c> stand-in) at a small input size:
        /// the top-down pipeline runs for real, its poses are not meant to be accurate.
        /// </summary>
        public static byte[] SmallStandInModel => StandInModelBytes.Value;

        private static readonly Lazy<byte[]> StandInModelBytes =
            new(() => PoseRT.Tools.Commands.StandInModel.Build(new PoseRT.Runtime.Model.PoseModelInfo { InputWidth = 24, InputHeight = 32 }));

        /// <summary>
        /// A person whose 17 keypoints sit on a fixed pattern inside a size x size box centred at (cx, cy);
        /// the first <paramref name="labelled"/> keypoints are labelled (v = 2), the rest are (0, 0, 0).
        /// </summary>
        public static CocoKeypointAnnotation Gt(long id, long image, double cx, double cy, double size, int labelled = 17, bool crowd = false, double? area = null)
        {
            var kp = new double[51];
            for (int k = 0; k < labelled; k++)
            {
                kp[3 * k] = cx + size * (((k * 7) % 17) / 17.0 - 0.5);
                kp[3 * k + 1] = cy + size * (k / 17.0 - 0.5);
                kp[3 * k + 2] = 2;
            }
            return new CocoKeypointAnnotation(id, image, 1, kp, labelled, new CocoBox(cx - size / 2, cy - size / 2, size, size), area ?? size * size * 0.6, crowd);
        }

        public static CocoKeypointFile File(IEnumerable<long> images, params CocoKeypointAnnotation[] gts) =>
            new(images.Select(i => new CocoImage(i, $"{i:D12}.jpg", 640, 480)).ToArray(), gts, new[] { Person });

        /// <summary>A result with exactly the ground truth's keypoints (unlabelled ones stay at 0, 0).</summary>
        public static CocoKeypointResult Copy(CocoKeypointAnnotation gt, double score, Func<int, (double Dx, double Dy)>? offset = null)
        {
            var kp = gt.Keypoints.ToArray();
            for (int k = 0; k < 17; k++)
            {
                var (dx, dy) = offset?.Invoke(k) ?? (0, 0);
                kp[3 * k] += dx;
                kp[3 * k + 1] += dy;
                kp[3 * k + 2] = 0.9;
            }
            return new CocoKeypointResult(gt.ImageId, 1, kp, score);
        }

        /// <summary>A result whose every labelled keypoint is moved so that its OKS term is exactly <paramref name="oks"/>.</summary>
        public static CocoKeypointResult AtOks(CocoKeypointAnnotation gt, double oks, double score) =>
            Copy(gt, score, k =>
            {
                double var = Math.Pow(Sigmas[k] * 2, 2);
                double d = Math.Sqrt(-2 * Math.Log(oks) * gt.Area * var);
                return (d, 0);
            });

        /// <summary>A result far from everything (a false positive with a normal-sized extent).</summary>
        public static CocoKeypointResult Far(long image, double score, double size = 100)
        {
            var kp = new double[51];
            for (int k = 0; k < 17; k++)
            {
                kp[3 * k] = 5000 + size * (k % 5) / 4.0;
                kp[3 * k + 1] = 5000 + size * (k / 16.0);
                kp[3 * k + 2] = 0.5;
            }
            return new CocoKeypointResult(image, 1, kp, score);
        }
    }
}
