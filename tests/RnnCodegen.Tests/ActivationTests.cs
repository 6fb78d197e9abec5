using System;
using System.Collections.Generic;
using System.Globalization;
using System.Runtime.Intrinsics;
using Xunit;

namespace RnnCodegen.Tests
{
    /// <summary>
    /// Activations against double-precision <see cref="Math"/> on a dense grid, random floats over the whole range and the
    /// extremes, for the scalar, span and every accelerated vector form.
    /// </summary>
    public class ActivationTests
    {
        // The documented bounds (Activations' XML docs; measured on all 2^32 floats: tanh 3.03e-7 with FMA, 3.45e-7
        // without, sigmoid 1.71e-7 and 1.96e-7), for the way this machine evaluates multiply-adds (fused exactly when
        // the hardware has FMA, as in ScalarMath.MulAdd); the design contract is 5e-7 absolute.
        private static readonly bool FusedMultiplyAdd = System.Runtime.Intrinsics.X86.Fma.IsSupported || System.Runtime.Intrinsics.Arm.AdvSimd.IsSupported;
        private static readonly double TanhMaxAbsoluteError = FusedMultiplyAdd ? 3.05e-7 : 3.5e-7;
        private static readonly double SigmoidMaxAbsoluteError = FusedMultiplyAdd ? 1.75e-7 : 2.0e-7;
        private const double ExpMaxRelativeError = 1.0e-7;     // for normal results
        private const double ContractAbsoluteError = 5e-7;
        // sigmoid(x) for x <= -2·TanhSaturation: 1/2 - the product x·P·(1/Q) at the clamp, rounded once with FMA (so
        // 2.7e-9, about sigmoid(-19.7)) and exactly 0 without (the product rounds to 1/2 first).
        private static readonly float SigmoidAtMinusInfinity = FusedMultiplyAdd ? 2.7139642E-09f : 0f;
        private const double MinNormal = 1.1754943508222875e-38;

        public enum Form
        {
            Scalar,
            Span,
            SpanInPlace,
            Vector128,
            Vector256,
            Vector512,
        }

        /// <summary>The forms that run on this machine (a vector width only when the hardware accelerates it).</summary>
        public static IEnumerable<object[]> Forms()
        {
            yield return new object[] { Form.Scalar };
            yield return new object[] { Form.Span };
            yield return new object[] { Form.SpanInPlace };
            if (Vector128.IsHardwareAccelerated)
            {
                yield return new object[] { Form.Vector128 };
            }
            if (Vector256.IsHardwareAccelerated)
            {
                yield return new object[] { Form.Vector256 };
            }
            if (Vector512.IsHardwareAccelerated)
            {
                yield return new object[] { Form.Vector512 };
            }
        }

        private enum Function
        {
            Tanh,
            Sigmoid,
            Exp,
        }

        private static double Reference(Function f, float x) => f switch
        {
            Function.Tanh => Math.Tanh(x),
            Function.Sigmoid => 1.0 / (1.0 + Math.Exp(-(double)x)),
            _ => Math.Exp(x),
        };

        private static float Scalar(Function f, float x) => f switch
        {
            Function.Tanh => Activations.Tanh(x),
            Function.Sigmoid => Activations.Sigmoid(x),
            _ => Activations.Exp(x),
        };

