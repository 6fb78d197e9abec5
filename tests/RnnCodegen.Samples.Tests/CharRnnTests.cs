using System;
using System.Collections.Generic;
using RnnCodegen.Samples.CharRnn;
using Xunit;
using Xunit.Abstractions;

namespace RnnCodegen.Samples.Tests
{
    public class CharRnnTests
    {
        private readonly ITestOutputHelper _output;

        public CharRnnTests(ITestOutputHelper output) => _output = output;

        [Fact]
        public void PerplexityFallsFarBelowTheUniformModel()
        {
            var result = CharRnnDemo.Run(new CharRnnOptions { Epochs = 3, Seed = 1, SampleLength = 80 });
            foreach (var r in result.History) _output.WriteLine($"epoch {r.Epoch + 1}: train {r.Train:F2} held-out {r.HeldOut:F2}");
            _output.WriteLine($"unigram {result.UnigramPerplexity:F2}; sample: {result.Sample}");
            for (int e = 1; e < result.History.Count; e++) Assert.True(result.History[e].Train < result.History[e - 1].Train, "training perplexity rose");
            var last = result.History[result.History.Count - 1];
            // Uniform guessing scores 36 (the alphabet size); the character frequencies alone score about 19.5.
            Assert.True(last.Train < Alphabet.Size / 3.0, $"training perplexity {last.Train}");
            Assert.True(result.BestHeldOutPerplexity < Alphabet.Size / 3.0, $"held-out perplexity {result.BestHeldOutPerplexity}");
            Assert.True(result.BestHeldOutPerplexity < result.UnigramPerplexity * 0.6, $"held-out {result.BestHeldOutPerplexity} vs unigram {result.UnigramPerplexity}");

            Assert.StartsWith("shall i compare thee", result.Sample, StringComparison.Ordinal);
            Assert.Equal("shall i compare thee".Length + 80, result.Sample.Length);
            Assert.All(result.Sample, c => Assert.True(Alphabet.ToToken(c) >= 0));
        }

        [Fact]
        public void TheAlphabetMatchesTheModelsVocabulary()
        {
            Assert.Equal(Alphabet.Size, Alphabet.Characters.Length);
            Assert.Equal(Alphabet.Size, CharLstm.VocabularySize);
            Assert.Equal(Alphabet.Size, new HashSet<char>(Alphabet.Characters).Count);
            // Every character of the shipped text is in the alphabet (only the line ends' \r could be dropped).
            string text = CharRnnDemo.LoadSonnets().Replace("\r", "", StringComparison.Ordinal);
            Assert.Equal(text.Length, Alphabet.Encode(text).Length);
            Assert.True(text.Length > 10_000);
        }

        [Fact]
        public void SamplingFollowsTheTemperature()
        {
            var probabilities = new float[Alphabet.Size];
            probabilities[3] = 0.7f;
            probabilities[5] = 0.3f;
            var weights = new double[Alphabet.Size];
            var random = new Random(1);
            int threes = 0, n = 4000;
            for (int i = 0; i < n; i++) if (CharRnnDemo.Draw(probabilities, 1.0, weights, random) == 3) threes++;
            Assert.InRange(threes / (double)n, 0.67, 0.73);
            // T = 0.5 squares the odds: 0.49 / (0.49 + 0.09) = 0.845.
            threes = 0;
            for (int i = 0; i < n; i++) if (CharRnnDemo.Draw(probabilities, 0.5, weights, random) == 3) threes++;
            Assert.InRange(threes / (double)n, 0.82, 0.87);
            // A tiny temperature is argmax and does not overflow.
            Assert.Equal(3, CharRnnDemo.Draw(probabilities, 1e-4, weights, random));
        }
    }
}
