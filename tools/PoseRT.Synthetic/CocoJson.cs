using System;
using System.Collections.Generic;
using System.IO;
using System.Text.Json;
using PoseRT.Runtime;

namespace PoseRT.Synthetic
{
    /// <summary>Writes COCO person_keypoints JSON (and the clip ground truth) with a fixed field order, so equal input gives equal bytes.</summary>
    internal static class CocoJson
    {
        public static byte[] Dataset(SyntheticOptions o, IReadOnlyList<string> fileNames, IReadOnlyList<IReadOnlyList<SyntheticPerson>> people)
        {
            using var ms = new MemoryStream();
            using (var w = new Utf8JsonWriter(ms))
            {
                w.WriteStartObject();
                w.WriteStartObject("info");
                w.WriteString("description", "PoseRT synthetic people");
                w.WriteString("version", "1");
                w.WriteNumber("seed", o.Seed);
                w.WriteNumber("difficulty", o.Difficulty);
                w.WriteNumber("people_min", o.PeopleMin);
                w.WriteNumber("people_max", o.PeopleMax);
                w.WriteEndObject();
                w.WriteStartArray("licenses");
                w.WriteEndArray();

                w.WriteStartArray("images");
                for (int i = 0; i < fileNames.Count; i++)
                {
                    w.WriteStartObject();
                    w.WriteNumber("id", i + 1);
                    w.WriteString("file_name", fileNames[i]);
                    w.WriteNumber("width", o.Width);
                    w.WriteNumber("height", o.Height);
                    w.WriteEndObject();
                }
                w.WriteEndArray();

                w.WriteStartArray("annotations");
                int id = 1;
                for (int i = 0; i < people.Count; i++)
                {
                    foreach (var p in people[i])
                    {
                        w.WriteStartObject();
                        w.WriteNumber("id", id++);
                        w.WriteNumber("image_id", i + 1);
                        w.WriteNumber("category_id", 1);
                        w.WriteNumber("iscrowd", 0);
                        WritePerson(w, p);
                        w.WriteEndObject();
                    }
                }
                w.WriteEndArray();

                w.WriteStartArray("categories");
                w.WriteStartObject();
                w.WriteNumber("id", 1);
                w.WriteString("name", "person");
                w.WriteString("supercategory", "person");
                WriteKeypointNames(w);
                w.WriteEndObject();
                w.WriteEndArray();
                w.WriteEndObject();
            }
            return ms.ToArray();
        }

        /// <summary>keypoints, num_keypoints, bbox and area of one person.</summary>
        private static void WritePerson(Utf8JsonWriter w, SyntheticPerson p)
        {
            w.WriteStartArray("keypoints");
            for (int k = 0; k < p.Keypoints.Count; k++)
            {
                if (k % 3 == 2) w.WriteNumberValue((int)p.Keypoints[k]);
                else w.WriteNumberValue(Math.Round(p.Keypoints[k], 2));
            }
            w.WriteEndArray();
            w.WriteNumber("num_keypoints", p.NumKeypoints);
            w.WriteStartArray("bbox");
            w.WriteNumberValue(p.Box.X);
            w.WriteNumberValue(p.Box.Y);
            w.WriteNumberValue(p.Box.Width);
            w.WriteNumberValue(p.Box.Height);
            w.WriteEndArray();
            w.WriteNumber("area", p.Area);
        }

        /// <summary>Keypoint names and the 1-based skeleton, as in COCO's categories.</summary>
        private static void WriteKeypointNames(Utf8JsonWriter w)
        {
            w.WriteStartArray("keypoints");
            foreach (var n in CocoKeypoints.Schema.Names) w.WriteStringValue(n);
            w.WriteEndArray();
            w.WriteStartArray("skeleton");
            foreach (var (from, to) in CocoKeypoints.Schema.Skeleton)
            {
                w.WriteStartArray();
                w.WriteNumberValue(from + 1);
                w.WriteNumberValue(to + 1);
                w.WriteEndArray();
            }
            w.WriteEndArray();
        }

        public static byte[] Clip(SyntheticClipOptions o, string videoFileName, IReadOnlyList<SyntheticClipFrame> frames)
        {
            using var ms = new MemoryStream();
            using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = false }))
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
                WriteKeypointNames(w);
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
                        WritePerson(w, p);
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
    }
}
