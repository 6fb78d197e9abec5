using System;
using System.Buffers.Binary;
using System.Globalization;
using System.IO;
using System.Linq;
using RnnCodegen.Tests.Models;
using RnnCodegen.Tests.Weights;
using Xunit;

namespace RnnCodegen.Tests
{
    /// <summary>
    /// SaveTrainingState/LoadTrainingState: a resumed run continues bit for bit (dropout included), and a file for another
    /// model, another optimizer, or with impossible content is refused with the model left exactly as it was.
    /// </summary>
    public class TrainingStateTests
    {
        // Offsets of the version 2 layout (TrainingState's remarks).
        private const int StepOffset = 40, DropoutOffset = 48, Buffers = 56;

        private static byte[] State(Action<Stream> save)
        {
            var stream = new MemoryStream();
            save(stream);
            return stream.ToArray();
        }

        private static float[] Parameters(IRecurrentModel model)
        {
            var p = new float[model.ParameterCount];
            model.CopyParameters(p);
            return p;
        }

        private static float[] X(int n, int seed) => InferenceTests.RandomInputs(n, seed);

        /// <summary>Asserts that loading <paramref name="file"/> throws InvalidDataException containing <paramref name="message"/> and changes no byte of the model's state.</summary>
        private static void AssertRefused(Action<Stream> save, Action<Stream> load, byte[] file, string message)
        {
            byte[] before = State(save);
            var e = Assert.Throws<InvalidDataException>(() => load(new MemoryStream(file)));
            Assert.Contains(message, e.Message);
            Assert.Equal(before, State(save));
        }

        [Fact]
        public void ResumingContinuesExactlyWithDropout()
        {
            // Before the format recorded the dropout generator, the resumed run drew other masks and drifted by ~5e-4.
            var x = X(20, 1);
            var y = X(10, 2);
            var a = new DropoutGru();
            a.SeedDropout(7);
            for (int i = 0; i < 2; i++) a.TrainStep(x, y);
            var parameters = new MemoryStream();
            a.SaveParameters(parameters);
            byte[] state = State(a.SaveTrainingState);
            Assert.NotEqual(0UL, BinaryPrimitives.ReadUInt64LittleEndian(state.AsSpan(DropoutOffset)));

            var b = new DropoutGru();
            parameters.Position = 0;
            b.LoadParameters(parameters);
            b.LoadTrainingState(new MemoryStream(state));
            Assert.Equal(2, b.OptimizerStepCount);
            for (int i = 0; i < 2; i++) Assert.Equal(a.TrainStep(x, y), b.TrainStep(x, y));
            Assert.Equal(Parameters(a), Parameters(b));
        }

        [Fact]
        public void AFileWithoutDropoutLeavesTheGeneratorAlone()
        {
            // PlainGru has DropoutGru's shape and optimizer but no dropout: its file says 0 for the generator, which must not
            // replace DropoutGru's (a zero xorshift state would stay zero and drop every unit).
            var plain = new PlainGru();
            byte[] file = State(plain.SaveTrainingState);
            Assert.Equal(0UL, BinaryPrimitives.ReadUInt64LittleEndian(file.AsSpan(DropoutOffset)));
            var x = X(20, 3);
            var y = X(10, 4);
            var a = new DropoutGru();
            var b = new DropoutGru();
            a.SeedDropout(9);
            b.SeedDropout(9);
            b.LoadTrainingState(new MemoryStream(file));
            Assert.Equal(a.TrainStep(x, y), b.TrainStep(x, y));
            Assert.Equal(Parameters(a), Parameters(b));
        }

        [Fact]
        public void ComputeLossDrawsNoDropoutMasks()
        {
            // Validation (ComputeLoss, Trainer.Evaluate) must not move the dropout generator: a run with a validation set
            // would otherwise train on other masks than the same run without one. PyTorch's eval mode draws nothing either.
            var x = X(20, 5);
            var y = X(10, 6);
            var a = new DropoutGru();
            var b = new DropoutGru();
            a.SeedDropout(3);
            b.SeedDropout(3);
            b.ComputeLoss(x, y);
            Assert.Equal(a.AccumulateGradients(x, y), b.AccumulateGradients(x, y));
            foreach (var info in DropoutGru.ParameterInfos)
            {
                var ga = new float[info.Length];
                var gb = new float[info.Length];
                a.CopyGradient(info.Name, ga);
                b.CopyGradient(info.Name, gb);
                Assert.Equal(ga, gb);
            }
        }

