using System;
using System.Collections.Generic;
using System.Linq;
using RnnCodegen.Tests.Models;
using Xunit;

namespace RnnCodegen.Tests
{
    /// <summary>
    /// BPTT against central finite differences of the double-precision reference's loss (step 1e-5 in double: truncation
    /// error ~1e-10, rounding ~1e-11), so the only real error is the float model's own rounding: tolerance 2e-4 relative + 2e-5 absolute.
    /// </summary>
    public class GradientCheckTests
    {
        private static double Loss(ModelDescription d, List<double[]> outputs, float[] targets, int[]? classes, Loss loss)
        {
            double sum = 0;
            int n = 0;
            for (int r = 0; r < outputs.Count; r++)
            {
                for (int i = 0; i < outputs[r].Length; i++)
                {
                    double y = outputs[r][i];
                    switch (loss)
                    {
                        case RnnCodegen.Loss.MeanSquaredError: { double e = y - targets[n]; sum += e * e; break; }
                        case RnnCodegen.Loss.BinaryCrossEntropy: { double t = targets[n]; sum -= t * Math.Log(y) + (1 - t) * Math.Log(1 - y); break; }
                    }
                    n++;
                }
            }
            if (loss == RnnCodegen.Loss.CrossEntropy)
            {
                int counted = 0;
                for (int r = 0; r < outputs.Count; r++) if (classes![r] != -100) { sum -= Math.Log(outputs[r][classes[r]]); counted++; }
                return sum / counted;
            }
            return sum / n;
        }

        private static void Check(IRecurrentModel model, Func<float> accumulate, Func<Reference, List<double[]>> run, Func<List<double[]>, double> loss, Action<string, Span<float>> copyGradient)
        {
            InferenceTests.Randomize(model, 21);
            float modelLoss = accumulate();
            var reference = new Reference(model);
            Assert.Equal(loss(run(reference)), modelLoss, 4);
            foreach (var info in model.ParameterInfos)
            {
                var gradient = new float[info.Length];
                copyGradient(info.Name, gradient);
                for (int i = 0; i < info.Length; i++)
                {
                    const double h = 1e-5;
                    double original = reference.Get(info.Name, i);
                    reference.Set(info.Name, i, original + h);
                    double plus = loss(run(reference));
                    reference.Set(info.Name, i, original - h);
                    double minus = loss(run(reference));
                    reference.Set(info.Name, i, original);
                    double expected = (plus - minus) / (2 * h);
                    Assert.True(Math.Abs(expected - gradient[i]) <= 2e-4 * Math.Abs(expected) + 2e-5,
                        $"{model.GetType().Name} {info.Name}[{i}]: finite difference {expected:R}, BPTT {gradient[i]:R}");
                }
            }
        }

        public static IEnumerable<object[]> RegressionModels() => new IRegressionTrainable[]
        {
            new TrainTanhRnn(), new TrainReluRnnBce(), new TrainClassicGru(), new TrainGruSoftmaxMse(), new TrainPeepholeLstm(),
            new TrainLstmNoHead(), new TrainStackedLstmSigmoid(), new SineLstmTrainable(),
            new FastStackedGruLast(), new FastLstmNoHead(), new FastRnnTanhHead(), new FastGruWideInput(), new FastReluRnn(),
        }.Select(m => new object[] { m });

        [Theory]
        [MemberData(nameof(RegressionModels))]
        public void RegressionGradientsMatchFiniteDifferences(IRegressionTrainable model) => CheckRegression(model, 5);

        /// <summary>Three stacked layers on the SIMD training path: sequences shorter than the stack, as long as it, longer, and SequenceLength.</summary>
        [Theory]
        [InlineData(1)]
        [InlineData(2)]
        [InlineData(3)]
        [InlineData(4)]
        [InlineData(6)]
        public void StackedGradientsMatchFiniteDifferencesForEveryLength(int steps) => CheckRegression(new FastLstmThreeLayers(), steps);

        private static void CheckRegression(IRegressionTrainable model, int steps)
        {
            var d = model.Description;
            var inputs = InferenceTests.RandomInputs(steps * d.InputSize, 3);
            int rows = d.OutputMode == OutputMode.Last ? 1 : steps;
            var random = new Random(5);
            var targets = Enumerable.Range(0, rows * d.OutputWidth).Select(_ => (float)random.NextDouble()).ToArray();
            var lossKind = d.OutputActivation == OutputActivation.Sigmoid && model is TrainReluRnnBce ? RnnCodegen.Loss.BinaryCrossEntropy : RnnCodegen.Loss.MeanSquaredError;
            var vectors = Enumerable.Range(0, steps).Select(t => inputs.Skip(t * d.InputSize).Take(d.InputSize).Select(v => (double)v).ToArray()).ToList();
            Check(model, () => { model.ZeroGradients(); return model.AccumulateGradients(inputs, targets); }, r => r.Run(vectors), o => Loss(d, o, targets, null, lossKind), model.CopyGradient);
        }

