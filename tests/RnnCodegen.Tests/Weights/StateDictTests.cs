using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using Xunit;
using static RnnCodegen.Tests.Weights.WeightTestUtil;

namespace RnnCodegen.Tests.Weights
{
    public class StateDictTests
    {
        public static IEnumerable<object[]> Models()
        {
            yield return new object[] { "lstm", FakeModel.Lstm(1, 8, output: 1) };
            yield return new object[] { "lstm-stacked", FakeModel.Lstm(3, 5, layers: 3, output: 2) };
            yield return new object[] { "lstm-peephole", FakeModel.Lstm(2, 4, layers: 2, peephole: true) };
            yield return new object[] { "gru", FakeModel.Gru(2, 6, output: 3) };
            yield return new object[] { "gru-classic", FakeModel.Gru(2, 6, layers: 2, resetAfter: false) };
            yield return new object[] { "rnn-relu", FakeModel.Rnn(4, 7, activation: Activation.Relu, output: 1) };
            yield return new object[] { "embedding", FakeModel.Lstm(5, 6, output: 11, vocabulary: 11, outputActivation: OutputActivation.Softmax) };
            yield return new object[] { "no-head", FakeModel.Rnn(1, 3) };
        }

        private static float[] SaveLoad(FakeModel source, FakeModel target, bool indented, bool trickle)
        {
            var saved = new MemoryStream();
            StateDict.Save(source, saved, indented);
            byte[] bytes = saved.ToArray();
            Stream input = trickle ? new TrickleStream(bytes, 3) : new MemoryStream(bytes);
            StateDict.Load(target, input);
            return target.Snapshot();
        }

        [Theory]
        [MemberData(nameof(Models))]
        public void SaveThenLoadIsBitExact(string name, FakeModel source)
        {
            Assert.NotNull(name);
            source.Randomize(1);
            AddAwkwardValues(source);
            foreach (bool indented in new[] { false, true })
            {
                foreach (bool trickle in new[] { false, true })
                {
                    var target = new FakeModel(source.Description).Randomize(2);
                    AssertBits(source.Snapshot(), SaveLoad(source, target, indented, trickle));
                    Assert.Equal(1, target.SetParametersCalls);
                }
            }
        }

        [Fact]
        public void SaveWritesCanonicalNamesInOrderWithPyTorchShapes()
        {
            var model = FakeModel.Lstm(2, 3, layers: 2, output: 1).Randomize(3);
            var stream = new MemoryStream();
            model.SaveStateDict(stream);
            using var doc = JsonDocument.Parse(stream.ToArray());
            var properties = doc.RootElement.EnumerateObject().ToList();
            Assert.Equal(model.ParameterInfos.Select(p => p.Name), properties.Select(p => p.Name));
            foreach (var (info, property) in model.ParameterInfos.Zip(properties))
            {
                var element = property.Value;
                Assert.Equal(JsonValueKind.Array, element.ValueKind);
                Assert.Equal(info.Shape[0], element.GetArrayLength());
                float[] expected = model.Get(info.Name);
                var flat = new List<float>();
                foreach (var item in element.EnumerateArray())
                {
                    if (info.Shape.Count == 1)
                    {
                        flat.Add(item.GetSingle());
                    }
                    else
                    {
                        Assert.Equal(info.Shape[1], item.GetArrayLength());
                        flat.AddRange(item.EnumerateArray().Select(x => x.GetSingle()));
                    }
                }
                AssertBits(expected, flat.ToArray());
            }
        }

