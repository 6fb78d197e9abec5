using System;
using System.Collections.Generic;
using System.Globalization;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace FixtureGen
{
    /// <summary>
    /// Recurrent cells written with torch ops (autograd gives the gradients) for the two variants PyTorch has
    /// no module for. The same code also runs the standard LSTM/GRU formulas, and <see cref="SelfCheck"/>
    /// compares that against nn.LSTM/nn.GRU before any fixture is written.
    /// </summary>
    internal static class ManualCells
    {
        /// <summary>Runs every layer over <paramref name="x"/> [T, input] from a zero state.</summary>
        /// <returns>The top layer's h for every step [T, H], and h (and c) after the last step [L, H].</returns>
        public static (Tensor Top, Tensor FinalH, Tensor? FinalC) Run(ModelSpec spec, OrderedDictionary<string, Parameter> p, Tensor x)
        {
            var finalH = new List<Tensor>();
            var finalC = new List<Tensor>();
            Tensor sequence = x;
            for (int k = 0; k < spec.Layers; k++)
            {
                string l = k.ToString(CultureInfo.InvariantCulture);
                var w = new LayerWeights(p["rnn.weight_ih_l" + l], p["rnn.weight_hh_l" + l], p["rnn.bias_ih_l" + l], p["rnn.bias_hh_l" + l]);
                Tensor h, c;
                switch (spec.Cell)
                {
                    case CellKind.Lstm:
                        Tensor? ci = spec.Peephole ? p["rnn.weight_ci_l" + l] : null;
                        Tensor? cf = spec.Peephole ? p["rnn.weight_cf_l" + l] : null;
                        Tensor? co = spec.Peephole ? p["rnn.weight_co_l" + l] : null;
                        (sequence, h, c) = LstmLayer(sequence, w, ci, cf, co, spec.Hidden);
                        finalC.Add(c);
                        break;
                    case CellKind.Gru:
                        (sequence, h) = GruLayer(sequence, w, spec.ResetAfter, spec.Hidden);
                        break;
                    default:
                        throw new NotSupportedException("plain RNN cells always run through nn.RNN");
                }
                finalH.Add(h);
            }
            return (sequence, stack(finalH), spec.Cell == CellKind.Lstm ? stack(finalC) : null);
        }

        private sealed record LayerWeights(Tensor Wih, Tensor Whh, Tensor Bih, Tensor Bhh);

        /// <summary>
        /// LSTM, gates i, f, g, o stacked in that order. With peephole weights (diagonal, one per unit):
        /// i = σ(W_ii x + b_ii + W_hi h + b_hi + w_ci ⊙ c_{t-1}), f = σ(... + w_cf ⊙ c_{t-1}), g = tanh(...),
        /// c_t = f ⊙ c_{t-1} + i ⊙ g, o = σ(... + w_co ⊙ c_t), h_t = o ⊙ tanh(c_t).
        /// Without them it is exactly PyTorch's nn.LSTM.
        /// </summary>
        private static (Tensor Sequence, Tensor H, Tensor C) LstmLayer(Tensor x, LayerWeights w, Tensor? ci, Tensor? cf, Tensor? co, int hidden)
        {
            long steps = x.shape[0];
            Tensor h = zeros(hidden, dtype: float64);
            Tensor c = zeros(hidden, dtype: float64);
            var outputs = new List<Tensor>();
            for (long t = 0; t < steps; t++)
            {
                Tensor gates = F.linear(x[t], w.Wih, w.Bih) + F.linear(h, w.Whh, w.Bhh);
                Tensor[] g = gates.chunk(4, 0); // i, f, g, o
                Tensor i = sigmoid(ci is null ? g[0] : g[0] + ci * c);
                Tensor f = sigmoid(cf is null ? g[1] : g[1] + cf * c);
                Tensor candidate = tanh(g[2]);
                c = f * c + i * candidate;
                Tensor o = sigmoid(co is null ? g[3] : g[3] + co * c); // peephole on the new cell state
                h = o * tanh(c);
                outputs.Add(h);
            }
            return (stack(outputs), h, c);
        }

        /// <summary>
        /// GRU, gates r, z, n stacked in that order; r = σ(W_ir x + b_ir + W_hr h + b_hr), z likewise,
        /// h' = (1 - z) ⊙ n + z ⊙ h, and
        /// resetAfter (PyTorch's nn.GRU):   n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn));
        /// reset before (classic, Keras reset_after=False): n = tanh(W_in x + b_in + W_hn (r ⊙ h) + b_hn).
        /// </summary>
        private static (Tensor Sequence, Tensor H) GruLayer(Tensor x, LayerWeights w, bool resetAfter, int hidden)
        {
            long steps = x.shape[0];
            Tensor h = zeros(hidden, dtype: float64);
            Tensor whn = w.Whh.narrow(0, 2L * hidden, hidden);
            Tensor bhn = w.Bhh.narrow(0, 2L * hidden, hidden);
            var outputs = new List<Tensor>();
            for (long t = 0; t < steps; t++)
            {
                Tensor[] gi = F.linear(x[t], w.Wih, w.Bih).chunk(3, 0);
                Tensor[] gh = F.linear(h, w.Whh, w.Bhh).chunk(3, 0);
                Tensor r = sigmoid(gi[0] + gh[0]);
                Tensor z = sigmoid(gi[1] + gh[1]);
                Tensor n = resetAfter
                    ? tanh(gi[2] + r * gh[2])
                    : tanh(gi[2] + F.linear(r * h, whn, bhn));
                h = (1.0 - z) * n + z * h;
                outputs.Add(h);
            }
            return (stack(outputs), h);
        }
    }
}
