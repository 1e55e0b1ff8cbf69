using System;
using System.Collections.Generic;
using System.IO;
using OpenCvSharp;
using PoseRT.Coco;
using PoseRT.Runtime;
using PoseRT.Runtime.Geometry;
using PoseRT.Runtime.Model;
using PoseRT.Vision;

namespace PoseRT.Trainer.Data
{
    /// <summary>
    /// COCO top-down training set: one sample per person with keypoints (num_keypoints &gt; 0, not crowd).
    /// Annotations come from the COCO reader, the box -&gt; centre/scale and the crop affine from the Runtime's
    /// <see cref="CropTransform"/>, images are decoded by OpenCV and warped + normalised by the Runtime's <see cref="CropSampler"/>, targets from the Runtime's <see cref="HeatmapCodec"/>,
    /// so training and inference share every piece of geometry. Unusable persons (zero-area boxes, unknown or
    /// missing images) are skipped while indexing and corrupt images while loading, each with a counted warning.
    /// </summary>
    public sealed class CocoPoseDataset : IPoseDataset
    {
        private readonly Person[] _persons;
        private readonly HeatmapCodec _codec;
        private readonly CropSampler _sampler;
        private readonly Augmentation _augmentation;
        private readonly PoseModelInfo _info;

        /// <summary>Indexes <paramref name="annotationFile"/> (COCO person_keypoints format) with images under <paramref name="imageDir"/>.</summary>
        /// <param name="annotationFile">Annotation JSON.</param>
        /// <param name="imageDir">Folder holding the images' file_name entries.</param>
        /// <param name="info">Input size, heatmap stride, mean/std and channel order of the model to train.</param>
        /// <param name="augmentation">Augmentation (<see cref="Augmentation.Paper"/> for the paper's recipe).</param>
        /// <param name="warnings">Receives the skipped-person warnings, bad annotation entries (e.g. a wrong keypoint count) included.</param>
        /// <exception cref="CocoFormatException">The annotation file is malformed beyond single entries (its message names the file and field).</exception>
        public CocoPoseDataset(string annotationFile, string imageDir, PoseModelInfo info, Augmentation augmentation, DataWarnings warnings)
            : this(CocoKeypointFile.Load(annotationFile, e => warnings.Add("bad annotation", e.Message)), imageDir, info, augmentation, warnings)
        {
        }

        /// <summary>Indexes an already loaded annotation file.</summary>
        public CocoPoseDataset(CocoKeypointFile annotations, string imageDir, PoseModelInfo info, Augmentation augmentation, DataWarnings warnings)
        {
            info.Validate();
            if (info.KeypointCount != CocoKeypoints.Count)
                throw new ArgumentException($"The COCO set has {CocoKeypoints.Count} keypoints; the model description has {info.KeypointCount}.");
            if (!Directory.Exists(imageDir)) throw new DirectoryNotFoundException($"Image folder '{imageDir}' does not exist.");
            OpenCvNative.EnsureAvailable();
            _info = info;
            _augmentation = augmentation;
            _codec = HeatmapCodec.ForModel(info);
            _sampler = new CropSampler(info);
            Shape = new SampleShape(3, info.InputHeight, info.InputWidth, CocoKeypoints.Count, info.HeatmapHeight, info.HeatmapWidth);
            Source = annotations.Source;

            var persons = new List<Person>();
            var imageExists = new Dictionary<long, bool>();
            foreach (var a in annotations.Annotations)
            {
                if (a.IsCrowd || a.NumKeypoints <= 0) continue; // not training samples by definition (SimpleBaselines)
                var image = annotations.FindImage(a.ImageId);
                if (image == null)
                {
                    warnings.Add("unknown image", $"{Source}: annotation {a.Id} refers to image_id {a.ImageId}, which is not in 'images'.");
                    continue;
                }
                string path = Path.Combine(imageDir, image.FileName);
                if (!imageExists.TryGetValue(image.Id, out bool exists))
                {
                    exists = File.Exists(path);
                    imageExists[image.Id] = exists;
                }
                if (!exists)
                {
                    warnings.Add("missing image", $"annotation {a.Id}: image '{path}' does not exist.");
                    continue;
                }
                if (!TopDownProtocol.TryCleanBox(a.Bbox, a.Area, image.Width, image.Height, out var clean))
                {
                    warnings.Add("zero-area box", $"{Source}: annotation {a.Id} (image {a.ImageId}) has box [{a.Bbox.X}, {a.Bbox.Y}, {a.Bbox.Width}, {a.Bbox.Height}] and area {a.Area}: nothing left inside the image (HRNet's clean-up drops it).");
                    continue;
                }
                var box = new BoundingBox((float)clean.X, (float)clean.Y, (float)clean.Width, (float)clean.Height);
                var joints = new float[3 * CocoKeypoints.Count];
                var k = a.Keypoints;
                for (int i = 0; i < joints.Length; i++) joints[i] = (float)k[i];
                persons.Add(new Person(a.Id, path, box, joints));
            }
            _persons = persons.ToArray();
        }

