using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.Intrinsics;
using RnnCodegen.Tests.Models;
using Xunit;

namespace RnnCodegen.Tests
{
    /// <summary>
    /// .ci/run repeats the numerics tests with AVX-512, AVX2 or all intrinsics switched off (DOTNET_EnableAVX512F=0...),
    /// and on machines without AVX-512 with the Vector512 code emulated (RNNCODEGEN_EMULATE_VECTOR512=1), and sets
    /// RNNCODEGEN_EXPECT_SIMD, so each run proves which emitted path it exercised.
    /// </summary>
    public class SimdPathTests
    {
        [Fact]
        public void TheGeneratedPathIsTheWidestAcceleratedOne()
        {
            string widest = Vector512.IsHardwareAccelerated || SimdEmulation.Vector512 ? "Vector512" : Vector256.IsHardwareAccelerated ? "Vector256" : Vector128.IsHardwareAccelerated ? "Vector128" : "Scalar";
            Assert.Equal(widest, SineLstm.SimdPath);
            string? expected = Environment.GetEnvironmentVariable("RNNCODEGEN_EXPECT_SIMD");
            if (!string.IsNullOrEmpty(expected)) Assert.Equal(expected, SineLstm.SimdPath);
        }
    
        public static IEnumerable<object[]> WideModels() => new IFloatModel[] { new WideGru(), new GateSpanningGru(), new MidGru(), new OddWideLstm(), new WideRnn(), new TallLstm() }.Select(m => new object[] { m });

        /// <summary>Uniform in ±2/sqrt(Hidden): the gates stay out of saturation, so a wrong or skipped block shows.</summary>
        private static void Moderate(IRecurrentModel model, int seed)
        {
            var random = new Random(seed);
            double bound = 2 / Math.Sqrt(model.Description.HiddenSize);
            var p = new float[model.ParameterCount];
            for (int i = 0; i < p.Length; i++) p[i] = (float)((random.NextDouble() * 2 - 1) * bound);
            model.SetParameters(p);
        }

        [Theory]
        [MemberData(nameof(WideModels))]
        public void WideLayersMatchTheReference(IFloatModel model)
        {
            Moderate(model, 11);
            const int Steps = 8;
            int input = model.Description.InputSize, width = model.Description.OutputWidth;
            var inputs = InferenceTests.RandomInputs(Steps * input, 4);
            var outputs = new float[Steps * width];
            model.Forward(inputs, outputs);
            var reference = new Reference(model);
            var expected = reference.Run(Enumerable.Range(0, Steps).Select(t => inputs.Skip(t * input).Take(input).Select(v => (double)v).ToArray()).ToList());
            InferenceTests.AssertClose(expected.SelectMany(r => r).ToList(), outputs);

            // Every hidden unit (the head alone could hide a wrong block): the streamed state is the reference's, and it is
            // not saturated.
            model.ResetState();
            var row = new float[width];
            for (int t = 0; t < Steps; t++) model.Step(inputs.AsSpan(t * input, input), row);
            var state = new float[model.StateSize];
            model.CopyState(state);
            var expectedState = model.Description.Cell == CellKind.Lstm ? reference.FinalH.Concat(reference.FinalC).ToList() : reference.FinalH.ToList();
            InferenceTests.AssertClose(expectedState, state);
            Assert.True(reference.FinalH.Count(v => Math.Abs(v) > 0.05 && Math.Abs(v) < 0.9) > reference.FinalH.Count() / 2, "saturated");

            // The training forward (its own SIMD pass that writes the tape) computes the same outputs: its MSE loss against
            // targets equals the one from Forward's outputs.
            var targets = InferenceTests.RandomInputs(Steps * width, 9);
            double mse = outputs.Zip(targets, (y, t) => ((double)y - t) * ((double)y - t)).Average();
            float loss = ((ITrainableModel<float, float>)model).ComputeLoss(inputs, targets);
            Assert.Equal(mse, loss, 5e-6 * Math.Max(1, mse));
        }

        public static IEnumerable<object[]> AlternatingModels() => new Func<IFloatModel>[] { () => new WideLstm(), () => new WideRnn(), () => new TallLstm() }.Select(f => new object[] { f });

        /// <summary>
        /// Where a layer has several column panels, the step walks them backwards on every other call (the panels read last
        /// are still in L1): the order must change no bit. Two copies run the same steps, one with the walk's parity flipped
        /// by an extra step before ResetState; both must match the reference.
        /// </summary>
        [Theory]
        [MemberData(nameof(AlternatingModels))]
        public void PanelOrderChangesNoBit(Func<IFloatModel> create)
        {
            IFloatModel a = create(), b = create();
            Moderate(a, 5);
            Moderate(b, 5);
            const int Steps = 9;
            int input = a.Description.InputSize, width = a.Description.OutputWidth;
            var inputs = InferenceTests.RandomInputs(Steps * input, 6);
            b.Step(inputs.AsSpan(0, input), new float[width]);
            b.ResetState();
            var outA = new float[Steps * width];
            var outB = new float[Steps * width];
            for (int t = 0; t < Steps; t++)
            {
                a.Step(inputs.AsSpan(t * input, input), outA.AsSpan(t * width, width));
                b.Step(inputs.AsSpan(t * input, input), outB.AsSpan(t * width, width));
            }
            Assert.Equal(outA, outB);
            var stateA = new float[a.StateSize];
            var stateB = new float[b.StateSize];
            a.CopyState(stateA);
            b.CopyState(stateB);
            Assert.Equal(stateA, stateB);
            var expected = new Reference(a).Run(Enumerable.Range(0, Steps).Select(t => inputs.Skip(t * input).Take(input).Select(v => (double)v).ToArray()).ToList());
            InferenceTests.AssertClose(expected.SelectMany(r => r).ToList(), outA);
        }
    }
}
