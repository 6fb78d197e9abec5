using System;

namespace RnnCodegen.Benchmarks.Naive
{
    /// <summary>A hand-written GRU (PyTorch's gates r, z, n, reset applied after the recurrent product) with a dense head.</summary>
    public sealed class NaiveGru : NaiveNetwork
    {
        private readonly float[][] _h, _fh;          // streaming and Forward state [layer][H]
        private readonly float[] _gi, _gh;           // scratch: input and hidden pre-activations [3H]
        private readonly float[][][] _tapeH;         // [t + 1][layer][H]; slot 0 is the zero initial state
        private readonly float[][][] _tapeGates;     // [t][layer][3H]: r, z, n after the activations
        private readonly float[][][] _tapeHn;        // [t][layer][H]: W_hn h + b_hn
        private readonly float[] _gi2, _gh2, _dhNew, _dhNext;

        public NaiveGru(int input, int hidden, int layers, int output, int maxSteps)
            : base(input, hidden, layers, output, 3, maxSteps)
        {
            _h = Matrix(layers, hidden); _fh = Matrix(layers, hidden);
            _gi = new float[3 * hidden]; _gh = new float[3 * hidden];
            _tapeH = new float[maxSteps + 1][][]; _tapeGates = new float[maxSteps][][]; _tapeHn = new float[maxSteps][][];
            for (int t = 0; t <= maxSteps; t++) _tapeH[t] = Matrix(layers, hidden);
            for (int t = 0; t < maxSteps; t++) { _tapeGates[t] = Matrix(layers, 3 * hidden); _tapeHn[t] = Matrix(layers, hidden); }
            _gi2 = new float[3 * hidden]; _gh2 = new float[3 * hidden]; _dhNew = new float[hidden]; _dhNext = new float[hidden];
        }

        /// <summary>One GRU cell step (hNew may alias hPrev); gates and hn receive r, z, n and W_hn h + b_hn.</summary>
        private void Cell(int l, ReadOnlySpan<float> x, float[] hPrev, float[] hNew, float[] gates, float[] hn)
        {
            int hs = HiddenSize;
            float[][] wih = Wih[l], whh = Whh[l];
            for (int r = 0; r < 3 * hs; r++)
            {
                float si = Bih[l][r], sh = Bhh[l][r];
                for (int k = 0; k < x.Length; k++) si += wih[r][k] * x[k];
                for (int k = 0; k < hs; k++) sh += whh[r][k] * hPrev[k];
                _gi[r] = si; _gh[r] = sh;
            }
            for (int j = 0; j < hs; j++)
            {
                float r = Sigmoid(_gi[j] + _gh[j]);
                float z = Sigmoid(_gi[hs + j] + _gh[hs + j]);
                float n = Tanh(_gi[2 * hs + j] + r * _gh[2 * hs + j]);
                gates[j] = r; gates[hs + j] = z; gates[2 * hs + j] = n; hn[j] = _gh[2 * hs + j];
                hNew[j] = (1 - z) * n + z * hPrev[j];
            }
        }

        public override void Step(ReadOnlySpan<float> input, Span<float> output) => StepOn(input, _h, output);

        private void StepOn(ReadOnlySpan<float> input, float[][] h, Span<float> output)
        {
            ReadOnlySpan<float> x = input;
            for (int l = 0; l < Layers; l++)
            {
                Cell(l, x, h[l], h[l], _gi2, _dhNew);
                x = h[l];
            }
            Head(h[Layers - 1], output);
        }

        public override void Forward(ReadOnlySpan<float> inputs, Span<float> outputs)
        {
            for (int l = 0; l < Layers; l++) Array.Clear(_fh[l], 0, HiddenSize);
            int steps = inputs.Length / InputSize;
            for (int t = 0; t < steps; t++)
                StepOn(inputs.Slice(t * InputSize, InputSize), _fh, outputs.Slice(t * OutputSize, OutputSize));
        }

        public override void ResetState()
        {
            for (int l = 0; l < Layers; l++) Array.Clear(_h[l], 0, HiddenSize);
        }

        protected override void ForwardWithTape(ReadOnlySpan<float> inputs, int steps)
        {
            for (int l = 0; l < Layers; l++) Array.Clear(_tapeH[0][l], 0, HiddenSize);
            for (int t = 0; t < steps; t++)
            {
                ReadOnlySpan<float> x = inputs.Slice(t * InputSize, InputSize);
                for (int l = 0; l < Layers; l++)
                {
                    Cell(l, x, _tapeH[t][l], _tapeH[t + 1][l], _tapeGates[t][l], _tapeHn[t][l]);
                    x = _tapeH[t + 1][l];
                }
                Head(_tapeH[t + 1][Layers - 1], TapeY[t]);
            }
        }

        protected override float[] TopHidden(int t) => _tapeH[t + 1][Layers - 1];

        protected override void BackwardLayers(ReadOnlySpan<float> inputs, int steps)
        {
            int hs = HiddenSize;
            float[] dhNext = _dhNext;
            for (int l = Layers - 1; l >= 0; l--)
            {
                Array.Clear(dhNext, 0, hs);
                float[][] wih = Wih[l], whh = Whh[l], gwih = GWih[l], gwhh = GWhh[l];
                for (int t = steps - 1; t >= 0; t--)
                {
                    float[] gates = _tapeGates[t][l], hn = _tapeHn[t][l], hPrev = _tapeH[t][l];
                    // _gi2: dL/d(input-side pre-activations) r|z|n; _gh2: dL/d(hidden-side pre-activations) r|z|n.
                    for (int j = 0; j < hs; j++)
                    {
                        float r = gates[j], z = gates[hs + j], n = gates[2 * hs + j];
                        float dh = DAbove[t][j] + dhNext[j];
                        float dn = dh * (1 - z);
                        float dz = dh * (hPrev[j] - n);
                        float dan = dn * (1 - n * n);
                        float dar = dan * hn[j] * r * (1 - r);
                        float daz = dz * z * (1 - z);
                        _gi2[j] = dar; _gi2[hs + j] = daz; _gi2[2 * hs + j] = dan;
                        _gh2[j] = dar; _gh2[hs + j] = daz; _gh2[2 * hs + j] = dan * r;
                        _dhNew[j] = dh * z;
                    }
                    ReadOnlySpan<float> x = l == 0 ? inputs.Slice(t * InputSize, InputSize) : _tapeH[t + 1][l - 1];
                    for (int row = 0; row < 3 * hs; row++)
                    {
                        float di = _gi2[row], dhh = _gh2[row];
                        GBih[l][row] += di;
                        GBhh[l][row] += dhh;
                        for (int k = 0; k < x.Length; k++) gwih[row][k] += di * x[k];
                        for (int k = 0; k < hs; k++) gwhh[row][k] += dhh * hPrev[k];
                    }
                    for (int k = 0; k < hs; k++)
                    {
                        float s = _dhNew[k];
                        for (int row = 0; row < 3 * hs; row++) s += whh[row][k] * _gh2[row];
                        dhNext[k] = s;
                    }
                    if (l > 0)
                    {
                        for (int k = 0; k < hs; k++)
                        {
                            float s = 0;
                            for (int row = 0; row < 3 * hs; row++) s += wih[row][k] * _gi2[row];
                            DBelow[t][k] = s;
                        }
                    }
                }
                SwapAboveBelow();
            }
        }
    }
}