        [Fact]
        public void AnotherModelsFileIsRefusedEvenWithTheSameCountAndOptimizer()
        {
            Assert.Equal(StateLstm96.ParameterCount, StateGru96.ParameterCount);
            var gru = new StateGru96();
            gru.TrainStep(X(10, 1), X(20, 2));
            var lstm = new StateLstm96();
            lstm.TrainStep(X(15, 3), X(15, 4));
            AssertRefused(lstm.SaveTrainingState, lstm.LoadTrainingState, State(gru.SaveTrainingState),
                "The training-state file is for another model: file holds GRU(2->4, layers 1), model is LSTM(3->3, layers 1).");
            Assert.Equal(1, lstm.OptimizerStepCount);
        }

        [Fact]
        public void AnotherOptimizersFileIsRefused()
        {
            var adam = new LstmAdam();
            adam.TrainStep(X(24, 1), X(12, 2));
            AssertRefused(adam.SaveTrainingState, adam.LoadTrainingState, State(new LstmSgd().SaveTrainingState),
                "The training-state file holds the state of optimizer Sgd, this model uses Adam.");
            AssertRefused(adam.SaveTrainingState, adam.LoadTrainingState, State(new LstmRmsProp().SaveTrainingState),
                "optimizer RmsProp, this model uses Adam.");
        }

        [Fact]
        public void AnAverageOfSquaresCannotBeNegative()
        {
            // A negative second moment (Adam) or square average (RMSprop) used to load, and the next update took its square
            // root and turned every parameter into NaN.
            var adam = new LstmAdam();
            adam.TrainStep(X(24, 1), X(12, 2));
            byte[] file = State(adam.SaveTrainingState);
            byte[] negativeV = (byte[])file.Clone();
            BinaryPrimitives.WriteSingleLittleEndian(negativeV.AsSpan(Buffers + 4 * (LstmAdam.ParameterCount + 5)), -1f);
            AssertRefused(adam.SaveTrainingState, adam.LoadTrainingState, BinaryParametersTests.FixCrc(negativeV),
                "negative value (-1) in Adam's second moment at index 5, which is an average of squares");
            // The first moment may be negative.
            byte[] negativeM = (byte[])file.Clone();
            BinaryPrimitives.WriteSingleLittleEndian(negativeM.AsSpan(Buffers + 4 * 5), -1f);
            var other = new LstmAdam();
            other.LoadTrainingState(new MemoryStream(BinaryParametersTests.FixCrc(negativeM)));
            Assert.Equal(1, other.OptimizerStepCount);

            var rms = new LstmRmsProp();
            rms.TrainStep(X(24, 1), X(12, 2));
            byte[] negativeSquare = State(rms.SaveTrainingState);
            BinaryPrimitives.WriteSingleLittleEndian(negativeSquare.AsSpan(Buffers + 4 * 7), -0.5f);
            AssertRefused(rms.SaveTrainingState, rms.LoadTrainingState, BinaryParametersTests.FixCrc(negativeSquare),
                "negative value (-0.5) in RMSprop's square average at index 7");

            // A momentum buffer may be negative.
            var momentum = new LstmMomentum();
            momentum.TrainStep(X(24, 1), X(12, 2));
            byte[] negativeBuffer = State(momentum.SaveTrainingState);
            BinaryPrimitives.WriteSingleLittleEndian(negativeBuffer.AsSpan(Buffers), -3f);
            var resumed = new LstmMomentum();
            resumed.LoadTrainingState(new MemoryStream(BinaryParametersTests.FixCrc(negativeBuffer)));
            Assert.Equal(1, resumed.OptimizerStepCount);
        }

