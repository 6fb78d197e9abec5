using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using RnnCodegen.Tests.Models;
using Xunit;
using Xunit.Abstractions;
using static RnnCodegen.Tests.Weights.WeightTestUtil;

namespace RnnCodegen.Tests.Weights
{
    /// <summary>
    /// Keras semantics end to end: random weights in Keras' layout are written as the Keras/RTNeural JSON, loaded into a
    /// generated model with <c>LoadKerasWeights</c>, and the model's <c>Forward</c> is compared with a double-precision forward
    /// pass written from Keras' definitions (keras.layers.LSTM, GRU with reset_after True and False, SimpleRNN, Dense,
    /// Embedding) that reads the same Keras arrays. Nothing here uses the library's code or PyTorch's formulas: the reference
    /// works on Keras' kernels as they are ([input, gates * units], gate blocks in Keras' order), so a loader that put a block,
    /// a bias or a transposition in the wrong place computes something else.
    /// </summary>
    public class KerasReferenceTests
    {
        private const double Tolerance = 1e-5;

        private readonly ITestOutputHelper output;

        public KerasReferenceTests(ITestOutputHelper output)
        {
            this.output = output;
        }

        // ---------- Keras arrays and their JSON ----------

        /// <summary>A Keras weight array: row-major values with Keras' shape (1-D or 2-D).</summary>
        private sealed class KerasArray
        {
            public KerasArray(int[] shape, float[] values)
            {
                Assert.Equal(shape.Aggregate(1, (a, b) => a * b), values.Length);
                Shape = shape;
                Values = values;
            }

            public int[] Shape { get; }

            public float[] Values { get; }

            public double this[int i] => Values[i];

            public double this[int row, int col] => Values[row * Shape[1] + col];

            public string Json => Shape.Length == 1 ? List(Values) : Rows(Values, Shape[0], Shape[1]);
        }

        /// <summary>One Keras layer as <c>layer.get_weights()</c> returns it.</summary>
        private sealed class KerasLayer
        {
            public KerasLayer(string type, string activation, params KerasArray[] weights)
            {
                Type = type;
                Activation = activation;
                Weights = weights;
            }

            public string Type { get; }

            public string Activation { get; }

            /// <summary>Written to the file for a GRU layer (Keras' config member), null elsewhere.</summary>
            public bool? ResetAfter { get; set; }

            public KerasArray[] Weights { get; }

            public string Json
            {
                get
                {
                    var sb = new StringBuilder("{\"type\": \"").Append(Type).Append("\", \"activation\": \"").Append(Activation).Append('"');
                    if (ResetAfter.HasValue) sb.Append(", \"reset_after\": ").Append(ResetAfter.Value ? "true" : "false");
                    sb.Append(", \"weights\": [").Append(string.Join(", ", Weights.Select(w => w.Json))).Append("]}");
                    return sb.ToString();
                }
            }
        }

        private static string KerasFile(int inputWidth, IReadOnlyList<KerasLayer> layers) =>
            "{\"in_shape\": [null, null, " + inputWidth.ToString(CultureInfo.InvariantCulture) + "], \"layers\": [\n" +
            string.Join(",\n", layers.Select(l => l.Json)) + "]}";

        private static KerasArray Uniform(Random rng, double scale, params int[] shape)
        {
            var values = new float[shape.Aggregate(1, (a, b) => a * b)];
            for (int i = 0; i < values.Length; i++) values[i] = (float)((rng.NextDouble() * 2 - 1) * scale);
            return new KerasArray(shape, values);
        }

        private static string HeadActivation(OutputActivation activation) => activation switch
        {
            OutputActivation.Identity => "linear",
            OutputActivation.Sigmoid => "sigmoid",
            OutputActivation.Tanh => "tanh",
            OutputActivation.Softmax => "softmax",
            _ => throw new ArgumentOutOfRangeException(nameof(activation)),
        };

