using System;
using System.Collections.Generic;
using System.IO;
using System.Text.Json;
using System.Text.Json.Nodes;
using PoseRT.Runtime;

using PoseRT.IO;

namespace PoseRT.Coco
{
    /// <summary>
    /// A COCO person keypoint annotation file (<c>person_keypoints_val2017.json</c> format): images,
    /// categories and ground-truth persons. Read in one streaming pass; every entry is checked, and a bad
    /// one is reported by file, list index, image id and field.
    /// </summary>
    public sealed class CocoKeypointFile
    {
        private static readonly IReadOnlyList<CocoKeypointAnnotation> NoAnnotations = Array.Empty<CocoKeypointAnnotation>();
        private readonly Dictionary<long, CocoImage> _imagesById;
        private readonly Dictionary<long, List<CocoKeypointAnnotation>> _annotationsByImage;

        /// <summary>Builds a file in memory (tests, converters); the same checks as <see cref="Load(string)"/> apply.</summary>
        public CocoKeypointFile(IReadOnlyList<CocoImage> images, IReadOnlyList<CocoKeypointAnnotation> annotations, IReadOnlyList<CocoCategory> categories, string source = "<memory>")
        {
            ArgumentNullException.ThrowIfNull(images);
            ArgumentNullException.ThrowIfNull(annotations);
            ArgumentNullException.ThrowIfNull(categories);
            Source = source;
            Images = images;
            Annotations = annotations;
            Categories = categories;

            _imagesById = new Dictionary<long, CocoImage>(images.Count);
            for (int i = 0; i < images.Count; i++)
            {
                if (!_imagesById.TryAdd(images[i].Id, images[i]))
                    throw CocoFormatException.ForEntry(source, "images", i, images[i].Id, "id", $"{images[i].Id} is used by an earlier image too.");
            }

            var categoryIds = new HashSet<long>();
            for (int i = 0; i < categories.Count; i++)
            {
                if (!categoryIds.Add(categories[i].Id))
                    throw CocoFormatException.ForEntry(source, "categories", i, null, "id", $"{categories[i].Id} is used by an earlier category too.");
            }

            var annotationIds = new HashSet<long>();
            _annotationsByImage = new Dictionary<long, List<CocoKeypointAnnotation>>();
            for (int i = 0; i < annotations.Count; i++)
            {
                var a = annotations[i];
                var error = ReferenceError(source, i, a, annotationIds, _imagesById.ContainsKey, categoryIds);
                if (error is not null) throw error;
                annotationIds.Add(a.Id);
                if (!_annotationsByImage.TryGetValue(a.ImageId, out var list))
                {
                    list = new List<CocoKeypointAnnotation>();
                    _annotationsByImage.Add(a.ImageId, list);
                }
                list.Add(a);
            }
        }

        /// <summary>The file this was read from (or the source name given to the constructor).</summary>
        public string Source { get; }

        /// <summary>All images, in file order.</summary>
        public IReadOnlyList<CocoImage> Images { get; }

        /// <summary>All ground-truth persons, in file order.</summary>
        public IReadOnlyList<CocoKeypointAnnotation> Annotations { get; }

        /// <summary>All categories, in file order.</summary>
        public IReadOnlyList<CocoCategory> Categories { get; }

        /// <summary>The image with this id, or null.</summary>
        public CocoImage? FindImage(long imageId) => _imagesById.TryGetValue(imageId, out var image) ? image : null;

        /// <summary>The persons annotated in one image, in file order (empty when there are none).</summary>
        public IReadOnlyList<CocoKeypointAnnotation> AnnotationsOf(long imageId) =>
            _annotationsByImage.TryGetValue(imageId, out var list) ? list : NoAnnotations;

        /// <summary>
        /// COCO's free-form <c>info</c> object (description, version, and whatever a generator records, such as its
        /// seed). When set, <see cref="Save"/> writes it first, followed by an empty <c>licenses</c> list, as COCO's
        /// own files have both; the reader does not keep it.
        /// </summary>
        public JsonObject? Info { get; init; }

