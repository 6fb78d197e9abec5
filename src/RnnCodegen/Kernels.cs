#pragma warning disable CS1591 // TEMPORARY
using System;

namespace RnnCodegen
{
    // TEMPORARY scalar kernels so the generator can be developed; replaced by the SIMD kernels branch.
    public static class Kernels
    {
        public static string ActivePath => "Scalar";
        public static void MatVecAdd(ReadOnlySpan<float> matrix, ReadOnlySpan<float> x, Span<float> y)
        {
            int cols = x.Length;
            for (int r = 0; r < y.Length; r++) { float s = 0; for (int c = 0; c < cols; c++) s += matrix[r * cols + c] * x[c]; y[r] += s; }
        }
        public static void Add(Span<float> y, ReadOnlySpan<float> x) { for (int i = 0; i < y.Length; i++) y[i] += x[i]; }
        public static void Softmax(ReadOnlySpan<float> logits, Span<float> p)
        {
            float m = float.NegativeInfinity; for (int i = 0; i < logits.Length; i++) m = Math.Max(m, logits[i]);
            double s = 0; for (int i = 0; i < logits.Length; i++) { p[i] = (float)Math.Exp(logits[i] - m); s += p[i]; }
            for (int i = 0; i < p.Length; i++) p[i] = (float)(p[i] / s);
        }
    }
    public static class Activations
    {
        public static void Tanh(Span<float> v) { for (int i = 0; i < v.Length; i++) v[i] = (float)Math.Tanh(v[i]); }
        public static void Sigmoid(Span<float> v) { for (int i = 0; i < v.Length; i++) v[i] = (float)(1 / (1 + Math.Exp(-v[i]))); }
        public static void Tanh(ReadOnlySpan<float> x, Span<float> y) { for (int i = 0; i < y.Length; i++) y[i] = (float)Math.Tanh(x[i]); }
    }
}
