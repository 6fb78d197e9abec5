using System;
using System.ComponentModel;
using System.Diagnostics;
#if NET8_0_OR_GREATER
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
#endif

namespace RnnCodegen
{
    /// <summary>
    /// Numeric kernels called by the code the RnnCodegen source generator emits: dot products, matrix-vector products,
    /// elementwise updates, softmax and the optimizer updates. Not meant to be called by hand; the signatures follow
    /// the generator's needs.
    /// </summary>
    /// <remarks>
    /// <para>
    /// Sizes come from the span lengths. Every method slices its other arguments to the sizes it needs first, so a
    /// too-short span throws <see cref="ArgumentOutOfRangeException"/> (as span indexing would) instead of reading or
    /// writing outside it; the loops themselves run without bounds checks. Nothing allocates.
    /// </para>
    /// <para>
    /// On .NET 8+ the work runs on <c>Vector512</c> when it is hardware accelerated, else
    /// <c>Vector256</c>, else <c>Vector128</c>, the remainder of a span on the narrower widths and
    /// then scalar code; netstandard2.0 runs the scalar code. Reductions (<see cref="Dot"/>, <see cref="MatVecAdd"/>,
    /// <see cref="MatTransposeVecAdd"/>, <see cref="Softmax"/>) use fused multiply-add and several accumulators, so their
    /// result differs from a sequential sum by float rounding only. The elementwise kernels and the optimizer updates
    /// are not fused and return identical bits on every path and width.
    /// </para>
    /// </remarks>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static class Kernels
    {
        /// <summary>Dot product <c>Σ a[i]*b[i]</c> over <c>a.Length</c> elements.</summary>
        /// <param name="a">First vector; its length is the size.</param>
        /// <param name="b">Second vector, same length.</param>
        /// <returns>The dot product (float accumulators, fused multiply-add where available).</returns>
        public static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
        {
            Debug.Assert(a.Length == b.Length, "Dot: lengths differ");
            b = b.Slice(0, a.Length);
#if NET8_0_OR_GREATER
            if (Vector512.IsHardwareAccelerated)
            {
                return Kernels512.Dot(a, b);
            }
            if (Vector256.IsHardwareAccelerated)
            {
                return Kernels256.Dot(a, b);
            }
            if (Vector128.IsHardwareAccelerated)
            {
                return Kernels128.Dot(a, b);
            }
#endif
            return ScalarKernels.Dot(a, b);
        }

        /// <summary>Matrix-vector product accumulated into <paramref name="y"/>: <c>y[r] += Σ_c M[r*cols+c]*x[c]</c>.</summary>
        /// <param name="matrix">Row-major matrix, <c>rows*cols</c> elements.</param>
        /// <param name="x">Input vector; its length is cols.</param>
        /// <param name="y">Output vector, accumulated into; its length is rows.</param>
        public static void MatVecAdd(ReadOnlySpan<float> matrix, ReadOnlySpan<float> x, Span<float> y)
        {
            Debug.Assert(matrix.Length == y.Length * x.Length, "MatVecAdd: matrix length is not rows*cols");
            matrix = matrix.Slice(0, y.Length * x.Length);
#if NET8_0_OR_GREATER
            if (Vector512.IsHardwareAccelerated)
            {
                Kernels512.MatVecAdd(matrix, x, y);
                return;
            }
            if (Vector256.IsHardwareAccelerated)
            {
                Kernels256.MatVecAdd(matrix, x, y);
                return;
            }
            if (Vector128.IsHardwareAccelerated)
            {
                Kernels128.MatVecAdd(matrix, x, y);
                return;
            }
#endif
            ScalarKernels.MatVecAdd(matrix, x, y);
        }

        /// <summary>Transposed matrix-vector product accumulated into <paramref name="y"/>: <c>y[c] += Σ_r M[r*cols+c]*g[r]</c>.</summary>
        /// <param name="matrix">Row-major matrix, <c>rows*cols</c> elements.</param>
        /// <param name="g">Vector with one element per row; its length is rows.</param>
        /// <param name="y">Output vector, accumulated into; its length is cols.</param>
        public static void MatTransposeVecAdd(ReadOnlySpan<float> matrix, ReadOnlySpan<float> g, Span<float> y)
        {
            Debug.Assert(matrix.Length == g.Length * y.Length, "MatTransposeVecAdd: matrix length is not rows*cols");
            matrix = matrix.Slice(0, g.Length * y.Length);
#if NET8_0_OR_GREATER
            if (Vector512.IsHardwareAccelerated)
            {
                Kernels512.MatTransposeVecAdd(matrix, g, y);
                return;
            }
            if (Vector256.IsHardwareAccelerated)
            {
                Kernels256.MatTransposeVecAdd(matrix, g, y);
                return;
            }
            if (Vector128.IsHardwareAccelerated)
            {
                Kernels128.MatTransposeVecAdd(matrix, g, y);
                return;
            }
#endif
            ScalarKernels.MatTransposeVecAdd(matrix, g, y);
        }

        /// <summary>Rank-one update <c>M[r*cols+c] += g[r]*x[c]</c> (a weight gradient).</summary>
        /// <param name="matrix">Row-major matrix, <c>rows*cols</c> elements, accumulated into.</param>
        /// <param name="g">Column factor; its length is rows.</param>
        /// <param name="x">Row factor; its length is cols.</param>
        public static void OuterAdd(Span<float> matrix, ReadOnlySpan<float> g, ReadOnlySpan<float> x)
        {
            Debug.Assert(matrix.Length == g.Length * x.Length, "OuterAdd: matrix length is not rows*cols");
            matrix = matrix.Slice(0, g.Length * x.Length);
#if NET8_0_OR_GREATER
            if (Vector512.IsHardwareAccelerated)
            {
                Kernels512.OuterAdd(matrix, g, x);
                return;
            }
            if (Vector256.IsHardwareAccelerated)
            {
                Kernels256.OuterAdd(matrix, g, x);
                return;
            }
            if (Vector128.IsHardwareAccelerated)
            {
                Kernels128.OuterAdd(matrix, g, x);
                return;
            }
#endif
            ScalarKernels.OuterAdd(matrix, g, x);
        }

        /// <summary><c>y[i] += a*x[i]</c> (product rounded, then added: identical bits on every path).</summary>
        /// <param name="y">Accumulated into; its length is the size.</param>
        /// <param name="x">Added vector, same length.</param>
        /// <param name="a">Scale of <paramref name="x"/>.</param>
        public static void AddScaled(Span<float> y, ReadOnlySpan<float> x, float a)
        {
            Debug.Assert(x.Length == y.Length, "AddScaled: lengths differ");
            x = x.Slice(0, y.Length);
#if NET8_0_OR_GREATER
            if (Vector512.IsHardwareAccelerated)
            {
                Kernels512.AddScaled(y, x, a);
                return;
            }
            if (Vector256.IsHardwareAccelerated)
            {
                Kernels256.AddScaled(y, x, a);
                return;
            }
            if (Vector128.IsHardwareAccelerated)
            {
                Kernels128.AddScaled(y, x, a);
                return;
            }
#endif
            ScalarKernels.AddScaled(y, x, a);
        }

        /// <summary><c>y[i] += x[i]</c>.</summary>
        /// <param name="y">Accumulated into; its length is the size.</param>
        /// <param name="x">Added vector, same length.</param>
        public static void Add(Span<float> y, ReadOnlySpan<float> x)
        {
            Debug.Assert(x.Length == y.Length, "Add: lengths differ");
            x = x.Slice(0, y.Length);
#if NET8_0_OR_GREATER
            if (Vector512.IsHardwareAccelerated)
            {
                Kernels512.Add(y, x);
                return;
            }
            if (Vector256.IsHardwareAccelerated)
            {
                Kernels256.Add(y, x);
                return;
            }
            if (Vector128.IsHardwareAccelerated)
            {
                Kernels128.Add(y, x);
                return;
            }
#endif
            ScalarKernels.Add(y, x);
        }

        /// <summary>
        /// <c>destination[i] = source[i]</c> in a vector loop. <see cref="Span{T}.CopyTo"/> hands copies above 2 KiB to
        /// the C library's memmove, which on AMD Zen 4 runs them as <c>rep movsb</c> at about 18 bytes per cycle; the
        /// generated models copy their recurrent weights (16 KiB and more) after every optimizer step.
        /// </summary>
        /// <param name="source">Copied from; its length is the size. Must not overlap <paramref name="destination"/>.</param>
        /// <param name="destination">Written; at least as long as <paramref name="source"/>.</param>
        public static void Copy(ReadOnlySpan<float> source, Span<float> destination)
        {
            destination = destination.Slice(0, source.Length);
#if NET8_0_OR_GREATER
            if (Vector512.IsHardwareAccelerated)
            {
                Kernels512.Copy(source, destination);
                return;
            }
            if (Vector256.IsHardwareAccelerated)
            {
                Kernels256.Copy(source, destination);
                return;
            }
            if (Vector128.IsHardwareAccelerated)
            {
                Kernels128.Copy(source, destination);
                return;
            }
#endif
            source.CopyTo(destination);
        }

        /// <summary><c>y[i] *= x[i]</c>.</summary>
        /// <param name="y">Multiplied in place; its length is the size.</param>
        /// <param name="x">Factors, same length.</param>
        public static void Multiply(Span<float> y, ReadOnlySpan<float> x)
        {
            Debug.Assert(x.Length == y.Length, "Multiply: lengths differ");
            x = x.Slice(0, y.Length);
#if NET8_0_OR_GREATER
            if (Vector512.IsHardwareAccelerated)
            {
                Kernels512.Multiply(y, x);
                return;
            }
            if (Vector256.IsHardwareAccelerated)
            {
                Kernels256.Multiply(y, x);
                return;
            }
            if (Vector128.IsHardwareAccelerated)
            {
                Kernels128.Multiply(y, x);
                return;
            }
#endif
            ScalarKernels.Multiply(y, x);
        }

        /// <summary><c>y[i] *= a</c>.</summary>
        /// <param name="y">Scaled in place.</param>
        /// <param name="a">The factor.</param>
        public static void Scale(Span<float> y, float a)
        {
#if NET8_0_OR_GREATER
            if (Vector512.IsHardwareAccelerated)
            {
                Kernels512.Scale(y, a);
                return;
            }
            if (Vector256.IsHardwareAccelerated)
            {
                Kernels256.Scale(y, a);
                return;
            }
            if (Vector128.IsHardwareAccelerated)
            {
                Kernels128.Scale(y, a);
                return;
            }
#endif
            ScalarKernels.Scale(y, a);
        }

        /// <summary>
        /// <c>Σ x[i]²</c>, accumulated in double (every square is exact) and rounded once, so it is accurate to float
        /// rounding for any length (16 million elements included); +∞ when the sum overflows float.
        /// </summary>
        /// <param name="x">The values.</param>
        /// <returns>The sum of squares.</returns>
        public static float SumOfSquares(ReadOnlySpan<float> x)
        {
#if NET8_0_OR_GREATER
            if (Vector512.IsHardwareAccelerated)
            {
                return (float)Kernels512.SumOfSquares(x);
            }
            if (Vector256.IsHardwareAccelerated)
            {
                return (float)Kernels256.SumOfSquares(x);
            }
            if (Vector128.IsHardwareAccelerated)
            {
                return (float)Kernels128.SumOfSquares(x);
            }
#endif
            return ScalarKernels.SumOfSquares(x);
        }

        /// <summary>Clamps every element to [<paramref name="min"/>, <paramref name="max"/>]; NaN stays NaN.</summary>
        /// <param name="y">Clamped in place.</param>
        /// <param name="min">Lower bound.</param>
        /// <param name="max">Upper bound (not below <paramref name="min"/>).</param>
        public static void Clamp(Span<float> y, float min, float max)
        {
            Debug.Assert(!(min > max), "Clamp: min > max");
#if NET8_0_OR_GREATER
            if (Vector512.IsHardwareAccelerated)
            {
                Kernels512.Clamp(y, min, max);
                return;
            }
            if (Vector256.IsHardwareAccelerated)
            {
                Kernels256.Clamp(y, min, max);
                return;
            }
            if (Vector128.IsHardwareAccelerated)
            {
                Kernels128.Clamp(y, min, max);
                return;
            }
#endif
            ScalarKernels.Clamp(y, min, max);
        }

        /// <summary>Whether every element is finite (no NaN, no ±∞).</summary>
        /// <param name="x">The values.</param>
        /// <returns><see langword="true"/> when all elements are finite (also for an empty span).</returns>
        public static bool AllFinite(ReadOnlySpan<float> x)
        {
#if NET8_0_OR_GREATER
            if (Vector512.IsHardwareAccelerated)
            {
                return Kernels512.AllFinite(x);
            }
            if (Vector256.IsHardwareAccelerated)
            {
                return Kernels256.AllFinite(x);
            }
            if (Vector128.IsHardwareAccelerated)
            {
                return Kernels128.AllFinite(x);
            }
#endif
            return ScalarKernels.AllFinite(x);
        }

        /// <summary>
        /// Numerically stable softmax: <c>p[i] = exp(l[i] - max) · (1 / Σ exp(l[j] - max))</c>, as PyTorch computes it
        /// (exp accurate to 8.5e-8 relative). A NaN or +∞ logit makes every probability NaN, as in PyTorch.
        /// </summary>
        /// <param name="logits">The logits; their length is the size.</param>
        /// <param name="probabilities">The probabilities, at least as long; may be the same memory as <paramref name="logits"/>.</param>
        public static void Softmax(ReadOnlySpan<float> logits, Span<float> probabilities)
        {
            Debug.Assert(probabilities.Length == logits.Length, "Softmax: lengths differ");
            probabilities = probabilities.Slice(0, logits.Length);
#if NET8_0_OR_GREATER
            if (Vector512.IsHardwareAccelerated)
            {
                Kernels512.Softmax(logits, probabilities);
                return;
            }
            if (Vector256.IsHardwareAccelerated)
            {
                Kernels256.Softmax(logits, probabilities);
                return;
            }
            if (Vector128.IsHardwareAccelerated)
            {
                Kernels128.Softmax(logits, probabilities);
                return;
            }
#endif
            ScalarKernels.Softmax(logits, probabilities);
        }

        /// <summary>
        /// One SGD step over the flat parameter vector, PyTorch's <c>torch.optim.SGD</c> with dampening 0, in float:
        /// <c>g = grad + wd·p</c>; with momentum <c>buf = firstStep ? g : momentum·buf + g</c> and
        /// <c>g = nesterov ? g + momentum·buf : buf</c>; <c>p -= lr·g</c>.
        /// </summary>
        /// <param name="parameters">Parameters, updated in place; their length is the size.</param>
        /// <param name="gradients">Gradients, same length.</param>
        /// <param name="momentumBuffer">Momentum buffer, same length (not read on the first step); may be empty when <paramref name="momentum"/> is 0.</param>
        /// <param name="learningRate">Learning rate.</param>
        /// <param name="momentum">Momentum factor; 0 for plain SGD.</param>
        /// <param name="nesterov">Nesterov momentum.</param>
        /// <param name="weightDecay">L2 penalty added to the gradient; 0 for none.</param>
        /// <param name="firstStep">Whether this is the first step (the buffer is initialised with the gradient).</param>
        public static void SgdUpdate(Span<float> parameters, ReadOnlySpan<float> gradients, Span<float> momentumBuffer, float learningRate, float momentum, bool nesterov, float weightDecay, bool firstStep)
        {
            Debug.Assert(gradients.Length == parameters.Length, "SgdUpdate: gradient length differs");
            Debug.Assert(momentum == 0f || momentumBuffer.Length == parameters.Length, "SgdUpdate: momentum buffer length differs");
            gradients = gradients.Slice(0, parameters.Length);
            if (momentum != 0f)
            {
                momentumBuffer = momentumBuffer.Slice(0, parameters.Length);
            }
#if NET8_0_OR_GREATER
            if (Vector512.IsHardwareAccelerated)
            {
                Kernels512.SgdUpdate(parameters, gradients, momentumBuffer, learningRate, momentum, nesterov, weightDecay, firstStep);
                return;
            }
            if (Vector256.IsHardwareAccelerated)
            {
                Kernels256.SgdUpdate(parameters, gradients, momentumBuffer, learningRate, momentum, nesterov, weightDecay, firstStep);
                return;
            }
            if (Vector128.IsHardwareAccelerated)
            {
                Kernels128.SgdUpdate(parameters, gradients, momentumBuffer, learningRate, momentum, nesterov, weightDecay, firstStep);
                return;
            }
#endif
            ScalarKernels.SgdUpdate(parameters, gradients, momentumBuffer, learningRate, momentum, nesterov, weightDecay, firstStep);
        }

        /// <summary>
        /// One Adam or AdamW step, PyTorch's <c>torch.optim.Adam</c>/<c>AdamW</c> formulas in float:
        /// decoupled: <c>p *= 1 - lr·wd</c>, else <c>g = grad + wd·p</c>; <c>m = lerp(m, g, 1 - beta1)</c>;
        /// <c>v = beta2·v + (1 - beta2)·g·g</c>; <c>p -= (lr / (1 - beta1^step))·m / (sqrt(v) / sqrt(1 - beta2^step) + eps)</c>
        /// (the scalar coefficients in double, as Python computes them).
        /// </summary>
        /// <param name="parameters">Parameters, updated in place; their length is the size.</param>
        /// <param name="gradients">Gradients, same length.</param>
        /// <param name="m">First-moment estimate (<c>exp_avg</c>), same length, zero before step 1.</param>
        /// <param name="v">Second-moment estimate (<c>exp_avg_sq</c>), same length, zero before step 1.</param>
        /// <param name="learningRate">Learning rate.</param>
        /// <param name="beta1">First-moment decay (0.9 in PyTorch).</param>
        /// <param name="beta2">Second-moment decay (0.999 in PyTorch).</param>
        /// <param name="epsilon">Denominator term (1e-8 in PyTorch).</param>
        /// <param name="weightDecay">Weight decay; 0 for none.</param>
        /// <param name="decoupledWeightDecay">AdamW's decoupled decay instead of Adam's L2 penalty.</param>
        /// <param name="step">The 1-based step number, after this step's increment.</param>
        public static void AdamUpdate(Span<float> parameters, ReadOnlySpan<float> gradients, Span<float> m, Span<float> v, float learningRate, float beta1, float beta2, float epsilon, float weightDecay, bool decoupledWeightDecay, int step)
        {
            Debug.Assert(gradients.Length == parameters.Length && m.Length == parameters.Length && v.Length == parameters.Length, "AdamUpdate: lengths differ");
            Debug.Assert(step >= 1, "AdamUpdate: step is 1-based");
            int n = parameters.Length;
            gradients = gradients.Slice(0, n);
            m = m.Slice(0, n);
            v = v.Slice(0, n);
            var k = new AdamCoefficients(learningRate, beta1, beta2, epsilon, weightDecay, decoupledWeightDecay, step);
#if NET8_0_OR_GREATER
            if (Vector512.IsHardwareAccelerated)
            {
                Kernels512.AdamUpdate(parameters, gradients, m, v, in k);
                return;
            }
            if (Vector256.IsHardwareAccelerated)
            {
                Kernels256.AdamUpdate(parameters, gradients, m, v, in k);
                return;
            }
            if (Vector128.IsHardwareAccelerated)
            {
                Kernels128.AdamUpdate(parameters, gradients, m, v, in k);
                return;
            }
#endif
            ScalarKernels.AdamUpdate(parameters, gradients, m, v, in k);
        }

        /// <summary>
        /// One RMSprop step, PyTorch's <c>torch.optim.RMSprop</c> (not centered, no momentum) in float:
        /// <c>g = grad + wd·p</c>; <c>sq = alpha·sq + (1 - alpha)·g·g</c>; <c>p -= lr·g / (sqrt(sq) + eps)</c>.
        /// </summary>
        /// <param name="parameters">Parameters, updated in place; their length is the size.</param>
        /// <param name="gradients">Gradients, same length.</param>
        /// <param name="squareAverage">Running average of squared gradients, same length, zero before the first step.</param>
        /// <param name="learningRate">Learning rate.</param>
        /// <param name="alpha">Smoothing constant (0.99 in PyTorch).</param>
        /// <param name="epsilon">Denominator term (1e-8 in PyTorch).</param>
        /// <param name="weightDecay">L2 penalty added to the gradient; 0 for none.</param>
        public static void RmsPropUpdate(Span<float> parameters, ReadOnlySpan<float> gradients, Span<float> squareAverage, float learningRate, float alpha, float epsilon, float weightDecay)
        {
            Debug.Assert(gradients.Length == parameters.Length && squareAverage.Length == parameters.Length, "RmsPropUpdate: lengths differ");
            int n = parameters.Length;
            gradients = gradients.Slice(0, n);
            squareAverage = squareAverage.Slice(0, n);
#if NET8_0_OR_GREATER
            if (Vector512.IsHardwareAccelerated)
            {
                Kernels512.RmsPropUpdate(parameters, gradients, squareAverage, learningRate, alpha, epsilon, weightDecay);
                return;
            }
            if (Vector256.IsHardwareAccelerated)
            {
                Kernels256.RmsPropUpdate(parameters, gradients, squareAverage, learningRate, alpha, epsilon, weightDecay);
                return;
            }
            if (Vector128.IsHardwareAccelerated)
            {
                Kernels128.RmsPropUpdate(parameters, gradients, squareAverage, learningRate, alpha, epsilon, weightDecay);
                return;
            }
#endif
            ScalarKernels.RmsPropUpdate(parameters, gradients, squareAverage, learningRate, alpha, epsilon, weightDecay);
        }
    
        /// <summary>
        /// Transposing copy: <c>destination[c*destinationStride + r] = source[r*columns + c]</c> for the
        /// <c>source.Length / columns</c> rows r and the <paramref name="columns"/> columns c (the packed copies of the
        /// gate weights are built with it). Exact on every path: values are moved, not computed.
        /// </summary>
        /// <param name="source">Row-major matrix, <c>rows*columns</c> elements.</param>
        /// <param name="columns">Columns of <paramref name="source"/> (at least 1).</param>
        /// <param name="destination">Receives the transposed matrix, a row of it every <paramref name="destinationStride"/> elements.</param>
        /// <param name="destinationStride">Distance between the destination's rows, at least the source's row count.</param>
        public static void Transpose(ReadOnlySpan<float> source, int columns, Span<float> destination, int destinationStride)
        {
            Debug.Assert(columns >= 1 && source.Length % columns == 0, "Transpose: not a whole number of rows");
            int rows = source.Length / columns;
            Debug.Assert(destinationStride >= rows, "Transpose: destination rows overlap");
            if (rows == 0) return;
            destination = destination.Slice(0, (columns - 1) * destinationStride + rows);
            int r = 0;
#if NET8_0_OR_GREATER
            if (Avx.IsSupported)
            {
                // 8 x 8 tiles (three shuffles per 8 floats instead of four per 4; shape A's repack transposes: 0.65x), two
                // stacked per column octet so that each destination row again receives 16 consecutive floats; the columns
                // left over (fewer than 8) and the rows left over (fewer than 16) go to the 4 x 4 tiles below.
                ref float s = ref MemoryMarshal.GetReference(source);
                ref float d = ref MemoryMarshal.GetReference(destination);
                int octets = columns & ~7, quads = columns & ~3;
                for (; r + 16 <= rows; r += 16)
                {
                    for (int c = 0; c < octets; c += 8)
                    {
                        TransposeTile8(ref s, ref d, r, c, columns, destinationStride);
                        TransposeTile8(ref s, ref d, r + 8, c, columns, destinationStride);
                    }
                    for (int c = octets; c < quads; c += 4)
                    {
                        for (int q = r; q < r + 16; q += 4) TransposeTile(ref s, ref d, q, c, columns, destinationStride);
                    }
                    TransposeRestColumns(ref s, ref d, r, 16, quads, columns, destinationStride);
                }
            }
            if (Sse.IsSupported)
            {
                ref float s = ref MemoryMarshal.GetReference(source);
                ref float d = ref MemoryMarshal.GetReference(destination);
                int wholeColumns = columns & ~3;
                // Blocks of 16 rows: the four tiles of a column quad fill 16 consecutive floats of each of its 4 destination
                // rows (one cache line when aligned) before the next quad, instead of four passes over the whole destination,
                // each reloading its lines from L2 once it outgrows L1 (shape E's 264 KiB: 35 -> 14 us per repack on Zen 5).
                for (; r + 16 <= rows; r += 16)
                {
                    for (int c = 0; c < wholeColumns; c += 4)
                    {
                        for (int q = r; q < r + 16; q += 4) TransposeTile(ref s, ref d, q, c, columns, destinationStride);
                    }
                    TransposeRestColumns(ref s, ref d, r, 16, wholeColumns, columns, destinationStride);
                }
                for (; r + 4 <= rows; r += 4)
                {
                    for (int c = 0; c < wholeColumns; c += 4) TransposeTile(ref s, ref d, r, c, columns, destinationStride);
                    TransposeRestColumns(ref s, ref d, r, 4, wholeColumns, columns, destinationStride);
                }
            }
#endif
            for (; r < rows; r++)
            {
                for (int c = 0; c < columns; c++) destination[c * destinationStride + r] = source[r * columns + c];
            }
        }

#if NET8_0_OR_GREATER
        /// <summary>One 4 x 4 tile of <see cref="Transpose"/> in registers: four row loads, two rounds of unpacks, four column stores.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void TransposeTile(ref float s, ref float d, int r, int c, int columns, int destinationStride)
        {
            ref float s0 = ref Unsafe.Add(ref s, r * columns + c);
            ref float d0 = ref Unsafe.Add(ref d, c * destinationStride + r);
            Vector128<float> a = Vector128.LoadUnsafe(ref s0);
            Vector128<float> b = Vector128.LoadUnsafe(ref s0, (nuint)columns);
            Vector128<float> e = Vector128.LoadUnsafe(ref s0, (nuint)(2 * columns));
            Vector128<float> f = Vector128.LoadUnsafe(ref s0, (nuint)(3 * columns));
            Vector128<float> ab01 = Sse.UnpackLow(a, b), ef01 = Sse.UnpackLow(e, f), ab23 = Sse.UnpackHigh(a, b), ef23 = Sse.UnpackHigh(e, f);
            Sse.MoveLowToHigh(ab01, ef01).StoreUnsafe(ref d0);
            Sse.MoveHighToLow(ef01, ab01).StoreUnsafe(ref d0, (nuint)destinationStride);
            Sse.MoveLowToHigh(ab23, ef23).StoreUnsafe(ref d0, (nuint)(2 * destinationStride));
            Sse.MoveHighToLow(ef23, ab23).StoreUnsafe(ref d0, (nuint)(3 * destinationStride));
        }

        /// <summary>One 8 x 8 tile of <see cref="Transpose"/> in registers: eight row loads, three rounds of shuffles (within the 128-bit lanes, then across them), eight column stores.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void TransposeTile8(ref float s, ref float d, int r, int c, int columns, int destinationStride)
        {
            ref float s0 = ref Unsafe.Add(ref s, r * columns + c);
            ref float d0 = ref Unsafe.Add(ref d, c * destinationStride + r);
            nuint n = (nuint)columns, m = (nuint)destinationStride;
            Vector256<float> a0 = Vector256.LoadUnsafe(ref s0), a1 = Vector256.LoadUnsafe(ref s0, n);
            Vector256<float> a2 = Vector256.LoadUnsafe(ref s0, 2 * n), a3 = Vector256.LoadUnsafe(ref s0, 3 * n);
            Vector256<float> a4 = Vector256.LoadUnsafe(ref s0, 4 * n), a5 = Vector256.LoadUnsafe(ref s0, 5 * n);
            Vector256<float> a6 = Vector256.LoadUnsafe(ref s0, 6 * n), a7 = Vector256.LoadUnsafe(ref s0, 7 * n);
            Vector256<float> t0 = Avx.UnpackLow(a0, a1), t1 = Avx.UnpackHigh(a0, a1), t2 = Avx.UnpackLow(a2, a3), t3 = Avx.UnpackHigh(a2, a3);
            Vector256<float> t4 = Avx.UnpackLow(a4, a5), t5 = Avx.UnpackHigh(a4, a5), t6 = Avx.UnpackLow(a6, a7), t7 = Avx.UnpackHigh(a6, a7);
            Vector256<float> u0 = Avx.Shuffle(t0, t2, 0x44), u1 = Avx.Shuffle(t0, t2, 0xEE), u2 = Avx.Shuffle(t1, t3, 0x44), u3 = Avx.Shuffle(t1, t3, 0xEE);
            Vector256<float> u4 = Avx.Shuffle(t4, t6, 0x44), u5 = Avx.Shuffle(t4, t6, 0xEE), u6 = Avx.Shuffle(t5, t7, 0x44), u7 = Avx.Shuffle(t5, t7, 0xEE);
            Avx.Permute2x128(u0, u4, 0x20).StoreUnsafe(ref d0);
            Avx.Permute2x128(u1, u5, 0x20).StoreUnsafe(ref d0, m);
            Avx.Permute2x128(u2, u6, 0x20).StoreUnsafe(ref d0, 2 * m);
            Avx.Permute2x128(u3, u7, 0x20).StoreUnsafe(ref d0, 3 * m);
            Avx.Permute2x128(u0, u4, 0x31).StoreUnsafe(ref d0, 4 * m);
            Avx.Permute2x128(u1, u5, 0x31).StoreUnsafe(ref d0, 5 * m);
            Avx.Permute2x128(u2, u6, 0x31).StoreUnsafe(ref d0, 6 * m);
            Avx.Permute2x128(u3, u7, 0x31).StoreUnsafe(ref d0, 7 * m);
        }

        /// <summary>The columns from <paramref name="from"/> on (fewer than four) of <paramref name="count"/> rows from <paramref name="r"/>, one element at a time.</summary>
        private static void TransposeRestColumns(ref float s, ref float d, int r, int count, int from, int columns, int destinationStride)
        {
            for (int c = from; c < columns; c++)
            {
                for (int i = r; i < r + count; i++) Unsafe.Add(ref d, c * destinationStride + i) = Unsafe.Add(ref s, i * columns + c);
            }
        }
#endif
    }
}
