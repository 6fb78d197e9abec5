using System;
using System.Collections.Generic;
using System.Globalization;
using RnnCodegen;

namespace RnnCodegen.Samples.Sentiment
{
    /// <summary>Parses the arguments and prints; the work is in <see cref="SentimentDemo"/>.</summary>
    public static class Program
    {
        /// <summary>What Keras' model.summary() prints for Embedding(10000, 32) + SimpleRNN(32) + Dense(1).</summary>
        public const int KerasSummaryCount = 322113;

        public static int Main(string[] args)
        {
            var options = new SentimentOptions();
            for (int i = 0; i < args.Length; i++)
            {
                switch (args[i])
                {
                    case "--epochs" when i + 1 < args.Length: options.Epochs = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                    case "--train" when i + 1 < args.Length: options.TrainCount = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                    case "--seed" when i + 1 < args.Length: options.Seed = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                    default:
                        Console.Error.WriteLine("usage: dotnet run --project samples/Sentiment -c Release [-- [--epochs N] [--train N] [--seed N]]");
                        return args[i] is "-h" or "--help" ? 0 : 2;
                }
            }

            var inv = CultureInfo.InvariantCulture;
            Console.WriteLine("Sentiment: Embedding + SimpleRNN + Dense(sigmoid), RMSprop, binary cross-entropy, one output after the last token");
            PrintTable("SentimentRnn (this data set)", SentimentRnn.ParameterInfos, SentimentRnn.ParameterCount);
            PrintTable("KerasImdbRnn = the Keras tutorial's Embedding(10000, 32) + SimpleRNN(32) + Dense(1)", KerasImdbRnn.ParameterInfos, KerasImdbRnn.ParameterCount);
            Console.WriteLine(string.Create(inv, $"  Keras' summary says {KerasSummaryCount}: Keras keeps one bias vector per recurrent layer, PyTorch (and RnnCodegen,"));
            Console.WriteLine(string.Create(inv, $"  which loads PyTorch state_dicts unchanged) two, bias_ih and bias_hh: {KerasImdbRnn.ParameterCount} - {KerasSummaryCount} = {KerasImdbRnn.ParameterCount - KerasSummaryCount} = one more bias of {KerasImdbRnn.HiddenSize}."));
            Console.WriteLine(string.Create(inv, $"  (Importing Keras weights with LoadKerasWeights fills bias_ih with Keras' bias and bias_hh with zeros.)"));
            Console.WriteLine();

            Console.WriteLine(string.Create(inv, $"training on {options.TrainCount} generated reviews, {options.Epochs} epochs, batch {options.BatchSize}"));
            var result = SentimentDemo.Run(options, new ConsoleProgress(e =>
                Console.WriteLine(string.Create(inv, $"epoch {e.Report.Epoch + 1,3}/{options.Epochs}  loss {e.Report.TrainLoss:F4}  validation loss {e.Report.ValidationLoss:F4}  validation accuracy {e.ValidationAccuracy:P1}"))));
            Console.WriteLine(string.Create(inv, $"trained in {result.TrainingTime.TotalSeconds:F1} s"));
            Console.WriteLine(string.Create(inv, $"held-out test accuracy: {result.TestAccuracy:P1} of {result.TestCount} reviews never seen in training"));
            Console.WriteLine();
            foreach (var review in result.Examples)
            {
                Console.WriteLine(string.Create(inv, $"  {review.Probability:F3} {(review.Probability > 0.5f ? "positive" : "negative")} {(review.Correct ? "  " : "x ")} \"{review.Text}\""));
            }
            return 0;
        }

        private static void PrintTable(string title, IReadOnlyList<ParameterInfo> parameters, int total)
        {
            Console.WriteLine();
            Console.WriteLine(title);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {"tensor",-20} {"shape",-12} {"count",8}"));
            foreach (var p in parameters) Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {p.Name,-20} {p.ShapeText,-12} {p.Length,8}"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {"ParameterCount",-33} {total,8}"));
        }

        private sealed class ConsoleProgress : IProgress<SentimentEpoch>
        {
            private readonly Action<SentimentEpoch> _report;

            public ConsoleProgress(Action<SentimentEpoch> report) => _report = report;

            public void Report(SentimentEpoch value) => _report(value);
        }
    }
}
