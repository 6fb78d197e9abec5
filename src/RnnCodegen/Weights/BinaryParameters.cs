using System;
using System.Buffers.Binary;
using System.IO;

namespace RnnCodegen
{
    /// <summary>
    /// The compact binary parameter file of RnnCodegen models (what generated <c>SaveParameters</c>/<c>LoadParameters</c> use):
    /// a header that identifies the model's shape, the flat parameter vector, and a CRC-32.
    /// </summary>
    /// <remarks>
    /// <para>Layout, every field little-endian (whatever the host's byte order):</para>
    /// <list type="table">
    /// <listheader><term>offset</term><description>field</description></listheader>
    /// <item><term>0</term><description>magic bytes <c>"RNNC"</c> (0x52 0x4E 0x4E 0x43)</description></item>
    /// <item><term>4</term><description>uint16 format version, 1</description></item>
    /// <item><term>6</term><description>uint8 cell (<see cref="CellKind"/>: 0 RNN, 1 LSTM, 2 GRU)</description></item>
    /// <item><term>7</term><description>uint8 flags: bit 0 peephole (LSTM), bit 1 reset_after (GRU), bit 2 relu activation (RNN); other bits 0.
    /// A flag is only set for the cell it applies to.</description></item>
    /// <item><term>8</term><description>int32 input, hidden, layers, output, vocabulary (5 × 4 bytes)</description></item>
    /// <item><term>28</term><description>int32 output activation (<see cref="OutputActivation"/>; 0 when there is no head)</description></item>
    /// <item><term>32</term><description>int32 parameter count N</description></item>
    /// <item><term>36</term><description>N float32: the parameters in <see cref="IRecurrentModel.ParameterInfos"/> order (PyTorch layout)</description></item>
    /// <item><term>36 + 4N</term><description>uint32 CRC-32 (IEEE, as zlib) of every byte before it</description></item>
    /// </list>
    /// <para>The header holds what determines the parameters (not <see cref="ModelDescription.SequenceLength"/> or
    /// <see cref="ModelDescription.OutputMode"/>, which a file may differ in). <see cref="Load"/> reads exactly the file's bytes
    /// and no further, so a file may be followed by other data in the same stream.</para>
    /// <para>Errors of the stream itself (an <see cref="IOException"/> from <c>Read</c>/<c>Write</c>) propagate unchanged.</para>
    /// </remarks>
    public static class BinaryParameters
    {
        /// <summary>The format version this library writes and reads.</summary>
        public const ushort FormatVersion = 1;

        /// <summary>Bytes before the parameter values.</summary>
        public const int HeaderSize = 36;

        private const int ChunkBytes = 1 << 16;
        private const byte FlagPeephole = 1, FlagResetAfter = 2, FlagRelu = 4;

        /// <summary>Writes <paramref name="model"/>'s parameters with a header identifying its shape and a CRC-32.</summary>
        /// <param name="model">The model to write.</param>
        /// <param name="stream">Receives the file; left open. Written in chunks, need not be seekable.</param>
        /// <exception cref="ArgumentNullException"><paramref name="model"/> or <paramref name="stream"/> is null.</exception>
        /// <exception cref="ArgumentException"><paramref name="stream"/> is not writable.</exception>
        /// <exception cref="InvalidOperationException">A parameter is NaN or infinite (such a file could not be loaded); nothing is written.</exception>
        public static void Save(IRecurrentModel model, Stream stream)
        {
            WeightFile.CheckModel(model, nameof(model));
            WeightFile.CheckWritable(stream, nameof(stream));
            var infos = WeightFile.GetInfos(model, nameof(model), out int count, out _);
            var values = new float[count];
            model.CopyParameters(values);
            string? bad = WeightFile.FindNonFinite(infos, values);
            if (bad != null) throw new InvalidOperationException(bad + "; the model is not saved (a parameter file never holds NaN or infinities).");

            var buffer = new byte[Math.Min(ChunkBytes, HeaderSize + 4L * count + 4)];
            WriteHeader(buffer, model.Description, count);
            uint crc = Crc32.Start;
            int used = HeaderSize;
            for (int i = 0; i < count; i++)
            {
                if (used + 4 > buffer.Length)
                {
                    crc = Crc32.Update(crc, new ReadOnlySpan<byte>(buffer, 0, used));
                    stream.Write(buffer, 0, used);
                    used = 0;
                }
                BinaryPrimitives.WriteInt32LittleEndian(new Span<byte>(buffer, used, 4), WeightFile.SingleToInt32Bits(values[i]));
                used += 4;
            }
            crc = Crc32.Update(crc, new ReadOnlySpan<byte>(buffer, 0, used));
            if (used + 4 > buffer.Length)
            {
                stream.Write(buffer, 0, used);
                used = 0;
            }
            BinaryPrimitives.WriteUInt32LittleEndian(new Span<byte>(buffer, used, 4), Crc32.Finish(crc));
            stream.Write(buffer, 0, used + 4);
            stream.Flush();
        }

