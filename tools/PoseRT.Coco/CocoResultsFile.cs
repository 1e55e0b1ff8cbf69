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

    /// <summary>The number-array pieces of COCO JSON that annotation and results files share.</summary>
    internal static class CocoJsonWriter
    {
        public static void WriteNumbers(Utf8JsonWriter writer, string name, ReadOnlySpan<double> values)
        {
            writer.WriteStartArray(name);
            foreach (var v in values) writer.WriteNumberValue(v);
            writer.WriteEndArray();
        }

        public static void WriteBox(Utf8JsonWriter writer, CocoBox box) =>
            WriteNumbers(writer, "bbox", stackalloc double[] { box.X, box.Y, box.Width, box.Height });
    }
}
