using System;
using System.Collections.Generic;
using System.IO;
using System.Text.Json;
using System.Text.Json.Nodes;
using PoseRT.Coco;
using PoseRT.Runtime;

namespace PoseRT.Synthetic
{
    /// <summary>
    /// The generator's ground truth in COCO terms: a data set becomes a <see cref="CocoKeypointFile"/> (written by its
    /// one annotation writer), a clip's per-frame persons are written with the same person fields. Coordinates are
    /// rounded to 0.01 px so the files stay small; equal input gives equal bytes.
    /// </summary>
    internal static class SyntheticAnnotations
    {
        /// <summary>The data set's annotation file: image i is id i + 1, persons are numbered from 1 in image order.</summary>
        public static CocoKeypointFile Dataset(SyntheticOptions o, IReadOnlyList<string> fileNames, IReadOnlyList<IReadOnlyList<SyntheticPerson>> people, string source)
        {
            var images = new CocoImage[fileNames.Count];
            for (int i = 0; i < images.Length; i++) images[i] = new CocoImage(i + 1, fileNames[i], o.Width, o.Height);
            var annotations = new List<CocoKeypointAnnotation>();
            for (int i = 0; i < people.Count; i++)
            {
                foreach (var p in people[i]) annotations.Add(ToAnnotation(p, annotations.Count + 1, i + 1));
            }
            var info = new JsonObject
            {
                ["description"] = "PoseRT synthetic people",
                ["version"] = "1",
                ["seed"] = o.Seed,
                ["difficulty"] = o.Difficulty,
                ["people_min"] = o.PeopleMin,
                ["people_max"] = o.PeopleMax,
            };
            // Absent for SyntheticFeatures.None, so the first generator's files stay byte for byte what they were.
            if (o.Features != SyntheticFeatures.None) info["features"] = SyntheticFeatureNames.Format(o.Features);
            return new CocoKeypointFile(images, annotations, new[] { Person }, source) { Info = info };
        }

        /// <summary>The clip's ground truth: its settings, the keypoint names and skeleton, then each frame's persons by track id.</summary>
        public static byte[] Clip(SyntheticClipOptions o, string videoFileName, IReadOnlyList<SyntheticClipFrame> frames)
        {
            using var ms = new MemoryStream();
            using (var w = new Utf8JsonWriter(ms))
            {
                w.WriteStartObject();
                w.WriteNumber("version", 1);
                w.WriteString("video", videoFileName);
                w.WriteNumber("width", o.Width);
                w.WriteNumber("height", o.Height);
                w.WriteNumber("fps", o.Fps);
                w.WriteNumber("frame_count", frames.Count);
                w.WriteNumber("people", o.People);
                w.WriteNumber("seed", o.Seed);
                w.WriteNumber("difficulty", o.Difficulty);
                CocoJsonWriter.WriteKeypointNames(w, Person.KeypointNames, Person.Skeleton);
                w.WriteStartArray("frames");
                foreach (var f in frames)
                {
                    w.WriteStartObject();
                    w.WriteNumber("frame", f.Index);
                    w.WriteStartArray("people");
                    foreach (var p in f.People)
                    {
                        w.WriteStartObject();
                        w.WriteNumber("id", p.Id);
                        CocoJsonWriter.WritePerson(w, ToAnnotation(p, p.Id, f.Index));
                        w.WriteEndObject();
                    }
                    w.WriteEndArray();
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteEndObject();
            }
            return ms.ToArray();
        }

        /// <summary>COCO's person category with the names and skeleton of <see cref="CocoKeypoints.Schema"/>.</summary>
        private static readonly CocoCategory Person =
            new(TopDownProtocol.PersonCategoryId, "person", CocoKeypoints.Schema.Names) { Supercategory = "person", Skeleton = CocoKeypoints.Schema.Skeleton };

        private static CocoKeypointAnnotation ToAnnotation(SyntheticPerson p, long id, long imageId)
        {
            Span<double> keypoints = stackalloc double[CocoKeypoints.Count * 3];
            for (int k = 0; k < keypoints.Length; k++)
            {
                // Visibility stays the integer it is; coordinates are rounded to 0.01 px.
                keypoints[k] = k % 3 == 2 ? (int)p.Keypoints[k] : Math.Round(p.Keypoints[k], 2);
            }
            var box = new CocoBox(p.Box.X, p.Box.Y, p.Box.Width, p.Box.Height);
            return new CocoKeypointAnnotation(id, imageId, TopDownProtocol.PersonCategoryId, keypoints, p.NumKeypoints, box, p.Area, isCrowd: false);
        }
    }
}
