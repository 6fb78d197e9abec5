using System;
using RnnCodegen.Benchmarks;
using Xunit;

namespace RnnCodegen.Tests
{
    /// <summary>
    /// The roofline's work counts (tools/bench.sh --roofline), worked out by hand from the shapes: a wrong count would
    /// make the bound, and the "measured / bound" column, wrong.
    /// </summary>
    public class RooflineWorkTests
    {
        [Fact]
        public void ShapeAStep()
        {
            // [x | h] = 33 rows x 128 gate columns, c' and h' (3 x 32), the head (32); sigmoids i, f, o; tanhs g, tanh(c').
            var work = RooflineWork.Step(ShapeSpec.A);
            Assert.Equal(33 * 128 + 3 * 32 + 32, work.Multiplies);
            Assert.Equal(96, work.Sigmoids);
            Assert.Equal(64, work.Tanhs);
            Assert.Equal(4 * (33 * 128 + 128 + 32 + 1), work.WeightBytes);
        }

        [Fact]
        public void ShapeBStepCountsTheGruGatesAndItsSeparateCandidateBias()
        {
            var work = RooflineWork.Step(ShapeSpec.B);
            Assert.Equal(33 * 96 + 3 * 32 + 32, work.Multiplies);
            Assert.Equal(64, work.Sigmoids);
            Assert.Equal(32, work.Tanhs);
            Assert.Equal(4 * (33 * 96 + 96 + 32 + 32 + 1), work.WeightBytes);
        }

        [Fact]
        public void ShapeCStepCountsEveryLayerWithItsOwnInput()
        {
            // Layer 0: 1 + 8 rows; layers 1-3: 8 + 8 rows; 32 gate columns each.
            var work = RooflineWork.Step(ShapeSpec.C);
            Assert.Equal(9 * 32 + 3 * 16 * 32 + 4 * 3 * 8 + 8, work.Multiplies);
            Assert.Equal(4 * 24, work.Sigmoids);
            Assert.Equal(4 * 16, work.Tanhs);
            Assert.Equal(4 * (9 * 32 + 3 * 16 * 32 + 4 * 32 + 8 + 1), work.WeightBytes);
        }

        [Fact]
        public void ShapeEStepReadsAQuarterMegabyte()
        {
            var work = RooflineWork.Step(ShapeSpec.E);
            Assert.Equal(129 * 512 + 3 * 128 + 128, work.Multiplies);
            Assert.Equal(266_756, work.WeightBytes);
        }

        [Fact]
        public void ShapeATrainStepAddsTheBackwardProductsAndTheGradientSums()
        {
            // Per step: the forward (4352), d h(t-1) = W_hh^T d gates (128 x 32), the pointwise backward (16 x 32), the
            // weight gradients (128 x 33) and both bias gradients (2 x 128), the head's d h, d W (2 x 32) and d b (1).
            var work = RooflineWork.TrainStep(ShapeSpec.A, 50);
            Assert.Equal(50L * (4352 + 4096 + 512 + 4224 + 256 + 65), work.Multiplies);
            Assert.Equal(50 * 96, work.Sigmoids);
            Assert.Equal(50 * 64, work.Tanhs);
            Assert.Equal(0, work.WeightBytes);
        }

        [Fact]
        public void StackedTrainStepAlsoPropagatesToTheLayerBelow()
        {
            // Layer 0 has no d x (the inputs need no gradient); layers 1-3 pass W_ih^T d gates (32 x 8) down.
            long perStep = 1928 + (256 + 128 + 32 * 9 + 64) + 3 * (256 + 256 + 128 + 32 * 16 + 64) + 17;
            Assert.Equal(50 * perStep, RooflineWork.TrainStep(ShapeSpec.C, 50).Multiplies);
        }

        [Fact]
        public void GruTrainingIsNotModelled()
        {
            var e = Assert.Throws<ArgumentException>(() => RooflineWork.TrainStep(ShapeSpec.B, 50));
            Assert.Equal("s", e.ParamName);
        }

        [Fact]
        public void TheArithmeticBoundDividesByTheLanes()
        {
            // 1600 multiplies at 2 vector FMAs per ns, 160 sigmoids at 4 ns and 32 tanhs at 5 ns, over 16 lanes:
            // (800 + 640 + 160) / 16 = 100 ns.
            var work = new RooflineWork(1600, 160, 32, 0);
            Assert.Equal(100.0, work.ArithmeticNs(16, 2.0, 4.0, 5.0), 12);
        }
    }
}
