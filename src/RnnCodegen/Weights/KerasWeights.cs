using System;
using System.Collections.Generic;
using System.IO;
using System.Text.Json;

namespace RnnCodegen
{
    /// <summary>
    /// Loads a model's parameters from the Keras JSON layout that RTNeural's exporter writes
    /// (<c>model_utils.save_model</c>: <c>layer.get_weights()</c> as nested lists), converting Keras' layouts to PyTorch's.
    /// </summary>
    /// <remarks>
    /// <para>Accepted file: one JSON object with a <c>"layers"</c> list (other top-level members, such as <c>"in_shape"</c>, are
    /// skipped). Each layer is an object with a <c>"type"</c> string, an optional <c>"activation"</c> string, and a
    /// <c>"weights"</c> list of tensors written as nested lists; other members (<c>"shape"</c>...) are skipped, except an optional
    /// boolean <c>"reset_after"</c> on a GRU layer, which must agree with its bias. Example, an LSTM 2→3 with a dense head of 1:</para>
    /// <code>
    /// {"in_shape": [null, null, 2],
    ///  "layers": [
    ///   {"type": "lstm", "activation": "tanh", "shape": [null, null, 3],
    ///    "weights": [ [[...12 values...], [...12 values...]],       // kernel [2, 12]: input x (i, f, c, o) * 3
    ///                 [[...12...], [...12...], [...12...]],         // recurrent_kernel [3, 12]
    ///                 [...12 values...] ]},                         // bias [12]
    ///   {"type": "dense", "activation": "", "shape": [null, null, 1],
    ///    "weights": [ [[w0], [w1], [w2]], [b] ]}                    // kernel [3, 1], bias [1]
    /// ]}
    /// </code>
    /// <para>Layers, in this order: an optional <c>"embedding"</c> (required iff the model has a vocabulary), then exactly
    /// <see cref="ModelDescription.LayerCount"/> recurrent layers of the model's cell, then a <c>"dense"</c> or
    /// <c>"time-distributed-dense"</c> layer (required iff <see cref="ModelDescription.OutputSize"/> &gt; 0), optionally followed
    /// by a weightless <c>"activation"</c> layer. Weights per type (H hidden, I the layer's input width, O outputs, V vocabulary):</para>
    /// <list type="bullet">
    /// <item><c>"lstm"</c>: kernel <c>[I, 4H]</c>, recurrent_kernel <c>[H, 4H]</c>, bias <c>[4H]</c>; Keras' gate order i, f, c, o
    /// is PyTorch's i, f, g, o.</item>
    /// <item><c>"gru"</c>: kernel <c>[I, 3H]</c>, recurrent_kernel <c>[H, 3H]</c>, bias <c>[2, 3H]</c> (Keras' default
    /// <c>reset_after=True</c>: row 0 input bias, row 1 recurrent bias) or <c>[3H]</c> (<c>reset_after=False</c>); Keras' gate
    /// order z, r, h is reordered to PyTorch's r, z, n. The file's reset_after must equal the model's
    /// <see cref="ModelDescription.ResetAfter"/>.</item>
    /// <item><c>"simplernn"</c> or <c>"rnn"</c>: kernel <c>[I, H]</c>, recurrent_kernel <c>[H, H]</c>, bias <c>[H]</c>.</item>
    /// <item><c>"dense"</c>, <c>"time-distributed-dense"</c>: kernel <c>[H, O]</c>, bias <c>[O]</c>.</item>
    /// <item><c>"embedding"</c>: one matrix <c>[V, I]</c> (the same layout as PyTorch).</item>
    /// </list>
    /// <para>Kernels are transposed to PyTorch's <c>[gates*H, I]</c>. Keras has one bias per cell, so <c>bias_ih</c> = bias and
    /// <c>bias_hh</c> = 0 (except a reset_after GRU: its recurrent bias row). A layer without bias (<c>use_bias=False</c>: two
    /// arrays, or one for dense) loads zero biases. Activations, when named: LSTM and GRU layers must be <c>"tanh"</c>; a
    /// <c>"simplernn"</c> layer's <c>"tanh"</c>/<c>"relu"</c> must be the model's <see cref="ModelDescription.Activation"/>; the
    /// head's <c>"linear"</c>, <c>"sigmoid"</c>, <c>"tanh"</c>, <c>"softmax"</c> must be the model's
    /// <see cref="ModelDescription.OutputActivation"/>; an empty or missing activation (RTNeural writes <c>""</c> for linear) is
    /// not checked.</para>
    /// <para>Keras LSTMs have no peephole weights, so a peephole model is refused. Any mismatch (layer count, type, order, shape,
    /// reset_after, activation), a non-finite value (Python's <c>NaN</c>/<c>Infinity</c> tokens included), malformed JSON,
    /// nesting deeper than 16 levels or a file larger than 64 bytes per parameter + 1 MiB throws
    /// <see cref="InvalidDataException"/> naming the layer and the PyTorch tensor, and leaves the model unchanged.</para>
    /// <para>Errors of the stream itself (an <see cref="IOException"/> from <c>Read</c>/<c>Write</c>) propagate unchanged.</para>
    /// </remarks>
    public static class KerasWeights
    {
        /// <summary>
        /// Loads every parameter of <paramref name="model"/> from Keras/RTNeural JSON (read to its end); see the class remarks
        /// for the accepted layout. Nothing changes unless the whole file is valid.
        /// </summary>
        /// <param name="model">The model to fill.</param>
        /// <param name="utf8Json">UTF-8 JSON; need not be seekable.</param>
        /// <exception cref="ArgumentNullException"><paramref name="model"/> or <paramref name="utf8Json"/> is null.</exception>
        /// <exception cref="ArgumentException"><paramref name="utf8Json"/> is not readable.</exception>
        /// <exception cref="InvalidDataException">The content is malformed or does not fit the model (or the model has peephole
        /// weights, which Keras cannot express).</exception>
        public static void Load(IRecurrentModel model, Stream utf8Json)
        {
            WeightFile.CheckModel(model, nameof(model));
            WeightFile.CheckReadable(utf8Json, nameof(utf8Json));
            var description = model.Description;
            if (description.Cell == CellKind.Lstm && description.Peephole)
                throw new InvalidDataException("Keras LSTM layers have no peephole weights (rnn.weight_ci/cf/co), so a Keras file cannot fill the model " +
                    description + "; load a state_dict instead.");
            WeightFile.GetInfos(model, nameof(model), out int count, out var byName);
            foreach (var canonical in ParameterLayout.Create(description))
            {
                if (!byName.TryGetValue(canonical.Name, out var info) || !WeightFile.SameShape(info.Shape, canonical.Shape))
                    throw new ArgumentException("The model lacks the canonical parameter " + canonical + " of its description " + description + ".", nameof(model));
            }
            byte[] data = WeightFile.ReadAllBounded(utf8Json, WeightFile.MaxJsonBytes(count), count, out int length);
            var values = new float[count];
            model.CopyParameters(values);

            int start = JsonTensorReader.SkipBom(data, length);
            var tensors = new JsonTensorReader(data, start, length - start);
            var reader = new Utf8JsonReader(new ReadOnlySpan<byte>(data, start, length - start), JsonTensorReader.Options);
            List<Layer> layers;
            try
            {
                layers = Parse(ref reader, tensors, description);
            }
            catch (Exception ex) when (JsonTensorReader.IsContentFailure(ex))
            {
                throw tensors.Wrap(ex, reader.BytesConsumed, reader.CurrentDepth);
            }
            new Mapper(description, byName, values).Run(layers);
            model.SetParameters(values);
        }

