using System;
using System.IO;
using System.Text.Json;
using RnnCodegen.Samples.RealtimeAot;
using Xunit;

namespace RnnCodegen.Samples.Tests
{
    public class RealtimeAotTests
    {
        private static JsonElement Fixture()
        {
            string path = Path.Combine(AppContext.BaseDirectory, "Fixtures", "lstm_i1_h32_l1_o1_identity_sequence.json");
            using var document = JsonDocument.Parse(File.ReadAllText(path));
            return document.RootElement.Clone();
        }

        private static float[] Floats(JsonElement array)
        {
            var values = new float[array.GetArrayLength()];
            int i = 0;
            foreach (var v in array.EnumerateArray()) values[i++] = (float)v.GetDouble();
            return values;
        }

        [Fact]
        public void TheShippedWeightsAreTheFixturesStateDict()
        {
            using var shipped = JsonDocument.Parse(StreamingLstm.OpenShippedWeights());
            Assert.True(JsonElement.DeepEquals(Fixture().GetProperty("stateDict"), shipped.RootElement));
        }

        [Fact]
        public void StreamingMatchesPyTorchAcrossBlockBoundaries()
        {
            var fixture = Fixture();
            float[] inputs = Floats(fixture.GetProperty("inputs"));
            float[] expected = Floats(fixture.GetProperty("outputs"));
            using var weights = StreamingLstm.OpenShippedWeights();
            var lstm = new StreamingLstm(weights);
            foreach (int split in new[] { 12, 5, 1 })
            {
                lstm.Reset();
                var outputs = new float[inputs.Length];
                for (int start = 0; start < inputs.Length; start += split)
                {
                    int n = Math.Min(split, inputs.Length - start);
                    lstm.ProcessBlock(inputs.AsSpan(start, n), outputs.AsSpan(start, n));
                }
                double maxError = 0;
                for (int i = 0; i < outputs.Length; i++) maxError = Math.Max(maxError, Math.Abs(outputs[i] - expected[i]));
                Assert.True(maxError <= 1e-5, $"blocks of {split}: max |error| {maxError}");
            }
            // The sample's own copy of the fixture's numbers is the same.
            Assert.Equal(inputs, RealtimeDemo.PyTorchInputs);
            Assert.Equal(expected, Array.ConvertAll(RealtimeDemo.PyTorchOutputs, v => (float)v));
        }

        [Fact]
        public void ProcessingABlockAllocatesNothing()
        {
            using var weights = StreamingLstm.OpenShippedWeights();
            var lstm = new StreamingLstm(weights);
            var input = new float[64];
            var output = new float[64];
            for (int i = 0; i < input.Length; i++) input[i] = MathF.Sin(i * 0.1f);
            for (int i = 0; i < 50; i++) lstm.ProcessBlock(input, output); // warm up the JIT
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 100; i++) lstm.ProcessBlock(input, output);
            Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        [Fact]
        public void TheDemoReportsNoAllocationNoCollectionAndADeterministicChecksum()
        {
            var a = RealtimeDemo.Run(new RealtimeOptions { BlockSize = 32, Blocks = 100 });
            Assert.Equal(3200, a.Steps);
            Assert.Equal(0, a.AllocatedBytes);
            Assert.Equal(0, a.Gen0Collections + a.Gen1Collections + a.Gen2Collections);
            Assert.True(a.PyTorchMaxError <= 1e-5, $"self-check error {a.PyTorchMaxError}");
            Assert.True(a.NanosecondsPerStep > 0);
            var b = RealtimeDemo.Run(new RealtimeOptions { BlockSize = 64, Blocks = 50 });
            // Same samples, other block size: the state is carried, so the stream is the same.
            Assert.Equal(a.Checksum, b.Checksum);
            Assert.Equal(a.FirstOutputs, b.FirstOutputs);
        }
    }
}