        /// <summary>Evaluates <paramref name="f"/> on every element of <paramref name="x"/> in the given form.</summary>
        private static float[] Evaluate(Function f, Form form, float[] x)
        {
            var y = new float[x.Length];
            Span<float> lanes = stackalloc float[16];
            switch (form)
            {
                case Form.Scalar:
                    for (int i = 0; i < x.Length; i++)
                    {
                        y[i] = Scalar(f, x[i]);
                    }
                    break;
                case Form.Span:
                case Form.SpanInPlace:
                    if (f == Function.Exp)
                    {
                        // Exp has no span form; use the widest accelerated vector instead.
                        return Evaluate(f, Vector512.IsHardwareAccelerated ? Form.Vector512 : Vector256.IsHardwareAccelerated ? Form.Vector256 : Form.Vector128, x);
                    }
                    if (form == Form.SpanInPlace)
                    {
                        x.CopyTo(y, 0);
                        if (f == Function.Tanh)
                        {
                            Activations.Tanh(y.AsSpan());
                        }
                        else
                        {
                            Activations.Sigmoid(y.AsSpan());
                        }
                    }
                    else if (f == Function.Tanh)
                    {
                        Activations.Tanh(x, y);
                    }
                    else
                    {
                        Activations.Sigmoid(x, y);
                    }
                    break;
                case Form.Vector128:
                    for (int i = 0; i < x.Length; i += 4)
                    {
                        int k = Math.Min(4, x.Length - i);
                        x.AsSpan(i, k).CopyTo(lanes);
                        Vector128<float> v = Vector128.Create((ReadOnlySpan<float>)lanes.Slice(0, 4));
                        Vector128<float> r = f == Function.Tanh ? Activations.Tanh(v) : f == Function.Sigmoid ? Activations.Sigmoid(v) : Activations.Exp(v);
                        r.CopyTo(lanes);
                        lanes.Slice(0, k).CopyTo(y.AsSpan(i, k));
                    }
                    break;
                case Form.Vector256:
                    for (int i = 0; i < x.Length; i += 8)
                    {
                        int k = Math.Min(8, x.Length - i);
                        x.AsSpan(i, k).CopyTo(lanes);
                        Vector256<float> v = Vector256.Create((ReadOnlySpan<float>)lanes.Slice(0, 8));
                        Vector256<float> r = f == Function.Tanh ? Activations.Tanh(v) : f == Function.Sigmoid ? Activations.Sigmoid(v) : Activations.Exp(v);
                        r.CopyTo(lanes);
                        lanes.Slice(0, k).CopyTo(y.AsSpan(i, k));
                    }
                    break;
                case Form.Vector512:
                    for (int i = 0; i < x.Length; i += 16)
                    {
                        int k = Math.Min(16, x.Length - i);
                        x.AsSpan(i, k).CopyTo(lanes);
                        Vector512<float> v = Vector512.Create((ReadOnlySpan<float>)lanes);
                        Vector512<float> r = f == Function.Tanh ? Activations.Tanh(v) : f == Function.Sigmoid ? Activations.Sigmoid(v) : Activations.Exp(v);
                        r.CopyTo(lanes);
                        lanes.Slice(0, k).CopyTo(y.AsSpan(i, k));
                    }
                    break;
            }
            return y;
        }

        private static readonly float[] Extremes =
        {
            0f, -0f, 1e-30f, -1e-30f, 1e-45f, -1e-45f, 1.1754944e-38f, -1.1754944e-38f, 1e-7f, -1e-7f, 2.4414062e-4f, -2.4414062e-4f,
            0.5f, -0.5f, 0.625f, -0.625f, 0.62499994f, -0.62499994f, 1f, -1f, 9f, -9f, 9.1f, -9.1f, 17f, -17f,
            80f, -80f, 87.3f, -87.3f, 88f, -88f, 88.72f, -88.72f, 88.7228f, -88.7228f, 89f, -89f, 100f, -100f, 103.9f, -103.9f, 104f, -104f,
            1e30f, -1e30f, float.MaxValue, float.MinValue, float.PositiveInfinity, float.NegativeInfinity, float.NaN,
        };

        /// <summary>Every float in [-20, 20] at a 1e-4 step, one million random bit patterns (all of the float range) and the extremes.</summary>
        private static float[] TestPoints()
        {
            var points = new List<float>(1_500_000);
            for (int i = -200_000; i <= 200_000; i++)
            {
                points.Add((float)(i * 1e-4));
            }
            var random = new Random(12345);
            for (int i = 0; i < 1_000_000; i++)
            {
                float x = BitConverter.Int32BitsToSingle(random.Next(int.MinValue, int.MaxValue));
                if (!float.IsNaN(x))
                {
                    points.Add(x);
                }
            }
            points.AddRange(Extremes);
            return points.ToArray();
        }

        private static readonly float[] Points = TestPoints();

