using System;
using System.Runtime.CompilerServices;
#if NET8_0_OR_GREATER
using System.Runtime.Intrinsics;
#endif

namespace RnnCodegen
{
    /// <summary>
    /// Fast, accurate, allocation-free activations: scalar, span (SIMD on .NET 8+) and, on .NET 8+, one overload per vector width.
    /// </summary>
    /// <remarks>
    /// <para>
    /// Accuracy, measured exhaustively on all 2^32 floats (tanh and sigmoid: tools/ActivationScan) against <see cref="Math.Tanh"/>, <c>1/(1+Math.Exp(-x))</c> and
    /// <see cref="Math.Exp"/> in double precision, for both ways the multiply-adds are evaluated (the unit tests re-check
    /// the bounds on every float in [-20, 20] at a 1e-4 step, a million random floats over the whole range and the extremes):
    /// </para>
    /// <list type="bullet">
    /// <item><description><see cref="Tanh(float)"/>: max absolute error 3.03e-7 with FMA (at x ≈ ±5.78; about 5.1 ulp
    /// of the result) and 3.45e-7 without (at x ≈ ±6.15); odd, exactly x for |x| &lt; 3.58e-4 (so ±0 keeps its sign),
    /// never outside [-1, 1], exactly ±1 for |x| ≥ 7.9490013 and at ±∞ (and below 1 for smaller |x|).</description></item>
    /// <item><description><see cref="Sigmoid(float)"/>: max absolute error 1.71e-7 with FMA (at x ≈ 12.3) and 1.96e-7
    /// without (at x ≈ 11.8); never outside [0, 1], exactly 1 for x ≥ 15.898003 (so at +∞) and, for x ≤ -15.898003 (so
    /// at -∞), the constant 2.7e-9 with FMA or 0 without. The bound is absolute: for x below about -15 the result is
    /// a tiny value or 0 rather than a relatively accurate one (use logits, as the generated BCE loss does, where that
    /// matters).</description></item>
    /// <item><description><see cref="Exp(float)"/>: max relative error 8.5e-8 (under 1.5 ulp) for normal results, subnormal
    /// results within one subnormal step (gradual underflow, 0 below -103.97), +∞ above 88.72.</description></item>
    /// </list>
    /// <para>
    /// The tests assert those bounds (the FMA or the non-FMA one, whichever this machine uses) and 1e-7 relative for
    /// exp; the design contract is 5e-7 absolute. NaN gives NaN.
    /// </para>
    /// <para>
    /// FMA: a multiply-add is fused (one rounding) exactly when the hardware has FMA (x86 FMA3, which every x64 CPU
    /// with AVX2 has, or Arm64 AdvSimd) and evaluated as a rounded multiply then a rounded add otherwise; the scalar
    /// helper and the vector helpers decide this the same way, so the scalar, span and vector forms evaluate the same
    /// operations in the same order and return identical bits on one machine (the tests check it). Always fusing would
    /// make the vector forms several times slower where FMA is emulated in software; never fusing would cost
    /// accuracy (and speed) on every current CPU. So results may differ by a few ulp between machines with and without
    /// FMA, both within the bounds above.
    /// </para>
    /// <para>
    /// Method: <c>tanh(x) = x·P(x²)/Q(x²)</c> with P of degree 5 and Q of degree 3 in x² and P(0) = Q(0) = 1, the
    /// minimax rational for the absolute error on [0, 7.95] (tools/ActivationScan/fit_tanh.py; approximation error
    /// 1.75e-8, 3.7e-8 with the coefficients rounded to float, so the bounds above are mostly float rounding). P and Q are evaluated by Estrin's
    /// scheme (a shorter dependency chain than Horner's), as <c>x·P · (1/Q)</c> so that the division runs beside the
    /// last multiply-adds of P rather than after them. x² is clamped to 7.949² and x to ±7.9490013 (3 ulps more), where
    /// the product reaches exactly ±1: no result clamp is needed (checked on every float) and neither clamp is on the
    /// dependency chain. P(0) = Q(0) = 1 makes the result x itself for tiny |x| without a select. <c>sigmoid(x) = 1/2 +
    /// tanh(x/2)/2</c> with the same rational, the halvings folded exactly into its coefficients, and the product fused
    /// into the final add of 1/2 where the hardware has FMA. One division and 12 multiply-adds or multiplies, no
    /// exponential, no branch. It replaced (2026-12-02) Eigen's <c>generic_fast_tanh_float</c> rational (P of degree 6,
    /// 14 multiply-adds or multiplies and a small-|x| select, 3.22e-7 / 3.67e-7): four fewer vector operations per
    /// tanh and two per sigmoid made an LSTM 1→32 step about 9% faster on AMD EPYC Zen 4 (6-9% on the Vector256 path).
    /// <c>exp(x) = 2^n · e^r</c> with <c>n = round(x / ln 2)</c>, a two-constant (Cody–Waite) reduction
    /// <c>r = x - n·ln 2</c>, <c>|r| ≤ ln2/2</c>, a degree-7 polynomial for <c>e^r</c> (Cephes' coefficients) and a
    /// two-step scale by <c>2^n</c> (so subnormal results are right).
    /// </para>
    /// <para>
    /// Speed (2-core AMD EPYC Zen 4 with AVX-512, .NET 10; best of many short runs on a shared machine whose load
    /// varied, so ±20%): a call on independent inputs takes about 4.6 ns for <c>Vector512</c> (tanh; sigmoid 4.3; the
    /// 512-bit division alone is about 2.5 ns), 2.8 ns for <c>Vector256</c> or <c>Vector128</c> (2.4), and 10–11 ns when
    /// each input depends on the previous result; the span forms about 0.29 ns per element (0.27) and the scalar forms
    /// about 3.2 ns (2.9). The former exp-based forms took 8.6, 6.8, 20, 0.57 and 5.2 ns for tanh; a <c>MathF.Tanh</c>
    /// loop takes 12 ns per element. (Measured before the <c>x·P · (1/Q)</c> form and the degree-5 rational, which have
    /// up to four operations fewer.)
    /// </para>
    /// </remarks>
    public static class Activations
    {
        // exp: clamp so that n = round(x*log2(e)) stays in [-150, 129]; both 2^(n/2) halves are then normal floats.
        internal const float ExpMax = 88.8f;
        internal const float ExpMin = -104f;
        internal const float Log2E = 1.44269504088896341f;
        internal const float RoundMagic = 12582912f; // 1.5 * 2^23: adding it rounds to an integer held in the low mantissa bits
        internal const int RoundMagicBits = 0x4B400000;
        internal const float Ln2Hi = 0.693359375f; // 355/512: n*Ln2Hi is exact for |n| < 2^15
        internal const float Ln2Lo = -2.12194440e-4f;
        internal const float ExpP0 = 1.9875691500e-4f;
        internal const float ExpP1 = 1.3981999507e-3f;
        internal const float ExpP2 = 8.3334519073e-3f;
        internal const float ExpP3 = 4.1665795894e-2f;
        internal const float ExpP4 = 1.6666665459e-1f;
        internal const float ExpP5 = 5.0000001201e-1f;

