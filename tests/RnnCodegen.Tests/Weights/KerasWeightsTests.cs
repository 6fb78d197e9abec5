using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using Xunit;
using static RnnCodegen.Tests.Weights.WeightTestUtil;

namespace RnnCodegen.Tests.Weights
{
    public class KerasWeightsTests
    {
        // ---------- hand-written files with literal numbers: the layout conversions spelled out ----------

        [Fact]
        public void LstmKernelsAreTransposedAndBiasGoesToBiasIh()
        {
            // LSTM input 2, hidden 1 (4 gate rows i, f, c/g, o) + Dense(1 -> 2)
            string json = @"{""in_shape"": [null, null, 2], ""layers"": [
 {""type"": ""lstm"", ""activation"": ""tanh"", ""shape"": [null, null, 1], ""weights"": [
    [[1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0]],
    [[9.0, 10.0, 11.0, 12.0]],
    [13.0, 14.0, 15.0, 16.0]]},
 {""type"": ""dense"", ""activation"": """", ""shape"": [null, null, 2], ""weights"": [[[17.0, 18.0]], [19.0, 20.0]]}]}";
            var model = FakeModel.Lstm(2, 1, output: 2).Randomize(1);
            model.LoadKerasWeights(Utf8(json));
            AssertBits(new float[] { 1, 5, 2, 6, 3, 7, 4, 8 }, model.Get("rnn.weight_ih_l0"));
            AssertBits(new float[] { 9, 10, 11, 12 }, model.Get("rnn.weight_hh_l0"));
            AssertBits(new float[] { 13, 14, 15, 16 }, model.Get("rnn.bias_ih_l0"));
            AssertBits(new float[] { 0, 0, 0, 0 }, model.Get("rnn.bias_hh_l0"));
            AssertBits(new float[] { 17, 18 }, model.Get("dense.weight"));
            AssertBits(new float[] { 19, 20 }, model.Get("dense.bias"));
            Assert.Equal(1, model.SetParametersCalls);
        }

        [Fact]
        public void DenseKernelIsTransposed()
        {
            // hidden 2, output 3: Keras kernel [2, 3] -> PyTorch dense.weight [3, 2]
            string json = @"{""layers"": [
 {""type"": ""simplernn"", ""weights"": [[[0.5, 0.25]], [[1, 2], [3, 4]], [0, 0]]},
 {""type"": ""time-distributed-dense"", ""weights"": [[[1, 2, 3], [4, 5, 6]], [7, 8, 9]]}]}";
            var model = FakeModel.Rnn(1, 2, output: 3).Randomize(2);
            KerasWeights.Load(model, Utf8(json));
            AssertBits(new float[] { 1, 4, 2, 5, 3, 6 }, model.Get("dense.weight"));
            AssertBits(new float[] { 7, 8, 9 }, model.Get("dense.bias"));
            AssertBits(new float[] { 0.5f, 0.25f }, model.Get("rnn.weight_ih_l0"));
            AssertBits(new float[] { 1, 3, 2, 4 }, model.Get("rnn.weight_hh_l0"));
        }

        [Fact]
        public void GruResetAfterReordersZrhToRzn()
        {
            // input 1, hidden 1: Keras blocks z, r, h; PyTorch rows r, z, n
            string json = @"{""layers"": [{""type"": ""gru"", ""activation"": ""tanh"", ""weights"": [
    [[1.0, 2.0, 3.0]], [[4.0, 5.0, 6.0]], [[7.0, 8.0, 9.0], [10.0, 11.0, 12.0]]]}]}";
            var model = FakeModel.Gru(1, 1, resetAfter: true).Randomize(3);
            KerasWeights.Load(model, Utf8(json));
            AssertBits(new float[] { 2, 1, 3 }, model.Get("rnn.weight_ih_l0"));
            AssertBits(new float[] { 5, 4, 6 }, model.Get("rnn.weight_hh_l0"));
            AssertBits(new float[] { 8, 7, 9 }, model.Get("rnn.bias_ih_l0"));
            AssertBits(new float[] { 11, 10, 12 }, model.Get("rnn.bias_hh_l0"));
        }

        [Fact]
        public void GruClassicHasOneBias()
        {
            string json = @"{""layers"": [{""type"": ""gru"", ""weights"": [[[1, 2, 3]], [[4, 5, 6]], [7, 8, 9]]}]}";
            var model = FakeModel.Gru(1, 1, resetAfter: false).Randomize(4);
            KerasWeights.Load(model, Utf8(json));
            AssertBits(new float[] { 2, 1, 3 }, model.Get("rnn.weight_ih_l0"));
            AssertBits(new float[] { 5, 4, 6 }, model.Get("rnn.weight_hh_l0"));
            AssertBits(new float[] { 8, 7, 9 }, model.Get("rnn.bias_ih_l0"));
            AssertBits(new float[] { 0, 0, 0 }, model.Get("rnn.bias_hh_l0"));
        }

        // ---------- generated files: every value of every tensor checked ----------

        /// <summary>A model whose PyTorch values are distinct and exact (k/64), with biases a Keras file can express.</summary>
        private static FakeModel Source(FakeModel model, bool gruTwoBiases)
        {
            var v = model.Snapshot();
            for (int i = 0; i < v.Length; i++) v[i] = (i + 1) / 64f * (i % 2 == 0 ? 1 : -1);
            model.SetParameters(v);
            if (model.Description.Cell != CellKind.Gru || !gruTwoBiases)
            {
                for (int k = 0; k < model.Description.LayerCount; k++)
                    model.SetParameter("rnn.bias_hh_l" + k, new float[model.Get("rnn.bias_hh_l" + k).Length]);
            }
            return model;
        }

        /// <summary>Keras block order as PyTorch gate indices: LSTM i,f,c,o = 0,1,2,3; GRU z,r,h = PyTorch 1,0,2; RNN 0.</summary>
        private static int[] KerasBlocks(CellKind cell) => cell == CellKind.Lstm ? new[] { 0, 1, 2, 3 } : cell == CellKind.Gru ? new[] { 1, 0, 2 } : new[] { 0 };

        /// <summary>PyTorch [G*H, cols] -> Keras [cols, G*H] with Keras' block order.</summary>
        private static float[] ToKerasKernel(float[] pytorch, int[] blocks, int h, int cols)
        {
            int g = blocks.Length * h;
            var keras = new float[cols * g];
            for (int kb = 0; kb < blocks.Length; kb++)
                for (int j = 0; j < h; j++)
                    for (int c = 0; c < cols; c++)
                        keras[c * g + kb * h + j] = pytorch[(blocks[kb] * h + j) * cols + c];
            return keras;
        }

        private static float[] ToKerasBias(float[] pytorch, int[] blocks, int h)
        {
            var keras = new float[pytorch.Length];
            for (int kb = 0; kb < blocks.Length; kb++)
                for (int j = 0; j < h; j++)
                    keras[kb * h + j] = pytorch[blocks[kb] * h + j];
            return keras;
        }

        /// <summary>Writes a Keras/RTNeural JSON for <paramref name="source"/> (test-side conversion, independent of the library).</summary>
        internal static string KerasJson(FakeModel source, bool gruTwoBiases = true, string? cellType = null)
        {
            var d = source.Description;
            int h = d.HiddenSize, blocksCount = ParameterLayout.GateCount(d.Cell);
            int[] blocks = KerasBlocks(d.Cell);
            string type = cellType ?? (d.Cell == CellKind.Lstm ? "lstm" : d.Cell == CellKind.Gru ? "gru" : "simplernn");
            var layers = new List<string>();
            if (d.Vocabulary > 0)
                layers.Add("{\"type\": \"embedding\", \"activation\": \"\", \"shape\": [null, null, " + d.InputSize + "], \"weights\": [" + Rows(source.Get("embedding.weight"), d.Vocabulary, d.InputSize) + "]}");
            for (int k = 0; k < d.LayerCount; k++)
            {
                int input = k == 0 ? d.InputSize : h;
                int g = blocksCount * h;
                string kernel = Rows(ToKerasKernel(source.Get("rnn.weight_ih_l" + k), blocks, h, input), input, g);
                string recurrent = Rows(ToKerasKernel(source.Get("rnn.weight_hh_l" + k), blocks, h, h), h, g);
                float[] bih = ToKerasBias(source.Get("rnn.bias_ih_l" + k), blocks, h);
                string bias = d.Cell == CellKind.Gru && gruTwoBiases
                    ? Rows(bih.Concat(ToKerasBias(source.Get("rnn.bias_hh_l" + k), blocks, h)).ToArray(), 2, g)
                    : List(bih);
                layers.Add("{\"type\": \"" + type + "\", \"activation\": \"tanh\", \"shape\": [null, null, " + h + "], \"weights\": [" + kernel + ", " + recurrent + ", " + bias + "]}");
            }
            if (d.OutputSize > 0)
            {
                float[] w = source.Get("dense.weight");
                var kernel = new float[h * d.OutputSize];
                for (int o = 0; o < d.OutputSize; o++)
                    for (int c = 0; c < h; c++)
                        kernel[c * d.OutputSize + o] = w[o * h + c];
                layers.Add("{\"type\": \"dense\", \"activation\": \"\", \"shape\": [null, null, " + d.OutputSize + "], \"weights\": [" + Rows(kernel, h, d.OutputSize) + ", " + List(source.Get("dense.bias")) + "]}");
            }
            return "{\"in_shape\": [null, null, " + d.InputSize + "], \"layers\": [\n" + string.Join(",\n", layers) + "]}";
        }

        public static IEnumerable<object[]> Models()
        {
            yield return new object[] { "lstm 2->3 + dense 1", new ModelDescription(CellKind.Lstm, 2, 3, 1, 1, 0, 0, Activation.Tanh, OutputActivation.Identity, OutputMode.Sequence, false, true), true };
            yield return new object[] { "gru reset_after", new ModelDescription(CellKind.Gru, 3, 4, 1, 2, 0, 0, Activation.Tanh, OutputActivation.Identity, OutputMode.Sequence, false, true), true };
            yield return new object[] { "gru classic", new ModelDescription(CellKind.Gru, 3, 4, 1, 2, 0, 0, Activation.Tanh, OutputActivation.Identity, OutputMode.Sequence, false, false), false };
            yield return new object[] { "simplernn", new ModelDescription(CellKind.Rnn, 2, 5, 1, 1, 0, 0, Activation.Tanh, OutputActivation.Identity, OutputMode.Sequence, false, true), true };
            yield return new object[] { "stacked lstm", new ModelDescription(CellKind.Lstm, 2, 3, 3, 2, 0, 0, Activation.Tanh, OutputActivation.Identity, OutputMode.Sequence, false, true), true };
            yield return new object[] { "stacked gru", new ModelDescription(CellKind.Gru, 1, 3, 2, 0, 0, 0, Activation.Tanh, OutputActivation.Identity, OutputMode.Sequence, false, true), true };
            yield return new object[] { "embedding lstm", new ModelDescription(CellKind.Lstm, 3, 2, 1, 5, 5, 0, Activation.Tanh, OutputActivation.Identity, OutputMode.Sequence, false, true), true };
            yield return new object[] { "embedding gru no head", new ModelDescription(CellKind.Gru, 4, 3, 2, 0, 7, 0, Activation.Tanh, OutputActivation.Identity, OutputMode.Sequence, false, true), true };
        }

        [Theory]
        [MemberData(nameof(Models))]
        public void MapsEveryValue(string name, ModelDescription description, bool gruTwoBiases)
        {
            Assert.NotNull(name);
            var source = Source(new FakeModel(description), gruTwoBiases);
            string json = KerasJson(source, gruTwoBiases);
            var target = new FakeModel(description).Randomize(5);
            KerasWeights.Load(target, new TrickleStream(Encoding.UTF8.GetBytes(json), 7));
            foreach (var info in source.ParameterInfos)
                AssertBits(source.Get(info.Name), target.Get(info.Name));
            Assert.Equal(1, target.SetParametersCalls);
        }

        [Fact]
        public void AcceptsRnnTypeAndTrailingActivationLayer()
        {
            var d = new ModelDescription(CellKind.Rnn, 1, 2, 1, 1, 0, 0, Activation.Relu, OutputActivation.Sigmoid, OutputMode.Sequence, false, true);
            var source = Source(new FakeModel(d), true);
            string json = KerasJson(source, cellType: "rnn").Replace("\"activation\": \"tanh\"", "\"activation\": \"relu\"");
            json = json.Substring(0, json.Length - 2) + ",\n{\"type\": \"activation\", \"activation\": \"sigmoid\", \"shape\": [null, null, 1], \"weights\": []}]}";
            var target = new FakeModel(d).Randomize(6);
            KerasWeights.Load(target, Utf8(json));
            AssertBits(source.Snapshot(), target.Snapshot());
        }

        // ---------- refusals ----------

        private static FakeModel Lstm23() => FakeModel.Lstm(2, 3, output: 1).Randomize(30);

        private static string Lstm23Json() => KerasJson(Source(FakeModel.Lstm(2, 3, output: 1), true));

        private static Action<FakeModel> LoadText(string json) => m => KerasWeights.Load(m, Utf8(json));

        [Fact]
        public void BaseFileLoads()
        {
            var model = Lstm23();
            KerasWeights.Load(model, Utf8(Lstm23Json()));
            Assert.Equal(1, model.SetParametersCalls);
        }

        [Fact]
        public void RefusesWeightsGivenTwice()
        {
            // An empty list first used to go unnoticed: the check looked at how many tensors had been read.
            string json = Lstm23Json();
            int at = json.IndexOf("\"weights\"", StringComparison.Ordinal);
            Assert.True(at > 0);
            AssertRefused(Lstm23(), LoadText(json.Insert(at, "\"weights\": [], ")), "layers[0] ('lstm'): \"weights\" appears twice");
        }

        [Fact]
        public void RefusesPeepholeModel()
        {
            var model = FakeModel.Lstm(2, 3, output: 1, peephole: true).Randomize(31);
            AssertRefused(model, LoadText(Lstm23Json()), "peephole", "LSTM(peephole, 2->3, layers 1)");
        }

        [Fact]
        public void RefusesWrongLayerCount()
        {
            var stacked = FakeModel.Lstm(2, 3, layers: 2, output: 1).Randomize(32);
            AssertRefused(stacked, LoadText(Lstm23Json()), "the file has 1 recurrent layer, the model has 2");
            var source = Source(FakeModel.Lstm(2, 3, layers: 2, output: 1), true);
            AssertRefused(Lstm23(), LoadText(KerasJson(source)), "the file has 2 recurrent layers, the model has 1");
        }

        [Fact]
        public void RefusesWrongCell()
        {
            var gru = Source(FakeModel.Gru(2, 3, output: 1), true);
            AssertRefused(Lstm23(), LoadText(KerasJson(gru)), "layers[0] ('gru'): a gru layer, but the model is LSTM(2->3, layers 1) + Dense(1, Identity)");
        }

        [Fact]
        public void RefusesResetAfterMismatch()
        {
            var classicFile = KerasJson(Source(FakeModel.Gru(2, 3), false), gruTwoBiases: false);
            AssertRefused(FakeModel.Gru(2, 3, resetAfter: true).Randomize(33), LoadText(classicFile),
                "layers[0] ('gru'): the file's GRU has reset_after=False (bias [9]), but the model has ResetAfter = true");
            var pytorchFile = KerasJson(Source(FakeModel.Gru(2, 3), true), gruTwoBiases: true);
            AssertRefused(FakeModel.Gru(2, 3, resetAfter: false).Randomize(34), LoadText(pytorchFile),
                "the file's GRU has reset_after=True (bias [2, 9]), but the model has ResetAfter = false");
            AssertRefused(FakeModel.Gru(2, 3, resetAfter: true).Randomize(35), LoadText(pytorchFile.Replace("\"type\": \"gru\"", "\"type\": \"gru\", \"reset_after\": false")),
                "\"reset_after\": false contradicts its bias shape [2, 9]");
        }

        [Fact]
        public void RefusesMissingOrExtraDense()
        {
            var noHead = KerasJson(Source(FakeModel.Lstm(2, 3), true));
            AssertRefused(Lstm23(), LoadText(noHead), "dense.weight, dense.bias: the file has no dense layer");
            AssertRefused(FakeModel.Lstm(2, 3).Randomize(36), LoadText(Lstm23Json()), "layers[1] ('dense'): a dense layer, but the model has no head");
        }

        [Fact]
        public void RefusesWrongShapesNamingTheTensor()
        {
            var wider = KerasJson(Source(FakeModel.Lstm(2, 4, output: 1), true));
            AssertRefused(Lstm23(), LoadText(wider),
                "rnn.weight_ih_l0 (layers[0] ('lstm') kernel): expected Keras shape [2, 12] ([input, 4 * hidden]), found [2, 16]",
                "rnn.weight_hh_l0 (layers[0] ('lstm') recurrent_kernel): expected Keras shape [3, 12] ([hidden, 4 * hidden]), found [4, 16]",
                "rnn.bias_ih_l0 (layers[0] ('lstm') bias): expected Keras shape [12] ([4 * hidden]), found [16]",
                "dense.weight (layers[1] ('dense') kernel): expected Keras shape [3, 1] ([hidden, output]), found [4, 1]");
            var otherInput = KerasJson(Source(FakeModel.Lstm(1, 3, output: 1), true));
            AssertRefused(Lstm23(), LoadText(otherInput), "rnn.weight_ih_l0 (layers[0] ('lstm') kernel): expected Keras shape [2, 12] ([input, 4 * hidden]), found [1, 12]");
            // a PyTorch-shaped (untransposed) kernel is not silently accepted
            string untransposed = "{\"layers\": [{\"type\": \"simplernn\", \"weights\": [[[1], [2]], [[1, 2], [3, 4]], [0, 0]]}]}";
            AssertRefused(FakeModel.Rnn(2, 2).Randomize(37), LoadText(untransposed), "rnn.weight_ih_l0 (layers[0] ('simplernn') kernel): expected Keras shape [2, 2] ([input, hidden]), found [2, 1]");
        }

        [Fact]
        public void RefusesWrongWeightCount()
        {
            string json = "{\"layers\": [{\"type\": \"simplernn\", \"weights\": [[[1, 2]]]}]}";
            AssertRefused(FakeModel.Rnn(1, 2).Randomize(38), LoadText(json), "layers[0] ('simplernn'): expected 2 or 3 weight arrays (kernel, recurrent_kernel, bias), found 1");
        }

        [Fact]
        public void RefusesActivationMismatches()
        {
            AssertRefused(Lstm23(), LoadText(Lstm23Json().Replace("\"activation\": \"tanh\"", "\"activation\": \"relu\"")),
                "layers[0] ('lstm'): activation 'relu', but the model's LSTM uses tanh");
            AssertRefused(Lstm23(), LoadText(Lstm23Json().Replace("\"activation\": \"\"", "\"activation\": \"sigmoid\"")),
                "layers[1] ('dense'): activation 'sigmoid', but the model's head is Identity");
            AssertRefused(Lstm23(), LoadText(Lstm23Json().Replace("\"activation\": \"\"", "\"activation\": \"elu\"")),
                "activation 'elu' is not a head activation");
            var relu = FakeModel.Rnn(1, 2, activation: Activation.Relu).Randomize(39);
            string tanhFile = "{\"layers\": [{\"type\": \"simplernn\", \"activation\": \"tanh\", \"weights\": [[[1, 2]], [[1, 2], [3, 4]], [0, 0]]}]}";
            AssertRefused(relu, LoadText(tanhFile), "activation 'tanh', but the model's RNN uses relu");
        }

        [Fact]
        public void RefusesUnsupportedAndMisplacedLayers()
        {
            string json = Lstm23Json().Replace("\"layers\": [\n", "\"layers\": [\n{\"type\": \"unknown\", \"activation\": \"\", \"weights\": []},\n{\"type\": \"conv1d\", \"weights\": []},\n");
            AssertRefused(Lstm23(), LoadText(json), "layers[0] ('unknown'): unsupported layer type", "Dropout", "layers[1] ('conv1d'): unsupported layer type");
            string activationFirst = Lstm23Json().Replace("\"layers\": [\n", "\"layers\": [\n{\"type\": \"activation\", \"activation\": \"tanh\", \"weights\": []},\n");
            AssertRefused(Lstm23(), LoadText(activationFirst), "layers[0] ('activation'): an activation layer is only supported directly after the dense layer");
            var embedded = Source(FakeModel.Lstm(3, 2, output: 5, vocabulary: 5), true);
            string json2 = KerasJson(embedded);
            int e = json2.IndexOf("{\"type\": \"embedding\"", StringComparison.Ordinal);
            int end = json2.IndexOf("{\"type\": \"lstm\"", StringComparison.Ordinal);
            string embeddingLayer = json2.Substring(e, end - e - 2);
            string reordered = json2.Remove(e, end - e).Replace("{\"type\": \"dense\"", embeddingLayer + ",\n{\"type\": \"dense\"");
            AssertRefused(new FakeModel(embedded.Description).Randomize(40), LoadText(reordered), "layers[1] ('embedding'): the embedding layer must come before the recurrent layers");
            AssertRefused(new FakeModel(embedded.Description).Randomize(41), LoadText(json2.Remove(e, end - e)), "embedding.weight: the file has no embedding layer");
            AssertRefused(Lstm23(), LoadText(json2), "layers[0] ('embedding'): an embedding layer, but the model takes float inputs");
        }

        [Theory]
        [InlineData("NaN")]
        [InlineData("Infinity")]
        [InlineData("-Infinity")]
        public void RefusesNonFiniteTokens(string token)
        {
            string json = Lstm23Json();
            int recurrent = json.IndexOf("]], [[", StringComparison.Ordinal) + 6; // start of the recurrent kernel's first row
            int comma = json.IndexOf(',', recurrent);
            json = json.Substring(0, recurrent) + token + json.Substring(comma);
            AssertRefused(Lstm23(), LoadText(json), "layers[0] ('lstm').weights[1] (recurrent_kernel -> rnn.weight_hh_l0)[0, 0]", token);
        }

        [Fact]
        public void RefusesOutOfRangeNumber()
        {
            string json = Lstm23Json().Replace("\"weights\": [[[", "\"weights\": [[[1e999, ");
            json = json.Substring(0, json.IndexOf("1e999", StringComparison.Ordinal) + 7) + json.Substring(json.IndexOf(',', json.IndexOf("1e999", StringComparison.Ordinal) + 7));
            AssertRefused(Lstm23(), LoadText(json), "layers[0] ('lstm').weights[0] (kernel -> rnn.weight_ih_l0)[0, 0]: 1e999 is not a finite float32 value");
        }

        [Theory]
        [InlineData("", "empty")]
        [InlineData("[]", "Expected a Keras JSON object")]
        [InlineData("{\"in_shape\": [null, null, 2]}", "no \"layers\" list")]
        [InlineData("{\"layers\": {}}", "\"layers\": expected a list")]
        [InlineData("{\"layers\": [42]}", "layers[0]: expected a layer object")]
        [InlineData("{\"layers\": [{\"weights\": []}]}", "layers[0]: no \"type\"")]
        [InlineData("{\"layers\": [{\"type\": 3}]}", "layers[0].type: expected a string")]
        [InlineData("{\"layers\": [{\"type\": \"lstm\", \"weights\": [[[1, 2], [3]]]}]}", "layers[0] ('lstm').weights[0] (kernel -> rnn.weight_ih_l0)[1]: the nested lists are ragged")]
        [InlineData("{\"layers\": [{\"type\": \"lstm\", \"weights\": [[[1, \"x\"]]]}]}", "layers[0] ('lstm').weights[0] (kernel -> rnn.weight_ih_l0)[0, 1]: expected a number, found a string")]
        public void RefusesMalformedContent(string json, string fragment)
        {
            AssertRefused(Lstm23(), LoadText(json), fragment);
        }

        [Fact]
        public void RefusesTruncatedDeepAndHugeFiles()
        {
            string json = Lstm23Json();
            int cut = json.IndexOf("\"weights\": [[[", json.IndexOf("\"type\": \"dense\"", StringComparison.Ordinal), StringComparison.Ordinal) + 20;
            AssertRefused(Lstm23(), LoadText(json.Substring(0, cut)), "layers[1] ('dense').weights[0] (kernel -> dense.weight)", "truncated");
            string deep = "{\"layers\": [{\"type\": \"lstm\", \"weights\": [" + new string('[', 100) + "1" + new string(']', 100) + "]}]}";
            AssertRefused(Lstm23(), LoadText(deep), "layers[0] ('lstm').weights[0] (kernel -> rnn.weight_ih_l0)", "nested deeper than 16 levels");
            var model = Lstm23();
            long limit = 64L * model.ParameterCount + (1 << 20);
            AssertRefused(model, m => KerasWeights.Load(m, new EndlessSpacesStream(json, limit + 1)), "larger than");
        }

        [Fact]
        public void NullArgumentsThrowArgumentNullException()
        {
            var model = Lstm23();
            Assert.Throws<ArgumentNullException>("utf8Json", () => KerasWeights.Load(model, null!));
            Assert.Throws<ArgumentNullException>("model", () => KerasWeights.Load(null!, Utf8(Lstm23Json())));
            Assert.Throws<ArgumentNullException>("utf8Json", () => model.LoadKerasWeights(null!));
            Assert.Equal(0, model.SetParametersCalls);
        }
    }
}
