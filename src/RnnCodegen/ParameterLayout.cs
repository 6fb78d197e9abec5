using System.Collections.Generic;
using System.Globalization;

namespace RnnCodegen
{
    /// <summary>
    /// The canonical parameter list of a model: PyTorch names, shapes and the order of the flat parameter vector.
    /// Generated models emit exactly this list (a test checks it), so code that only has a
    /// <see cref="ModelDescription"/> can reason about a model's parameters.
    /// </summary>
    /// <remarks>
    /// Order: <c>embedding.weight</c> (token models), then per layer k <c>rnn.weight_ih_lk</c>, <c>rnn.weight_hh_lk</c>,
    /// <c>rnn.bias_ih_lk</c>, <c>rnn.bias_hh_lk</c> (and for a peephole LSTM <c>rnn.weight_ci_lk</c>, <c>rnn.weight_cf_lk</c>,
    /// <c>rnn.weight_co_lk</c>), then <c>dense.weight</c> and <c>dense.bias</c> when there is a head.
    /// </remarks>
    public static class ParameterLayout
    {
        /// <summary>Gate blocks per layer: 1 (RNN), 4 (LSTM i, f, g, o) or 3 (GRU r, z, n).</summary>
        public static int GateCount(CellKind cell) => cell == CellKind.Lstm ? 4 : cell == CellKind.Gru ? 3 : 1;

        /// <summary>Builds the canonical parameter list of a model.</summary>
        public static ParameterInfo[] Create(ModelDescription description)
        {
            var list = new List<ParameterInfo>();
            int offset = 0;
            void Add(string name, params int[] shape)
            {
                var info = new ParameterInfo(name, offset, shape);
                offset += info.Length;
                list.Add(info);
            }

            int h = description.HiddenSize;
            int g = GateCount(description.Cell) * h;
            if (description.Vocabulary > 0) Add("embedding.weight", description.Vocabulary, description.InputSize);
            for (int k = 0; k < description.LayerCount; k++)
            {
                string l = k.ToString(CultureInfo.InvariantCulture);
                Add("rnn.weight_ih_l" + l, g, k == 0 ? description.InputSize : h);
                Add("rnn.weight_hh_l" + l, g, h);
                Add("rnn.bias_ih_l" + l, g);
                Add("rnn.bias_hh_l" + l, g);
                if (description.Cell == CellKind.Lstm && description.Peephole)
                {
                    Add("rnn.weight_ci_l" + l, h);
                    Add("rnn.weight_cf_l" + l, h);
                    Add("rnn.weight_co_l" + l, h);
                }
            }
            if (description.OutputSize > 0)
            {
                Add("dense.weight", description.OutputSize, h);
                Add("dense.bias", description.OutputSize);
            }
            return list.ToArray();
        }

        /// <summary>The exact PyTorch parameter count of a model (two bias vectors per recurrent layer).</summary>
        public static long Count(ModelDescription description)
        {
            long total = 0;
            foreach (var p in Create(description)) total += p.Length;
            return total;
        }
    }
}
