using System;
using System.Collections.Generic;
using System.IO;
using System.Text.Json;
using PoseRT.IO;
using PoseRT.Runtime;

namespace PoseRT.Coco
{
    /// <summary>
    /// Reads and writes keypoint results files: a JSON list of <c>{image_id, category_id, keypoints[51], score}</c>
    /// (the format pycocotools' <c>loadRes</c> and the COCO server take).
    /// </summary>
    public static class CocoResultsFile
    {
        /// <summary>Reads and checks every result, in file order (the order sets pycocotools' tie-breaking).</summary>
        /// <exception cref="System.IO.FileNotFoundException">The file does not exist.</exception>
        /// <exception cref="CocoFormatException">
        /// Malformed JSON, a missing field, a keypoint list that is not 51 finite numbers, or a score that is
        /// NaN, infinite or negative.
        /// </exception>
        public static IReadOnlyList<CocoKeypointResult> Load(string path)
        {
            ArgumentNullException.ThrowIfNull(path);
            return CocoResultsReader.Read(path);
        }

        /// <summary>
        /// Writes results atomically: to a temporary file beside <paramref name="path"/>, then renamed over it,
        /// so a crash never leaves a half-written file. Numbers are written in shortest round-trip form.
        /// </summary>
        public static void Save(string path, IEnumerable<CocoKeypointResult> results)
        {
            ArgumentNullException.ThrowIfNull(path);
            ArgumentNullException.ThrowIfNull(results);
            AtomicFile.Write(path, durable: true, write: stream =>
            {
                using var writer = new Utf8JsonWriter(stream);
                writer.WriteStartArray();
                foreach (var r in results)
                {
                    writer.WriteStartObject();
                    writer.WriteNumber("image_id", r.ImageId);
                    writer.WriteNumber("category_id", r.CategoryId);
                    CocoJsonWriter.WriteNumbers(writer, "keypoints", r.Keypoints);
                    writer.WriteNumber("score", r.Score);
                    if (r.Bbox is { } b) CocoJsonWriter.WriteBox(writer, b);
                    writer.WriteEndObject();
                }
                writer.WriteEndArray();
            });
        }
    }

    /// <summary>
    /// The pieces of COCO JSON that annotation files, results files and formats embedding COCO persons (the
    /// synthetic generator's clip ground truth) share, written in one place so each field has one spelling and
    /// one number format (shortest round-trip).
    /// </summary>
    public static class CocoJsonWriter
    {
        /// <summary>One person's <c>keypoints</c>, <c>num_keypoints</c>, <c>bbox</c> and <c>area</c>, in that order.</summary>
        public static void WritePerson(Utf8JsonWriter writer, CocoKeypointAnnotation person)
        {
            ArgumentNullException.ThrowIfNull(writer);
            ArgumentNullException.ThrowIfNull(person);
            WriteNumbers(writer, "keypoints", person.Keypoints);
            writer.WriteNumber("num_keypoints", person.NumKeypoints);
            WriteBox(writer, person.Bbox);
            writer.WriteNumber("area", person.Area);
        }

        /// <summary>A category's <c>keypoints</c> (names) and, when given, its <c>skeleton</c> as 1-based pairs.</summary>
        public static void WriteKeypointNames(Utf8JsonWriter writer, IReadOnlyList<string> names, IReadOnlyList<(int From, int To)>? skeleton)
        {
            ArgumentNullException.ThrowIfNull(writer);
            ArgumentNullException.ThrowIfNull(names);
            writer.WriteStartArray("keypoints");
            foreach (var name in names) writer.WriteStringValue(name);
            writer.WriteEndArray();
            if (skeleton is null) return;
            writer.WriteStartArray("skeleton");
            foreach (var (from, to) in skeleton)
            {
                writer.WriteStartArray();
                writer.WriteNumberValue(from + 1);
                writer.WriteNumberValue(to + 1);
                writer.WriteEndArray();
            }
            writer.WriteEndArray();
        }

        /// <summary>A named array of numbers.</summary>
        public static void WriteNumbers(Utf8JsonWriter writer, string name, ReadOnlySpan<double> values)
        {
            ArgumentNullException.ThrowIfNull(writer);
            writer.WriteStartArray(name);
            foreach (var v in values) writer.WriteNumberValue(v);
            writer.WriteEndArray();
        }

        /// <summary>A <c>bbox</c>: x, y, width, height.</summary>
        public static void WriteBox(Utf8JsonWriter writer, CocoBox box) =>
            WriteNumbers(writer, "bbox", stackalloc double[] { box.X, box.Y, box.Width, box.Height });
    }
}