        /// <summary>True for a NaN input, after checking that the result is NaN too; a NaN result of a non-NaN input fails.</summary>
        private static bool IsNaNCase(float x, float y)
        {
            if (float.IsNaN(x))
            {
                Assert.True(float.IsNaN(y), $"f(NaN) = {y:R}");
                return true;
            }
            Assert.False(float.IsNaN(y), $"f({x:R}) = NaN");
            return false;
        }

        [Theory]
        [MemberData(nameof(Forms))]
        public void TanhWithinDocumentedBoundOverWholeRange(Form form)
        {
            float[] y = Evaluate(Function.Tanh, form, Points);
            double worst = 0;
            float worstAt = 0;
            for (int i = 0; i < Points.Length; i++)
            {
                if (IsNaNCase(Points[i], y[i]))
                {
                    continue;
                }
                double error = Math.Abs(y[i] - Reference(Function.Tanh, Points[i]));
                if (!(error <= worst))
                {
                    worst = error;
                    worstAt = Points[i];
                }
                Assert.True(y[i] >= -1f && y[i] <= 1f, $"tanh({Points[i]:R}) = {y[i]:R} is outside [-1, 1]");
                Assert.True(Math.Sign(y[i]) == Math.Sign(Points[i]), $"tanh({Points[i]:R}) = {y[i]:R} has the wrong sign");
            }
            Assert.True(worst <= TanhMaxAbsoluteError, $"max |tanh error| {worst:E3} at x = {worstAt:R}");
            Assert.True(worst <= ContractAbsoluteError);
        }

        [Theory]
        [MemberData(nameof(Forms))]
        public void SigmoidWithinDocumentedBoundOverWholeRange(Form form)
        {
            float[] y = Evaluate(Function.Sigmoid, form, Points);
            double worst = 0;
            float worstAt = 0;
            for (int i = 0; i < Points.Length; i++)
            {
                if (IsNaNCase(Points[i], y[i]))
                {
                    continue;
                }
                double error = Math.Abs(y[i] - Reference(Function.Sigmoid, Points[i]));
                if (!(error <= worst))
                {
                    worst = error;
                    worstAt = Points[i];
                }
                Assert.True(y[i] >= 0f && y[i] <= 1f, $"sigmoid({Points[i]:R}) = {y[i]:R} is outside [0, 1]");
            }
            Assert.True(worst <= SigmoidMaxAbsoluteError, $"max |sigmoid error| {worst:E3} at x = {worstAt:R}");
            Assert.True(worst <= ContractAbsoluteError);
        }

        [Theory]
        [MemberData(nameof(Forms))]
        public void ExpWithinDocumentedRelativeBound(Form form)
        {
            float[] y = Evaluate(Function.Exp, form, Points);
            double worst = 0;
            float worstAt = 0;
            for (int i = 0; i < Points.Length; i++)
            {
                float x = Points[i];
                if (IsNaNCase(x, y[i]))
                {
                    continue;
                }
                double reference = Reference(Function.Exp, x);
                if (reference >= MinNormal && reference <= float.MaxValue)
                {
                    double error = Math.Abs(y[i] - reference) / reference;
                    if (!(error <= worst))
                    {
                        worst = error;
                        worstAt = x;
                    }
                }
                else if (reference > float.MaxValue)
                {
                    Assert.True(float.IsPositiveInfinity(y[i]), $"exp({x:R}) = {y[i]:R}, expected +inf");
                }
                else
                {
                    // Subnormal or zero result: within one subnormal step of the reference.
                    Assert.True(Math.Abs(y[i] - reference) <= float.Epsilon, $"exp({x:R}) = {y[i]:R}, expected {reference:R}");
                }
            }
            Assert.True(worst <= ExpMaxRelativeError, $"max relative exp error {worst:E3} at x = {worstAt:R}");
        }