        // tanh(x) ≈ x·P(x²)/Q(x²), P of degree 5 and Q of degree 3 in x², P(0) = Q(0) = 1: the minimax rational for the
        // absolute error on [0, 7.95] with those two coefficients fixed (tools/ActivationScan/fit_tanh.py; 1.75e-8 before
        // rounding, 3.7e-8 with the coefficients rounded to float). With P(0) = Q(0) = 1 the result is x itself for tiny x (z·P1 and
        // z·Q1 round away against 1), so no small-|x| select is needed.
        // Beyond the fit the evaluated product x·P·(1/Q) would exceed 1, so x² is clamped to TanhClamp² and the factor x to
        // ±TanhSaturation, 3 ulps above TanhClamp: between the two the result rises linearly (P and Q are constant there)
        // from 1 - 2.5e-7 to exactly 1, which it reaches at TanhSaturation with and without FMA. Nothing clamps the
        // result: it is never above 1 (exhaustively checked on every float, with and without FMA), and the clamps sit off
        // the critical path (x is clamped while x² goes through the polynomials). Exactly ±1 for |x| ≥ TanhSaturation.
        // The pair (7.949, 3 ulps) was searched for (fit_tanh.py --clamps): the clamps near 7.95 where both evaluations
        // reach exactly 1 at the same float (and are below 1 one float lower), and the sigmoid's final product
        // (below) stays within 1/2 so that it never leaves [0, 1]. 7.95 itself has no such saturation point.
        internal const float TanhClamp = 7.949f;
        internal const float TanhClampSquared = TanhClamp * TanhClamp;
        internal const float TanhSaturation = 7.9490013f; // TanhClamp + 3 ulps: the smallest x where the result is 1 in both evaluations
        internal const float TanhP1 = 0.12981370108511538f;
        internal const float TanhP2 = 0.0029882241226292367f;
        internal const float TanhP3 = 9.9018917928496967e-6f;
        internal const float TanhP4 = -1.4783325066313736e-8f;
        internal const float TanhP5 = 2.3747217329712535e-11f;
        internal const float TanhQ1 = 0.46314688643140035f;
        internal const float TanhQ2 = 0.024037433013944856f;
        internal const float TanhQ3 = 0.0002375397779880442f;

        // sigmoid(x) = 1/2 + tanh(x/2)/2 = 1/2 + x·P(x²/4)/(4·Q(x²/4)): the tanh coefficients scaled by powers of two
        // (exact), so every intermediate is exactly a power of two times the one of Tanh(x/2) and the result is
        // exactly 1/2 + Tanh(x/2)/2 (1/2 + r rounds to 1/2 for tiny x anyway).
        internal const float SigmoidClampSquared = 4f * TanhClampSquared;
        internal const float SigmoidSaturation = 2f * TanhSaturation;
        internal const float SigmoidP0 = 0.25f;
        internal const float SigmoidP1 = TanhP1 / 16f;
        internal const float SigmoidP2 = TanhP2 / 64f;
        internal const float SigmoidP3 = TanhP3 / 256f;
        internal const float SigmoidP4 = TanhP4 / 1024f;
        internal const float SigmoidP5 = TanhP5 / 4096f;
        internal const float SigmoidQ1 = TanhQ1 / 4f;
        internal const float SigmoidQ2 = TanhQ2 / 16f;
        internal const float SigmoidQ3 = TanhQ3 / 64f;

