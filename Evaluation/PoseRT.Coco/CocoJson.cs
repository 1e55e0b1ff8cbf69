using System;
using System.Collections.Generic;
using System.IO;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace PoseRT.Coco
{
    // Wire shapes of the COCO files. Every field is nullable so that a missing field is reported by name
    // (with the entry's index and image id) instead of silently becoming 0. Unknown fields such as
    // 'segmentation' are skipped by the serializer without being materialised.
    internal sealed class ImageDto
    {
        [JsonPropertyName("id")] public long? Id { get; set; }
        [JsonPropertyName("file_name")] public string? FileName { get; set; }
        [JsonPropertyName("width")] public int? Width { get; set; }
        [JsonPropertyName("height")] public int? Height { get; set; }
    }

    internal sealed class CategoryDto
    {
        [JsonPropertyName("id")] public long? Id { get; set; }
        [JsonPropertyName("name")] public string? Name { get; set; }
        [JsonPropertyName("keypoints")] public List<string>? Keypoints { get; set; }
    }

    internal sealed class AnnotationDto
    {
        [JsonPropertyName("id")] public long? Id { get; set; }
        [JsonPropertyName("image_id")] public long? ImageId { get; set; }
        [JsonPropertyName("category_id")] public long? CategoryId { get; set; }
        [JsonPropertyName("keypoints")] public double[]? Keypoints { get; set; }
        [JsonPropertyName("num_keypoints")] public int? NumKeypoints { get; set; }
        [JsonPropertyName("bbox")] public double[]? Bbox { get; set; }
        [JsonPropertyName("area")] public double? Area { get; set; }
        [JsonPropertyName("iscrowd")] public int? IsCrowd { get; set; }
    }

    internal sealed class AnnotationFileDto
    {
        [JsonPropertyName("images")] public List<ImageDto?>? Images { get; set; }
        [JsonPropertyName("annotations")] public List<AnnotationDto?>? Annotations { get; set; }
        [JsonPropertyName("categories")] public List<CategoryDto?>? Categories { get; set; }
    }

    internal sealed class DetectionDto
    {
        [JsonPropertyName("image_id")] public long? ImageId { get; set; }
        [JsonPropertyName("category_id")] public long? CategoryId { get; set; }
        [JsonPropertyName("bbox")] public double[]? Bbox { get; set; }
        [JsonPropertyName("score")] public double? Score { get; set; }
    }

    // "NaN" / "Infinity" written as strings are read so that they can be rejected by name, like any bad value.
    [JsonSourceGenerationOptions(NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
    [JsonSerializable(typeof(AnnotationFileDto))]
    [JsonSerializable(typeof(List<DetectionDto?>))]
    internal sealed partial class CocoJsonContext : JsonSerializerContext
    {
    }

    internal static class CocoJson
    {
        /// <summary>Deserialises a whole file in one streaming pass (the serializer reads it in chunks).</summary>
        public static T Read<T>(string path, JsonTypeInfo<T> typeInfo, string what)
        {
            if (Directory.Exists(path))
                throw new FileNotFoundException($"{what} '{path}' is a folder, not a file.", path);
            if (!File.Exists(path))
                throw new FileNotFoundException($"{what} '{path}' does not exist.", path);
            try
            {
                using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
                var value = JsonSerializer.Deserialize(stream, typeInfo);
                if (value is null)
                    throw new CocoFormatException($"{path}: the {what} is JSON 'null'.") { FilePath = path };
                return value;
            }
            catch (JsonException ex)
            {
                // ex.Path names the entry ($.annotations[12].keypoints[3]); LineNumber is zero-based.
                var where = ex.Path is null ? string.Empty : $" at {ex.Path}";
                var line = ex.LineNumber.HasValue ? $" (line {ex.LineNumber.Value + 1}, byte {ex.BytePositionInLine})" : string.Empty;
                throw new CocoFormatException($"{path}: invalid {what}{where}{line}: {ex.Message}", ex) { FilePath = path, Field = ex.Path };
            }
        }

        public static CocoBox ReadBox(double[]? bbox, string source, string list, int index, long? imageId, bool required)
        {
            if (bbox is null)
            {
                if (required) throw CocoFormatException.ForEntry(source, list, index, imageId, "bbox", "is missing.");
                return default;
            }
            if (bbox.Length != 4)
                throw CocoFormatException.ForEntry(source, list, index, imageId, "bbox", $"must hold 4 values [x, y, w, h], got {bbox.Length}.");
            for (int i = 0; i < 4; i++)
            {
                if (!double.IsFinite(bbox[i]))
                    throw CocoFormatException.ForEntry(source, list, index, imageId, "bbox", $"value {i} is {bbox[i]}, not a finite number.");
                if (Math.Abs(bbox[i]) > BoundingBox.MaxCoordinate)
                    throw CocoFormatException.ForEntry(source, list, index, imageId, "bbox", $"value {i} is {bbox[i]}, beyond {BoundingBox.MaxCoordinate} pixels (wrong units?).");
            }
            return new CocoBox(bbox[0], bbox[1], bbox[2], bbox[3]);
        }

        /// <summary>A box with a negative side is no box (a detector or annotation tool bug); named by entry and field.</summary>
        public static void CheckNotNegative(CocoBox box, string source, string list, int index, long? imageId)
        {
            if (box.Width < 0 || box.Height < 0)
                throw CocoFormatException.ForEntry(source, list, index, imageId, "bbox", $"has width {box.Width} and height {box.Height}; neither may be negative.");
        }

        public static void CheckKeypoints(double[]? keypoints, int expected, string source, string list, int index, long? imageId)
        {
            if (keypoints is null)
                throw CocoFormatException.ForEntry(source, list, index, imageId, "keypoints", "is missing.");
            if (keypoints.Length != expected)
                throw CocoFormatException.ForEntry(source, list, index, imageId, "keypoints", $"must hold {expected} values (x, y, v/score for {expected / 3} keypoints), got {keypoints.Length}.");
            for (int i = 0; i < keypoints.Length; i++)
            {
                if (!double.IsFinite(keypoints[i]))
                    throw CocoFormatException.ForEntry(source, list, index, imageId, "keypoints", $"value {i} is {keypoints[i]}, not a finite number.");
            }
        }

        public static double CheckScore(double? score, string source, string list, int index, long? imageId)
        {
            if (!score.HasValue)
                throw CocoFormatException.ForEntry(source, list, index, imageId, "score", "is missing.");
            double s = score.Value;
            if (!double.IsFinite(s) || s < 0)
                throw CocoFormatException.ForEntry(source, list, index, imageId, "score", $"is {s}; scores must be finite and not negative.");
            return s;
        }

        public static Exception Missing(string source, string list, int index, long? imageId, string field) =>
            CocoFormatException.ForEntry(source, list, index, imageId, field, "is missing.");

        public static Exception NullEntry(string source, string list, int index) =>
            new CocoFormatException($"{source}: {list}[{index}] is null, expected an object.") { FilePath = source, EntryIndex = index };

        public static void ThrowIfNull<T>(T? value, string source, string what)
            where T : class
        {
            if (value is null)
                throw new CocoFormatException($"{source}: '{what}' is missing.") { FilePath = source, Field = what };
        }
    }
}
