using System;
using System.Diagnostics;
using System.Runtime.CompilerServices;
#if NET8_0_OR_GREATER
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;
#endif

namespace RnnCodegen
{
    /// <summary>
    /// Scalar helpers shared by the scalar kernels and activations. On .NET 8+ <see cref="MulAdd"/> fuses exactly when
    /// the vector helpers do (hardware FMA), so the scalar and SIMD activations give bit-identical results.
    /// </summary>
    internal static class ScalarMath
    {
        /// <summary><c>a * b + c</c>, fused (one rounding) when the hardware has FMA and the vector code uses it.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float MulAdd(float a, float b, float c)
        {
#if NET8_0_OR_GREATER
            if (Fma.IsSupported || AdvSimd.IsSupported)
            {
                return MathF.FusedMultiplyAdd(a, b, c);
            }
#endif
            return (float)((float)(a * b) + c);
        }

        /// <summary>Correctly rounded single-precision square root.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float Sqrt(float x)
        {
#if NET8_0_OR_GREATER
            return MathF.Sqrt(x);
#else
            // The double square root of a float, rounded to float, is the correctly rounded float square root.
            return (float)Math.Sqrt(x);
#endif
        }

        /// <summary>The bits of a float.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static unsafe int AsInt32(float x)
        {
#if NET8_0_OR_GREATER
            return BitConverter.SingleToInt32Bits(x);
#else
            return *(int*)&x;
#endif
        }

        /// <summary>The float with the given bits.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static unsafe float AsSingle(int bits)
        {
#if NET8_0_OR_GREATER
            return BitConverter.Int32BitsToSingle(bits);
#else
            return *(float*)&bits;
#endif
        }
    }

    /// <summary>
    /// Adam/AdamW coefficients of one step, computed once per update exactly as <c>torch.optim.Adam</c> computes them
    /// (Python doubles, cast to float where PyTorch hands a scalar to a float kernel).
    /// </summary>
    internal readonly struct AdamCoefficients
    {
        /// <summary>AdamW multiplier <c>1 - lr*wd</c> (1 when not decoupled).</summary>
        public readonly float ParameterScale;
        /// <summary>Coupled (L2) weight decay added to the gradient; 0 when decoupled.</summary>
        public readonly float GradientDecay;
        /// <summary><c>lerp</c> weight <c>1 - beta1</c>.</summary>
        public readonly float LerpWeight;
        /// <summary><c>1 - LerpWeight</c> in float, used when the weight is not small (PyTorch's lerp branch).</summary>
        public readonly float LerpComplement;
        /// <summary>Whether <c>|LerpWeight| &lt; 0.5</c>: <c>m + w*(g - m)</c>, else <c>g - (g - m)*(1 - w)</c>.</summary>
        public readonly bool LerpSmall;
        /// <summary><c>beta2</c>.</summary>
        public readonly float Beta2;
        /// <summary><c>1 - beta2</c>.</summary>
        public readonly float OneMinusBeta2;
        /// <summary><c>sqrt(1 - beta2^step)</c>.</summary>
        public readonly float BiasCorrection2Sqrt;
        /// <summary><c>eps</c>.</summary>
        public readonly float Epsilon;
        /// <summary><c>-lr / (1 - beta1^step)</c>.</summary>
        public readonly float NegativeStepSize;

        public AdamCoefficients(float learningRate, float beta1, float beta2, float epsilon, float weightDecay, bool decoupledWeightDecay, int step)
        {
            double bc1 = 1.0 - Math.Pow(beta1, step);
            double bc2 = 1.0 - Math.Pow(beta2, step);
            ParameterScale = decoupledWeightDecay ? (float)(1.0 - (double)learningRate * weightDecay) : 1f;
            GradientDecay = decoupledWeightDecay ? 0f : weightDecay;
            LerpWeight = (float)(1.0 - beta1);
            LerpComplement = 1f - LerpWeight;
            LerpSmall = Math.Abs(LerpWeight) < 0.5f;
            Beta2 = beta2;
            OneMinusBeta2 = (float)(1.0 - beta2);
            BiasCorrection2Sqrt = (float)Math.Sqrt(bc2);
            Epsilon = epsilon;
            NegativeStepSize = (float)-(learningRate / bc1);
        }
    }

