using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using OpenCvSharp;
using PoseRT.Runtime;
using PoseRT.Synthetic;
using PoseRT.Tests;

namespace PoseRT.Trainer.Tests.Synthetic
{
    public class SyntheticPeopleTests
    {
        private static SyntheticOptions Small(long seed, double difficulty = 0.5, int images = 6) => new()
        {
            Images = images,
            Width = 128,
            Height = 96,
            Seed = seed,
            PeopleMin = 1,
            PeopleMax = 4,
            Difficulty = difficulty,
        };

        [Fact]
        public void SameSeed_GivesByteIdenticalFiles_WhateverTheThreadCount_AndAnotherSeedDiffers()
        {
            var a = Small(11);
            a.MaxDegreeOfParallelism = 1;
            var b = Small(11);
            b.MaxDegreeOfParallelism = 2;
            var dsA = SyntheticPeople.GenerateDataset(a, RepoPaths.NewTempDir("synth-a"));
            var dsB = SyntheticPeople.GenerateDataset(b, RepoPaths.NewTempDir("synth-b"));
            var dsC = SyntheticPeople.GenerateDataset(Small(12), RepoPaths.NewTempDir("synth-c"));

            Assert.Equal(File.ReadAllBytes(dsA.AnnotationPath), File.ReadAllBytes(dsB.AnnotationPath));
            var files = Directory.GetFiles(dsA.ImageDirectory).Select(Path.GetFileName).OrderBy(n => n, StringComparer.Ordinal).ToArray();
            Assert.Equal(6, files.Length);
            Assert.Equal(files, Directory.GetFiles(dsB.ImageDirectory).Select(Path.GetFileName).OrderBy(n => n, StringComparer.Ordinal).ToArray());
            foreach (var f in files)
                Assert.Equal(File.ReadAllBytes(Path.Combine(dsA.ImageDirectory, f!)), File.ReadAllBytes(Path.Combine(dsB.ImageDirectory, f!)));

            Assert.NotEqual(File.ReadAllBytes(dsA.AnnotationPath), File.ReadAllBytes(dsC.AnnotationPath));
            Assert.NotEqual(File.ReadAllBytes(Path.Combine(dsA.ImageDirectory, files[0]!)), File.ReadAllBytes(Path.Combine(dsC.ImageDirectory, files[0]!)));
            // No temporary files left behind by the atomic writes.
            Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(dsA.AnnotationPath)!, ".*"));
            Assert.Empty(Directory.GetFiles(dsA.ImageDirectory, ".*"));
        }

        [Fact]
        public void Annotations_AreValidCocoPersonKeypoints()
        {
            var o = Small(21, difficulty: 1, images: 24);
            var ds = SyntheticPeople.GenerateDataset(o, RepoPaths.NewTempDir("synth-valid"));
            using var doc = JsonDocument.Parse(File.ReadAllBytes(ds.AnnotationPath));
            var root = doc.RootElement;

            var cat = root.GetProperty("categories")[0];
            Assert.Equal(1, cat.GetProperty("id").GetInt32());
            Assert.Equal("person", cat.GetProperty("name").GetString());
            Assert.Equal(CocoKeypoints.Schema.Names, cat.GetProperty("keypoints").EnumerateArray().Select(e => e.GetString()!).ToArray());
            var skeleton = cat.GetProperty("skeleton").EnumerateArray().ToArray();
            Assert.Equal(19, skeleton.Length);
            Assert.Equal(new[] { 16, 14 }, skeleton[0].EnumerateArray().Select(e => e.GetInt32()).ToArray()); // COCO's first limb, 1-based

            var images = new Dictionary<int, (int W, int H)>();
            foreach (var im in root.GetProperty("images").EnumerateArray())
            {
                images.Add(im.GetProperty("id").GetInt32(), (im.GetProperty("width").GetInt32(), im.GetProperty("height").GetInt32()));
                Assert.True(File.Exists(Path.Combine(ds.ImageDirectory, im.GetProperty("file_name").GetString()!)));
            }
            Assert.Equal(24, images.Count);

            var ids = new HashSet<int>();
            int v0 = 0, v1 = 0, v2 = 0, anns = 0;
            foreach (var a in root.GetProperty("annotations").EnumerateArray())
            {
                anns++;
                Assert.True(ids.Add(a.GetProperty("id").GetInt32()));
                Assert.Equal(1, a.GetProperty("category_id").GetInt32());
                Assert.Equal(0, a.GetProperty("iscrowd").GetInt32());
                var (w, h) = images[a.GetProperty("image_id").GetInt32()];
                double[] k = a.GetProperty("keypoints").EnumerateArray().Select(e => e.GetDouble()).ToArray();
                Assert.Equal(51, k.Length);
                double[] box = a.GetProperty("bbox").EnumerateArray().Select(e => e.GetDouble()).ToArray();
                Assert.Equal(4, box.Length);
                Assert.True(box[0] >= 0 && box[1] >= 0 && box[2] > 0 && box[3] > 0, $"bbox {string.Join(",", box)}");
                Assert.True(box[0] + box[2] <= w && box[1] + box[3] <= h, $"bbox {string.Join(",", box)} leaves the {w}x{h} image");
                Assert.True(a.GetProperty("area").GetDouble() > 0);
                Assert.True(a.GetProperty("area").GetDouble() <= box[2] * box[3]);
                int labelled = 0;
                for (int j = 0; j < 17; j++)
                {
                    double x = k[3 * j], y = k[3 * j + 1], v = k[3 * j + 2];
                    Assert.Contains(v, new[] { 0.0, 1.0, 2.0 });
                    if (v == 0)
                    {
                        Assert.Equal(0, x);
                        Assert.Equal(0, y);
                        v0++;
                        continue;
                    }
                    labelled++;
                    if (v == 1) v1++;
                    else v2++;
                    Assert.True(x >= 0 && y >= 0 && x <= w - 1 && y <= h - 1, $"keypoint {j} ({x}, {y}) outside the image");
                    Assert.True(x >= box[0] && x <= box[0] + box[2] && y >= box[1] && y <= box[1] + box[3], $"keypoint {j} ({x}, {y}) outside bbox {string.Join(",", box)}");
                }
                Assert.Equal(labelled, a.GetProperty("num_keypoints").GetInt32());
            }
            Assert.Equal(ds.AnnotationCount, anns);
            Assert.True(anns >= 24, $"only {anns} people in 24 images");
            // Hard settings must produce all three visibility states.
            Assert.True(v0 > 0 && v1 > 0 && v2 > 0, $"v0={v0} v1={v1} v2={v2}");
        }

        [Fact]
        public void SelfOcclusion_AloneProducesOccludedKeypoints()
        {
            // One person per image: every v = 1 comes from the figure hiding its own joints (far arm, back of the head...).
            var o = Small(31, difficulty: 0.6);
            o.PeopleMax = 1;
            o.AllowPartiallyOutside = false;
            int v1 = 0, v2 = 0;
            for (int i = 0; i < 20; i++)
            {
                foreach (var p in SyntheticPeople.RenderImage(o, i).People)
                {
                    for (int k = 0; k < 17; k++)
                    {
                        if (p.Keypoints[3 * k + 2] == 1) v1++;
                        else if (p.Keypoints[3 * k + 2] == 2) v2++;
                    }
                }
            }
            Assert.True(v1 > 10, $"only {v1} self-occluded keypoints");
            Assert.True(v2 > 2 * v1, $"v2={v2} v1={v1}: most keypoints of a lone person should be visible");
        }

        [Fact]
        public void VisibleKeypoints_LieOnTheirOwnPersonsDrawnPixels()
        {
            var o = Small(41, difficulty: 0.3);
            int checkedPoints = 0, changed = 0;
            for (int i = 0; i < 8; i++)
            {
                var img = SyntheticPeople.RenderImage(o, i);
                var empty = Scene.RenderStill(o, i, drawPeople: false);
                Assert.Empty(empty.People);
                var with = img.Bgr.Span;
                var without = empty.Bgr.Span;
                foreach (var p in img.People)
                {
                    for (int k = 0; k < 17; k++)
                    {
                        if (p.Keypoints[3 * k + 2] != 2) continue;
                        int x = (int)MathF.Round(p.Keypoints[3 * k]), y = (int)MathF.Round(p.Keypoints[3 * k + 1]);
                        int label = img.Labels[y * img.Width + x];
                        Assert.True(label != 0 && (label - 1) / Canvas.LabelStride == p.Id, $"image {i} person {p.Id} keypoint {k} is on label {label}");
                        checkedPoints++;
                        int o3 = (y * img.Width + x) * 3;
                        int diff = Math.Abs(with[o3] - without[o3]) + Math.Abs(with[o3 + 1] - without[o3 + 1]) + Math.Abs(with[o3 + 2] - without[o3 + 2]);
                        if (diff > 24) changed++;
                    }
                }
            }
            Assert.True(checkedPoints > 50, $"only {checkedPoints} visible keypoints");
            // In the image itself, a visible keypoint's pixel shows the person, not the background behind.
            Assert.True(changed >= 0.9 * checkedPoints, $"{changed} of {checkedPoints} visible keypoints differ from the empty scene");
        }

        [Fact]
        public void Difficulty_MakesPeopleSmallerAndMoreOccluded()
        {
            static (double Occluded, double MedianArea) Stats(double d)
            {
                var o = Small(51, d);
                o.Width = 160;
                o.Height = 120;
                int v1 = 0, labelled = 0;
                var areas = new List<int>();
                for (int i = 0; i < 16; i++)
                {
                    foreach (var p in SyntheticPeople.RenderImage(o, i).People)
                    {
                        areas.Add(p.Area);
                        for (int k = 0; k < 17; k++)
                        {
                            if (p.Keypoints[3 * k + 2] > 0) labelled++;
                            if (p.Keypoints[3 * k + 2] == 1) v1++;
                        }
                    }
                }
                areas.Sort();
                return (v1 / (double)labelled, areas[areas.Count / 2]);
            }
            var easy = Stats(0);
            var hard = Stats(1);
            Assert.True(hard.Occluded > easy.Occluded, $"occluded fraction easy {easy.Occluded:F3} hard {hard.Occluded:F3}");
            Assert.True(hard.MedianArea < easy.MedianArea, $"median area easy {easy.MedianArea} hard {hard.MedianArea}");
        }

        [Fact]
        public void BadOptions_AreRejectedNamingTheSetting()
        {
            var e = Assert.Throws<ArgumentException>(() => SyntheticPeople.RenderImage(new SyntheticOptions { PeopleMin = 3, PeopleMax = 2 }, 0));
            Assert.Contains("PeopleMax", e.Message, StringComparison.Ordinal);
            e = Assert.Throws<ArgumentException>(() => SyntheticPeople.RenderImage(new SyntheticOptions { Difficulty = 1.5 }, 0));
            Assert.Contains("Difficulty", e.Message, StringComparison.Ordinal);
            e = Assert.Throws<ArgumentException>(() => SyntheticPeople.RenderImage(new SyntheticOptions { Width = 8 }, 0));
            Assert.Contains("Width", e.Message, StringComparison.Ordinal);
            e = Assert.Throws<ArgumentException>(() => SyntheticPeople.GenerateClip(new SyntheticClipOptions { People = 0 }, RepoPaths.NewTempDir("synth-bad")));
            Assert.Contains("People", e.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void OutputFolderThatIsAFile_FailsWithAnIoErrorAndWritesNothing()
        {
            string dir = RepoPaths.NewTempDir("synth-file");
            string file = Path.Combine(dir, "not-a-folder");
            File.WriteAllText(file, "x");
            Assert.ThrowsAny<IOException>(() => SyntheticPeople.GenerateDataset(Small(1, images: 1), file));
            Assert.Equal("x", File.ReadAllText(file));
            Assert.Single(Directory.GetFileSystemEntries(dir));
        }

        [Fact]
        public void Clip_HasEveryFrame_StableIds_AndSmoothKeypoints()
        {
            var o = new SyntheticClipOptions { Width = 192, Height = 128, Frames = 16, People = 2, Seed = 5, Fps = 25 };
            string dir = RepoPaths.NewTempDir("synth-clip");
            var clip = SyntheticPeople.GenerateClip(o, dir);

            using (var cap = new VideoCapture(clip.VideoPath))
            {
                Assert.True(cap.IsOpened());
                int n = 0;
                using var frame = new Mat();
                while (cap.Read(frame) && !frame.Empty())
                {
                    Assert.Equal(192, frame.Width);
                    Assert.Equal(128, frame.Height);
                    n++;
                }
                Assert.Equal(16, n);
            }

            using var doc = JsonDocument.Parse(File.ReadAllBytes(clip.GroundTruthPath));
            var frames = doc.RootElement.GetProperty("frames").EnumerateArray().ToArray();
            Assert.Equal(16, frames.Length);
            Assert.Equal(16, doc.RootElement.GetProperty("frame_count").GetInt32());
            Dictionary<int, double[]>? previous = null;
            double worst = 0;
            for (int f = 0; f < frames.Length; f++)
            {
                Assert.Equal(f, frames[f].GetProperty("frame").GetInt32());
                var people = frames[f].GetProperty("people").EnumerateArray().ToDictionary(
                    p => p.GetProperty("id").GetInt32(),
                    p => p.GetProperty("keypoints").EnumerateArray().Select(e => e.GetDouble()).ToArray());
                Assert.Equal(new[] { 0, 1 }, people.Keys.OrderBy(k => k).ToArray());
                if (previous != null)
                {
                    foreach (var (id, k) in people)
                    {
                        var before = previous[id];
                        for (int j = 0; j < 17; j++)
                        {
                            if (k[3 * j + 2] == 0 || before[3 * j + 2] == 0) continue;
                            worst = Math.Max(worst, Math.Sqrt(Math.Pow(k[3 * j] - before[3 * j], 2) + Math.Pow(k[3 * j + 1] - before[3 * j + 1], 2)));
                        }
                    }
                }
                previous = people;
            }
            // People are 40-85 px tall here: no joint may jump more than about a tenth of a stature per frame.
            Assert.True(worst > 0.2, "nothing moves");
            Assert.True(worst < 9, $"a keypoint jumped {worst:F1} px between frames");

            // The same seed gives the same ground truth.
            var again = SyntheticPeople.GenerateClip(o, RepoPaths.NewTempDir("synth-clip2"));
            Assert.Equal(File.ReadAllBytes(clip.GroundTruthPath), File.ReadAllBytes(again.GroundTruthPath));
        }
    }
}
