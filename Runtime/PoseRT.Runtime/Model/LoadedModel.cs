using System;
using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using PoseRT.Runtime.Inference;

namespace PoseRT.Runtime.Model
{
    /// <summary>
    /// An ONNX Runtime session of a model checked to be a heatmap pose model: its description, its one image input and
    /// heatmap output, and the provider it runs on. Opening validates everything a <see cref="PoseEstimator"/> relies on,
    /// so estimation code never meets a model of the wrong shape; every failure names the source.
    /// </summary>
    internal sealed class LoadedModel : IDisposable
    {
        private readonly Func<SessionOptions, InferenceSession> _open;

        private LoadedModel(string source, InferenceSession session, SessionOptions options, PoseModelInfo info,
            ExecutionProvider provider, string providerReport, Func<SessionOptions, InferenceSession> open)
        {
            Source = source;
            Session = session;
            Options = options;
            Info = info;
            Provider = provider;
            ProviderReport = providerReport;
            _open = open;
            (InputName, FixedBatch) = CheckInput(session, info, source);
            OutputName = CheckOutput(session, info, source, FixedBatch);
        }

        /// <summary>The file or stream name used in messages.</summary>
        public string Source { get; }

        /// <summary>The session; owned.</summary>
        public InferenceSession Session { get; }

        /// <summary>The session's options; owned.</summary>
        public SessionOptions Options { get; }

        /// <summary>The model's description (metadata or the caller's fallback), validated.</summary>
        public PoseModelInfo Info { get; }

        /// <summary>The execution provider the session runs on.</summary>
        public ExecutionProvider Provider { get; }

        /// <summary>What was chosen and why.</summary>
        public string ProviderReport { get; }

        /// <summary>The image input.</summary>
        public string InputName { get; }

        /// <summary>The heatmap output (the first output, by the exporter's contract).</summary>
        public string OutputName { get; }

        /// <summary>The model's batch size when its batch dimension is fixed, else 0.</summary>
        public int FixedBatch { get; }

        /// <summary>
        /// Opens a session with the provider <paramref name="options"/> asks for and checks the model.
        /// Throws <see cref="InvalidPoseModelException"/>, <see cref="NotSupportedException"/> or
        /// <see cref="OnnxRuntimeNativeException"/> with a message naming <paramref name="source"/>.
        /// </summary>
        public static LoadedModel Open(string source, PoseEstimatorOptions options, Func<SessionOptions, InferenceSession> open)
        {
            var so = ExecutionProviders.Create(options, OnnxRuntimeNative.GetAvailableProviders(), ExecutionProviders.IsWindows,
                out var provider, out var report);
            InferenceSession session;
            try
            {
                session = open(so);
            }
            catch (OnnxRuntimeException e)
            {
                so.Dispose();
                throw new InvalidPoseModelException($"{source}: ONNX Runtime cannot load it as a model: {e.Message}", e);
            }
            catch
            {
                so.Dispose();
                throw;
            }

            try
            {
                return new LoadedModel(source, session, so, Describe(session, options, source), provider, report, open);
            }
            catch
            {
                session.Dispose();
                so.Dispose();
                throw;
            }
        }

        /// <summary>The same model in a second session whose intra-op pool has <paramref name="threads"/> threads; the caller owns both.</summary>
        public (InferenceSession Session, SessionOptions Options) OpenPooled(int threads)
        {
            var so = ExecutionProviders.NewSessionOptions();
            so.IntraOpNumThreads = threads;
            try
            {
                return (_open(so), so);
            }
            catch
            {
                so.Dispose();
                throw;
            }
        }

        /// <summary>Releases the session and its options.</summary>
        public void Dispose()
        {
            Session.Dispose();
            Options.Dispose();
        }

        private static PoseModelInfo Describe(InferenceSession session, PoseEstimatorOptions options, string source)
        {
            var metadata = session.ModelMetadata.CustomMetadataMap;
            if (PoseModelInfo.HasPoseRTMetadata(metadata))
            {
                try
                {
                    return PoseModelInfo.FromMetadata(metadata, source);
                }
                catch (FormatException e)
                {
                    throw new InvalidPoseModelException(e.Message, e);
                }
            }
            if (options.FallbackModelInfo == null)
            {
                throw new InvalidPoseModelException(
                    $"{source}: the model has no PoseRT metadata (posert.* keys) and no PoseEstimatorOptions.FallbackModelInfo was given; " +
                    "supply a PoseModelInfo describing its input size, normalisation and keypoints.");
            }
            var info = options.FallbackModelInfo;
            try
            {
                info.Validate();
            }
            catch (ArgumentException e)
            {
                throw new InvalidPoseModelException($"{source}: the supplied FallbackModelInfo is inconsistent: {e.Message}", e);
            }
            return info;
        }

        private static (string Name, int FixedBatch) CheckInput(InferenceSession session, PoseModelInfo info, string source)
        {
            var inputs = session.InputMetadata;
            if (inputs.Count != 1)
                throw new InvalidPoseModelException($"{source}: a pose model has one input (an image batch); this one has {inputs.Count}.");
            foreach (var pair in inputs)
            {
                var meta = pair.Value;
                string expected = $"[N, 3, {info.InputHeight}, {info.InputWidth}] float";
                if (!meta.IsTensor || meta.ElementType != typeof(float))
                    throw new InvalidPoseModelException($"{source}: input '{pair.Key}' must be a float tensor {expected}; it is {Describe(meta)}.");
                var d = meta.Dimensions;
                if (d.Length != 4 || !Fits(d[1], 3) || !Fits(d[2], info.InputHeight) || !Fits(d[3], info.InputWidth))
                    throw new InvalidPoseModelException($"{source}: input '{pair.Key}' has shape {Shape(d)}; the model description needs {expected}.");
                return (pair.Key, d[0] > 0 ? d[0] : 0);
            }
            throw new InvalidPoseModelException($"{source}: the model has no input.");
        }

        private static string CheckOutput(InferenceSession session, PoseModelInfo info, string source, int fixedBatch)
        {
            string expected = $"[N, {info.KeypointCount}, {info.HeatmapHeight}, {info.HeatmapWidth}] float heatmaps";
            foreach (var pair in session.OutputMetadata)
            {
                // The first output is the heatmaps, by the exporter's contract; others (if any) are ignored.
                var meta = pair.Value;
                if (!meta.IsTensor || meta.ElementType != typeof(float))
                    throw new InvalidPoseModelException($"{source}: output '{pair.Key}' must be {expected}; it is {Describe(meta)}.");
                var d = meta.Dimensions;
                if (d.Length != 4 || !Fits(d[1], info.KeypointCount) || !Fits(d[2], info.HeatmapHeight) || !Fits(d[3], info.HeatmapWidth)
                    || (fixedBatch > 0 && d[0] > 0 && d[0] != fixedBatch))
                    throw new InvalidPoseModelException($"{source}: output '{pair.Key}' has shape {Shape(d)}; the model description needs {expected}.");
                return pair.Key;
            }
            throw new InvalidPoseModelException($"{source}: the model has no output.");
        }

        private static bool Fits(int dim, int expected) => dim <= 0 || dim == expected;

        private static string Shape(int[] d) => "[" + string.Join(", ", Array.ConvertAll(d, x => x <= 0 ? "?" : x.ToString(CultureInfo.InvariantCulture))) + "]";

        private static string Describe(NodeMetadata meta) =>
            meta.IsTensor ? $"a {meta.ElementType.Name} tensor {Shape(meta.Dimensions)}" : $"a {meta.OnnxValueType} value";
    }
}
