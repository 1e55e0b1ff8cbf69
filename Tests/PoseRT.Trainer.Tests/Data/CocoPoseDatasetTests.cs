using System;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using PoseRT.Coco;
using PoseRT.Runtime;
using PoseRT.Runtime.Geometry;
using PoseRT.Runtime.Model;
using PoseRT.Trainer.Data;

namespace PoseRT.Tests.Data
{
    public class CocoPoseDatasetTests
    {
        private static string Annotations => Path.Combine(RepoPaths.CocoMini, "annotations", "person_keypoints_mini.json");

        private static string Images => Path.Combine(RepoPaths.CocoMini, "images");

        private static CocoPoseDataset Mini(Augmentation aug, DataWarnings? w = null) =>
            new(Annotations, Images, PoseModelInfo.CocoDefault(), aug, w ?? new DataWarnings());

        [Fact]
        public void Coco_mini_gives_one_sample_per_labelled_non_crowd_person()
        {
            var w = new DataWarnings();
            var data = Mini(Augmentation.Paper, w);
            Assert.Equal(12, data.Count); // 14 persons, two with num_keypoints 0
            Assert.Equal(new SampleShape(3, 256, 192, 17, 64, 48), data.Shape);
            Assert.Equal(0, w.Total);
        }

        [Fact]
        public void Targets_decode_back_onto_the_annotated_keypoints_through_the_runtime_geometry()
        {
            var data = Mini(Augmentation.FlipOnly);
            var codec = HeatmapCodec.ForModel(PoseModelInfo.CocoDefault());
            var s = data.Shape;
            var image = new float[s.ImageLength];
            var target = new float[s.TargetLength];
            var weight = new float[s.Joints];
            var peaks = new Keypoint[s.Joints];
            int flipped = 0, checkedJoints = 0;
            for (int i = 0; i < data.Count; i++)
            {
                for (int seed = 0; seed < 2; seed++)
                {
                    var crop = data.CropOf(i, new Random(seed * 1000 + i));
                    Assert.True(data.TryLoad(i, new Random(seed * 1000 + i), image, target, weight, out var problem), problem);
                    if (crop.FlipHorizontal) flipped++;
                    codec.Decode(target, peaks, PeakRefinement.None);
                    var joints = data.JointsOf(i);
                    float pxPerHeatmap = crop.ScaleX * CropTransform.PixelStd / s.HeatmapWidth;
                    for (int j = 0; j < s.Joints; j++)
                    {
                        int label = crop.FlipHorizontal ? CocoKeypoints.Schema.FlipIndex[j] : j;
                        if (joints[3 * j + 2] <= 0) { Assert.Equal(0f, weight[label]); continue; }
                        if (weight[label] == 0) continue; // outside the crop
                        crop.HeatmapToImage(peaks[label].X, peaks[label].Y, codec.StrideX, codec.StrideY, out float x, out float y);
                        float err = MathF.Sqrt((x - joints[3 * j]) * (x - joints[3 * j]) + (y - joints[3 * j + 1]) * (y - joints[3 * j + 1]));
                        // integer heatmap peak: within one heatmap pixel (diagonal) of the annotation
                        Assert.True(err <= 0.75f * pxPerHeatmap + 0.5f, $"sample {i} joint {j}: {err:F1} px off (heatmap pixel = {pxPerHeatmap:F1} px)");
                        checkedJoints++;
                    }
                    // The image is normalised (ImageNet mean/std) and not blank.
                    Assert.InRange(image.Average(), -2.2, 2.7);
                    Assert.True(image.Max() - image.Min() > 1f);
                }
            }
            Assert.True(flipped > 4 && flipped < 20, $"{flipped} of 24 crops flipped");
            Assert.True(checkedJoints > 250, $"{checkedJoints} joints checked");
        }

        [Fact]
        public void Paper_augmentation_stays_in_its_ranges_and_uses_every_transform()
        {
            var data = Mini(Augmentation.Paper);
            var plain = Mini(Augmentation.None);
            int rotated = 0, flipped = 0, half = 0, n = 0;
            for (int i = 0; i < data.Count; i++)
            {
                var basis = plain.CropOf(i, new Random(1));
                for (int seed = 0; seed < 60; seed++, n++)
                {
                    var c = data.CropOf(i, new Random(seed));
                    Assert.InRange(c.RotationDegrees, -45f, 45f);
                    if (c.RotationDegrees != 0) rotated++;
                    if (c.FlipHorizontal) flipped++;
                    float ratio = c.ScaleX / basis.ScaleX;
                    // Only the half-body crop moves the centre; every other crop scales within 0.65-1.35.
                    if (MathF.Abs(c.CenterX - basis.CenterX) > 0.01f || MathF.Abs(c.CenterY - basis.CenterY) > 0.01f) half++;
                    else Assert.InRange(ratio, 0.649f, 1.351f);
                }
            }
            Assert.InRange(rotated / (double)n, 0.5, 0.7);
            Assert.InRange(flipped / (double)n, 0.4, 0.6);
            Assert.InRange(half / (double)n, 0.1, 0.35); // half-body 0.3 of the persons with > 8 labelled joints
        }

