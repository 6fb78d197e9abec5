using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Text;

namespace RnnCodegen.Samples.CharRnn
{
    /// <summary>Settings of <see cref="CharRnnDemo.Run"/>.</summary>
    public sealed class CharRnnOptions
    {
        /// <summary>Passes over the training text.</summary>
        public int Epochs { get; set; } = 10;

        /// <summary>Seed of the weights and of the sampling.</summary>
        public int Seed { get; set; } = 1;

        /// <summary>The text; null = the sonnets shipped in the sample.</summary>
        public string? Text { get; set; }

        /// <summary>Share of the text, at its end, kept out of training to measure held-out perplexity.</summary>
        public double HeldOutFraction { get; set; } = 0.1;

        /// <summary>Softmax temperature of the sampling: below 1 sharper (safer), above 1 flatter (wilder).</summary>
        public double Temperature { get; set; } = 0.6;

        /// <summary>Characters to generate.</summary>
        public int SampleLength { get; set; } = 300;

        /// <summary>The text the generation starts from.</summary>
        public string Prime { get; set; } = "shall i compare thee";
    }

    /// <summary>Perplexities after one epoch.</summary>
    public readonly record struct PerplexityReport(int Epoch, double Train, double HeldOut, TimeSpan Elapsed);

    /// <summary>What <see cref="CharRnnDemo.Run"/> measured and produced.</summary>
    public sealed class CharRnnResult
    {
        /// <summary>One report per epoch.</summary>
        public IReadOnlyList<PerplexityReport> History { get; init; } = Array.Empty<PerplexityReport>();

        /// <summary>Characters trained on and held out.</summary>
        public int TrainCharacters { get; init; }

        /// <summary>Characters held out.</summary>
        public int HeldOutCharacters { get; init; }

        /// <summary>The epoch with the lowest held-out perplexity; its weights are the ones kept (and sampled from).</summary>
        public int BestEpoch { get; init; }

        /// <summary>That perplexity.</summary>
        public double BestHeldOutPerplexity { get; init; }

        /// <summary>The perplexity of a model that knows nothing (every character equally likely) = the alphabet size.</summary>
        public double UniformPerplexity => Alphabet.Size;

        /// <summary>The perplexity of the best context-free guess (the character frequencies of the training text), on the held-out text.</summary>
        public double UnigramPerplexity { get; init; }

        /// <summary>The generated text, starting with the prime.</summary>
        public string Sample { get; init; } = "";

        /// <summary>Wall time of the training.</summary>
        public TimeSpan TrainingTime { get; init; }
    }

    /// <summary>Trains <see cref="CharLstm"/> on a text with truncated BPTT, reports perplexity, then writes new text.</summary>
    public static class CharRnnDemo
    {
        private const int Chunk = CharLstm.SequenceLength;

        /// <summary>The poems shipped with the sample (an embedded resource).</summary>
        public static string LoadSonnets()
        {
            using var stream = typeof(CharRnnDemo).Assembly.GetManifestResourceStream("sonnets.txt")
                ?? throw new InvalidOperationException("The embedded resource sonnets.txt is missing.");
            using var reader = new StreamReader(stream, Encoding.UTF8);
            return reader.ReadToEnd();
        }

        /// <summary>Trains, reports and samples.</summary>
        public static CharRnnResult Run(CharRnnOptions options, IProgress<PerplexityReport>? progress = null)
        {
            if (options is null) throw new ArgumentNullException(nameof(options));
            int[] tokens = Alphabet.Encode(options.Text ?? LoadSonnets());
            int heldOutLength = (int)(tokens.Length * options.HeldOutFraction);
            var train = tokens.AsSpan(0, tokens.Length - heldOutLength).ToArray();
            var heldOut = tokens.AsSpan(tokens.Length - heldOutLength).ToArray();

            var model = new CharLstm();
            model.InitializeParameters(options.Seed, Initialization.XavierUniform);
            var history = new List<PerplexityReport>();
            var best = new float[CharLstm.ParameterCount];
            double bestHeldOut = double.PositiveInfinity;
            int bestEpoch = -1;
            var total = Stopwatch.StartNew();
            var clock = new Stopwatch();
            for (int epoch = 0; epoch < options.Epochs; epoch++)
            {
                clock.Restart();
                // Truncated BPTT: the text is one long stream cut into chunks of 32 characters. carryState starts each chunk
                // from the state the previous one ended in (as h.detach() in PyTorch), so the model sees context across the
                // cut while the gradient stops there.
                model.ResetState();
                double lossSum = 0;
                int counted = 0;
                for (int start = 0; start + 1 < train.Length; start += Chunk)
                {
                    int n = Math.Min(Chunk, train.Length - 1 - start);
                    float loss = model.AccumulateGradients(train.AsSpan(start, n), train.AsSpan(start + 1, n), carryState: true);
                    model.ApplyGradients();
                    lossSum += loss * n; // the loss is the mean over the chunk's characters
                    counted += n;
                }
                var report = new PerplexityReport(epoch, Math.Exp(lossSum / counted), Perplexity(model, heldOut), clock.Elapsed);
                history.Add(report);
                progress?.Report(report);
                if (report.HeldOut < bestHeldOut)
                {
                    // A text this small is soon learned by heart: keep the weights that generalise best.
                    bestHeldOut = report.HeldOut;
                    bestEpoch = epoch;
                    model.CopyParameters(best);
                }
            }
            total.Stop();
            if (bestEpoch >= 0) model.SetParameters(best);

            return new CharRnnResult
            {
                History = history,
                TrainCharacters = train.Length,
                HeldOutCharacters = heldOut.Length,
                BestEpoch = bestEpoch,
                BestHeldOutPerplexity = bestHeldOut,
                UnigramPerplexity = UnigramPerplexity(train, heldOut),
                Sample = Sample(model, options.Prime, options.SampleLength, options.Temperature, new Random(options.Seed)),
                TrainingTime = total.Elapsed,
            };
        }