        /// <summary>e^x in float: max relative error 8.5e-8 for normal results, gradual underflow, +∞ above 88.72, NaN for NaN.</summary>
        /// <param name="x">The exponent.</param>
        /// <returns>e raised to <paramref name="x"/>.</returns>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float Exp(float x)
        {
            x = x > ExpMax ? ExpMax : x; // comparisons are false for NaN, which flows through
            x = x < ExpMin ? ExpMin : x;
            float t = ScalarMath.MulAdd(x, Log2E, RoundMagic);
            float n = t - RoundMagic;
            float r = ScalarMath.MulAdd(n, -Ln2Hi, x);
            r = ScalarMath.MulAdd(n, -Ln2Lo, r);
            float z = r * r;
            float p = ScalarMath.MulAdd(ExpP0, r, ExpP1);
            p = ScalarMath.MulAdd(p, r, ExpP2);
            p = ScalarMath.MulAdd(p, r, ExpP3);
            p = ScalarMath.MulAdd(p, r, ExpP4);
            p = ScalarMath.MulAdd(p, r, ExpP5);
            p = ScalarMath.MulAdd(p, z, r) + 1f;
            int ni = ScalarMath.AsInt32(t) - RoundMagicBits;
            int k1 = ni >> 1;
            int k2 = ni - k1;
            float s1 = ScalarMath.AsSingle((k1 + 127) << 23);
            float s2 = ScalarMath.AsSingle((k2 + 127) << 23);
            return p * s1 * s2;
        }

        /// <summary>Hyperbolic tangent in float: max absolute error 3.03e-7 (3.45e-7 without FMA) over the whole float range; odd, exactly x for |x| &lt; 3.58e-4 (so ±0 keeps its sign), ±1 for |x| ≥ 7.9490013 and at ±∞, never outside [-1, 1]; NaN for NaN.</summary>
        /// <param name="x">The argument.</param>
        /// <returns>tanh(<paramref name="x"/>).</returns>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float Tanh(float x)
        {
            // Clamp x² for the polynomials and x for the final factor (a comparison is false for NaN, which flows through;
            // the vector forms use the min and max instructions, with the same results, NaN included, by putting x second).
            float z = x * x;
            z = TanhClampSquared < z ? TanhClampSquared : z;
            float xc = x > TanhSaturation ? TanhSaturation : x;
            xc = xc < -TanhSaturation ? -TanhSaturation : xc;
            float z2 = z * z;
            // P(z) = (1 + P1 z) + z²((P2 + P3 z) + z²(P4 + P5 z)), Q(z) = (1 + Q1 z) + z²(Q2 + Q3 z): Estrin's scheme, a
            // shorter dependency chain than Horner's.
            float p01 = ScalarMath.MulAdd(z, TanhP1, 1f);
            float p23 = ScalarMath.MulAdd(z, TanhP3, TanhP2);
            float p45 = ScalarMath.MulAdd(z, TanhP5, TanhP4);
            float p25 = ScalarMath.MulAdd(z2, p45, p23);
            float p = ScalarMath.MulAdd(z2, p25, p01);
            float q01 = ScalarMath.MulAdd(z, TanhQ1, 1f);
            float q23 = ScalarMath.MulAdd(z, TanhQ3, TanhQ2);
            float q = ScalarMath.MulAdd(z2, q23, q01);
            // x·P/Q as x·P times 1/Q: the division then runs in parallel with the last multiply-adds of P instead of after
            // them (a shorter dependency chain; one more rounding, included in the error bound). For |x| < 3.58e-4, P and
            // Q are exactly 1 and the result is x itself (tanh(x) - x ≈ -x³/3 is below half an ulp of x there).
            return xc * p * (1f / q);
        }

        /// <summary>Logistic sigmoid 1/(1+e^-x) in float: max absolute error 1.71e-7 (1.96e-7 without FMA) over the whole float range (an absolute bound: for x ≤ -15.898003 the result is the constant 2.7e-9, or 0 without FMA); 1/2 + tanh(x/2)/2 with <see cref="Tanh(float)"/>'s rational, always within [0, 1], exactly 1 for x ≥ 15.898003 and at +∞; NaN for NaN.</summary>
        /// <param name="x">The argument.</param>
        /// <returns>sigmoid(<paramref name="x"/>), in [0, 1].</returns>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float Sigmoid(float x)
        {
            float z = x * x;
            z = SigmoidClampSquared < z ? SigmoidClampSquared : z;
            float xc = x > SigmoidSaturation ? SigmoidSaturation : x;
            xc = xc < -SigmoidSaturation ? -SigmoidSaturation : xc;
            float z2 = z * z;
            float p01 = ScalarMath.MulAdd(z, SigmoidP1, SigmoidP0);
            float p23 = ScalarMath.MulAdd(z, SigmoidP3, SigmoidP2);
            float p45 = ScalarMath.MulAdd(z, SigmoidP5, SigmoidP4);
            float p25 = ScalarMath.MulAdd(z2, p45, p23);
            float p = ScalarMath.MulAdd(z2, p25, p01);
            float q01 = ScalarMath.MulAdd(z, SigmoidQ1, 1f);
            float q23 = ScalarMath.MulAdd(z, SigmoidQ3, SigmoidQ2);
            float q = ScalarMath.MulAdd(z2, q23, q01);
            // 1/2 + tanh(x/2)/2 with the product x·P·(1/Q) = tanh(x/2)/2 fused into the final add where the hardware has
            // FMA. That exact product never exceeds 1/2 in magnitude (checked on every float), so the result stays in [0, 1].
            return ScalarMath.MulAdd(xc * p, 1f / q, 0.5f);
        }

