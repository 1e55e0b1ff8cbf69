using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.ExceptionServices;
using System.Threading;
using System.Threading.Tasks;
using OpenCvSharp;

using PoseRT.IO;

namespace PoseRT.Synthetic
{
    /// <summary>
    /// Generates people-like articulated figures with the 17 COCO keypoints: COCO-format data
    /// sets of JPEG stills, and video clips of people moving with per-frame ground truth.
    /// Output depends only on the options (seed included), never on timing or thread count.
    /// </summary>
    public static class SyntheticPeople
    {
        /// <summary>Renders one image of the data set described by <paramref name="options"/> in memory (no files).</summary>
        public static SyntheticImage RenderImage(SyntheticOptions options, int index)
        {
            ArgumentNullException.ThrowIfNull(options);
            options.Validate();
            if (index < 0) throw new ArgumentOutOfRangeException(nameof(index), index, "Image index must not be negative.");
            return Scene.RenderStill(options, index);
        }

        /// <summary>
        /// Writes <c>images/000001.jpg ...</c> and <c>annotations/&lt;AnnotationFileName&gt;</c> (COCO
        /// person_keypoints) under <paramref name="outDir"/>; every file is written atomically.
        /// </summary>
        /// <param name="options">What to generate.</param>
        /// <param name="outDir">Output folder, created if missing.</param>
        /// <param name="progress">Receives the number of finished images (from worker threads).</param>
        /// <param name="cancellationToken">Stops between images.</param>
        public static SyntheticDataset GenerateDataset(SyntheticOptions options, string outDir, IProgress<int>? progress = null, CancellationToken cancellationToken = default)
        {
            ArgumentNullException.ThrowIfNull(options);
            ArgumentException.ThrowIfNullOrWhiteSpace(outDir);
            options.Validate();
            string imageDir = Path.Combine(outDir, "images");
            string annDir = Path.Combine(outDir, "annotations");
            Directory.CreateDirectory(imageDir);
            Directory.CreateDirectory(annDir);

            var names = new string[options.Images];
            var people = new IReadOnlyList<SyntheticPerson>[options.Images];
            int done = 0;
            var po = new ParallelOptions { MaxDegreeOfParallelism = options.MaxDegreeOfParallelism, CancellationToken = cancellationToken };
            try
            {
                Parallel.For(0, options.Images, po, i =>
                {
                    var img = Scene.RenderStill(options, i);
                    names[i] = FormattableString.Invariant($"{i + 1:D6}.jpg");
                    AtomicFile.WriteAllBytes(Path.Combine(imageDir, names[i]), EncodeJpeg(img));
                    people[i] = img.People;
                    progress?.Report(Interlocked.Increment(ref done));
                });
            }
            catch (AggregateException e) when (e.InnerExceptions.Count > 0)
            {
                // Callers get the real failure (e.g. an IOException naming the file), not a wrapper.
                ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
                throw;
            }

            string annPath = Path.Combine(annDir, options.AnnotationFileName);
            SyntheticAnnotations.Dataset(options, names, people, annPath).Save(annPath);
            int count = 0;
            foreach (var p in people) count += p.Count;
            return new SyntheticDataset(Path.GetFullPath(annPath), Path.GetFullPath(imageDir), options.Images, count);
        }

        /// <summary>JPEG bytes of a rendered image at its own quality setting.</summary>
        internal static byte[] EncodeJpeg(SyntheticImage img)
        {
            byte[] pixels = img.Bgr.ToArray();
            using var mat = Mat.FromPixelData(img.Height, img.Width, MatType.CV_8UC3, pixels);
            Cv2.ImEncode(".jpg", mat, out byte[] jpeg, new ImageEncodingParam(ImwriteFlags.JpegQuality, img.JpegQuality));
            if (jpeg.Length == 0)
                throw new InvalidOperationException("OpenCV could not encode a JPEG image.");
            return jpeg;
        }

