using System;
using System.IO;
using System.Threading;
using PoseRT.Demo;
using PoseRT.Demo.Commands;

namespace PoseRT.Tests
{
    public class CliTests
    {
        private static (int Code, string Out, string Err) Run(DemoRunOptions options)
        {
            var stdout = new StringWriter();
            var stderr = new StringWriter();
            int code = DemoApp.Run(options, stdout, stderr, CancellationToken.None, _ => new TemplateStage());
            return (code, stdout.ToString(), stderr.ToString());
        }

        [Fact]
        public void Help_lists_the_options_and_the_receive_command()
        {
            var output = new StringWriter();
            var root = RunCommand.CreateRoot();
            root.Subcommands.Add(ReceiveCommand.Create());
            int code = root.Parse(new[] { "--help" }).Invoke(new System.CommandLine.InvocationConfiguration { Output = output });
            Assert.Equal(0, code);
            string help = output.ToString();
            foreach (string option in new[] { "--input", "--model", "--out", "--window", "--detect-every", "--single", "--no-smoothing", "--udp", "--tcp", "--serve", "receive" })
                Assert.Contains(option, help, StringComparison.Ordinal);
        }

        [Fact]
        public void Missing_file_camera_and_model_are_clear_errors()
        {
            var missingFile = Run(new DemoRunOptions { Input = "no/such/clip.mp4", Output = "none", Window = "off" });
            Assert.Equal(DemoApp.ExitBadInput, missingFile.Code);
            Assert.Contains("'no/such/clip.mp4' does not exist", missingFile.Err, StringComparison.Ordinal);

            var missingCamera = Run(new DemoRunOptions { Input = "7", Output = "none", Window = "off" });
            Assert.Equal(DemoApp.ExitBadInput, missingCamera.Code);
            Assert.Contains("Camera 7", missingCamera.Err, StringComparison.Ordinal);

            var stderr = new StringWriter();
            int code = DemoApp.Run(new DemoRunOptions { Input = RepoPaths.SampleVideo, Model = "no/such/model.onnx", Output = "none", Window = "off" },
                new StringWriter(), stderr, CancellationToken.None);
            Assert.Equal(DemoApp.ExitBadInput, code);
            Assert.Contains("Model 'no/such/model.onnx' does not exist", stderr.ToString(), StringComparison.Ordinal);

            var badOutput = Run(new DemoRunOptions { Input = RepoPaths.SampleVideo, Output = Path.Combine(RepoPaths.NewTempDir("cli"), "x.mkv"), Window = "off" });
            Assert.Equal(DemoApp.ExitBadInput, badOutput.Code);
            Assert.Contains(".mp4 or .avi", badOutput.Err, StringComparison.Ordinal);
        }

        [Fact]
        public void Bad_endpoints_and_values_are_rejected_by_name()
        {
            Assert.Contains("--udp", Assert.Throws<ArgumentException>(() => Endpoints.Parse("nowhere", "--udp")).Message, StringComparison.Ordinal);
            Assert.Contains("--tcp", Assert.Throws<ArgumentException>(() => Endpoints.Parse("127.0.0.1", "--tcp")).Message, StringComparison.Ordinal);
            Assert.Equal(9750, Endpoints.Parse("localhost:9750", "--udp").Port);
            Assert.Equal("[::1]:9751", Endpoints.Parse("[::1]:9751", "--tcp").ToString());
            var r = Run(new DemoRunOptions { Input = RepoPaths.SampleVideo, Output = "none", Window = "off", DetectEvery = 0 });
            Assert.Equal(DemoApp.ExitBadInput, r.Code);
            Assert.Contains("--detect-every", r.Err, StringComparison.Ordinal);
        }

        [Fact]
        public void Run_with_stream_and_receive_command_over_loopback()
        {
            string video = Path.Combine(RepoPaths.NewTempDir("cli"), "demo.mp4");
            var receiverOut = new StringWriter();
            var receiverErr = new StringWriter();
            using var listening = new ManualResetEventSlim();
            System.Net.IPEndPoint? bound = null;
            // Port 0: the receiver binds a port the system picks and says which, so no other process can take it in between.
            var receiver = new Thread(() => ReceiveCommand.Run(
                new ReceiveSettings { Udp = new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0), Count = 5, Timeout = TimeSpan.FromSeconds(20) },
                receiverOut, receiverErr, CancellationToken.None, e =>
                {
                    bound = (System.Net.IPEndPoint?)e;
                    listening.Set();
                }));
            receiver.Start();
            Assert.True(listening.Wait(TimeSpan.FromSeconds(10)), "receiver did not bind: " + receiverErr);
            var result = Run(new DemoRunOptions
            {
                Input = RepoPaths.SampleVideo, Output = video, Window = "off", Udp = bound,
            });
            Assert.True(receiver.Join(TimeSpan.FromSeconds(30)));
            Assert.Equal(DemoApp.ExitOk, result.Code);
            Assert.Matches(@"^frames 5, poses \d+, .* FPS -> .*demo\.mp4\r?\n$", result.Out);
            string[] lines = receiverOut.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(5, lines.Length);
            Assert.StartsWith("frame 0 t=0.000s 960x540 poses ", lines[0], StringComparison.Ordinal);
            Assert.StartsWith("frame 4 ", lines[4], StringComparison.Ordinal);
            Assert.Contains("5 frames, 0 rejected", receiverErr.ToString(), StringComparison.Ordinal);
            Assert.True(File.Exists(video));
        }
    }
}
