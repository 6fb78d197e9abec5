using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using System.Text.Json;

namespace RnnCodegen
{
    /// <summary>
    /// Reads one tensor written as nested JSON lists (row-major, as <c>tensor.tolist()</c> / <c>ndarray.tolist()</c> write it)
    /// into a reusable buffer, recording its shape, refusing ragged lists, non-numbers and values that are not finite float32.
    /// Also turns reader failures into <see cref="InvalidDataException"/> naming the place (and Python's <c>NaN</c>/<c>Infinity</c>).
    /// </summary>
    internal sealed class JsonTensorReader
    {
        private readonly byte[] _json;
        private readonly int _start;
        private readonly int _length;
        private readonly int[] _dims = new int[WeightFile.MaxJsonDepth + 2];
        private readonly int[] _index = new int[WeightFile.MaxJsonDepth + 2];
        private float[] _values = new float[256];
        private int _count;
        private int _rank;
        private int _level = -1;

        /// <summary>The JSON text is <paramref name="json"/>[<paramref name="start"/>, <paramref name="start"/> + <paramref name="length"/>).</summary>
        internal JsonTensorReader(byte[] json, int start, int length)
        {
            _json = json;
            _start = start;
            _length = length;
        }

        /// <summary>The JSON text the reader runs over.</summary>
        internal ReadOnlySpan<byte> Json => new ReadOnlySpan<byte>(_json, _start, _length);

        /// <summary>The options every weight reader uses: strict JSON, shallow nesting.</summary>
        internal static JsonReaderOptions Options => new JsonReaderOptions
        {
            MaxDepth = WeightFile.MaxJsonDepth,
            CommentHandling = JsonCommentHandling.Disallow,
            AllowTrailingCommas = false,
        };

        /// <summary>What is being read, for messages (a tensor name, or a place such as <c>layers[2]</c>).</summary>
        internal string Context { get; set; } = "";

        /// <summary>The values of the last tensor read, row-major.</summary>
        internal ReadOnlySpan<float> Values => new ReadOnlySpan<float>(_values, 0, _count);

        /// <summary>The shape of the last tensor read (empty for a bare number).</summary>
        internal int[] Shape
        {
            get
            {
                var shape = new int[_rank];
                Array.Copy(_dims, shape, _rank);
                return shape;
            }
        }

        /// <summary>Where the reader is: the context plus the element index being read, e.g. <c>rnn.weight_ih_l0[3, 1]</c>.</summary>
        internal string Location
        {
            get
            {
                if (_level < 0) return Context;
                var sb = new StringBuilder(Context).Append('[');
                for (int i = 0; i <= _level; i++)
                {
                    if (i > 0) sb.Append(", ");
                    sb.Append(WeightFile.Int(_index[i]));
                }
                return sb.Append(']').ToString();
            }
        }

        /// <summary>Reads the tensor whose first token (a number or <c>[</c>) is the reader's current token.</summary>
        internal void ReadTensor(ref Utf8JsonReader reader, string context)
        {
            Context = context;
            _count = 0;
            _rank = -1;
            _level = -1;
            for (int i = 0; i < _dims.Length; i++) _dims[i] = -1;
            if (reader.TokenType == JsonTokenType.Number)
            {
                AddNumber(ref reader);
                _rank = 0;
                return;
            }
            if (reader.TokenType != JsonTokenType.StartArray)
                throw Error(ref reader, Context + ": expected a tensor (a list of numbers, or a list of such lists), found " + Describe(ref reader));
            ReadList(ref reader, 0);
            _level = -1;
            if (_rank < 0) _rank = 1;
        }

