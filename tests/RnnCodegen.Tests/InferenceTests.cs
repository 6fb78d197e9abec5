using System;
using System.Collections.Generic;
using System.Linq;
using RnnCodegen.Tests.Models;
using Xunit;

namespace RnnCodegen.Tests
{
    /// <summary>Generated inference against the double-precision reference, streaming against sequences, and the span contracts.</summary>
    public class InferenceTests
    {
        public static IEnumerable<object[]> FloatModels() => new IFloatModel[]
        {
            new SineLstm(), new TanhRnn(), new ReluRnn(), new DeepTanhRnn(), new StackedLstmClassifier(), new PeepholeLstm(),
            new StackedPeepholeLstm(), new WideLstm(), new OddGru(), new StackedGru(), new ClassicGru(), new StackedClassicGru(),
        }.Select(m => new object[] { m });

        public static IEnumerable<object[]> TokenModels() => new ITokenModel[] { new CharLstm(), new SentimentRnn(), new TokenGru() }.Select(m => new object[] { m });

        internal static float[] RandomInputs(int count, int seed)
        {
            var random = new Random(seed);
            var values = new float[count];
            for (int i = 0; i < count; i++) values[i] = (float)(random.NextDouble() * 4 - 2);
            return values;
        }

        /// <summary>Scales parameters up a little so that the nonlinearities are exercised (PyTorch's default bound is small for wide layers).</summary>
        internal static void Randomize(IRecurrentModel model, int seed)
        {
            var random = new Random(seed);
            var p = new float[model.ParameterCount];
            for (int i = 0; i < p.Length; i++) p[i] = (float)(random.NextDouble() * 1.2 - 0.6);
            model.SetParameters(p);
        }

        internal static void AssertClose(IReadOnlyList<double> expected, ReadOnlySpan<float> actual, double tolerance = 1e-5)
        {
            Assert.Equal(expected.Count, actual.Length);
            for (int i = 0; i < actual.Length; i++)
            {
                double bound = tolerance * Math.Max(1, Math.Abs(expected[i]));
                Assert.True(Math.Abs(expected[i] - actual[i]) <= bound, $"index {i}: expected {expected[i]:R}, got {actual[i]:R} (tolerance {bound:R})");
            }
        }

        private static int Width(IRecurrentModel m) => m.Description.OutputWidth;

        [Theory]
        [MemberData(nameof(FloatModels))]
        public void ForwardMatchesReference(IFloatModel model)
        {
            foreach (int steps in new[] { 1, 7 })
            {
                Randomize(model, 17 + steps);
                var inputs = RandomInputs(steps * model.Description.InputSize, steps);
                int rows = model.Description.OutputMode == OutputMode.Last ? 1 : steps;
                var outputs = new float[rows * Width(model)];
                model.Forward(inputs, outputs);

                var reference = new Reference(model);
                var expected = reference.Run(Enumerable.Range(0, steps).Select(t => inputs.Skip(t * model.Description.InputSize).Take(model.Description.InputSize).Select(v => (double)v).ToArray()).ToList());
                AssertClose(expected.SelectMany(r => r).ToList(), outputs);
            }
        }

        public static IEnumerable<object[]> StackedFloatModels() => FloatModels().Where(m => ((IFloatModel)m[0]).Description.LayerCount > 1);

        /// <summary>
        /// Forward runs stacked layers as a wavefront (layer k at step t - k): sequences shorter than the stack, as long as it
        /// and longer give exactly the streaming steps' outputs.
        /// </summary>
        [Theory]
        [MemberData(nameof(StackedFloatModels))]
        public void StackedForwardEqualsStreamingStepsForEveryShortLength(IFloatModel model)
        {
            Randomize(model, 8);
            int input = model.Description.InputSize, width = Width(model);
            bool last = model.Description.OutputMode == OutputMode.Last;
            for (int steps = 1; steps <= model.Description.LayerCount + 2; steps++)
            {
                var inputs = RandomInputs(steps * input, 40 + steps);
                var forward = new float[(last ? 1 : steps) * width];
                model.Forward(inputs, forward);
                Assert.Equal(forward, StreamFromZero(model, inputs, steps));
            }
        }

