using System;
using System.IO;
using System.Text;
using System.Text.Json;
using PoseRT.IO;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PoseRT.Trainer.Training
{
    /// <summary>Where a run stands: everything besides tensors that a resumed run needs to continue exactly.</summary>
    public sealed record CheckpointState
    {
        /// <summary>0-based epoch in progress (or the next one when <see cref="NextBatch"/> is 0).</summary>
        public int Epoch { get; init; }

        /// <summary>Batch of <see cref="Epoch"/> to run next.</summary>
        public int NextBatch { get; init; }

        /// <summary>Optimiser steps done so far.</summary>
        public long GlobalStep { get; init; }

        /// <summary>Run seed (data order and augmentation derive from it).</summary>
        public long Seed { get; init; }

        /// <summary>Batch size the run uses.</summary>
        public int BatchSize { get; init; }

        /// <summary>Samples in the training set.</summary>
        public int DatasetCount { get; init; }

        /// <summary>Sum of per-batch loss x batch size in the current epoch so far.</summary>
        public double EpochLossSum { get; init; }

        /// <summary>Samples trained in the current epoch so far.</summary>
        public long EpochSamples { get; init; }

        /// <summary>Best validation score so far (NaN = none yet).</summary>
        public double BestScore { get; init; } = double.NaN;

        /// <summary>Epoch (1-based count) that gave <see cref="BestScore"/>.</summary>
        public int BestEpoch { get; init; }

        /// <summary>Free-form model description, checked on resume so a checkpoint is not loaded into a different model.</summary>
        public string Model { get; init; } = "";

        /// <summary>
        /// The training recipe by command-line option (<c>--lr</c>, <c>--aug</c>, ...), checked on resume so that a
        /// resumed run cannot quietly change it while the provenance claims one recipe for the whole run; null in
        /// checkpoints written before it was recorded.
        /// </summary>
        public System.Collections.Generic.Dictionary<string, string>? Recipe { get; init; }
    }

    /// <summary>
    /// One file with the run state, LibTorch's CPU generator state, the model and the optimiser. Written to a
    /// temporary file, flushed to disk and renamed over the old one, so a kill at any moment leaves either the
    /// previous or the new checkpoint, never a torn one.
    /// </summary>
    public static class Checkpoint
    {
        private const string Magic = "POSERT-CKPT";
        private const int Version = 1;

        /// <summary>Writes the checkpoint atomically to <paramref name="path"/>.</summary>
        public static void Save(string path, CheckpointState state, nn.Module model, OptimizerHelper optimizer)
        {
            AtomicFile.Write(path, durable: true, write: stream =>
            {
                using (var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
                {
                    w.Write(Magic);
                    w.Write(Version);
                    w.Write(JsonSerializer.Serialize(state, JsonOptions));
                    using (var rng = torch.random.get_rng_state())
                    {
                        var bytes = rng.data<byte>().ToArray();
                        w.Write(bytes.Length);
                        w.Write(bytes);
                    }
                    model.save(w);
                    optimizer.save_state_dict(w);
                    w.Write(Magic);
                }
            });
        }

        /// <summary>Reads only the run state (cheap; for inspection and resume checks).</summary>
        public static CheckpointState ReadState(string path)
        {
            using var stream = File.OpenRead(path);
            using var r = new BinaryReader(stream, Encoding.UTF8);
            return ReadHeader(r, path);
        }

        /// <summary>Loads the checkpoint into <paramref name="model"/> and <paramref name="optimizer"/>, restores LibTorch's generator, and returns the run state.</summary>
        public static CheckpointState Load(string path, nn.Module model, OptimizerHelper optimizer)
        {
            using var stream = File.OpenRead(path);
            using var r = new BinaryReader(stream, Encoding.UTF8);
            var state = ReadHeader(r, path);
            int n = r.ReadInt32();
            var bytes = r.ReadBytes(n);
            if (bytes.Length != n) throw new InvalidDataException($"Checkpoint '{path}' is truncated (generator state).");
            try
            {
                model.load(r, strict: true);
                optimizer.load_state_dict(r);
                if (r.ReadString() != Magic) throw new InvalidDataException($"Checkpoint '{path}' has no end marker: truncated or not written by PoseRT.");
            }
            catch (EndOfStreamException e)
            {
                // A file cut short (a copy that stopped, a full disk) is not a file of another model.
                throw new InvalidDataException($"Checkpoint '{path}' is truncated: it ends inside the model or optimiser state ({e.Message}).", e);
            }
            catch (Exception e) when (e is ArgumentException || e is InvalidOperationException)
            {
                throw new InvalidDataException($"Checkpoint '{path}' does not fit this model/optimiser (model '{state.Model}'): {e.Message}", e);
            }
            using (var rng = torch.tensor(bytes, ScalarType.Byte)) torch.random.set_rng_state(rng);
            return state;
        }

        private static CheckpointState ReadHeader(BinaryReader r, string path)
        {
            try
            {
                if (r.ReadString() != Magic) throw new InvalidDataException($"'{path}' is not a PoseRT checkpoint (bad magic).");
                int version = r.ReadInt32();
                if (version != Version) throw new InvalidDataException($"Checkpoint '{path}' has version {version}; this build reads {Version}.");
                return JsonSerializer.Deserialize<CheckpointState>(r.ReadString(), JsonOptions)
                       ?? throw new InvalidDataException($"Checkpoint '{path}' has an empty state.");
            }
            catch (Exception e) when (e is EndOfStreamException || e is JsonException)
            {
                throw new InvalidDataException($"Checkpoint '{path}' is truncated or corrupt: {e.Message}", e);
            }
        }

        private static readonly JsonSerializerOptions JsonOptions = new() { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };
    }
}
