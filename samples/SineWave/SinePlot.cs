using System;
using ScottPlot;

namespace RnnCodegen.Samples.SineWave
{
    /// <summary>Draws the result with ScottPlot 5: the wave, the predictions and the loss curve, one PNG.</summary>
    public static class SinePlot
    {
        /// <summary>Writes a two-panel PNG (1200 x 900) to <paramref name="path"/>.</summary>
        public static void Write(SineWaveResult result, string path)
        {
            var multiplot = new Multiplot();
            multiplot.AddPlots(2);

            // Top: truth, one-step predictions (streaming from the true values) and the free-running continuation.
            Plot wave = multiplot.GetPlot(0);
            int n = result.Truth.Length;
            var xs = new double[n];
            var truth = new double[n];
            for (int t = 0; t < n; t++)
            {
                xs[t] = t;
                truth[t] = result.Truth[t];
            }
            var truthLine = wave.Add.ScatterLine(xs, truth);
            truthLine.LegendText = "truth sin(0.2 t)";
            truthLine.LineWidth = 6;
            truthLine.Color = Colors.LightGray;

            var oneStepX = new double[n - 1];
            var oneStepY = new double[n - 1];
            for (int t = 1; t < n; t++)
            {
                oneStepX[t - 1] = t;
                oneStepY[t - 1] = result.OneStep[t];
            }
            var oneStep = wave.Add.ScatterLine(oneStepX, oneStepY);
            oneStep.LegendText = "one-step prediction";
            oneStep.LineWidth = 1.5f;
            oneStep.Color = Colors.SteelBlue;

            int g = result.FreeRun.Length;
            var freeX = new double[g];
            var freeY = new double[g];
            for (int i = 0; i < g; i++)
            {
                freeX[i] = result.SeedLength + i;
                freeY[i] = result.FreeRun[i];
            }
            var free = wave.Add.ScatterLine(freeX, freeY);
            free.LegendText = "free-running generation";
            free.LineWidth = 2;
            free.LinePattern = LinePattern.Dashed;
            free.Color = Colors.OrangeRed;

            var seedEnd = wave.Add.VerticalLine(result.SeedLength - 0.5);
            seedEnd.Color = Colors.Gray;
            seedEnd.LinePattern = LinePattern.Dotted;
            seedEnd.LegendText = "end of the seed window";
            wave.Title(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"LSTM(1 -> 32) on held-out samples: test MSE {result.TestMse:E2}, free-running MSE {result.FreeRunMse:E2}"));
            wave.XLabel("sample");
            wave.YLabel("value");
            wave.ShowLegend(Edge.Bottom);

            // Bottom: the loss per epoch (log10, so the whole descent is visible).
            Plot loss = multiplot.GetPlot(1);
            int epochs = result.History.Count;
            var ex = new double[epochs];
            var trainLoss = new double[epochs];
            var testLoss = new double[epochs];
            for (int e = 0; e < epochs; e++)
            {
                ex[e] = e + 1;
                trainLoss[e] = Math.Log10(result.History[e].TrainLoss);
                testLoss[e] = Math.Log10(result.History[e].ValidationLoss);
            }
            var trainLine = loss.Add.ScatterLine(ex, trainLoss);
            trainLine.LegendText = "training loss";
            trainLine.Color = Colors.SteelBlue;
            var testLine = loss.Add.ScatterLine(ex, testLoss);
            testLine.LegendText = "test loss";
            testLine.Color = Colors.OrangeRed;
            loss.Title("Loss per epoch (Adam, lr 0.01, gradient norm clipped to 1)");
            loss.XLabel("epoch");
            loss.YLabel("log10 MSE");
            loss.ShowLegend(Alignment.UpperRight);

            multiplot.SavePng(path, 1200, 900);
        }
    }
}