        /// <summary>ResetState, then Step through <paramref name="steps"/> inputs: the rows in Forward's layout (every step's, or the last one's for many-to-one); the state is left after the last step.</summary>
        private static float[] StreamFromZero(IFloatModel model, float[] inputs, int steps)
        {
            int input = model.Description.InputSize, width = Width(model);
            bool last = model.Description.OutputMode == OutputMode.Last;
            model.ResetState();
            var streamed = new List<float>();
            var row = new float[width];
            for (int t = 0; t < steps; t++)
            {
                model.Step(inputs.AsSpan(t * input, input), row);
                if (!last || t == steps - 1) streamed.AddRange(row);
            }
            return streamed.ToArray();
        }

        [Theory]
        [MemberData(nameof(FloatModels))]
        public void StreamingStepsEqualForwardAndCarryTheState(IFloatModel model)
        {
            Randomize(model, 3);
            int steps = 9, input = model.Description.InputSize, width = Width(model);
            var inputs = RandomInputs(steps * input, 5);
            bool last = model.Description.OutputMode == OutputMode.Last;
            var forward = new float[(last ? 1 : steps) * width];
            model.Forward(inputs, forward);
            Assert.Equal(forward, StreamFromZero(model, inputs, steps));

            // The carried state is the reference's final state.
            var reference = new Reference(model);
            reference.Run(Enumerable.Range(0, steps).Select(t => inputs.Skip(t * input).Take(input).Select(v => (double)v).ToArray()).ToList());
            var state = new float[model.StateSize];
            model.CopyState(state);
            var expectedState = model.Description.Cell == CellKind.Lstm ? reference.FinalH.Concat(reference.FinalC).ToList() : reference.FinalH.ToList();
            AssertClose(expectedState, state);

            // Forward does not touch the streaming state.
            model.Forward(inputs, forward);
            var after = new float[model.StateSize];
            model.CopyState(after);
            Assert.Equal(state, after);

            // SetState restores a snapshot: the next step equals the step taken from the snapshot before.
            var next = new float[width];
            model.Step(inputs.AsSpan(0, input), next);
            model.SetState(state);
            var again = new float[width];
            model.Step(inputs.AsSpan(0, input), again);
            Assert.Equal(next, again);

            // ResetState returns to zeros.
            model.ResetState();
            model.CopyState(after);
            Assert.All(after, v => Assert.Equal(0f, v));
        }

        [Theory]
        [MemberData(nameof(TokenModels))]
        public void TokenForwardMatchesReference(ITokenModel model)
        {
            Randomize(model, 99);
            var random = new Random(4);
            var tokens = Enumerable.Range(0, 8).Select(_ => random.Next(model.Description.Vocabulary)).ToArray();
            int rows = model.Description.OutputMode == OutputMode.Last ? 1 : tokens.Length;
            var outputs = new float[rows * Width(model)];
            model.Forward(tokens, outputs);
            var expected = new Reference(model).RunTokens(tokens);
            AssertClose(expected.SelectMany(r => r).ToList(), outputs);

            model.ResetState();
            var row = new float[Width(model)];
            foreach (int token in tokens) model.Step(token, row);
            Assert.Equal(outputs.AsSpan(outputs.Length - row.Length).ToArray(), row);
        }

        [Fact]
        public void SingleValueStepMatchesSpanStep()
        {
            var a = new SineLstm();
            var b = new SineLstm();
            foreach (float x in RandomInputs(20, 8))
            {
                var y = new float[1];
                b.Step(new[] { x }, y);
                Assert.Equal(y[0], a.Step(x));
            }
        }

        [Fact]
        public void SoftmaxRowsSumToOne()
        {
            var model = new CharLstm();
            Randomize(model, 1);
            var outputs = new float[5 * 11];
            model.Forward(new[] { 1, 2, 3, 4, 10 }, outputs);
            for (int r = 0; r < 5; r++) Assert.Equal(1.0, outputs.AsSpan(r * 11, 11).ToArray().Sum(v => (double)v), 5);
        }

