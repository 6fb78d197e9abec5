using System;
using System.Diagnostics;
using System.IO;

namespace RnnCodegen.Samples.RealtimeAot
{
    /// <summary>Settings of <see cref="RealtimeDemo.Run"/>.</summary>
    public sealed class RealtimeOptions
    {
        /// <summary>Samples per call, as an audio callback's buffer.</summary>
        public int BlockSize { get; set; } = 64;

        /// <summary>Blocks processed in the measured run (2000 x 64 = 128000 samples, 2.7 s of 48 kHz audio).</summary>
        public int Blocks { get; set; } = 2000;

        /// <summary>A state_dict JSON file to load instead of the shipped weights.</summary>
        public string? WeightsPath { get; set; }
    }

    /// <summary>What <see cref="RealtimeDemo.Run"/> measured.</summary>
    public sealed class RealtimeResult
    {
        /// <summary>Samples processed in the measured run.</summary>
        public int Steps { get; init; }

        /// <summary>The first outputs of the measured run (deterministic).</summary>
        public float[] FirstOutputs { get; init; } = Array.Empty<float>();

        /// <summary>Sum of every output of the measured run, in double (deterministic).</summary>
        public double Checksum { get; init; }

        /// <summary>Largest |output| of the measured run.</summary>
        public float MaxAbsOutput { get; init; }

        /// <summary>Garbage collections of generation 0, 1 and 2 during the measured run.</summary>
        public int Gen0Collections { get; init; }

        /// <inheritdoc cref="Gen0Collections"/>
        public int Gen1Collections { get; init; }

        /// <inheritdoc cref="Gen0Collections"/>
        public int Gen2Collections { get; init; }

        /// <summary>Bytes allocated on the processing thread during the measured run.</summary>
        public long AllocatedBytes { get; init; }

        /// <summary>Wall time per sample of the measured run (machine-dependent).</summary>
        public double NanosecondsPerStep { get; init; }

        /// <summary>Largest |ours - PyTorch| over the 12 steps of the fixture the weights come from.</summary>
        public double PyTorchMaxError { get; init; }
    }

    /// <summary>Streams a test tone through the LSTM block by block and measures time, collections and allocations.</summary>
    public static class RealtimeDemo
    {
        /// <summary>Sample rate of the test tone.</summary>
        public const int SampleRate = 48000;

        /// <summary>
        /// Inputs and PyTorch's outputs of the fixture the shipped weights were taken from
        /// (tests/RnnCodegen.Tests/Fixtures/inference/lstm_i1_h32_l1_o1_identity_sequence.json, computed in float64 by
        /// TorchSharp's nn.LSTM + nn.Linear): a start-up self-check that the weights were loaded right.
        /// </summary>
        public static readonly float[] PyTorchInputs =
        {
            -1.3335179090499878f, 1.070045828819275f, -0.18092915415763855f, 0.3472464084625244f, 0.789110004901886f, -0.688857913017273f,
            -1.4874218702316284f, -0.8703265190124512f, 1.0550882816314697f, -1.8968706130981445f, -1.4610227346420288f, 1.2863820791244507f,
        };

        /// <inheritdoc cref="PyTorchInputs"/>
        public static readonly double[] PyTorchOutputs =
        {
            0.10852993333931976, 0.11822987501190876, 0.11864669615913612, 0.12299709518770686, 0.12802915494002332, 0.12029601492862632,
            0.10949825676773485, 0.1091445291399292, 0.11934645986607814, 0.10177748234795496, 0.10023607633151929, 0.11468012434567795,
        };

        /// <summary>Loads the weights and runs the measured stream.</summary>
        public static RealtimeResult Run(RealtimeOptions options)
        {
            if (options is null) throw new ArgumentNullException(nameof(options));
            if (options.BlockSize < 1 || options.Blocks < 1) throw new ArgumentOutOfRangeException(nameof(options), "BlockSize and Blocks must be at least 1.");
            StreamingLstm lstm;
            using (Stream weights = options.WeightsPath is null ? StreamingLstm.OpenShippedWeights() : File.OpenRead(options.WeightsPath))
            {
                lstm = new StreamingLstm(weights);
            }

            // Self-check against PyTorch, then back to the zero state.
            var check = new float[PyTorchInputs.Length];
            lstm.ProcessBlock(PyTorchInputs, check);
            double maxError = 0;
            for (int i = 0; i < check.Length; i++) maxError = Math.Max(maxError, Math.Abs(check[i] - PyTorchOutputs[i]));

            // The host's audio: a 220 Hz tone with a 3 Hz tremolo, as the buffers an audio callback would receive.
            int steps = options.BlockSize * options.Blocks;
            var input = new float[steps];
            var output = new float[steps];
            for (int n = 0; n < steps; n++)
            {
                double t = (double)n / SampleRate;
                input[n] = (float)((0.6 + 0.3 * Math.Sin(2 * Math.PI * 3 * t)) * Math.Sin(2 * Math.PI * 220 * t));
            }

            // Warm up for half a second, then start from zero. The JIT first runs unoptimised code and swaps in the optimised
            // version from a background thread after about 100 ms of calls (tiered compilation): a shorter warm-up measured
            // mostly the unoptimised code, 4-5 times slower. NativeAOT has nothing to warm up.
            long warmUntil = Stopwatch.GetTimestamp() + Stopwatch.Frequency / 2;
            for (int b = 0; b < 200 || Stopwatch.GetTimestamp() < warmUntil; b++)
            {
                int block = b % options.Blocks;
                lstm.ProcessBlock(input.AsSpan(block * options.BlockSize, options.BlockSize), output.AsSpan(block * options.BlockSize, options.BlockSize));
            }
            lstm.Reset();

            int gen0 = GC.CollectionCount(0), gen1 = GC.CollectionCount(1), gen2 = GC.CollectionCount(2);
            long allocated = GC.GetAllocatedBytesForCurrentThread();
            long start = Stopwatch.GetTimestamp();
            for (int b = 0; b < options.Blocks; b++)
            {
                lstm.ProcessBlock(input.AsSpan(b * options.BlockSize, options.BlockSize), output.AsSpan(b * options.BlockSize, options.BlockSize));
            }
            long stop = Stopwatch.GetTimestamp();
            allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
            gen0 = GC.CollectionCount(0) - gen0;
            gen1 = GC.CollectionCount(1) - gen1;
            gen2 = GC.CollectionCount(2) - gen2;

            double sum = 0;
            float maxAbs = 0;
            foreach (float y in output)
            {
                sum += y;
                maxAbs = Math.Max(maxAbs, Math.Abs(y));
            }
            return new RealtimeResult
            {
                Steps = steps,
                FirstOutputs = output.AsSpan(0, Math.Min(8, steps)).ToArray(),
                Checksum = sum,
                MaxAbsOutput = maxAbs,
                Gen0Collections = gen0,
                Gen1Collections = gen1,
                Gen2Collections = gen2,
                AllocatedBytes = allocated,
                NanosecondsPerStep = (stop - start) * 1e9 / Stopwatch.Frequency / steps,
                PyTorchMaxError = maxError,
            };
        }
    }
}