        /// <summary>
        /// Loads every parameter of <paramref name="model"/> from a file written by <see cref="Save"/> for the same shape.
        /// Nothing changes unless the whole file is valid.
        /// </summary>
        /// <param name="model">The model to fill.</param>
        /// <param name="stream">The file; read up to the end of the CRC and no further. Need not be seekable.</param>
        /// <exception cref="ArgumentNullException"><paramref name="model"/> or <paramref name="stream"/> is null.</exception>
        /// <exception cref="ArgumentException"><paramref name="stream"/> is not readable.</exception>
        /// <exception cref="InvalidDataException">Not an RnnCodegen parameter file, an unknown version, another shape (the message
        /// shows both), a truncated file, a CRC mismatch or a non-finite value.</exception>
        public static void Load(IRecurrentModel model, Stream stream)
        {
            WeightFile.CheckModel(model, nameof(model));
            WeightFile.CheckReadable(stream, nameof(stream));
            var infos = WeightFile.GetInfos(model, nameof(model), out int count, out _);
            var description = model.Description;

            var header = new byte[HeaderSize];
            int got = WeightFile.ReadFully(stream, header, 0, HeaderSize);
            if (got < 4 || header[0] != (byte)'R' || header[1] != (byte)'N' || header[2] != (byte)'N' || header[3] != (byte)'C')
                throw new InvalidDataException("Not an RnnCodegen parameter file: " + (got == 0 ? "the stream is empty" : "it does not start with \"RNNC\"") + ".");
            if (got < 6) throw Truncated("in its header", got, HeaderSize);
            ushort version = BinaryPrimitives.ReadUInt16LittleEndian(new ReadOnlySpan<byte>(header, 4, 2));
            if (version != FormatVersion)
                throw new InvalidDataException("RnnCodegen parameter file format version " + WeightFile.Int(version) + " is not supported; this library reads version " + WeightFile.Int(FormatVersion) + ".");
            if (got < HeaderSize) throw Truncated("in its header", got, HeaderSize);

            int fileCount = BinaryPrimitives.ReadInt32LittleEndian(new ReadOnlySpan<byte>(header, 32, 4));
            var fileDescription = CheckShape(new ReadOnlySpan<byte>(header, 6, ShapeSize), description, "parameter file");
            if (fileCount != count)
                throw new InvalidDataException("The parameter file's header is corrupt: it declares " + WeightFile.Int(fileCount) + " parameters for " + fileDescription +
                    ", which has " + WeightFile.Int(count) + ".");

            var values = new float[count];
            uint crc = Crc32.Update(Crc32.Start, header);
            var buffer = new byte[(int)Math.Min(ChunkBytes, 4L * count + 4)];
            int done = 0;
            while (done < count)
            {
                int n = Math.Min(count - done, buffer.Length / 4);
                int read = WeightFile.ReadFully(stream, buffer, 0, n * 4);
                if (read < n * 4) throw Truncated("in its parameters (" + WeightFile.Int(done + read / 4) + " of " + WeightFile.Int(count) + " values present)", HeaderSize + 4L * done + read, FileSize(count));
                crc = Crc32.Update(crc, new ReadOnlySpan<byte>(buffer, 0, n * 4));
                for (int i = 0; i < n; i++) values[done + i] = WeightFile.Int32BitsToSingle(BinaryPrimitives.ReadInt32LittleEndian(new ReadOnlySpan<byte>(buffer, i * 4, 4)));
                done += n;
            }
            int crcRead = WeightFile.ReadFully(stream, buffer, 0, 4);
            if (crcRead < 4) throw Truncated("in its CRC-32", HeaderSize + 4L * count + crcRead, FileSize(count));
            uint stored = BinaryPrimitives.ReadUInt32LittleEndian(new ReadOnlySpan<byte>(buffer, 0, 4));
            uint computed = Crc32.Finish(crc);
            if (stored != computed)
                throw WeightFile.CrcMismatch("parameter file", stored, computed);
            string? bad = WeightFile.FindNonFinite(infos, values);
            if (bad != null) throw new InvalidDataException("The parameter file holds a non-finite value: " + bad + ".");
            model.SetParameters(values);
        }

        private static long FileSize(int count) => HeaderSize + 4L * count + 4;

        private static InvalidDataException Truncated(string where, long got, long expected) => WeightFile.Truncated("parameter file", where, got, expected);

        /// <summary>Writes the 36-byte header of <paramref name="d"/>, normalised so only shape-relevant fields are set.</summary>
        private static void WriteHeader(byte[] buffer, ModelDescription d, int count)
        {
            var span = new Span<byte>(buffer);
            span[0] = (byte)'R';
            span[1] = (byte)'N';
            span[2] = (byte)'N';
            span[3] = (byte)'C';
            BinaryPrimitives.WriteUInt16LittleEndian(span.Slice(4), FormatVersion);
            WriteShape(span.Slice(6, ShapeSize), d);
            BinaryPrimitives.WriteInt32LittleEndian(span.Slice(32), count);
        }