        /// <summary>
        /// Writes the file in COCO format (images, annotations without segmentation, categories), atomically:
        /// a temporary file beside <paramref name="path"/> renamed over it. The one writer of annotation files:
        /// the field order is fixed and numbers are written in shortest round-trip form, so equal content gives
        /// equal bytes (the synthetic generator's promise for a seed rests on it).
        /// </summary>
        public void Save(string path)
        {
            ArgumentNullException.ThrowIfNull(path);
            AtomicFile.Write(path, durable: true, write: stream =>
            {
                using var w = new Utf8JsonWriter(stream);
                w.WriteStartObject();
                if (Info is not null)
                {
                    w.WritePropertyName("info");
                    Info.WriteTo(w);
                    w.WriteStartArray("licenses");
                    w.WriteEndArray();
                }
                w.WriteStartArray("images");
                foreach (var image in Images)
                {
                    w.WriteStartObject();
                    w.WriteNumber("id", image.Id);
                    w.WriteString("file_name", image.FileName);
                    w.WriteNumber("width", image.Width);
                    w.WriteNumber("height", image.Height);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteStartArray("annotations");
                foreach (var a in Annotations)
                {
                    w.WriteStartObject();
                    w.WriteNumber("id", a.Id);
                    w.WriteNumber("image_id", a.ImageId);
                    w.WriteNumber("category_id", a.CategoryId);
                    w.WriteNumber("iscrowd", a.IsCrowd ? 1 : 0);
                    CocoJsonWriter.WritePerson(w, a);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteStartArray("categories");
                foreach (var c in Categories)
                {
                    w.WriteStartObject();
                    w.WriteNumber("id", c.Id);
                    w.WriteString("name", c.Name);
                    if (c.Supercategory is not null) w.WriteString("supercategory", c.Supercategory);
                    CocoJsonWriter.WriteKeypointNames(w, c.KeypointNames, c.Skeleton);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteEndObject();
            });
        }

        /// <summary>Reads and checks a keypoint annotation file; any bad entry is an error (what an evaluator needs).</summary>
        /// <exception cref="System.IO.FileNotFoundException">The file does not exist.</exception>
        /// <exception cref="CocoFormatException">The JSON is malformed, or an entry is missing a field or has a bad value.</exception>
        public static CocoKeypointFile Load(string path) => Load(path, skippedAnnotation: null);

        /// <summary>
        /// Reads and checks a keypoint annotation file. With <paramref name="skippedAnnotation"/> set, a bad entry of
        /// 'annotations' (a field missing or out of range, a wrong keypoint count, an unknown image or category, a
        /// repeated id) is left out and reported to it instead of failing the whole file (what training on a large,
        /// imperfect set needs); the file's structure, images and categories must still be valid.
        /// </summary>
        /// <param name="path">The annotation JSON.</param>
        /// <param name="skippedAnnotation">Receives one error per annotation left out; null makes every error fatal.</param>
        /// <exception cref="System.IO.FileNotFoundException">The file does not exist.</exception>
        /// <exception cref="CocoFormatException">The JSON is malformed, or an entry is bad and cannot be skipped.</exception>
        public static CocoKeypointFile Load(string path, Action<CocoFormatException>? skippedAnnotation)
        {
            ArgumentNullException.ThrowIfNull(path);
            var dto = CocoJson.Read(path, CocoJsonContext.Default.AnnotationFileDto, "COCO keypoint annotation file");
            CocoJson.ThrowIfNull(dto.Images, path, "images");
            CocoJson.ThrowIfNull(dto.Annotations, path, "annotations");
            CocoJson.ThrowIfNull(dto.Categories, path, "categories");

            var images = new List<CocoImage>(dto.Images!.Count);
            for (int i = 0; i < dto.Images.Count; i++)
            {
                var d = dto.Images[i] ?? throw CocoJson.NullEntry(path, "images", i);
                if (!d.Id.HasValue) throw CocoJson.Missing(path, "images", i, null, "id");
                if (string.IsNullOrEmpty(d.FileName)) throw CocoJson.Missing(path, "images", i, d.Id, "file_name");
                // Images are read from the image folder the user names; a file name must not lead a reader elsewhere.
                if (LeavesFolder(d.FileName))
                    throw CocoFormatException.ForEntry(path, "images", i, d.Id, "file_name", $"is '{d.FileName}', a path outside the image folder; expected a name relative to it (subfolders allowed, no '..', not absolute).");
                // A missing size means unknown (0); a stated size must be a real one.
                var sizeError = d.Width is <= 0 ? CocoFormatException.ForEntry(path, "images", i, d.Id, "width", $"is {d.Width}, expected a positive number of pixels.")
                    : d.Height is <= 0 ? CocoFormatException.ForEntry(path, "images", i, d.Id, "height", $"is {d.Height}, expected a positive number of pixels.")
                    : null;
                if (sizeError is not null)
                {
                    // Lenient: the image is left out, and its annotations with it (each reported as not in 'images').
                    if (skippedAnnotation is null) throw sizeError;
                    skippedAnnotation(sizeError);
                    continue;
                }
                images.Add(new CocoImage(d.Id.Value, d.FileName, d.Width ?? 0, d.Height ?? 0));
            }

            var categories = new CocoCategory[dto.Categories!.Count];
            for (int i = 0; i < categories.Length; i++)
            {
                var d = dto.Categories[i] ?? throw CocoJson.NullEntry(path, "categories", i);
                if (!d.Id.HasValue) throw CocoJson.Missing(path, "categories", i, null, "id");
                categories[i] = new CocoCategory(d.Id.Value, d.Name ?? string.Empty, (IReadOnlyList<string>?)d.Keypoints ?? Array.Empty<string>());
            }

            var annotations = new List<CocoKeypointAnnotation>(dto.Annotations!.Count);
            HashSet<long>? imageIds = null, categoryIds = null, annotationIds = null;
            if (skippedAnnotation is not null)
            {
                // The constructor rejects bad references; checked here first so that a bad one skips one entry.
                imageIds = new HashSet<long>();
                foreach (var image in images) imageIds.Add(image.Id);
                categoryIds = new HashSet<long>();
                foreach (var category in categories) categoryIds.Add(category.Id);
                annotationIds = new HashSet<long>();
            }
            for (int i = 0; i < dto.Annotations.Count; i++)
            {
                if (skippedAnnotation is null)
                {
                    annotations.Add(ReadAnnotation(dto.Annotations[i], path, i));
                    continue;
                }
                try
                {
                    var a = ReadAnnotation(dto.Annotations[i], path, i);
                    var error = ReferenceError(path, i, a, annotationIds!, imageIds!.Contains, categoryIds!);
                    if (error is not null) throw error;
                    annotationIds!.Add(a.Id);
                    annotations.Add(a);
                }
                catch (CocoFormatException e)
                {
                    skippedAnnotation(e);
                }
            }

            return new CocoKeypointFile(images, annotations, categories, path);
        }

        /// <summary>What is wrong with an annotation's id, image or category reference, or null when nothing is.</summary>
        /// <summary>True for a file name that is absolute (or drive-rooted) or has a '..' segment.</summary>
        private static bool LeavesFolder(string fileName)
        {
            if (Path.IsPathRooted(fileName) || fileName.StartsWith('\\') || (fileName.Length > 1 && fileName[1] == ':')) return true;
            foreach (string segment in fileName.Split('/', '\\'))
                if (segment == "..") return true;
            return false;
        }

        private static CocoFormatException? ReferenceError(string source, int index, CocoKeypointAnnotation a, HashSet<long> earlierIds, Func<long, bool> hasImage, HashSet<long> categoryIds)
        {
            if (earlierIds.Contains(a.Id))
                return CocoFormatException.ForEntry(source, "annotations", index, a.ImageId, "id", $"{a.Id} is used by an earlier annotation too.");
            if (!hasImage(a.ImageId))
                return CocoFormatException.ForEntry(source, "annotations", index, a.ImageId, "image_id", $"{a.ImageId} is not in 'images'.");
            if (!categoryIds.Contains(a.CategoryId))
                return CocoFormatException.ForEntry(source, "annotations", index, a.ImageId, "category_id", $"{a.CategoryId} is not in 'categories'.");
            return null;
        }

        private static CocoKeypointAnnotation ReadAnnotation(AnnotationDto? d, string path, int i)
        {
            const int values = CocoKeypoints.Count * 3;
            if (d is null) throw CocoJson.NullEntry(path, "annotations", i);
            if (!d.ImageId.HasValue) throw CocoJson.Missing(path, "annotations", i, null, "image_id");
            long imageId = d.ImageId.Value;
            if (!d.Id.HasValue) throw CocoJson.Missing(path, "annotations", i, imageId, "id");
            if (!d.CategoryId.HasValue) throw CocoJson.Missing(path, "annotations", i, imageId, "category_id");
            CocoJson.CheckKeypoints(d.Keypoints, values, path, "annotations", i, imageId);
            // pycocotools reads num_keypoints (never recomputes it), so it must be there.
            if (!d.NumKeypoints.HasValue) throw CocoJson.Missing(path, "annotations", i, imageId, "num_keypoints");
            if (d.NumKeypoints.Value < 0 || d.NumKeypoints.Value > CocoKeypoints.Count)
                throw CocoFormatException.ForEntry(path, "annotations", i, imageId, "num_keypoints", $"is {d.NumKeypoints.Value}, expected 0 to {CocoKeypoints.Count}.");
            for (int k = 0; k < CocoKeypoints.Count; k++)
            {
                double v = d.Keypoints![3 * k + 2];
                if (v is not (0 or 1 or 2))
                    throw CocoFormatException.ForEntry(path, "annotations", i, imageId, "keypoints", $"visibility of keypoint {k} ({CocoKeypoints.Schema.Names[k]}) is {v}, expected 0, 1 or 2.");
            }
            var box = CocoJson.ReadBox(d.Bbox, path, "annotations", i, imageId, required: true);
            CocoJson.CheckNotNegative(box, path, "annotations", i, imageId);
            if (!d.Area.HasValue) throw CocoJson.Missing(path, "annotations", i, imageId, "area");
            if (!double.IsFinite(d.Area.Value) || d.Area.Value < 0)
                throw CocoFormatException.ForEntry(path, "annotations", i, imageId, "area", $"is {d.Area.Value}, expected a finite number >= 0.");
            // A missing iscrowd means an ordinary person (COCO always writes 0 or 1).
            int crowd = d.IsCrowd ?? 0;
            if (crowd is not (0 or 1))
                throw CocoFormatException.ForEntry(path, "annotations", i, imageId, "iscrowd", $"is {crowd}, expected 0 or 1.");
            return new CocoKeypointAnnotation(d.Id.Value, imageId, d.CategoryId.Value, d.Keypoints!, d.NumKeypoints.Value, box, d.Area.Value, crowd == 1);
        }
    }
}