        [Fact]
        public void SaveUsesShortestInvariantFormatting()
        {
            var model = FakeModel.Rnn(1, 1);
            model.SetParameters(new[] { 0.1f, -2.5f, 1e-7f, 3e38f });
            var previous = System.Globalization.CultureInfo.CurrentCulture;
            try
            {
                // globalization-invariant mode allows no named cultures: a custom one with a comma and an odd minus sign
                var odd = (System.Globalization.CultureInfo)System.Globalization.CultureInfo.InvariantCulture.Clone();
                odd.NumberFormat.NumberDecimalSeparator = ",";
                odd.NumberFormat.NegativeSign = "~";
                System.Globalization.CultureInfo.CurrentCulture = odd;
                Assert.Equal("~2,5", (-2.5f).ToString(System.Globalization.CultureInfo.CurrentCulture));
                var stream = new MemoryStream();
                StateDict.Save(model, stream);
                string text = Encoding.UTF8.GetString(stream.ToArray());
                Assert.Equal("{\"rnn.weight_ih_l0\":[[0.1]],\"rnn.weight_hh_l0\":[[-2.5]],\"rnn.bias_ih_l0\":[1E-07],\"rnn.bias_hh_l0\":[3E+38]}", text);
                var back = FakeModel.Rnn(1, 1);
                StateDict.Load(back, new MemoryStream(stream.ToArray()));
                Assert.Equal(0.1f, back.Get("rnn.weight_ih_l0")[0]);
            }
            finally
            {
                System.Globalization.CultureInfo.CurrentCulture = previous;
            }
        }

        [Fact]
        public void SaveRefusesNonFiniteParametersAndWritesNothing()
        {
            var model = FakeModel.Lstm(1, 2, output: 1).Randomize(4);
            var v = model.Snapshot();
            v[v.Length - 2] = float.NaN; // dense.weight[0, 1]
            model.SetParameters(v);
            var stream = new MemoryStream();
            var ex = Assert.Throws<InvalidOperationException>(() => StateDict.Save(model, stream));
            Assert.Contains("dense.weight[0, 1]", ex.Message);
            Assert.Equal(0, stream.Length);
        }

