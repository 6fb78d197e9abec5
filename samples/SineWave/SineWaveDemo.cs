using System;
using System.Collections.Generic;
using System.IO;
using RnnCodegen;

namespace RnnCodegen.Samples.SineWave
{
    /// <summary>Settings of <see cref="SineWaveDemo.Run"/>.</summary>
    public sealed class SineWaveOptions
    {
        /// <summary>Passes over the training windows.</summary>
        public int Epochs { get; set; } = 60;

        /// <summary>Seed of the initial weights and of the shuffling: equal seeds give equal runs.</summary>
        public int Seed { get; set; } = 1;

        /// <summary>Where the weights and the plot go; null = write nothing.</summary>
        public string? OutputDirectory { get; set; }

        /// <summary>Steps generated free-running from the seed window.</summary>
        public int GenerateSteps { get; set; } = 200;
    }

    /// <summary>What <see cref="SineWaveDemo.Run"/> measured and produced.</summary>
    public sealed class SineWaveResult
    {
        /// <summary>One report per epoch (training loss and test loss).</summary>
        public IReadOnlyList<EpochReport> History { get; init; } = Array.Empty<EpochReport>();

        /// <summary>Mean squared error of the one-step predictions on the training windows.</summary>
        public double TrainMse { get; init; }

        /// <summary>Mean squared error of the one-step predictions on the held-out windows.</summary>
        public double TestMse { get; init; }

        /// <summary>The baseline "the next value equals this one" on the held-out windows, for scale.</summary>
        public double PersistenceMse { get; init; }

        /// <summary>Mean squared error of the free-running generation against the true continuation.</summary>
        public double FreeRunMse { get; init; }

        /// <summary>Largest |value| over the second half of the generation: stays near 1 when the wave neither dies out nor grows.</summary>
        public double FreeRunAmplitude { get; init; }

        /// <summary>Mean distance in samples between the upward zero crossings of the generation (the true period is 2 pi / 0.2 = 31.4).</summary>
        public double FreeRunPeriod { get; init; }

        /// <summary>The held-out stretch of the wave that the plot shows (seed window + continuation).</summary>
        public float[] Truth { get; init; } = Array.Empty<float>();

        /// <summary>One-step predictions of <see cref="Truth"/>[t] made from the true values before t (streaming Step).</summary>
        public float[] OneStep { get; init; } = Array.Empty<float>();

        /// <summary>The continuation generated from the seed window alone, feeding each prediction back as the next input.</summary>
        public float[] FreeRun { get; init; } = Array.Empty<float>();

        /// <summary>Samples of <see cref="Truth"/> given to the model as the seed window.</summary>
        public int SeedLength { get; init; }

        /// <summary>The binary weights written by SaveParameters (null when nothing was written).</summary>
        public string? ParametersPath { get; init; }

        /// <summary>The PyTorch state_dict JSON written by SaveStateDict.</summary>
        public string? StateDictPath { get; init; }

        /// <summary>The PNG plot.</summary>
        public string? PlotPath { get; init; }

        /// <summary>Wall time of the training.</summary>
        public TimeSpan TrainingTime { get; init; }
    }

    /// <summary>
    /// The tutorial task: learn sin(0.2 t) one step ahead from windows of 40 samples, then continue the wave on its own.
    /// </summary>
    public static class SineWaveDemo
    {
        /// <summary>Radians per sample (a period of about 31 samples).</summary>
        public const double Frequency = 0.2;

        /// <summary>Samples per training window.</summary>
        public const int Window = SineLstm.SequenceLength;

        private const int SeriesLength = 2000;
        private const int TrainLength = 1600; // samples 0..1599 train, 1600..1999 test
        private const int Stride = 4;

