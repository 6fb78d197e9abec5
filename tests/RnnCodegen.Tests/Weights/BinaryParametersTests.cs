using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using Xunit;
using static RnnCodegen.Tests.Weights.WeightTestUtil;

namespace RnnCodegen.Tests.Weights
{
    public class BinaryParametersTests
    {
        /// <summary>A bitwise CRC-32 (IEEE), written independently of the library's table version.</summary>
        internal static uint Crc(ReadOnlySpan<byte> data)
        {
            uint crc = 0xFFFFFFFF;
            foreach (byte b in data)
            {
                crc ^= b;
                for (int k = 0; k < 8; k++) crc = (crc >> 1) ^ (0xEDB88320u & (uint)-(int)(crc & 1));
            }
            return ~crc;
        }

        private static byte[] Save(IRecurrentModel model)
        {
            var stream = new MemoryStream();
            BinaryParameters.Save(model, stream);
            return stream.ToArray();
        }

        /// <summary>Rewrites the trailing CRC so a deliberately edited file passes the CRC check.</summary>
        internal static byte[] FixCrc(byte[] file)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(file.Length - 4), Crc(file.AsSpan(0, file.Length - 4)));
            return file;
        }

        private static Action<FakeModel> LoadBytes(byte[] bytes) => m => BinaryParameters.Load(m, new MemoryStream(bytes));

        [Fact]
        public void TestCrcIsIeee()
        {
            Assert.Equal(0xCBF43926u, Crc(Encoding.ASCII.GetBytes("123456789")));
        }

        public static IEnumerable<object[]> Models()
        {
            yield return new object[] { FakeModel.Lstm(1, 16, output: 1) };
            yield return new object[] { FakeModel.Lstm(3, 5, layers: 3, output: 2, peephole: true) };
            yield return new object[] { FakeModel.Gru(2, 6, output: 3, resetAfter: false) };
            yield return new object[] { FakeModel.Gru(2, 6, layers: 2) };
            yield return new object[] { FakeModel.Rnn(4, 7, activation: Activation.Relu) };
            yield return new object[] { FakeModel.Lstm(5, 6, output: 11, vocabulary: 11, outputActivation: OutputActivation.Softmax) };
            yield return new object[] { FakeModel.Lstm(8, 64, output: 4) }; // > 64 KiB of floats: several chunks
        }

        [Theory]
        [MemberData(nameof(Models))]
        public void SaveThenLoadIsBitExact(FakeModel source)
        {
            source.Randomize(1);
            AddAwkwardValues(source);
            byte[] file = Save(source);
            Assert.Equal(BinaryParameters.HeaderSize + 4 * source.ParameterCount + 4, file.Length);
            var target = new FakeModel(source.Description).Randomize(2);
            BinaryParameters.Load(target, new MemoryStream(file));
            AssertBits(source.Snapshot(), target.Snapshot());
            Assert.Equal(1, target.SetParametersCalls);

            var trickled = new FakeModel(source.Description).Randomize(3);
            BinaryParameters.Load(trickled, new TrickleStream(file, 1));
            AssertBits(source.Snapshot(), trickled.Snapshot());
        }

        [Fact]
        public void LayoutIsLittleEndianWithCrc()
        {
            var model = FakeModel.Gru(3, 2, layers: 2, output: 1);
            var v = new float[model.ParameterCount];
            v[0] = 1f;
            v[1] = -2.5f;
            v[v.Length - 1] = 0.1f;
            model.SetParameters(v);
            byte[] file = Save(model);
            Assert.Equal(new byte[] { (byte)'R', (byte)'N', (byte)'N', (byte)'C', 1, 0, 2, 2 }, file.Take(8).ToArray());
            int[] ints = Enumerable.Range(0, 7).Select(i => BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan(8 + 4 * i))).ToArray();
            Assert.Equal(new[] { 3, 2, 2, 1, 0, 0, model.ParameterCount }, ints);
            Assert.Equal(new byte[] { 0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x20, 0xC0 }, file.Skip(36).Take(8).ToArray());
            Assert.Equal(new byte[] { 0xCD, 0xCC, 0xCC, 0x3D }, file.Skip(36 + 4 * (model.ParameterCount - 1)).Take(4).ToArray());
            Assert.Equal(Crc(file.AsSpan(0, file.Length - 4)), BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(file.Length - 4)));

            var flags = new[]
            {
                (FakeModel.Lstm(1, 1, peephole: true), (byte)1, (byte)1),
                (FakeModel.Rnn(1, 1, activation: Activation.Relu), (byte)0, (byte)4),
                (FakeModel.Gru(1, 1, resetAfter: false), (byte)2, (byte)0),
                (FakeModel.Lstm(1, 1), (byte)1, (byte)0), // ResetAfter is true in the description but means nothing for an LSTM
            };
            foreach (var (m, cell, flag) in flags)
            {
                byte[] f = Save(m);
                Assert.Equal(cell, f[6]);
                Assert.Equal(flag, f[7]);
            }
        }

        [Fact]
        public void LoadReadsExactlyTheFileAndIgnoresSequenceLengthAndOutputMode()
        {
            var d = new ModelDescription(CellKind.Lstm, 2, 3, 1, 1, 0, 50, Activation.Tanh, OutputActivation.Tanh, OutputMode.Sequence, false, true);
            var source = new FakeModel(d).Randomize(4);
            byte[] file = Save(source);
            byte[] followed = file.Concat(new byte[] { 1, 2, 3, 4, 5 }).ToArray();
            var other = new ModelDescription(CellKind.Lstm, 2, 3, 1, 1, 0, 0, Activation.Tanh, OutputActivation.Tanh, OutputMode.Last, false, true);
            var target = new FakeModel(other).Randomize(5);
            var stream = new TrickleStream(followed, 3);
            BinaryParameters.Load(target, stream);
            Assert.Equal(file.Length, stream.BytesRead);
            AssertBits(source.Snapshot(), target.Snapshot());
        }

        // ---- refusals ----

        private static FakeModel Lstm16() => FakeModel.Lstm(1, 16, output: 1).Randomize(10);

        [Fact]
        public void ValidFileLoadsIntoBaseModel()
        {
            var model = Lstm16();
            BinaryParameters.Load(model, new MemoryStream(Save(FakeModel.Lstm(1, 16, output: 1).Randomize(11))));
            AssertBits(FakeModel.Lstm(1, 16, output: 1).Randomize(11).Snapshot(), model.Snapshot());
        }

        [Fact]
        public void RefusesBadMagic()
        {
            byte[] file = Save(Lstm16());
            file[0] = (byte)'X';
            AssertRefused(Lstm16(), LoadBytes(file), "Not an RnnCodegen parameter file");
            AssertRefused(Lstm16(), LoadBytes(Encoding.UTF8.GetBytes("{\"rnn.weight_ih_l0\": [[1]]}")), "Not an RnnCodegen parameter file");
            AssertRefused(Lstm16(), LoadBytes(Array.Empty<byte>()), "Not an RnnCodegen parameter file", "empty");
            AssertRefused(Lstm16(), LoadBytes(new byte[] { (byte)'R', (byte)'N' }), "Not an RnnCodegen parameter file");
        }

        [Fact]
        public void RefusesUnknownVersion()
        {
            byte[] file = Save(Lstm16());
            file[4] = 2;
            AssertRefused(Lstm16(), LoadBytes(FixCrc(file)), "version 2 is not supported");
        }

        [Fact]
        public void RefusesAnotherShapeShowingBoth()
        {
            byte[] file = Save(FakeModel.Lstm(1, 16, output: 1).Randomize(12));
            var model = FakeModel.Lstm(1, 32, output: 1).Randomize(13);
            AssertRefused(model, LoadBytes(file), "file holds LSTM(1->16, layers 1) + Dense(1, Identity), model is LSTM(1->32, layers 1) + Dense(1, Identity)");

            AssertRefused(FakeModel.Gru(2, 3, resetAfter: false).Randomize(14), LoadBytes(Save(FakeModel.Gru(2, 3))),
                "file holds GRU(2->3, layers 1), model is GRU(reset_after=false, 2->3, layers 1)");
            AssertRefused(FakeModel.Rnn(2, 3).Randomize(15), LoadBytes(Save(FakeModel.Rnn(2, 3, activation: Activation.Relu))),
                "file holds RNN(relu, 2->3, layers 1), model is RNN(2->3, layers 1)");
            AssertRefused(FakeModel.Lstm(1, 16, output: 1).Randomize(16), LoadBytes(Save(FakeModel.Lstm(1, 16, output: 1, outputActivation: OutputActivation.Sigmoid))),
                "Dense(1, Sigmoid), model is LSTM(1->16, layers 1) + Dense(1, Identity)");
            AssertRefused(FakeModel.Lstm(1, 16, output: 1).Randomize(17), LoadBytes(Save(FakeModel.Lstm(1, 16, output: 1, peephole: true))),
                "file holds LSTM(peephole, 1->16, layers 1)");
            AssertRefused(FakeModel.Lstm(3, 4, output: 2, vocabulary: 2).Randomize(18), LoadBytes(Save(FakeModel.Lstm(3, 4, output: 2))),
                "file holds LSTM(3->4, layers 1) + Dense(2, Identity), model is Embedding(2, 3) + LSTM(3->4, layers 1) + Dense(2, Identity)");
        }

        [Fact]
        public void RefusesCorruptHeaderFields()
        {
            byte[] file = Save(Lstm16());
            byte[] count = (byte[])file.Clone();
            BinaryPrimitives.WriteInt32LittleEndian(count.AsSpan(32), int.MaxValue);
            AssertRefused(Lstm16(), LoadBytes(FixCrc(count)), "declares 2147483647 parameters");
            byte[] cell = (byte[])file.Clone();
            cell[6] = 9;
            AssertRefused(Lstm16(), LoadBytes(FixCrc(cell)), "unknown cell kind 9");
            byte[] flags = (byte[])file.Clone();
            flags[7] = 0x80;
            AssertRefused(Lstm16(), LoadBytes(FixCrc(flags)), "unknown flags 0x80");
            byte[] wrongFlag = (byte[])file.Clone();
            wrongFlag[7] = 2; // reset_after on an LSTM
            AssertRefused(Lstm16(), LoadBytes(FixCrc(wrongFlag)), "do not apply to the LSTM cell");
            byte[] activation = (byte[])file.Clone();
            activation[28] = 7;
            AssertRefused(Lstm16(), LoadBytes(FixCrc(activation)), "unknown output activation 7");
        }

        [Fact]
        public void RefusesEveryTruncation()
        {
            var source = FakeModel.Rnn(1, 2, output: 1).Randomize(19);
            byte[] file = Save(source);
            for (int length = 0; length < file.Length; length++)
            {
                var model = FakeModel.Rnn(1, 2, output: 1).Randomize(20);
                var ex = AssertRefused(model, m => BinaryParameters.Load(m, new TrickleStream(file.AsSpan(0, length).ToArray(), 2)));
                if (length >= 6) Assert.Contains("truncated", ex.Message);
            }
            var big = FakeModel.Lstm(8, 64, output: 4).Randomize(21);
            byte[] bigFile = Save(big);
            AssertRefused(FakeModel.Lstm(8, 64, output: 4), LoadBytes(bigFile.AsSpan(0, 70000).ToArray()), "truncated in its parameters (17491 of " + big.ParameterCount + " values present)");
            AssertRefused(FakeModel.Lstm(8, 64, output: 4), LoadBytes(bigFile.AsSpan(0, bigFile.Length - 1).ToArray()), "truncated in its CRC-32");
        }

        [Fact]
        public void RefusesAnyFlippedByteInValuesOrCrc()
        {
            var source = FakeModel.Gru(1, 2, output: 1).Randomize(22);
            byte[] file = Save(source);
            for (int i = BinaryParameters.HeaderSize; i < file.Length; i++)
            {
                byte[] bad = (byte[])file.Clone();
                bad[i] ^= 0x10;
                AssertRefused(FakeModel.Gru(1, 2, output: 1).Randomize(23), LoadBytes(bad), "CRC-32");
            }
            // and in the header: refused too (as another model, a corrupt header or a CRC mismatch)
            for (int i = 0; i < BinaryParameters.HeaderSize; i++)
            {
                byte[] bad = (byte[])file.Clone();
                bad[i] ^= 0x01;
                AssertRefused(FakeModel.Gru(1, 2, output: 1).Randomize(24), LoadBytes(bad));
            }
        }

        [Fact]
        public void RefusesNonFiniteValuesEvenWithValidCrc()
        {
            var model = FakeModel.Lstm(1, 2, output: 1);
            byte[] file = Save(model.Randomize(25));
            int index = model.ParameterInfos.First(p => p.Name == "rnn.weight_hh_l0").Offset + 3; // [1, 1] of [8, 2]
            foreach (float value in new[] { float.NaN, float.PositiveInfinity, float.NegativeInfinity })
            {
                byte[] bad = (byte[])file.Clone();
                BinaryPrimitives.WriteInt32LittleEndian(bad.AsSpan(36 + 4 * index), BitConverter.SingleToInt32Bits(value));
                AssertRefused(FakeModel.Lstm(1, 2, output: 1).Randomize(26), LoadBytes(FixCrc(bad)), "rnn.weight_hh_l0[1, 1]", "not a finite value");
            }
        }

        [Fact]
        public void SaveRefusesNonFiniteModelAndWritesNothing()
        {
            var model = FakeModel.Rnn(1, 2).Randomize(27);
            var v = model.Snapshot();
            v[2] = float.PositiveInfinity; // rnn.weight_hh_l0[0, 0]
            model.SetParameters(v);
            var stream = new MemoryStream();
            var ex = Assert.Throws<InvalidOperationException>(() => BinaryParameters.Save(model, stream));
            Assert.Contains("rnn.weight_hh_l0[0, 0]", ex.Message);
            Assert.Equal(0, stream.Length);
        }

        [Fact]
        public void NullAndUnusableArguments()
        {
            var model = Lstm16();
            Assert.Throws<ArgumentNullException>("stream", () => BinaryParameters.Load(model, null!));
            Assert.Throws<ArgumentNullException>("stream", () => BinaryParameters.Save(model, null!));
            Assert.Throws<ArgumentNullException>("model", () => BinaryParameters.Load(null!, new MemoryStream()));
            Assert.Throws<ArgumentNullException>("model", () => BinaryParameters.Save(null!, new MemoryStream()));
            Assert.Throws<ArgumentException>("stream", () => BinaryParameters.Save(model, new MemoryStream(new byte[8], writable: false)));
            Assert.Equal(0, model.SetParametersCalls);
        }
    }
}
