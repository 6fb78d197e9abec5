using System;
using System.Collections.Generic;
using RnnCodegen;

namespace RnnCodegen.Benchmarks.Naive
{
    /// <summary>
    /// What a user would hand-write without a code generator: jagged <c>float[][]</c> weights in PyTorch's layout,
    /// straightforward loops, <see cref="Math.Tanh"/> and <c>1 / (1 + Math.Exp(-x))</c> in double, BPTT from the
    /// textbook formulas and PyTorch's Adam. Buffers are allocated once in the constructor (a reasonable user
    /// does that much), so the comparison measures the arithmetic, not the garbage collector.
    /// </summary>
    /// <remarks>The recurrent cell (LSTM or GRU) is the subclass; the dense head, the loss and Adam live here.</remarks>
    public abstract class NaiveNetwork
    {
        protected readonly int InputSize, HiddenSize, Layers, OutputSize, GateRows, MaxSteps;

        // Parameters in PyTorch's shapes: [layer][gates*H][in], [layer][gates*H][H], [layer][gates*H], [out][H], [out].
        public readonly float[][][] Wih, Whh;
        public readonly float[][] Bih, Bhh, Wd;
        public readonly float[] Bd;

        // Gradients, same shapes.
        public readonly float[][][] GWih, GWhh;
        public readonly float[][] GBih, GBhh, GWd;
        public readonly float[] GBd;

        // Tape of the training forward pass: outputs per step, and dL/dh from the layer above (or the head) per step.
        protected readonly float[][] TapeY;
        protected float[][] DAbove, DBelow;

        private readonly List<float[]> _parameterRows = new List<float[]>();
        private readonly List<float[]> _gradientRows = new List<float[]>();
        private readonly List<float[]> _adamM = new List<float[]>();
        private readonly List<float[]> _adamV = new List<float[]>();
        private int _adamStep;

        public float LearningRate = 1e-3f, Beta1 = 0.9f, Beta2 = 0.999f, Epsilon = 1e-8f;

        protected NaiveNetwork(int input, int hidden, int layers, int output, int gates, int maxSteps)
        {
            InputSize = input; HiddenSize = hidden; Layers = layers; OutputSize = output; GateRows = gates * hidden; MaxSteps = maxSteps;
            Wih = new float[layers][][]; Whh = new float[layers][][]; Bih = new float[layers][]; Bhh = new float[layers][];
            GWih = new float[layers][][]; GWhh = new float[layers][][]; GBih = new float[layers][]; GBhh = new float[layers][];
            for (int l = 0; l < layers; l++)
            {
                int inL = l == 0 ? input : hidden;
                Wih[l] = Matrix(GateRows, inL); Whh[l] = Matrix(GateRows, hidden); Bih[l] = new float[GateRows]; Bhh[l] = new float[GateRows];
                GWih[l] = Matrix(GateRows, inL); GWhh[l] = Matrix(GateRows, hidden); GBih[l] = new float[GateRows]; GBhh[l] = new float[GateRows];
            }
            Wd = Matrix(output, hidden); Bd = new float[output];
            GWd = Matrix(output, hidden); GBd = new float[output];
            TapeY = Matrix(maxSteps, output);
            DAbove = Matrix(maxSteps, hidden);
            DBelow = Matrix(maxSteps, hidden);

            for (int l = 0; l < layers; l++)
            {
                AddRows(Wih[l], GWih[l]); AddRows(Whh[l], GWhh[l]);
                AddRow(Bih[l], GBih[l]); AddRow(Bhh[l], GBhh[l]);
            }
            AddRows(Wd, GWd); AddRow(Bd, GBd);
        }

        protected static float[][] Matrix(int rows, int columns)
        {
            var m = new float[rows][];
            for (int r = 0; r < rows; r++) m[r] = new float[columns];
            return m;
        }

        private void AddRows(float[][] p, float[][] g) { for (int r = 0; r < p.Length; r++) AddRow(p[r], g[r]); }

        private void AddRow(float[] p, float[] g)
        {
            _parameterRows.Add(p); _gradientRows.Add(g);
            _adamM.Add(new float[p.Length]); _adamV.Add(new float[p.Length]);
        }

        protected static float Sigmoid(float x) => (float)(1.0 / (1.0 + Math.Exp(-x)));

        protected static float Tanh(float x) => (float)Math.Tanh(x);

        // ---- Loading from a generated model (PyTorch names and row-major shapes) ----

        /// <summary>Copies every parameter of <paramref name="model"/> (canonical PyTorch names) into the jagged arrays.</summary>
        public void LoadFrom(IRecurrentModel model)
        {
            for (int l = 0; l < Layers; l++)
            {
                Load(model, "rnn.weight_ih_l" + l, Wih[l]); Load(model, "rnn.weight_hh_l" + l, Whh[l]);
                Load(model, "rnn.bias_ih_l" + l, new[] { Bih[l] }); Load(model, "rnn.bias_hh_l" + l, new[] { Bhh[l] });
            }
            Load(model, "dense.weight", Wd); Load(model, "dense.bias", new[] { Bd });
        }

        private static void Load(IRecurrentModel model, string name, float[][] rows)
        {
            int columns = rows[0].Length;
            var flat = new float[rows.Length * columns];
            model.CopyParameter(name, flat);
            for (int r = 0; r < rows.Length; r++) Array.Copy(flat, r * columns, rows[r], 0, columns);
        }