        /// <summary>Applies <see cref="Tanh(float)"/> to every element in place (SIMD on .NET 8+; same results as the scalar form).</summary>
        /// <param name="values">The values to transform.</param>
        public static void Tanh(Span<float> values) => Tanh(values, values);

        /// <summary>Applies <see cref="Sigmoid(float)"/> to every element in place (SIMD on .NET 8+; same results as the scalar form).</summary>
        /// <param name="values">The values to transform.</param>
        public static void Sigmoid(Span<float> values) => Sigmoid(values, values);

        /// <summary><c>y[i] = tanh(x[i])</c> for every element of <paramref name="x"/>; <paramref name="y"/> may be the same memory as <paramref name="x"/>, must not partially overlap it.</summary>
        /// <param name="x">The arguments.</param>
        /// <param name="y">The results; at least as long as <paramref name="x"/>.</param>
        public static void Tanh(ReadOnlySpan<float> x, Span<float> y)
        {
            y = y.Slice(0, x.Length);
#if NET8_0_OR_GREATER
            if (Vector512.IsHardwareAccelerated)
            {
                Kernels512.Tanh(x, y);
                return;
            }
            if (Vector256.IsHardwareAccelerated)
            {
                Kernels256.Tanh(x, y);
                return;
            }
            if (Vector128.IsHardwareAccelerated)
            {
                Kernels128.Tanh(x, y);
                return;
            }
#endif
            ScalarKernels.Tanh(x, y);
        }

        /// <summary><c>y[i] = sigmoid(x[i])</c> for every element of <paramref name="x"/>; <paramref name="y"/> may be the same memory as <paramref name="x"/>, must not partially overlap it.</summary>
        /// <param name="x">The arguments.</param>
        /// <param name="y">The results; at least as long as <paramref name="x"/>.</param>
        public static void Sigmoid(ReadOnlySpan<float> x, Span<float> y)
        {
            y = y.Slice(0, x.Length);
#if NET8_0_OR_GREATER
            if (Vector512.IsHardwareAccelerated)
            {
                Kernels512.Sigmoid(x, y);
                return;
            }
            if (Vector256.IsHardwareAccelerated)
            {
                Kernels256.Sigmoid(x, y);
                return;
            }
            if (Vector128.IsHardwareAccelerated)
            {
                Kernels128.Sigmoid(x, y);
                return;
            }
#endif
            ScalarKernels.Sigmoid(x, y);
        }

#if NET8_0_OR_GREATER
        /// <summary>Lane-wise <see cref="Exp(float)"/> (identical results).</summary>
        /// <param name="x">The exponents.</param>
        /// <returns>e raised to each lane.</returns>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<float> Exp(Vector128<float> x)
        {
            Vector128<float> xc = Kernels128.Min(Vector128.Create(ExpMax), Kernels128.Max(Vector128.Create(ExpMin), x));
            Vector128<float> t = Kernels128.MulAdd(xc, Vector128.Create(Log2E), Vector128.Create(RoundMagic));
            Vector128<float> n = t - Vector128.Create(RoundMagic);
            Vector128<float> r = Kernels128.MulAdd(n, Vector128.Create(-Ln2Hi), xc);
            r = Kernels128.MulAdd(n, Vector128.Create(-Ln2Lo), r);
            Vector128<float> z = r * r;
            Vector128<float> p = Kernels128.MulAdd(Vector128.Create(ExpP0), r, Vector128.Create(ExpP1));
            p = Kernels128.MulAdd(p, r, Vector128.Create(ExpP2));
            p = Kernels128.MulAdd(p, r, Vector128.Create(ExpP3));
            p = Kernels128.MulAdd(p, r, Vector128.Create(ExpP4));
            p = Kernels128.MulAdd(p, r, Vector128.Create(ExpP5));
            p = Kernels128.MulAdd(p, z, r) + Vector128.Create(1f);
            Vector128<int> ni = t.AsInt32() - Vector128.Create(RoundMagicBits);
            Vector128<int> k1 = Vector128.ShiftRightArithmetic(ni, 1);
            Vector128<int> k2 = ni - k1;
            Vector128<float> s1 = Vector128.ShiftLeft(k1 + Vector128.Create(127), 23).AsSingle();
            Vector128<float> s2 = Vector128.ShiftLeft(k2 + Vector128.Create(127), 23).AsSingle();
            Vector128<float> result = p * s1 * s2;
            return Vector128.ConditionalSelect(Vector128.Equals(x, x), result, x);
        }

