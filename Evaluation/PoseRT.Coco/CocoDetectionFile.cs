using System;
using System.Collections.Generic;

namespace PoseRT.Coco
{
    /// <summary>
    /// Reads person detection files such as <c>COCO_val2017_detections_AP_H_56_person.json</c>: a JSON list
    /// of <c>{image_id, category_id, bbox, score}</c>.
    /// </summary>
    public static class CocoDetectionFile
    {
        /// <summary>Reads and checks every entry, in file order.</summary>
        /// <exception cref="System.IO.FileNotFoundException">The file does not exist.</exception>
        /// <exception cref="CocoFormatException">Malformed JSON, or an entry with a missing or bad field.</exception>
        public static IReadOnlyList<CocoDetection> Load(string path)
        {
            ArgumentNullException.ThrowIfNull(path);
            var dtos = CocoJson.Read(path, CocoJsonContext.Default.ListDetectionDto, "COCO detection file");
            var detections = new CocoDetection[dtos.Count];
            for (int i = 0; i < detections.Length; i++)
            {
                var d = dtos[i] ?? throw CocoJson.NullEntry(path, "detections", i);
                if (!d.ImageId.HasValue) throw CocoJson.Missing(path, "detections", i, null, "image_id");
                long imageId = d.ImageId.Value;
                if (!d.CategoryId.HasValue) throw CocoJson.Missing(path, "detections", i, imageId, "category_id");
                var box = CocoJson.ReadBox(d.Bbox, path, "detections", i, imageId, required: true);
                CocoJson.CheckNotNegative(box, path, "detections", i, imageId);
                double score = CocoJson.CheckScore(d.Score, path, "detections", i, imageId);
                detections[i] = new CocoDetection(imageId, d.CategoryId.Value, box, score);
            }
            return detections;
        }
    }
}