        private sealed class Layer
        {
            internal int Index;
            internal string? Type;
            internal string? Activation;
            internal bool? ResetAfter;
            internal bool HasWeights; // "weights" was read (it may have been an empty list)
            internal readonly List<KeyValuePair<int[], float[]>> Weights = new List<KeyValuePair<int[], float[]>>();

            internal string Label => "layers[" + WeightFile.Int(Index) + "]" + (Type != null ? " ('" + Type + "')" : "");
        }

        private static bool IsRecurrentType(string type) => type == "lstm" || type == "gru" || type == "simplernn" || type == "rnn";

        private static bool IsDenseType(string type) => type == "dense" || type == "time-distributed-dense";

        private static CellKind CellOf(string type) => type == "lstm" ? CellKind.Lstm : type == "gru" ? CellKind.Gru : CellKind.Rnn;

        /// <summary>The PyTorch tensor a Keras weight array fills, for messages while parsing (layers are counted in file order).</summary>
        private static string TargetHint(string? type, int recurrentBefore, int weight)
        {
            if (type == null) return "";
            string l = "_l" + WeightFile.Int(recurrentBefore);
            if (IsRecurrentType(type))
                return weight == 0 ? " (kernel -> rnn.weight_ih" + l + ")" : weight == 1 ? " (recurrent_kernel -> rnn.weight_hh" + l + ")" : weight == 2 ? " (bias -> rnn.bias_ih" + l + ", rnn.bias_hh" + l + ")" : "";
            if (IsDenseType(type)) return weight == 0 ? " (kernel -> dense.weight)" : weight == 1 ? " (bias -> dense.bias)" : "";
            if (type == "embedding") return weight == 0 ? " (-> embedding.weight)" : "";
            return "";
        }

