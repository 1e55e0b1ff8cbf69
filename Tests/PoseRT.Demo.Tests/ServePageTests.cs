using System;
using System.Collections.Generic;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Playwright;
using PoseRT.Demo.Output;
using PoseRT.Demo.Pipeline;
using PoseRT.Vision;

namespace PoseRT.Tests
{
    /// <summary>The --serve page in headless Chromium (Debian's chromium, driven by Playwright).</summary>
    public class ServePageTests
    {
        internal const string Chromium = "/usr/bin/chromium";

        internal static readonly string[] ChromiumArgs =
        {
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run",
        };

        [Fact]
        public async Task Serve_page_shows_the_stream_updating_in_headless_chromium()
        {
            Assert.True(File.Exists(Chromium), "Debian's chromium is required: tools/setup/install-deps.sh installs it.");
            var log = new List<string>();
            using var server = new PoseWebServer("127.0.0.1", 0, l => { lock (log) log.Add(l); });
            using var cancel = new CancellationTokenSource();
            var settings = new PipelineSettings { Loop = true, Realtime = true };
            var pipeline = new DemoPipeline(settings, () => FrameSources.Open(RepoPaths.SampleVideo), new HogPersonDetector(640), new TemplateStage(),
                new IFrameSink[] { server }, l => { lock (log) log.Add(l); });
            Task<RunSummary> run = Task.Run(() => pipeline.Run(cancel.Token));
            try
            {
                using IPlaywright playwright = await Playwright.CreateAsync();
                await using IBrowser browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
                {
                    ExecutablePath = Chromium,
                    Headless = true,
                    Args = ChromiumArgs,
                });
                IPage page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 700 } });
                await page.GotoAsync(server.Url);
                const string frameShown = "() => /^\\d+$/.test(document.getElementById('frame').textContent)";
                await page.WaitForFunctionAsync(frameShown, null, new PageWaitForFunctionOptions { Timeout = 20000 });
                int first = int.Parse(await page.InnerTextAsync("#frame"), System.Globalization.CultureInfo.InvariantCulture);
                await page.WaitForFunctionAsync($"() => Number(document.getElementById('frame').textContent) > {first + 2}", null,
                    new PageWaitForFunctionOptions { Timeout = 20000 });
                // The picture is the annotated 960x540 frame.
                await page.WaitForFunctionAsync("() => document.getElementById('view').naturalWidth === 960", null, new PageWaitForFunctionOptions { Timeout = 10000 });
                string json = await page.EvaluateAsync<string>("async () => JSON.stringify(await (await fetch('/poses.json')).json())");
                using (JsonDocument doc = JsonDocument.Parse(json))
                {
                    JsonElement root = doc.RootElement;
                    Assert.Equal(1, root.GetProperty("version").GetInt32());
                    Assert.Equal(960, root.GetProperty("width").GetInt32());
                    Assert.True(root.GetProperty("frame").GetInt64() > first);
                    foreach (JsonElement pose in root.GetProperty("poses").EnumerateArray())
                    {
                        Assert.True(pose.GetProperty("trackId").GetInt32() >= 1);
                        Assert.Equal(17, pose.GetProperty("keypoints").GetArrayLength());
                    }
                }
                string shot = Path.Combine(AppContext.BaseDirectory, "test-output", "serve-page.png");
                Directory.CreateDirectory(Path.GetDirectoryName(shot)!);
                await page.ScreenshotAsync(new PageScreenshotOptions { Path = shot });
                Assert.True(new FileInfo(shot).Length > 10_000, "screenshot should hold the picture");
            }
            finally
            {
                cancel.Cancel();
            }
            RunSummary summary = await run;
            Assert.Null(summary.Error);
            Assert.True(summary.Cancelled);
            Assert.True(server.FramesPublished >= 3);
        }

        [Fact]
        public async Task Mjpeg_stream_delivers_consecutive_jpeg_parts()
        {
            using var server = new PoseWebServer("127.0.0.1", 0, _ => { });
            using var cancel = new CancellationTokenSource();
            var pipeline = new DemoPipeline(new PipelineSettings { Loop = true, Realtime = true }, () => FrameSources.Open(RepoPaths.SampleVideo),
                new HogPersonDetector(640), new TemplateStage(), new IFrameSink[] { server }, _ => { });
            Task<RunSummary> run = Task.Run(() => pipeline.Run(cancel.Token));
            try
            {
                using var http = new System.Net.Http.HttpClient { Timeout = TimeSpan.FromSeconds(20) };
                using var response = await http.GetAsync(server.Url + "stream.mjpg", System.Net.Http.HttpCompletionOption.ResponseHeadersRead);
                Assert.StartsWith("multipart/x-mixed-replace", response.Content.Headers.ContentType!.ToString(), StringComparison.Ordinal);
                using Stream body = await response.Content.ReadAsStreamAsync();
                var buffer = new byte[1 << 20];
                int read = 0, jpegStarts = 0;
                while (jpegStarts < 2 && read < buffer.Length)
                {
                    int n = await body.ReadAsync(buffer.AsMemory(read));
                    if (n == 0) break;
                    read += n;
                    jpegStarts = 0;
                    for (int i = 0; i + 2 < read; i++)
                    {
                        if (buffer[i] == 0xFF && buffer[i + 1] == 0xD8 && buffer[i + 2] == 0xFF) jpegStarts++;
                    }
                }
                Assert.True(jpegStarts >= 2, $"saw {jpegStarts} JPEG frames in {read} bytes");
                Assert.Equal(404, (int)(await http.GetAsync(server.Url + "nope")).StatusCode);
            }
            finally
            {
                cancel.Cancel();
            }
            await run;
        }
    }
}
