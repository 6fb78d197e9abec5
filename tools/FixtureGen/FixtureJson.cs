using System;
using System.Buffers;
using System.Collections.Generic;
using System.IO;
using System.Text;
using System.Text.Json;

namespace FixtureGen
{
    /// <summary>
    /// Writes fixture JSON with <see cref="Utf8JsonWriter"/>: indented objects, one matrix row (or one whole
    /// vector) per line. Numbers are written in the shortest form that round-trips the double exactly,
    /// independent of culture; NaN or infinity throws.
    /// </summary>
    internal sealed class FixtureJson : IDisposable
    {
        private const int IndentSize = 2;
        private readonly string path;
        private readonly string temporary;
        private readonly FileStream stream;
        private bool completed;
        private readonly Utf8JsonWriter writer;
        private readonly ArrayBufferWriter<byte> rowBuffer = new();
        private readonly Utf8JsonWriter rowWriter;

        public FixtureJson(string path)
        {
            this.path = Path.GetFullPath(path);
            temporary = this.path + ".tmp";
            Directory.CreateDirectory(Path.GetDirectoryName(this.path)!);
            stream = File.Create(temporary);
            writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, IndentSize = IndentSize });
            rowWriter = new Utf8JsonWriter(rowBuffer);
            writer.WriteStartObject();
        }

        public void String(string name, string value) => writer.WriteString(name, value);
        public void Number(string name, double value) => writer.WriteNumber(name, value);
        public void Number(string name, long value) => writer.WriteNumber(name, value);
        public void Bool(string name, bool value) => writer.WriteBoolean(name, value);

        /// <summary>A flat array of numbers on one line.</summary>
        public void Vector(string name, IReadOnlyList<double> values)
        {
            writer.WritePropertyName(name);
            Row(values, 0, values.Count);
        }

        /// <summary>A flat array of integers on one line.</summary>
        public void Integers(string name, IReadOnlyList<long> values)
        {
            writer.WritePropertyName(name);
            IntegerRow(values, null);
        }

        /// <summary>A 2-D array of integers, one row per line.</summary>
        public void IntegerRows(string name, IReadOnlyList<IReadOnlyList<long>> rows)
        {
            writer.WritePropertyName(name);
            writer.WriteStartArray();
            string indent = "\n" + new string(' ', writer.CurrentDepth * IndentSize);
            foreach (var values in rows) IntegerRow(values, indent);
            writer.WriteEndArray();
        }

        /// <summary>One array of integers as a raw value on one line, after <paramref name="indent"/> when given.</summary>
        private void IntegerRow(IReadOnlyList<long> values, string? indent)
        {
            rowBuffer.ResetWrittenCount();
            if (indent is not null) rowBuffer.Write(Encoding.ASCII.GetBytes(indent));
            rowWriter.Reset();
            rowWriter.WriteStartArray();
            foreach (long v in values) rowWriter.WriteNumberValue(v);
            rowWriter.WriteEndArray();
            rowWriter.Flush();
            writer.WriteRawValue(rowBuffer.WrittenSpan, skipInputValidation: true);
        }

        /// <summary>A tensor: a 1-D array, or a 2-D array of rows (one row per line).</summary>
        public void Tensor(string name, TensorData tensor)
        {
            if (tensor.Shape.Length == 1)
            {
                Vector(name, tensor.Values);
                return;
            }
            writer.WritePropertyName(name);
            writer.WriteStartArray();
            // The writer does not indent raw values; a row starts on its own line, indented by hand.
            string indent = "\n" + new string(' ', writer.CurrentDepth * IndentSize);
            for (int r = 0; r < tensor.Rows; r++) Row(tensor.Values, r * tensor.Columns, tensor.Columns, indent);
            writer.WriteEndArray();
        }

        /// <summary>An object of tensors in the given order (a state dict).</summary>
        public void Tensors(string name, OrderedDictionary<string, TensorData> tensors)
        {
            writer.WritePropertyName(name);
            writer.WriteStartObject();
            foreach (var (key, value) in tensors) Tensor(key, value);
            writer.WriteEndObject();
        }

        private void Row(IReadOnlyList<double> values, int start, int count, string? lineStart = null)
        {
            rowBuffer.ResetWrittenCount();
            if (lineStart is not null) rowBuffer.Write(Encoding.ASCII.GetBytes(lineStart));
            rowWriter.Reset();
            rowWriter.WriteStartArray();
            for (int i = start; i < start + count; i++)
            {
                double v = values[i];
                if (!double.IsFinite(v)) throw new InvalidDataException($"refusing to write a non-finite number ({v})");
                rowWriter.WriteNumberValue(v);
            }
            rowWriter.WriteEndArray();
            rowWriter.Flush();
            writer.WriteRawValue(rowBuffer.WrittenSpan, skipInputValidation: true);
        }

        /// <summary>Closes the object and moves the finished file into place.</summary>
        public void Complete()
        {
            writer.WriteEndObject();
            writer.Flush();
            stream.WriteByte((byte)'\n');
            completed = true;
            Dispose();
            File.Move(temporary, path, overwrite: true);
        }

        /// <summary>Releases the file; an incomplete one is deleted, so no half-written fixture is left behind.</summary>
        public void Dispose()
        {
            writer.Dispose();
            rowWriter.Dispose();
            stream.Dispose();
            if (!completed) File.Delete(temporary);
        }
    }
}