        [Fact]
        public void TheStepCountSaturatesInsteadOfOverflowing()
        {
            // A step count of int.MaxValue used to wrap to int.MinValue on the next update, and Adam's bias correction
            // 1 - beta^step turned every parameter into infinity or NaN. It now stays at int.MaxValue, where beta^step is 0
            // in double as it already is at 2^30: the two runs take the same update.
            var x = X(24, 1);
            var y = X(12, 2);
            var source = new LstmAdam();
            source.TrainStep(x, y);
            byte[] file = State(source.SaveTrainingState);
            var parameters = Parameters(source);

            LstmAdam Resume(int step)
            {
                byte[] edited = (byte[])file.Clone();
                BinaryPrimitives.WriteInt32LittleEndian(edited.AsSpan(StepOffset), step);
                var model = new LstmAdam();
                model.SetParameters(parameters);
                model.LoadTrainingState(new MemoryStream(BinaryParametersTests.FixCrc(edited)));
                model.TrainStep(x, y);
                return model;
            }

            var atMax = Resume(int.MaxValue);
            var at2To30 = Resume(1 << 30);
            Assert.Equal(int.MaxValue, atMax.OptimizerStepCount);
            Assert.Equal((1 << 30) + 1, at2To30.OptimizerStepCount);
            Assert.All(Parameters(atMax), p => Assert.True(float.IsFinite(p)));
            Assert.Equal(Parameters(at2To30), Parameters(atMax));
            Assert.NotEqual(parameters, Parameters(atMax));
        }

        [Fact]
        public void BrokenFilesAreRefusedWithCultureInvariantMessages()
        {
            var previous = CultureInfo.CurrentCulture;
            var odd = (CultureInfo)CultureInfo.InvariantCulture.Clone();
            odd.NumberFormat.NegativeSign = "\u2212"; // as sv-SE (the tests run with invariant globalization)
            CultureInfo.CurrentCulture = odd;
            try
            {
                var model = new LstmAdam();
                model.TrainStep(X(24, 1), X(12, 2));
                byte[] file = State(model.SaveTrainingState);
                int size = 56 + 2 * 4 * LstmAdam.ParameterCount + 4;
                Assert.Equal(size, file.Length);
                Action<Stream> save = model.SaveTrainingState, load = model.LoadTrainingState;

                byte[] negativeStep = (byte[])file.Clone();
                BinaryPrimitives.WriteInt32LittleEndian(negativeStep.AsSpan(StepOffset), -5);
                AssertRefused(save, load, BinaryParametersTests.FixCrc(negativeStep), "negative optimizer step count -5.");
                AssertRefused(save, load, file.Take(30).ToArray(), "The training-state file is truncated in its header: it ends after 30 bytes, expected " + size.ToString(CultureInfo.InvariantCulture) + ".");
                AssertRefused(save, load, file.Take(100).ToArray(), "truncated in its buffers: it ends after 100 bytes");
                AssertRefused(save, load, Array.Empty<byte>(), "Not an RnnCodegen training-state file: the stream is empty.");
                AssertRefused(save, load, State(model.SaveParameters), "it does not start with \"RNNS\"");
                byte[] version1 = (byte[])file.Clone();
                BinaryPrimitives.WriteUInt16LittleEndian(version1.AsSpan(4), 1);
                AssertRefused(save, load, version1, "version 1 is not supported; this library reads version 2 (version 1 files do not record which model wrote them");
                byte[] flipped = (byte[])file.Clone();
                flipped[Buffers + 9] ^= 0x10;
                AssertRefused(save, load, flipped, "The training-state file is corrupt: its CRC-32 is 0x");
                byte[] nan = (byte[])file.Clone();
                BinaryPrimitives.WriteSingleLittleEndian(nan.AsSpan(Buffers + 4 * 3), float.NaN);
                AssertRefused(save, load, BinaryParametersTests.FixCrc(nan), "non-finite value in Adam's first moment at index 3.");
                byte[] count = (byte[])file.Clone();
                BinaryPrimitives.WriteInt32LittleEndian(count.AsSpan(36), -212);
                AssertRefused(save, load, BinaryParametersTests.FixCrc(count), "it declares 2 buffer(s) of -212 values, this model's Adam state is 2 of " + LstmAdam.ParameterCount.ToString(CultureInfo.InvariantCulture) + ".");
            }
            finally
            {
                CultureInfo.CurrentCulture = previous;
            }
        }
    }
}
