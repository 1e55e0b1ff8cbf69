using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using PoseRT.Cli;
using PoseRT.Trainer.Data;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

using PoseRT.IO;

namespace PoseRT.Trainer.Training
{
    /// <summary>
    /// The training loop: Adam with a multi-step schedule (optional warm-up, weight decay, gradient clipping),
    /// JointsMSE loss with target weights, one dispose scope per batch, per-epoch RSS, atomic checkpoints that
    /// resume bit-identically on CPU, validation with best-model keeping, JSON-lines + TensorBoard logs and a PNG
    /// plot. Files in <see cref="TrainOptions.OutputDir"/>: checkpoint.pt, best.pt, final.pt, metrics.jsonl,
    /// tensorboard/, curves.png.
    /// </summary>
    public static class TrainingSession
    {
        /// <summary>Checkpoint file name inside the run folder.</summary>
        public const string CheckpointFile = "checkpoint.pt";

        /// <summary>Weights of the best validated model (or the last one when nothing is validated).</summary>
        public const string BestModelFile = "best.pt";

        /// <summary>Weights after the last epoch.</summary>
        public const string FinalModelFile = "final.pt";

        /// <summary>
        /// Trains <paramref name="model"/> on <paramref name="data"/>. For a fresh run, build the model after
        /// <c>torch.manual_seed(options.Seed)</c> so its initial weights follow the seed as well.
        /// <paramref name="modelDescription"/> is stored in checkpoints and checked on resume, as is the recipe: the
        /// options' learning-rate schedule, weight decay and clipping plus <paramref name="recipe"/> (settings the
        /// caller owns, such as <c>--aug</c>, by option name).
        /// </summary>
        public static TrainResult Run(
            nn.Module<Tensor, Tensor> model,
            IPoseDataset data,
            TrainOptions options,
            string modelDescription,
            Validator? validate = null,
            ITrainingObserver? observer = null,
            DataWarnings? warnings = null,
            CancellationToken cancel = default,
            IReadOnlyDictionary<string, string>? recipe = null)
        {
            TorchRuntime.EnsureLoaded();
            options.Validate();
            warnings ??= new DataWarnings();
            string outDir = Path.GetFullPath(options.OutputDir);
            Directory.CreateDirectory(outDir);
            string ckptPath = Path.Combine(outDir, CheckpointFile);
            string bestPath = Path.Combine(outDir, BestModelFile);
            string finalPath = Path.Combine(outDir, FinalModelFile);

            if (options.Threads is { } threads) torch.set_num_threads(threads);
            var device = ResolveDevice(options.Device);
            model.to(device);

            using var optimizer = torch.optim.Adam(model.parameters(), options.LearningRate, 0.9, 0.999, 1e-8, options.WeightDecay, false, false);
            var schedule = new LearningRateSchedule(options.LearningRate, options.LrMilestones, options.LrFactor, options.WarmupSteps);

            var runRecipe = Recipe(options, recipe);
            CheckpointState state;
            bool resumed = false;
            if (options.Resume && File.Exists(ckptPath))
            {
                var header = Checkpoint.ReadState(ckptPath);
                CheckCompatible(header, options, data, modelDescription, runRecipe, ckptPath);
                if (header.Recipe is null) observer?.OnMessage($"{ckptPath} predates recorded recipes; the recipe of this run cannot be checked against it.");
                state = Checkpoint.Load(ckptPath, model, optimizer);
                resumed = true;
                observer?.OnMessage($"Resuming from {ckptPath}: epoch {state.Epoch + 1}, batch {state.NextBatch}, step {state.GlobalStep}.");
            }
            else
            {
                if (options.Resume) observer?.OnMessage($"No checkpoint at {ckptPath}; starting a new run.");
                // Dropout and any other LibTorch randomness in training start from a known state.
                torch.random.manual_seed(options.Seed + 1);
                state = new CheckpointState { Seed = options.Seed, BatchSize = options.BatchSize, DatasetCount = data.Count, Model = modelDescription, Recipe = runRecipe };
            }

            using var log = new MetricsLog(outDir, resumed ? state.GlobalStep : null);
            using var loader = new BatchLoader(data, options.BatchSize, options.Workers, options.Prefetch, options.Seed, warnings);
            int batchesPerEpoch = loader.BatchesPerEpoch;
            observer?.OnStart(new TrainingStart(options.Epochs, batchesPerEpoch, state.Epoch, state.NextBatch, state.GlobalStep, data.Count, device.ToString(), resumed));

            var epochs = new List<EpochReport>();
            long stepsThisProcess = 0;
            double emaRate = 0;
            long globalStep = state.GlobalStep;
            double bestScore = state.BestScore;
            int bestEpoch = state.BestEpoch;
            double lr = schedule.At(state.Epoch, globalStep);

            for (int epoch = state.Epoch; epoch < options.Epochs; epoch++)
            {
                bool continuing = epoch == state.Epoch && state.NextBatch > 0;
                int startBatch = continuing ? state.NextBatch : 0;
                double lossSum = continuing ? state.EpochLossSum : 0;
                long samples = continuing ? state.EpochSamples : 0;
                int warningsAtStart = warnings.Total;
                int skipped = 0;
                var epochClock = Stopwatch.StartNew();
                long samplesThisProcess = 0;
                model.train();

                foreach (var batch in loader.Epoch(epoch, startBatch, cancel))
                {
                    using (batch)
                    {
                        skipped += batch.Skipped;
                        if (batch.Count == 0) continue;
                        var stepClock = Stopwatch.StartNew();
                        lr = schedule.At(epoch, globalStep);
                        foreach (var g in optimizer.ParamGroups) g.LearningRate = lr;
                        double loss;
                        using (var scope = torch.NewDisposeScope())
                        {
                            var (input, target, weight) = batch.ToTensors(device);
                            optimizer.zero_grad();
                            var output = model.forward(input);
                            var lossT = JointsMseLoss.Compute(output, target, weight);
                            lossT.backward();
                            if (options.GradClipNorm is { } clip) nn.utils.clip_grad_norm_(model.parameters(), clip, 2.0);
                            optimizer.step();
                            loss = lossT.item<float>();
                        }
                        if (!double.IsFinite(loss))
                            throw new InvalidOperationException($"The loss became {loss} at epoch {epoch + 1}, step {globalStep + 1}; training cannot go on. Lower the learning rate or enable gradient clipping (--grad-clip).");
                        globalStep++;
                        stepsThisProcess++;
                        lossSum += loss * batch.Count;
                        samples += batch.Count;
                        samplesThisProcess += batch.Count;
                        double rate = batch.Count / Math.Max(stepClock.Elapsed.TotalSeconds, 1e-9);
                        emaRate = emaRate == 0 ? rate : 0.9 * emaRate + 0.1 * rate;
                        observer?.OnStep(new StepReport(epoch + 1, batch.Number, globalStep, loss, lr, emaRate));
                        if (globalStep % options.LogEverySteps == 0)
                            log.Write("step", epoch + 1, globalStep, new Dictionary<string, double> { ["loss"] = loss, ["lr"] = lr, ["samples_per_s"] = emaRate });

                        bool lastOfEpoch = batch.Number == batchesPerEpoch - 1;
                        if (options.CheckpointEverySteps > 0 && globalStep % options.CheckpointEverySteps == 0 && !lastOfEpoch)
                        {
                            Checkpoint.Save(ckptPath, state with
                            {
                                Epoch = epoch, NextBatch = batch.Number + 1, GlobalStep = globalStep,
                                EpochLossSum = lossSum, EpochSamples = samples, BestScore = bestScore, BestEpoch = bestEpoch,
                            }, model, optimizer);
                        }
                        if (options.StopAfterSteps is { } stop && stepsThisProcess >= stop)
                        {
                            observer?.OnMessage($"Stopping after {stepsThisProcess} steps as asked (step {globalStep}).");
                            return new TrainResult(false, epoch, globalStep, bestScore, bestEpoch, ckptPath, bestPath, finalPath, log.Path, null, epochs, warnings.Summary());
                        }
                    }
                }

                int bad = warnings.Total - warningsAtStart;
                if (samples == 0 || bad > data.Count / 2)
                    throw new InvalidOperationException($"Epoch {epoch + 1}: {bad} of {data.Count} samples were unusable ({warnings.Summary()}); training cannot go on. First problems: {string.Join(" | ", warnings.Examples())}");

                double seconds = epochClock.Elapsed.TotalSeconds;
                double epochLoss = lossSum / samples;
                double epochRate = samplesThisProcess / Math.Max(seconds, 1e-9);
                // A full collection first, so the figure shows what is really held (native tensors included,
                // which a missed Dispose would leave to finalizers) rather than garbage awaiting the GC.
                GC.Collect();
                GC.WaitForPendingFinalizers();
                double rss = ProcessMemory.ResidentMiB();
                ValidationResult? val = null;
                bool last = epoch == options.Epochs - 1;
                if (validate != null && (last || (options.ValidateEveryEpochs > 0 && (epoch + 1) % options.ValidateEveryEpochs == 0)))
                {
                    model.eval();
                    using (torch.no_grad()) val = validate(model, epoch + 1);
                    model.train();
                    log.Write("val", epoch + 1, globalStep, WithScore(val));
                    if (double.IsNaN(bestScore) || val.Score > bestScore)
                    {
                        bestScore = val.Score;
                        bestEpoch = epoch + 1;
                        SaveWeights(model, bestPath);
                        observer?.OnMessage($"New best score {val.Score:F4} at epoch {epoch + 1}: {bestPath}");
                    }
                }
                else if (validate == null)
                {
                    SaveWeights(model, bestPath);
                    bestEpoch = epoch + 1;
                }

                var report = new EpochReport(epoch + 1, globalStep, epochLoss, lr, epochRate, seconds, rss, skipped, val);
                epochs.Add(report);
                log.Write("epoch", epoch + 1, globalStep, new Dictionary<string, double>
                {
                    ["loss"] = epochLoss, ["lr"] = lr, ["samples_per_s"] = epochRate, ["seconds"] = seconds, ["rss_mib"] = rss,
                    ["managed_mib"] = GC.GetTotalMemory(false) / (1024.0 * 1024.0), ["skipped"] = skipped,
                });
                Checkpoint.Save(ckptPath, state with
                {
                    Epoch = epoch + 1, NextBatch = 0, GlobalStep = globalStep, EpochLossSum = 0, EpochSamples = 0, BestScore = bestScore, BestEpoch = bestEpoch,
                }, model, optimizer);
                observer?.OnEpoch(report);
            }

            SaveWeights(model, finalPath);
            string? plot = Path.Combine(outDir, "curves.png");
            if (!CurvePlot.Write(MetricsLog.Read(log.Path), plot, $"PoseRT training: {modelDescription}")) plot = null;
            return new TrainResult(true, options.Epochs, globalStep, bestScore, bestEpoch, ckptPath, bestPath, finalPath, log.Path, plot, epochs, warnings.Summary());
        }

