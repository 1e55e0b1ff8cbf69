using System;
using System.Globalization;
using Spectre.Console;

namespace PoseRT.Trainer.Training
{
    /// <summary>
    /// Shows training progress on stderr (stdout carries only the run's result line): a Spectre.Console progress bar
    /// (loss, lr, samples/s, ETA) on an interactive terminal, plain lines otherwise (CI logs, a redirected stderr).
    /// </summary>
    public static class ConsoleProgress
    {
        private static readonly IAnsiConsole Err = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });

        /// <summary>Runs <paramref name="work"/> with an observer that reports to the console.</summary>
        public static T Run<T>(Func<ITrainingObserver, T> work, int plainEverySteps = 50)
        {
            if (!Err.Profile.Capabilities.Interactive || Console.IsErrorRedirected)
                return work(new PlainObserver(plainEverySteps));
            T result = default!;
            Err.Progress()
                .AutoClear(false)
                .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
                .Start(ctx => result = work(new BarObserver(ctx)));
            return result;
        }

        private static string Fmt(double v, string f) => v.ToString(f, CultureInfo.InvariantCulture);

        private static string EpochLine(EpochReport e) =>
            $"epoch {e.Epoch}: loss {Fmt(e.Loss, "G5")}, lr {Fmt(e.LearningRate, "G3")}, {Fmt(e.SamplesPerSecond, "F1")} samples/s, {Fmt(e.Seconds, "F1")} s, RSS {Fmt(e.ResidentMiB, "F0")} MiB" +
            (e.SkippedSamples > 0 ? $", {e.SkippedSamples} skipped" : "") +
            (e.Validation != null ? $", val score {Fmt(e.Validation.Score, "F4")}" : "");

        private sealed class PlainObserver : ITrainingObserver
        {
            private readonly int _every;

            public PlainObserver(int every) => _every = Math.Max(1, every);

            public void OnStart(TrainingStart s) =>
                Console.Error.WriteLine($"{(s.Resumed ? "resume" : "start")}: {s.Samples} samples, {s.BatchesPerEpoch} batches/epoch, epochs {s.StartEpoch + 1}..{s.Epochs}, step {s.StartStep}, device {s.Device}");

            public void OnStep(StepReport s)
            {
                if (s.GlobalStep % _every == 0)
                    Console.Error.WriteLine($"step {s.GlobalStep} (epoch {s.Epoch}, batch {s.Batch + 1}): loss {Fmt(s.Loss, "G5")}, lr {Fmt(s.LearningRate, "G3")}, {Fmt(s.SamplesPerSecond, "F1")} samples/s");
            }

            public void OnEpoch(EpochReport e) => Console.Error.WriteLine(EpochLine(e));

            public void OnMessage(string message) => Console.Error.WriteLine(message);
        }

        private sealed class BarObserver : ITrainingObserver
        {
            private readonly ProgressContext _ctx;
            private ProgressTask? _task;
            private int _batchesPerEpoch;

            public BarObserver(ProgressContext ctx) => _ctx = ctx;

            public void OnStart(TrainingStart s)
            {
                _batchesPerEpoch = s.BatchesPerEpoch;
                _task = _ctx.AddTask("training", maxValue: (double)s.Epochs * s.BatchesPerEpoch);
                _task.Value = s.StartEpoch * (double)s.BatchesPerEpoch + s.StartBatch;
            }

            public void OnStep(StepReport s)
            {
                if (_task == null) return;
                _task.Value = (s.Epoch - 1) * (double)_batchesPerEpoch + s.Batch + 1;
                _task.Description = Markup.Escape($"epoch {s.Epoch} loss {Fmt(s.Loss, "G4")} lr {Fmt(s.LearningRate, "G3")} {Fmt(s.SamplesPerSecond, "F1")} samples/s");
            }

            public void OnEpoch(EpochReport e) => Err.MarkupLine(Markup.Escape(EpochLine(e)));

            public void OnMessage(string message) => Err.MarkupLine(Markup.Escape(message));
        }
    }
}
