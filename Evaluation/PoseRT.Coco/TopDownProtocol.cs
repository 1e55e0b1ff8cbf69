using System;
using System.Collections.Generic;
using PoseRT.Runtime;
using PoseRT.Runtime.Geometry;

namespace PoseRT.Coco
{
    /// <summary>
    /// The parts of the SimpleBaselines / HRNet COCO test protocol that sit around the network: which boxes
    /// are run (detector boxes or cleaned ground-truth boxes) and OKS-NMS. Rescoring (box score x mean of the
    /// keypoint scores above 0.2) is done by PoseRT.Runtime's PoseEstimator, which writes it to Pose.Score.
    /// </summary>
    public static class TopDownProtocol
    {
        /// <summary>COCO's person category.</summary>
        public const long PersonCategoryId = 1;

        /// <summary>Poses overlapping a better one by more than this OKS are dropped (HRNet's <c>OKS_THRE</c>).</summary>
        public const double OksNmsThreshold = 0.9;

        /// <summary>Detections below this score are not run (HRNet's <c>IMAGE_THRE</c> for COCO is 0).</summary>
        public const double DetectionScoreThreshold = 0.0;

        /// <summary>
        /// The detector boxes HRNet runs: person category, score at least <paramref name="minScore"/>, in file order.
        /// </summary>
        public static List<CocoDetection> SelectDetections(IEnumerable<CocoDetection> detections, double minScore = DetectionScoreThreshold)
        {
            ArgumentNullException.ThrowIfNull(detections);
            var kept = new List<CocoDetection>();
            foreach (var d in detections)
            {
                if (d.CategoryId == PersonCategoryId && !(d.Score < minScore)) kept.Add(d);
            }
            return kept;
        }

        /// <summary>
        /// HRNet's and SimpleBaselines' box clean-up (<c>_load_coco_keypoint_annotation_kernal</c>), the one place it is
        /// written: x1 = max(0, x), x2 = min(W - 1, x1 + max(0, w - 1)) (y alike); the box is kept when the annotation's
        /// area is positive and x2 &gt;= x1, y2 &gt;= y1, and becomes (x1, y1, x2 - x1, y2 - y1). Training and validation both use it.
        /// </summary>
        /// <param name="box">The annotation's bbox.</param>
        /// <param name="annotationArea">The annotation's <c>area</c> field (the segmentation area), not the box's.</param>
        /// <param name="imageWidth">Image width in pixels.</param>
        /// <param name="imageHeight">Image height in pixels.</param>
        /// <param name="clean">The cleaned box when kept.</param>
        public static bool TryCleanBox(CocoBox box, double annotationArea, int imageWidth, int imageHeight, out CocoBox clean)
        {
            clean = default;
            if (!double.IsFinite(box.X) || !double.IsFinite(box.Y) || !double.IsFinite(box.Width) || !double.IsFinite(box.Height)) return false;
            double x1 = Math.Max(0, box.X), y1 = Math.Max(0, box.Y);
            double x2 = Math.Min(imageWidth - 1, x1 + Math.Max(0, box.Width - 1));
            double y2 = Math.Min(imageHeight - 1, y1 + Math.Max(0, box.Height - 1));
            if (!(annotationArea > 0 && x2 >= x1 && y2 >= y1)) return false;
            clean = new CocoBox(x1, y1, x2 - x1, y2 - y1);
            return true;
        }

        /// <summary>
        /// The ground-truth boxes HRNet runs with <c>USE_GT_BBOX</c>: persons with at least one non-zero keypoint
        /// value, boxes clipped to the image as in its <c>_load_coco_keypoint_annotation_kernal</c> (dropped when
        /// the area is 0 or the clipped box is empty), each with score 1.
        /// </summary>
        /// <param name="persons">The image's annotations (e.g. <see cref="CocoKeypointFile.AnnotationsOf"/>).</param>
        /// <param name="imageWidth">Image width in pixels.</param>
        /// <param name="imageHeight">Image height in pixels.</param>
        public static List<CocoDetection> GroundTruthBoxes(IReadOnlyList<CocoKeypointAnnotation> persons, int imageWidth, int imageHeight)
        {
            ArgumentNullException.ThrowIfNull(persons);
            var boxes = new List<CocoDetection>();
            foreach (var a in persons)
            {
                if (a.CategoryId != PersonCategoryId) continue;
                if (!TryCleanBox(a.Bbox, a.Area, imageWidth, imageHeight, out var clean)) continue;
                double max = double.NegativeInfinity;
                foreach (var v in a.Keypoints) max = Math.Max(max, v);
                if (max == 0) continue;
                boxes.Add(new CocoDetection(a.ImageId, PersonCategoryId, clean, 1.0));
            }
            return boxes;
        }