        /// <summary>The <c>--device</c> kinds TorchSharp can train on (DirectML is an inference provider only).</summary>
        internal static readonly string[] DeviceKinds = { "auto", "cpu", "cuda" };

        /// <summary>"cpu", "cuda", "cuda:N" or "auto" (the programs' one <c>--device</c> grammar); a request for CUDA without a CUDA build fails with advice.</summary>
        public static Device ResolveDevice(string name)
        {
            if (!DeviceChoice.TryParse(name, DeviceKinds, out var choice, out string error)) throw new ArgumentException(error);
            if (choice.Kind == "cpu") return torch.CPU;
            bool cuda = torch.cuda.is_available();
            if (choice.Kind == "auto") return cuda ? torch.CUDA : torch.CPU;
            if (!cuda)
                throw new ArgumentException($"Device '{name}' was asked for, but this TorchSharp build has no CUDA device (the project references TorchSharp-cpu; a CUDA build needs the TorchSharp-cuda-linux/-windows package and a GPU). Use --device cpu or auto.");
            return torch.device(DeviceType.CUDA, choice.Index);
        }

        /// <summary>Saves module weights to <paramref name="path"/> atomically (temp + rename).</summary>
        public static void SaveWeights(nn.Module model, string path)
        {
            AtomicFile.Write(path, durable: true, write: stream =>
            {
                // Module.save(Stream) closes the stream; a writer that leaves it open lets the helper flush to disk first.
                using var w = new System.IO.BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true);
                model.save(w);
            });
        }

