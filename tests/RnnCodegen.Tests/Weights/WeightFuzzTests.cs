using System;
using System.IO;
using System.Text;
using Xunit;
using static RnnCodegen.Tests.Weights.WeightTestUtil;

namespace RnnCodegen.Tests.Weights
{
    /// <summary>
    /// Deterministic mutation fuzzing of valid files: whatever a mutation does, a load either succeeds or throws
    /// InvalidDataException with the model unchanged; no other exception escapes.
    /// </summary>
    public class WeightFuzzTests
    {
        private const int Iterations = 1500;

        private static byte[] Mutate(byte[] valid, Random random)
        {
            byte[] data = (byte[])valid.Clone();
            int kind = random.Next(6);
            int at = random.Next(data.Length);
            const string Tokens = "[]{},:\"-+.eE0123456789 NaInfityulrsa\\\u00ff";
            switch (kind)
            {
                case 0: // flip bits
                    data[at] ^= (byte)(1 << random.Next(8));
                    return data;
                case 1: // truncate
                    return data.AsSpan(0, at).ToArray();
                case 2: // replace with a JSON-significant character
                    data[at] = (byte)Tokens[random.Next(Tokens.Length)];
                    return data;
                case 3: // delete a run
                {
                    int n = Math.Min(random.Next(1, 20), data.Length - at);
                    var result = new byte[data.Length - n];
                    Array.Copy(data, result, at);
                    Array.Copy(data, at + n, result, at, data.Length - at - n);
                    return result;
                }
                case 4: // duplicate a run
                {
                    int n = Math.Min(random.Next(1, 40), data.Length - at);
                    var result = new byte[data.Length + n];
                    Array.Copy(data, result, at + n);
                    Array.Copy(data, at, result, at + n, data.Length - at);
                    return result;
                }
                default: // several random bytes
                    for (int i = 0; i < 4; i++) data[random.Next(data.Length)] = (byte)random.Next(256);
                    return data;
            }
        }

        private static void Fuzz(FakeModel template, byte[] valid, Action<FakeModel, Stream> load, int seed)
        {
            var random = new Random(seed);
            int refused = 0;
            for (int i = 0; i < Iterations; i++)
            {
                byte[] data = Mutate(valid, random);
                var model = new FakeModel(template.Description).Randomize(i);
                float[] before = model.Snapshot();
                try
                {
                    load(model, new TrickleStream(data, 1 + i % 5));
                    Assert.Equal(1, model.SetParametersCalls);
                }
                catch (InvalidDataException)
                {
                    refused++;
                    AssertBits(before, model.Snapshot());
                    Assert.Equal(0, model.SetParametersCalls);
                }
                catch (Exception ex)
                {
                    Assert.Fail("Mutation " + i + " let " + ex.GetType().Name + " escape: " + ex.Message + "\n" + Encoding.UTF8.GetString(data));
                }
            }
            Assert.True(refused > Iterations / 3, "too few mutations were refused: " + refused);
        }

        [Fact]
        public void StateDictMutations()
        {
            var model = FakeModel.Lstm(2, 2, output: 1, vocabulary: 0).Randomize(1);
            Fuzz(model, Encoding.UTF8.GetBytes(StateDictJson(model, n => n.Replace("rnn.", "lstm.").Replace("dense.", "fc."))), (m, s) => StateDict.Load(m, s), 2);
        }

        [Fact]
        public void KerasMutations()
        {
            string json = @"{""in_shape"": [null, null, 1], ""layers"": [
 {""type"": ""gru"", ""activation"": ""tanh"", ""shape"": [null, null, 1], ""weights"": [[[0.5, -1.5, 2.0]], [[1e-3, 4.0, -6.25]], [[7.0, 8.0, 9.0], [10.0, 11.0, 12.0]]]},
 {""type"": ""dense"", ""activation"": """", ""shape"": [null, null, 1], ""weights"": [[[0.25]], [0.125]]}]}";
            Fuzz(FakeModel.Gru(1, 1, output: 1), Encoding.UTF8.GetBytes(json), (m, s) => KerasWeights.Load(m, s), 3);
        }

        [Fact]
        public void BinaryMutations()
        {
            var model = FakeModel.Rnn(2, 3, output: 1).Randomize(4);
            var stream = new MemoryStream();
            BinaryParameters.Save(model, stream);
            Fuzz(model, stream.ToArray(), (m, s) => BinaryParameters.Load(m, s), 5);
        }
    }
}
