using System;
using System.IO;
using RnnCodegen.Samples.SineWave;
using Xunit;
using Xunit.Abstractions;

namespace RnnCodegen.Samples.Tests
{
    public class SineWaveTests
    {
        private readonly ITestOutputHelper _output;

        public SineWaveTests(ITestOutputHelper output) => _output = output;

        [Fact]
        public void LearnsTheWaveSavesWeightsThatReloadAndWritesThePlot()
        {
            string dir = Path.Combine(Path.GetTempPath(), "RnnCodegen.Samples.Tests.SineWave." + Guid.NewGuid().ToString("N"));
            try
            {
                var result = SineWaveDemo.Run(new SineWaveOptions { Epochs = 10, Seed = 1, OutputDirectory = dir });
                _output.WriteLine($"train {result.TrainMse:E3} test {result.TestMse:E3} persistence {result.PersistenceMse:E3} free-running {result.FreeRunMse:E3}, amplitude {result.FreeRunAmplitude:F3}, period {result.FreeRunPeriod:F2}");
                Assert.Equal(10, result.History.Count);
                Assert.True(result.History[9].TrainLoss < result.History[0].TrainLoss / 10, "the training loss fell less than tenfold");
                // Measured: 1.65e-3 after these 10 epochs (8: 2.2e-3, 60: 5.4e-4). "The next value equals this one" scores 2.0e-2,
                // and the first step of every window, made from a zero state, cannot tell a rising from a falling wave, which
                // keeps any model's window MSE above a few 1e-4. 4e-3 leaves room for float-rounding changes of the kernels
                // while failing any model that did not learn the dynamics (5x below the persistence baseline).
                Assert.True(result.TestMse < 4e-3, $"test MSE {result.TestMse}");
                Assert.True(result.TestMse < result.PersistenceMse / 5, $"test MSE {result.TestMse} vs persistence {result.PersistenceMse}");
                // Free-running, small errors of the period add up to a phase shift, so the MSE against the truth swings with the
                // epoch count (0.23 after 10 epochs, 0.0013 after 15); what must hold is that the model keeps generating the wave.
                Assert.InRange(result.FreeRunAmplitude, 0.8, 1.2);
                Assert.InRange(result.FreeRunPeriod, 2 * Math.PI / SineWaveDemo.Frequency * 0.95, 2 * Math.PI / SineWaveDemo.Frequency * 1.05);

                // The weights on disk reproduce the model: binary and state_dict JSON alike.
                var binary = new SineLstm();
                using (var file = File.OpenRead(result.ParametersPath!)) binary.LoadParameters(file);
                Assert.Equal(result.OneStep, SineWaveDemo.OneStepPredictions(binary, result.Truth));
                var json = new SineLstm();
                using (var file = File.OpenRead(result.StateDictPath!)) json.LoadStateDict(file);
                Assert.Equal(result.OneStep, SineWaveDemo.OneStepPredictions(json, result.Truth));

                var png = File.ReadAllBytes(result.PlotPath!);
                Assert.True(png.Length > 10_000, $"the PNG has {png.Length} bytes");
                Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png.AsSpan(0, 4).ToArray());
            }
            finally
            {
                if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
            }
        }

        [Fact]
        public void RunsAreReproducible()
        {
            var a = SineWaveDemo.Run(new SineWaveOptions { Epochs = 2, Seed = 5 });
            var b = SineWaveDemo.Run(new SineWaveOptions { Epochs = 2, Seed = 5 });
            Assert.Equal(a.TestMse, b.TestMse);
            Assert.Equal(a.FreeRun, b.FreeRun);
            Assert.Null(a.PlotPath);
        }

        [Fact]
        public void PeriodCountsUpwardZeroCrossings()
        {
            var wave = new float[400];
            for (int i = 0; i < wave.Length; i++) wave[i] = (float)Math.Sin(0.2 * i + 1);
            Assert.Equal(2 * Math.PI / 0.2, SineWaveDemo.Period(wave), 2);
            Assert.True(double.IsNaN(SineWaveDemo.Period(new float[10])));
        }

        [Fact]
        public void WindowsPairEachValueWithTheNext()
        {
            var series = new float[100];
            for (int i = 0; i < series.Length; i++) series[i] = i;
            var data = SineWaveDemo.Windows(series);
            Assert.Equal(SineWaveDemo.Window, data.InputLength);
            Assert.Equal((100 - SineWaveDemo.Window - 1) / 4 + 1, data.Count);
            for (int i = 0; i < data.Inputs.Length; i++) Assert.Equal(data.Inputs[i] + 1, data.Targets[i]);
        }
    }
}