        /// <summary>Lane-wise <see cref="Exp(float)"/> (identical results).</summary>
        /// <param name="x">The exponents.</param>
        /// <returns>e raised to each lane.</returns>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Exp(Vector256<float> x)
        {
            Vector256<float> xc = Kernels256.Min(Vector256.Create(ExpMax), Kernels256.Max(Vector256.Create(ExpMin), x));
            Vector256<float> t = Kernels256.MulAdd(xc, Vector256.Create(Log2E), Vector256.Create(RoundMagic));
            Vector256<float> n = t - Vector256.Create(RoundMagic);
            Vector256<float> r = Kernels256.MulAdd(n, Vector256.Create(-Ln2Hi), xc);
            r = Kernels256.MulAdd(n, Vector256.Create(-Ln2Lo), r);
            Vector256<float> z = r * r;
            Vector256<float> p = Kernels256.MulAdd(Vector256.Create(ExpP0), r, Vector256.Create(ExpP1));
            p = Kernels256.MulAdd(p, r, Vector256.Create(ExpP2));
            p = Kernels256.MulAdd(p, r, Vector256.Create(ExpP3));
            p = Kernels256.MulAdd(p, r, Vector256.Create(ExpP4));
            p = Kernels256.MulAdd(p, r, Vector256.Create(ExpP5));
            p = Kernels256.MulAdd(p, z, r) + Vector256.Create(1f);
            Vector256<int> ni = t.AsInt32() - Vector256.Create(RoundMagicBits);
            Vector256<int> k1 = Vector256.ShiftRightArithmetic(ni, 1);
            Vector256<int> k2 = ni - k1;
            Vector256<float> s1 = Vector256.ShiftLeft(k1 + Vector256.Create(127), 23).AsSingle();
            Vector256<float> s2 = Vector256.ShiftLeft(k2 + Vector256.Create(127), 23).AsSingle();
            Vector256<float> result = p * s1 * s2;
            return Vector256.ConditionalSelect(Vector256.Equals(x, x), result, x);
        }

        /// <summary>Lane-wise <see cref="Exp(float)"/> (identical results).</summary>
        /// <param name="x">The exponents.</param>
        /// <returns>e raised to each lane.</returns>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Exp(Vector512<float> x)
        {
            Vector512<float> xc = Kernels512.Min(Vector512.Create(ExpMax), Kernels512.Max(Vector512.Create(ExpMin), x));
            Vector512<float> t = Kernels512.MulAdd(xc, Vector512.Create(Log2E), Vector512.Create(RoundMagic));
            Vector512<float> n = t - Vector512.Create(RoundMagic);
            Vector512<float> r = Kernels512.MulAdd(n, Vector512.Create(-Ln2Hi), xc);
            r = Kernels512.MulAdd(n, Vector512.Create(-Ln2Lo), r);
            Vector512<float> z = r * r;
            Vector512<float> p = Kernels512.MulAdd(Vector512.Create(ExpP0), r, Vector512.Create(ExpP1));
            p = Kernels512.MulAdd(p, r, Vector512.Create(ExpP2));
            p = Kernels512.MulAdd(p, r, Vector512.Create(ExpP3));
            p = Kernels512.MulAdd(p, r, Vector512.Create(ExpP4));
            p = Kernels512.MulAdd(p, r, Vector512.Create(ExpP5));
            p = Kernels512.MulAdd(p, z, r) + Vector512.Create(1f);
            Vector512<int> ni = t.AsInt32() - Vector512.Create(RoundMagicBits);
            Vector512<int> k1 = Vector512.ShiftRightArithmetic(ni, 1);
            Vector512<int> k2 = ni - k1;
            Vector512<float> s1 = Vector512.ShiftLeft(k1 + Vector512.Create(127), 23).AsSingle();
            Vector512<float> s2 = Vector512.ShiftLeft(k2 + Vector512.Create(127), 23).AsSingle();
            Vector512<float> result = p * s1 * s2;
            return Vector512.ConditionalSelect(Vector512.Equals(x, x), result, x);
        }

        /// <summary>Lane-wise <see cref="Tanh(float)"/> (identical results).</summary>
        /// <param name="x">The arguments.</param>
        /// <returns>tanh of each lane.</returns>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<float> Tanh(Vector128<float> x) => TanhParts(x, out Vector128<float> reciprocal) * reciprocal;

        /// <summary>Lane-wise <see cref="Sigmoid(float)"/> (identical results).</summary>
        /// <param name="x">The arguments.</param>
        /// <returns>sigmoid of each lane.</returns>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<float> Sigmoid(Vector128<float> x) => Kernels128.MulAdd(SigmoidParts(x, out Vector128<float> reciprocal), reciprocal, Vector128.Create(0.5f));

