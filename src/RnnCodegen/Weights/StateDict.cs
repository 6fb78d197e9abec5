using System;
using System.Collections.Generic;
using System.IO;
using System.Text.Json;

namespace RnnCodegen
{
    /// <summary>
    /// Reads and writes a model's parameters as a PyTorch <c>state_dict</c> in JSON, the format RTNeural and most tutorials
    /// export (<c>json.dump({k: v.tolist() for k, v in model.state_dict().items()}, f)</c>).
    /// </summary>
    /// <remarks>
    /// <para>The file is one JSON object mapping tensor names to row-major nested lists in PyTorch's shapes
    /// (1-D tensors are flat lists, 2-D tensors lists of rows):</para>
    /// <code>
    /// {"lstm.weight_ih_l0": [[0.1], [0.2], ...], "lstm.weight_hh_l0": [[...], ...], "lstm.bias_ih_l0": [...],
    ///  "lstm.bias_hh_l0": [...], "fc.weight": [[...]], "fc.bias": [0.5]}
    /// </code>
    /// <para>It may also be wrapped as <c>{"state_dict": {...}}</c> or <c>{"model_state_dict": {...}}</c>, as checkpoints are;
    /// the wrapper's other members (<c>"epoch"</c>, optimizer state...) are then skipped, but must still be valid JSON.</para>
    /// <para>Names: the canonical names are <c>rnn.weight_ih_l{k}</c>, <c>rnn.weight_hh_l{k}</c>, <c>rnn.bias_ih_l{k}</c>,
    /// <c>rnn.bias_hh_l{k}</c>, <c>rnn.weight_ci_l{k}</c>/<c>weight_cf</c>/<c>weight_co</c> (peephole), <c>dense.weight</c>,
    /// <c>dense.bias</c> and <c>embedding.weight</c>. On loading:</para>
    /// <list type="bullet">
    /// <item>any prefix ending in <c>.</c> (or none) before <c>weight_ih_l{k}</c>, <c>weight_hh_l{k}</c>, <c>bias_ih_l{k}</c>,
    /// <c>bias_hh_l{k}</c>, <c>weight_ci_l{k}</c>, <c>weight_cf_l{k}</c>, <c>weight_co_l{k}</c> means <c>rnn.</c>
    /// (<c>lstm.</c>, <c>gru.</c>, <c>model.rnn.</c>, <c>encoder.lstm1.</c>...), but one file uses one recurrent prefix;</item>
    /// <item><c>weight</c>/<c>bias</c> after a prefix whose last segment is <c>fc</c>, <c>linear</c>, <c>out</c>, <c>dense</c>,
    /// <c>head</c>, <c>output</c> or <c>decoder</c> (<c>fc.</c>, <c>model.fc.</c>...) is the head <c>dense.</c>; one head prefix per file;</item>
    /// <item><c>weight</c> after a prefix whose last segment is <c>embedding</c>, <c>embed</c>, <c>emb</c> or <c>encoder</c>
    /// is <c>embedding.weight</c>.</item>
    /// </list>
    /// <para>Every tensor of the model must be present with its exact shape, and nothing else may be: a missing, unexpected
    /// (PyTorch's <c>_reverse</c> tensors of a bidirectional layer, say) or misshaped tensor, a value that is not a finite
    /// float32 (including Python's <c>NaN</c>/<c>Infinity</c> tokens), malformed JSON, nesting deeper than 16 levels, or a file
    /// larger than 64 bytes per parameter + 1 MiB throws <see cref="InvalidDataException"/> naming the tensor, and leaves the
    /// model unchanged. A leading UTF-8 byte-order mark is allowed.</para>
    /// <para>Errors of the stream itself (an <see cref="IOException"/> from <c>Read</c>/<c>Write</c>) propagate unchanged.</para>
    /// </remarks>
    public static class StateDict
    {
        private static readonly string[] RecurrentSuffixes = { "weight_ih", "weight_hh", "bias_ih", "bias_hh", "weight_ci", "weight_cf", "weight_co" };
        private static readonly string[] HeadSegments = { "fc", "linear", "out", "dense", "head", "output", "decoder" };
        private static readonly string[] EmbeddingSegments = { "embedding", "embed", "emb", "encoder" };

