using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Text;
using RnnCodegen;

namespace RnnCodegen.Samples.Sentiment
{
    /// <summary>Settings of <see cref="SentimentDemo.Run"/>.</summary>
    public sealed class SentimentOptions
    {
        /// <summary>Passes over the training reviews.</summary>
        public int Epochs { get; set; } = 25;

        /// <summary>Training reviews (validation: a quarter of this; test: half of it, none of them seen in training).</summary>
        public int TrainCount { get; set; } = 2000;

        /// <summary>Reviews per optimizer step.</summary>
        public int BatchSize { get; set; } = 32;

        /// <summary>Seed of the data, the weights and the shuffling.</summary>
        public int Seed { get; set; } = 1;
    }

    /// <summary>One epoch: the trainer's report and the validation accuracy after it.</summary>
    public readonly record struct SentimentEpoch(EpochReport Report, double ValidationAccuracy);

    /// <summary>One review and what the model thinks of it.</summary>
    public readonly record struct ScoredReview(string Text, bool Positive, float Probability)
    {
        /// <summary>True when the model's side of 0.5 is the review's label.</summary>
        public bool Correct => Probability > 0.5f == Positive;
    }

    /// <summary>What <see cref="SentimentDemo.Run"/> measured.</summary>
    public sealed class SentimentResult
    {
        /// <summary>One report per epoch (training and validation loss).</summary>
        public IReadOnlyList<EpochReport> History { get; init; } = Array.Empty<EpochReport>();

        /// <summary>Accuracy on the validation reviews after each epoch.</summary>
        public IReadOnlyList<double> ValidationAccuracy { get; init; } = Array.Empty<double>();

        /// <summary>Accuracy on the held-out test reviews (none of their texts occurs in training).</summary>
        public double TestAccuracy { get; init; }

        /// <summary>Number of test reviews.</summary>
        public int TestCount { get; init; }

        /// <summary>Hand-written reviews scored by the trained model.</summary>
        public IReadOnlyList<ScoredReview> Examples { get; init; } = Array.Empty<ScoredReview>();

        /// <summary>Wall time of the training.</summary>
        public TimeSpan TrainingTime { get; init; }
    }

    /// <summary>Generates movie reviews with a known sentiment, trains <see cref="SentimentRnn"/> and scores it.</summary>
    public static class SentimentDemo
    {
        /// <summary>Tokens per review after padding (the longest review the generator writes has 19).</summary>
        public const int MaxTokens = 20;

        /// <summary>Reviews to show the trained model: negation and "but" are what a bag of words gets wrong.</summary>
        public static readonly (string Text, bool Positive)[] HandWritten =
        {
            ("the acting was great", true),
            ("the acting was not great", false),
            ("honestly the plot was never boring", true),
            ("the music was beautiful but the script was so predictable", false),
            ("the script was predictable but the cast was truly charming", true),
            ("i thought this film was hardly funny at times", false),
        };

        /// <summary>Generates the data, trains and evaluates.</summary>
        public static SentimentResult Run(SentimentOptions options, IProgress<SentimentEpoch>? progress = null)
        {
            if (options is null) throw new ArgumentNullException(nameof(options));
            var random = new Random(options.Seed);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var train = Generate(options.TrainCount, random, seen, exclude: null);
            var validation = Generate(Math.Max(1, options.TrainCount / 4), random, seen: null, exclude: seen);
            var test = Generate(Math.Max(1, options.TrainCount / 2), random, seen: null, exclude: seen);

            var model = new SentimentRnn();
            model.InitializeParameters(options.Seed, Initialization.XavierUniform);
            var trainer = new Trainer<int, float>(model, new TrainerOptions { Epochs = options.Epochs, BatchSize = options.BatchSize, Seed = options.Seed, MaxWorkers = 0 });
            var accuracy = new List<double>();
            var clock = Stopwatch.StartNew();
            // The trainer reports after every epoch on this thread, with the model holding that epoch's weights, so the
            // callback can measure the validation accuracy as Keras' metrics=['acc'] would.
            var fit = trainer.Fit(train, validation, new Callback(report =>
            {
                accuracy.Add(Accuracy(model, validation));
                progress?.Report(new SentimentEpoch(report, accuracy[accuracy.Count - 1]));
            }));
            clock.Stop();

            var examples = new List<ScoredReview>();
            foreach (var (text, positive) in HandWritten) examples.Add(new ScoredReview(text, positive, Predict(model, text)));
            return new SentimentResult
            {
                History = fit.History,
                ValidationAccuracy = accuracy,
                TestAccuracy = Accuracy(model, test),
                TestCount = test.Count,
                Examples = examples,
                TrainingTime = clock.Elapsed,
            };
        }