        private void ReadList(ref Utf8JsonReader reader, int level)
        {
            if (level >= _dims.Length - 1) throw Error(ref reader, Context + ": lists nested deeper than " + WeightFile.Int(_dims.Length - 1) + " levels");
            int count = 0;
            int kind = 0; // 1 = numbers, 2 = lists
            while (true)
            {
                _level = level;
                _index[level] = count;
                JsonTensorReader.Next(ref reader);
                JsonTokenType t = reader.TokenType;
                if (t == JsonTokenType.EndArray) break;
                if (t == JsonTokenType.Number)
                {
                    if (kind == 2) throw Error(ref reader, Location + ": a number among lists (the nested lists are ragged)");
                    kind = 1;
                    AddNumber(ref reader);
                }
                else if (t == JsonTokenType.StartArray)
                {
                    if (kind == 1) throw Error(ref reader, Location + ": a list among numbers (the nested lists are ragged)");
                    kind = 2;
                    ReadList(ref reader, level + 1);
                }
                else
                {
                    throw Error(ref reader, Location + ": expected a number, found " + Describe(ref reader));
                }
                count++;
            }
            _level = level - 1;
            if (kind != 2)
            {
                // innermost list: it fixes the rank
                if (_rank < 0) _rank = level + 1;
                else if (_rank != level + 1) throw Error(ref reader, Location + ": the nested lists are ragged (lists of numbers at different depths)");
            }
            if (_dims[level] < 0) _dims[level] = count;
            else if (_dims[level] != count)
                throw Error(ref reader, Location + ": the nested lists are ragged: this list has " + WeightFile.Int(count) + (count == 1 ? " entry" : " entries") + ", the first list at its depth has " + WeightFile.Int(_dims[level]));
        }

        private void AddNumber(ref Utf8JsonReader reader)
        {
            if (!reader.TryGetSingle(out float v) || !WeightFile.IsFinite(v))
                throw Error(ref reader, Location + ": " + WeightFile.Excerpt(reader.ValueSpan) + " is not a finite float32 value");
            if (_count == _values.Length) Array.Resize(ref _values, _values.Length * 2);
            _values[_count++] = v;
        }