        private static List<Layer> Parse(ref Utf8JsonReader reader, JsonTensorReader tensors, ModelDescription description)
        {
            tensors.Context = "";
            if (!reader.Read()) throw new InvalidDataException("The file is empty: expected a JSON object with a \"layers\" list.");
            if (reader.TokenType != JsonTokenType.StartObject)
                throw tensors.Error(ref reader, "Expected a Keras JSON object with a \"layers\" list, found " + JsonTensorReader.Describe(ref reader));
            List<Layer>? layers = null;
            while (true)
            {
                JsonTensorReader.Next(ref reader);
                if (reader.TokenType == JsonTokenType.EndObject) break;
                string name = reader.GetString()!;
                JsonTensorReader.Next(ref reader);
                if (name == "layers")
                {
                    if (layers != null) throw tensors.Error(ref reader, "\"layers\" appears twice");
                    if (reader.TokenType != JsonTokenType.StartArray)
                        throw tensors.Error(ref reader, "\"layers\": expected a list of layer objects, found " + JsonTensorReader.Describe(ref reader));
                    layers = new List<Layer>();
                    int recurrent = 0;
                    while (true)
                    {
                        JsonTensorReader.Next(ref reader);
                        if (reader.TokenType == JsonTokenType.EndArray) break;
                        var layer = new Layer { Index = layers.Count };
                        tensors.Context = layer.Label;
                        if (reader.TokenType != JsonTokenType.StartObject)
                            throw tensors.Error(ref reader, layer.Label + ": expected a layer object, found " + JsonTensorReader.Describe(ref reader));
                        ParseLayer(ref reader, tensors, layer, recurrent);
                        if (layer.Type != null && IsRecurrentType(layer.Type)) recurrent++;
                        layers.Add(layer);
                    }
                }
                else
                {
                    tensors.Context = "\"" + name + "\"";
                    reader.Skip();
                }
                tensors.Context = "";
            }
            if (reader.Read()) throw tensors.Error(ref reader, "Unexpected content after the JSON object");
            if (layers == null) throw new InvalidDataException("The Keras file has no \"layers\" list; the model " + description + " needs one.");
            return layers;
        }

        private static void ParseLayer(ref Utf8JsonReader reader, JsonTensorReader tensors, Layer layer, int recurrentBefore)
        {
            while (true)
            {
                JsonTensorReader.Next(ref reader);
                if (reader.TokenType == JsonTokenType.EndObject) return;
                string name = reader.GetString()!;
                JsonTensorReader.Next(ref reader);
                tensors.Context = layer.Label + "." + name;
                switch (name)
                {
                    case "type":
                        if (reader.TokenType != JsonTokenType.String)
                            throw tensors.Error(ref reader, layer.Label + ".type: expected a string, found " + JsonTensorReader.Describe(ref reader));
                        layer.Type = reader.GetString()!.ToLowerInvariant();
                        break;
                    case "activation":
                        if (reader.TokenType == JsonTokenType.String) layer.Activation = reader.GetString()!.ToLowerInvariant();
                        else if (reader.TokenType != JsonTokenType.Null)
                            throw tensors.Error(ref reader, layer.Label + ".activation: expected a string, found " + JsonTensorReader.Describe(ref reader));
                        break;
                    case "reset_after":
                        if (reader.TokenType == JsonTokenType.True || reader.TokenType == JsonTokenType.False) layer.ResetAfter = reader.TokenType == JsonTokenType.True;
                        else if (reader.TokenType != JsonTokenType.Null)
                            throw tensors.Error(ref reader, layer.Label + ".reset_after: expected true or false, found " + JsonTensorReader.Describe(ref reader));
                        break;
                    case "weights":
                        if (layer.HasWeights) throw tensors.Error(ref reader, layer.Label + ": \"weights\" appears twice");
                        layer.HasWeights = true;
                        if (reader.TokenType != JsonTokenType.StartArray)
                            throw tensors.Error(ref reader, layer.Label + ".weights: expected a list of weight arrays, found " + JsonTensorReader.Describe(ref reader));
                        while (true)
                        {
                            JsonTensorReader.Next(ref reader);
                            if (reader.TokenType == JsonTokenType.EndArray) break;
                            int j = layer.Weights.Count;
                            tensors.ReadTensor(ref reader, layer.Label + ".weights[" + WeightFile.Int(j) + "]" + TargetHint(layer.Type, recurrentBefore, j));
                            layer.Weights.Add(tensors.Snapshot());
                        }
                        break;
                    default:
                        reader.Skip();
                        break;
                }
                tensors.Context = layer.Label;
            }
        }

