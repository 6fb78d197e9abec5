using System;
using System.Buffers.Binary;
using System.IO;

namespace RnnCodegen
{
    /// <summary>
    /// The training-state file of generated models (<c>SaveTrainingState</c>/<c>LoadTrainingState</c>): what a resumed run
    /// needs besides the parameters, namely the optimizer's buffers, its step count and the dropout generator.
    /// </summary>
    /// <remarks>
    /// <para>Layout, every field little-endian:</para>
    /// <list type="table">
    /// <listheader><term>offset</term><description>field</description></listheader>
    /// <item><term>0</term><description>magic bytes <c>"RNNS"</c></description></item>
    /// <item><term>4</term><description>uint16 format version, 2</description></item>
    /// <item><term>6</term><description>the model's shape: the 26 bytes at the same offsets of a <see cref="BinaryParameters"/> file
    /// (cell, flags, input, hidden, layers, output, vocabulary, output activation)</description></item>
    /// <item><term>32</term><description>int32 optimizer (the <see cref="Optimizer"/> value)</description></item>
    /// <item><term>36</term><description>int32 parameter count N</description></item>
    /// <item><term>40</term><description>int32 optimizer step count (at least 0)</description></item>
    /// <item><term>44</term><description>int32 buffer count B (Adam 2, Momentum and RMSprop 1, SGD 0)</description></item>
    /// <item><term>48</term><description>uint64 dropout generator state; 0 when the model that wrote the file has no dropout</description></item>
    /// <item><term>56</term><description>B × N float32: the buffers (Adam: first then second moment), finite; the second moment
    /// and RMSprop's square average are at least 0</description></item>
    /// <item><term>56 + 4BN</term><description>uint32 CRC-32 (IEEE) of every byte before it</description></item>
    /// </list>
    /// <para>Version 1 files (no shape, no dropout state) are refused: nothing in them shows which model wrote them.</para>
    /// </remarks>
    public static class TrainingState
    {
        /// <summary>The format version this library writes and reads.</summary>
        public const ushort FormatVersion = 2;

        private static ReadOnlySpan<byte> Magic => new byte[] { (byte)'R', (byte)'N', (byte)'N', (byte)'S' };

        private const int ShapeOffset = 6, OptimizerOffset = 32, CountOffset = 36, StepOffset = 40, BuffersOffset = 44, DropoutOffset = 48;
        private const int HeaderSize = 56;

        /// <summary>Writes a training state.</summary>
        /// <param name="stream">Receives the file; left open.</param>
        /// <param name="model">The shape of the model the state belongs to (checked again on load).</param>
        /// <param name="optimizer">The model's optimizer.</param>
        /// <param name="parameterCount">The length of every buffer.</param>
        /// <param name="step">The optimizer updates applied so far.</param>
        /// <param name="dropoutState">The dropout generator's state, 0 for a model without dropout.</param>
        /// <param name="first">The first optimizer buffer (Adam's first moment, the momentum buffer, RMSprop's square average), or null.</param>
        /// <param name="second">Adam's second moment, or null.</param>
        public static void Save(Stream stream, ModelDescription model, Optimizer optimizer, int parameterCount, int step, ulong dropoutState, float[]? first, float[]? second)
        {
            if (stream is null) throw new ArgumentNullException(nameof(stream));
            if (model is null) throw new ArgumentNullException(nameof(model));
            if (!stream.CanWrite) throw new ArgumentException("The stream is not writable.", nameof(stream));
            if (second is not null && first is null) throw new ArgumentException("A second optimizer buffer needs a first.", nameof(second));
            int buffers = second is not null ? 2 : first is not null ? 1 : 0;
            var data = new byte[HeaderSize + buffers * 4L * parameterCount + 4];
            Magic.CopyTo(data);
            BinaryPrimitives.WriteUInt16LittleEndian(data.AsSpan(4), FormatVersion);
            BinaryParameters.WriteShape(data.AsSpan(ShapeOffset, BinaryParameters.ShapeSize), model);
            BinaryPrimitives.WriteInt32LittleEndian(data.AsSpan(OptimizerOffset), (int)optimizer);
            BinaryPrimitives.WriteInt32LittleEndian(data.AsSpan(CountOffset), parameterCount);
            BinaryPrimitives.WriteInt32LittleEndian(data.AsSpan(StepOffset), step);
            BinaryPrimitives.WriteInt32LittleEndian(data.AsSpan(BuffersOffset), buffers);
            BinaryPrimitives.WriteUInt64LittleEndian(data.AsSpan(DropoutOffset), dropoutState);
            int offset = HeaderSize;
            foreach (var buffer in new[] { first, second })
            {
                if (buffer is null) continue;
                if (buffer.Length != parameterCount) throw new ArgumentException("Every optimizer buffer holds one value per parameter.");
                for (int i = 0; i < buffer.Length; i++, offset += 4) BinaryPrimitives.WriteInt32LittleEndian(data.AsSpan(offset), WeightFile.SingleToInt32Bits(buffer[i]));
            }
            BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(offset), Crc32.Finish(Crc32.Update(Crc32.Start, data.AsSpan(0, offset))));
            stream.Write(data, 0, data.Length);
        }

