using System;
using System.Linq;
using RnnCodegen.Tests.Models;
using Xunit;

namespace RnnCodegen.Tests.Models
{
    /// <summary>One unit carries the input (tanh(x) chosen per step), the head scales it by 1000: logits of ±200, 30, 89.5, -104, 500.</summary>
    [RnnModel(Input = 1, Hidden = 2, Output = 1, OutputActivation = OutputActivation.Sigmoid, Loss = Loss.BinaryCrossEntropy, SequenceLength = 6, Optimizer = Optimizer.Sgd, LearningRate = 0.1)]
    public partial class SaturatedBce { }
}

namespace RnnCodegen.Tests
{
    /// <summary>Inputs and settings at the edges of float, against PyTorch (TorchSharp-cpu 0.107.0, float32).</summary>
    public class NumericEdgeTests
    {
        private static float[] Gradient(SaturatedBce model, string name, int length)
        {
            var g = new float[length];
            model.CopyGradient(name, g);
            return g;
        }

        private static void Near(float expected, float actual, string what)
        {
            Assert.True(Math.Abs(actual - expected) <= 2e-6 * Math.Abs(expected) + 1e-7, $"{what}: {actual:R}, expected {expected:R}");
        }

        [Fact]
        public void BinaryCrossEntropyOnSaturatedLogitsIsBceWithLogitsNotClampedBceOnTheSigmoid()
        {
            // sigmoid(z) is exactly 0 or 1 in float for these logits. PyTorch's BCEWithLogitsLoss gives loss 158.7 and
            // d loss / d z = (sigmoid(z) - t) / 6; nn.BCELoss on the sigmoid output clamps log at -100 and gives 66.666664
            // with every gradient 0 (sigmoid'(z) is 0 in float). The expected values are BCEWithLogitsLoss's in float32.
            var model = new SaturatedBce();
            model.SetParameter("rnn.weight_ih_l0", new[] { 1f, 0.5f });
            model.SetParameter("rnn.weight_hh_l0", new float[4]);
            model.SetParameter("rnn.bias_ih_l0", new float[2]);
            model.SetParameter("rnn.bias_hh_l0", new float[2]);
            model.SetParameter("dense.weight", new[] { 1000f, 0f });
            model.SetParameter("dense.bias", new[] { 0f });
            float[] inputs = new[] { 0.2f, -0.2f, 0.03f, 0.0895f, -0.104f, 0.5f }.Select(h => (float)Math.Atanh(h)).ToArray();
            float[] targets = { 0f, 1f, 0.3f, 1f, 0.3f, 0f };

            Near(158.7f, model.AccumulateGradients(inputs, targets), "loss");
            // dense.bias: (1 - 0 + 0 - 1 + 1 - 0.3 + 1 - 1 + 0 - 0.3 + 1 - 0) / 6 = 0.2333...
            Near(0.23333335f, Gradient(model, "dense.bias", 1)[0], "dense.bias");
            float[] w = Gradient(model, "dense.weight", 2);
            Near(0.1587f, w[0], "dense.weight[0]");
            Near(0.08268917f, w[1], "dense.weight[1]");
            float[] wih = Gradient(model, "rnn.weight_ih_l0", 2);
            Near(142.19801f, wih[0], "rnn.weight_ih_l0[0]");
            Assert.Equal(0f, wih[1]);
            Near(192.10248f, Gradient(model, "rnn.bias_ih_l0", 2)[0], "rnn.bias_ih_l0[0]");
        }

        [Fact]
        public void BinaryCrossEntropyTargetsOutsideZeroOneAreRefusedAndNothingChanges()
        {
            // BCEWithLogitsLoss accepts a target of 2 and its loss then has no minimum: training pushes the logits to
            // infinity. nn.BCELoss refuses it ("all elements of target should be between 0 and 1"); so do the generated models.
            var model = new TrainReluRnnBce();
            float[] inputs = InferenceTests.RandomInputs(2 * 5, 3);
            var before = new float[TrainReluRnnBce.ParameterCount];
            model.CopyParameters(before);
            foreach (float bad in new[] { 2f, -1f, 1.0000001f, -1e-45f, float.MaxValue })
            {
                var e = Assert.Throws<ArgumentException>(() => model.AccumulateGradients(inputs, new[] { bad }));
                Assert.Equal("targets", e.ParamName);
                Assert.StartsWith("targets: binary cross-entropy needs every target in [0, 1], got " + bad.ToString("R", System.Globalization.CultureInfo.InvariantCulture) + " at position 0.", e.Message);
                Assert.Throws<ArgumentException>(() => model.ComputeLoss(inputs, new[] { bad }));
                Assert.Throws<ArgumentException>(() => model.TrainStep(inputs, new[] { bad }));
                // In a batch, the second sequence's bad target is found before the first one is accumulated.
                var e2 = Assert.Throws<ArgumentException>(() => model.AccumulateBatch(inputs.Concat(inputs).ToArray(), new[] { 0.5f, bad }, 2, 1));
                Assert.Contains("at position 0", e2.Message);
            }
            var gradient = new float[5];
            model.CopyGradient("dense.weight", gradient);
            Assert.All(gradient, g => Assert.Equal(0f, g));
            var after = new float[TrainReluRnnBce.ParameterCount];
            model.CopyParameters(after);
            Assert.Equal(before, after);

            // The ends and -0 are targets; soft labels in between too.
            foreach (float good in new[] { 0f, -0f, 1f, 0.3f, 1e-45f })
                Assert.True(float.IsFinite(model.ComputeLoss(inputs, new[] { good })));

            var tokens = new TokenSentimentRnn();
            var te = Assert.Throws<ArgumentException>(() => tokens.AccumulateGradients(new[] { 1, 2, 3 }, new[] { 1.5f }));
            Assert.StartsWith("targets: binary cross-entropy needs every target in [0, 1], got 1.5 at position 0.", te.Message);
        }

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