        /// <summary>
        /// Writes <c>&lt;Name&gt;.mp4</c> (OpenCV VideoWriter, mp4v) and <c>&lt;Name&gt;.json</c>, the per-frame
        /// ground truth (frame, person id, 17 keypoints, box), under <paramref name="outDir"/>.
        /// </summary>
        public static SyntheticClip GenerateClip(SyntheticClipOptions options, string outDir)
        {
            ArgumentNullException.ThrowIfNull(options);
            ArgumentException.ThrowIfNullOrWhiteSpace(outDir);
            options.Validate();
            Directory.CreateDirectory(outDir);
            return ClipGenerator.Generate(options, outDir);
        }

        /// <summary>
        /// Writes the image with its ground truth drawn on it (box, skeleton; visible keypoints
        /// green, occluded ones red), for looking at what the generator makes. The format
        /// follows the extension of <paramref name="path"/> (.png, .jpg).
        /// </summary>
        /// <param name="image">A rendered image.</param>
        /// <param name="path">Image file to write (PNG or JPEG by extension).</param>
        /// <param name="annotate">False writes the plain image.</param>
        public static void SavePreview(SyntheticImage image, string path, bool annotate = true)
        {
            ArgumentNullException.ThrowIfNull(image);
            ArgumentException.ThrowIfNullOrWhiteSpace(path);
            byte[] pixels = image.Bgr.ToArray();
            using var mat = Mat.FromPixelData(image.Height, image.Width, MatType.CV_8UC3, pixels);
            if (annotate) DrawGroundTruth(mat, image.People);
            AtomicFile.WriteAllBytes(path, EncodeByExtension(mat, path));
        }

        /// <summary>
        /// Draws people's ground truth onto a BGR image: box (cyan), skeleton, visible keypoints
        /// green and occluded ones red; for previews and for comparing a model with the truth.
        /// </summary>
        public static void DrawGroundTruth(Mat image, IReadOnlyList<SyntheticPerson> people)
        {
            ArgumentNullException.ThrowIfNull(image);
            ArgumentNullException.ThrowIfNull(people);
            var skeleton = CocoKeypoints.Schema.Skeleton;
            foreach (var p in people)
            {
                var k = p.Keypoints;
                Cv2.Rectangle(image, new Rect((int)p.Box.X, (int)p.Box.Y, (int)p.Box.Width, (int)p.Box.Height), new Scalar(255, 255, 0), 1);
                foreach (var (a, b) in skeleton)
                {
                    if (k[3 * a + 2] > 0 && k[3 * b + 2] > 0)
                        Cv2.Line(image, new Point(k[3 * a], k[3 * a + 1]), new Point(k[3 * b], k[3 * b + 1]), new Scalar(255, 200, 0), 1, LineTypes.AntiAlias);
                }
                for (int j = 0; j < CocoKeypoints.Count; j++)
                {
                    float v = k[3 * j + 2];
                    if (v > 0) Cv2.Circle(image, new Point(k[3 * j], k[3 * j + 1]), 2, v == 2 ? new Scalar(0, 255, 0) : new Scalar(0, 0, 255), -1, LineTypes.AntiAlias);
                }
            }
        }

        /// <summary>Encodes an image in the format named by the file's extension (JPEG at quality 90).</summary>
        public static byte[] EncodeByExtension(Mat image, string path)
        {
            ArgumentNullException.ThrowIfNull(image);
            string ext = Path.GetExtension(path).ToLowerInvariant();
            if (ext is not (".png" or ".jpg" or ".jpeg"))
                throw new ArgumentException($"'{path}': use a .png or .jpg file name.", nameof(path));
            byte[] bytes;
            if (ext == ".png") Cv2.ImEncode(ext, image, out bytes);
            else Cv2.ImEncode(ext, image, out bytes, new ImageEncodingParam(ImwriteFlags.JpegQuality, 90));
            return bytes;
        }
    }
}
