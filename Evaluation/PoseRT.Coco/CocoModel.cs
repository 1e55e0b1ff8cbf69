using System;
using System.Collections.Generic;
using PoseRT.Runtime;

namespace PoseRT.Coco
{
    /// <summary>A COCO box: top-left corner and size in pixels, in double precision as in the JSON files.</summary>
    /// <param name="X">Left edge.</param>
    /// <param name="Y">Top edge.</param>
    /// <param name="Width">Width.</param>
    /// <param name="Height">Height.</param>
    public readonly record struct CocoBox(double X, double Y, double Width, double Height)
    {
        /// <summary>The box in the Runtime's single-precision type.</summary>
        public BoundingBox ToBoundingBox() => new((float)X, (float)Y, (float)Width, (float)Height);
    }

    /// <summary>One entry of a COCO file's <c>images</c> list.</summary>
    /// <param name="Id">The image id that annotations, detections and results refer to.</param>
    /// <param name="FileName">The file name inside the image folder (e.g. <c>000000000785.jpg</c>).</param>
    /// <param name="Width">Width in pixels (0 when the file does not say).</param>
    /// <param name="Height">Height in pixels (0 when the file does not say).</param>
    public sealed record CocoImage(long Id, string FileName, int Width, int Height);

    /// <summary>One entry of a COCO file's <c>categories</c> list.</summary>
    /// <param name="Id">Category id (1 for <c>person</c>).</param>
    /// <param name="Name">Category name.</param>
    /// <param name="KeypointNames">The category's keypoint names (empty when the file lists none).</param>
    public sealed record CocoCategory(long Id, string Name, IReadOnlyList<string> KeypointNames)
    {
        /// <summary>COCO's <c>supercategory</c>; written by <see cref="CocoKeypointFile.Save"/> when set (the reader does not keep it).</summary>
        public string? Supercategory { get; init; }

        /// <summary>
        /// The keypoint skeleton as 0-based index pairs (e.g. <c>CocoKeypoints.Schema.Skeleton</c>); written 1-based,
        /// as COCO's files have it, when set (the reader does not keep it).
        /// </summary>
        public IReadOnlyList<(int From, int To)>? Skeleton { get; init; }
    }

    /// <summary>
    /// One ground-truth person of a <c>person_keypoints_*.json</c> file. Keypoints are stored as COCO
    /// writes them: <c>x, y, v</c> triplets for the 17 <see cref="CocoKeypoints"/> (v = 0 not labelled,
    /// 1 labelled but hidden, 2 visible).
    /// </summary>
    public sealed class CocoKeypointAnnotation
    {
        private readonly double[] _keypoints;

        /// <summary>Creates an annotation; <paramref name="keypoints"/> (51 values) is copied.</summary>
        public CocoKeypointAnnotation(long id, long imageId, long categoryId, ReadOnlySpan<double> keypoints, int numKeypoints, CocoBox bbox, double area, bool isCrowd)
            : this(id, imageId, categoryId, CheckKeypoints(keypoints), numKeypoints, bbox, area, isCrowd)
        {
        }

        // Takes ownership of an array the reader already validated (no copy on the 100k-entry path).
        internal CocoKeypointAnnotation(long id, long imageId, long categoryId, double[] keypoints, int numKeypoints, CocoBox bbox, double area, bool isCrowd)
        {
            Id = id;
            ImageId = imageId;
            CategoryId = categoryId;
            _keypoints = keypoints;
            NumKeypoints = numKeypoints;
            Bbox = bbox;
            Area = area;
            IsCrowd = isCrowd;
        }

        /// <summary>Annotation id (unique in the file).</summary>
        public long Id { get; }

        /// <summary>The image the person is in.</summary>
        public long ImageId { get; }

        /// <summary>Category id (1 = person).</summary>
        public long CategoryId { get; }

        /// <summary>51 values: x, y, v for each of the 17 keypoints.</summary>
        public ReadOnlySpan<double> Keypoints => _keypoints;

        /// <summary>The file's <c>num_keypoints</c> (labelled keypoints); 0 makes the person ignored in evaluation.</summary>
        public int NumKeypoints { get; }

        /// <summary>The person box.</summary>
        public CocoBox Bbox { get; }

        /// <summary>Segmentation area in pixels (COCO's scale for OKS and the area ranges).</summary>
        public double Area { get; }

        /// <summary>Whether this is a crowd region (ignored in evaluation).</summary>
        public bool IsCrowd { get; }

        internal double[] KeypointArray => _keypoints;

        internal static double[] CheckKeypoints(ReadOnlySpan<double> keypoints)
        {
            if (keypoints.Length != CocoKeypoints.Count * 3)
                throw new ArgumentException($"keypoints must hold {CocoKeypoints.Count * 3} values (x, y, v for {CocoKeypoints.Count} keypoints), got {keypoints.Length}.", nameof(keypoints));
            return keypoints.ToArray();
        }
    }

    /// <summary>One person box of a detection file such as <c>COCO_val2017_detections_AP_H_56_person.json</c>.</summary>
    /// <param name="ImageId">The image the box is in.</param>
    /// <param name="CategoryId">Category id (1 = person).</param>
    /// <param name="Bbox">The box.</param>
    /// <param name="Score">Detector confidence.</param>
    public readonly record struct CocoDetection(long ImageId, long CategoryId, CocoBox Bbox, double Score);

    /// <summary>
    /// One predicted person of a keypoint results file (the list pycocotools' <c>loadRes</c> reads):
    /// 51 keypoint values (x, y, score per keypoint) and an overall score.
    /// </summary>
    public sealed class CocoKeypointResult
    {
        private readonly double[] _keypoints;

        /// <summary>Creates a result; <paramref name="keypoints"/> (51 values) is copied.</summary>
        public CocoKeypointResult(long imageId, long categoryId, ReadOnlySpan<double> keypoints, double score, CocoBox? bbox = null)
            : this(imageId, categoryId, CocoKeypointAnnotation.CheckKeypoints(keypoints), score, bbox)
        {
        }

        internal CocoKeypointResult(long imageId, long categoryId, double[] keypoints, double score, CocoBox? bbox)
        {
            ImageId = imageId;
            CategoryId = categoryId;
            _keypoints = keypoints;
            Score = score;
            Bbox = bbox;
        }

        /// <summary>The image the person is in.</summary>
        public long ImageId { get; }

        /// <summary>Category id (1 = person).</summary>
        public long CategoryId { get; }

        /// <summary>51 values: x, y, score for each of the 17 keypoints.</summary>
        public ReadOnlySpan<double> Keypoints => _keypoints;

        /// <summary>The person's score (what AP ranks by).</summary>
        public double Score { get; }

        /// <summary>
        /// An optional box. pycocotools' <c>loadRes</c> uses the box area (instead of the keypoints'
        /// extent) for the area ranges when the first result of a file has one, so it is kept.
        /// </summary>
        public CocoBox? Bbox { get; }

        internal double[] KeypointArray => _keypoints;
    }
}
