using System;

namespace PoseRT.Coco
{
    /// <summary>
    /// A COCO file (annotations, detections or results) is malformed or inconsistent. The message names
    /// the file and, where known, the entry (index and image id) and the field.
    /// </summary>
    public sealed class CocoFormatException : Exception
    {
        /// <summary>Creates the exception with a message.</summary>
        public CocoFormatException(string message)
            : base(message)
        {
        }

        /// <summary>Creates the exception with a message and its cause.</summary>
        public CocoFormatException(string message, Exception innerException)
            : base(message, innerException)
        {
        }

        /// <summary>Creates the exception without a message (serialisation / framework use).</summary>
        public CocoFormatException()
        {
        }

        /// <summary>The file (or source name) that was being read, when known.</summary>
        public string? FilePath { get; init; }

        /// <summary>Zero-based index of the offending entry in its list, or -1.</summary>
        public int EntryIndex { get; init; } = -1;

        /// <summary>The JSON field that is wrong, when known.</summary>
        public string? Field { get; init; }

        /// <summary>
        /// An error about one entry of a list, worded <c>file: list[index] (image_id N): 'field' problem</c>.
        /// </summary>
        /// <param name="source">The file (or source name).</param>
        /// <param name="list">The list the entry is in (annotations, results, detections, ...).</param>
        /// <param name="index">Zero-based index of the entry.</param>
        /// <param name="imageId">The entry's image id, when known.</param>
        /// <param name="field">The field that is wrong.</param>
        /// <param name="problem">What is wrong with it, as the rest of the sentence.</param>
        public static CocoFormatException ForEntry(string source, string list, int index, long? imageId, string field, string problem)
        {
            var image = imageId.HasValue ? $" (image_id {imageId.Value})" : string.Empty;
            return new CocoFormatException($"{source}: {list}[{index}]{image}: '{field}' {problem}")
            {
                FilePath = source,
                EntryIndex = index,
                Field = field,
            };
        }
    }
}
