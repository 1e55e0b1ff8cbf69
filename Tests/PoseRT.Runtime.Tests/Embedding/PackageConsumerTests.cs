using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Reflection;
using System.Xml.Linq;

namespace PoseRT.Tests.Embedding
{
    /// <summary>
    /// `dotnet pack` of PoseRT.Core, PoseRT.Runtime and PoseRT.Protocol into a temporary folder feed, once for these
    /// tests; their version is unique to the run so that no package cache can hand back an older build.
    /// </summary>
    public sealed class PackedRuntime : IDisposable
    {
        public PackedRuntime()
        {
            Version = "0.1.0-consumer." + Guid.NewGuid().ToString("N")[..8];
            Feed = Path.Combine(Path.GetTempPath(), "posert-feed-" + Guid.NewGuid().ToString("N")[..8]);
            Directory.CreateDirectory(Feed);
            string config = typeof(PackedRuntime).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "PoseRTConfiguration").Value!;
            // --no-build: the test project's build has just built both target frameworks of each library.
            foreach (var library in new[] { "PoseRT.Core", "PoseRT.Runtime", "PoseRT.Protocol" })
            {
                var pack = ExternalProcess.Run("dotnet",
                    new[] { "pack", Path.Combine(RepoPaths.Root, "Runtime", library, library + ".csproj"), "-c", config, "--no-build", "-nologo",
                            "-o", Feed, "-p:PackageVersion=" + Version },
                    RepoPaths.Root, TimeSpan.FromMinutes(3), PackageConsumerTests.CleanDotnetEnvironment);
                Assert.True(pack.ExitCode == 0, pack.Describe("dotnet pack " + library));
            }
        }

        public string Version { get; }
        public string Feed { get; }
        public string Nupkg => Package("PoseRT.Runtime");
        public string Snupkg => Path.ChangeExtension(Nupkg, ".snupkg");

        /// <summary>The .nupkg of <paramref name="id"/> in the feed.</summary>
        public string Package(string id) => Path.Combine(Feed, $"{id}.{Version}.nupkg");

        public void Dispose() => DeleteQuietly(Feed);