    /// <summary>
    /// Plain scalar implementations of every kernel: the netstandard2.0 path, the tail of the SIMD paths and the
    /// reference the SIMD code is tested against. Callers guarantee consistent lengths (the public
    /// <see cref="Kernels"/> methods slice their arguments first).
    /// </summary>
    internal static class ScalarKernels
    {
        /// <summary>Σ a[i]*b[i] over <c>a.Length</c> elements.</summary>
        public static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
        {
            Debug.Assert(b.Length >= a.Length);
            float s0 = 0f, s1 = 0f;
            int i = 0;
            for (; i + 2 <= a.Length; i += 2)
            {
                s0 = ScalarMath.MulAdd(a[i], b[i], s0);
                s1 = ScalarMath.MulAdd(a[i + 1], b[i + 1], s1);
            }
            if (i < a.Length)
            {
                s0 = ScalarMath.MulAdd(a[i], b[i], s0);
            }
            return s0 + s1;
        }

        /// <summary><c>y[r] += Σ_c M[r*cols+c]*x[c]</c>, rows = y.Length, cols = x.Length.</summary>
        public static void MatVecAdd(ReadOnlySpan<float> matrix, ReadOnlySpan<float> x, Span<float> y)
        {
            int cols = x.Length;
            Debug.Assert(matrix.Length >= y.Length * cols);
            if (cols == 1)
            {
                FusedAddScaled(y, matrix, x[0]);
                return;
            }
            for (int r = 0; r < y.Length; r++)
            {
                int o = r * cols;
                float s0 = 0f, s1 = 0f;
                int c = 0;
                for (; c + 2 <= cols; c += 2)
                {
                    s0 = ScalarMath.MulAdd(matrix[o + c], x[c], s0);
                    s1 = ScalarMath.MulAdd(matrix[o + c + 1], x[c + 1], s1);
                }
                if (c < cols)
                {
                    s0 = ScalarMath.MulAdd(matrix[o + c], x[c], s0);
                }
                y[r] += s0 + s1;
            }
        }

        /// <summary><c>y[c] += Σ_r M[r*cols+c]*g[r]</c>, rows = g.Length, cols = y.Length.</summary>
        public static void MatTransposeVecAdd(ReadOnlySpan<float> matrix, ReadOnlySpan<float> g, Span<float> y)
        {
            int cols = y.Length;
            Debug.Assert(matrix.Length >= g.Length * cols);
            for (int r = 0; r < g.Length; r++)
            {
                float gr = g[r];
                ReadOnlySpan<float> row = matrix.Slice(r * cols, cols);
                for (int c = 0; c < row.Length; c++)
                {
                    y[c] = ScalarMath.MulAdd(row[c], gr, y[c]);
                }
            }
        }

        /// <summary><c>M[r*cols+c] += g[r]*x[c]</c>, rows = g.Length, cols = x.Length.</summary>
        public static void OuterAdd(Span<float> matrix, ReadOnlySpan<float> g, ReadOnlySpan<float> x)
        {
            int cols = x.Length;
            Debug.Assert(matrix.Length >= g.Length * cols);
            for (int r = 0; r < g.Length; r++)
            {
                float a = g[r];
                int o = r * cols;
                for (int c = 0; c < cols; c++)
                {
                    matrix[o + c] += (float)(x[c] * a);
                }
            }
        }

        /// <summary><c>y += a*x</c> (multiply, then add: no fusion, so every path gives identical bits).</summary>
        public static void AddScaled(Span<float> y, ReadOnlySpan<float> x, float a)
        {
            Debug.Assert(x.Length >= y.Length);
            for (int i = 0; i < y.Length; i++)
            {
                y[i] += (float)(x[i] * a);
            }
        }

        /// <summary><c>y[i] = x[i]*a + y[i]</c>, fused where the hardware has FMA (the one-column matrix-vector product).</summary>
        public static void FusedAddScaled(Span<float> y, ReadOnlySpan<float> x, float a)
        {
            Debug.Assert(x.Length >= y.Length);
            for (int i = 0; i < y.Length; i++)
            {
                y[i] = ScalarMath.MulAdd(x[i], a, y[i]);
            }
        }

