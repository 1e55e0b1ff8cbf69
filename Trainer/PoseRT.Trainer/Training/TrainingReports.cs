using System.Collections.Generic;
using static TorchSharp.torch;

namespace PoseRT.Trainer.Training
{
    /// <summary>Where a run starts: totals for progress displays.</summary>
    public sealed record TrainingStart(int Epochs, int BatchesPerEpoch, int StartEpoch, int StartBatch, long StartStep, int Samples, string Device, bool Resumed);

    /// <summary>One optimiser step.</summary>
    public sealed record StepReport(int Epoch, int Batch, long GlobalStep, double Loss, double LearningRate, double SamplesPerSecond);

    /// <summary>One finished epoch (1-based <see cref="Epoch"/>).</summary>
    public sealed record EpochReport(int Epoch, long GlobalStep, double Loss, double LearningRate, double SamplesPerSecond, double Seconds, double ResidentMiB, int SkippedSamples, ValidationResult? Validation);

    /// <summary>A validation outcome: <see cref="Score"/> is maximised (COCO AP for pose models).</summary>
    public sealed record ValidationResult(double Score, IReadOnlyDictionary<string, double> Metrics);

    /// <summary>Runs validation on the model (in eval mode, gradients off) after 1-based epoch <c>epoch</c>.</summary>
    public delegate ValidationResult Validator(nn.Module<Tensor, Tensor> model, int epoch);

    /// <summary>Receives progress; called on the training thread.</summary>
    public interface ITrainingObserver
    {
        /// <summary>Training starts (or resumes).</summary>
        void OnStart(TrainingStart start);

        /// <summary>A step finished.</summary>
        void OnStep(StepReport step);

        /// <summary>An epoch finished (after validation, if any).</summary>
        void OnEpoch(EpochReport epoch);

        /// <summary>A notice for the user (checkpoint written, data warning, ...).</summary>
        void OnMessage(string message);
    }

    /// <summary>What a run did.</summary>
    public sealed record TrainResult(
        bool Completed,
        int EpochsDone,
        long Steps,
        double BestScore,
        int BestEpoch,
        string CheckpointPath,
        string BestModelPath,
        string FinalModelPath,
        string MetricsPath,
        string? PlotPath,
        IReadOnlyList<EpochReport> Epochs,
        string DataWarnings);
}