        /// <summary>
        /// Loads every parameter of <paramref name="model"/> from a <c>state_dict</c> JSON stream (read to its end).
        /// Nothing changes unless the whole file is valid.
        /// </summary>
        /// <param name="model">The model to fill.</param>
        /// <param name="utf8Json">UTF-8 JSON; need not be seekable.</param>
        /// <exception cref="ArgumentNullException"><paramref name="model"/> or <paramref name="utf8Json"/> is null.</exception>
        /// <exception cref="ArgumentException"><paramref name="utf8Json"/> is not readable.</exception>
        /// <exception cref="InvalidDataException">The content is malformed or does not fit the model; the message names the tensor
        /// and what was expected (all missing and unexpected names at once).</exception>
        public static void Load(IRecurrentModel model, Stream utf8Json)
        {
            WeightFile.CheckModel(model, nameof(model));
            WeightFile.CheckReadable(utf8Json, nameof(utf8Json));
            var infos = WeightFile.GetInfos(model, nameof(model), out int count, out var byName);
            byte[] data = WeightFile.ReadAllBounded(utf8Json, WeightFile.MaxJsonBytes(count), count, out int length);
            var values = new float[count];
            model.CopyParameters(values);
            new Loader(model.Description, infos, byName, data, length, values).Run();
            model.SetParameters(values);
        }

        /// <summary>
        /// Writes every parameter of <paramref name="model"/> as <c>state_dict</c> JSON: canonical names in
        /// <see cref="IRecurrentModel.ParameterInfos"/> order, nested lists in PyTorch shapes, each float in the shortest form that
        /// reads back to the same bits (invariant culture). <see cref="Load"/> of the result restores the model bit-exactly.
        /// </summary>
        /// <param name="model">The model to write.</param>
        /// <param name="utf8Json">Receives UTF-8 JSON; left open.</param>
        /// <param name="indented">Indent the JSON (one number per line) instead of writing it compactly.</param>
        /// <exception cref="ArgumentNullException"><paramref name="model"/> or <paramref name="utf8Json"/> is null.</exception>
        /// <exception cref="ArgumentException"><paramref name="utf8Json"/> is not writable.</exception>
        /// <exception cref="InvalidOperationException">A parameter is NaN or infinite, which JSON cannot hold; nothing is written.</exception>
        public static void Save(IRecurrentModel model, Stream utf8Json, bool indented = false)
        {
            WeightFile.CheckModel(model, nameof(model));
            WeightFile.CheckWritable(utf8Json, nameof(utf8Json));
            var infos = WeightFile.GetInfos(model, nameof(model), out int count, out _);
            var values = new float[count];
            model.CopyParameters(values);
            string? bad = WeightFile.FindNonFinite(infos, values);
            if (bad != null) throw new InvalidOperationException(bad + "; JSON cannot hold it, so the model is not saved.");

            using (var writer = new Utf8JsonWriter(utf8Json, new JsonWriterOptions { Indented = indented }))
            {
                writer.WriteStartObject();
                foreach (var info in infos)
                {
                    writer.WritePropertyName(info.Name);
                    if (info.Shape.Count == 1)
                    {
                        WriteRow(writer, values, info.Offset, info.Length);
                    }
                    else
                    {
                        int rows = info.Shape[0], cols = info.Shape[1];
                        writer.WriteStartArray();
                        for (int r = 0; r < rows; r++)
                        {
                            WriteRow(writer, values, info.Offset + r * cols, cols);
                            if (writer.BytesPending > 1 << 16) writer.Flush();
                        }
                        writer.WriteEndArray();
                    }
                    if (writer.BytesPending > 1 << 16) writer.Flush();
                }
                writer.WriteEndObject();
                writer.Flush();
            }
        }

        private static void WriteRow(Utf8JsonWriter writer, float[] values, int offset, int count)
        {
            writer.WriteStartArray();
            for (int i = 0; i < count; i++) writer.WriteNumberValue(values[offset + i]);
            writer.WriteEndArray();
        }

        /// <summary>What a file's key means: the canonical name it maps to and the prefix that was replaced.</summary>
        internal enum KeyKind { Unknown, Recurrent, Head, Embedding }

