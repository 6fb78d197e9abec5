using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;

namespace RnnCodegen
{
    /// <summary>Helpers shared by the weight-file readers and writers: argument checks, bounded stream reading, message formatting.</summary>
    internal static class WeightFile
    {
        /// <summary>Deepest JSON nesting any accepted file needs (Keras: object, layers, layer, weights, tensor rows: 6).</summary>
        internal const int MaxJsonDepth = 16;

        /// <summary>The largest array a stream is read into (the CLR's byte-array limit).</summary>
        private const int MaxArrayLength = 0x7FFFFFC7;

        /// <summary>The most bytes a JSON weight file may have for a model of <paramref name="parameterCount"/> parameters: 64 per parameter + 1 MiB.</summary>
        internal static long MaxJsonBytes(int parameterCount) => 64L * parameterCount + (1L << 20);

        internal static void CheckModel(IRecurrentModel model, string paramName)
        {
            if (model is null) throw new ArgumentNullException(paramName);
        }

        internal static void CheckReadable(Stream stream, string paramName)
        {
            if (stream is null) throw new ArgumentNullException(paramName);
            if (!stream.CanRead) throw new ArgumentException("The stream is not readable.", paramName);
        }

        internal static void CheckWritable(Stream stream, string paramName)
        {
            if (stream is null) throw new ArgumentNullException(paramName);
            if (!stream.CanWrite) throw new ArgumentException("The stream is not writable.", paramName);
        }

        /// <summary>
        /// Reads the model's parameter list and checks that it is self-consistent (unique names, tensors inside the flat vector),
        /// so the readers can trust offsets. A broken model is a bad argument.
        /// </summary>
        internal static ParameterInfo[] GetInfos(IRecurrentModel model, string paramName, out int parameterCount, out Dictionary<string, ParameterInfo> byName)
        {
            parameterCount = model.ParameterCount;
            var list = model.ParameterInfos;
            if (parameterCount < 0 || list is null) throw new ArgumentException("The model reports no valid parameter list.", paramName);
            var infos = new ParameterInfo[list.Count];
            byName = new Dictionary<string, ParameterInfo>(StringComparer.Ordinal);
            for (int i = 0; i < infos.Length; i++)
            {
                var info = list[i];
                if (info is null || info.Offset > parameterCount - info.Length || byName.ContainsKey(info.Name))
                    throw new ArgumentException("The model's ParameterInfos are inconsistent with its ParameterCount (" + Int(parameterCount) + ").", paramName);
                byName.Add(info.Name, info);
                infos[i] = info;
            }
            return infos;
        }

        /// <summary>Reads up to <paramref name="count"/> bytes, looping over short reads; returns how many were read (less only at the end of the stream).</summary>
        internal static int ReadFully(Stream stream, byte[] buffer, int offset, int count)
        {
            int total = 0;
            while (total < count)
            {
                int n = stream.Read(buffer, offset + total, count - total);
                if (n <= 0) break;
                total += n;
            }
            return total;
        }

        /// <summary>Reads the whole stream, refusing one longer than <paramref name="maxBytes"/>.</summary>
        internal static byte[] ReadAllBounded(Stream stream, long maxBytes, int parameterCount, out int length)
        {
            long limit = Math.Min(maxBytes, MaxArrayLength - 1);
            int initial = 1 << 16;
            if (stream.CanSeek)
            {
                long remaining;
                try { remaining = stream.Length - stream.Position; }
                catch (NotSupportedException) { remaining = -1; }
                if (remaining > limit) throw TooLarge(limit, parameterCount, remaining);
                if (remaining >= 0) initial = (int)remaining + 1; // + 1 to see the end without growing
            }
            var buffer = new byte[Math.Max(initial, 16)];
            int total = 0;
            while (true)
            {
                if (total == buffer.Length)
                {
                    if (total > limit) throw TooLarge(limit, parameterCount, -1);
                    long grown = Math.Min((long)buffer.Length * 2, limit + 1);
                    Array.Resize(ref buffer, (int)grown);
                }
                int n = stream.Read(buffer, total, buffer.Length - total);
                if (n <= 0) break;
                total += n;
                if (total > limit) throw TooLarge(limit, parameterCount, -1);
            }
            length = total;
            return buffer;
        }

        private static InvalidDataException TooLarge(long limit, int parameterCount, long size) =>
            new InvalidDataException("The file is larger than " + Int(limit) + " bytes" + (size >= 0 ? " (" + Int(size) + " bytes)" : "") +
                ", more than a weight file for a model of " + Int(parameterCount) + " parameters can need; refused.");

        internal static string Int(long value) => value.ToString(CultureInfo.InvariantCulture);

        internal static string Float(float value) => value.ToString("R", CultureInfo.InvariantCulture);