        [Theory]
        [MemberData(nameof(Forms))]
        public void SpecialValuesAreExact(Form form)
        {
            float[] x = { 0f, -0f, float.PositiveInfinity, float.NegativeInfinity, float.NaN, 1e-30f, -1e-30f, float.MaxValue, float.MinValue, 1e30f, -1e30f };
            float[] t = Evaluate(Function.Tanh, form, x);
            float[] s = Evaluate(Function.Sigmoid, form, x);
            float[] e = Evaluate(Function.Exp, form, x);

            Assert.Equal(BitConverter.SingleToInt32Bits(0f), BitConverter.SingleToInt32Bits(t[0]));
            Assert.Equal(BitConverter.SingleToInt32Bits(-0f), BitConverter.SingleToInt32Bits(t[1]));
            Assert.Equal(1f, t[2]);
            Assert.Equal(-1f, t[3]);
            Assert.True(float.IsNaN(t[4]));
            Assert.Equal(1e-30f, t[5]);
            Assert.Equal(-1e-30f, t[6]);
            Assert.Equal(new[] { 1f, -1f, 1f, -1f }, t[7..]);

            Assert.Equal(0.5f, s[0]);
            Assert.Equal(0.5f, s[1]);
            Assert.Equal(1f, s[2]);
            Assert.Equal(SigmoidAtMinusInfinity, s[3]);
            Assert.True(float.IsNaN(s[4]));
            Assert.Equal(0.5f, s[5]);
            Assert.Equal(0.5f, s[6]);
            Assert.Equal(new[] { 1f, SigmoidAtMinusInfinity, 1f, SigmoidAtMinusInfinity }, s[7..]);

            Assert.Equal(1f, e[0]);
            Assert.Equal(1f, e[1]);
            Assert.Equal(float.PositiveInfinity, e[2]);
            Assert.Equal(0f, e[3]);
            Assert.True(float.IsNaN(e[4]));
            Assert.Equal(new[] { float.PositiveInfinity, 0f, float.PositiveInfinity, 0f }, e[7..]);
        }

        [Theory]
        [MemberData(nameof(Forms))]
        public void TanhIsExactlyXForTinyArguments(Form form)
        {
            // P(0) = Q(0) = 1: for |x| < 3.58e-4, z·P1 and z·Q1 round away against 1 and the result is x itself (as the
            // correctly rounded tanh, whose -x³/3 is below half an ulp of x there): every float in [3e-4, 3.58e-4], powers
            // of two down to the smallest subnormal, and both signs. Just above, the rational takes over (within the bound).
            var grid = new List<float>();
            for (float v = 3e-4f; v < 3.58e-4f; v = MathF.BitIncrement(v))
            {
                grid.Add(v);
                grid.Add(-v);
            }
            for (float v = 2.4414062e-4f; v > 0f; v /= 2f)
            {
                grid.Add(v);
                grid.Add(-v);
                grid.Add(MathF.BitIncrement(v));
            }
            float[] x = grid.ToArray();
            float[] t = Evaluate(Function.Tanh, form, x);
            for (int i = 0; i < x.Length; i++)
            {
                if (BitConverter.SingleToInt32Bits(t[i]) != BitConverter.SingleToInt32Bits(x[i]))
                {
                    Assert.Fail($"tanh({x[i]:R}) = {t[i]:R}, not x");
                }
            }
            float above = Evaluate(Function.Tanh, form, new[] { 3.6e-4f })[0];
            Assert.True(above < 3.6e-4f && Math.Abs(above - Math.Tanh(3.6e-4f)) <= TanhMaxAbsoluteError, $"tanh(3.6e-4) = {above:R}");
        }

        [Theory]
        [MemberData(nameof(Forms))]
        public void TanhIsExactlyOdd(Form form)
        {
            var negated = new float[Points.Length];
            for (int i = 0; i < Points.Length; i++)
            {
                negated[i] = -Points[i];
            }
            float[] y = Evaluate(Function.Tanh, form, Points);
            float[] yn = Evaluate(Function.Tanh, form, negated);
            for (int i = 0; i < Points.Length; i++)
            {
                if (!float.IsNaN(Points[i]) && BitConverter.SingleToInt32Bits(yn[i]) != BitConverter.SingleToInt32Bits(-y[i]))
                {
                    Assert.Fail($"tanh({negated[i]:R}) = {yn[i]:R}, tanh({Points[i]:R}) = {y[i]:R}");
                }
            }
        }