        /// <summary><c>y += x</c>.</summary>
        public static void Add(Span<float> y, ReadOnlySpan<float> x)
        {
            Debug.Assert(x.Length >= y.Length);
            for (int i = 0; i < y.Length; i++)
            {
                y[i] += x[i];
            }
        }

        /// <summary><c>y *= x</c> elementwise.</summary>
        public static void Multiply(Span<float> y, ReadOnlySpan<float> x)
        {
            Debug.Assert(x.Length >= y.Length);
            for (int i = 0; i < y.Length; i++)
            {
                y[i] *= x[i];
            }
        }

        /// <summary><c>y *= a</c>.</summary>
        public static void Scale(Span<float> y, float a)
        {
            for (int i = 0; i < y.Length; i++)
            {
                y[i] *= a;
            }
        }

        /// <summary>Σ x[i]², accumulated in double and rounded once.</summary>
        public static float SumOfSquares(ReadOnlySpan<float> x) => (float)SumOfSquaresDouble(x);

        /// <summary>Σ x[i]² in double (each square is exact in double).</summary>
        public static double SumOfSquaresDouble(ReadOnlySpan<float> x)
        {
            double s0 = 0, s1 = 0;
            int i = 0;
            for (; i + 2 <= x.Length; i += 2)
            {
                double a = x[i], b = x[i + 1];
                s0 += a * a;
                s1 += b * b;
            }
            if (i < x.Length)
            {
                double a = x[i];
                s0 += a * a;
            }
            return s0 + s1;
        }

        /// <summary>Clamps every element to [min, max]; NaN stays NaN.</summary>
        public static void Clamp(Span<float> y, float min, float max)
        {
            for (int i = 0; i < y.Length; i++)
            {
                float v = y[i];
                v = v < min ? min : v;
                v = v > max ? max : v;
                y[i] = v;
            }
        }

        /// <summary>Whether no element is NaN or infinite.</summary>
        public static bool AllFinite(ReadOnlySpan<float> x)
        {
            for (int i = 0; i < x.Length; i++)
            {
                if ((ScalarMath.AsInt32(x[i]) & 0x7FFFFFFF) >= 0x7F800000)
                {
                    return false;
                }
            }
            return true;
        }

        /// <summary>The largest element (NaNs are skipped), -∞ for an empty span.</summary>
        public static float MaxElement(ReadOnlySpan<float> x)
        {
            float m = float.NegativeInfinity;
            for (int i = 0; i < x.Length; i++)
            {
                m = x[i] > m ? x[i] : m;
            }
            return m;
        }

        /// <summary><c>y[i] = exp(x[i] - shift)</c>; returns Σ y[i].</summary>
        public static float ExpShiftSum(ReadOnlySpan<float> x, float shift, Span<float> y)
        {
            Debug.Assert(y.Length >= x.Length);
            float sum = 0f;
            for (int i = 0; i < x.Length; i++)
            {
                float e = Activations.Exp(x[i] - shift);
                y[i] = e;
                sum += e;
            }
            return sum;
        }

        /// <summary>Numerically stable softmax: <c>exp(l - max) / Σ exp(l - max)</c> (PyTorch multiplies by the reciprocal).</summary>
        public static void Softmax(ReadOnlySpan<float> logits, Span<float> probabilities)
        {
            float max = MaxElement(logits);
            float sum = ExpShiftSum(logits, max, probabilities);
            Scale(probabilities.Slice(0, logits.Length), 1f / sum);
        }

        /// <summary><c>y[i] = tanh(x[i])</c>.</summary>
        public static void Tanh(ReadOnlySpan<float> x, Span<float> y)
        {
            Debug.Assert(y.Length >= x.Length);
            for (int i = 0; i < x.Length; i++)
            {
                y[i] = Activations.Tanh(x[i]);
            }
        }

