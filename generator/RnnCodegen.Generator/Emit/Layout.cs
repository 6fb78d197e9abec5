using System.Collections.Generic;
using RnnCodegen.Generator.Model;

namespace RnnCodegen.Generator.Emit
{
    /// <summary>One parameter tensor: its canonical PyTorch name, the emitted constant that holds its offset, and its shape.</summary>
    internal sealed record Tensor(string Name, string Constant, int Offset, int Rows, int Columns)
    {
        public int Length => Rows * (Columns == 0 ? 1 : Columns);

        public bool IsMatrix => Columns > 0;
    }

    /// <summary>
    /// Where every parameter lives in the flat parameter vector: the canonical PyTorch order of
    /// RnnCodegen.ParameterLayout (embedding, per layer weight_ih, weight_hh, bias_ih, bias_hh[, peepholes], dense).
    /// </summary>
    internal sealed class Layout
    {
        public Layout(ModelSpec spec)
        {
            int offset = 0;
            Tensor Add(string name, string constant, int rows, int columns)
            {
                var t = new Tensor(name, constant, offset, rows, columns);
                offset += t.Length;
                All.Add(t);
                return t;
            }

            if (spec.HasTokens) Embedding = Add("embedding.weight", "PEmbedding", spec.Vocabulary, spec.Input);
            for (int k = 0; k < spec.Layers; k++)
            {
                string l = CodeWriter.I(k);
                var layer = new LayerTensors(
                    Add("rnn.weight_ih_l" + l, "PWeightIh" + l, spec.GateRows, spec.LayerInput(k)),
                    Add("rnn.weight_hh_l" + l, "PWeightHh" + l, spec.GateRows, spec.Hidden),
                    Add("rnn.bias_ih_l" + l, "PBiasIh" + l, spec.GateRows, 0),
                    Add("rnn.bias_hh_l" + l, "PBiasHh" + l, spec.GateRows, 0));
                if (spec.Cell == Cell.Lstm && spec.Peephole)
                {
                    layer = layer with
                    {
                        PeepholeI = Add("rnn.weight_ci_l" + l, "PWeightCi" + l, spec.Hidden, 0),
                        PeepholeF = Add("rnn.weight_cf_l" + l, "PWeightCf" + l, spec.Hidden, 0),
                        PeepholeO = Add("rnn.weight_co_l" + l, "PWeightCo" + l, spec.Hidden, 0),
                    };
                }
                Layers.Add(layer);
            }
            if (spec.HasHead)
            {
                DenseWeight = Add("dense.weight", "PDenseWeight", spec.Output, spec.Hidden);
                DenseBias = Add("dense.bias", "PDenseBias", spec.Output, 0);
            }
            Count = offset;
        }

        public List<Tensor> All { get; } = new();

        public Tensor? Embedding { get; }

        public List<LayerTensors> Layers { get; } = new();

        public Tensor? DenseWeight { get; }

        public Tensor? DenseBias { get; }

        public int Count { get; }

        /// <summary>Floats of the BPTT tape for a spec (used for the RNN0016 size limit).</summary>
        public static long TrainingFloats(ModelSpec spec)
        {
            if (spec.SequenceLength <= 0) return 0;
            long perStep = 0;
            for (int k = 0; k < spec.Layers; k++) perStep += spec.LayerInput(k) + (long)spec.GateRows + 4L * spec.Hidden;
            perStep += 2L * spec.OutputWidth;
            return perStep * spec.SequenceLength;
        }
    }

    /// <summary>The tensors of one recurrent layer.</summary>
    internal sealed record LayerTensors(Tensor WeightIh, Tensor WeightHh, Tensor BiasIh, Tensor BiasHh)
    {
        public Tensor? PeepholeI { get; init; }

        public Tensor? PeepholeF { get; init; }

        public Tensor? PeepholeO { get; init; }
    }
}
