using System;
using System.CommandLine;
using System.Diagnostics;
using System.IO;
using OpenCvSharp;
using PoseRT.Vision;

namespace PoseRT.Demo
{
    internal static class Program
    {
        private static int Main(string[] args)
        {
            var input = new Option<string>("--input") { Description = "Video file to read.", DefaultValueFactory = _ => DefaultClip() };
            var output = new Option<string>("--output") { Description = "Annotated video to write.", DefaultValueFactory = _ => Path.Combine("out", "demo.mp4") };
            var root = new RootCommand("PoseRT demo (interim: reads a clip and writes it back with frame numbers until pose estimation lands).")
            {
                input, output,
            };
            root.SetAction(parse => Run(parse.GetValue(input)!, parse.GetValue(output)!));
            return root.Parse(args).Invoke();
        }

        private static string DefaultClip()
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            {
                var clip = Path.Combine(dir.FullName, "samples", "video", "people-960x540.mp4");
                if (File.Exists(clip)) return clip;
            }
            return Path.Combine("samples", "video", "people-960x540.mp4");
        }

        internal static int Run(string input, string output)
        {
            OpenCvNative.EnsureAvailable();
            if (!File.Exists(input))
            {
                Console.Error.WriteLine($"error: input video '{input}' does not exist.");
                return 2;
            }
            using var capture = new VideoCapture(input);
            if (!capture.IsOpened())
            {
                Console.Error.WriteLine($"error: could not open '{input}' as a video.");
                return 2;
            }
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
            double fps = capture.Fps > 0 ? capture.Fps : 25;
            var size = new Size(capture.FrameWidth, capture.FrameHeight);
            using var writer = new VideoWriter(output, FourCC.MP4V, fps, size);
            using var frame = new Mat();
            var clock = Stopwatch.StartNew();
            int frames = 0;
            while (capture.Read(frame) && !frame.Empty())
            {
                frames++;
                Cv2.PutText(frame, $"frame {frames}", new Point(10, 30), HersheyFonts.HersheySimplex, 1.0, Scalar.Yellow, 2);
                writer.Write(frame);
            }
            double seconds = clock.Elapsed.TotalSeconds;
            Console.WriteLine($"frames {frames}, poses 0, {frames / Math.Max(seconds, 1e-9):F1} FPS -> {output}");
            return frames > 0 ? 0 : 1;
        }
    }
}
