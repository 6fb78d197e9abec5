using System;
using System.Buffers.Binary;
using System.IO;

namespace RnnCodegen
{
    /// <summary>
    /// The optimizer-state file of generated models (<c>SaveTrainingState</c>/<c>LoadTrainingState</c>): little-endian,
    /// magic "RNNS", uint16 version 1, int32 optimizer (the <see cref="Optimizer"/> value), int32 parameter count,
    /// int32 step count, int32 buffer count, then each buffer's parameter-count floats, then a CRC-32 of all before it.
    /// </summary>
    public static class TrainingState
    {
        private static ReadOnlySpan<byte> Magic => new byte[] { (byte)'R', (byte)'N', (byte)'N', (byte)'S' };

        private const int HeaderSize = 4 + 2 + 4 * 4;

        /// <summary>Writes an optimizer state.</summary>
        public static void Save(Stream stream, Optimizer optimizer, int parameterCount, int step, float[]? first, float[]? second)
        {
            if (stream is null) throw new ArgumentNullException(nameof(stream));
            if (!stream.CanWrite) throw new ArgumentException("The stream is not writable.", nameof(stream));
            int buffers = second is not null ? 2 : first is not null ? 1 : 0;
            var data = new byte[HeaderSize + buffers * 4L * parameterCount + 4];
            Magic.CopyTo(data);
            BinaryPrimitives.WriteUInt16LittleEndian(data.AsSpan(4), 1);
            BinaryPrimitives.WriteInt32LittleEndian(data.AsSpan(6), (int)optimizer);
            BinaryPrimitives.WriteInt32LittleEndian(data.AsSpan(10), parameterCount);
            BinaryPrimitives.WriteInt32LittleEndian(data.AsSpan(14), step);
            BinaryPrimitives.WriteInt32LittleEndian(data.AsSpan(18), buffers);
            int offset = HeaderSize;
            foreach (var buffer in new[] { first, second })
            {
                if (buffer is null) continue;
                if (buffer.Length != parameterCount) throw new ArgumentException("Every optimizer buffer holds one value per parameter.");
                for (int i = 0; i < buffer.Length; i++, offset += 4) BinaryPrimitives.WriteInt32LittleEndian(data.AsSpan(offset), SingleToInt32Bits(buffer[i]));
            }
            BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(offset), Crc32.Finish(Crc32.Update(Crc32.Start, data.AsSpan(0, offset))));
            stream.Write(data, 0, data.Length);
        }

        /// <summary>Reads an optimizer state into <paramref name="first"/>/<paramref name="second"/> and returns the step count; nothing is written unless the whole file is valid.</summary>
        public static int Load(Stream stream, Optimizer optimizer, int parameterCount, float[]? first, float[]? second)
        {
            if (stream is null) throw new ArgumentNullException(nameof(stream));
            if (!stream.CanRead) throw new ArgumentException("The stream is not readable.", nameof(stream));
            int buffers = second is not null ? 2 : first is not null ? 1 : 0;
            long size = HeaderSize + buffers * 4L * parameterCount + 4;
            var data = new byte[size];
            int read = WeightFile.ReadFully(stream, data, 0, data.Length);
            if (read < HeaderSize || !data.AsSpan(0, 4).SequenceEqual(Magic)) throw new InvalidDataException("Not an RnnCodegen training-state file (expected the magic bytes \"RNNS\").");
            ushort version = BinaryPrimitives.ReadUInt16LittleEndian(data.AsSpan(4));
            if (version != 1) throw new InvalidDataException("Unsupported training-state version " + version + " (expected 1).");
            int fileOptimizer = BinaryPrimitives.ReadInt32LittleEndian(data.AsSpan(6));
            int fileCount = BinaryPrimitives.ReadInt32LittleEndian(data.AsSpan(10));
            int step = BinaryPrimitives.ReadInt32LittleEndian(data.AsSpan(14));
            int fileBuffers = BinaryPrimitives.ReadInt32LittleEndian(data.AsSpan(18));
            if (fileOptimizer != (int)optimizer) throw new InvalidDataException("The file holds the state of optimizer " + Name(fileOptimizer) + ", this model uses " + optimizer + ".");
            if (fileCount != parameterCount || fileBuffers != buffers) throw new InvalidDataException("The file holds " + fileBuffers + " buffer(s) of " + fileCount + " values, this model expects " + buffers + " of " + parameterCount + ".");
            if (step < 0) throw new InvalidDataException("Negative optimizer step count " + step + ".");
            if (read != size) throw new InvalidDataException("The training-state file is truncated: expected " + size + " bytes, got " + read + ".");
            uint crc = BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan((int)size - 4));
            if (crc != Crc32.Finish(Crc32.Update(Crc32.Start, data.AsSpan(0, (int)size - 4)))) throw new InvalidDataException("The training-state file is corrupt (CRC-32 mismatch).");
            var values = new float[buffers * parameterCount];
            for (int i = 0; i < values.Length; i++)
            {
                values[i] = Int32BitsToSingle(BinaryPrimitives.ReadInt32LittleEndian(data.AsSpan(HeaderSize + 4 * i)));
                if (float.IsNaN(values[i]) || float.IsInfinity(values[i])) throw new InvalidDataException("Non-finite value in optimizer buffer " + (i / parameterCount) + " at index " + (i % parameterCount) + ".");
            }
            if (first is not null) values.AsSpan(0, parameterCount).CopyTo(first);
            if (second is not null) values.AsSpan(parameterCount, parameterCount).CopyTo(second);
            return step;
        }

        private static string Name(int optimizer) => Enum.IsDefined(typeof(Optimizer), optimizer) ? ((Optimizer)optimizer).ToString() : optimizer.ToString(System.Globalization.CultureInfo.InvariantCulture);

        private static unsafe int SingleToInt32Bits(float value) => *(int*)&value;

        private static unsafe float Int32BitsToSingle(int value) => *(float*)&value;
    }
}