        private sealed class Callback : IProgress<EpochReport>
        {
            private readonly Action<EpochReport> _report;

            public Callback(Action<EpochReport> report) => _report = report;

            public void Report(EpochReport value) => _report(value);
        }

        /// <summary>The probability that <paramref name="text"/> is positive.</summary>
        public static float Predict(SentimentRnn model, string text)
        {
            Span<int> tokens = stackalloc int[MaxTokens];
            Pad(Words.Tokenize(text), tokens);
            Span<float> output = stackalloc float[1];
            model.Forward(tokens, output);
            return output[0];
        }

        /// <summary>Share of <paramref name="data"/> on the right side of 0.5.</summary>
        public static double Accuracy(SentimentRnn model, SequenceDataset<int, float> data)
        {
            Span<float> output = stackalloc float[1];
            int correct = 0;
            for (int i = 0; i < data.Count; i++)
            {
                model.Forward(data.Inputs.AsSpan(i * MaxTokens, MaxTokens), output);
                if (output[0] > 0.5f == data.Targets[i] > 0.5f) correct++;
            }
            return (double)correct / data.Count;
        }

        /// <summary>Right-aligns <paramref name="tokens"/> in <paramref name="padded"/> with <see cref="Words.Pad"/> in front (Keras' default 'pre' padding: the last token is next to the output).</summary>
        public static void Pad(ReadOnlySpan<int> tokens, Span<int> padded)
        {
            if (tokens.Length > padded.Length) tokens = tokens.Slice(tokens.Length - padded.Length);
            padded.Slice(0, padded.Length - tokens.Length).Fill(Words.Pad);
            tokens.CopyTo(padded.Slice(padded.Length - tokens.Length));
        }

        /// <summary>
        /// <paramref name="count"/> distinct reviews with labels; texts in <paramref name="exclude"/> are skipped, new ones
        /// are added to <paramref name="seen"/>.
        /// </summary>
        public static SequenceDataset<int, float> Generate(int count, Random random, HashSet<string>? seen, HashSet<string>? exclude)
        {
            var inputs = new int[count * MaxTokens];
            var targets = new float[count];
            var made = new HashSet<string>(StringComparer.Ordinal);
            for (int i = 0; i < count;)
            {
                var (text, positive) = Review(random);
                if (exclude is not null && exclude.Contains(text)) continue;
                if (!made.Add(text)) continue;
                seen?.Add(text);
                Pad(Words.Tokenize(text), inputs.AsSpan(i * MaxTokens, MaxTokens));
                targets[i] = positive ? 1f : 0f;
                i++;
            }
            return new SequenceDataset<int, float>(inputs, targets, count);
        }

        /// <summary>
        /// One review: one clause, or two joined by "and" (same sentiment) or "but" (opposite: the second one decides);
        /// a clause may negate its sentiment word ("not good" is negative, "never boring" positive).
        /// </summary>
        public static (string Text, bool Positive) Review(Random random)
        {
            var text = new StringBuilder();
            string[] prefixes = { "", "", "i thought", "overall", "honestly" };
            string[] suffixes = { "", "", "", "at times", "in the end", "from start to finish" };
            Append(text, prefixes[random.Next(prefixes.Length)]);
            bool positive = random.Next(2) == 0;
            if (random.Next(2) == 0)
            {
                Clause(text, positive, random);
            }
            else if (random.Next(2) == 0)
            {
                Clause(text, positive, random);
                Append(text, "and");
                Clause(text, positive, random);
            }
            else
            {
                Clause(text, !positive, random);
                Append(text, "but");
                Clause(text, positive, random);
            }
            Append(text, suffixes[random.Next(suffixes.Length)]);
            return (text.ToString(), positive);
        }

        private static void Clause(StringBuilder text, bool positive, Random random)
        {
            string[] verbs = { "was", "is", "felt" };
            Append(text, Words.Subjects[random.Next(Words.Subjects.Length)]);
            Append(text, verbs[random.Next(verbs.Length)]);
            bool negated = random.Next(3) == 0;
            if (negated) Append(text, Words.Negators[random.Next(Words.Negators.Length)]);
            if (random.Next(3) == 0) Append(text, Words.Intensifiers[random.Next(Words.Intensifiers.Length)]);
            string[] list = positive != negated ? Words.Positive : Words.Negative;
            Append(text, list[random.Next(list.Length)]);
        }

        private static void Append(StringBuilder text, string words)
        {
            if (words.Length == 0) return;
            if (text.Length > 0) text.Append(' ');
            text.Append(words);
        }
    }
}