        /// <summary>
        /// Reads a training state written by <see cref="Save"/> for the same model shape and optimizer into
        /// <paramref name="first"/>/<paramref name="second"/>, and returns the step count. Nothing is written unless the whole
        /// file is valid; whatever is wrong with it throws <see cref="InvalidDataException"/>.
        /// </summary>
        /// <param name="stream">The file; read up to its end and no further.</param>
        /// <param name="model">The shape of the model loading the state; a file written for another shape is refused.</param>
        /// <param name="optimizer">The model's optimizer; another optimizer's file is refused.</param>
        /// <param name="parameterCount">The length of every buffer.</param>
        /// <param name="first">Receives the first optimizer buffer, or null when the optimizer has none.</param>
        /// <param name="second">Receives Adam's second moment, or null.</param>
        /// <param name="dropoutState">The file's dropout generator state; 0 when the file was written by a model without dropout.</param>
        public static int Load(Stream stream, ModelDescription model, Optimizer optimizer, int parameterCount, float[]? first, float[]? second, out ulong dropoutState)
        {
            if (stream is null) throw new ArgumentNullException(nameof(stream));
            if (model is null) throw new ArgumentNullException(nameof(model));
            if (!stream.CanRead) throw new ArgumentException("The stream is not readable.", nameof(stream));
            int buffers = second is not null ? 2 : first is not null ? 1 : 0;
            long size = HeaderSize + buffers * 4L * parameterCount + 4;
            var data = new byte[size];
            int read = WeightFile.ReadFully(stream, data, 0, data.Length);
            if (read < 4 || !data.AsSpan(0, 4).SequenceEqual(Magic))
                throw new InvalidDataException("Not an RnnCodegen training-state file: " + (read == 0 ? "the stream is empty" : "it does not start with \"RNNS\"") + ".");
            if (read < 6) throw Truncated("in its header", read, size);
            ushort version = BinaryPrimitives.ReadUInt16LittleEndian(data.AsSpan(4));
            if (version != FormatVersion)
            {
                throw new InvalidDataException("RnnCodegen training-state format version " + WeightFile.Int(version) + " is not supported; this library reads version " + WeightFile.Int(FormatVersion) +
                    (version == 1 ? " (version 1 files do not record which model wrote them; save the state again)." : "."));
            }
            if (read < HeaderSize) throw Truncated("in its header", read, size);
            BinaryParameters.CheckShape(data.AsSpan(ShapeOffset, BinaryParameters.ShapeSize), model, FileKind);
            int fileOptimizer = BinaryPrimitives.ReadInt32LittleEndian(data.AsSpan(OptimizerOffset));
            int fileCount = BinaryPrimitives.ReadInt32LittleEndian(data.AsSpan(CountOffset));
            int step = BinaryPrimitives.ReadInt32LittleEndian(data.AsSpan(StepOffset));
            int fileBuffers = BinaryPrimitives.ReadInt32LittleEndian(data.AsSpan(BuffersOffset));
            ulong dropout = BinaryPrimitives.ReadUInt64LittleEndian(data.AsSpan(DropoutOffset));
            if (fileOptimizer != (int)optimizer) throw new InvalidDataException("The training-state file holds the state of optimizer " + Name(fileOptimizer) + ", this model uses " + optimizer + ".");
            if (fileCount != parameterCount || fileBuffers != buffers)
            {
                throw new InvalidDataException("The training-state file's header is corrupt: it declares " + WeightFile.Int(fileBuffers) + " buffer(s) of " + WeightFile.Int(fileCount) +
                    " values, this model's " + optimizer + " state is " + WeightFile.Int(buffers) + " of " + WeightFile.Int(parameterCount) + ".");
            }
            if (step < 0) throw new InvalidDataException("The training-state file's header is corrupt: negative optimizer step count " + WeightFile.Int(step) + ".");
            if (read != size) throw Truncated("in its buffers", read, size);
            uint stored = BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan((int)size - 4));
            uint computed = Crc32.Finish(Crc32.Update(Crc32.Start, data.AsSpan(0, (int)size - 4)));
            if (stored != computed) throw WeightFile.CrcMismatch(FileKind, stored, computed);
            // Adam's second moment and RMSprop's square average are averages of squares: a negative one would make the next
            // update take the square root of a negative number and turn every parameter into NaN.
            int nonNegative = optimizer == Optimizer.Adam ? 1 : optimizer == Optimizer.RmsProp ? 0 : -1;
            var values = new float[buffers * parameterCount];
            for (int i = 0; i < values.Length; i++)
            {
                float v = WeightFile.Int32BitsToSingle(BinaryPrimitives.ReadInt32LittleEndian(data.AsSpan(HeaderSize + 4 * i)));
                if (float.IsNaN(v) || float.IsInfinity(v))
                    throw new InvalidDataException("The training-state file holds a non-finite value in " + BufferName(optimizer, i / parameterCount) + " at index " + WeightFile.Int(i % parameterCount) + ".");
                if (v < 0f && i / parameterCount == nonNegative)
                {
                    throw new InvalidDataException("The training-state file holds a negative value (" + v.ToString("R", System.Globalization.CultureInfo.InvariantCulture) + ") in " +
                        BufferName(optimizer, i / parameterCount) + " at index " + WeightFile.Int(i % parameterCount) + ", which is an average of squares.");
                }
                values[i] = v;
            }
            if (first is not null) values.AsSpan(0, parameterCount).CopyTo(first);
            if (second is not null) values.AsSpan(parameterCount, parameterCount).CopyTo(second);
            dropoutState = dropout;
            return step;
        }

        private static string BufferName(Optimizer optimizer, int buffer) => optimizer switch
        {
            Optimizer.Adam => buffer == 0 ? "Adam's first moment" : "Adam's second moment",
            Optimizer.Momentum => "the momentum buffer",
            Optimizer.RmsProp => "RMSprop's square average",
            _ => "buffer " + WeightFile.Int(buffer),
        };

        private const string FileKind = "training-state file";

        private static InvalidDataException Truncated(string where, long got, long expected) => WeightFile.Truncated(FileKind, where, got, expected);

        private static string Name(int optimizer) => Enum.IsDefined(typeof(Optimizer), optimizer) ? ((Optimizer)optimizer).ToString() : WeightFile.Int(optimizer);
    }
}