        /// <summary>The gradient of a parameter in the generated model's naming and row-major layout.</summary>
        public float[] Gradient(string name) => Flatten(Rows(name, gradients: true));

        /// <summary>The value of a parameter in the generated model's naming and row-major layout.</summary>
        public float[] Parameter(string name) => Flatten(Rows(name, gradients: false));

        private float[][] Rows(string name, bool gradients)
        {
            if (name == "dense.weight") return gradients ? GWd : Wd;
            if (name == "dense.bias") return new[] { gradients ? GBd : Bd };
            int l = name[name.Length - 1] - '0';
            if (name.StartsWith("rnn.weight_ih", StringComparison.Ordinal)) return gradients ? GWih[l] : Wih[l];
            if (name.StartsWith("rnn.weight_hh", StringComparison.Ordinal)) return gradients ? GWhh[l] : Whh[l];
            if (name.StartsWith("rnn.bias_ih", StringComparison.Ordinal)) return new[] { gradients ? GBih[l] : Bih[l] };
            if (name.StartsWith("rnn.bias_hh", StringComparison.Ordinal)) return new[] { gradients ? GBhh[l] : Bhh[l] };
            throw new ArgumentException("no parameter " + name, nameof(name));
        }

        private static float[] Flatten(float[][] rows)
        {
            int columns = rows[0].Length;
            var flat = new float[rows.Length * columns];
            for (int r = 0; r < rows.Length; r++) Array.Copy(rows[r], 0, flat, r * columns, columns);
            return flat;
        }

        // ---- Inference ----

        /// <summary>One time step of every layer on the carried state, then the head.</summary>
        public abstract void Step(ReadOnlySpan<float> input, Span<float> output);

        /// <summary>Runs <c>inputs.Length / InputSize</c> steps from a zero state, one output row per step.</summary>
        public abstract void Forward(ReadOnlySpan<float> inputs, Span<float> outputs);

        /// <summary>Zeros the carried state.</summary>
        public abstract void ResetState();

        protected void Head(float[] h, Span<float> output)
        {
            for (int o = 0; o < OutputSize; o++)
            {
                float s = Bd[o];
                for (int j = 0; j < HiddenSize; j++) s += Wd[o][j] * h[j];
                output[o] = s;
            }
        }

        // ---- Training ----

        /// <summary>Forward with a tape, writing the top layer's h of step t (t = 0..steps-1) into TapeY via <see cref="Head"/>.</summary>
        protected abstract void ForwardWithTape(ReadOnlySpan<float> inputs, int steps);

        /// <summary>The top hidden state after step t (input of the head).</summary>
        protected abstract float[] TopHidden(int t);

        /// <summary>Backpropagates DAbove (dL/dh of the top layer per step) through every layer and time step.</summary>
        protected abstract void BackwardLayers(ReadOnlySpan<float> inputs, int steps);

        /// <summary>Forward, mean squared error over every output, BPTT; adds into the gradients and returns the loss.</summary>
        public float AccumulateGradients(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets)
        {
            int steps = inputs.Length / InputSize;
            ForwardWithTape(inputs, steps);
            int n = steps * OutputSize;
            double loss = 0;
            for (int t = 0; t < steps; t++)
            {
                float[] h = TopHidden(t);
                Array.Clear(DAbove[t], 0, HiddenSize);
                for (int o = 0; o < OutputSize; o++)
                {
                    float diff = TapeY[t][o] - targets[t * OutputSize + o];
                    loss += diff * diff;
                    float dy = 2f * diff / n;
                    GBd[o] += dy;
                    for (int j = 0; j < HiddenSize; j++)
                    {
                        GWd[o][j] += dy * h[j];
                        DAbove[t][j] += Wd[o][j] * dy;
                    }
                }
            }
            BackwardLayers(inputs, steps);
            return (float)(loss / n);
        }

        /// <summary>PyTorch's Adam on the accumulated gradients, then zeros them.</summary>
        public void ApplyGradients()
        {
            _adamStep++;
            double bc1 = 1 - Math.Pow(Beta1, _adamStep), bc2Sqrt = Math.Sqrt(1 - Math.Pow(Beta2, _adamStep));
            float stepSize = (float)(LearningRate / bc1);
            for (int r = 0; r < _parameterRows.Count; r++)
            {
                float[] p = _parameterRows[r], g = _gradientRows[r], m = _adamM[r], v = _adamV[r];
                for (int i = 0; i < p.Length; i++)
                {
                    m[i] = Beta1 * m[i] + (1 - Beta1) * g[i];
                    v[i] = Beta2 * v[i] + (1 - Beta2) * g[i] * g[i];
                    float denom = (float)(Math.Sqrt(v[i]) / bc2Sqrt) + Epsilon;
                    p[i] -= stepSize * m[i] / denom;
                    g[i] = 0;
                }
            }
        }

        /// <summary>Sets every gradient to zero.</summary>
        public void ZeroGradients()
        {
            foreach (float[] g in _gradientRows) Array.Clear(g, 0, g.Length);
        }

        /// <summary>AccumulateGradients, then one Adam step.</summary>
        public float TrainStep(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets)
        {
            float loss = AccumulateGradients(inputs, targets);
            ApplyGradients();
            return loss;
        }

        /// <summary>Swaps the per-step dL/dh buffers between layers.</summary>
        protected void SwapAboveBelow() { (DAbove, DBelow) = (DBelow, DAbove); }
    }
}
