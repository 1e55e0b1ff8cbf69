using System.IO;
using OpenCvSharp;

namespace PoseRT.Tests
{
    public class InterimDemoTests
    {
        [Fact]
        public void Demo_writes_every_frame_of_the_sample_clip()
        {
            var dir = RepoPaths.NewTempDir("demo");
            var output = Path.Combine(dir, "demo.mp4");
            Assert.Equal(0, PoseRT.Demo.Program.Run(RepoPaths.SampleVideo, output));
            using var source = new VideoCapture(RepoPaths.SampleVideo);
            using var written = new VideoCapture(output);
            Assert.True(written.IsOpened());
            Assert.Equal(source.FrameCount, written.FrameCount);
            Assert.Equal(960, written.FrameWidth);
        }
    }
}
