using System;
using System.Buffers;
using System.Collections.Generic;
using System.IO;
using System.Text.Json;
using PoseRT.Runtime;

namespace PoseRT.Coco
{
    /// <summary>
    /// Streaming reader for results files, the largest COCO files (100,000 entries of 51 numbers): one pass
    /// over a reused buffer with <see cref="Utf8JsonReader"/>, numbers parsed straight into each result's
    /// array. An entry cut by the end of the buffer is dropped and parsed again after the refill (about once
    /// per MiB), so no state machine has to span refills and each entry is tokenised once.
    /// </summary>
    internal static class CocoResultsReader
    {
        private const int Values = CocoKeypoints.Count * 3;

        // Thrown (one shared instance, about once per buffer refill) when an entry runs past the data read so far.
        private sealed class NeedMoreData : Exception
        {
        }

        private static readonly NeedMoreData Incomplete = new();

        private static void Next(ref Utf8JsonReader reader)
        {
            if (!reader.Read()) throw Incomplete;
        }

        private static void SkipValue(ref Utf8JsonReader reader)
        {
            if (!reader.TrySkip()) throw Incomplete;
        }

        public static List<CocoKeypointResult> Read(string path)
        {
            if (!File.Exists(path))
                throw new FileNotFoundException($"COCO keypoint results file '{path}' does not exist.", path);
            var results = new List<CocoKeypointResult>();
            byte[] buffer = ArrayPool<byte>.Shared.Rent(1 << 20);
            try
            {
                using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
                int filled = 0;
                bool final = false, started = false, ended = false;
                var state = new JsonReaderState(new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip });
                var scratch = new double[64];
                while (true)
                {
                    while (!final && filled < buffer.Length)
                    {
                        int n = stream.Read(buffer, filled, buffer.Length - filled);
                        if (n == 0) final = true;
                        filled += n;
                    }
                    int consumed = Parse(path, buffer.AsSpan(0, filled), final, ref state, ref started, ref ended, results, scratch);
                    if (ended || final)
                    {
                        if (!ended)
                            throw new CocoFormatException($"{path}: invalid COCO keypoint results file: it ends before the closing ']' of the list (after {results.Count} entries).") { FilePath = path };
                        return results;
                    }
                    if (consumed == 0)
                    {
                        // One entry is larger than the buffer: grow it.
                        var bigger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                        Buffer.BlockCopy(buffer, 0, bigger, 0, filled);
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = bigger;
                        continue;
                    }
                    Buffer.BlockCopy(buffer, consumed, buffer, 0, filled - consumed);
                    filled -= consumed;
                }
            }
            catch (JsonException ex)
            {
                string where = $" at $[{results.Count}]";
                string line = ex.LineNumber.HasValue ? $" (line {ex.LineNumber.Value + 1}, byte {ex.BytePositionInLine})" : string.Empty;
                throw new CocoFormatException($"{path}: invalid COCO keypoint results file{where}{line}: {ex.Message}", ex) { FilePath = path, EntryIndex = results.Count };
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }

        // Parses every complete entry in the block; returns the bytes consumed.
        private static int Parse(string path, ReadOnlySpan<byte> block, bool final, ref JsonReaderState state, ref bool started, ref bool ended,
            List<CocoKeypointResult> results, double[] scratch)
        {
            var reader = new Utf8JsonReader(block, final, state);
            while (true)
            {
                var checkpoint = reader;
                if (!reader.Read()) break;
                if (!started)
                {
                    if (reader.TokenType != JsonTokenType.StartArray)
                        throw new CocoFormatException($"{path}: invalid COCO keypoint results file: expected a JSON list of results, found {reader.TokenType}.") { FilePath = path };
                    started = true;
                    continue;
                }
                if (reader.TokenType == JsonTokenType.EndArray)
                {
                    ended = true;
                    // Anything after the list other than whitespace is an error the reader reports on the next read.
                    while (reader.Read())
                    {
                    }
                    break;
                }
                if (reader.TokenType != JsonTokenType.StartObject)
                    throw CocoFormatException.ForEntry(path, "results", results.Count, null, "entry", $"is a {reader.TokenType}, expected an object.");
                try
                {
                    results.Add(ParseEntry(path, ref reader, results.Count, scratch));
                }
                catch (NeedMoreData)
                {
                    reader = checkpoint;
                    break;
                }
            }
            state = reader.CurrentState;
            return (int)reader.BytesConsumed;
        }