        /// <summary>
        /// The Keras model a description stands for, with weights uniform in ±0.5: [Embedding] + LayerCount recurrent layers
        /// (return_sequences) + [Dense]. The shapes are Keras': kernel [input, gates * units], recurrent_kernel
        /// [units, gates * units], bias [gates * units] or, for a reset_after GRU, [2, 3 * units].
        /// </summary>
        private static List<KerasLayer> RandomKerasModel(ModelDescription d, int seed)
        {
            var rng = new Random(seed);
            var layers = new List<KerasLayer>();
            int units = d.HiddenSize;
            if (d.Vocabulary > 0) layers.Add(new KerasLayer("embedding", "", Uniform(rng, 1.0, d.Vocabulary, d.InputSize)));
            for (int k = 0; k < d.LayerCount; k++)
            {
                int input = k == 0 ? d.InputSize : units;
                switch (d.Cell)
                {
                    case CellKind.Lstm:
                        layers.Add(new KerasLayer("lstm", "tanh", Uniform(rng, 0.5, input, 4 * units), Uniform(rng, 0.5, units, 4 * units), Uniform(rng, 0.5, 4 * units)));
                        break;
                    case CellKind.Gru:
                        var bias = d.ResetAfter ? Uniform(rng, 0.5, 2, 3 * units) : Uniform(rng, 0.5, 3 * units);
                        layers.Add(new KerasLayer("gru", "tanh", Uniform(rng, 0.5, input, 3 * units), Uniform(rng, 0.5, units, 3 * units), bias) { ResetAfter = d.ResetAfter });
                        break;
                    default:
                        layers.Add(new KerasLayer("simplernn", d.Activation == Activation.Relu ? "relu" : "tanh", Uniform(rng, 0.5, input, units), Uniform(rng, 0.5, units, units), Uniform(rng, 0.5, units)));
                        break;
                }
            }
            if (d.OutputSize > 0)
                layers.Add(new KerasLayer("dense", HeadActivation(d.OutputActivation), Uniform(rng, 0.5, units, d.OutputSize), Uniform(rng, 0.5, d.OutputSize)));
            return layers;
        }

        // ---------- the reference: Keras' formulas on Keras' arrays, in double ----------

        private static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

        private static double Activate(string activation, double x) => activation switch
        {
            "tanh" => Math.Tanh(x),
            "relu" => Math.Max(0, x),
            "sigmoid" => Sigmoid(x),
            "linear" or "" => x,
            _ => throw new ArgumentException("activation " + activation),
        };

        /// <summary>out[col] = sum_k v[k] * m[k, col] over the columns [first, first + count) of a Keras [rows, cols] matrix.</summary>
        private static double[] Dot(double[] v, KerasArray m, int first, int count)
        {
            Assert.Equal(v.Length, m.Shape[0]);
            var result = new double[count];
            for (int col = 0; col < count; col++)
            {
                double s = 0;
                for (int k = 0; k < v.Length; k++) s += v[k] * m[k, first + col];
                result[col] = s;
            }
            return result;
        }

        /// <summary>keras.layers.Embedding: row <c>token</c> of the [vocabulary, width] matrix.</summary>
        private static double[][] KerasEmbedding(KerasLayer layer, int[] tokens)
        {
            var table = layer.Weights[0];
            return tokens.Select(t => Enumerable.Range(0, table.Shape[1]).Select(j => table[t, j]).ToArray()).ToArray();
        }

        /// <summary>
        /// keras.layers.LSTM (LSTMCell): z = x W + h U + b split into blocks i, f, c, o;
        /// i = σ(z_i), f = σ(z_f), c = f * c + i * tanh(z_c), o = σ(z_o), h = o * tanh(c). Zero initial state.
        /// </summary>
        private static double[][] KerasLstm(KerasLayer layer, double[][] xs)
        {
            KerasArray kernel = layer.Weights[0], recurrent = layer.Weights[1], bias = layer.Weights[2];
            int units = recurrent.Shape[0];
            Assert.Equal(4 * units, kernel.Shape[1]);
            var h = new double[units];
            var c = new double[units];
            var outputs = new double[xs.Length][];
            for (int t = 0; t < xs.Length; t++)
            {
                double[] zx = Dot(xs[t], kernel, 0, 4 * units), zh = Dot(h, recurrent, 0, 4 * units);
                var z = new double[4 * units];
                for (int col = 0; col < 4 * units; col++) z[col] = zx[col] + zh[col] + bias[col];
                var hNew = new double[units];
                for (int j = 0; j < units; j++)
                {
                    double i = Sigmoid(z[j]);
                    double f = Sigmoid(z[units + j]);
                    double cc = Math.Tanh(z[2 * units + j]);
                    double o = Sigmoid(z[3 * units + j]);
                    c[j] = f * c[j] + i * cc;
                    hNew[j] = o * Math.Tanh(c[j]);
                }
                h = hNew;
                outputs[t] = h;
            }
            return outputs;
        }