        /// <summary><c>y[i] = sigmoid(x[i])</c>.</summary>
        public static void Sigmoid(ReadOnlySpan<float> x, Span<float> y)
        {
            Debug.Assert(y.Length >= x.Length);
            for (int i = 0; i < x.Length; i++)
            {
                y[i] = Activations.Sigmoid(x[i]);
            }
        }

        /// <summary>SGD (PyTorch <c>torch.optim.SGD</c>, dampening 0).</summary>
        public static void SgdUpdate(Span<float> parameters, ReadOnlySpan<float> gradients, Span<float> momentumBuffer, float learningRate, float momentum, bool nesterov, float weightDecay, bool firstStep)
        {
            Debug.Assert(gradients.Length >= parameters.Length);
            Debug.Assert(momentum == 0f || momentumBuffer.Length >= parameters.Length);
            float negLr = -learningRate;
            for (int i = 0; i < parameters.Length; i++)
            {
                float p = parameters[i];
                float g = gradients[i];
                if (weightDecay != 0f)
                {
                    g += (float)(p * weightDecay);
                }
                if (momentum != 0f)
                {
                    float b = firstStep ? g : (float)(momentumBuffer[i] * momentum) + g;
                    momentumBuffer[i] = b;
                    g = nesterov ? g + (float)(b * momentum) : b;
                }
                parameters[i] = p + (float)(g * negLr);
            }
        }

        /// <summary>Adam / AdamW (PyTorch <c>torch.optim.Adam</c>/<c>AdamW</c>, single-tensor formulas).</summary>
        public static void AdamUpdate(Span<float> parameters, ReadOnlySpan<float> gradients, Span<float> m, Span<float> v, float learningRate, float beta1, float beta2, float epsilon, float weightDecay, bool decoupledWeightDecay, int step)
        {
            var k = new AdamCoefficients(learningRate, beta1, beta2, epsilon, weightDecay, decoupledWeightDecay, step);
            AdamUpdate(parameters, gradients, m, v, in k);
        }

        /// <summary>Adam / AdamW with precomputed coefficients.</summary>
        public static void AdamUpdate(Span<float> parameters, ReadOnlySpan<float> gradients, Span<float> m, Span<float> v, in AdamCoefficients k)
        {
            Debug.Assert(gradients.Length >= parameters.Length && m.Length >= parameters.Length && v.Length >= parameters.Length);
            for (int i = 0; i < parameters.Length; i++)
            {
                float p = (float)(parameters[i] * k.ParameterScale);
                float g = gradients[i];
                if (k.GradientDecay != 0f)
                {
                    g += (float)(p * k.GradientDecay);
                }
                float mi = m[i];
                float d = g - mi;
                mi = k.LerpSmall ? mi + (float)(k.LerpWeight * d) : g - (float)(d * k.LerpComplement);
                m[i] = mi;
                float vi = (float)(v[i] * k.Beta2);
                vi += (float)((float)(k.OneMinusBeta2 * g) * g);
                v[i] = vi;
                float denom = (float)(ScalarMath.Sqrt(vi) / k.BiasCorrection2Sqrt) + k.Epsilon;
                parameters[i] = p + (float)((float)(k.NegativeStepSize * mi) / denom);
            }
        }

        /// <summary>RMSprop (PyTorch <c>torch.optim.RMSprop</c>, not centered, no momentum).</summary>
        public static void RmsPropUpdate(Span<float> parameters, ReadOnlySpan<float> gradients, Span<float> squareAverage, float learningRate, float alpha, float epsilon, float weightDecay)
        {
            Debug.Assert(gradients.Length >= parameters.Length && squareAverage.Length >= parameters.Length);
            float oneMinusAlpha = (float)(1.0 - alpha);
            float negLr = -learningRate;
            for (int i = 0; i < parameters.Length; i++)
            {
                float p = parameters[i];
                float g = gradients[i];
                if (weightDecay != 0f)
                {
                    g += (float)(p * weightDecay);
                }
                float sq = (float)(squareAverage[i] * alpha);
                sq += (float)((float)(oneMinusAlpha * g) * g);
                squareAverage[i] = sq;
                float avg = ScalarMath.Sqrt(sq) + epsilon;
                parameters[i] = p + (float)((float)(negLr * g) / avg);
            }
        }
    }
}
