using System;
using RnnCodegen.Tests.Models;
using Xunit;

namespace RnnCodegen.Tests
{
    /// <summary>Inputs and settings at the edges of float, against PyTorch (TorchSharp-cpu 0.107.0, float32).</summary>
    public class NumericEdgeTests
    {
        [Fact]
        public void EpsilonZeroIsRefusedBecauseAdamAndRmsPropWouldTurnParametersWithoutGradientIntoNaN()
        {
            // With eps = 0, a parameter whose gradients have all been 0 (here the embedding rows of tokens not in the data)
            // gets 0 / (sqrt(0) + 0) = NaN, in PyTorch too. The smallest positive epsilon leaves such a parameter exactly as it was.
            var model = new TokenSentimentRnn();
            var e = Assert.Throws<ArgumentOutOfRangeException>(() => model.Epsilon = 0f);
            Assert.StartsWith("Epsilon must be a finite number > 0.", e.Message);
            Assert.Throws<ArgumentOutOfRangeException>(() => model.Epsilon = -0f);
            Assert.Equal(1e-8f, model.Epsilon);
            Assert.Throws<ArgumentOutOfRangeException>(() => new LstmRmsProp().Epsilon = 0f);

            model.Epsilon = float.Epsilon;
            var embedding = new float[12 * 4];
            model.CopyParameter("embedding.weight", embedding);
            for (int i = 0; i < 3; i++) model.TrainStep(new[] { 1, 2, 3, 2 }, new[] { 1f });
            var after = new float[12 * 4];
            model.CopyParameter("embedding.weight", after);
            Assert.All(after, v => Assert.True(float.IsFinite(v)));
            // Rows 0 and 4..11 never had a gradient: unchanged bit for bit; rows 1..3 moved.
            for (int row = 0; row < 12; row++)
            {
                bool used = row >= 1 && row <= 3;
                bool same = embedding.AsSpan(row * 4, 4).SequenceEqual(after.AsSpan(row * 4, 4));
                Assert.True(used != same, $"embedding row {row}: used {used}, unchanged {same}");
            }
        }
    }
}