        /// <summary>The annotation file the samples come from.</summary>
        public string Source { get; }

        /// <inheritdoc />
        public int Count => _persons.Length;

        /// <inheritdoc />
        public SampleShape Shape { get; }

        /// <summary>COCO annotation id of sample <paramref name="index"/>.</summary>
        public long AnnotationId(int index) => _persons[index].AnnotationId;

        /// <summary>The cleaned box of sample <paramref name="index"/> (HRNet's clean-up, <see cref="TopDownProtocol.TryCleanBox"/>).</summary>
        internal BoundingBox BoxOf(int index) => _persons[index].Box;

        /// <inheritdoc />
        public bool TryLoad(int index, Random random, Span<float> image, Span<float> target, Span<float> targetWeight, out string? problem)
        {
            var p = _persons[index];
            Mat read;
            try
            {
                // Bounded in pixels, truncated files refused, the file named (PoseRT.Vision.ImageFiles).
                read = PoseRT.Vision.ImageFiles.ReadBgr(p.ImagePath);
            }
            catch (Exception e) when (e is InvalidDataException || e is IOException || e is UnauthorizedAccessException)
            {
                problem = File.Exists(p.ImagePath) ? e.Message : $"image '{p.ImagePath}' has disappeared";
                return false;
            }
            using var bgr = read;

            var crop = SampleCrop(p, random);
            // The Runtime's sampler: the same bilinear warp + normalisation the estimator feeds the network.
            if (bgr.Type() != MatType.CV_8UC3)
            {
                problem = $"image '{p.ImagePath}' did not decode to 8-bit BGR";
                return false;
            }
            var view = bgr.AsImageView();
            _sampler.Sample(view, crop, image);

            Span<float> joints = stackalloc float[3 * CocoKeypoints.Count];
            var flip = CocoKeypoints.Schema.FlipIndex;
            for (int j = 0; j < CocoKeypoints.Count; j++)
            {
                // In a mirrored crop, the left wrist's pixels are where a right wrist would be: swap the labels.
                int label = crop.FlipHorizontal ? flip[j] : j;
                float v = p.Joints[3 * j + 2];
                crop.ImageToInput(p.Joints[3 * j], p.Joints[3 * j + 1], out float u, out float w);
                joints[3 * label] = u;
                joints[3 * label + 1] = w;
                joints[3 * label + 2] = v;
            }
            _codec.Encode(joints, target, targetWeight);
            problem = null;
            return true;
        }

        /// <summary>The crop sample <paramref name="index"/> gets from <paramref name="random"/> (what <see cref="TryLoad"/> warps with).</summary>
        internal CropTransform CropOf(int index, Random random) => SampleCrop(_persons[index], random);

        /// <summary>The annotated (x, y, v) triples of sample <paramref name="index"/> in image pixels.</summary>
        internal ReadOnlySpan<float> JointsOf(int index) => _persons[index].Joints;