        /// <summary>Trains, evaluates, generates and (when asked) saves the weights and the plot.</summary>
        public static SineWaveResult Run(SineWaveOptions options, IProgress<EpochReport>? progress = null)
        {
            if (options is null) throw new ArgumentNullException(nameof(options));

            var series = new float[SeriesLength];
            for (int t = 0; t < series.Length; t++) series[t] = (float)Math.Sin(Frequency * t);
            var train = Windows(series.AsSpan(0, TrainLength));
            var test = Windows(series.AsSpan(TrainLength));

            var model = new SineLstm();
            model.InitializeParameters(options.Seed, Initialization.XavierUniform);
            var trainer = new Trainer<float, float>(model, new TrainerOptions
            {
                Epochs = options.Epochs,
                BatchSize = 16,
                Seed = options.Seed,
                MaxWorkers = 0, // every core; the result is bit-identical for any count
                RestoreBestParameters = true,
            });
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var fit = trainer.Fit(train, test, progress);
            clock.Stop();

            // The loss is MSE, so Evaluate gives the one-step MSE over every step of every window.
            double trainMse = trainer.Evaluate(train);
            double testMse = trainer.Evaluate(test);
            double persistence = 0;
            for (int i = 0; i < test.Inputs.Length; i++) persistence += Math.Pow(test.Targets[i] - test.Inputs[i], 2);
            persistence /= test.Inputs.Length;

            // The plot: a seed window from the held-out part, then its continuation.
            int seedLength = Window;
            int shown = seedLength + options.GenerateSteps;
            var truth = series.AsSpan(TrainLength, Math.Min(shown, SeriesLength - TrainLength)).ToArray();
            var oneStep = OneStepPredictions(model, truth);
            var freeRun = Generate(model, truth.AsSpan(0, seedLength), truth.Length - seedLength);
            double freeRunMse = 0;
            for (int i = 0; i < freeRun.Length; i++) freeRunMse += Math.Pow(freeRun[i] - truth[seedLength + i], 2);
            freeRunMse /= Math.Max(1, freeRun.Length);
            double amplitude = 0;
            for (int i = freeRun.Length / 2; i < freeRun.Length; i++) amplitude = Math.Max(amplitude, Math.Abs(freeRun[i]));

            string? parametersPath = null, stateDictPath = null, plotPath = null;
            if (options.OutputDirectory is not null)
            {
                Directory.CreateDirectory(options.OutputDirectory);
                parametersPath = Path.Combine(options.OutputDirectory, "sine_lstm.bin");
                using (var file = File.Create(parametersPath)) model.SaveParameters(file);
                stateDictPath = Path.Combine(options.OutputDirectory, "sine_lstm.state_dict.json");
                using (var file = File.Create(stateDictPath)) model.SaveStateDict(file);
                plotPath = Path.Combine(options.OutputDirectory, "sinewave.png");
            }

            var result = new SineWaveResult
            {
                History = fit.History,
                TrainMse = trainMse,
                TestMse = testMse,
                PersistenceMse = persistence,
                FreeRunMse = freeRunMse,
                FreeRunAmplitude = amplitude,
                FreeRunPeriod = Period(freeRun),
                Truth = truth,
                OneStep = oneStep,
                FreeRun = freeRun,
                SeedLength = seedLength,
                ParametersPath = parametersPath,
                StateDictPath = stateDictPath,
                PlotPath = plotPath,
                TrainingTime = clock.Elapsed,
            };
            if (plotPath is not null) SinePlot.Write(result, plotPath);
            return result;
        }

        /// <summary>Mean spacing of the upward zero crossings (linearly interpolated); NaN with fewer than two.</summary>
        public static double Period(ReadOnlySpan<float> wave)
        {
            double first = double.NaN, last = double.NaN;
            int crossings = 0;
            for (int i = 1; i < wave.Length; i++)
            {
                if (wave[i - 1] < 0 && wave[i] >= 0)
                {
                    double at = i - 1 + wave[i - 1] / (double)(wave[i - 1] - wave[i]);
                    if (crossings == 0) first = at;
                    last = at;
                    crossings++;
                }
            }
            return crossings < 2 ? double.NaN : (last - first) / (crossings - 1);
        }

        /// <summary>Overlapping windows: inputs x[i..i+40), targets x[i+1..i+41) (predict the next value at every step).</summary>
        public static SequenceDataset<float, float> Windows(ReadOnlySpan<float> series)
        {
            int count = (series.Length - Window - 1) / Stride + 1;
            var inputs = new float[count * Window];
            var targets = new float[count * Window];
            for (int w = 0; w < count; w++)
            {
                series.Slice(w * Stride, Window).CopyTo(inputs.AsSpan(w * Window));
                series.Slice(w * Stride + 1, Window).CopyTo(targets.AsSpan(w * Window));
            }
            return new SequenceDataset<float, float>(inputs, targets, count);
        }

        /// <summary>
        /// Streaming, as a real-time app would: feed the true value x[t-1], read the prediction of x[t]. The state is carried
        /// across the whole stretch by <c>Step</c>; entry 0 has no history and is predicted from zero.
        /// </summary>
        public static float[] OneStepPredictions(SineLstm model, ReadOnlySpan<float> truth)
        {
            var predictions = new float[truth.Length];
            model.ResetState();
            for (int t = 1; t < truth.Length; t++) predictions[t] = model.Step(truth[t - 1]);
            return predictions;
        }

        /// <summary>Warms the state up on <paramref name="seed"/>, then feeds each prediction back as the next input.</summary>
        public static float[] Generate(SineLstm model, ReadOnlySpan<float> seed, int steps)
        {
            var generated = new float[steps];
            model.ResetState();
            float next = 0;
            foreach (float x in seed) next = model.Step(x);
            for (int i = 0; i < steps; i++)
            {
                generated[i] = next;
                next = model.Step(next);
            }
            return generated;
        }
    }
}