        [Fact]
        public void LoadsRtNeuralStyleFileWithLstmAndFcPrefixes()
        {
            // A file as RTNeural's PyTorch examples write it: nn.LSTM named "lstm", nn.Linear named "fc", Python float reprs.
            string json = @"{
  ""lstm.weight_ih_l0"": [[0.10000000149011612], [-0.2], [0.3], [0.4], [0.5], [0.6], [0.7], [0.8]],
  ""lstm.weight_hh_l0"": [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0], [7.0, 8.0], [9.0, 10.0], [11.0, 12.0], [13.0, 14.0], [15.0, 16.0]],
  ""lstm.bias_ih_l0"": [0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08],
  ""lstm.bias_hh_l0"": [-1e-05, 0.0, -0.0, 1.5, 2.5, 3.5, 4.5, 5.5],
  ""fc.weight"": [[0.25, -0.75]],
  ""fc.bias"": [0.125]
}";
            var model = FakeModel.Lstm(1, 2, output: 1).Randomize(5);
            model.LoadStateDict(Utf8(json));
            AssertBits(new[] { 0.1f, -0.2f, 0.3f, 0.4f, 0.5f, 0.6f, 0.7f, 0.8f }, model.Get("rnn.weight_ih_l0"));
            AssertBits(Enumerable.Range(1, 16).Select(i => (float)i).ToArray(), model.Get("rnn.weight_hh_l0"));
            AssertBits(new[] { 0.01f, 0.02f, 0.03f, 0.04f, 0.05f, 0.06f, 0.07f, 0.08f }, model.Get("rnn.bias_ih_l0"));
            AssertBits(new[] { -1e-05f, 0f, -0f, 1.5f, 2.5f, 3.5f, 4.5f, 5.5f }, model.Get("rnn.bias_hh_l0"));
            AssertBits(new[] { 0.25f, -0.75f }, model.Get("dense.weight"));
            AssertBits(new[] { 0.125f }, model.Get("dense.bias"));
            Assert.Equal(1, model.SetParametersCalls);
        }

        [Theory]
        [InlineData("lstm.", "fc.")]
        [InlineData("", "linear.")]
        [InlineData("model.rnn.", "model.head.")]
        [InlineData("encoder.lstm1.", "decoder.")]
        [InlineData("rnn.", "dense.")]
        [InlineData("net.gru.", "out.")]
        [InlineData("a.b.c.", "output.")]
        public void MapsPrefixes(string recurrent, string head)
        {
            var source = FakeModel.Lstm(2, 3, layers: 2, output: 2).Randomize(6);
            string json = StateDictJson(source, n => n.StartsWith("rnn.", StringComparison.Ordinal) ? recurrent + n.Substring(4) : head + n.Substring(6));
            var target = FakeModel.Lstm(2, 3, layers: 2, output: 2).Randomize(7);
            StateDict.Load(target, Utf8(json));
            AssertBits(source.Snapshot(), target.Snapshot());
        }

        [Theory]
        [InlineData("embedding.")]
        [InlineData("embed.")]
        [InlineData("emb.")]
        [InlineData("encoder.")]
        [InlineData("model.embedding.")]
        public void MapsEmbeddingPrefixes(string prefix)
        {
            var source = FakeModel.Gru(3, 4, output: 9, vocabulary: 9).Randomize(8);
            string json = StateDictJson(source, n => n == "embedding.weight" ? prefix + "weight" : n.Replace("rnn.", "gru.").Replace("dense.", "fc."));
            var target = new FakeModel(source.Description).Randomize(9);
            StateDict.Load(target, Utf8(json));
            AssertBits(source.Snapshot(), target.Snapshot());
        }

        [Theory]
        [InlineData("{{\"state_dict\": {0}}}")]
        [InlineData("{{\"epoch\": 12, \"state_dict\": {0}, \"optimizer\": {{\"lr\": [0.001], \"name\": \"adam\"}}}}")]
        [InlineData("{{\"model_state_dict\": {0}, \"loss\": 0.5}}")]
        public void AcceptsCheckpointWrapper(string template)
        {
            var source = FakeModel.Lstm(1, 3, output: 1).Randomize(10);
            string json = string.Format(System.Globalization.CultureInfo.InvariantCulture, template, StateDictJson(source, n => n.Replace("rnn.", "lstm.").Replace("dense.", "fc.")));
            var target = FakeModel.Lstm(1, 3, output: 1).Randomize(11);
            StateDict.Load(target, Utf8(json));
            AssertBits(source.Snapshot(), target.Snapshot());
        }

        [Fact]
        public void AcceptsByteOrderMark()
        {
            var source = FakeModel.Rnn(1, 2).Randomize(12);
            var bytes = new byte[] { 0xEF, 0xBB, 0xBF }.Concat(Encoding.UTF8.GetBytes(StateDictJson(source))).ToArray();
            var target = FakeModel.Rnn(1, 2);
            StateDict.Load(target, new MemoryStream(bytes));
            AssertBits(source.Snapshot(), target.Snapshot());
        }

        // ---- refusals: InvalidDataException naming the tensor, model unchanged ----

        private static FakeModel Base() => FakeModel.Lstm(1, 4, output: 1).Randomize(20);

        private static string BaseJson() => StateDictJson(FakeModel.Lstm(1, 4, output: 1).Randomize(21));

        private static Action<FakeModel> LoadText(string json) => m => StateDict.Load(m, Utf8(json));

        /// <summary>Replaces the <paramref name="index"/>-th number of a tensor's text with <paramref name="token"/>.</summary>
        private static string ReplaceValue(string json, string key, int index, string token)
        {
            int start = json.IndexOf("\"" + key + "\"", StringComparison.Ordinal);
            Assert.True(start >= 0);
            int p = json.IndexOf(':', start) + 1;
            int seen = -1;
            while (true)
            {
                char c = json[p];
                if (c == '-' || char.IsDigit(c))
                {
                    seen++;
                    int end = p;
                    while (end < json.Length && "-+.eE0123456789".IndexOf(json[end]) >= 0) end++;
                    if (seen == index) return json.Substring(0, p) + token + json.Substring(end);
                    p = end;
                }
                else p++;
            }
        }

        [Fact]
        public void ValidBaseFileLoads()
        {
            // The refusal tests below mutate this file: prove the unmutated file is accepted, so each refusal is caused by its mutation.
            var model = Base();
            StateDict.Load(model, Utf8(BaseJson()));
            AssertBits(FakeModel.Lstm(1, 4, output: 1).Randomize(21).Snapshot(), model.Snapshot());
        }

        [Fact]
        public void RefusesTruncatedJson()
        {
            string json = BaseJson();
            int cut = json.IndexOf("\"rnn.weight_hh_l0\"", StringComparison.Ordinal) + 60;
            var ex = AssertRefused(Base(), LoadText(json.Substring(0, cut)), "rnn.weight_hh_l0");
            Assert.Contains("truncated", ex.Message);
            AssertRefused(Base(), LoadText(json.Substring(0, json.Length - 1)), "truncated");
        }

        [Theory]
        [InlineData("NaN")]
        [InlineData("Infinity")]
        [InlineData("-Infinity")]
        public void RefusesPythonNonFiniteTokens(string token)
        {
            string json = ReplaceValue(BaseJson(), "rnn.bias_ih_l0", 5, token);
            AssertRefused(Base(), LoadText(json), "rnn.bias_ih_l0[5]", token, "not valid JSON");
        }

        [Fact]
        public void RefusesNaNTokenInRowAndNamesElement()
        {
            string json = ReplaceValue(BaseJson(), "rnn.weight_hh_l0", 6, "NaN"); // row 1, column 2 of [16, 4]
            AssertRefused(Base(), LoadText(json), "rnn.weight_hh_l0[1, 2]", "NaN");
        }

        [Theory]
        [InlineData("1e999")]
        [InlineData("-1e39")]
        public void RefusesNumbersOutsideFloatRange(string token)
        {
            string json = ReplaceValue(BaseJson(), "dense.weight", 3, token);
            AssertRefused(Base(), LoadText(json), "dense.weight[0, 3]", token, "not a finite float32");
        }

        [Fact]
        public void RefusesMissingTensorsListingAll()
        {
            string json = StateDictJson(FakeModel.Lstm(1, 4, output: 1), n => n == "rnn.bias_hh_l0" || n == "dense.bias" ? null : n);
            AssertRefused(Base(), LoadText(json), "missing tensors: rnn.bias_hh_l0, dense.bias");
        }

        [Fact]
        public void RefusesExtraTensorsListingAll()
        {
            string json = BaseJson().TrimEnd('}') + ", \"bn.running_mean\": [0.0], \"lstm.weight_ih_l1\": [[1.0]], \"bn.num_batches_tracked\": 3}";
            AssertRefused(Base(), LoadText(json), "unexpected tensors: bn.running_mean, lstm.weight_ih_l1 (read as rnn.weight_ih_l1), bn.num_batches_tracked");
        }

        [Fact]
        public void AHugeKeyIsNotRepeatedWholeInTheMessage()
        {
            string key = "x" + new string('y', 99_999);
            string json = BaseJson().TrimEnd('}') + ", \"" + key + "\": [0.0]}";
            var ex = AssertRefused(Base(), LoadText(json), "unexpected tensor: x" + new string('y', 119) + "... (100000 characters)");
            Assert.True(ex.Message.Length < 400, "message of " + ex.Message.Length + " characters");
        }

        [Fact]
        public void RefusesMissingAndExtraInOneMessage()
        {
            string json = StateDictJson(FakeModel.Lstm(1, 4, output: 1), n => n == "rnn.weight_hh_l0" ? "rnn.weight_hh_l0_reverse" : n);
            AssertRefused(Base(), LoadText(json), "missing tensor: rnn.weight_hh_l0", "unexpected tensor: rnn.weight_hh_l0_reverse");
        }

        [Fact]
        public void RefusesWrongShape()
        {
            var other = FakeModel.Lstm(2, 4, output: 1).Randomize(22); // weight_ih is [16, 2]
            string json = StateDictJson(FakeModel.Lstm(1, 4, output: 1), n => n).Replace(
                "\"rnn.weight_ih_l0\": " + Tensor(FakeModel.Lstm(1, 4, output: 1).ParameterInfos[0], FakeModel.Lstm(1, 4, output: 1).Get("rnn.weight_ih_l0")),
                "\"rnn.weight_ih_l0\": " + Tensor(other.ParameterInfos[0], other.Get("rnn.weight_ih_l0")));
            AssertRefused(Base(), LoadText(json), "rnn.weight_ih_l0: expected shape [16, 1], found [16, 2]");
        }

        [Fact]
        public void RefusesFlatListForMatrixAndScalar()
        {
            string json = BaseJson();
            json = json.Replace("\"dense.bias\": [", "\"dense.bias\": ").TrimEnd('}').TrimEnd(']') + "}";
            AssertRefused(Base(), LoadText(json), "dense.bias: expected shape [1], found []");
            var model = FakeModel.Rnn(1, 2);
            string flat = "{\"rnn.weight_ih_l0\": [1, 2], \"rnn.weight_hh_l0\": [[1, 2], [3, 4]], \"rnn.bias_ih_l0\": [1, 2], \"rnn.bias_hh_l0\": [1, 2]}";
            AssertRefused(model, LoadText(flat), "rnn.weight_ih_l0: expected shape [2, 1], found [2]");
        }

        [Fact]
        public void RefusesRaggedRows()
        {
            var model = FakeModel.Rnn(2, 2);
            string json = "{\"rnn.weight_ih_l0\": [[1, 2], [3, 4]], \"rnn.weight_hh_l0\": [[1, 2], [3]], \"rnn.bias_ih_l0\": [1, 2], \"rnn.bias_hh_l0\": [1, 2]}";
            AssertRefused(model, LoadText(json), "rnn.weight_hh_l0[1]", "ragged");
            string mixed = "{\"rnn.weight_ih_l0\": [[1, 2], 3], \"rnn.weight_hh_l0\": [[1, 2], [3, 4]], \"rnn.bias_ih_l0\": [1, 2], \"rnn.bias_hh_l0\": [1, 2]}";
            AssertRefused(model, LoadText(mixed), "rnn.weight_ih_l0[1]", "ragged");
        }

        [Theory]
        [InlineData("\"0.5\"", "a string")]
        [InlineData("null", "null")]
        [InlineData("true", "true")]
        [InlineData("{}", "an object")]
        public void RefusesNonNumbers(string token, string described)
        {
            string json = ReplaceValue(BaseJson(), "rnn.bias_hh_l0", 2, token);
            AssertRefused(Base(), LoadText(json), "rnn.bias_hh_l0[2]: expected a number, found " + described);
        }

        [Fact]
        public void RefusesDeepNesting()
        {
            string deep = new string('[', 100) + "1" + new string(']', 100);
            string json = BaseJson().Replace("\"rnn.bias_ih_l0\": [", "\"rnn.bias_ih_l0\": [" + deep + ", ");
            AssertRefused(Base(), LoadText(json), "rnn.bias_ih_l0[0", "nested deeper than 16 levels");
        }

        [Fact]
        public void RefusesHugeStream()
        {
            var model = Base();
            long limit = 64L * model.ParameterCount + (1 << 20);
            var endless = new EndlessSpacesStream(BaseJson(), limit + 100);
            var ex = AssertRefused(model, m => StateDict.Load(m, endless), "larger than " + limit.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Assert.True(endless.BytesServed <= limit + 1 + (1 << 16), "read far past the bound: " + endless.BytesServed);
            // exactly at the bound is still read (whitespace after the object is fine)
            var model2 = Base();
            StateDict.Load(model2, new EndlessSpacesStream(BaseJson(), limit));
            Assert.Equal(1, model2.SetParametersCalls);
            // a seekable stream that is too long is refused without reading it
            var seekable = new MemoryStream(new byte[limit + 1]);
            AssertRefused(Base(), m => StateDict.Load(m, seekable), "larger than");
            Assert.Equal(0, seekable.Position);
            Assert.NotNull(ex);
        }

        [Fact]
        public void RefusesTwoRecurrentPrefixes()
        {
            string json = StateDictJson(FakeModel.Lstm(1, 4, output: 1), n => n == "rnn.bias_hh_l0" ? "gru.bias_hh_l0" : n.Replace("rnn.", "lstm."));
            AssertRefused(Base(), LoadText(json), "two recurrent prefixes", "\"lstm.\"", "\"gru.\"", "gru.bias_hh_l0");
        }

        [Fact]
        public void RefusesTwoHeadPrefixes()
        {
            string json = StateDictJson(FakeModel.Lstm(1, 4, output: 1), n => n == "dense.bias" ? "linear.bias" : n.Replace("dense.", "fc."));
            AssertRefused(Base(), LoadText(json), "two head prefixes", "\"fc.\"", "\"linear.\"");
        }

        [Fact]
        public void RefusesDuplicateTensor()
        {
            string json = BaseJson().TrimEnd('}') + ", \"fc.bias\": [0.5]}";
            AssertRefused(Base(), LoadText(json), "dense.bias: given twice", "fc.bias");
        }

        [Fact]
        public void RefusesAnotherModelsFile()
        {
            var gru = FakeModel.Gru(1, 4, output: 1).Randomize(23);
            var ex = AssertRefused(Base(), LoadText(StateDictJson(gru)),
                "LSTM(1->4, layers 1) + Dense(1, Identity)", "rnn.weight_ih_l0: expected shape [16, 1], found [12, 1]", "rnn.weight_hh_l0: expected shape [16, 4], found [12, 4]");
            Assert.DoesNotContain("missing", ex.Message);
            var bigger = FakeModel.Lstm(1, 8, layers: 2, output: 1).Randomize(24);
            AssertRefused(Base(), LoadText(StateDictJson(bigger)), "rnn.weight_hh_l0: expected shape [16, 4], found [32, 8]", "unexpected tensors: rnn.weight_ih_l1");
            var withoutHead = FakeModel.Lstm(1, 4).Randomize(25);
            AssertRefused(Base(), LoadText(StateDictJson(withoutHead)), "missing tensors: dense.weight, dense.bias");
        }

        [Theory]
        [InlineData("", "empty")]
        [InlineData("   \n ", "empty")]
        [InlineData("[1, 2]", "Expected a JSON object")]
        [InlineData("{\"rnn.weight_ih_l0\": [[1]]} {}", "Malformed JSON at line 1, column 29")]
        [InlineData("{\"rnn.weight_ih_l0\": \"abc\", \"rnn.weight_hh_l0\": [[1]], \"rnn.bias_ih_l0\": [1], \"rnn.bias_hh_l0\": [1]}", "model RNN(1->1, layers 1): rnn.weight_ih_l0: expected a tensor (nested lists of numbers), found a string \"abc\".")]
        [InlineData("{\"rnn.weight_ih_l0\": [[1]],}", "Malformed JSON")]
        [InlineData("{\"epoch\": 3}", "unexpected tensor: epoch")]
        public void RefusesOtherMalformedContent(string json, string fragment)
        {
            AssertRefused(FakeModel.Rnn(1, 1), LoadText(json), fragment);
        }

        [Fact]
        public void RefusesInvalidUtf8()
        {
            var bytes = Encoding.UTF8.GetBytes("{\"rnn.weight_ih_l0\": [[1]], \"x\u00e9\": [1]}");
            int i = Array.IndexOf(bytes, (byte)0xC3);
            bytes[i] = 0xFF;
            AssertRefused(FakeModel.Rnn(1, 1), m => StateDict.Load(m, new MemoryStream(bytes)));
        }

        [Fact]
        public void NullArgumentsThrowArgumentNullException()
        {
            var model = Base();
            Assert.Throws<ArgumentNullException>("utf8Json", () => StateDict.Load(model, null!));
            Assert.Throws<ArgumentNullException>("utf8Json", () => StateDict.Save(model, null!));
            Assert.Throws<ArgumentNullException>("model", () => StateDict.Load(null!, new MemoryStream()));
            Assert.Throws<ArgumentNullException>("model", () => StateDict.Save(null!, new MemoryStream()));
            Assert.Throws<ArgumentNullException>("utf8Json", () => model.LoadStateDict(null!));
            Assert.Throws<ArgumentNullException>("utf8Json", () => model.SaveStateDict(null!));
            Assert.Throws<ArgumentException>("utf8Json", () => StateDict.Save(model, new MemoryStream(new byte[10], writable: false)));
            Assert.Equal(0, model.SetParametersCalls);
        }
    }
}
