using OpenCvSharp;
using PoseRT.Vision;

namespace PoseRT.Tests.Native
{
    public class OpenCvSmokeTests
    {
        [Fact]
        public void Native_library_loads()
        {
            Assert.StartsWith("4.", OpenCvNative.EnsureAvailable());
        }

        [Fact]
        public void Jpeg_encode_decode_round_trips_a_frame()
        {
            OpenCvNative.EnsureAvailable();
            using var frame = new Mat(48, 64, MatType.CV_8UC3, new Scalar(40, 120, 200));
            Cv2.Rectangle(frame, new Rect(10, 10, 20, 20), Scalar.White, -1);
            Cv2.ImEncode(".png", frame, out var png);
            using var decoded = Cv2.ImDecode(png, ImreadModes.Color);
            Assert.Equal(0, Cv2.Norm(frame, decoded, NormTypes.L1));
            Cv2.ImEncode(".jpg", frame, out var jpg);
            using var lossy = Cv2.ImDecode(jpg, ImreadModes.Color);
            Assert.Equal(frame.Size(), lossy.Size());
            Assert.True(Cv2.Norm(frame, lossy, NormTypes.L1) / (64 * 48 * 3) < 4, "JPEG round trip drifted more than 4 grey levels on average");
        }

        [Fact]
        public void Sample_video_opens_and_yields_frames_of_its_size()
        {
            OpenCvNative.EnsureAvailable();
            using var capture = new VideoCapture(RepoPaths.SampleVideo);
            Assert.True(capture.IsOpened(), "FFmpeg backend could not open the sample clip");
            using var frame = new Mat();
            Assert.True(capture.Read(frame));
            Assert.Equal(960, frame.Width);
            Assert.Equal(540, frame.Height);
        }

        [Fact]
        public void Hog_people_detector_finds_the_pedestrians_in_the_street_clip()
        {
            OpenCvNative.EnsureAvailable();
            using var hog = new HOGDescriptor();
            hog.SetSVMDetector(HOGDescriptor.GetDefaultPeopleDetector());
            using var capture = new VideoCapture(RepoPaths.SampleVideo);
            using var frame = new Mat();
            Assert.True(capture.Read(frame));
            var found = hog.DetectMultiScale(frame, 0, new Size(8, 8), new Size(16, 16), 1.05);
            Assert.True(found.Length >= 2, $"expected at least 2 upright people, HOG found {found.Length}");
            Assert.All(found, r => Assert.InRange(r.Height / (double)r.Width, 1.8, 2.2));
        }

        [Theory]
        [InlineData("libgtk-3.so.0: cannot open shared object file: No such file or directory", "libgtk-3-0")]
        [InlineData("/app/libOpenCvSharpExtern.so: libgdk-3.so.0: cannot open shared object file: No such file or directory", "libgtk-3-0")]
        [InlineData("libglib-2.0.so.0: cannot open shared object file", "libglib2.0-0")]
        public void Missing_system_library_is_explained_with_its_package(string loaderError, string package)
        {
            var message = OpenCvNative.Explain(loaderError);
            Assert.Contains("apt-get install " + package, message);
            Assert.Contains("missing", message);
        }

        [Fact]
        public void Unknown_missing_library_still_names_it()
        {
            var message = OpenCvNative.Explain("libfoo.so.7: cannot open shared object file: No such file or directory");
            Assert.Contains("libfoo.so.7", message);
            Assert.Contains("apt-file search libfoo.so.7", message);
        }
    }
}