        private static CocoKeypointResult ParseEntry(string path, ref Utf8JsonReader reader, int index, double[] scratch)
        {
            long? imageId = null, categoryId = null;
            double? score = null;
            double[]? keypoints = null;
            int keypointCount = 0;
            double[]? bbox = null;
            bool segmentation = false;
            while (true)
            {
                Next(ref reader);
                if (reader.TokenType != JsonTokenType.PropertyName) break;
                if (reader.ValueTextEquals("image_id"u8)) { Next(ref reader); imageId = Integer(path, ref reader, index, imageId, "image_id"); }
                else if (reader.ValueTextEquals("category_id"u8)) { Next(ref reader); categoryId = Integer(path, ref reader, index, imageId, "category_id"); }
                else if (reader.ValueTextEquals("score"u8)) { Next(ref reader); score = Number(path, ref reader, index, imageId, "score"); }
                else if (reader.ValueTextEquals("keypoints"u8))
                {
                    Next(ref reader);
                    keypointCount = Numbers(path, ref reader, index, imageId, "keypoints", scratch);
                    keypoints = scratch.AsSpan(0, Math.Min(keypointCount, scratch.Length)).ToArray();
                }
                else if (reader.ValueTextEquals("bbox"u8))
                {
                    Next(ref reader);
                    int n = Numbers(path, ref reader, index, imageId, "bbox", scratch);
                    bbox = scratch.AsSpan(0, Math.Min(n, scratch.Length)).ToArray();
                    if (n != bbox.Length) bbox = new double[n];
                }
                else if (reader.ValueTextEquals("segmentation"u8)) { SkipValue(ref reader); segmentation = true; }
                else SkipValue(ref reader);
            }

            if (!imageId.HasValue) throw CocoJson.Missing(path, "results", index, null, "image_id");
            if (!categoryId.HasValue) throw CocoJson.Missing(path, "results", index, imageId, "category_id");
            if (segmentation)
                throw CocoFormatException.ForEntry(path, "results", index, imageId, "segmentation", "is present: pycocotools would score such results by mask area, which keypoint evaluation here does not support. Remove the field.");
            if (keypoints != null && keypointCount != keypoints.Length) keypoints = new double[keypointCount];
            CocoJson.CheckKeypoints(keypoints, Values, path, "results", index, imageId);
            double s = CocoJson.CheckScore(score, path, "results", index, imageId);
            CocoBox? box = bbox is null || bbox.Length == 0 ? null : CocoJson.ReadBox(bbox, path, "results", index, imageId, required: true);
            return new CocoKeypointResult(imageId.Value, categoryId.Value, keypoints!, s, box);
        }

        private static long Integer(string path, ref Utf8JsonReader reader, int index, long? imageId, string field)
        {
            if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out long value)) return value;
            throw CocoFormatException.ForEntry(path, "results", index, imageId, field, $"is {Describe(ref reader)}, expected an integer.");
        }

        private static double Number(string path, ref Utf8JsonReader reader, int index, long? imageId, string field)
        {
            if (reader.TokenType == JsonTokenType.Number) return reader.GetDouble();
            // "NaN" / "Infinity" as strings (what some writers emit) are read so that the checks name them.
            if (reader.TokenType == JsonTokenType.String)
            {
                if (reader.ValueTextEquals("NaN"u8)) return double.NaN;
                if (reader.ValueTextEquals("Infinity"u8)) return double.PositiveInfinity;
                if (reader.ValueTextEquals("-Infinity"u8)) return double.NegativeInfinity;
            }
            throw CocoFormatException.ForEntry(path, "results", index, imageId, field, $"is {Describe(ref reader)}, expected a number.");
        }

        // Reads an array of numbers into scratch (as many as fit); returns how many the array holds.
        private static int Numbers(string path, ref Utf8JsonReader reader, int index, long? imageId, string field, double[] scratch)
        {
            if (reader.TokenType != JsonTokenType.StartArray)
                throw CocoFormatException.ForEntry(path, "results", index, imageId, field, $"is {Describe(ref reader)}, expected a list of numbers.");
            int n = 0;
            while (true)
            {
                Next(ref reader);
                if (reader.TokenType == JsonTokenType.EndArray) break;
                double v = Number(path, ref reader, index, imageId, field);
                if (n < scratch.Length) scratch[n] = v;
                n++;
            }
            return n;
        }

        private static string Describe(ref Utf8JsonReader reader) => reader.TokenType switch
        {
            JsonTokenType.String => "the string \"" + reader.GetString() + "\"",
            JsonTokenType.Number => "the number " + System.Text.Encoding.UTF8.GetString(reader.ValueSpan),
            JsonTokenType.StartArray => "a list",
            JsonTokenType.StartObject => "an object",
            JsonTokenType.Null => "null",
            JsonTokenType.True or JsonTokenType.False => "a boolean",
            _ => reader.TokenType.ToString(),
        };
    }
}