        /// <summary>Checks the layers against the model and writes them, in PyTorch layout, into the scratch vector.</summary>
        private sealed class Mapper
        {
            private readonly ModelDescription _d;
            private readonly Dictionary<string, ParameterInfo> _byName;
            private readonly float[] _values;
            private readonly List<string> _problems = new List<string>();

            internal Mapper(ModelDescription description, Dictionary<string, ParameterInfo> byName, float[] values)
            {
                _d = description;
                _byName = byName;
                _values = values;
            }

            internal void Run(List<Layer> layers)
            {
                int recurrent = 0;
                Layer? dense = null, embedding = null;
                Layer? previous = null;
                foreach (var layer in layers)
                {
                    string? type = layer.Type;
                    if (type == null)
                    {
                        _problems.Add(layer.Label + ": no \"type\"");
                    }
                    else if (type == "embedding")
                    {
                        if (_d.Vocabulary == 0) _problems.Add(layer.Label + ": an embedding layer, but the model takes float inputs (no embedding.weight)");
                        else if (embedding != null) _problems.Add(layer.Label + ": a second embedding layer (the first is layers[" + WeightFile.Int(embedding.Index) + "])");
                        else if (recurrent > 0 || dense != null) _problems.Add(layer.Label + ": the embedding layer must come before the recurrent layers");
                        else MapEmbedding(layer);
                        embedding ??= layer;
                    }
                    else if (IsRecurrentType(type))
                    {
                        if (CellOf(type) != _d.Cell) _problems.Add(layer.Label + ": a " + type + " layer, but the model is " + _d);
                        else if (dense != null) _problems.Add(layer.Label + ": a recurrent layer after the dense layer layers[" + WeightFile.Int(dense.Index) + "]");
                        else if (recurrent < _d.LayerCount) MapRecurrent(layer, recurrent);
                        recurrent++;
                    }
                    else if (IsDenseType(type))
                    {
                        if (_d.OutputSize == 0) _problems.Add(layer.Label + ": a dense layer, but the model has no head (no dense.weight, dense.bias)");
                        else if (dense != null) _problems.Add(layer.Label + ": a second dense layer (the first is layers[" + WeightFile.Int(dense.Index) + "]); the model has one head");
                        else MapDense(layer);
                        dense ??= layer;
                    }
                    else if (type == "activation")
                    {
                        if (dense == null || previous != dense)
                            _problems.Add(layer.Label + ": an activation layer is only supported directly after the dense layer");
                        else if (layer.Weights.Count > 0)
                            _problems.Add(layer.Label + ": an activation layer with weights");
                        else if (!IsLinear(dense.Activation) && !IsLinear(layer.Activation))
                            _problems.Add(layer.Label + ": a second activation '" + layer.Activation + "' after the dense layer's '" + dense.Activation + "'");
                        else
                            CheckHeadActivation(layer);
                    }
                    else
                    {
                        _problems.Add(layer.Label + ": unsupported layer type (supported: embedding, lstm, gru, simplernn, rnn, dense, time-distributed-dense, activation" +
                            (type == "unknown" ? "; RTNeural's exporter writes 'unknown' for layers it does not know, such as Dropout: remove it from the file if it does nothing at inference" : "") + ")");
                    }
                    previous = layer;
                }
                if (recurrent != _d.LayerCount)
                    _problems.Add("the file has " + WeightFile.Int(recurrent) + " recurrent layer" + (recurrent == 1 ? "" : "s") + ", the model has " + WeightFile.Int(_d.LayerCount) +
                        (_d.LayerCount == 1 ? " (rnn.*_l0)" : " (rnn.*_l0 .. rnn.*_l" + WeightFile.Int(_d.LayerCount - 1) + ")"));
                if (_d.OutputSize > 0 && dense == null)
                    _problems.Add("dense.weight, dense.bias: the file has no dense layer, the model has a head of " + WeightFile.Int(_d.OutputSize));
                if (_d.Vocabulary > 0 && embedding == null)
                    _problems.Add("embedding.weight: the file has no embedding layer, the model has an embedding of " + WeightFile.Int(_d.Vocabulary) + " tokens");
                if (_problems.Count > 0)
                {
                    int shown = Math.Min(_problems.Count, 20);
                    string more = _problems.Count > shown ? "; and " + WeightFile.Int(_problems.Count - shown) + " more problems" : "";
                    throw new InvalidDataException("The Keras file does not fit the model " + _d + ": " + string.Join("; ", _problems.GetRange(0, shown)) + more + ".");
                }
            }