        /// <summary>Bytes of the shape record (header offsets 6 to 31): cell, flags, five sizes, output activation.</summary>
        internal const int ShapeSize = 26;

        /// <summary>
        /// Writes the shape record of <paramref name="d"/>: what determines its parameters, normalised so that a flag is set
        /// only for the cell it applies to and the output activation only with a head. The training-state file reuses it.
        /// </summary>
        internal static void WriteShape(Span<byte> span, ModelDescription d)
        {
            span[0] = (byte)d.Cell;
            byte flags = 0;
            if (d.Cell == CellKind.Lstm && d.Peephole) flags |= FlagPeephole;
            if (d.Cell == CellKind.Gru && d.ResetAfter) flags |= FlagResetAfter;
            if (d.Cell == CellKind.Rnn && d.Activation == Activation.Relu) flags |= FlagRelu;
            span[1] = flags;
            BinaryPrimitives.WriteInt32LittleEndian(span.Slice(2), d.InputSize);
            BinaryPrimitives.WriteInt32LittleEndian(span.Slice(6), d.HiddenSize);
            BinaryPrimitives.WriteInt32LittleEndian(span.Slice(10), d.LayerCount);
            BinaryPrimitives.WriteInt32LittleEndian(span.Slice(14), d.OutputSize);
            BinaryPrimitives.WriteInt32LittleEndian(span.Slice(18), d.Vocabulary);
            BinaryPrimitives.WriteInt32LittleEndian(span.Slice(22), d.OutputSize > 0 ? (int)d.OutputActivation : 0);
        }

        /// <summary>
        /// Decodes a shape record written by <see cref="WriteShape"/> and checks it against <paramref name="model"/>; returns the
        /// file's description. A corrupt record or another model's shape throws <see cref="InvalidDataException"/> that names
        /// <paramref name="fileKind"/> ("parameter file", "training-state file") and both shapes.
        /// </summary>
        internal static ModelDescription CheckShape(ReadOnlySpan<byte> shape, ModelDescription model, string fileKind)
        {
            int cell = shape[0];
            int flags = shape[1];
            int input = BinaryPrimitives.ReadInt32LittleEndian(shape.Slice(2));
            int hidden = BinaryPrimitives.ReadInt32LittleEndian(shape.Slice(6));
            int layers = BinaryPrimitives.ReadInt32LittleEndian(shape.Slice(10));
            int output = BinaryPrimitives.ReadInt32LittleEndian(shape.Slice(14));
            int vocabulary = BinaryPrimitives.ReadInt32LittleEndian(shape.Slice(18));
            int outputActivation = BinaryPrimitives.ReadInt32LittleEndian(shape.Slice(22));
            string corrupt = "The " + fileKind + "'s header is corrupt: ";
            if (cell > (int)CellKind.Gru) throw new InvalidDataException(corrupt + "unknown cell kind " + WeightFile.Int(cell) + ".");
            if ((flags & ~(FlagPeephole | FlagResetAfter | FlagRelu)) != 0)
                throw new InvalidDataException(corrupt + "unknown flags 0x" + flags.ToString("X2", System.Globalization.CultureInfo.InvariantCulture) + ".");
            if (outputActivation < 0 || outputActivation > (int)OutputActivation.Softmax)
                throw new InvalidDataException(corrupt + "unknown output activation " + WeightFile.Int(outputActivation) + ".");
            if (((flags & FlagPeephole) != 0 && cell != (int)CellKind.Lstm) || ((flags & FlagResetAfter) != 0 && cell != (int)CellKind.Gru) ||
                ((flags & FlagRelu) != 0 && cell != (int)CellKind.Rnn))
                throw new InvalidDataException(corrupt + "flags 0x" + flags.ToString("X2", System.Globalization.CultureInfo.InvariantCulture) +
                    " do not apply to the " + ((CellKind)cell).ToString().ToUpperInvariant() + " cell.");
            if (output <= 0 && outputActivation != 0) throw new InvalidDataException(corrupt + "an output activation without a head.");

            var fileDescription = new ModelDescription((CellKind)cell, input, hidden, layers, output, vocabulary, model.SequenceLength,
                (flags & FlagRelu) != 0 ? Activation.Relu : Activation.Tanh, (OutputActivation)outputActivation, model.OutputMode,
                (flags & FlagPeephole) != 0, (flags & FlagResetAfter) != 0);
            Span<byte> expected = stackalloc byte[ShapeSize];
            WriteShape(expected, model);
            if (!shape.Slice(0, ShapeSize).SequenceEqual(expected))
                throw new InvalidDataException("The " + fileKind + " is for another model: file holds " + fileDescription + ", model is " + model + ".");
            return fileDescription;
        }
    }
}
