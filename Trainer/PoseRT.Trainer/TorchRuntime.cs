using System;
using TorchSharp;

namespace PoseRT.Trainer
{
    /// <summary>Loads LibTorch once and turns a load failure into advice.</summary>
    public static class TorchRuntime
    {
        private static readonly object Gate = new();
        private static bool _loaded;

        /// <summary>Makes sure TorchSharp's native libraries are loaded; throws <see cref="InvalidOperationException"/> with advice if not.</summary>
        public static void EnsureLoaded()
        {
            lock (Gate)
            {
                if (_loaded) return;
                try
                {
                    torch.InitializeDeviceType(DeviceType.CPU);
                    _loaded = true;
                }
                catch (Exception e) when (e is TypeInitializationException || e is NotSupportedException || e is DllNotFoundException)
                {
                    throw new InvalidOperationException(
                        "TorchSharp's native library (libLibTorchSharp.so) could not be loaded: " + Innermost(e).Message +
                        " On Debian 12 the build marks its GLIBCXX_3.4.32 requirement weak in the output folder's copy " +
                        "(build/TorchSharpNative.targets); run the program from a folder produced by 'dotnet build' or 'dotnet publish' " +
                        "of this repository. See README, 'TorchSharp on Debian 12'.", e);
                }
            }
        }

        private static Exception Innermost(Exception e)
        {
            while (e.InnerException != null) e = e.InnerException;
            return e;
        }
    }
}