        /// <summary>Maps a file's key to its canonical name (see the class remarks); <see cref="KeyKind.Unknown"/> if no rule applies.</summary>
        internal static KeyKind MapName(string key, bool hasEmbedding, out string canonical, out string prefix)
        {
            int dot = key.LastIndexOf('.');
            prefix = key.Substring(0, dot + 1);
            string last = key.Substring(dot + 1);
            canonical = key;

            int l = last.LastIndexOf("_l", StringComparison.Ordinal);
            if (l > 0 && l + 2 < last.Length && Array.IndexOf(RecurrentSuffixes, last.Substring(0, l)) >= 0 && AllDigits(last, l + 2))
            {
                canonical = "rnn." + last;
                return KeyKind.Recurrent;
            }
            if (dot > 0)
            {
                int prev = key.LastIndexOf('.', dot - 1);
                string segment = key.Substring(prev + 1, dot - prev - 1);
                if ((last == "weight" || last == "bias") && Array.IndexOf(HeadSegments, segment) >= 0)
                {
                    canonical = "dense." + last;
                    return KeyKind.Head;
                }
                if (hasEmbedding && last == "weight" && Array.IndexOf(EmbeddingSegments, segment) >= 0)
                {
                    canonical = "embedding.weight";
                    return KeyKind.Embedding;
                }
            }
            return KeyKind.Unknown;
        }

        private static bool AllDigits(string s, int from)
        {
            for (int i = from; i < s.Length; i++) if (s[i] < '0' || s[i] > '9') return false;
            return true;
        }

        /// <summary>One load: parses the whole file into <c>values</c>, collecting every structural problem before throwing.</summary>
        private sealed class Loader
        {
            private readonly ModelDescription _description;
            private readonly ParameterInfo[] _infos;
            private readonly Dictionary<string, ParameterInfo> _byName;
            private readonly byte[] _data;
            private readonly int _start;
            private readonly int _length;
            private readonly float[] _values;
            private readonly JsonTensorReader _tensors;

            private readonly Dictionary<string, string> _found = new Dictionary<string, string>(StringComparer.Ordinal); // canonical -> key
            private readonly List<string> _unexpected = new List<string>();
            private readonly List<string> _problems = new List<string>();
            private string? _recurrentPrefix, _recurrentKey, _headPrefix, _headKey;

            internal Loader(ModelDescription description, ParameterInfo[] infos, Dictionary<string, ParameterInfo> byName, byte[] data, int length, float[] values)
            {
                _description = description;
                _infos = infos;
                _byName = byName;
                _data = data;
                _start = JsonTensorReader.SkipBom(data, length);
                _length = length - _start;
                _values = values;
                _tensors = new JsonTensorReader(data, _start, _length);
            }

            internal void Run()
            {
                string? wrapper = FindWrapper();
                var reader = new Utf8JsonReader(new ReadOnlySpan<byte>(_data, _start, _length), JsonTensorReader.Options);
                try
                {
                    Parse(ref reader, wrapper);
                }
                catch (Exception ex) when (JsonTensorReader.IsContentFailure(ex))
                {
                    throw _tensors.Wrap(ex, reader.BytesConsumed, reader.CurrentDepth);
                }
                Report();
            }

            /// <summary>
            /// First pass over the top level only: is the state dict wrapped (<c>{"state_dict": {...}}</c>)? A syntax error here is
            /// ignored: the second pass meets it again and reports it with its context.
            /// </summary>
            private string? FindWrapper()
            {
                var reader = new Utf8JsonReader(new ReadOnlySpan<byte>(_data, _start, _length), JsonTensorReader.Options);
                string? wrapper = null;
                try
                {
                    if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return null;
                    while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                    {
                        string name = reader.GetString()!;
                        JsonTensorReader.Next(ref reader);
                        if ((name == "state_dict" || name == "model_state_dict") && reader.TokenType == JsonTokenType.StartObject)
                        {
                            if (wrapper != null && wrapper != name)
                                throw new InvalidDataException("The file holds both \"" + wrapper + "\" and \"" + name + "\"; expected one state_dict.");
                            wrapper = name;
                        }
                        reader.Skip();
                    }
                }
                catch (Exception ex) when (JsonTensorReader.IsContentFailure(ex))
                {
                }
                return wrapper;
            }

            private void Parse(ref Utf8JsonReader reader, string? wrapper)
            {
                _tensors.Context = "";
                if (!reader.Read()) throw new InvalidDataException("The file is empty: expected a JSON object of tensors.");
                if (reader.TokenType != JsonTokenType.StartObject)
                    throw _tensors.Error(ref reader, "Expected a JSON object mapping tensor names to nested lists, found " + JsonTensorReader.Describe(ref reader));
                while (true)
                {
                    JsonTensorReader.Next(ref reader);
                    if (reader.TokenType == JsonTokenType.EndObject) break;
                    string key = reader.GetString()!;
                    _tensors.Context = key;
                    JsonTensorReader.Next(ref reader);
                    if (wrapper == null)
                    {
                        ReadEntry(ref reader, key);
                    }
                    else if (key == wrapper && reader.TokenType == JsonTokenType.StartObject)
                    {
                        while (true)
                        {
                            JsonTensorReader.Next(ref reader);
                            if (reader.TokenType == JsonTokenType.EndObject) break;
                            string inner = reader.GetString()!;
                            _tensors.Context = WeightFile.Clip(inner);
                            JsonTensorReader.Next(ref reader);
                            ReadEntry(ref reader, inner);
                        }
                    }
                    else
                    {
                        _tensors.Context = "\"" + WeightFile.Clip(key) + "\" (next to the state_dict)";
                        reader.Skip();
                    }
                    _tensors.Context = "";
                }
                if (reader.Read()) throw _tensors.Error(ref reader, "Unexpected content after the JSON object");
            }

