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
        public static void MatTransposeVecAdd(ReadOnlySpan<float> matrix, ReadOnlySpan<float> g, Span<float> y)
        {
            int cols = y.Length;
            for (int r = 0; r < g.Length; r++) for (int c = 0; c < cols; c++) y[c] += matrix[r * cols + c] * g[r];
        }
        public static void OuterAdd(Span<float> matrix, ReadOnlySpan<float> g, ReadOnlySpan<float> x)
        {
            int cols = x.Length;
            for (int r = 0; r < g.Length; r++) for (int c = 0; c < cols; c++) matrix[r * cols + c] += g[r] * x[c];
        }
        public static void Add(Span<float> y, ReadOnlySpan<float> x) { for (int i = 0; i < y.Length; i++) y[i] += x[i]; }
        public static void Scale(Span<float> y, float a) { for (int i = 0; i < y.Length; i++) y[i] *= a; }
        public static void Clamp(Span<float> y, float min, float max) { for (int i = 0; i < y.Length; i++) y[i] = Math.Min(max, Math.Max(min, y[i])); }
        public static float SumOfSquares(ReadOnlySpan<float> x) { double s = 0; foreach (var v in x) s += (double)v * v; return (float)s; }
        public static bool AllFinite(ReadOnlySpan<float> x) { foreach (var v in x) if (float.IsNaN(v) || float.IsInfinity(v)) return false; return true; }
        public static void Softmax(ReadOnlySpan<float> logits, Span<float> p)
        {
            float m = float.NegativeInfinity; for (int i = 0; i < logits.Length; i++) m = Math.Max(m, logits[i]);
            double s = 0; for (int i = 0; i < logits.Length; i++) { p[i] = (float)Math.Exp(logits[i] - m); s += p[i]; }
            for (int i = 0; i < p.Length; i++) p[i] = (float)(p[i] / s);
        }
        public static void SgdUpdate(Span<float> p, ReadOnlySpan<float> grad, Span<float> buf, float lr, float momentum, bool nesterov, float wd, bool firstStep)
        {
            for (int i = 0; i < p.Length; i++)
            {
                float g = grad[i] + wd * p[i];
                if (momentum != 0) { buf[i] = firstStep ? g : momentum * buf[i] + g; g = nesterov ? g + momentum * buf[i] : buf[i]; }
                p[i] -= lr * g;
            }
        }
        public static void AdamUpdate(Span<float> p, ReadOnlySpan<float> grad, Span<float> m, Span<float> v, float lr, float beta1, float beta2, float eps, float wd, bool decoupled, int step)
        {
            double bc1 = 1 - Math.Pow(beta1, step), bc2 = 1 - Math.Pow(beta2, step);
            float stepSize = (float)(lr / bc1); float bc2s = (float)Math.Sqrt(bc2);
            for (int i = 0; i < p.Length; i++)
            {
                float g = grad[i];
                if (decoupled) p[i] *= 1 - lr * wd; else g += wd * p[i];
                m[i] += (g - m[i]) * (1 - beta1);
                v[i] = beta2 * v[i] + (1 - beta2) * g * g;
                float denom = (float)Math.Sqrt(v[i]) / bc2s + eps;
                p[i] -= stepSize * m[i] / denom;
            }
        }
        public static void RmsPropUpdate(Span<float> p, ReadOnlySpan<float> grad, Span<float> sq, float lr, float alpha, float eps, float wd)
        {
            for (int i = 0; i < p.Length; i++)
            {
                float g = grad[i] + wd * p[i];
                sq[i] = alpha * sq[i] + (1 - alpha) * g * g;
                p[i] -= lr * g / ((float)Math.Sqrt(sq[i]) + eps);
            }
        }
    }
    public static class Activations
    {
        public static float Sigmoid(float x) => (float)(1 / (1 + Math.Exp(-x)));
        public static float Tanh(float x) => (float)Math.Tanh(x);
        public static void Tanh(Span<float> v) { for (int i = 0; i < v.Length; i++) v[i] = (float)Math.Tanh(v[i]); }
        public static void Sigmoid(Span<float> v) { for (int i = 0; i < v.Length; i++) v[i] = (float)(1 / (1 + Math.Exp(-v[i]))); }
        public static void Sigmoid(ReadOnlySpan<float> x, Span<float> y) { for (int i = 0; i < y.Length; i++) y[i] = (float)(1 / (1 + Math.Exp(-x[i]))); }
        public static void Tanh(ReadOnlySpan<float> x, Span<float> y) { for (int i = 0; i < y.Length; i++) y[i] = (float)Math.Tanh(x[i]); }
    }
}