        /// <summary>
        /// keras.layers.GRU (GRUCell), blocks z, r, h. reset_after=True (bias [2, 3 * units]: input bias, recurrent bias):
        /// x_* = x W_* + b_in_*, rec_* = h U_* + b_rec_*, z = σ(x_z + rec_z), r = σ(x_r + rec_r), hh = tanh(x_h + r * rec_h).
        /// reset_after=False (bias [3 * units]): x_* = x W_* + b_*, z = σ(x_z + h U_z), r = σ(x_r + h U_r),
        /// hh = tanh(x_h + (r * h) U_h). Both: h = z * h_prev + (1 - z) * hh. Zero initial state.
        /// </summary>
        private static double[][] KerasGru(KerasLayer layer, double[][] xs)
        {
            KerasArray kernel = layer.Weights[0], recurrent = layer.Weights[1], bias = layer.Weights[2];
            int units = recurrent.Shape[0];
            Assert.Equal(3 * units, kernel.Shape[1]);
            bool resetAfter = bias.Shape.Length == 2;
            Assert.Equal(layer.ResetAfter, resetAfter);
            var h = new double[units];
            var outputs = new double[xs.Length][];
            for (int t = 0; t < xs.Length; t++)
            {
                double[] mx = Dot(xs[t], kernel, 0, 3 * units);
                for (int col = 0; col < 3 * units; col++) mx[col] += resetAfter ? bias[0, col] : bias[col];
                var hNew = new double[units];
                if (resetAfter)
                {
                    double[] inner = Dot(h, recurrent, 0, 3 * units);
                    for (int col = 0; col < 3 * units; col++) inner[col] += bias[1, col];
                    for (int j = 0; j < units; j++)
                    {
                        double z = Sigmoid(mx[j] + inner[j]);
                        double r = Sigmoid(mx[units + j] + inner[units + j]);
                        double hh = Math.Tanh(mx[2 * units + j] + r * inner[2 * units + j]);
                        hNew[j] = z * h[j] + (1 - z) * hh;
                    }
                }
                else
                {
                    double[] inner = Dot(h, recurrent, 0, 2 * units);
                    var z = new double[units];
                    var rh = new double[units];
                    for (int j = 0; j < units; j++)
                    {
                        z[j] = Sigmoid(mx[j] + inner[j]);
                        double r = Sigmoid(mx[units + j] + inner[units + j]);
                        rh[j] = r * h[j];
                    }
                    double[] recurrentH = Dot(rh, recurrent, 2 * units, units);
                    for (int j = 0; j < units; j++)
                    {
                        double hh = Math.Tanh(mx[2 * units + j] + recurrentH[j]);
                        hNew[j] = z[j] * h[j] + (1 - z[j]) * hh;
                    }
                }
                h = hNew;
                outputs[t] = h;
            }
            return outputs;
        }

        /// <summary>keras.layers.SimpleRNN (SimpleRNNCell): h = activation(x W + b + h U). Zero initial state.</summary>
        private static double[][] KerasSimpleRnn(KerasLayer layer, double[][] xs)
        {
            KerasArray kernel = layer.Weights[0], recurrent = layer.Weights[1], bias = layer.Weights[2];
            int units = recurrent.Shape[0];
            var h = new double[units];
            var outputs = new double[xs.Length][];
            for (int t = 0; t < xs.Length; t++)
            {
                double[] x = Dot(xs[t], kernel, 0, units), r = Dot(h, recurrent, 0, units);
                h = Enumerable.Range(0, units).Select(j => Activate(layer.Activation, x[j] + bias[j] + r[j])).ToArray();
                outputs[t] = h;
            }
            return outputs;
        }

        /// <summary>keras.layers.Dense on every step: y = activation(h K + b), K [units_in, units_out]; softmax over the units.</summary>
        private static double[][] KerasDense(KerasLayer layer, double[][] hs)
        {
            KerasArray kernel = layer.Weights[0], bias = layer.Weights[1];
            int units = kernel.Shape[1];
            return hs.Select(h =>
            {
                double[] y = Dot(h, kernel, 0, units);
                for (int o = 0; o < units; o++) y[o] += bias[o];
                if (layer.Activation == "softmax")
                {
                    double max = y.Max();
                    double[] e = y.Select(v => Math.Exp(v - max)).ToArray();
                    double sum = e.Sum();
                    return e.Select(v => v / sum).ToArray();
                }
                return y.Select(v => Activate(layer.Activation, v)).ToArray();
            }).ToArray();
        }

        /// <summary>The Keras model, layer after layer over whole sequences (every output of the last layer).</summary>
        private static double[][] KerasForward(IReadOnlyList<KerasLayer> layers, double[][]? inputs, int[]? tokens)
        {
            double[][] xs = inputs!;
            foreach (var layer in layers)
            {
                xs = layer.Type switch
                {
                    "embedding" => KerasEmbedding(layer, tokens!),
                    "lstm" => KerasLstm(layer, xs),
                    "gru" => KerasGru(layer, xs),
                    "simplernn" => KerasSimpleRnn(layer, xs),
                    "dense" => KerasDense(layer, xs),
                    _ => throw new ArgumentException(layer.Type),
                };
            }
            return xs;
        }

