using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using OpenCvSharp;
using PoseRT.Runtime;
using PoseRT.Vision;

namespace PoseRT.Coco
{
    /// <summary>
    /// The one top-down driver of the SimpleBaselines/HRNet COCO protocol, shared by <c>posert run</c> and training
    /// validation: per image of an annotation file, the person boxes (a detection file, or the cleaned ground-truth
    /// boxes of <see cref="TopDownProtocol.GroundTruthBoxes"/>), the Runtime's <see cref="PoseEstimator"/> on them
    /// (crop, flip test, decode, rescoring), then <see cref="TopDownProtocol.AddImageResults"/> (COCO results after
    /// OKS-NMS).
    /// </summary>
    /// <remarks>
    /// <para>
    /// Error policy, the same for every caller: nothing is skipped. A score computed with some images left out is
    /// not the score of the set, and HRNet's own test loop stops on an image it cannot read, so a researcher gets
    /// an error naming the file instead of a quietly lower AP:
    /// </para>
    /// <list type="bullet">
    /// <item>every image the annotation file names must exist: checked when the runner is made, before any
    /// inference (<see cref="FileNotFoundException"/> naming the file, image_id and entry);</item>
    /// <item>a detection must belong to an image of the annotation file, and no image may have more than
    /// <c>maxBoxesPerImage</c> person detections (<see cref="CocoFormatException"/> / <see cref="InvalidDataException"/>
    /// naming the detection file);</item>
    /// <item>an image that is run must decode (<see cref="ImageFiles.ReadBgr"/>) and have the size the annotation
    /// file states: otherwise <see cref="InvalidDataException"/> naming the image_id and the file.</item>
    /// </list>
    /// <para>
    /// An image with no box to run is not read (its persons, if any, count as missed, as in HRNet). Boxes are
    /// prepared once; a <see cref="Run"/> reuses its buffers from image to image, so repeated validation allocates
    /// only the results.
    /// </para>
    /// </remarks>
    public sealed class TopDownRunner
    {
        /// <summary>The default cap on person detections per image: detectors keep at most 100 per image; 300 leaves room.</summary>
        public const int DefaultMaxBoxesPerImage = 300;

        private readonly CocoKeypointFile _groundTruth;
        private readonly string[] _paths;
        // Per image: the boxes and their scores; null where ground-truth boxes need the image size the file omits
        // (found when the image is read). Empty arrays for images with nothing to run.
        private readonly BoundingBox[]?[] _boxes;
        private readonly float[]?[] _scores;
        private Pose[] _poses = new Pose[16];

        /// <summary>
        /// Prepares a run over every image of <paramref name="groundTruth"/>, with the images under
        /// <paramref name="imageDir"/> and the person boxes of <paramref name="detectionsPath"/> (null: the
        /// cleaned ground-truth boxes, HRNet's <c>USE_GT_BBOX</c>). Throws as the type's error policy says.
        /// </summary>
        /// <param name="groundTruth">The annotation file (its images are the ones run and scored).</param>
        /// <param name="imageDir">The folder holding the images under their <c>file_name</c>.</param>
        /// <param name="detectionsPath">A COCO detection results file, or null for ground-truth boxes.</param>
        /// <param name="maxBoxesPerImage">The most person detections one image may have.</param>
        public TopDownRunner(CocoKeypointFile groundTruth, string imageDir, string? detectionsPath, int maxBoxesPerImage = DefaultMaxBoxesPerImage)
        {
            ArgumentNullException.ThrowIfNull(groundTruth);
            ArgumentNullException.ThrowIfNull(imageDir);
            if (maxBoxesPerImage < 1)
                throw new ArgumentOutOfRangeException(nameof(maxBoxesPerImage), maxBoxesPerImage, "At least one box per image.");
            // Fails here, with advice, when OpenCV's native library is missing, not at the first image.
            OpenCvNative.EnsureAvailable();
            _groundTruth = groundTruth;
            var images = groundTruth.Images;
            var byImage = detectionsPath != null ? LoadDetections(detectionsPath, groundTruth, maxBoxesPerImage) : null;

            // Every image must be there before hours of inference (or of training) start.
            _paths = new string[images.Count];
            _boxes = new BoundingBox[images.Count][];
            _scores = new float[images.Count][];
            for (int i = 0; i < images.Count; i++)
            {
                var image = images[i];
                _paths[i] = Path.Combine(imageDir, image.FileName);
                if (!File.Exists(_paths[i]))
                    throw new FileNotFoundException($"Image file '{_paths[i]}' of image_id {image.Id} (images[{i}] of {groundTruth.Source}) does not exist.", _paths[i]);
                if (byImage != null)
                {
                    SetBoxes(i, byImage.TryGetValue(image.Id, out var list) ? list : null);
                }
                else if (image.Width > 0 && image.Height > 0)
                {
                    SetBoxes(i, TopDownProtocol.GroundTruthBoxes(groundTruth.AnnotationsOf(image.Id), image.Width, image.Height));
                }
                BoxCount += _boxes[i]?.Length ?? 0;
            }
            UsesDetections = detectionsPath != null;
        }

        /// <summary>The annotation file whose images are run.</summary>
        public CocoKeypointFile GroundTruth => _groundTruth;

        /// <summary>True when the boxes come from a detection file, false for ground-truth boxes.</summary>
        public bool UsesDetections { get; }