        /// <summary>
        /// One GRU cell update for the generated step (PyTorch's formulas): r = sigmoid(<paramref name="r"/>), z =
        /// sigmoid(<paramref name="z"/>), n = tanh(<paramref name="nx"/> + r·<paramref name="nh"/>), and the new state
        /// (1 - z)·n + z·<paramref name="h"/>. The same as those four steps with <see cref="Sigmoid(Vector128{float})"/> and
        /// <see cref="Tanh(Vector128{float})"/> within float rounding, but shorter as a chain of dependent operations: r's and tanh's
        /// last multiplications by 1/Q are folded into the multiply-adds that use them (r·nh + nx and the blend), so nothing
        /// but one multiply-add follows either division.
        /// </summary>
        /// <param name="r">The reset gate's pre-activation.</param>
        /// <param name="z">The update gate's pre-activation.</param>
        /// <param name="nx">The candidate's input part, W_in·x + b_in.</param>
        /// <param name="nh">The candidate's hidden part, W_hn·h + b_hn.</param>
        /// <param name="h">The state before the step.</param>
        /// <returns>The state after the step.</returns>
        [MethodImpl(MethodImplOptions.AggressiveInlining), System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
        public static Vector128<float> GruCell(Vector128<float> r, Vector128<float> z, Vector128<float> nx, Vector128<float> nh, Vector128<float> h)
        {
            // sigmoid(r)·nh + nx = (r·P·nh)·(1/Q) + (nh/2 + nx), and (1 - z)·tanh(a) + z·h = ((1 - z)·a·P)·(1/Q) + z·h.
            Vector128<float> rp = SigmoidParts(r, out Vector128<float> rq);
            Vector128<float> zs = Kernels128.MulAdd(SigmoidParts(z, out Vector128<float> zq), zq, Vector128.Create(0.5f));
            Vector128<float> a = Kernels128.MulAdd(rp * nh, rq, Kernels128.MulAdd(Vector128.Create(0.5f), nh, nx));
            Vector128<float> np = TanhParts(a, out Vector128<float> nq);
            return Kernels128.MulAdd((Vector128.Create(1f) - zs) * np, nq, zs * h);
        }

        /// <summary>Tanh's x·P(x²) (returned) and 1/Q(x²) (<paramref name="reciprocal"/>): the same operations, in the same order, as <see cref="Tanh(float)"/> up to the last step.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector128<float> TanhParts(Vector128<float> x, out Vector128<float> reciprocal)
        {
            Vector128<float> z = Kernels128.Min(Vector128.Create(TanhClampSquared), x * x);
            Vector128<float> xc = Kernels128.Min(Vector128.Create(TanhSaturation), Kernels128.Max(Vector128.Create(-TanhSaturation), x));
            Vector128<float> z2 = z * z;
            Vector128<float> p01 = Kernels128.MulAdd(z, Vector128.Create(TanhP1), Vector128.Create(1f));
            Vector128<float> p23 = Kernels128.MulAdd(z, Vector128.Create(TanhP3), Vector128.Create(TanhP2));
            Vector128<float> p45 = Kernels128.MulAdd(z, Vector128.Create(TanhP5), Vector128.Create(TanhP4));
            Vector128<float> p25 = Kernels128.MulAdd(z2, p45, p23);
            Vector128<float> p = Kernels128.MulAdd(z2, p25, p01);
            Vector128<float> q01 = Kernels128.MulAdd(z, Vector128.Create(TanhQ1), Vector128.Create(1f));
            Vector128<float> q23 = Kernels128.MulAdd(z, Vector128.Create(TanhQ3), Vector128.Create(TanhQ2));
            Vector128<float> q = Kernels128.MulAdd(z2, q23, q01);
            reciprocal = Vector128.Create(1f) / q;
            return xc * p;
        }

        /// <summary>Sigmoid's x·P(x²) (returned) and 1/Q(x²) (<paramref name="reciprocal"/>): the same operations, in the same order, as <see cref="Sigmoid(float)"/> up to the last step.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector128<float> SigmoidParts(Vector128<float> x, out Vector128<float> reciprocal)
        {
            Vector128<float> z = Kernels128.Min(Vector128.Create(SigmoidClampSquared), x * x);
            Vector128<float> xc = Kernels128.Min(Vector128.Create(SigmoidSaturation), Kernels128.Max(Vector128.Create(-SigmoidSaturation), x));
            Vector128<float> z2 = z * z;
            Vector128<float> p01 = Kernels128.MulAdd(z, Vector128.Create(SigmoidP1), Vector128.Create(SigmoidP0));
            Vector128<float> p23 = Kernels128.MulAdd(z, Vector128.Create(SigmoidP3), Vector128.Create(SigmoidP2));
            Vector128<float> p45 = Kernels128.MulAdd(z, Vector128.Create(SigmoidP5), Vector128.Create(SigmoidP4));
            Vector128<float> p25 = Kernels128.MulAdd(z2, p45, p23);
            Vector128<float> p = Kernels128.MulAdd(z2, p25, p01);
            Vector128<float> q01 = Kernels128.MulAdd(z, Vector128.Create(SigmoidQ1), Vector128.Create(1f));
            Vector128<float> q23 = Kernels128.MulAdd(z, Vector128.Create(SigmoidQ3), Vector128.Create(SigmoidQ2));
            Vector128<float> q = Kernels128.MulAdd(z2, q23, q01);
            reciprocal = Vector128.Create(1f) / q;
            return xc * p;
        }

        /// <summary>Lane-wise <see cref="Tanh(float)"/> (identical results).</summary>
        /// <param name="x">The arguments.</param>
        /// <returns>tanh of each lane.</returns>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Tanh(Vector256<float> x) => TanhParts(x, out Vector256<float> reciprocal) * reciprocal;

        /// <summary>Lane-wise <see cref="Sigmoid(float)"/> (identical results).</summary>
        /// <param name="x">The arguments.</param>
        /// <returns>sigmoid of each lane.</returns>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Sigmoid(Vector256<float> x) => Kernels256.MulAdd(SigmoidParts(x, out Vector256<float> reciprocal), reciprocal, Vector256.Create(0.5f));

        /// <summary>
        /// One GRU cell update for the generated step (PyTorch's formulas): r = sigmoid(<paramref name="r"/>), z =
        /// sigmoid(<paramref name="z"/>), n = tanh(<paramref name="nx"/> + r·<paramref name="nh"/>), and the new state
        /// (1 - z)·n + z·<paramref name="h"/>. The same as those four steps with <see cref="Sigmoid(Vector256{float})"/> and
        /// <see cref="Tanh(Vector256{float})"/> within float rounding, but shorter as a chain of dependent operations: r's and tanh's
        /// last multiplications by 1/Q are folded into the multiply-adds that use them (r·nh + nx and the blend), so nothing
        /// but one multiply-add follows either division.
        /// </summary>
        /// <param name="r">The reset gate's pre-activation.</param>
        /// <param name="z">The update gate's pre-activation.</param>
        /// <param name="nx">The candidate's input part, W_in·x + b_in.</param>
        /// <param name="nh">The candidate's hidden part, W_hn·h + b_hn.</param>
        /// <param name="h">The state before the step.</param>
        /// <returns>The state after the step.</returns>
        [MethodImpl(MethodImplOptions.AggressiveInlining), System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
        public static Vector256<float> GruCell(Vector256<float> r, Vector256<float> z, Vector256<float> nx, Vector256<float> nh, Vector256<float> h)
        {
            // sigmoid(r)·nh + nx = (r·P·nh)·(1/Q) + (nh/2 + nx), and (1 - z)·tanh(a) + z·h = ((1 - z)·a·P)·(1/Q) + z·h.
            Vector256<float> rp = SigmoidParts(r, out Vector256<float> rq);
            Vector256<float> zs = Kernels256.MulAdd(SigmoidParts(z, out Vector256<float> zq), zq, Vector256.Create(0.5f));
            Vector256<float> a = Kernels256.MulAdd(rp * nh, rq, Kernels256.MulAdd(Vector256.Create(0.5f), nh, nx));
            Vector256<float> np = TanhParts(a, out Vector256<float> nq);
            return Kernels256.MulAdd((Vector256.Create(1f) - zs) * np, nq, zs * h);
        }

        /// <summary>Tanh's x·P(x²) (returned) and 1/Q(x²) (<paramref name="reciprocal"/>): the same operations, in the same order, as <see cref="Tanh(float)"/> up to the last step.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector256<float> TanhParts(Vector256<float> x, out Vector256<float> reciprocal)
        {
            Vector256<float> z = Kernels256.Min(Vector256.Create(TanhClampSquared), x * x);
            Vector256<float> xc = Kernels256.Min(Vector256.Create(TanhSaturation), Kernels256.Max(Vector256.Create(-TanhSaturation), x));
            Vector256<float> z2 = z * z;
            Vector256<float> p01 = Kernels256.MulAdd(z, Vector256.Create(TanhP1), Vector256.Create(1f));
            Vector256<float> p23 = Kernels256.MulAdd(z, Vector256.Create(TanhP3), Vector256.Create(TanhP2));
            Vector256<float> p45 = Kernels256.MulAdd(z, Vector256.Create(TanhP5), Vector256.Create(TanhP4));
            Vector256<float> p25 = Kernels256.MulAdd(z2, p45, p23);
            Vector256<float> p = Kernels256.MulAdd(z2, p25, p01);
            Vector256<float> q01 = Kernels256.MulAdd(z, Vector256.Create(TanhQ1), Vector256.Create(1f));
            Vector256<float> q23 = Kernels256.MulAdd(z, Vector256.Create(TanhQ3), Vector256.Create(TanhQ2));
            Vector256<float> q = Kernels256.MulAdd(z2, q23, q01);
            reciprocal = Vector256.Create(1f) / q;
            return xc * p;
        }

        /// <summary>Sigmoid's x·P(x²) (returned) and 1/Q(x²) (<paramref name="reciprocal"/>): the same operations, in the same order, as <see cref="Sigmoid(float)"/> up to the last step.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector256<float> SigmoidParts(Vector256<float> x, out Vector256<float> reciprocal)
        {
            Vector256<float> z = Kernels256.Min(Vector256.Create(SigmoidClampSquared), x * x);
            Vector256<float> xc = Kernels256.Min(Vector256.Create(SigmoidSaturation), Kernels256.Max(Vector256.Create(-SigmoidSaturation), x));
            Vector256<float> z2 = z * z;
            Vector256<float> p01 = Kernels256.MulAdd(z, Vector256.Create(SigmoidP1), Vector256.Create(SigmoidP0));
            Vector256<float> p23 = Kernels256.MulAdd(z, Vector256.Create(SigmoidP3), Vector256.Create(SigmoidP2));
            Vector256<float> p45 = Kernels256.MulAdd(z, Vector256.Create(SigmoidP5), Vector256.Create(SigmoidP4));
            Vector256<float> p25 = Kernels256.MulAdd(z2, p45, p23);
            Vector256<float> p = Kernels256.MulAdd(z2, p25, p01);
            Vector256<float> q01 = Kernels256.MulAdd(z, Vector256.Create(SigmoidQ1), Vector256.Create(1f));
            Vector256<float> q23 = Kernels256.MulAdd(z, Vector256.Create(SigmoidQ3), Vector256.Create(SigmoidQ2));
            Vector256<float> q = Kernels256.MulAdd(z2, q23, q01);
            reciprocal = Vector256.Create(1f) / q;
            return xc * p;
        }

        /// <summary>Lane-wise <see cref="Tanh(float)"/> (identical results).</summary>
        /// <param name="x">The arguments.</param>
        /// <returns>tanh of each lane.</returns>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Tanh(Vector512<float> x) => TanhParts(x, out Vector512<float> reciprocal) * reciprocal;

        /// <summary>Lane-wise <see cref="Sigmoid(float)"/> (identical results).</summary>
        /// <param name="x">The arguments.</param>
        /// <returns>sigmoid of each lane.</returns>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Sigmoid(Vector512<float> x) => Kernels512.MulAdd(SigmoidParts(x, out Vector512<float> reciprocal), reciprocal, Vector512.Create(0.5f));

        /// <summary>
        /// One GRU cell update for the generated step (PyTorch's formulas): r = sigmoid(<paramref name="r"/>), z =
        /// sigmoid(<paramref name="z"/>), n = tanh(<paramref name="nx"/> + r·<paramref name="nh"/>), and the new state
        /// (1 - z)·n + z·<paramref name="h"/>. The same as those four steps with <see cref="Sigmoid(Vector512{float})"/> and
        /// <see cref="Tanh(Vector512{float})"/> within float rounding, but shorter as a chain of dependent operations: r's and tanh's
        /// last multiplications by 1/Q are folded into the multiply-adds that use them (r·nh + nx and the blend), so nothing
        /// but one multiply-add follows either division.
        /// </summary>
        /// <param name="r">The reset gate's pre-activation.</param>
        /// <param name="z">The update gate's pre-activation.</param>
        /// <param name="nx">The candidate's input part, W_in·x + b_in.</param>
        /// <param name="nh">The candidate's hidden part, W_hn·h + b_hn.</param>
        /// <param name="h">The state before the step.</param>
        /// <returns>The state after the step.</returns>
        [MethodImpl(MethodImplOptions.AggressiveInlining), System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
        public static Vector512<float> GruCell(Vector512<float> r, Vector512<float> z, Vector512<float> nx, Vector512<float> nh, Vector512<float> h)
        {
            // sigmoid(r)·nh + nx = (r·P·nh)·(1/Q) + (nh/2 + nx), and (1 - z)·tanh(a) + z·h = ((1 - z)·a·P)·(1/Q) + z·h.
            Vector512<float> rp = SigmoidParts(r, out Vector512<float> rq);
            Vector512<float> zs = Kernels512.MulAdd(SigmoidParts(z, out Vector512<float> zq), zq, Vector512.Create(0.5f));
            Vector512<float> a = Kernels512.MulAdd(rp * nh, rq, Kernels512.MulAdd(Vector512.Create(0.5f), nh, nx));
            Vector512<float> np = TanhParts(a, out Vector512<float> nq);
            return Kernels512.MulAdd((Vector512.Create(1f) - zs) * np, nq, zs * h);
        }

        /// <summary>Tanh's x·P(x²) (returned) and 1/Q(x²) (<paramref name="reciprocal"/>): the same operations, in the same order, as <see cref="Tanh(float)"/> up to the last step.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector512<float> TanhParts(Vector512<float> x, out Vector512<float> reciprocal)
        {
            Vector512<float> z = Kernels512.Min(Vector512.Create(TanhClampSquared), x * x);
            Vector512<float> xc = Kernels512.Min(Vector512.Create(TanhSaturation), Kernels512.Max(Vector512.Create(-TanhSaturation), x));
            Vector512<float> z2 = z * z;
            Vector512<float> p01 = Kernels512.MulAdd(z, Vector512.Create(TanhP1), Vector512.Create(1f));
            Vector512<float> p23 = Kernels512.MulAdd(z, Vector512.Create(TanhP3), Vector512.Create(TanhP2));
            Vector512<float> p45 = Kernels512.MulAdd(z, Vector512.Create(TanhP5), Vector512.Create(TanhP4));
            Vector512<float> p25 = Kernels512.MulAdd(z2, p45, p23);
            Vector512<float> p = Kernels512.MulAdd(z2, p25, p01);
            Vector512<float> q01 = Kernels512.MulAdd(z, Vector512.Create(TanhQ1), Vector512.Create(1f));
            Vector512<float> q23 = Kernels512.MulAdd(z, Vector512.Create(TanhQ3), Vector512.Create(TanhQ2));
            Vector512<float> q = Kernels512.MulAdd(z2, q23, q01);
            reciprocal = Vector512.Create(1f) / q;
            return xc * p;
        }

        /// <summary>Sigmoid's x·P(x²) (returned) and 1/Q(x²) (<paramref name="reciprocal"/>): the same operations, in the same order, as <see cref="Sigmoid(float)"/> up to the last step.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector512<float> SigmoidParts(Vector512<float> x, out Vector512<float> reciprocal)
        {
            Vector512<float> z = Kernels512.Min(Vector512.Create(SigmoidClampSquared), x * x);
            Vector512<float> xc = Kernels512.Min(Vector512.Create(SigmoidSaturation), Kernels512.Max(Vector512.Create(-SigmoidSaturation), x));
            Vector512<float> z2 = z * z;
            Vector512<float> p01 = Kernels512.MulAdd(z, Vector512.Create(SigmoidP1), Vector512.Create(SigmoidP0));
            Vector512<float> p23 = Kernels512.MulAdd(z, Vector512.Create(SigmoidP3), Vector512.Create(SigmoidP2));
            Vector512<float> p45 = Kernels512.MulAdd(z, Vector512.Create(SigmoidP5), Vector512.Create(SigmoidP4));
            Vector512<float> p25 = Kernels512.MulAdd(z2, p45, p23);
            Vector512<float> p = Kernels512.MulAdd(z2, p25, p01);
            Vector512<float> q01 = Kernels512.MulAdd(z, Vector512.Create(SigmoidQ1), Vector512.Create(1f));
            Vector512<float> q23 = Kernels512.MulAdd(z, Vector512.Create(SigmoidQ3), Vector512.Create(SigmoidQ2));
            Vector512<float> q = Kernels512.MulAdd(z2, q23, q01);
            reciprocal = Vector512.Create(1f) / q;
            return xc * p;
        }
#endif
    }
}
