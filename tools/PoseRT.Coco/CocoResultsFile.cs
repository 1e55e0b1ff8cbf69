using System;
using System.Collections.Generic;
using System.IO;
using System.Text.Json;
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
            var dtos = CocoJson.Read(path, CocoJsonContext.Default.ListResultDto, "COCO keypoint results file");
            const int values = CocoKeypoints.Count * 3;
            var results = new CocoKeypointResult[dtos.Count];
            for (int i = 0; i < results.Length; i++)
            {
                var d = dtos[i] ?? throw CocoJson.NullEntry(path, "results", i);
                if (!d.ImageId.HasValue) throw CocoJson.Missing(path, "results", i, null, "image_id");
                long imageId = d.ImageId.Value;
                if (!d.CategoryId.HasValue) throw CocoJson.Missing(path, "results", i, imageId, "category_id");
                if (d.Segmentation.HasValue)
                    throw CocoFormatException.Entry(path, "results", i, imageId, "segmentation", "is present: pycocotools would score such results by mask area, which keypoint evaluation here does not support. Remove the field.");
                CocoJson.CheckKeypoints(d.Keypoints, values, path, "results", i, imageId);
                double score = CocoJson.CheckScore(d.Score, path, "results", i, imageId);
                CocoBox? box = d.Bbox is null || d.Bbox.Length == 0 ? null : CocoJson.ReadBox(d.Bbox, path, "results", i, imageId, required: true);
                results[i] = new CocoKeypointResult(imageId, d.CategoryId.Value, d.Keypoints!, score, box);
            }
            return results;
        }

        /// <summary>
        /// Writes results atomically: to a temporary file beside <paramref name="path"/>, then renamed over it,
        /// so a crash never leaves a half-written file. Numbers are written in shortest round-trip form.
        /// </summary>
        public static void Save(string path, IEnumerable<CocoKeypointResult> results)
        {
            ArgumentNullException.ThrowIfNull(path);
            ArgumentNullException.ThrowIfNull(results);
            AtomicFile.Write(path, stream =>
            {
                using var writer = new Utf8JsonWriter(stream);
                writer.WriteStartArray();
                foreach (var r in results)
                {
                    writer.WriteStartObject();
                    writer.WriteNumber("image_id", r.ImageId);
                    writer.WriteNumber("category_id", r.CategoryId);
                    writer.WriteStartArray("keypoints");
                    foreach (var v in r.Keypoints) writer.WriteNumberValue(v);
                    writer.WriteEndArray();
                    writer.WriteNumber("score", r.Score);
                    if (r.Bbox is { } b)
                    {
                        writer.WriteStartArray("bbox");
                        writer.WriteNumberValue(b.X);
                        writer.WriteNumberValue(b.Y);
                        writer.WriteNumberValue(b.Width);
                        writer.WriteNumberValue(b.Height);
                        writer.WriteEndArray();
                    }
                    writer.WriteEndObject();
                }
                writer.WriteEndArray();
            });
        }
    }

    /// <summary>Writes files through a temporary sibling and a rename, so readers never see a partial file.</summary>
    internal static class AtomicFile
    {
        public static void Write(string path, Action<Stream> write)
        {
            var full = Path.GetFullPath(path);
            var dir = Path.GetDirectoryName(full)!;
            Directory.CreateDirectory(dir);
            var temp = Path.Combine(dir, "." + Path.GetFileName(full) + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp");
            try
            {
                using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
                {
                    write(stream);
                    stream.Flush(flushToDisk: true);
                }
                File.Move(temp, full, overwrite: true);
            }
            catch
            {
                try { File.Delete(temp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
                throw;
            }
        }
    }
}