        [Fact]
        public void WrongLengthsThrowAndChangeNothing()
        {
            var model = new StackedGru();
            Randomize(model, 2);
            model.Step(new float[4], new float[13]);
            var before = new float[StackedGru.StateSize];
            model.CopyState(before);

            var e = Assert.Throws<ArgumentException>(() => model.Step(new float[3], new float[13]));
            Assert.Equal("input: expected 4 values, got 3. (Parameter 'input')", e.Message);
            e = Assert.Throws<ArgumentException>(() => model.Step(new float[4], new float[2]));
            Assert.Equal("output: expected 13 values, got 2. (Parameter 'output')", e.Message);
            e = Assert.Throws<ArgumentException>(() => model.Forward(new float[10], new float[13]));
            Assert.Equal("inputs: the length must be a multiple of InputSize (4), got 10. (Parameter 'inputs')", e.Message);
            e = Assert.Throws<ArgumentException>(() => model.Forward(new float[8], new float[26]));
            Assert.Equal("outputs: expected 13 values, got 26. (Parameter 'outputs')", e.Message);
            Assert.Throws<ArgumentException>(() => model.Forward(ReadOnlySpan<float>.Empty, new float[13]));
            Assert.Throws<ArgumentException>(() => model.SetState(new float[3]));
            Assert.Throws<ArgumentException>(() => model.CopyState(new float[27]));

            var after = new float[StackedGru.StateSize];
            model.CopyState(after);
            Assert.Equal(before, after);

            var tokens = new CharLstm();
            var outputs = new float[2 * 11];
            var te = Assert.Throws<ArgumentOutOfRangeException>(() => tokens.Forward(new[] { 3, 11 }, outputs));
            Assert.Contains("position 1", te.Message);
            Assert.Throws<ArgumentOutOfRangeException>(() => tokens.Step(-1, new float[11]));
        }

        [Fact]
        public void NonFiniteInputsThrowAndKeepTheState()
        {
            // StackedGru (4 inputs) has Step's inline check, WideLstm (16 inputs) the one through Kernels.AllFinite.
            foreach (IFloatModel model in new IFloatModel[] { new StackedGru(), new WideLstm() })
            {
                Randomize(model, 2);
                var twin = (IFloatModel)Activator.CreateInstance(model.GetType())!;
                Randomize(twin, 2);
                int n = model.Description.InputSize, width = Width(model);
                var warm = Enumerable.Range(0, n).Select(i => 0.1f * i - 0.3f).ToArray();
                model.Step(warm, new float[width]);
                twin.Step(warm, new float[width]);
                var before = new float[model.StateSize];
                model.CopyState(before);

                foreach (float bad in new[] { float.NaN, float.PositiveInfinity, float.NegativeInfinity })
                {
                    for (int j = 0; j < n; j++)
                    {
                        var input = (float[])warm.Clone();
                        input[j] = bad;
                        var output = Enumerable.Repeat(7f, width).ToArray();
                        var e = Assert.Throws<ArgumentException>(() => model.Step(input, output));
                        Assert.Equal("input contains NaN or infinity; the carried state is unchanged. (Parameter 'input')", e.Message);
                        Assert.All(output, v => Assert.Equal(7f, v));
                        var after = new float[model.StateSize];
                        model.CopyState(after);
                        Assert.Equal(before, after);

                        var inputs = new float[3 * n];
                        inputs[n + j] = bad;
                        var outputs = Enumerable.Repeat(7f, (model.Description.OutputMode == OutputMode.Last ? 1 : 3) * width).ToArray();
                        e = Assert.Throws<ArgumentException>(() => model.Forward(inputs, outputs));
                        Assert.Equal("inputs contain NaN or infinity. (Parameter 'inputs')", e.Message);
                        Assert.All(outputs, v => Assert.Equal(7f, v));
                    }
                }

                var badState = (float[])before.Clone();
                badState[badState.Length - 1] = float.NaN;
                var se = Assert.Throws<ArgumentException>(() => model.SetState(badState));
                Assert.Equal("The state contains NaN or infinity; the current state is kept. (Parameter 'state')", se.Message);

                // After all the refused calls the model streams exactly as its twin that never saw them.
                var y = new float[width];
                var yTwin = new float[width];
                model.Step(warm, y);
                twin.Step(warm, yTwin);
                Assert.Equal(yTwin, y);
            }

            var sine = new SineLstm();
            Randomize(sine, 4);
            sine.Step(0.5f);
            var state = new float[SineLstm.StateSize];
            sine.CopyState(state);
            var fe = Assert.Throws<ArgumentException>(() => sine.Step(x: float.NaN)); // the parameter name is the generated API contract's
            Assert.Equal("x is NaN or infinity; the carried state is unchanged. (Parameter 'x')", fe.Message);
            Assert.Throws<ArgumentException>(() => sine.Step(float.NegativeInfinity));
            var stateAfter = new float[SineLstm.StateSize];
            sine.CopyState(stateAfter);
            Assert.Equal(state, stateAfter);
            // Huge but finite inputs are fine (the gates saturate).
            Assert.True(float.IsFinite(sine.Step(float.MaxValue)));
        }