        [Fact]
        public void CrossEntropyGradientsMatchFiniteDifferences()
        {
            var model = new TrainGruCrossEntropy();
            var inputs = InferenceTests.RandomInputs(5 * 3, 8);
            var classes = new[] { 2, 0, -100, 1, 1 };
            var vectors = Enumerable.Range(0, 5).Select(t => inputs.Skip(t * 3).Take(3).Select(v => (double)v).ToArray()).ToList();
            Check(model, () => model.AccumulateGradients(inputs, classes), r => r.Run(vectors), o => Loss(TrainGruCrossEntropy.Description, o, Array.Empty<float>(), classes, RnnCodegen.Loss.CrossEntropy), model.CopyGradient);
        }

        [Fact]
        public void FastTokenGradientsMatchFiniteDifferences()
        {
            var model = new FastTokenLstmLast();
            var tokens = new[] { 1, 4, 4, 7, 0 };
            var classes = new[] { 5 };
            Check(model, () => model.AccumulateGradients(tokens, classes), r => r.RunTokens(tokens), o => Loss(FastTokenLstmLast.Description, o, Array.Empty<float>(), classes, RnnCodegen.Loss.CrossEntropy), model.CopyGradient);
        }

        /// <summary>An embedding width of 8: d x into the embedding rows takes the vector product, not the generic kernel.</summary>
        [Fact]
        public void FastTokenGradientsWithVectorWideEmbeddingMatchFiniteDifferences()
        {
            var model = new FastTokenLstmWideEmbedding();
            var tokens = new[] { 1, 4, 4, 5, 0, 2 };
            var classes = new[] { 5, 0, 3, -100, 1, 2 };
            Check(model, () => model.AccumulateGradients(tokens, classes), r => r.RunTokens(tokens), o => Loss(FastTokenLstmWideEmbedding.Description, o, Array.Empty<float>(), classes, RnnCodegen.Loss.CrossEntropy), model.CopyGradient);
        }

        [Fact]
        public void TokenCrossEntropyGradientsReachOnlyTheUsedEmbeddingRows()
        {
            var model = new TrainTokenLstm();
            var tokens = new[] { 1, 4, 4, 7, 0 };
            var classes = new[] { 4, 4, 7, 0, 8 };
            Check(model, () => model.AccumulateGradients(tokens, classes), r => r.RunTokens(tokens), o => Loss(TrainTokenLstm.Description, o, Array.Empty<float>(), classes, RnnCodegen.Loss.CrossEntropy), model.CopyGradient);
            var embedding = new float[9 * 3];
            model.CopyGradient("embedding.weight", embedding);
            foreach (int row in new[] { 2, 3, 5, 6, 8 }) Assert.All(embedding.AsSpan(row * 3, 3).ToArray(), v => Assert.Equal(0f, v));
            Assert.Contains(embedding.AsSpan(4 * 3, 3).ToArray(), v => v != 0f);
        }
    }

    // Hidden sizes of 4, 8 or a multiple of 16 take the specialised SIMD training path (weight gradients summed after the time loop).
    [GruModel(Input = 20, Hidden = 8, Layers = 2, Output = 2, OutputMode = OutputMode.Last, SequenceLength = 12)]
    public partial class FastStackedGruLast : IRegressionTrainable { }

    [LstmModel(Input = 5, Hidden = 16, Layers = 2, SequenceLength = 12)]
    public partial class FastLstmNoHead : IRegressionTrainable { }

    [LstmModel(Input = 2, Hidden = 4, Layers = 3, Output = 2, SequenceLength = 6)]
    public partial class FastLstmThreeLayers : IRegressionTrainable { }

    [RnnModel(Input = 17, Hidden = 4, Output = 3, OutputActivation = OutputActivation.Tanh, SequenceLength = 12)]
    public partial class FastRnnTanhHead : IRegressionTrainable { }

    [RnnModel(Input = 3, Hidden = 8, Layers = 2, Output = 2, Activation = Activation.Relu, SequenceLength = 12)]
    public partial class FastReluRnn : IRegressionTrainable { }

    /// <summary>weight_ih (12 x 16) takes the Vector512 weight-gradient sum's block of 8 rows, then its block of 4.</summary>
    [GruModel(Input = 16, Hidden = 4, Output = 3, SequenceLength = 12)]
    public partial class FastGruWideInput : IRegressionTrainable { }

    [LstmModel(Vocabulary = 9, Input = 3, Hidden = 8, Layers = 2, Output = 9, OutputActivation = OutputActivation.Softmax, OutputMode = OutputMode.Last, Loss = Loss.CrossEntropy, SequenceLength = 12)]
    public partial class FastTokenLstmLast : RnnCodegen.Tests.Models.ITokenClassTrainable { }

    [LstmModel(Vocabulary = 6, Input = 8, Hidden = 8, Layers = 2, Output = 6, OutputActivation = OutputActivation.Softmax, Loss = Loss.CrossEntropy, SequenceLength = 12)]
    public partial class FastTokenLstmWideEmbedding : RnnCodegen.Tests.Models.ITokenClassTrainable { }

    /// <summary>The README's SineLstm as a trainable test model.</summary>
    [LstmModel(Input = 1, Hidden = 32, Output = 1, SequenceLength = 50)]
    public partial class SineLstmTrainable : IRegressionTrainable, RnnCodegen.Tests.Models.ITrainingSettings { }
}
