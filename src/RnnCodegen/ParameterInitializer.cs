using System;

namespace RnnCodegen
{
    /// <summary>
    /// Draws a model's parameters deterministically from a seed (the same numbers on every platform and runtime:
    /// the generator is a SplitMix64/xoshiro256** stream, not <see cref="Random"/>).
    /// </summary>
    public static class ParameterInitializer
    {
        /// <summary>Fills <paramref name="parameters"/> (the flat vector of <see cref="ParameterLayout.Create"/>) with the given scheme.</summary>
        /// <param name="parameters">The model's flat parameter vector.</param>
        /// <param name="description">The model's shape.</param>
        /// <param name="seed">Any integer; equal seeds give equal parameters.</param>
        /// <param name="scheme">PyTorch's default, Xavier uniform, or orthogonal recurrent weights (see <see cref="Initialization"/>).</param>
        public static void Initialize(Span<float> parameters, ModelDescription description, int seed, Initialization scheme)
        {
            if (description is null) throw new ArgumentNullException(nameof(description));
            var infos = ParameterLayout.Create(description);
            int total = 0;
            foreach (var info in infos) total += info.Length;
            if (parameters.Length != total) throw new ArgumentException("Expected " + total + " parameters for " + description + ", got " + parameters.Length + ".", nameof(parameters));
            if (scheme != Initialization.PyTorchDefault && scheme != Initialization.XavierUniform && scheme != Initialization.Orthogonal)
                throw new ArgumentOutOfRangeException(nameof(scheme), scheme, "Unknown initialization scheme.");

            var rng = new Xoshiro(seed);
            int h = description.HiddenSize;
            int gates = ParameterLayout.GateCount(description.Cell);
            float hiddenBound = (float)(1.0 / Math.Sqrt(h));
            foreach (var info in infos)
            {
                Span<float> t = parameters.Slice(info.Offset, info.Length);
                string name = info.Name;
                if (name == "embedding.weight")
                {
                    for (int i = 0; i < t.Length; i++) t[i] = (float)rng.NextGaussian();
                }
                else if (scheme == Initialization.PyTorchDefault)
                {
                    // nn.RNN/LSTM/GRU: U(-1/sqrt(H), 1/sqrt(H)) for everything; nn.Linear(H, O): U(-1/sqrt(H), 1/sqrt(H)) too (fan_in = H).
                    for (int i = 0; i < t.Length; i++) t[i] = rng.NextUniform(-hiddenBound, hiddenBound);
                }
                else if (name.StartsWith("rnn.bias_", StringComparison.Ordinal))
                {
                    t.Clear();
                    // Forget-gate bias 1 (Keras unit_forget_bias), on bias_ih only so the sum b_ih + b_hh is 1.
                    if (description.Cell == CellKind.Lstm && name.StartsWith("rnn.bias_ih_", StringComparison.Ordinal)) t.Slice(h, h).Fill(1f);
                }
                else if (name.StartsWith("rnn.weight_c", StringComparison.Ordinal) || name == "dense.bias")
                {
                    t.Clear();
                }
                else if (name.StartsWith("rnn.weight_hh_", StringComparison.Ordinal))
                {
                    for (int g = 0; g < gates; g++)
                    {
                        Span<float> block = t.Slice(g * h * h, h * h);
                        if (scheme == Initialization.Orthogonal) Orthogonal(block, h, ref rng);
                        else Xavier(block, h, h, ref rng);
                    }
                }
                else
                {
                    // weight_ih [G, in] and dense.weight [O, H]: Xavier/Glorot uniform over the whole matrix, as Keras' kernel.
                    int rows = info.Shape[0], columns = info.Shape.Count > 1 ? info.Shape[1] : 1;
                    Xavier(t, rows, columns, ref rng);
                }
            }
        }

        private static void Xavier(Span<float> matrix, int rows, int columns, ref Xoshiro rng)
        {
            float bound = (float)Math.Sqrt(6.0 / (rows + columns));
            for (int i = 0; i < matrix.Length; i++) matrix[i] = rng.NextUniform(-bound, bound);
        }

        /// <summary>An n x n orthogonal matrix: Gram-Schmidt (twice, for stability) on a Gaussian matrix, with QR's sign convention as torch.nn.init.orthogonal_.</summary>
        private static void Orthogonal(Span<float> matrix, int n, ref Xoshiro rng)
        {
            var q = new double[n * n];
            for (int i = 0; i < q.Length; i++) q[i] = rng.NextGaussian();
            for (int r = 0; r < n; r++)
            {
                for (int pass = 0; pass < 2; pass++)
                {
                    for (int prev = 0; prev < r; prev++)
                    {
                        double dot = 0;
                        for (int c = 0; c < n; c++) dot += q[r * n + c] * q[prev * n + c];
                        for (int c = 0; c < n; c++) q[r * n + c] -= dot * q[prev * n + c];
                    }
                }
                double norm = 0;
                for (int c = 0; c < n; c++) norm += q[r * n + c] * q[r * n + c];
                norm = Math.Sqrt(norm);
                if (norm < 1e-12)
                {
                    // Degenerate draw (practically impossible): fall back to a unit vector.
                    for (int c = 0; c < n; c++) q[r * n + c] = c == r ? 1 : 0;
                    norm = 1;
                }
                for (int c = 0; c < n; c++) q[r * n + c] /= norm;
            }
            for (int i = 0; i < q.Length; i++) matrix[i] = (float)q[i];
        }

        /// <summary>xoshiro256** seeded through SplitMix64: fast, portable, reproducible.</summary>
        internal struct Xoshiro
        {
            private ulong _s0, _s1, _s2, _s3;

            public Xoshiro(int seed)
            {
                ulong x = unchecked((ulong)(long)seed) ^ 0x5DEECE66DUL;
                _s0 = SplitMix(ref x);
                _s1 = SplitMix(ref x);
                _s2 = SplitMix(ref x);
                _s3 = SplitMix(ref x);
            }

            private static ulong SplitMix(ref ulong x)
            {
                ulong z = unchecked(x += 0x9E3779B97F4A7C15UL);
                z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
                z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
                return z ^ (z >> 31);
            }

            public ulong NextUInt64()
            {
                ulong result = unchecked(RotateLeft(_s1 * 5, 7) * 9);
                ulong t = _s1 << 17;
                _s2 ^= _s0;
                _s3 ^= _s1;
                _s1 ^= _s2;
                _s0 ^= _s3;
                _s2 ^= t;
                _s3 = RotateLeft(_s3, 45);
                return result;
            }

            private static ulong RotateLeft(ulong x, int k) => (x << k) | (x >> (64 - k));

            /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
            public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

            public float NextUniform(float low, float high) => (float)(low + (high - low) * NextDouble());

            public double NextGaussian()
            {
                // Box-Muller; u1 in (0, 1] so the log is finite.
                double u1 = 1.0 - NextDouble();
                double u2 = NextDouble();
                return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
            }
        }
    }
}
