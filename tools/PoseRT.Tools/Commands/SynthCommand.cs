using System;
using System.CommandLine;
using System.Diagnostics;
using System.IO;
using PoseRT.Cli;
using PoseRT.Synthetic;

namespace PoseRT.Tools.Commands
{
    /// <summary><c>posert synth</c>: a synthetic COCO keypoint data set, or with <c>--video</c> a clip with per-frame ground truth.</summary>
    internal static class SynthCommand
    {
        internal static Command Create()
        {
            var outDir = new Option<string>("--out") { Description = "Output folder (created if missing).", Required = true };
            var images = new Option<int>("--images") { Description = "Number of images.", DefaultValueFactory = _ => 100 };
            var seed = new Option<long>("--seed") { Description = "Seed; the same seed gives identical files.", DefaultValueFactory = _ => 1 };
            var width = new Option<int?>("--width") { Description = "Image width in pixels (default 384; 640 with --video)." };
            var height = new Option<int?>("--height") { Description = "Image height in pixels (default 288; 360 with --video)." };
            var peopleMin = new Option<int>("--people-min") { Description = "Fewest people per image.", DefaultValueFactory = _ => 1 };
            var peopleMax = new Option<int>("--people-max") { Description = "Most people per image (at most 16).", DefaultValueFactory = _ => 4 };
            var difficulty = new Option<double?>("--difficulty") { Description = "0 (easy) to 1 (hard); default 0.5 (0.3 with --video)." };
            var inside = new Option<bool>("--inside") { Description = "Keep every person inside the frame (no partly visible people)." };
            var features = new Option<string?>("--features") { Description = $"Photographic features of the still images: {SyntheticFeatureNames.Help} (default none: the first generator's look)." };
            var threads = new Option<int>("--threads") { Description = "Images rendered in parallel (does not change the output).", DefaultValueFactory = _ => Environment.ProcessorCount };
            var preview = new Option<int>("--preview") { Description = "Also write the first N images (or N frames of a clip) with their ground truth drawn to OUT/preview/.", DefaultValueFactory = _ => 0 }
                .AtLeast(0);
            var previewFormat = new Option<string>("--preview-format") { Description = "png or jpg.", DefaultValueFactory = _ => "png" };
            previewFormat.AcceptOnlyFromAmong("png", "jpg");
            var video = new Option<bool>("--video") { Description = "Write a clip (OUT/NAME.mp4 + OUT/NAME.json) of people walking instead of a data set." };
            var frames = new Option<int>("--frames") { Description = "Frames of the clip (--video).", DefaultValueFactory = _ => 75 };
            var people = new Option<int>("--people") { Description = "People in the clip (--video).", DefaultValueFactory = _ => 3 };
            var fps = new Option<double>("--fps") { Description = "Frames per second of the clip (--video).", DefaultValueFactory = _ => 25 };
            var name = new Option<string>("--name") { Description = "Base file name of the clip (--video).", DefaultValueFactory = _ => "synthetic-clip" };

            var cmd = new Command("synth", "Generate synthetic people: a COCO person_keypoints data set of JPEG images, or with --video a clip with per-frame ground truth.")
            {
                outDir, images, seed, width, height, peopleMin, peopleMax, difficulty, inside, features, threads, preview, previewFormat, video, frames, people, fps, name,
            };
            cmd.SetAction(parseResult =>
            {
                string dir = parseResult.GetValue(outDir)!;
                var sw = Stopwatch.StartNew();
                try
                {
                    PoseRT.IO.OutputPaths.CheckFolder(dir, "--out");
                    if (parseResult.GetValue(video))
                    {
                        if (parseResult.GetValue(features) is not null)
                            throw new ArgumentException("--features applies to still images; a clip (--video) is drawn with the first generator's look.");
                        var co = new SyntheticClipOptions
                        {
                            Width = parseResult.GetValue(width) ?? 640,
                            Height = parseResult.GetValue(height) ?? 360,
                            Frames = parseResult.GetValue(frames),
                            People = parseResult.GetValue(people),
                            Fps = parseResult.GetValue(fps),
                            Seed = parseResult.GetValue(seed),
                            Difficulty = parseResult.GetValue(difficulty) ?? 0.3,
                            Name = parseResult.GetValue(name)!,
                        };
                        var clip = SyntheticPeople.GenerateClip(co, dir);
                        Console.WriteLine($"Wrote {clip.Frames.Count} frames to {clip.VideoPath} and ground truth to {clip.GroundTruthPath} in {sw.Elapsed.TotalSeconds:F1} s.");
                        WriteClipPreview(clip, Math.Min(parseResult.GetValue(preview), clip.Frames.Count), Path.Combine(dir, "preview"), parseResult.GetValue(previewFormat)!);
                        return 0;
                    }

                    var o = new SyntheticOptions
                    {
                        Images = parseResult.GetValue(images),
                        Width = parseResult.GetValue(width) ?? 384,
                        Height = parseResult.GetValue(height) ?? 288,
                        Seed = parseResult.GetValue(seed),
                        PeopleMin = parseResult.GetValue(peopleMin),
                        PeopleMax = parseResult.GetValue(peopleMax),
                        Difficulty = parseResult.GetValue(difficulty) ?? 0.5,
                        AllowPartiallyOutside = !parseResult.GetValue(inside),
                        Features = parseResult.GetValue(features) is { } f ? SyntheticFeatureNames.Parse(f) : SyntheticFeatures.None,
                        MaxDegreeOfParallelism = parseResult.GetValue(threads),
                    };
                    o.Validate();
                    var ds = SyntheticPeople.GenerateDataset(o, dir);
                    Console.WriteLine($"Wrote {ds.ImageCount} images ({ds.AnnotationCount} people) to {ds.ImageDirectory} and annotations to {ds.AnnotationPath} in {sw.Elapsed.TotalSeconds:F1} s.");
                    int nPreview = Math.Min(parseResult.GetValue(preview), o.Images);
                    if (nPreview > 0)
                    {
                        string pdir = Path.Combine(dir, "preview");
                        Directory.CreateDirectory(pdir);
                        for (int i = 0; i < nPreview; i++)
                        {
                            var img = SyntheticPeople.RenderImage(o, i);
                            SyntheticPeople.SavePreview(img, Path.Combine(pdir, FormattableString.Invariant($"{i + 1:D6}.{parseResult.GetValue(previewFormat)}")));
                            SyntheticPeople.SavePreview(img, Path.Combine(pdir, FormattableString.Invariant($"{i + 1:D6}-plain.{parseResult.GetValue(previewFormat)}")), annotate: false);
                        }
                        Console.WriteLine($"Wrote {nPreview} previews to {pdir}.");
                    }
                    return 0;
                }
                catch (ArgumentException e)
                {
                    Console.Error.WriteLine($"posert synth: {e.Message}");
                    return PoseRT.Cli.ExitCodes.BadInput;
                }
                catch (IOException e)
                {
                    Console.Error.WriteLine($"posert synth: cannot write to '{dir}': {e.Message}");
                    return PoseRT.Cli.ExitCodes.Failure;
                }
                catch (UnauthorizedAccessException e)
                {
                    Console.Error.WriteLine($"posert synth: cannot write to '{dir}': {e.Message}");
                    return PoseRT.Cli.ExitCodes.Failure;
                }
            });
            return cmd;
        }

        /// <summary>Reads the written video back and saves N evenly spaced frames with their ground truth drawn.</summary>
        private static void WriteClipPreview(SyntheticClip clip, int count, string dir, string ext)
        {
            if (count <= 0) return;
            Directory.CreateDirectory(dir);
            var wanted = new System.Collections.Generic.HashSet<int>();
            for (int i = 0; i < count; i++) wanted.Add(count == 1 ? 0 : i * (clip.Frames.Count - 1) / (count - 1));
            using var cap = new OpenCvSharp.VideoCapture(clip.VideoPath);
            using var frame = new OpenCvSharp.Mat();
            for (int f = 0; f < clip.Frames.Count && cap.Read(frame) && !frame.Empty(); f++)
            {
                if (!wanted.Contains(f)) continue;
                SyntheticPeople.DrawGroundTruth(frame, clip.Frames[f].People);
                string path = Path.Combine(dir, FormattableString.Invariant($"frame-{f:D5}.{ext}"));
                PoseRT.IO.AtomicFile.WriteAllBytes(path, SyntheticPeople.EncodeByExtension(frame, path));
            }
            Console.WriteLine($"Wrote {wanted.Count} preview frames to {dir}.");
        }
    }
}