        [Fact]
        public void NonFiniteParametersAreRefusedAndChangeNothing()
        {
            var model = new PeepholeLstm();
            Randomize(model, 5);
            var all = new float[PeepholeLstm.ParameterCount];
            model.CopyParameters(all);
            var inputs = new float[] { 0.5f, -0.25f, 1f, 0.75f };
            var expected = new float[2];
            model.Forward(inputs, expected);

            var weights = new float[100];
            weights[57] = float.PositiveInfinity;
            var e = Assert.Throws<ArgumentException>(() => model.SetParameter("rnn.weight_hh_l0", weights));
            Assert.Equal("rnn.weight_hh_l0: the values contain NaN or infinity; nothing was changed. (Parameter 'values')", e.Message);
            var values = (float[])all.Clone();
            values[3] = float.NaN;
            e = Assert.Throws<ArgumentException>(() => model.SetParameters(values));
            Assert.Equal("The values contain NaN or infinity; nothing was changed. (Parameter 'values')", e.Message);

            var after = new float[PeepholeLstm.ParameterCount];
            model.CopyParameters(after);
            Assert.Equal(all, after);
            var outputs = new float[2];
            model.Forward(inputs, outputs);
            Assert.Equal(expected, outputs);
        }

        [Fact]
        public void ParametersByNameRoundTripAndRejectBadInput()
        {
            var model = new PeepholeLstm();
            var weights = Enumerable.Range(0, 20 * 5).Select(i => i * 0.01f).ToArray();
            model.SetParameter("rnn.weight_hh_l0", weights);
            var copy = new float[100];
            model.CopyParameter("rnn.weight_hh_l0", copy);
            Assert.Equal(weights, copy);

            var all = new float[PeepholeLstm.ParameterCount];
            model.CopyParameters(all);
            var e = Assert.Throws<ArgumentException>(() => model.SetParameter("rnn.weight_hh_l1", weights));
            Assert.StartsWith("Unknown parameter 'rnn.weight_hh_l1'; this model has rnn.weight_ih_l0, rnn.weight_hh_l0, rnn.bias_ih_l0, rnn.bias_hh_l0, rnn.weight_ci_l0, rnn.weight_cf_l0, rnn.weight_co_l0, dense.weight, dense.bias.", e.Message);
            e = Assert.Throws<ArgumentException>(() => model.SetParameter("rnn.weight_hh_l0", new float[99]));
            Assert.StartsWith("rnn.weight_hh_l0 has shape [20, 5] (100 values), but the span has 99.", e.Message);
            Assert.Throws<ArgumentException>(() => model.CopyParameter("dense.bias", new float[2]));
            Assert.Throws<ArgumentException>(() => model.SetParameters(new float[3]));
            var after = new float[PeepholeLstm.ParameterCount];
            model.CopyParameters(after);
            Assert.Equal(all, after);
        }

        [Fact]
        public void InitializationIsDeterministicAndFollowsTheScheme()
        {
            var a = new SineLstm();
            var b = new SineLstm();
            var pa = new float[SineLstm.ParameterCount];
            var pb = new float[SineLstm.ParameterCount];
            a.CopyParameters(pa);
            b.CopyParameters(pb);
            Assert.Equal(pa, pb);
            float bound = 1 / MathF.Sqrt(32);
            Assert.All(pa, v => Assert.InRange(v, -bound, bound));

            a.InitializeParameters(7, Initialization.Orthogonal);
            var whh = new float[128 * 32];
            a.CopyParameter("rnn.weight_hh_l0", whh);
            // Each 32 x 32 gate block is orthogonal: Q Q^T = I.
            for (int gate = 0; gate < 4; gate++)
            {
                for (int r1 = 0; r1 < 32; r1++)
                {
                    for (int r2 = 0; r2 < 32; r2++)
                    {
                        double dot = 0;
                        for (int c = 0; c < 32; c++) dot += whh[(gate * 32 + r1) * 32 + c] * whh[(gate * 32 + r2) * 32 + c];
                        Assert.Equal(r1 == r2 ? 1.0 : 0.0, dot, 5);
                    }
                }
            }
            var bias = new float[128];
            a.CopyParameter("rnn.bias_ih_l0", bias);
            Assert.All(bias.AsSpan(32, 32).ToArray(), v => Assert.Equal(1f, v));
            Assert.All(bias.AsSpan(0, 32).ToArray(), v => Assert.Equal(0f, v));

            b.InitializeParameters(7, Initialization.XavierUniform);
            var wih = new float[128];
            b.CopyParameter("rnn.weight_ih_l0", wih);
            float xavier = MathF.Sqrt(6f / (128 + 1));
            Assert.All(wih, v => Assert.InRange(v, -xavier, xavier));
            Assert.Contains(wih, v => Math.Abs(v) > xavier / 2);
        }