        /// <summary>Removes a temporary folder; a failure to delete one must not fail a test.</summary>
        internal static void DeleteQuietly(string dir)
        {
            try
            {
                if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }

    /// <summary>
    /// The NuGet package as a new user meets it: its metadata and files, and a fresh application (outside the
    /// repository, no Directory.*.props) that restores it offline from the folder feed plus the local NuGet
    /// cache and runs the embedding host program (Tests/Hosts/PoseRT.MonoHost/Program.cs) on a shipped model.
    /// </summary>
    public class PackageConsumerTests : IClassFixture<PackedRuntime>
    {
        private readonly PackedRuntime _package;

        public PackageConsumerTests(PackedRuntime package) => _package = package;

        /// <summary>Variables that `dotnet test` sets for its own MSBuild and that must not leak into a child build.</summary>
        internal static readonly IReadOnlyDictionary<string, string?> CleanDotnetEnvironment = new Dictionary<string, string?>
        {
            ["MSBuildExtensionsPath"] = null,
            ["MSBuildSDKsPath"] = null,
            ["MSBUILD_EXE_PATH"] = null,
            ["MSBuildLoadMicrosoftTargetsReadOnly"] = null,
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
            ["DOTNET_NOLOGO"] = "1",
            ["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1",
        };

        [Fact]
        public void Package_has_metadata_readme_licence_docs_symbols_and_one_managed_onnxruntime_version()
        {
            using var zip = ZipFile.OpenRead(_package.Nupkg);
            var files = zip.Entries.Select(e => e.FullName).ToHashSet();
            foreach (var f in new[] { "PACKAGE.md", "LICENSE", "lib/netstandard2.0/PoseRT.Runtime.dll", "lib/netstandard2.0/PoseRT.Runtime.xml",
                                      "lib/net10.0/PoseRT.Runtime.dll", "lib/net10.0/PoseRT.Runtime.xml" })
                Assert.True(files.Contains(f), $"{f} is not in {_package.Nupkg}: {string.Join(", ", files)}");
            Assert.DoesNotContain(files, f => f.StartsWith("lib/netstandard2.1", StringComparison.Ordinal));
            Assert.Contains("MIT License", Read(zip, "LICENSE"));
            Assert.Contains("PoseEstimator.Load", Read(zip, "PACKAGE.md"));
            Assert.Contains("<member name=\"T:PoseRT.Runtime.PoseEstimator\">", Read(zip, "lib/netstandard2.0/PoseRT.Runtime.xml"));

            XNamespace ns = "http://schemas.microsoft.com/packaging/2013/05/nuspec.xsd";
            var meta = XDocument.Parse(Read(zip, "PoseRT.Runtime.nuspec")).Root!.Element(ns + "metadata")!;
            Assert.Equal("PoseRT.Runtime", meta.Element(ns + "id")!.Value);
            Assert.Equal(_package.Version, meta.Element(ns + "version")!.Value);
            Assert.StartsWith("Real-time top-down 2D human pose estimation", meta.Element(ns + "description")!.Value);
            Assert.Equal("PACKAGE.md", meta.Element(ns + "readme")!.Value);
            Assert.Equal("MIT", meta.Element(ns + "license")!.Value);
            Assert.Equal("git", meta.Element(ns + "repository")!.Attribute("type")!.Value);

            // Two dependency groups; the managed ONNX Runtime is one version in both, the one Directory.Packages.props
            // gives the library on every OS (not the per-OS application pairing).
            var groups = meta.Element(ns + "dependencies")!.Elements(ns + "group")
                .ToDictionary(g => g.Attribute("targetFramework")!.Value,
                              g => g.Elements(ns + "dependency").ToDictionary(d => d.Attribute("id")!.Value, d => d.Attribute("version")!.Value));
            Assert.Equal(new[] { ".NETStandard2.0", "net10.0" }, groups.Keys.OrderBy(k => k, StringComparer.Ordinal));
            // Lean: estimation needs no MessagePack (the PoseFrame wire format is PoseRT.Protocol's).
            // Microsoft.Bcl.HashCode is PoseRT.Core's, listed here because versions are pinned centrally, transitives included.
            Assert.Equal(new[] { "Microsoft.Bcl.HashCode", "Microsoft.ML.OnnxRuntime.Managed", "PoseRT.Core", "System.Memory" },
                groups[".NETStandard2.0"].Keys.OrderBy(k => k, StringComparer.Ordinal));
            Assert.Equal("4.5.5", groups[".NETStandard2.0"]["System.Memory"]);
            Assert.Equal(new[] { "Microsoft.ML.OnnxRuntime.Managed", "PoseRT.Core" }, groups["net10.0"].Keys.OrderBy(k => k, StringComparer.Ordinal));
            Assert.Equal(_package.Version, groups["net10.0"]["PoseRT.Core"]);
            string ort = groups["net10.0"]["Microsoft.ML.OnnxRuntime.Managed"];
            Assert.Equal(ort, groups[".NETStandard2.0"]["Microsoft.ML.OnnxRuntime.Managed"]);
            Assert.Equal(LibraryOrtVersion(), ort);

            using var symbols = ZipFile.OpenRead(_package.Snupkg);
            var pdbs = symbols.Entries.Select(e => e.FullName).Where(f => f.EndsWith(".pdb", StringComparison.Ordinal)).OrderBy(f => f, StringComparer.Ordinal);
            Assert.Equal(new[] { "lib/net10.0/PoseRT.Runtime.pdb", "lib/netstandard2.0/PoseRT.Runtime.pdb" }, pdbs);
        }

        [Theory]
        [InlineData("PoseRT.Core", new string[0], new[] { "Microsoft.Bcl.HashCode", "System.Memory" })]
        [InlineData("PoseRT.Protocol", new[] { "MessagePack", "PoseRT.Core" }, new[] { "MessagePack", "Microsoft.Bcl.HashCode", "PoseRT.Core", "System.Memory" })]
        public void The_lean_packages_depend_on_no_onnx_runtime(string id, string[] net10Dependencies, string[] netstandardDependencies)
        {
            using var zip = ZipFile.OpenRead(_package.Package(id));
            var files = zip.Entries.Select(e => e.FullName).ToHashSet();
            foreach (var tfm in new[] { "netstandard2.0", "net10.0" })
            {
                Assert.Contains($"lib/{tfm}/{id}.dll", files);
                Assert.Contains($"lib/{tfm}/{id}.xml", files);
            }
            Assert.Contains("MIT License", Read(zip, "LICENSE"));
            XNamespace ns = "http://schemas.microsoft.com/packaging/2013/05/nuspec.xsd";
            var meta = XDocument.Parse(Read(zip, id + ".nuspec")).Root!.Element(ns + "metadata")!;
            Assert.Equal("MIT", meta.Element(ns + "license")!.Value);
            Assert.DoesNotContain("Package Description", meta.Element(ns + "description")!.Value);
            var groups = meta.Element(ns + "dependencies")!.Elements(ns + "group")
                .ToDictionary(g => g.Attribute("targetFramework")!.Value,
                              g => g.Elements(ns + "dependency").Select(d => d.Attribute("id")!.Value).OrderBy(d => d, StringComparer.Ordinal).ToArray());
            Assert.Equal(net10Dependencies, groups["net10.0"]);
            Assert.Equal(netstandardDependencies, groups[".NETStandard2.0"]);
        }

        [Fact]
        public void Fresh_application_restores_the_package_offline_and_estimates_like_this_process()
        {
            var frame = TestFrame.Load();
            string app = NewConsumer(withNativeOnnxRuntime: true);
            try
            {
                Estimate_like_this_process(app, frame);
            }
            finally
            {
                PackedRuntime.DeleteQuietly(app);
            }
        }

        private static void Estimate_like_this_process(string app, TestFrame frame)
        {
            var run = Run(app, frame);
            Assert.True(run.ExitCode == 0, run.Describe("the consumer application"));
            var output = new HostOutput(run.Stdout);
            Assert.Equal(".NET", output.Runtime);
            Assert.Equal("allocated 0 3", output.Allocated);
            output.AssertPosesEqual(frame.EstimateHere(), TestFrame.Boxes, "the package consumer");

            // A RuntimeIdentifier: the native ONNX Runtime for this platform only, not for every platform.
            string bin = Path.Combine(app, "bin", "Release", "net10.0", Rid);
            string native = OperatingSystem.IsWindows() ? "onnxruntime.dll" : OperatingSystem.IsMacOS() ? "libonnxruntime.dylib" : "libonnxruntime.so";
            Assert.True(File.Exists(Path.Combine(bin, native)), $"no {native} in {bin}");
            Assert.False(Directory.Exists(Path.Combine(bin, "runtimes")), $"{bin} has a runtimes/ folder (natives of other platforms)");
        }

        [Fact]
        public void Fresh_application_without_the_native_package_gets_the_PoseRT_error_naming_it()
        {
            var frame = TestFrame.Load();
            string app = NewConsumer(withNativeOnnxRuntime: false);
            ExternalProcess.Result run;
            try
            {
                run = Run(app, frame);
            }
            finally
            {
                PackedRuntime.DeleteQuietly(app);
            }
            Assert.True(run.ExitCode == 1, run.Describe("the consumer application without a native ONNX Runtime"));
            Assert.Contains("PoseRT.Runtime.OnnxRuntimeNativeException: PoseRT: the ONNX Runtime native library (onnxruntime) was not found", run.Stderr);
            Assert.Matches(@"add the NuGet package Microsoft\.ML\.OnnxRuntime 1\.\d+\.\d+ or later", run.Stderr);
            Assert.DoesNotContain("TypeInitializationException:", run.Stderr.Split('\n')[0]);
        }

        private string NewConsumer(bool withNativeOnnxRuntime)
        {
            string dir = Path.Combine(Path.GetTempPath(), "posert-consumer-" + Guid.NewGuid().ToString("N")[..8]);
            Directory.CreateDirectory(dir);
            // Stop MSBuild's search for Directory.Build.* / Directory.Packages.props above the temporary folder.
            File.WriteAllText(Path.Combine(dir, "Directory.Build.props"), "<Project />\n");
            File.WriteAllText(Path.Combine(dir, "Directory.Build.targets"), "<Project />\n");
            File.WriteAllText(Path.Combine(dir, "Directory.Packages.props"), "<Project />\n");
            string cache = GlobalPackagesFolder();
            // Offline: the folder feed and the local cache are the only sources; the cache is also a fallback
            // folder, so nothing is copied out of it; restored packages go to a folder of this application.
            File.WriteAllText(Path.Combine(dir, "NuGet.Config"), $"""
                <?xml version="1.0" encoding="utf-8"?>
                <configuration>
                  <packageSources>
                    <clear />
                    <add key="posert" value="{_package.Feed}" />
                    <add key="local-cache" value="{cache}" />
                  </packageSources>
                  <fallbackPackageFolders>
                    <clear />
                    <add key="local-cache" value="{cache}" />
                  </fallbackPackageFolders>
                  <config>
                    <add key="globalPackagesFolder" value="{Path.Combine(dir, "packages")}" />
                  </config>
                </configuration>
                """);
            string native = withNativeOnnxRuntime
                ? $"""<PackageReference Include="Microsoft.ML.OnnxRuntime" Version="{AppOrtVersion()}" />"""
                : "";
            File.WriteAllText(Path.Combine(dir, "Consumer.csproj"), $"""
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup>
                    <OutputType>Exe</OutputType>
                    <TargetFramework>net10.0</TargetFramework>
                    <RuntimeIdentifier>{Rid}</RuntimeIdentifier>
                    <SelfContained>false</SelfContained>
                    <Nullable>enable</Nullable>
                    <AssemblyName>consumer</AssemblyName>
                  </PropertyGroup>
                  <ItemGroup>
                    <PackageReference Include="PoseRT.Runtime" Version="{_package.Version}" />
                    {native}
                    <Compile Include="{Path.Combine(RepoPaths.Root, "Tests", "Hosts", "PoseRT.MonoHost", "Program.cs")}" />
                  </ItemGroup>
                </Project>
                """);
            var build = ExternalProcess.Run("dotnet", new[] { "build", "-c", "Release", "-nologo", "-m:1", "-nodeReuse:false", "-p:UseSharedCompilation=false" },
                dir, TimeSpan.FromMinutes(5), CleanDotnetEnvironment);
            if (build.ExitCode != 0) PackedRuntime.DeleteQuietly(dir);
            Assert.True(build.ExitCode == 0, build.Describe("dotnet build of the consumer application"));
            return dir;
        }

        private static ExternalProcess.Result Run(string app, TestFrame frame)
        {
            var args = new List<string>
            {
                Path.Combine(app, "bin", "Release", "net10.0", Rid, "consumer.dll"),
                TestFrame.ModelPath, frame.Write(app),
                frame.Width.ToString(CultureInfo.InvariantCulture), frame.Height.ToString(CultureInfo.InvariantCulture), "3",
            };
            args.AddRange(TestFrame.Boxes.Select(TestFrame.BoxArgument));
            return ExternalProcess.Run("dotnet", args, app, TimeSpan.FromMinutes(2), CleanDotnetEnvironment);
        }

        /// <summary>This machine's runtime identifier (linux-x64 here), the one the consumer builds for.</summary>
        private static string Rid => System.Runtime.InteropServices.RuntimeInformation.RuntimeIdentifier;

        private static string Read(ZipArchive zip, string name)
        {
            using var reader = new StreamReader(zip.GetEntry(name)!.Open());
            return reader.ReadToEnd();
        }

        private static string GlobalPackagesFolder() =>
            Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } p
                ? p
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");

        private static string LibraryOrtVersion() => Metadata("PoseRTLibraryOnnxRuntimeVersion");

        private static string AppOrtVersion() => Metadata("PoseRTAppOnnxRuntimeVersion");

        private static string Metadata(string key) =>
            typeof(PackageConsumerTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;
    }
}
