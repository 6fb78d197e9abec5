using System;
using System.Globalization;
using System.IO;

namespace RnnCodegen.Samples.CharRnn
{
    /// <summary>Parses the arguments and prints; the work is in <see cref="CharRnnDemo"/>.</summary>
    public static class Program
    {
        public static int Main(string[] args)
        {
            var options = new CharRnnOptions();
            for (int i = 0; i < args.Length; i++)
            {
                switch (args[i])
                {
                    case "--epochs" when i + 1 < args.Length: options.Epochs = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                    case "--seed" when i + 1 < args.Length: options.Seed = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                    case "--temperature" when i + 1 < args.Length: options.Temperature = double.Parse(args[++i], CultureInfo.InvariantCulture); break;
                    case "--length" when i + 1 < args.Length: options.SampleLength = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                    case "--prime" when i + 1 < args.Length: options.Prime = args[++i]; break;
                    case "--text" when i + 1 < args.Length: options.Text = File.ReadAllText(args[++i]); break;
                    default:
                        Console.Error.WriteLine("usage: dotnet run --project samples/CharRnn -c Release [-- [--epochs N] [--seed N] [--temperature T] [--length N] [--prime TEXT] [--text FILE]]");
                        return args[i] is "-h" or "--help" ? 0 : 2;
                }
            }

            var inv = CultureInfo.InvariantCulture;
            Console.WriteLine(string.Create(inv, $"CharRnn: embedding {CharLstm.VocabularySize} x {CharLstm.InputSize}, LSTM {CharLstm.HiddenSize}, softmax over {CharLstm.OutputSize} characters, {CharLstm.ParameterCount} parameters; truncated BPTT over {CharLstm.SequenceLength} characters, {options.Epochs} epochs"));
            Console.WriteLine(string.Create(inv, $"a model that knows nothing has perplexity {Alphabet.Size} (the alphabet size)"));
            var result = CharRnnDemo.Run(options, new ConsoleProgress(report =>
                Console.WriteLine(string.Create(inv, $"epoch {report.Epoch + 1,3}/{options.Epochs}  perplexity train {report.Train,6:F2}  held-out {report.HeldOut,6:F2}  ({report.Elapsed.TotalMilliseconds:F0} ms)"))));
            Console.WriteLine(string.Create(inv, $"trained on {result.TrainCharacters} characters in {result.TrainingTime.TotalSeconds:F1} s; {result.HeldOutCharacters} held out"));
            Console.WriteLine(string.Create(inv, $"held-out perplexity: uniform {result.UniformPerplexity:F1}, character frequencies {result.UnigramPerplexity:F2}, LSTM {result.BestHeldOutPerplexity:F2} (epoch {result.BestEpoch + 1}, whose weights are kept)"));
            Console.WriteLine();
            Console.WriteLine(string.Create(inv, $"sampled at temperature {options.Temperature}:"));
            Console.WriteLine(result.Sample);
            return 0;
        }

        private sealed class ConsoleProgress : IProgress<PerplexityReport>
        {
            private readonly Action<PerplexityReport> _report;

            public ConsoleProgress(Action<PerplexityReport> report) => _report = report;

            public void Report(PerplexityReport value) => _report(value);
        }
    }
}