        // ---------- the tests ----------

        private static readonly Dictionary<string, Func<IRecurrentModel>> Factories = new Dictionary<string, Func<IRecurrentModel>>
        {
            ["lstm 3->8 + dense 2"] = () => new KerasLstm(),
            ["stacked lstm 4->6x2 + dense 3 sigmoid"] = () => new KerasStackedLstm(),
            ["lstm 3->5x3 + dense 4 softmax, last"] = () => new StackedLstmClassifier(),
            ["wide lstm 16->64 + dense 1"] = () => new WideLstm(),
            ["gru reset_after 3->7 + dense 2"] = () => new KerasGru(),
            ["stacked gru reset_after 4->13x2, no head, last"] = () => new StackedGru(),
            ["gru reset_after 3->32x2 + dense 2"] = () => new GateSpanningGru(),
            ["gru reset_after=False 3->7 + dense 2"] = () => new KerasClassicGru(),
            ["stacked gru reset_after=False 2->6x2 + dense 1 sigmoid, last"] = () => new StackedClassicGru(),
            ["simplernn tanh 2->6 + dense 1 tanh"] = () => new KerasRnn(),
            ["simplernn relu 3->13x2 + dense 2"] = () => new ReluRnn(),
            ["embedding 9x4 + lstm 4->6 + dense 9 softmax"] = () => new KerasTokenLstm(),
            ["embedding 7x3 + stacked gru reset_after 3->5x2, no head"] = () => new TokenGru(),
        };

        public static IEnumerable<object[]> Models() => Factories.Keys.Select(name => new object[] { name });

        [Theory]
        [MemberData(nameof(Models))]
        public void ForwardMatchesKerasFormulas(string name)
        {
            var model = Factories[name]();
            var d = model.Description;
            int seed = name.Aggregate(17, (a, ch) => unchecked(a * 31 + ch));
            var layers = RandomKerasModel(d, seed);
            model.LoadKerasWeights(Utf8(KerasFile(d.InputSize, layers)));

            var rng = new Random(seed + 1);
            int steps = rng.Next(10, 21);
            double[][] expected;
            var actual = new float[(d.OutputMode == OutputMode.Last ? 1 : steps) * d.OutputWidth];
            if (model is ITokenModel tokenModel)
            {
                int[] tokens = Enumerable.Range(0, steps).Select(_ => rng.Next(d.Vocabulary)).ToArray();
                expected = KerasForward(layers, null, tokens);
                tokenModel.Forward(tokens, actual);
            }
            else
            {
                var inputs = new float[steps * d.InputSize];
                for (int i = 0; i < inputs.Length; i++) inputs[i] = (float)(rng.NextDouble() * 2 - 1);
                double[][] xs = Enumerable.Range(0, steps).Select(t => Enumerable.Range(0, d.InputSize).Select(k => (double)inputs[t * d.InputSize + k]).ToArray()).ToArray();
                expected = KerasForward(layers, xs, null);
                ((IFloatModel)model).Forward(inputs, actual);
            }
            Assert.Equal(steps, expected.Length);
            if (d.OutputMode == OutputMode.Last) expected = new[] { expected[steps - 1] };

            double maxError = 0, maxMagnitude = 0;
            for (int t = 0; t < expected.Length; t++)
            {
                Assert.Equal(d.OutputWidth, expected[t].Length);
                for (int o = 0; o < d.OutputWidth; o++)
                {
                    double e = expected[t][o], a = actual[t * d.OutputWidth + o];
                    maxError = Math.Max(maxError, Math.Abs(a - e));
                    maxMagnitude = Math.Max(maxMagnitude, Math.Abs(e));
                    if (!(Math.Abs(a - e) <= Tolerance))
                        Assert.Fail(name + ": output row " + t + ", unit " + o + ": Keras " + e.ToString("R", CultureInfo.InvariantCulture) +
                            ", model " + a.ToString("R", CultureInfo.InvariantCulture) + " (error " + Math.Abs(a - e).ToString("E2", CultureInfo.InvariantCulture) + ")");
                }
            }
            // the comparison means something only if the outputs are not all near zero or saturated
            Assert.True(maxMagnitude > 0.05, name + ": outputs too small to compare (max |y| " + maxMagnitude + ")");
            output.WriteLine(name + ": " + steps + " steps, max |error| " + maxError.ToString("E2", CultureInfo.InvariantCulture) +
                ", max |output| " + maxMagnitude.ToString("F3", CultureInfo.InvariantCulture));
        }
    }
}