        [Theory]
        [MemberData(nameof(Forms))]
        public void SaturatesExactlyAndStaysWithinRange(Form form)
        {
            // The documented saturation: tanh is exactly ±1 from |x| = TanhSaturation (7.9490013) on and below 1 just
            // before it; sigmoid is exactly 1 from 2·TanhSaturation on (without FMA a little earlier) and, below -2·TanhSaturation, the constant
            // SigmoidAtMinusInfinity (0 without FMA, 2.7e-9 with: the exact 1/2 - x·P·(1/Q)); below, very negative
            // sigmoid inputs give small non-negative results within the absolute bound (not relative).
            float ts = Activations.TanhSaturation, ss = Activations.SigmoidSaturation;
            float[] x = { ts, -ts, 8f, -8f, 9.9f, -9.9f, 10f, -10f, 12.5f, -12.5f, ss, -ss, 19.8f, -19.8f, 25f, -25f, 1e10f, -1e10f, -12f, -14f, -15f, -15.8f };
            float[] t = Evaluate(Function.Tanh, form, x);
            float[] s = Evaluate(Function.Sigmoid, form, x);
            for (int i = 0; i < x.Length; i++)
            {
                if (Math.Abs(x[i]) >= ts)
                {
                    Assert.Equal(Math.Sign(x[i]), t[i]);
                }
                if (Math.Abs(x[i]) >= ss)
                {
                    Assert.Equal(x[i] > 0 ? 1f : SigmoidAtMinusInfinity, s[i]);
                }
                Assert.True(s[i] >= 0f && s[i] <= 1f, $"sigmoid({x[i]}) = {s[i]:R}");
                Assert.True(Math.Abs(s[i] - Reference(Function.Sigmoid, x[i])) <= SigmoidMaxAbsoluteError, $"sigmoid({x[i]}) = {s[i]:R}");
            }
            Assert.True(Evaluate(Function.Tanh, form, new[] { MathF.BitDecrement(ts) })[0] < 1f, "tanh saturates before TanhSaturation");

            // Every float around the clamps (where the rational meets 1 and no result clamp remains): never beyond the
            // range and within the bound, on both sides.
            foreach ((Function f, float lo, float hi, float limit) in new[] { (Function.Tanh, 7.5f, 8.5f, 1f), (Function.Sigmoid, 15f, 17f, 1f) })
            {
                var grid = new List<float>();
                for (float v = lo; v <= hi; v = MathF.BitIncrement(v))
                {
                    grid.Add(v);
                    grid.Add(-v);
                }
                float[] g = grid.ToArray();
                float[] y = Evaluate(f, form, g);
                for (int i = 0; i < g.Length; i++)
                {
                    float low = f == Function.Tanh ? -limit : 0f;
                    Assert.True(y[i] >= low && y[i] <= limit, $"{f}({g[i]:R}) = {y[i]:R} is out of range");
                    Assert.True(Math.Abs(y[i] - Reference(f, g[i])) <= (f == Function.Tanh ? TanhMaxAbsoluteError : SigmoidMaxAbsoluteError), $"{f}({g[i]:R}) = {y[i]:R}");
                }
            }
        }

        [Theory]
        [MemberData(nameof(Forms))]
        public void AgreesWithScalarWithinTwoUlpOr3e7(Form form)
        {
            foreach (Function f in new[] { Function.Tanh, Function.Sigmoid, Function.Exp })
            {
                float[] y = Evaluate(f, form, Points);
                for (int i = 0; i < Points.Length; i++)
                {
                    float s = Scalar(f, Points[i]);
                    if (float.IsNaN(s))
                    {
                        Assert.True(float.IsNaN(y[i]), $"{f}({Points[i]:R}): scalar NaN, {form} {y[i]:R}");
                        continue;
                    }
                    bool close = Math.Abs(y[i] - s) <= 3e-7 || Math.Abs(BitConverter.SingleToInt32Bits(y[i]) - BitConverter.SingleToInt32Bits(s)) <= 2;
                    Assert.True(close, $"{f}({Points[i]:R}): scalar {s:R}, {form} {y[i]:R}");
                }
            }
        }

