using System;

namespace RnnCodegen.Benchmarks.Naive
{
    /// <summary>A hand-written LSTM (PyTorch's gates i, f, g, o) with a dense head: see <see cref="NaiveNetwork"/>.</summary>
    public sealed class NaiveLstm : NaiveNetwork
    {
        private readonly float[][] _h, _c, _fh, _fc; // streaming and Forward state [layer][H]
        private readonly float[] _gates, _output;    // scratch
        private readonly float[][][] _tapeH, _tapeC; // [t + 1][layer][H]; slot 0 is the zero initial state
        private readonly float[][][] _tapeGates;     // [t][layer][4H] after the activations
        private readonly float[] _da, _dhNext, _dcNext, _dhNew;

        public NaiveLstm(int input, int hidden, int layers, int output, int maxSteps)
            : base(input, hidden, layers, output, 4, maxSteps)
        {
            _h = Matrix(layers, hidden); _c = Matrix(layers, hidden); _fh = Matrix(layers, hidden); _fc = Matrix(layers, hidden);
            _gates = new float[4 * hidden]; _output = new float[output];
            _tapeH = new float[maxSteps + 1][][]; _tapeC = new float[maxSteps + 1][][]; _tapeGates = new float[maxSteps][][];
            for (int t = 0; t <= maxSteps; t++) { _tapeH[t] = Matrix(layers, hidden); _tapeC[t] = Matrix(layers, hidden); }
            for (int t = 0; t < maxSteps; t++) _tapeGates[t] = Matrix(layers, 4 * hidden);
            _da = new float[4 * hidden]; _dhNext = new float[hidden]; _dcNext = new float[hidden]; _dhNew = new float[hidden];
        }

        /// <summary>One LSTM cell step: gates from x and hPrev, then c and h (hNew/cNew may alias hPrev/cPrev).</summary>
        private void Cell(int l, ReadOnlySpan<float> x, float[] hPrev, float[] cPrev, float[] hNew, float[] cNew, float[] gates)
        {
            int hs = HiddenSize;
            float[][] wih = Wih[l], whh = Whh[l];
            for (int r = 0; r < 4 * hs; r++)
            {
                float s = Bih[l][r] + Bhh[l][r];
                for (int k = 0; k < x.Length; k++) s += wih[r][k] * x[k];
                for (int k = 0; k < hs; k++) s += whh[r][k] * hPrev[k];
                gates[r] = r >= 2 * hs && r < 3 * hs ? Tanh(s) : Sigmoid(s);
            }
            for (int j = 0; j < hs; j++)
            {
                float i = gates[j], f = gates[hs + j], g = gates[2 * hs + j], o = gates[3 * hs + j];
                cNew[j] = f * cPrev[j] + i * g;
                hNew[j] = o * Tanh(cNew[j]);
            }
        }

        public override void Step(ReadOnlySpan<float> input, Span<float> output) => StepOn(input, _h, _c, output);

        private void StepOn(ReadOnlySpan<float> input, float[][] h, float[][] c, Span<float> output)
        {
            ReadOnlySpan<float> x = input;
            for (int l = 0; l < Layers; l++)
            {
                Cell(l, x, h[l], c[l], h[l], c[l], _gates);
                x = h[l];
            }
            Head(h[Layers - 1], output);
        }

        public override void Forward(ReadOnlySpan<float> inputs, Span<float> outputs)
        {
            for (int l = 0; l < Layers; l++) { Array.Clear(_fh[l], 0, HiddenSize); Array.Clear(_fc[l], 0, HiddenSize); }
            int steps = inputs.Length / InputSize;
            for (int t = 0; t < steps; t++)
                StepOn(inputs.Slice(t * InputSize, InputSize), _fh, _fc, outputs.Slice(t * OutputSize, OutputSize));
        }

        public override void ResetState()
        {
            for (int l = 0; l < Layers; l++) { Array.Clear(_h[l], 0, HiddenSize); Array.Clear(_c[l], 0, HiddenSize); }
        }

        protected override void ForwardWithTape(ReadOnlySpan<float> inputs, int steps)
        {
            for (int l = 0; l < Layers; l++) { Array.Clear(_tapeH[0][l], 0, HiddenSize); Array.Clear(_tapeC[0][l], 0, HiddenSize); }
            for (int t = 0; t < steps; t++)
            {
                ReadOnlySpan<float> x = inputs.Slice(t * InputSize, InputSize);
                for (int l = 0; l < Layers; l++)
                {
                    Cell(l, x, _tapeH[t][l], _tapeC[t][l], _tapeH[t + 1][l], _tapeC[t + 1][l], _tapeGates[t][l]);
                    x = _tapeH[t + 1][l];
                }
                Head(_tapeH[t + 1][Layers - 1], TapeY[t]);
            }
        }

        protected override float[] TopHidden(int t) => _tapeH[t + 1][Layers - 1];

        protected override void BackwardLayers(ReadOnlySpan<float> inputs, int steps)
        {
            int hs = HiddenSize;
            for (int l = Layers - 1; l >= 0; l--)
            {
                Array.Clear(_dhNext, 0, hs);
                Array.Clear(_dcNext, 0, hs);
                float[][] wih = Wih[l], whh = Whh[l], gwih = GWih[l], gwhh = GWhh[l];
                for (int t = steps - 1; t >= 0; t--)
                {
                    float[] gates = _tapeGates[t][l], cPrev = _tapeC[t][l], c = _tapeC[t + 1][l], hPrev = _tapeH[t][l];
                    for (int j = 0; j < hs; j++)
                    {
                        float i = gates[j], f = gates[hs + j], g = gates[2 * hs + j], o = gates[3 * hs + j];
                        float dh = DAbove[t][j] + _dhNext[j];
                        float tc = Tanh(c[j]);
                        float dO = dh * tc;
                        float dc = dh * o * (1 - tc * tc) + _dcNext[j];
                        float di = dc * g, dg = dc * i, df = dc * cPrev[j];
                        _dcNext[j] = dc * f;
                        _da[j] = di * i * (1 - i);
                        _da[hs + j] = df * f * (1 - f);
                        _da[2 * hs + j] = dg * (1 - g * g);
                        _da[3 * hs + j] = dO * o * (1 - o);
                    }
                    ReadOnlySpan<float> x = l == 0 ? inputs.Slice(t * InputSize, InputSize) : _tapeH[t + 1][l - 1];
                    for (int r = 0; r < 4 * hs; r++)
                    {
                        float d = _da[r];
                        GBih[l][r] += d;
                        GBhh[l][r] += d;
                        for (int k = 0; k < x.Length; k++) gwih[r][k] += d * x[k];
                        for (int k = 0; k < hs; k++) gwhh[r][k] += d * hPrev[k];
                    }
                    for (int k = 0; k < hs; k++)
                    {
                        float s = 0;
                        for (int r = 0; r < 4 * hs; r++) s += whh[r][k] * _da[r];
                        _dhNew[k] = s;
                    }
                    Array.Copy(_dhNew, _dhNext, hs);
                    if (l > 0)
                    {
                        for (int k = 0; k < hs; k++)
                        {
                            float s = 0;
                            for (int r = 0; r < 4 * hs; r++) s += wih[r][k] * _da[r];
                            DBelow[t][k] = s;
                        }
                    }
                }
                SwapAboveBelow();
            }
        }
    }
}
