using System;
using System.Collections.Generic;
using PoseRT.Runtime;

namespace PoseRT.Synthetic
{
    /// <summary>One person's ground truth in one image or frame, in COCO conventions.</summary>
    public sealed class SyntheticPerson
    {
        internal SyntheticPerson(int id, float[] keypoints, int numKeypoints, BoundingBox box, int area)
        {
            Id = id;
            Keypoints = keypoints;
            NumKeypoints = numKeypoints;
            Box = box;
            Area = area;
        }

        /// <summary>Person id: the track id in a clip (stable over frames), the drawing order in a still image.</summary>
        public int Id { get; }

        /// <summary>
        /// 17 x (x, y, v) in pixel coordinates (pixel centres at integers), v = 2 visible,
        /// 1 occluded (by the person's own body or by someone else), 0 outside the image (x = y = 0).
        /// </summary>
        public IReadOnlyList<float> Keypoints { get; }

        /// <summary>Number of keypoints with v &gt; 0.</summary>
        public int NumKeypoints { get; }

        /// <summary>Tight box around the person's visible pixels and labelled keypoints, inside the image.</summary>
        public BoundingBox Box { get; }

        /// <summary>Visible pixel count (COCO's segment area, used as the OKS scale).</summary>
        public int Area { get; }
    }

    /// <summary>A rendered still image with its people, before JPEG compression.</summary>
    public sealed class SyntheticImage
    {
        internal SyntheticImage(int width, int height, byte[] bgr, IReadOnlyList<SyntheticPerson> people, ushort[] labels, int jpegQuality)
        {
            Width = width;
            Height = height;
            Bgr = bgr;
            People = people;
            Labels = labels;
            JpegQuality = jpegQuality;
        }

        /// <summary>Width in pixels.</summary>
        public int Width { get; }

        /// <summary>Height in pixels.</summary>
        public int Height { get; }

        /// <summary>Pixels, 8-bit BGR, rows of <c>Width * 3</c> bytes without padding.</summary>
        public ReadOnlyMemory<byte> Bgr { get; }

        /// <summary>The people with at least one visible pixel.</summary>
        public IReadOnlyList<SyntheticPerson> People { get; }

        /// <summary>Per pixel: 0 background, else <c>drawIndex * 16 + bodyPart + 1</c> (what the camera sees).</summary>
        internal ushort[] Labels { get; }

        /// <summary>JPEG quality this image is saved with (part of its degradation).</summary>
        internal int JpegQuality { get; }
    }

    /// <summary>Where a generated data set was written.</summary>
    public sealed class SyntheticDataset
    {
        internal SyntheticDataset(string annotationPath, string imageDirectory, int imageCount, int annotationCount)
        {
            AnnotationPath = annotationPath;
            ImageDirectory = imageDirectory;
            ImageCount = imageCount;
            AnnotationCount = annotationCount;
        }

        /// <summary>The COCO person_keypoints JSON file.</summary>
        public string AnnotationPath { get; }

        /// <summary>Folder of the JPEG images (the annotation's file_name values are relative to it).</summary>
        public string ImageDirectory { get; }

        /// <summary>Number of images.</summary>
        public int ImageCount { get; }

        /// <summary>Number of person annotations.</summary>
        public int AnnotationCount { get; }
    }

    /// <summary>One frame of a clip's ground truth.</summary>
    public sealed class SyntheticClipFrame
    {
        internal SyntheticClipFrame(int index, IReadOnlyList<SyntheticPerson> people)
        {
            Index = index;
            People = people;
        }

        /// <summary>0-based frame index.</summary>
        public int Index { get; }

        /// <summary>People in view, with <see cref="SyntheticPerson.Id"/> as the track id.</summary>
        public IReadOnlyList<SyntheticPerson> People { get; }
    }

    /// <summary>A generated clip: the video, its ground-truth file and the ground truth in memory.</summary>
    public sealed class SyntheticClip
    {
        internal SyntheticClip(string videoPath, string groundTruthPath, int width, int height, double fps, IReadOnlyList<SyntheticClipFrame> frames)
        {
            VideoPath = videoPath;
            GroundTruthPath = groundTruthPath;
            Width = width;
            Height = height;
            Fps = fps;
            Frames = frames;
        }

        /// <summary>The MP4 (mp4v) video.</summary>
        public string VideoPath { get; }

        /// <summary>The per-frame ground-truth JSON (schema in docs/synthetic.md).</summary>
        public string GroundTruthPath { get; }

        /// <summary>Frame width.</summary>
        public int Width { get; }

        /// <summary>Frame height.</summary>
        public int Height { get; }

        /// <summary>Frames per second.</summary>
        public double Fps { get; }

        /// <summary>Ground truth of every frame, in order.</summary>
        public IReadOnlyList<SyntheticClipFrame> Frames { get; }
    }
}
