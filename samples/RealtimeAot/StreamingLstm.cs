using System;
using System.IO;
using RnnCodegen;

namespace RnnCodegen.Samples.RealtimeAot
{
    /// <summary>
    /// What a game or audio engine holds: the model loaded once, then called from the real-time thread with one block of
    /// samples at a time. <see cref="ProcessBlock"/> allocates nothing, takes no lock and makes no virtual call, so it cannot
    /// cause a GC pause.
    /// </summary>
    public sealed class StreamingLstm
    {
        /// <summary>Name of the weights embedded in the assembly.</summary>
        public const string ShippedWeights = "sine_lstm.state_dict.json";

        private readonly SineLstm _model = new SineLstm();

        /// <summary>Loads a PyTorch state_dict JSON (UTF-8) for an LSTM(1, 32) + Linear(32, 1).</summary>
        public StreamingLstm(Stream stateDictJson)
        {
            // Utf8JsonReader underneath: no reflection, fine under NativeAOT and trimming. A file for another shape throws
            // InvalidDataException naming the tensor and the expected shape.
            _model.LoadStateDict(stateDictJson);
        }

        /// <summary>The weights shipped with the sample (an embedded resource).</summary>
        public static Stream OpenShippedWeights() =>
            typeof(StreamingLstm).Assembly.GetManifestResourceStream(ShippedWeights)
            ?? throw new InvalidOperationException("The embedded resource " + ShippedWeights + " is missing.");

        /// <summary>The arithmetic path the generated code runs on: "Vector512", "Vector256", "Vector128" or "Scalar".</summary>
        public static string SimdPath => SineLstm.SimdPath;

        /// <summary>Parameters loaded.</summary>
        public static int ParameterCount => SineLstm.ParameterCount;

        /// <summary>Runs the network over one block, sample by sample, carrying the state into the next block.</summary>
        public void ProcessBlock(ReadOnlySpan<float> input, Span<float> output)
        {
            if (output.Length < input.Length) throw new ArgumentException("output is shorter than input.", nameof(output));
            for (int i = 0; i < input.Length; i++) output[i] = _model.Step(input[i]);
        }

        /// <summary>Back to the zero state (e.g. when playback restarts).</summary>
        public void Reset() => _model.ResetState();
    }
}