        /// <summary>Images in the annotation file (each one is scored; those with boxes are run).</summary>
        public int ImageCount => _paths.Length;

        /// <summary>
        /// Person boxes that will be run, as known before any image is read; ground-truth boxes of an image whose
        /// size the annotation file omits are found when it is read (<see cref="Run"/> returns the full count).
        /// </summary>
        public int BoxCount { get; }

        /// <summary>
        /// Runs <paramref name="estimator"/> over every image with boxes and appends the kept poses to
        /// <paramref name="results"/>. Returns the number of boxes run. Not for concurrent use (one set of buffers).
        /// </summary>
        /// <param name="estimator">The pose estimator.</param>
        /// <param name="boxPadding">The padding the estimator applies to each box (its PoseEstimatorOptions.BoxPadding), for OKS-NMS's areas.</param>
        /// <param name="results">Receives the COCO results, image by image.</param>
        /// <param name="imagesDone">Called after each image with the number of images done so far (progress).</param>
        public int Run(PoseEstimator estimator, float boxPadding, List<CocoKeypointResult> results, Action<int>? imagesDone = null)
        {
            ArgumentNullException.ThrowIfNull(estimator);
            ArgumentNullException.ThrowIfNull(results);
            int boxCount = 0;
            for (int i = 0; i < _paths.Length; i++)
            {
                boxCount += RunImage(i, estimator, boxPadding, results);
                imagesDone?.Invoke(i + 1);
            }
            return boxCount;
        }

        private int RunImage(int index, PoseEstimator estimator, float boxPadding, List<CocoKeypointResult> results)
        {
            var boxes = _boxes[index];
            if (boxes != null && boxes.Length == 0) return 0;
            var image = _groundTruth.Images[index];
            string path = _paths[index];
            Mat read;
            try
            {
                read = ImageFiles.ReadBgr(path);
            }
            catch (InvalidDataException e)
            {
                throw new InvalidDataException($"image_id {image.Id}: {e.Message}", e);
            }
            using var mat = read;
            // Ground truth in pixels of a different picture would be scored as if it belonged to this one.
            if (image.Width > 0 && image.Height > 0 && (mat.Width != image.Width || mat.Height != image.Height))
            {
                throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                    $"Image file '{path}' is {mat.Width}x{mat.Height} pixels, but image_id {image.Id} of '{_groundTruth.Source}' says {image.Width}x{image.Height}."));
            }
            var scores = _scores[index];
            if (boxes == null || scores == null)
            {
                // Ground-truth boxes of an image whose size the annotation file omits: cleaned against the pixels read.
                var gt = TopDownProtocol.GroundTruthBoxes(_groundTruth.AnnotationsOf(image.Id), mat.Width, mat.Height);
                if (gt.Count == 0) return 0;
                ToArrays(gt, out boxes, out scores);
            }

            int n = boxes.Length;
            if (_poses.Length < n) _poses = new Pose[n];
            var poses = _poses.AsSpan(0, n);
            estimator.Estimate(mat.AsImageView(), boxes, scores, poses);
            var info = estimator.ModelInfo;
            TopDownProtocol.AddImageResults(image.Id, poses, boxes, info.InputWidth, info.InputHeight, boxPadding, results);
            return n;
        }

        private void SetBoxes(int index, List<CocoDetection>? boxes)
        {
            if (boxes == null || boxes.Count == 0)
            {
                _boxes[index] = Array.Empty<BoundingBox>();
                _scores[index] = Array.Empty<float>();
                return;
            }
            ToArrays(boxes, out var b, out var s);
            _boxes[index] = b;
            _scores[index] = s;
        }

        private static void ToArrays(List<CocoDetection> detections, out BoundingBox[] boxes, out float[] scores)
        {
            boxes = new BoundingBox[detections.Count];
            scores = new float[detections.Count];
            for (int i = 0; i < boxes.Length; i++)
            {
                boxes[i] = detections[i].Bbox.ToBoundingBox();
                scores[i] = (float)detections[i].Score;
            }
        }

        /// <summary>The selected person detections (<see cref="TopDownProtocol.SelectDetections"/>) grouped by image, in file order.</summary>
        private static Dictionary<long, List<CocoDetection>> LoadDetections(string path, CocoKeypointFile groundTruth, int maxBoxesPerImage)
        {
            var all = CocoDetectionFile.Load(path);
            for (int i = 0; i < all.Count; i++)
            {
                if (groundTruth.FindImage(all[i].ImageId) is null)
                    throw CocoFormatException.ForEntry(path, "detections", i, all[i].ImageId, "image_id", $"{all[i].ImageId} is not an image of '{groundTruth.Source}'.");
            }
            var byImage = new Dictionary<long, List<CocoDetection>>();
            foreach (var d in TopDownProtocol.SelectDetections(all))
            {
                if (!byImage.TryGetValue(d.ImageId, out var list))
                {
                    list = new List<CocoDetection>();
                    byImage.Add(d.ImageId, list);
                }
                if (list.Count == maxBoxesPerImage)
                {
                    throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                        $"'{path}': image_id {d.ImageId} has more than {maxBoxesPerImage} person detections, the cap on boxes per image (posert run: --max-boxes-per-image); filter the file or raise the cap."));
                }
                list.Add(d);
            }
            return byImage;
        }
    }
}