        private static Dictionary<string, double> WithScore(ValidationResult val)
        {
            var d = new Dictionary<string, double>(val.Metrics, StringComparer.Ordinal) { ["score"] = val.Score };
            return d;
        }

        /// <summary>The recipe a checkpoint records, by command-line option, values in invariant round-trip form.</summary>
        internal static Dictionary<string, string> Recipe(TrainOptions o, IReadOnlyDictionary<string, string>? extra)
        {
            static string F(double v) => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
            var r = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["--lr"] = F(o.LearningRate),
                ["--lr-steps"] = string.Join(",", o.LrMilestones),
                ["--lr-factor"] = F(o.LrFactor),
                ["--warmup-steps"] = o.WarmupSteps.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["--weight-decay"] = F(o.WeightDecay),
                ["--grad-clip"] = o.GradClipNorm is { } c ? F(c) : "off",
            };
            if (extra != null) foreach (var (key, value) in extra) r[key] = value;
            return r;
        }

        /// <summary>
        /// The first setting, in ordinal key order, whose value differs between <paramref name="recorded"/> and
        /// <paramref name="now"/> ("(not set)" for a key only one of them has); null when they agree.
        /// </summary>
        internal static (string Key, string Was, string Now)? FirstDifference(IReadOnlyDictionary<string, string> recorded, IReadOnlyDictionary<string, string> now)
        {
            foreach (var key in recorded.Keys.Union(now.Keys).OrderBy(k => k, StringComparer.Ordinal))
            {
                string was = recorded.TryGetValue(key, out var a) ? a : "(not set)";
                string asked = now.TryGetValue(key, out var b) ? b : "(not set)";
                if (!string.Equals(was, asked, StringComparison.Ordinal)) return (key, was, asked);
            }
            return null;
        }

        private static void CheckCompatible(CheckpointState s, TrainOptions o, IPoseDataset data, string model, Dictionary<string, string> recipe, string path)
        {
            if (s.Recipe is { } recorded && FirstDifference(recorded, recipe) is { } d)
                throw new InvalidOperationException($"Checkpoint '{path}' was trained with {d.Key} {d.Was}; this run asks for {d.Key} {d.Now}. Resume with the same recipe or use a new --out folder.");
            if (s.Seed != o.Seed) throw new InvalidOperationException($"Checkpoint '{path}' was trained with seed {s.Seed}; this run asks for {o.Seed}. Resume with the same settings or use a new --out folder.");
            if (s.BatchSize != o.BatchSize) throw new InvalidOperationException($"Checkpoint '{path}' used batch size {s.BatchSize}; this run asks for {o.BatchSize}.");
            if (s.DatasetCount != data.Count) throw new InvalidOperationException($"Checkpoint '{path}' was trained on {s.DatasetCount} samples; this data set has {data.Count}.");
            if (!string.Equals(s.Model, model, StringComparison.Ordinal)) throw new InvalidOperationException($"Checkpoint '{path}' holds model '{s.Model}'; this run builds '{model}'.");
            if (s.Epoch >= o.Epochs) throw new InvalidOperationException($"Checkpoint '{path}' has already finished {s.Epoch} epochs (this run asks for {o.Epochs}); raise --epochs to train further.");
        }
    }
}