            private void ReadEntry(ref Utf8JsonReader reader, string key)
            {
                KeyKind kind = MapName(key, _description.Vocabulary > 0, out string canonical, out string prefix);
                string label = canonical == key ? WeightFile.Clip(key) : WeightFile.Clip(canonical) + " (\"" + WeightFile.Clip(key) + "\" in the file)";
                _tensors.Context = label;
                if (kind == KeyKind.Recurrent) CheckPrefix(ref _recurrentPrefix, ref _recurrentKey, prefix, key, "recurrent");
                if (kind == KeyKind.Head) CheckPrefix(ref _headPrefix, ref _headKey, prefix, key, "head");

                if (reader.TokenType != JsonTokenType.StartArray && reader.TokenType != JsonTokenType.Number)
                {
                    _problems.Add(label + ": expected a tensor (nested lists of numbers), found " + JsonTensorReader.Describe(ref reader));
                    if (_byName.ContainsKey(canonical) && !_found.ContainsKey(canonical)) _found.Add(canonical, key);
                    reader.Skip();
                    return;
                }
                if (!_byName.TryGetValue(canonical, out var info))
                {
                    _unexpected.Add(canonical == key ? WeightFile.Clip(key) : WeightFile.Clip(key) + " (read as " + WeightFile.Clip(canonical) + ")");
                    _tensors.ReadTensor(ref reader, label); // still validated: a malformed file is reported as such
                    return;
                }
                if (_found.TryGetValue(canonical, out string? previous))
                {
                    _problems.Add(canonical + ": given twice, as \"" + WeightFile.Clip(previous) + "\" and as \"" + WeightFile.Clip(key) + "\"");
                    reader.Skip();
                    return;
                }
                _found.Add(canonical, key);
                _tensors.ReadTensor(ref reader, label);
                int[] shape = _tensors.Shape;
                if (!WeightFile.SameShape(shape, info.Shape))
                {
                    _problems.Add(label + ": expected shape " + info.ShapeText + ", found " + WeightFile.ShapeText(shape));
                    return;
                }
                _tensors.Values.CopyTo(new Span<float>(_values, info.Offset, info.Length));
            }

            private void CheckPrefix(ref string? first, ref string? firstKey, string prefix, string key, string what)
            {
                if (first == null)
                {
                    first = prefix;
                    firstKey = key;
                }
                else if (first != prefix)
                {
                    string problem = "two " + what + " prefixes: \"" + WeightFile.Clip(first) + "\" (" + WeightFile.Clip(firstKey!) + ") and \"" + WeightFile.Clip(prefix) + "\" (" + WeightFile.Clip(key) + "); one file must use one";
                    if (!_problems.Contains(problem)) _problems.Add(problem);
                }
            }

            private void Report()
            {
                var missing = new List<string>();
                foreach (var info in _infos)
                    if (!_found.ContainsKey(info.Name)) missing.Add(info.Name);
                if (missing.Count == 0 && _unexpected.Count == 0 && _problems.Count == 0) return;

                var parts = new List<string>();
                if (missing.Count > 0) parts.Add("missing tensor" + (missing.Count > 1 ? "s: " : ": ") + WeightFile.JoinNames(missing));
                if (_unexpected.Count > 0) parts.Add("unexpected tensor" + (_unexpected.Count > 1 ? "s: " : ": ") + WeightFile.JoinNames(_unexpected));
                int shown = Math.Min(_problems.Count, 20);
                parts.AddRange(_problems.GetRange(0, shown));
                if (_problems.Count > shown) parts.Add("and " + WeightFile.Int(_problems.Count - shown) + " more problems");
                throw new InvalidDataException("The state_dict does not fit the model " + _description + ": " + string.Join("; ", parts) + ".");
            }
        }
    }
}
