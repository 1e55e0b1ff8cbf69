using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using OpenCvSharp;
using OpenCvSharp.Dnn;
using PoseRT.Trainer.Models;
using TorchSharp;

namespace PoseRT.Bench
{
    /// <summary>A way to run a pose network on a batch of crops that is not PoseRT's: what a user would otherwise call.</summary>
    internal interface IPeer : IDisposable
    {
        /// <summary>Milliseconds of <paramref name="frames"/> timed runs on a batch of <paramref name="batch"/> random crops.</summary>
        double[] Time(int batch, int threads, int warmup, int frames);
    }

    internal static class PeerTiming
    {
        public static double[] Repeat(Action run, int warmup, int frames)
        {
            for (int i = 0; i < warmup; i++) run();
            var ms = new double[frames];
            for (int i = 0; i < frames; i++)
            {
                long t0 = Stopwatch.GetTimestamp();
                run();
                ms[i] = (Stopwatch.GetTimestamp() - t0) * 1000.0 / Stopwatch.Frequency;
            }
            return ms;
        }

        public static float[] RandomCrops(int batch, int height, int width)
        {
            var data = new float[batch * 3 * height * width];
            var rng = new Random(7);
            for (int i = 0; i < data.Length; i++) data[i] = (float)(rng.NextDouble() * 4 - 2);
            return data;
        }
    }

    /// <summary>ONNX Runtime as a user calling it directly gets it: default session options, only the thread count set.</summary>
    internal sealed class OrtDefaultsPeer : IPeer
    {
        private readonly string _path;
        private readonly int _height;
        private readonly int _width;

        public OrtDefaultsPeer(string path, int height, int width)
        {
            _path = path;
            _height = height;
            _width = width;
        }

        public double[] Time(int batch, int threads, int warmup, int frames)
        {
            using var options = new SessionOptions { IntraOpNumThreads = threads };
            using var session = new InferenceSession(_path, options);
            string input = string.Empty;
            foreach (var name in session.InputMetadata.Keys) input = name;
            var tensor = new DenseTensor<float>(PeerTiming.RandomCrops(batch, _height, _width), new[] { batch, 3, _height, _width });
            var inputs = new List<NamedOnnxValue> { NamedOnnxValue.CreateFromTensor(input, tensor) };
            return PeerTiming.Repeat(() =>
            {
                using var results = session.Run(inputs);
            }, warmup, frames);
        }

        public void Dispose()
        {
        }
    }

    /// <summary>OpenCV's DNN module (<c>CvDnn.ReadNetFromOnnx</c>, OpenCV backend, CPU target).</summary>
    internal sealed class OpenCvDnnPeer : IPeer
    {
        private readonly Net _net;
        private readonly int _height;
        private readonly int _width;

        public OpenCvDnnPeer(string path, int height, int width)
        {
            _net = CvDnn.ReadNetFromOnnx(path) ?? throw new InvalidOperationException($"OpenCV DNN could not read {path}.");
            _net.SetPreferableBackend(Backend.OPENCV);
            _net.SetPreferableTarget(Target.CPU);
            _height = height;
            _width = width;
        }

        public double[] Time(int batch, int threads, int warmup, int frames)
        {
            Cv2.SetNumThreads(threads);
            var data = PeerTiming.RandomCrops(batch, _height, _width);
            using var blob = new Mat(new[] { batch, 3, _height, _width }, MatType.CV_32FC1);
            Marshal.Copy(data, 0, blob.Data, data.Length);
            return PeerTiming.Repeat(() =>
            {
                _net.SetInput(blob);
                using var output = _net.Forward();
            }, warmup, frames);
        }

        public void Dispose() => _net.Dispose();
    }

    /// <summary>The Trainer's TorchSharp model itself, eval mode, no gradient (the same weights the ONNX file holds).</summary>
    internal sealed class TorchEagerPeer : IPeer
    {
        private readonly PoseNet _model;
        private readonly int _height;
        private readonly int _width;

        public TorchEagerPeer(PoseNet model, int height, int width)
        {
            _model = model;
            _height = height;
            _width = width;
        }

        public double[] Time(int batch, int threads, int warmup, int frames)
        {
            torch.set_num_threads(threads);
            _model.eval();
            using var scope = torch.NewDisposeScope();
            using var noGrad = torch.no_grad();
            var x = torch.tensor(PeerTiming.RandomCrops(batch, _height, _width), new long[] { batch, 3, _height, _width });
            return PeerTiming.Repeat(() =>
            {
                using var y = _model.forward(x);
            }, warmup, frames);
        }

        public void Dispose()
        {
        }
    }
}