        [Fact]
        public void Bad_persons_and_images_are_skipped_with_counted_warnings()
        {
            var dir = RepoPaths.NewTempDir("coco-bad");
            var images = Path.Combine(dir, "images");
            Directory.CreateDirectory(images);
            foreach (var f in Directory.GetFiles(Images)) File.Copy(f, Path.Combine(images, Path.GetFileName(f)));
            // 000000040083.jpg becomes a corrupt JPEG (a JPEG header, then garbage); 000000000785.jpg disappears.
            File.WriteAllBytes(Path.Combine(images, "000000040083.jpg"), new byte[] { 0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3, 4, 5 });
            File.Delete(Path.Combine(images, "000000000785.jpg"));
            var json = JsonNode.Parse(File.ReadAllText(Annotations))!;
            var anns = json["annotations"]!.AsArray();
            var first197388 = anns.First(a => (long)a!["image_id"]! == 197388 && (int)a["num_keypoints"]! > 0)!;
            first197388["bbox"] = new JsonArray(700.0, 10.0, 50.0, 50.0); // right of the 640-wide image: nothing left after clean-up
            var ann = Path.Combine(dir, "ann.json");
            File.WriteAllText(ann, json.ToJsonString());

            var w = new DataWarnings();
            var data = new CocoPoseDataset(ann, images, PoseModelInfo.CocoDefault(), Augmentation.Paper, w);
            Assert.Equal(12 - 1 - 1, data.Count); // the missing image's person and the box outside the image are gone
            Assert.Equal(1, w.Counts()["missing image"]);
            Assert.Equal(1, w.Counts()["zero-area box"]);
            Assert.Contains("000000000785.jpg", string.Join("\n", w.Examples()), StringComparison.Ordinal);

            // The corrupt JPEG's two persons fail at load time, with a reason naming the file.
            var s = data.Shape;
            int failed = 0;
            for (int i = 0; i < data.Count; i++)
            {
                if (!data.TryLoad(i, new Random(i), new float[s.ImageLength], new float[s.TargetLength], new float[s.Joints], out var problem))
                {
                    failed++;
                    Assert.Contains("000000040083.jpg", problem, StringComparison.Ordinal);
                    Assert.Contains("corrupt", problem, StringComparison.Ordinal);
                }
            }
            Assert.Equal(2, failed);

            // A wrong keypoint count, or a person of an image that is not listed, loses that person only, with a
            // warning naming the entry; the rest of the file still trains.
            first197388["keypoints"] = new JsonArray(1.0, 2.0, 2.0);
            var second197388 = anns.Where(a => (long)a!["image_id"]! == 197388 && (int)a["num_keypoints"]! > 0).Skip(1).First()!;
            second197388["image_id"] = 424242;
            File.WriteAllText(ann, json.ToJsonString());
            var w2 = new DataWarnings();
            var lenient = new CocoPoseDataset(ann, images, PoseModelInfo.CocoDefault(), Augmentation.Paper, w2);
            Assert.Equal(12 - 1 - 1 - 1, lenient.Count);
            Assert.Equal(2, w2.Counts()["bad annotation"]);
            Assert.Equal(1, w2.Counts()["missing image"]);
            Assert.False(w2.Counts().ContainsKey("zero-area box")); // that person's entry is now the bad one
            string messages = string.Join("\n", w2.Examples());
            Assert.Contains("'keypoints' must hold 51 values", messages, StringComparison.Ordinal);
            Assert.Contains("'image_id' 424242 is not in 'images'", messages, StringComparison.Ordinal);

            // Broken structure cannot be skipped: still a clear error naming the file, before training starts.
            json["images"] = null;
            File.WriteAllText(ann, json.ToJsonString());
            var e = Assert.Throws<CocoFormatException>(() => new CocoPoseDataset(ann, images, PoseModelInfo.CocoDefault(), Augmentation.Paper, new DataWarnings()));
            Assert.Contains("images", e.Message, StringComparison.Ordinal);
            Assert.Contains(ann, e.Message, StringComparison.Ordinal);
        }

        /// <summary>
        /// Training cleans boxes with the same function as validation (HRNet's rule): a box starting left of the image is
        /// clipped at x = 0 and keeps x1 + (w - 1) as its right edge, where the trainer's old copy measured from the raw x.
        /// </summary>
        [Fact]
        public void Training_boxes_are_cleaned_as_validation_cleans_them()
        {
            var dir = RepoPaths.NewTempDir("coco-clean");
            var json = JsonNode.Parse(File.ReadAllText(Annotations))!;
            var target = json["annotations"]!.AsArray().First(a => (long)a!["image_id"]! == 197388 && (int)a["num_keypoints"]! > 0)!;
            target["bbox"] = new JsonArray(-20.0, 30.0, 120.0, 200.0);
            long id = (long)target["id"]!;
            var ann = Path.Combine(dir, "ann.json");
            File.WriteAllText(ann, json.ToJsonString());
            var data = new CocoPoseDataset(ann, Images, PoseModelInfo.CocoDefault(), Augmentation.Paper, new DataWarnings());
            int index = Enumerable.Range(0, data.Count).Single(i => data.AnnotationId(i) == id);
            var box = data.BoxOf(index);
            var gt = CocoKeypointFile.Load(ann);
            var a = gt.Annotations.Single(x => x.Id == id);
            var image = gt.Images.Single(i => i.Id == a.ImageId);
            Assert.True(TopDownProtocol.TryCleanBox(a.Bbox, a.Area, image.Width, image.Height, out var clean));
            var validation = TopDownProtocol.GroundTruthBoxes(new[] { a }, image.Width, image.Height).Single().Bbox;
            Assert.Equal(clean, validation);
            Assert.Equal((0.0, 30.0, 119.0, 199.0), (clean.X, clean.Y, clean.Width, clean.Height));
            Assert.Equal(new BoundingBox(0, 30, 119, 199), box);
        }
    }
}