        [Theory]
        [MemberData(nameof(Forms))]
        public void IdenticalBitsToScalar(Form form)
        {
            // The documented stronger property: every form evaluates the same operations in the same order.
            foreach (Function f in new[] { Function.Tanh, Function.Sigmoid, Function.Exp })
            {
                float[] y = Evaluate(f, form, Points);
                for (int i = 0; i < Points.Length; i++)
                {
                    float s = Scalar(f, Points[i]);
                    if (BitConverter.SingleToInt32Bits(s) != BitConverter.SingleToInt32Bits(y[i]) && !(float.IsNaN(s) && float.IsNaN(y[i])))
                    {
                        Assert.Fail($"{f}({Points[i]:R}): scalar {s:R}, {form} {y[i]:R}");
                    }
                }
            }
        }

        [Theory]
        [InlineData(0)]
        [InlineData(1)]
        [InlineData(3)]
        [InlineData(7)]
        [InlineData(15)]
        [InlineData(16)]
        [InlineData(17)]
        [InlineData(31)]
        [InlineData(33)]
        [InlineData(64)]
        [InlineData(100)]
        [InlineData(129)]
        public void SpanFormsCoverEveryElementAndNoMore(int length)
        {
            var random = new Random(length);
            var x = new float[length];
            for (int i = 0; i < length; i++)
            {
                x[i] = (float)(random.NextDouble() * 16 - 8);
            }
            var y = new float[length + 5];
            y.AsSpan().Fill(42f);
            Activations.Tanh(x, y);
            var z = new float[length + 5];
            z.AsSpan().Fill(42f);
            Activations.Sigmoid(x, z);
            for (int i = 0; i < length; i++)
            {
                Assert.Equal(Activations.Tanh(x[i]), y[i]);
                Assert.Equal(Activations.Sigmoid(x[i]), z[i]);
            }
            for (int i = length; i < y.Length; i++)
            {
                Assert.Equal(42f, y[i]);
                Assert.Equal(42f, z[i]);
            }
        }

        [Fact]
        public void SpanFormRejectsShortDestination()
        {
            var x = new float[10];
            var y = new float[9];
            Assert.Throws<ArgumentOutOfRangeException>(() => Activations.Tanh(x, y));
            Assert.Throws<ArgumentOutOfRangeException>(() => Activations.Sigmoid(x, y));
        }

        /// <summary>
        /// <see cref="Activations.GruCell(Vector512{float}, Vector512{float}, Vector512{float}, Vector512{float}, Vector512{float})"/>,
        /// the generated GRU step's fused update, against PyTorch's formulas in double: within the activations' error
        /// carried through (sigmoid's bound times |nh| into tanh's argument, twice sigmoid's on the blend), the three
        /// vector widths bit-identical lane for lane, saturated gates exact, NaN carried.
        /// </summary>
        [Fact]
        public void GruCellMatchesTheFormulasOnEveryWidth()
        {
            var random = new Random(5);
            double worst = 0;
            var r = new float[16]; var z = new float[16]; var nx = new float[16]; var nh = new float[16]; var h = new float[16];
            for (int k = 0; k < 2000; k++)
            {
                for (int i = 0; i < 16; i++)
                {
                    r[i] = (float)(random.NextDouble() * 24 - 12); z[i] = (float)(random.NextDouble() * 24 - 12);
                    nx[i] = (float)(random.NextDouble() * 12 - 6); nh[i] = (float)(random.NextDouble() * 12 - 6); h[i] = (float)(random.NextDouble() * 2 - 1);
                }
                float[] y = GruCellLanes(r, z, nx, nh, h);
                for (int i = 0; i < 16; i++)
                {
                    double rs = 1 / (1 + Math.Exp(-(double)r[i])), zs = 1 / (1 + Math.Exp(-(double)z[i]));
                    double expected = (1 - zs) * Math.Tanh(nx[i] + rs * nh[i]) + zs * h[i];
                    double bound = 3.7e-7 + 2.2e-7 * Math.Abs(nh[i]) + 2 * 2.2e-7 + 2e-7;
                    worst = Math.Max(worst, Math.Abs(y[i] - expected) / bound);
                    Assert.True(Math.Abs(y[i] - expected) <= bound, $"GruCell({r[i]:R}, {z[i]:R}, {nx[i]:R}, {nh[i]:R}, {h[i]:R}) = {y[i]:R}, expected {expected:R}");
                }
            }
            Assert.True(worst > 0.05, "the bound is far looser than the errors: " + worst.ToString(CultureInfo.InvariantCulture));

            // Saturated gates: z = 1 keeps h exactly; z ≈ 0 with a saturated candidate gives ±1 exactly; NaN flows through.
            Array.Fill(r, 0.5f); Array.Fill(nh, 0.25f); Array.Fill(h, 0.3f);
            Array.Fill(z, 1e4f); Array.Fill(nx, 2f);
            Assert.All(GruCellLanes(r, z, nx, nh, h), v => Assert.Equal(0.3f, v));
            Array.Fill(z, -1e4f); Array.Fill(nx, 1e4f);
            Assert.All(GruCellLanes(r, z, nx, nh, h), v => Assert.Equal(1f, v));
            Array.Fill(nx, -1e4f);
            Assert.All(GruCellLanes(r, z, nx, nh, h), v => Assert.Equal(-1f, v));
            Array.Fill(nx, float.NaN);
            Assert.All(GruCellLanes(r, z, nx, nh, h), v => Assert.True(float.IsNaN(v)));
        }