            private static bool IsLinear(string? activation) => string.IsNullOrEmpty(activation) || activation == "linear";

            /// <summary>Checks a weight array's shape; records a problem naming the PyTorch tensor if it differs.</summary>
            private bool Expect(Layer layer, int index, string arrayName, string target, string layout, params int[] shape)
            {
                int[] found = layer.Weights[index].Key;
                if (WeightFile.SameShape(found, shape)) return true;
                _problems.Add(target + " (" + layer.Label + " " + arrayName + "): expected Keras shape " + WeightFile.ShapeText(shape) + " (" + layout + "), found " + WeightFile.ShapeText(found));
                return false;
            }

            private bool ExpectCount(Layer layer, int min, int max, string arrays)
            {
                int n = layer.Weights.Count;
                if (n >= min && n <= max) return true;
                _problems.Add(layer.Label + ": expected " + (min == max ? WeightFile.Int(min) : WeightFile.Int(min) + " or " + WeightFile.Int(max)) +
                    " weight arrays (" + arrays + "), found " + WeightFile.Int(n));
                return false;
            }

            private ParameterInfo Info(string name) => _byName[name];

            private void MapEmbedding(Layer layer)
            {
                if (!ExpectCount(layer, 1, 1, "the embedding matrix")) return;
                var info = Info("embedding.weight");
                if (!Expect(layer, 0, "embeddings", "embedding.weight", "[vocabulary, input]", info.Shape[0], info.Shape[1])) return;
                Array.Copy(layer.Weights[0].Value, 0, _values, info.Offset, info.Length);
            }