        /// <summary>The augmented crop for a person: half-body, scale, rotation and flip composed into one transform.</summary>
        internal CropTransform SampleCrop(Person p, Random random)
        {
            var aug = _augmentation;
            int w = _info.InputWidth, h = _info.InputHeight;
            CropTransform.BoxToCenterScale(p.Box, w, h, CropTransform.DefaultPadding, out float cx, out float cy, out float sx, out float sy);

            // Each draw happens whether or not it is used, so one setting's probability does not shift the others' draws.
            double halfDraw = random.NextDouble(), upperDraw = random.NextDouble();
            double scaleDraw = SampleRandom.Normal(random), rotDraw = SampleRandom.Normal(random), rotGate = random.NextDouble();
            double flipDraw = random.NextDouble();

            if (aug.HalfBodyProbability > 0 && halfDraw < aug.HalfBodyProbability && CountLabelled(p.Joints) > aug.HalfBodyMinJoints
                && TryHalfBody(p.Joints, upperDraw < 0.5, w, h, aug.HalfBodyPadding, out var hcx, out var hcy, out var hsx, out var hsy))
            {
                (cx, cy, sx, sy) = (hcx, hcy, hsx, hsy);
            }
            float sf = aug.ScaleFactor;
            float scale = sf > 0 ? (float)Math.Clamp(scaleDraw * sf + 1, 1 - sf, 1 + sf) : 1f;
            float rf = aug.RotationDegrees;
            float rot = aug.RotationProbability > 0 && rotGate < aug.RotationProbability ? (float)Math.Clamp(rotDraw * rf, -rf, rf) : 0f;
            bool flip = aug.FlipProbability > 0 && flipDraw < aug.FlipProbability;
            return new CropTransform(cx, cy, sx * scale, sy * scale, w, h, rot, flip);
        }

        private static int CountLabelled(float[] joints)
        {
            int n = 0;
            for (int j = 0; j < CocoKeypoints.Count; j++) if (joints[3 * j + 2] > 0) n++;
            return n;
        }

        // HRNet's half_body_transform: the upper or lower body's labelled joints (COCO's schema says which), their
        // bounding box with the input's aspect, padded 1.5x.
        private static bool TryHalfBody(float[] joints, bool preferUpper, int w, int h, float padding, out float cx, out float cy, out float sx, out float sy)
        {
            cx = cy = sx = sy = 0;
            var parts = CocoKeypoints.Schema.Parts;
            int upper = 0, lower = 0;
            for (int j = 0; j < CocoKeypoints.Count; j++)
            {
                if (joints[3 * j + 2] <= 0) continue;
                if (parts[j] == BodyPart.Upper) upper++;
                else lower++;
            }
            bool useUpper = preferUpper && upper > 2 ? true : lower > 2 ? false : true;
            float minX = float.MaxValue, minY = float.MaxValue, maxX = float.MinValue, maxY = float.MinValue;
            int n = 0;
            for (int j = 0; j < CocoKeypoints.Count; j++)
            {
                if (joints[3 * j + 2] <= 0 || (parts[j] == BodyPart.Upper) != useUpper) continue;
                float x = joints[3 * j], y = joints[3 * j + 1];
                minX = Math.Min(minX, x); maxX = Math.Max(maxX, x);
                minY = Math.Min(minY, y); maxY = Math.Max(maxY, y);
                n++;
            }
            if (n < 2 || !(maxX - minX > 0 || maxY - minY > 0)) return false;
            var box = new BoundingBox(minX, minY, maxX - minX, maxY - minY);
            CropTransform.BoxToCenterScale(box, w, h, padding, out cx, out cy, out sx, out sy);
            // HRNet centres the half body on the joints' mean, not the box middle.
            float sumX = 0, sumY = 0;
            for (int j = 0; j < CocoKeypoints.Count; j++)
            {
                if (joints[3 * j + 2] <= 0 || (parts[j] == BodyPart.Upper) != useUpper) continue;
                sumX += joints[3 * j];
                sumY += joints[3 * j + 1];
            }
            cx = sumX / n;
            cy = sumY / n;
            return true;
        }

        /// <summary>One person crop to train on.</summary>
        internal sealed record Person(long AnnotationId, string ImagePath, BoundingBox Box, float[] Joints);
    }
}