        internal static bool IsFinite(float value) => !float.IsNaN(value) && !float.IsInfinity(value);

        /// <summary>A shape as PyTorch prints it: <c>[128, 32]</c>; a scalar is <c>[]</c>.</summary>
        internal static string ShapeText(IReadOnlyList<int> shape)
        {
            var sb = new StringBuilder("[");
            for (int i = 0; i < shape.Count; i++)
            {
                if (i > 0) sb.Append(", ");
                sb.Append(Int(shape[i]));
            }
            return sb.Append(']').ToString();
        }

        internal static bool SameShape(IReadOnlyList<int> a, IReadOnlyList<int> b)
        {
            if (a.Count != b.Count) return false;
            for (int i = 0; i < a.Count; i++) if (a[i] != b[i]) return false;
            return true;
        }

        /// <summary>The element index <c>[row, col]</c> of flat position <paramref name="flat"/> in a tensor.</summary>
        internal static string ElementIndex(ParameterInfo info, int flat)
        {
            if (info.Shape.Count == 1) return "[" + Int(flat) + "]";
            int cols = info.Shape[1];
            return "[" + Int(flat / cols) + ", " + Int(flat % cols) + "]";
        }

        /// <summary>Finds the first non-finite value; returns a message naming the tensor and element, or null.</summary>
        internal static string? FindNonFinite(ParameterInfo[] infos, float[] values)
        {
            foreach (var info in infos)
            {
                for (int i = 0; i < info.Length; i++)
                {
                    float v = values[info.Offset + i];
                    if (!IsFinite(v))
                        return info.Name + ElementIndex(info, i) + ": " + Float(v) + " is not a finite value";
                }
            }
            return null;
        }

        /// <summary>Joins names for a message, at most <paramref name="max"/> of them.</summary>
        internal static string JoinNames(List<string> names, int max = 200)
        {
            if (names.Count <= max) return string.Join(", ", names);
            return string.Join(", ", names.GetRange(0, max)) + " and " + Int(names.Count - max) + " more";
        }

        /// <summary>"The <paramref name="fileKind"/> is truncated <paramref name="where"/>: it ends after N bytes, expected M."</summary>
        internal static InvalidDataException Truncated(string fileKind, string where, long got, long expected) =>
            new InvalidDataException("The " + fileKind + " is truncated " + where + ": it ends after " + Int(got) + " bytes, expected " + Int(expected) + ".");

        /// <summary>The stored CRC-32 of a <paramref name="fileKind"/> does not match its content.</summary>
        internal static InvalidDataException CrcMismatch(string fileKind, uint stored, uint computed) =>
            new InvalidDataException("The " + fileKind + " is corrupt: its CRC-32 is 0x" + stored.ToString("X8", CultureInfo.InvariantCulture) +
                " but its content gives 0x" + computed.ToString("X8", CultureInfo.InvariantCulture) + ".");

        /// <summary>A float's bits, for the little-endian binary files.</summary>
        internal static int SingleToInt32Bits(float value)
        {
#if NETSTANDARD2_0
            unsafe { return *(int*)&value; }
#else
            return BitConverter.SingleToInt32Bits(value);
#endif
        }

        /// <summary>The float with these bits.</summary>
        internal static float Int32BitsToSingle(int value)
        {
#if NETSTANDARD2_0
            unsafe { return *(float*)&value; }
#else
            return BitConverter.Int32BitsToSingle(value);
#endif
        }

        /// <summary>
        /// A name from a file as a message shows it: whole up to <paramref name="max"/> characters, else its start and its
        /// length (a file may hold a key of megabytes, which a message should not repeat).
        /// </summary>
        internal static string Clip(string name, int max = 120) =>
            name.Length <= max ? name : name.Substring(0, max) + "... (" + Int(name.Length) + " characters)";

        /// <summary>A short, printable excerpt of raw UTF-8 bytes for a message.</summary>
        internal static string Excerpt(ReadOnlySpan<byte> utf8, int max = 40)
        {
            var sb = new StringBuilder();
            for (int i = 0; i < utf8.Length && i < max; i++)
            {
                byte b = utf8[i];
                sb.Append(b >= 0x20 && b < 0x7F ? (char)b : '?');
            }
            if (utf8.Length > max) sb.Append("...");
            return sb.ToString();
        }

        /// <summary>1-based line and column of a byte offset, for messages.</summary>
        internal static string LineColumn(ReadOnlySpan<byte> json, long offset)
        {
            if (offset < 0) offset = 0;
            if (offset > json.Length) offset = json.Length;
            long line = 1, lineStart = 0;
            for (int i = 0; i < offset; i++)
            {
                if (json[i] == (byte)'\n') { line++; lineStart = i + 1; }
            }
            return "line " + Int(line) + ", column " + Int(offset - lineStart + 1);
        }
    }
}
