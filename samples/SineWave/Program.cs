using System;
using System.Globalization;
using System.IO;
using RnnCodegen;
using Spectre.Console;

namespace RnnCodegen.Samples.SineWave
{
    /// <summary>Parses the arguments, shows the progress and prints the results; the work is in <see cref="SineWaveDemo"/>.</summary>
    public static class Program
    {
        private const string Usage = "usage: dotnet run --project samples/SineWave -c Release [-- [--quick] [--epochs N] [--seed N] [--out DIR]]";

        public static int Main(string[] args)
        {
            var options = new SineWaveOptions { OutputDirectory = Path.Combine(Path.GetTempPath(), "RnnCodegen.SineWave") };
            for (int i = 0; i < args.Length; i++)
            {
                switch (args[i])
                {
                    case "--quick": options.Epochs = 8; break;
                    case "--epochs" when i + 1 < args.Length: options.Epochs = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                    case "--seed" when i + 1 < args.Length: options.Seed = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                    case "--out" when i + 1 < args.Length: options.OutputDirectory = Path.GetFullPath(args[++i]); break;
                    default:
                        Console.Error.WriteLine(Usage);
                        return args[i] is "-h" or "--help" ? 0 : 2;
                }
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"SineWave: LSTM {SineLstm.InputSize} -> {SineLstm.HiddenSize} -> {SineLstm.OutputSize}, {SineLstm.ParameterCount} parameters, windows of {SineWaveDemo.Window} samples, {options.Epochs} epochs, seed {options.Seed}, SIMD path {SineLstm.SimdPath}"));

            SineWaveResult result;
            // A live bar on a terminal; plain lines when the output is redirected (CI, a pipe, a file).
            if (!Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive)
            {
                result = AnsiConsole.Progress()
                    .AutoClear(false)
                    .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                    .Start(context =>
                    {
                        var task = context.AddTask("training", maxValue: options.Epochs);
                        return SineWaveDemo.Run(options, new ConsoleProgress<EpochReport>(report =>
                        {
                            task.Description = string.Create(CultureInfo.InvariantCulture,
                                $"epoch {report.Epoch + 1,3}/{options.Epochs}  loss [blue]{report.TrainLoss:E2}[/]  test [red]{report.ValidationLoss:E2}[/]");
                            task.Increment(1);
                        }));
                    });
            }
            else
            {
                result = SineWaveDemo.Run(options, new ConsoleProgress<EpochReport>(report =>
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"epoch {report.Epoch + 1,3}/{options.Epochs}  loss {report.TrainLoss:E2}  test {report.ValidationLoss:E2}  ({report.Elapsed.TotalMilliseconds:F0} ms)"))));
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"trained in {result.TrainingTime.TotalSeconds:F1} s"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"train MSE        {result.TrainMse:E3}"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"test MSE         {result.TestMse:E3}   (\"next = this\" baseline: {result.PersistenceMse:E3})"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"free-running MSE {result.FreeRunMse:E3}   ({result.FreeRun.Length} steps generated from a {result.SeedLength}-sample seed; a small error of the period adds up to a phase shift)"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"free-running wave: amplitude {result.FreeRunAmplitude:F3} (true 1), period {result.FreeRunPeriod:F2} samples (true {2 * Math.PI / SineWaveDemo.Frequency:F2})"));
            Console.Write("generated: ");
            for (int i = 0; i < 10 && i < result.FreeRun.Length; i++) Console.Write(result.FreeRun[i].ToString("F3", CultureInfo.InvariantCulture) + " ");
            Console.WriteLine("...");
            Console.Write("truth:     ");
            for (int i = 0; i < 10 && i < result.FreeRun.Length; i++) Console.Write(result.Truth[result.SeedLength + i].ToString("F3", CultureInfo.InvariantCulture) + " ");
            Console.WriteLine("...");
            if (result.ParametersPath is not null)
            {
                Console.WriteLine("weights (SaveParameters): " + result.ParametersPath);
                Console.WriteLine("weights (state_dict JSON): " + result.StateDictPath);
                Console.WriteLine("plot: " + result.PlotPath);
            }
            return 0;
        }
    }
}
