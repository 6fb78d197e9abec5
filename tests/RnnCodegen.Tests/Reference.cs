using System;
using System.Collections.Generic;

namespace RnnCodegen.Tests
{
    /// <summary>
    /// A plain double-precision implementation of PyTorch's RNN/LSTM/GRU (+ peephole, classic GRU, embedding, head),
    /// written from the formulas in PyTorch's documentation and independent of the generator: the oracle for random specs.
    /// </summary>
    internal sealed class Reference
    {
        private readonly ModelDescription _d;
        private readonly Dictionary<string, double[]> _p = new();

        public Reference(IRecurrentModel model)
        {
            _d = model.Description;
            foreach (var info in model.ParameterInfos)
            {
                var values = new float[info.Length];
                model.CopyParameter(info.Name, values);
                _p[info.Name] = Array.ConvertAll(values, v => (double)v);
            }
        }

        public double Get(string name, int index) => _p[name][index];

        public void Set(string name, int index, double value) => _p[name][index] = value;

        public double[] FinalH { get; private set; } = Array.Empty<double>();

        public double[] FinalC { get; private set; } = Array.Empty<double>();

        private static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

        /// <summary>y = W x + b for W [rows, cols] row-major (rows = b.Length).</summary>
        private static double[] Affine(double[] w, double[] x, double[] b, int rowOffset, int rows)
        {
            int cols = x.Length;
            var y = new double[rows];
            for (int r = 0; r < rows; r++)
            {
                double s = b[rowOffset + r];
                for (int c = 0; c < cols; c++) s += w[(rowOffset + r) * cols + c] * x[c];
                y[r] = s;
            }
            return y;
        }

        /// <summary>Runs from a zero state over the given per-step input vectors; returns the output rows (every step, or the last).</summary>
        public List<double[]> Run(IReadOnlyList<double[]> inputs)
        {
            int h = _d.HiddenSize, layers = _d.LayerCount;
            var hs = new double[layers][];
            var cs = new double[layers][];
            for (int k = 0; k < layers; k++) { hs[k] = new double[h]; cs[k] = new double[h]; }
            var outputs = new List<double[]>();
            for (int t = 0; t < inputs.Count; t++)
            {
                double[] x = inputs[t];
                for (int k = 0; k < layers; k++)
                {
                    string l = k.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    double[] wih = _p["rnn.weight_ih_l" + l], whh = _p["rnn.weight_hh_l" + l], bih = _p["rnn.bias_ih_l" + l], bhh = _p["rnn.bias_hh_l" + l];
                    double[] hp = hs[k];
                    var hn = new double[h];
                    switch (_d.Cell)
                    {
                        case CellKind.Rnn:
                        {
                            var a = Affine(wih, x, bih, 0, h);
                            var b = Affine(whh, hp, bhh, 0, h);
                            for (int j = 0; j < h; j++) hn[j] = _d.Activation == Activation.Relu ? Math.Max(0, a[j] + b[j]) : Math.Tanh(a[j] + b[j]);
                            break;
                        }
                        case CellKind.Lstm:
                        {
                            double[] cp = cs[k];
                            var gi = Affine(wih, x, bih, 0, 4 * h);
                            var gh = Affine(whh, hp, bhh, 0, 4 * h);
                            var cn = new double[h];
                            for (int j = 0; j < h; j++)
                            {
                                double pi = gi[j] + gh[j], pf = gi[h + j] + gh[h + j], pg = gi[2 * h + j] + gh[2 * h + j], po = gi[3 * h + j] + gh[3 * h + j];
                                if (_d.Peephole)
                                {
                                    pi += _p["rnn.weight_ci_l" + l][j] * cp[j];
                                    pf += _p["rnn.weight_cf_l" + l][j] * cp[j];
                                }
                                cn[j] = Sigmoid(pf) * cp[j] + Sigmoid(pi) * Math.Tanh(pg);
                                if (_d.Peephole) po += _p["rnn.weight_co_l" + l][j] * cn[j];
                                hn[j] = Sigmoid(po) * Math.Tanh(cn[j]);
                            }
                            cs[k] = cn;
                            break;
                        }
                        default:
                        {
                            var gi = Affine(wih, x, bih, 0, 3 * h);
                            var gh = Affine(whh, hp, bhh, 0, 2 * h);
                            var r = new double[h];
                            var z = new double[h];
                            for (int j = 0; j < h; j++) { r[j] = Sigmoid(gi[j] + gh[j]); z[j] = Sigmoid(gi[h + j] + gh[h + j]); }
                            double[] hnPart;
                            if (_d.ResetAfter)
                            {
                                hnPart = Affine(whh, hp, bhh, 2 * h, h);
                                for (int j = 0; j < h; j++) hnPart[j] *= r[j];
                            }
                            else
                            {
                                var rh = new double[h];
                                for (int j = 0; j < h; j++) rh[j] = r[j] * hp[j];
                                hnPart = Affine(whh, rh, bhh, 2 * h, h);
                            }
                            for (int j = 0; j < h; j++)
                            {
                                double n = Math.Tanh(gi[2 * h + j] + hnPart[j]);
                                hn[j] = (1 - z[j]) * n + z[j] * hp[j];
                            }
                            break;
                        }
                    }
                    hs[k] = hn;
                    x = hn;
                }
                if (_d.OutputMode == OutputMode.Sequence || t == inputs.Count - 1) outputs.Add(Head(x));
            }
            FinalH = Concat(hs);
            FinalC = Concat(cs);
            return outputs;
        }

        public List<double[]> RunTokens(IReadOnlyList<int> tokens)
        {
            var inputs = new List<double[]>();
            double[] e = _p["embedding.weight"];
            foreach (int token in tokens) inputs.Add(e.AsSpan(token * _d.InputSize, _d.InputSize).ToArray());
            return Run(inputs);
        }

        private double[] Head(double[] top)
        {
            if (_d.OutputSize == 0) return (double[])top.Clone();
            var y = Affine(_p["dense.weight"], top, _p["dense.bias"], 0, _d.OutputSize);
            switch (_d.OutputActivation)
            {
                case OutputActivation.Sigmoid:
                    for (int i = 0; i < y.Length; i++) y[i] = Sigmoid(y[i]);
                    break;
                case OutputActivation.Tanh:
                    for (int i = 0; i < y.Length; i++) y[i] = Math.Tanh(y[i]);
                    break;
                case OutputActivation.Softmax:
                    double max = double.NegativeInfinity, sum = 0;
                    foreach (double v in y) max = Math.Max(max, v);
                    for (int i = 0; i < y.Length; i++) { y[i] = Math.Exp(y[i] - max); sum += y[i]; }
                    for (int i = 0; i < y.Length; i++) y[i] /= sum;
                    break;
            }
            return y;
        }

        private static double[] Concat(double[][] parts)
        {
            var all = new List<double>();
            foreach (var p in parts) all.AddRange(p);
            return all.ToArray();
        }
    }
}