            private void MapRecurrent(Layer layer, int k)
            {
                string type = layer.Type!;
                string l = "_l" + WeightFile.Int(k);
                int h = _d.HiddenSize;
                int gates = ParameterLayout.GateCount(_d.Cell);
                int g = gates * h;
                int input = k == 0 ? _d.InputSize : h;
                string gatesText = gates == 1 ? "hidden" : WeightFile.Int(gates) + " * hidden";

                string? act = layer.Activation;
                if (!string.IsNullOrEmpty(act))
                {
                    if (_d.Cell == CellKind.Rnn)
                    {
                        if (act != "tanh" && act != "relu")
                            _problems.Add(layer.Label + ": activation '" + act + "'; the model's RNN supports tanh and relu");
                        else if ((act == "relu") != (_d.Activation == Activation.Relu))
                            _problems.Add(layer.Label + ": activation '" + act + "', but the model's RNN uses " + (_d.Activation == Activation.Relu ? "relu" : "tanh"));
                    }
                    else if (act != "tanh")
                    {
                        _problems.Add(layer.Label + ": activation '" + act + "', but the model's " + type.ToUpperInvariant() + " uses tanh");
                    }
                }

                if (!ExpectCount(layer, 2, 3, "kernel, recurrent_kernel, bias")) return;
                bool ok = Expect(layer, 0, "kernel", "rnn.weight_ih" + l, "[input, " + gatesText + "]", input, g);
                ok &= Expect(layer, 1, "recurrent_kernel", "rnn.weight_hh" + l, "[hidden, " + gatesText + "]", h, g);
                bool hasBias = layer.Weights.Count == 3;
                bool twoBiases = false;
                if (hasBias)
                {
                    int[] bias = layer.Weights[2].Key;
                    if (_d.Cell == CellKind.Gru)
                    {
                        if (WeightFile.SameShape(bias, new[] { 2, g })) twoBiases = true;
                        else if (!WeightFile.SameShape(bias, new[] { g }))
                        {
                            _problems.Add("rnn.bias_ih" + l + ", rnn.bias_hh" + l + " (" + layer.Label + " bias): expected Keras shape [2, " + WeightFile.Int(g) +
                                "] (reset_after=True) or [" + WeightFile.Int(g) + "] (reset_after=False), found " + WeightFile.ShapeText(bias));
                            ok = false;
                        }
                    }
                    else
                    {
                        ok &= Expect(layer, 2, "bias", "rnn.bias_ih" + l, "[" + gatesText + "]", g);
                    }
                }
                if (_d.Cell == CellKind.Gru && ok)
                {
                    bool? fileResetAfter = hasBias ? twoBiases : layer.ResetAfter;
                    if (hasBias && layer.ResetAfter.HasValue && layer.ResetAfter.Value != twoBiases)
                    {
                        _problems.Add(layer.Label + ": \"reset_after\": " + (layer.ResetAfter.Value ? "true" : "false") + " contradicts its bias shape " + WeightFile.ShapeText(layer.Weights[2].Key));
                        ok = false;
                    }
                    else if (fileResetAfter.HasValue && fileResetAfter.Value != _d.ResetAfter)
                    {
                        _problems.Add(layer.Label + ": the file's GRU has reset_after=" + (fileResetAfter.Value ? "True" : "False") +
                            (hasBias ? " (bias " + WeightFile.ShapeText(layer.Weights[2].Key) + ")" : "") + ", but the model has ResetAfter = " + (_d.ResetAfter ? "true" : "false") +
                            " (" + _d + "); the two compute different functions");
                        ok = false;
                    }
                }
                if (!ok) return;

                var ih = Info("rnn.weight_ih" + l);
                var hh = Info("rnn.weight_hh" + l);
                var bih = Info("rnn.bias_ih" + l);
                var bhh = Info("rnn.bias_hh" + l);
                float[] kernel = layer.Weights[0].Value;
                float[] recurrentKernel = layer.Weights[1].Value;
                float[]? biasValues = hasBias ? layer.Weights[2].Value : null;
                for (int pg = 0; pg < gates; pg++)
                {
                    // PyTorch GRU gates r, z, n are Keras' blocks 1 (r), 0 (z), 2 (h); LSTM i, f, g, o and RNN keep their order.
                    int kg = _d.Cell == CellKind.Gru && pg < 2 ? 1 - pg : pg;
                    for (int j = 0; j < h; j++)
                    {
                        int row = pg * h + j;
                        int column = kg * h + j;
                        for (int c = 0; c < input; c++) _values[ih.Offset + row * input + c] = kernel[c * g + column];
                        for (int c = 0; c < h; c++) _values[hh.Offset + row * h + c] = recurrentKernel[c * g + column];
                        _values[bih.Offset + row] = biasValues != null ? biasValues[column] : 0f;
                        _values[bhh.Offset + row] = biasValues != null && twoBiases ? biasValues[g + column] : 0f;
                    }
                }
            }

            private void MapDense(Layer layer)
            {
                CheckHeadActivation(layer);
                if (!ExpectCount(layer, 1, 2, "kernel, bias")) return;
                int h = _d.HiddenSize, o = _d.OutputSize;
                bool ok = Expect(layer, 0, "kernel", "dense.weight", "[hidden, output]", h, o);
                bool hasBias = layer.Weights.Count == 2;
                if (hasBias) ok &= Expect(layer, 1, "bias", "dense.bias", "[output]", o);
                if (!ok) return;
                var weight = Info("dense.weight");
                var bias = Info("dense.bias");
                float[] kernel = layer.Weights[0].Value;
                for (int r = 0; r < o; r++)
                {
                    for (int c = 0; c < h; c++) _values[weight.Offset + r * h + c] = kernel[c * o + r];
                    _values[bias.Offset + r] = hasBias ? layer.Weights[1].Value[r] : 0f;
                }
            }

            private void CheckHeadActivation(Layer layer)
            {
                string? act = layer.Activation;
                if (string.IsNullOrEmpty(act)) return;
                OutputActivation expected;
                switch (act)
                {
                    case "linear": expected = OutputActivation.Identity; break;
                    case "sigmoid": expected = OutputActivation.Sigmoid; break;
                    case "tanh": expected = OutputActivation.Tanh; break;
                    case "softmax": expected = OutputActivation.Softmax; break;
                    default:
                        _problems.Add(layer.Label + ": activation '" + act + "' is not a head activation this library has (linear, sigmoid, tanh, softmax)");
                        return;
                }
                if (expected != _d.OutputActivation)
                    _problems.Add(layer.Label + ": activation '" + act + "', but the model's head is " + _d.OutputActivation);
            }
        }
    }
}