        /// <summary>exp(mean -log p(next character)) streaming over <paramref name="tokens"/> from a zero state.</summary>
        public static double Perplexity(CharLstm model, ReadOnlySpan<int> tokens)
        {
            Span<float> probabilities = stackalloc float[Alphabet.Size];
            double nll = 0;
            model.ResetState();
            for (int t = 0; t + 1 < tokens.Length; t++)
            {
                model.Step(tokens[t], probabilities);
                nll -= Math.Log(Math.Max(probabilities[tokens[t + 1]], 1e-12f));
            }
            return Math.Exp(nll / Math.Max(1, tokens.Length - 1));
        }

        /// <summary>The held-out perplexity of the character frequencies of the training text (add-one smoothed).</summary>
        public static double UnigramPerplexity(ReadOnlySpan<int> train, ReadOnlySpan<int> heldOut)
        {
            var counts = new double[Alphabet.Size];
            foreach (int t in train) counts[t]++;
            double nll = 0;
            for (int i = 1; i < heldOut.Length; i++) nll -= Math.Log((counts[heldOut[i]] + 1) / (train.Length + Alphabet.Size));
            return Math.Exp(nll / Math.Max(1, heldOut.Length - 1));
        }

        /// <summary>
        /// Feeds <paramref name="prime"/>, then draws each next character from the model's softmax sharpened or flattened by
        /// <paramref name="temperature"/> (p_i^(1/T), renormalised) and feeds it back.
        /// </summary>
        public static string Sample(CharLstm model, string prime, int length, double temperature, Random random)
        {
            if (temperature <= 0) throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "The temperature must be positive.");
            int[] primeTokens = Alphabet.Encode(prime);
            if (primeTokens.Length == 0) throw new ArgumentException("The prime has no character of the alphabet.", nameof(prime));
            Span<float> probabilities = stackalloc float[Alphabet.Size];
            Span<double> weights = stackalloc double[Alphabet.Size];
            var text = new StringBuilder(prime.Length + length);
            model.ResetState();
            foreach (int t in primeTokens)
            {
                text.Append(Alphabet.ToChar(t));
                model.Step(t, probabilities);
            }
            for (int i = 0; i < length; i++)
            {
                int next = Draw(probabilities, temperature, weights, random);
                text.Append(Alphabet.ToChar(next));
                model.Step(next, probabilities);
            }
            return text.ToString();
        }

        /// <summary>One draw from softmax(log p / T).</summary>
        public static int Draw(ReadOnlySpan<float> probabilities, double temperature, Span<double> weights, Random random)
        {
            // Work with log-probabilities shifted by their maximum so that small temperatures do not underflow.
            double max = double.NegativeInfinity;
            for (int i = 0; i < probabilities.Length; i++)
            {
                weights[i] = Math.Log(Math.Max(probabilities[i], 1e-30f)) / temperature;
                if (weights[i] > max) max = weights[i];
            }
            double sum = 0;
            for (int i = 0; i < probabilities.Length; i++) sum += weights[i] = Math.Exp(weights[i] - max);
            double u = random.NextDouble() * sum;
            for (int i = 0; i < probabilities.Length; i++)
            {
                u -= weights[i];
                if (u < 0) return i;
            }
            return probabilities.Length - 1;
        }
    }
}