        /// <summary>
        /// The per-image tail of the protocol, after the network: each estimated pose becomes a COCO result
        /// (without a bbox, like HRNet's results files, so the evaluator takes its area from the keypoints as
        /// pycocotools does), OKS-NMS runs with HRNet's area (the padded, aspect-fixed crop: scale_w x scale_h x
        /// 200²), and the kept poses are appended to <paramref name="results"/>, best first.
        /// </summary>
        /// <param name="imageId">The image the poses belong to.</param>
        /// <param name="poses">The estimator's poses, one per box.</param>
        /// <param name="boxes">The boxes the poses were estimated in.</param>
        /// <param name="inputWidth">The model's input width (the crop's aspect).</param>
        /// <param name="inputHeight">The model's input height.</param>
        /// <param name="boxPadding">The padding the estimator applied to each box (PoseEstimatorOptions.BoxPadding).</param>
        /// <param name="results">Receives the kept poses.</param>
        public static void AddImageResults(long imageId, ReadOnlySpan<Pose> poses, ReadOnlySpan<BoundingBox> boxes,
            int inputWidth, int inputHeight, float boxPadding, List<CocoKeypointResult> results)
        {
            ArgumentNullException.ThrowIfNull(results);
            if (boxes.Length != poses.Length)
                throw new ArgumentException($"One box per pose: {poses.Length} poses, {boxes.Length} boxes.", nameof(boxes));
            var imagePoses = new CocoKeypointResult[poses.Length];
            var areas = new double[poses.Length];
            Span<double> keypoints = stackalloc double[CocoKeypoints.Count * 3];
            for (int i = 0; i < poses.Length; i++)
            {
                ref readonly var pose = ref poses[i];
                for (int k = 0; k < CocoKeypoints.Count; k++)
                {
                    var p = pose[k];
                    keypoints[3 * k] = p.X;
                    keypoints[3 * k + 1] = p.Y;
                    keypoints[3 * k + 2] = p.Score;
                }
                imagePoses[i] = new CocoKeypointResult(imageId, PersonCategoryId, keypoints, pose.Score);
                var crop = CropTransform.FromBox(boxes[i], inputWidth, inputHeight, padding: boxPadding);
                areas[i] = (double)crop.ScaleX * crop.ScaleY * CropTransform.PixelStd * CropTransform.PixelStd;
            }
            foreach (int keep in OksNms(imagePoses, areas)) results.Add(imagePoses[keep]);
        }

        /// <summary>
        /// HRNet's <c>oks_nms</c> for one image: take the highest-scored pose, drop every remaining pose whose OKS
        /// with it exceeds <paramref name="threshold"/> (OKS over all 17 keypoints, with the mean of the two
        /// crop areas as scale), repeat. Returns the indices kept, best first. Equal scores: the later pose comes
        /// first, as numpy's <c>argsort()[::-1]</c> orders them for small arrays.
        /// </summary>
        /// <param name="poses">The image's poses (51 values each) with their scores.</param>
        /// <param name="areas">Per pose, the area HRNet uses: crop scale width x height x 200² (PoseRT.Runtime's CropTransform ScaleX * ScaleY * 200²).</param>
        /// <param name="threshold">The OKS above which a pose is suppressed.</param>
        public static int[] OksNms(IReadOnlyList<CocoKeypointResult> poses, ReadOnlySpan<double> areas, double threshold = OksNmsThreshold)
        {
            ArgumentNullException.ThrowIfNull(poses);
            if (areas.Length != poses.Count)
                throw new ArgumentException($"One area per pose: {poses.Count} poses, {areas.Length} areas.", nameof(areas));
            int n = poses.Count;
            var order = new int[n];
            for (int i = 0; i < n; i++) order[i] = i;
            Array.Sort(order, (a, b) =>
            {
                int c = poses[b].Score.CompareTo(poses[a].Score);
                return c != 0 ? c : b.CompareTo(a);
            });

            var suppressed = new bool[n];
            var keep = new List<int>();
            var sigmas = CocoKeypoints.Schema.Sigmas;
            for (int oi = 0; oi < n; oi++)
            {
                int i = order[oi];
                if (suppressed[i]) continue;
                keep.Add(i);
                var g = poses[i].KeypointArray;
                for (int oj = oi + 1; oj < n; oj++)
                {
                    int j = order[oj];
                    if (suppressed[j]) continue;
                    var d = poses[j].KeypointArray;
                    double scale = (areas[i] + areas[j]) / 2 + NumpyCompat.Spacing1;
                    double sum = 0;
                    int count = Math.Min(CocoKeypoints.Count, g.Length / 3);
                    for (int k = 0; k < count; k++)
                    {
                        double dx = d[3 * k] - g[3 * k], dy = d[3 * k + 1] - g[3 * k + 1];
                        double var = (2 * sigmas[k]) * (2 * sigmas[k]);
                        sum += Math.Exp(-((dx * dx + dy * dy) / var / scale / 2));
                    }
                    if (sum / count > threshold) suppressed[j] = true;
                }
            }
            return keep.ToArray();
        }
    }
}