        [Fact]
        public void InitializationSchemesHoldForEveryCellAndLayer()
        {
            foreach (IFloatModel model in new IFloatModel[] { new StackedGru(), new DeepTanhRnn(), new StackedPeepholeLstm() })
            {
                var d = model.Description;
                int h = d.HiddenSize, gates = d.Cell switch { CellKind.Lstm => 4, CellKind.Gru => 3, _ => 1 };
                for (int layer = 0; layer < d.LayerCount; layer++)
                {
                    var whh = new float[gates * h * h];
                    var bih = new float[gates * h];
                    var bhh = new float[gates * h];
                    model.InitializeParameters(7, Initialization.Orthogonal);
                    model.CopyParameter("rnn.weight_hh_l" + layer, whh);
                    model.CopyParameter("rnn.bias_ih_l" + layer, bih);
                    model.CopyParameter("rnn.bias_hh_l" + layer, bhh);
                    for (int gate = 0; gate < gates; gate++)
                        for (int r1 = 0; r1 < h; r1++)
                            for (int r2 = 0; r2 < h; r2++)
                            {
                                double dot = 0;
                                for (int c = 0; c < h; c++) dot += whh[(gate * h + r1) * h + c] * (double)whh[(gate * h + r2) * h + c];
                                Assert.Equal(r1 == r2 ? 1.0 : 0.0, dot, 5);
                            }
                    // Biases zero but an LSTM's forget gate (bias_ih only, so the summed bias is 1).
                    for (int i = 0; i < gates * h; i++) Assert.Equal(d.Cell == CellKind.Lstm && i / h == 1 ? 1f : 0f, bih[i]);
                    Assert.All(bhh, v => Assert.Equal(0f, v));

                    model.InitializeParameters(7, Initialization.XavierUniform);
                    model.CopyParameter("rnn.weight_hh_l" + layer, whh);
                    model.CopyParameter("rnn.bias_hh_l" + layer, bhh);
                    float bound = MathF.Sqrt(6f / (2 * h)); // per gate block
                    Assert.All(whh, v => Assert.InRange(v, -bound, bound));
                    for (int gate = 0; gate < gates; gate++)
                        Assert.Contains(whh.AsSpan(gate * h * h, h * h).ToArray(), v => Math.Abs(v) > 0.8f * bound);
                    Assert.All(bhh, v => Assert.Equal(0f, v));
                }
            }
        }

        [Fact]
        public void HotMembersAllocateNothing()
        {
            var lstm = new SineLstm();
            var gru = new StackedGru();
            var chars = new CharLstm();
            var inputs = RandomInputs(50, 1);
            var gruInputs = RandomInputs(40, 2);
            var outputs = new float[50];
            var gruOut = new float[13];
            var tokens = new[] { 1, 2, 3 };
            var charOut = new float[33];
            var row = new float[11];
            var state = new float[SineLstm.StateSize];
            void Run()
            {
                lstm.Forward(inputs, outputs);
                lstm.Step(inputs.AsSpan(0, 1), outputs.AsSpan(0, 1));
                lstm.Step(0.5f);
                lstm.CopyState(state);
                lstm.SetState(state);
                lstm.ResetState();
                gru.Forward(gruInputs, gruOut);
                chars.Forward(tokens, charOut);
                chars.Step(3, row);
            }
            Allocations.AssertSteadyStateAllocatesNothing(Run, 100);
        }
    }
}