        /// <summary>GruCell on 16 lanes as one Vector512, two Vector256 and four Vector128: the widths the hardware accelerates must agree bit for bit.</summary>
        private static float[] GruCellLanes(float[] r, float[] z, float[] nx, float[] nh, float[] h)
        {
            var y512 = new float[16];
            Activations.GruCell(Vector512.Create(r), Vector512.Create(z), Vector512.Create(nx), Vector512.Create(nh), Vector512.Create(h)).CopyTo(y512);
            var y256 = new float[16];
            for (int i = 0; i < 16; i += 8)
                Activations.GruCell(Vector256.Create(r, i), Vector256.Create(z, i), Vector256.Create(nx, i), Vector256.Create(nh, i), Vector256.Create(h, i)).CopyTo(y256, i);
            var y128 = new float[16];
            for (int i = 0; i < 16; i += 4)
                Activations.GruCell(Vector128.Create(r, i), Vector128.Create(z, i), Vector128.Create(nx, i), Vector128.Create(nh, i), Vector128.Create(h, i)).CopyTo(y128, i);
            // Only the widths the hardware accelerates: a software Vector512 (AVX-512 off) may round a multiply-add differently.
            var accelerated = new List<float[]>();
            if (Vector512.IsHardwareAccelerated) accelerated.Add(y512);
            if (Vector256.IsHardwareAccelerated) accelerated.Add(y256);
            if (Vector128.IsHardwareAccelerated) accelerated.Add(y128);
            if (accelerated.Count == 0) return y128;
            foreach (float[] y in accelerated)
            {
                for (int i = 0; i < 16; i++) Assert.Equal(BitConverter.SingleToInt32Bits(accelerated[0][i]), BitConverter.SingleToInt32Bits(y[i]));
            }
            return accelerated[0];
        }

        [Fact]
        public void ActivationsDoNotAllocate()
        {
            var x = new float[129];
            var y = new float[129];
            for (int i = 0; i < x.Length; i++)
            {
                x[i] = i * 0.1f - 6f;
            }
            float sink = 0;
            Allocations.AssertSteadyStateAllocatesNothing(Run, 1);
            Assert.False(float.IsNaN(sink));

            void Run()
            {
                for (int r = 0; r < 100; r++)
                {
                    Activations.Tanh(x, y);
                    Activations.Sigmoid(x, y);
                    Activations.Tanh(y.AsSpan());
                    Activations.Sigmoid(y.AsSpan());
                    sink += Activations.Tanh(x[r]) + Activations.Sigmoid(x[r]) + Activations.Exp(x[r]);
                    sink += Activations.Tanh(Vector128.Create(x[r])).GetElement(0) + Activations.Sigmoid(Vector256.Create(x[r])).GetElement(0) + Activations.Exp(Vector512.Create(x[r])).GetElement(0);
                }
            }
        }
    }
}
