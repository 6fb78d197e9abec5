using System;
using System.Collections.Generic;
using System.Diagnostics;

namespace RnnCodegen.Samples.BinaryAddition
{
    /// <summary>Settings of <see cref="BinaryAdditionDemo.Run"/>.</summary>
    public sealed class BinaryAdditionOptions
    {
        /// <summary>Training sums, one optimizer step each (as the classic tutorial).</summary>
        public int TrainingSteps { get; set; } = 5000;

        /// <summary>Seed of the weights, of the held-out split and of the order of the training sums.</summary>
        public int Seed { get; set; } = 1;

        /// <summary>Share of all 128 x 128 pairs (a, b) that training never sees and accuracy is measured on.</summary>
        public double HeldOutFraction { get; set; } = 0.2;

        /// <summary>Steps between two entries of <see cref="BinaryAdditionResult.LossLog"/>.</summary>
        public int LogEvery { get; set; } = 500;
    }

    /// <summary>One sum the model worked out.</summary>
    public readonly record struct WorkedSum(int A, int B, int Predicted)
    {
        /// <summary>True when the model's 8 bits are a + b.</summary>
        public bool Correct => Predicted == A + B;
    }

    /// <summary>What <see cref="BinaryAdditionDemo.Run"/> measured.</summary>
    public sealed class BinaryAdditionResult
    {
        /// <summary>Mean training loss of each logging interval: (steps done, mean BCE).</summary>
        public IReadOnlyList<(int Step, double Loss)> LossLog { get; init; } = Array.Empty<(int, double)>();

        /// <summary>Held-out pairs.</summary>
        public int HeldOutCount { get; init; }

        /// <summary>Held-out pairs whose 8 predicted bits are all right.</summary>
        public int HeldOutCorrect { get; init; }

        /// <summary>HeldOutCorrect / HeldOutCount.</summary>
        public double Accuracy => (double)HeldOutCorrect / HeldOutCount;

        /// <summary>The first few held-out sums, for printing.</summary>
        public IReadOnlyList<WorkedSum> Examples { get; init; } = Array.Empty<WorkedSum>();

        /// <summary>Wall time of the training.</summary>
        public TimeSpan TrainingTime { get; init; }
    }

    /// <summary>Trains <see cref="BinaryAdder"/> on 8-bit sums and scores it on pairs it never saw.</summary>
    public static class BinaryAdditionDemo
    {
        /// <summary>Operands are 0..127, so every sum fits in 8 bits.</summary>
        public const int Largest = 128;

        /// <summary>Bits per number and time steps per sequence.</summary>
        public const int Bits = BinaryAdder.SequenceLength;

        /// <summary>Trains and evaluates.</summary>
        public static BinaryAdditionResult Run(BinaryAdditionOptions options)
        {
            if (options is null) throw new ArgumentNullException(nameof(options));
            var random = new Random(options.Seed);

            // Split all pairs once: the held-out ones are never trained on.
            var pairs = new (int A, int B)[Largest * Largest];
            for (int a = 0; a < Largest; a++) for (int b = 0; b < Largest; b++) pairs[a * Largest + b] = (a, b);
            random.Shuffle(pairs);
            int heldOut = (int)(pairs.Length * options.HeldOutFraction);
            var test = pairs.AsSpan(0, heldOut);
            var train = pairs.AsSpan(heldOut);

            var model = new BinaryAdder();
            model.InitializeParameters(options.Seed, RnnCodegen.Initialization.PyTorchDefault);
            var inputs = new float[Bits * BinaryAdder.InputSize];
            var targets = new float[Bits];
            var log = new List<(int, double)>();
            double lossSum = 0;
            int logged = 0;
            var clock = Stopwatch.StartNew();
            for (int step = 1; step <= options.TrainingSteps; step++)
            {
                var (a, b) = train[random.Next(train.Length)];
                Encode(a, b, inputs, targets);
                lossSum += model.TrainStep(inputs, targets);
                if (step % options.LogEvery == 0 || step == options.TrainingSteps)
                {
                    log.Add((step, lossSum / (step - logged)));
                    lossSum = 0;
                    logged = step;
                }
            }
            clock.Stop();

            var outputs = new float[Bits];
            var examples = new List<WorkedSum>();
            int correct = 0;
            foreach (var (a, b) in test)
            {
                Encode(a, b, inputs, targets);
                model.Forward(inputs, outputs);
                int predicted = Decode(outputs);
                if (predicted == a + b) correct++;
                if (examples.Count < 5) examples.Add(new WorkedSum(a, b, predicted));
            }
            return new BinaryAdditionResult { LossLog = log, HeldOutCount = test.Length, HeldOutCorrect = correct, Examples = examples, TrainingTime = clock.Elapsed };
        }

        /// <summary>Step t gets (bit t of a, bit t of b) and the target bit t of a + b, least significant bit first.</summary>
        public static void Encode(int a, int b, Span<float> inputs, Span<float> targets)
        {
            int sum = a + b;
            for (int t = 0; t < Bits; t++)
            {
                inputs[2 * t] = (a >> t) & 1;
                inputs[2 * t + 1] = (b >> t) & 1;
                targets[t] = (sum >> t) & 1;
            }
        }

        /// <summary>Reads the sum back: bit t is set where the output of step t is above 0.5.</summary>
        public static int Decode(ReadOnlySpan<float> outputs)
        {
            int value = 0;
            for (int t = 0; t < Bits; t++) if (outputs[t] > 0.5f) value |= 1 << t;
            return value;
        }

        /// <summary>The 8 bits of <paramref name="value"/>, most significant first.</summary>
        public static string ToBits(int value) => Convert.ToString(value, 2).PadLeft(Bits, '0');
    }
}