        /// <summary>A short description of the current token, for messages.</summary>
        internal static string Describe(ref Utf8JsonReader reader)
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.String: return "a string \"" + WeightFile.Excerpt(reader.ValueSpan) + "\"";
                case JsonTokenType.Number: return "a number " + WeightFile.Excerpt(reader.ValueSpan);
                case JsonTokenType.True: return "true";
                case JsonTokenType.False: return "false";
                case JsonTokenType.Null: return "null";
                case JsonTokenType.StartObject: return "an object";
                case JsonTokenType.StartArray: return "a list";
                default: return reader.TokenType.ToString();
            }
        }

        /// <summary>An <see cref="InvalidDataException"/> with the position of the current token appended.</summary>
        internal InvalidDataException Error(ref Utf8JsonReader reader, string message) =>
            new InvalidDataException(message + " (at " + WeightFile.LineColumn(Json, reader.TokenStartIndex) + ").");

        /// <summary>
        /// Turns a failure of the JSON reader (or of decoding a token) into an <see cref="InvalidDataException"/> that names the
        /// place, and recognises Python's non-standard <c>NaN</c>, <c>Infinity</c> and <c>-Infinity</c> tokens.
        /// </summary>
        internal InvalidDataException Wrap(Exception ex, long bytesConsumed, int currentDepth)
        {
            ReadOnlySpan<byte> json = Json;
            string where = Location.Length > 0 ? Location : "The file";
            long errorOffset = -1;
            if (ex is JsonException je && je.LineNumber.HasValue && je.BytePositionInLine.HasValue)
                errorOffset = OffsetOf(json, je.LineNumber.Value, je.BytePositionInLine.Value);

            // the token after the last one read (skipping separators), and the reported error position
            long next = bytesConsumed;
            while (next >= 0 && next < json.Length && (json[(int)next] == (byte)' ' || json[(int)next] == (byte)'\t' || json[(int)next] == (byte)'\r'
                || json[(int)next] == (byte)'\n' || json[(int)next] == (byte)',' || json[(int)next] == (byte)':'))
                next++;
            string? literal = LiteralAt(json, next) ?? LiteralAt(json, errorOffset) ?? LiteralAt(json, errorOffset - 1);
            if (literal != null)
            {
                long at = LiteralAt(json, next) != null ? next : LiteralAt(json, errorOffset) != null ? errorOffset : errorOffset - 1;
                return new InvalidDataException(where + ": " + literal + " (at " + WeightFile.LineColumn(json, at) + ") is not valid JSON and not a finite value: " +
                    "the file holds a NaN or infinite parameter (Python's json module writes NaN, Infinity and -Infinity for them).", ex);
            }
            if (ex is JsonException && currentDepth >= WeightFile.MaxJsonDepth - 1)
                return new InvalidDataException(where + ": JSON nested deeper than " + WeightFile.Int(WeightFile.MaxJsonDepth) +
                    " levels (at " + WeightFile.LineColumn(json, errorOffset >= 0 ? errorOffset : bytesConsumed) + "); a weight file needs far fewer.", ex);
            if (json.Length == 0 || IsWhiteSpaceOnly(json))
                return new InvalidDataException("The file is empty: expected a JSON object.", ex);
            string pos = errorOffset >= 0 ? WeightFile.LineColumn(json, errorOffset) : WeightFile.LineColumn(json, bytesConsumed);
            long rest = Math.Min(Math.Max(errorOffset, bytesConsumed), json.Length);
            bool truncated = IsWhiteSpaceOnly(json.Slice((int)rest));
            string what = (truncated ? "the JSON ends early (truncated file?)" : "malformed JSON") + " at " + pos + ": " + ex.Message;
            return new InvalidDataException(Location.Length > 0 ? Location + ": " + what : char.ToUpperInvariant(what[0]) + what.Substring(1), ex);
        }

        private static bool IsWhiteSpaceOnly(ReadOnlySpan<byte> s)
        {
            foreach (byte b in s)
                if (b != (byte)' ' && b != (byte)'\t' && b != (byte)'\r' && b != (byte)'\n') return false;
            return true;
        }

        private static long OffsetOf(ReadOnlySpan<byte> json, long line, long bytePositionInLine)
        {
            long offset = 0;
            for (long l = 0; l < line && offset < json.Length; offset++)
                if (json[(int)offset] == (byte)'\n') l++;
            return Math.Min(offset + bytePositionInLine, json.Length);
        }

        private static string? LiteralAt(ReadOnlySpan<byte> json, long offset)
        {
            if (offset < 0 || offset >= json.Length) return null;
            ReadOnlySpan<byte> s = json.Slice((int)offset);
            if (StartsWith(s, "-Infinity")) return "-Infinity";
            if (StartsWith(s, "+Infinity")) return "+Infinity";
            if (StartsWith(s, "Infinity")) return "Infinity";
            if (StartsWith(s, "-NaN")) return "-NaN";
            if (StartsWith(s, "NaN")) return "NaN";
            if (StartsWith(s, "-inf")) return "-inf";
            if (StartsWith(s, "inf")) return "inf";
            if (StartsWith(s, "nan")) return "nan";
            return null;
        }

        private static bool StartsWith(ReadOnlySpan<byte> s, string ascii)
        {
            if (s.Length < ascii.Length) return false;
            for (int i = 0; i < ascii.Length; i++) if (s[i] != (byte)ascii[i]) return false;
            return true;
        }

        /// <summary>Reads the next token; the end of the data where more is needed is a truncated file (the reader normally throws first).</summary>
        internal static void Next(ref Utf8JsonReader reader)
        {
            if (!reader.Read()) throw new JsonException("The JSON ends before its last object or list is closed.");
        }

        /// <summary>Whether an exception is one the JSON reader or token decoding throws for bad content.</summary>
        internal static bool IsContentFailure(Exception ex) =>
            ex is JsonException || ex is InvalidOperationException || ex is FormatException || ex is OverflowException || ex is DecoderFallbackException;

        /// <summary>Where the JSON starts after an optional UTF-8 byte-order mark.</summary>
        internal static int SkipBom(byte[] data, int length) =>
            length >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF ? 3 : 0;

        /// <summary>A copy of the last tensor read.</summary>
        internal KeyValuePair<int[], float[]> Snapshot() => new KeyValuePair<int[], float[]>(Shape, Values.ToArray());
    }
}
