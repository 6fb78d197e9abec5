using System;
using System.Collections.Generic;
using System.Runtime.Intrinsics;
using Xunit;

namespace RnnCodegen.Tests
{
    /// <summary>
    /// Every kernel, on every code path this machine can run (the public dispatch, the scalar code and each accelerated
    /// vector width), against straightforward double-precision loops at odd lengths.
    /// </summary>
    public class KernelTests
    {
        private const double U = 1.0 / (1 << 24); // unit roundoff of float

        public enum KernelPath
        {
            Public,
            Scalar,
            Vector128,
            Vector256,
            Vector512,
        }

        private static readonly int[] Lengths = { 1, 3, 7, 15, 16, 17, 33, 64, 100, 129 };
        private static readonly int[] RowCounts = { 1, 3, 4, 5, 9, 17 };

        private static IEnumerable<KernelPath> Paths()
        {
            yield return KernelPath.Public;
            yield return KernelPath.Scalar;
            if (Vector128.IsHardwareAccelerated)
            {
                yield return KernelPath.Vector128;
            }
            if (Vector256.IsHardwareAccelerated)
            {
                yield return KernelPath.Vector256;
            }
            if (Vector512.IsHardwareAccelerated)
            {
                yield return KernelPath.Vector512;
            }
        }

        public static IEnumerable<object[]> PathsAndLengths()
        {
            foreach (KernelPath p in Paths())
            {
                yield return new object[] { p, 0 };
                foreach (int n in Lengths)
                {
                    yield return new object[] { p, n };
                }
            }
        }

        public static IEnumerable<object[]> PathsAndShapes()
        {
            foreach (KernelPath p in Paths())
            {
                foreach (int rows in RowCounts)
                {
                    foreach (int cols in Lengths)
                    {
                        yield return new object[] { p, rows, cols };
                    }
                }
            }
        }

        public static IEnumerable<object[]> VectorPaths()
        {
            foreach (KernelPath p in Paths())
            {
                if (p != KernelPath.Scalar)
                {
                    yield return new object[] { p };
                }
            }
        }

        // ---- dispatch to one path ----

        private static float Dot(KernelPath p, ReadOnlySpan<float> a, ReadOnlySpan<float> b) => p switch
        {
            KernelPath.Public => Kernels.Dot(a, b),
            KernelPath.Scalar => ScalarKernels.Dot(a, b),
            KernelPath.Vector128 => Kernels128.Dot(a, b),
            KernelPath.Vector256 => Kernels256.Dot(a, b),
            _ => Kernels512.Dot(a, b),
        };

        private static void MatVecAdd(KernelPath p, ReadOnlySpan<float> m, ReadOnlySpan<float> x, Span<float> y)
        {
            switch (p)
            {
                case KernelPath.Public: Kernels.MatVecAdd(m, x, y); break;
                case KernelPath.Scalar: ScalarKernels.MatVecAdd(m, x, y); break;
                case KernelPath.Vector128: Kernels128.MatVecAdd(m, x, y); break;
                case KernelPath.Vector256: Kernels256.MatVecAdd(m, x, y); break;
                default: Kernels512.MatVecAdd(m, x, y); break;
            }
        }

        private static void MatTransposeVecAdd(KernelPath p, ReadOnlySpan<float> m, ReadOnlySpan<float> g, Span<float> y)
        {
            switch (p)
            {
                case KernelPath.Public: Kernels.MatTransposeVecAdd(m, g, y); break;
                case KernelPath.Scalar: ScalarKernels.MatTransposeVecAdd(m, g, y); break;
                case KernelPath.Vector128: Kernels128.MatTransposeVecAdd(m, g, y); break;
                case KernelPath.Vector256: Kernels256.MatTransposeVecAdd(m, g, y); break;
                default: Kernels512.MatTransposeVecAdd(m, g, y); break;
            }
        }

        private static void OuterAdd(KernelPath p, Span<float> m, ReadOnlySpan<float> g, ReadOnlySpan<float> x)
        {
            switch (p)
            {
                case KernelPath.Public: Kernels.OuterAdd(m, g, x); break;
                case KernelPath.Scalar: ScalarKernels.OuterAdd(m, g, x); break;
                case KernelPath.Vector128: Kernels128.OuterAdd(m, g, x); break;
                case KernelPath.Vector256: Kernels256.OuterAdd(m, g, x); break;
                default: Kernels512.OuterAdd(m, g, x); break;
            }
        }

        private static void AddScaled(KernelPath p, Span<float> y, ReadOnlySpan<float> x, float a)
        {
            switch (p)
            {
                case KernelPath.Public: Kernels.AddScaled(y, x, a); break;
                case KernelPath.Scalar: ScalarKernels.AddScaled(y, x, a); break;
                case KernelPath.Vector128: Kernels128.AddScaled(y, x, a); break;
                case KernelPath.Vector256: Kernels256.AddScaled(y, x, a); break;
                default: Kernels512.AddScaled(y, x, a); break;
            }
        }

        private static void Add(KernelPath p, Span<float> y, ReadOnlySpan<float> x)
        {
            switch (p)
            {
                case KernelPath.Public: Kernels.Add(y, x); break;
                case KernelPath.Scalar: ScalarKernels.Add(y, x); break;
                case KernelPath.Vector128: Kernels128.Add(y, x); break;
                case KernelPath.Vector256: Kernels256.Add(y, x); break;
                default: Kernels512.Add(y, x); break;
            }
        }

        private static void Copy(KernelPath p, ReadOnlySpan<float> source, Span<float> destination)
        {
            switch (p)
            {
                case KernelPath.Public: Kernels.Copy(source, destination); break;
                case KernelPath.Scalar: source.CopyTo(destination); break;
                case KernelPath.Vector128: Kernels128.Copy(source, destination); break;
                case KernelPath.Vector256: Kernels256.Copy(source, destination); break;
                default: Kernels512.Copy(source, destination); break;
            }
        }

        private static void Multiply(KernelPath p, Span<float> y, ReadOnlySpan<float> x)
        {
            switch (p)
            {
                case KernelPath.Public: Kernels.Multiply(y, x); break;
                case KernelPath.Scalar: ScalarKernels.Multiply(y, x); break;
                case KernelPath.Vector128: Kernels128.Multiply(y, x); break;
                case KernelPath.Vector256: Kernels256.Multiply(y, x); break;
                default: Kernels512.Multiply(y, x); break;
            }
        }

        private static void Scale(KernelPath p, Span<float> y, float a)
        {
            switch (p)
            {
                case KernelPath.Public: Kernels.Scale(y, a); break;
                case KernelPath.Scalar: ScalarKernels.Scale(y, a); break;
                case KernelPath.Vector128: Kernels128.Scale(y, a); break;
                case KernelPath.Vector256: Kernels256.Scale(y, a); break;
                default: Kernels512.Scale(y, a); break;
            }
        }

        private static float SumOfSquares(KernelPath p, ReadOnlySpan<float> x) => p switch
        {
            KernelPath.Public => Kernels.SumOfSquares(x),
            KernelPath.Scalar => ScalarKernels.SumOfSquares(x),
            KernelPath.Vector128 => (float)Kernels128.SumOfSquares(x),
            KernelPath.Vector256 => (float)Kernels256.SumOfSquares(x),
            _ => (float)Kernels512.SumOfSquares(x),
        };

        private static void Clamp(KernelPath p, Span<float> y, float min, float max)
        {
            switch (p)
            {
                case KernelPath.Public: Kernels.Clamp(y, min, max); break;
                case KernelPath.Scalar: ScalarKernels.Clamp(y, min, max); break;
                case KernelPath.Vector128: Kernels128.Clamp(y, min, max); break;
                case KernelPath.Vector256: Kernels256.Clamp(y, min, max); break;
                default: Kernels512.Clamp(y, min, max); break;
            }
        }

        private static bool AllFinite(KernelPath p, ReadOnlySpan<float> x) => p switch
        {
            KernelPath.Public => Kernels.AllFinite(x),
            KernelPath.Scalar => ScalarKernels.AllFinite(x),
            KernelPath.Vector128 => Kernels128.AllFinite(x),
            KernelPath.Vector256 => Kernels256.AllFinite(x),
            _ => Kernels512.AllFinite(x),
        };

        private static void Softmax(KernelPath p, ReadOnlySpan<float> l, Span<float> y)
        {
            switch (p)
            {
                case KernelPath.Public: Kernels.Softmax(l, y); break;
                case KernelPath.Scalar: ScalarKernels.Softmax(l, y); break;
                case KernelPath.Vector128: Kernels128.Softmax(l, y); break;
                case KernelPath.Vector256: Kernels256.Softmax(l, y); break;
                default: Kernels512.Softmax(l, y); break;
            }
        }

        private static void Sgd(KernelPath p, Span<float> w, ReadOnlySpan<float> g, Span<float> b, float lr, float momentum, bool nesterov, float wd, bool first)
        {
            switch (p)
            {
                case KernelPath.Public: Kernels.SgdUpdate(w, g, b, lr, momentum, nesterov, wd, first); break;
                case KernelPath.Scalar: ScalarKernels.SgdUpdate(w, g, b, lr, momentum, nesterov, wd, first); break;
                case KernelPath.Vector128: Kernels128.SgdUpdate(w, g, b, lr, momentum, nesterov, wd, first); break;
                case KernelPath.Vector256: Kernels256.SgdUpdate(w, g, b, lr, momentum, nesterov, wd, first); break;
                default: Kernels512.SgdUpdate(w, g, b, lr, momentum, nesterov, wd, first); break;
            }
        }

        private static void Adam(KernelPath p, Span<float> w, ReadOnlySpan<float> g, Span<float> m, Span<float> v, float lr, float beta1, float beta2, float eps, float wd, bool decoupled, int step)
        {
            var k = new AdamCoefficients(lr, beta1, beta2, eps, wd, decoupled, step);
            switch (p)
            {
                case KernelPath.Public: Kernels.AdamUpdate(w, g, m, v, lr, beta1, beta2, eps, wd, decoupled, step); break;
                case KernelPath.Scalar: ScalarKernels.AdamUpdate(w, g, m, v, lr, beta1, beta2, eps, wd, decoupled, step); break;
                case KernelPath.Vector128: Kernels128.AdamUpdate(w, g, m, v, in k); break;
                case KernelPath.Vector256: Kernels256.AdamUpdate(w, g, m, v, in k); break;
                default: Kernels512.AdamUpdate(w, g, m, v, in k); break;
            }
        }

        private static void RmsProp(KernelPath p, Span<float> w, ReadOnlySpan<float> g, Span<float> sq, float lr, float alpha, float eps, float wd)
        {
            switch (p)
            {
                case KernelPath.Public: Kernels.RmsPropUpdate(w, g, sq, lr, alpha, eps, wd); break;
                case KernelPath.Scalar: ScalarKernels.RmsPropUpdate(w, g, sq, lr, alpha, eps, wd); break;
                case KernelPath.Vector128: Kernels128.RmsPropUpdate(w, g, sq, lr, alpha, eps, wd); break;
                case KernelPath.Vector256: Kernels256.RmsPropUpdate(w, g, sq, lr, alpha, eps, wd); break;
                default: Kernels512.RmsPropUpdate(w, g, sq, lr, alpha, eps, wd); break;
            }
        }

        // ---- data ----

        private static float[] RandomVector(Random random, int n, double scale = 1.0)
        {
            var v = new float[n];
            for (int i = 0; i < n; i++)
            {
                v[i] = (float)((random.NextDouble() * 2 - 1) * scale);
            }
            return v;
        }

        private static float[] IntegerVector(Random random, int n)
        {
            var v = new float[n];
            for (int i = 0; i < n; i++)
            {
                v[i] = random.Next(-8, 9);
            }
            return v;
        }

        private static void AssertClose(double expected, float actual, double tolerance, string what)
        {
            Assert.True(Math.Abs(actual - expected) <= tolerance, $"{what}: expected {expected:R}, got {actual:R} (|error| {Math.Abs(actual - expected):E3} > tolerance {tolerance:E3})");
        }

        private static void AssertSameBits(float[] expected, float[] actual, string what)
        {
            Assert.Equal(expected.Length, actual.Length);
            for (int i = 0; i < expected.Length; i++)
            {
                if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i]))
                {
                    Assert.Fail($"{what}[{i}]: scalar {expected[i]:R}, vector {actual[i]:R}");
                }
            }
        }

        // ---- Dot ----

        [Theory]
        [MemberData(nameof(PathsAndLengths))]
        public void DotMatchesDoubleReference(KernelPath path, int n)
        {
            var random = new Random(1000 + n);
            float[] a = RandomVector(random, n), b = RandomVector(random, n);
            double expected = 0, magnitude = 0;
            for (int i = 0; i < n; i++)
            {
                expected += (double)a[i] * b[i];
                magnitude += Math.Abs((double)a[i] * b[i]);
            }
            AssertClose(expected, Dot(path, a, b), (n + 2) * U * magnitude, $"Dot n={n}");
        }

        [Theory]
        [MemberData(nameof(PathsAndLengths))]
        public void DotIsExactOnSmallIntegers(KernelPath path, int n)
        {
            // Every partial sum is an integer below 2^24, so any summation order is exact: a skipped or doubled element shows.
            var random = new Random(2000 + n);
            float[] a = IntegerVector(random, n), b = IntegerVector(random, n);
            double expected = 0;
            for (int i = 0; i < n; i++)
            {
                expected += (double)a[i] * b[i];
            }
            Assert.Equal(expected, (double)Dot(path, a, b));
        }

        // ---- MatVecAdd / MatTransposeVecAdd / OuterAdd ----

        [Theory]
        [MemberData(nameof(PathsAndShapes))]
        public void MatVecAddMatchesDoubleReference(KernelPath path, int rows, int cols)
        {
            var random = new Random(rows * 1000 + cols);
            float[] m = RandomVector(random, rows * cols), x = RandomVector(random, cols), y = RandomVector(random, rows);
            var expected = new double[rows];
            var magnitude = new double[rows];
            for (int r = 0; r < rows; r++)
            {
                expected[r] = y[r];
                magnitude[r] = Math.Abs(y[r]);
                for (int c = 0; c < cols; c++)
                {
                    expected[r] += (double)m[r * cols + c] * x[c];
                    magnitude[r] += Math.Abs((double)m[r * cols + c] * x[c]);
                }
            }
            MatVecAdd(path, m, x, y);
            for (int r = 0; r < rows; r++)
            {
                AssertClose(expected[r], y[r], (cols + 3) * U * magnitude[r], $"MatVecAdd {rows}x{cols} row {r}");
            }
        }

        [Theory]
        [MemberData(nameof(PathsAndShapes))]
        public void MatVecAddIsExactOnSmallIntegers(KernelPath path, int rows, int cols)
        {
            var random = new Random(rows * 1000 + cols + 7);
            float[] m = IntegerVector(random, rows * cols), x = IntegerVector(random, cols), y = IntegerVector(random, rows);
            var expected = new float[rows];
            for (int r = 0; r < rows; r++)
            {
                double s = y[r];
                for (int c = 0; c < cols; c++)
                {
                    s += (double)m[r * cols + c] * x[c];
                }
                expected[r] = (float)s;
            }
            MatVecAdd(path, m, x, y);
            Assert.Equal(expected, y);
        }

        [Theory]
        [MemberData(nameof(PathsAndShapes))]
        public void MatTransposeVecAddMatchesDoubleReference(KernelPath path, int rows, int cols)
        {
            var random = new Random(rows * 1000 + cols + 1);
            float[] m = RandomVector(random, rows * cols), g = RandomVector(random, rows), y = RandomVector(random, cols);
            var expected = new double[cols];
            var magnitude = new double[cols];
            for (int c = 0; c < cols; c++)
            {
                expected[c] = y[c];
                magnitude[c] = Math.Abs(y[c]);
                for (int r = 0; r < rows; r++)
                {
                    expected[c] += (double)m[r * cols + c] * g[r];
                    magnitude[c] += Math.Abs((double)m[r * cols + c] * g[r]);
                }
            }
            MatTransposeVecAdd(path, m, g, y);
            for (int c = 0; c < cols; c++)
            {
                AssertClose(expected[c], y[c], (rows + 3) * U * magnitude[c], $"MatTransposeVecAdd {rows}x{cols} column {c}");
            }
        }

        [Theory]
        [MemberData(nameof(PathsAndShapes))]
        public void MatTransposeVecAddIsExactOnSmallIntegers(KernelPath path, int rows, int cols)
        {
            var random = new Random(rows * 1000 + cols + 8);
            float[] m = IntegerVector(random, rows * cols), g = IntegerVector(random, rows), y = IntegerVector(random, cols);
            var expected = new float[cols];
            for (int c = 0; c < cols; c++)
            {
                double s = y[c];
                for (int r = 0; r < rows; r++)
                {
                    s += (double)m[r * cols + c] * g[r];
                }
                expected[c] = (float)s;
            }
            MatTransposeVecAdd(path, m, g, y);
            Assert.Equal(expected, y);
        }

        [Theory]
        [MemberData(nameof(PathsAndShapes))]
        public void OuterAddMatchesDoubleReference(KernelPath path, int rows, int cols)
        {
            var random = new Random(rows * 1000 + cols + 2);
            float[] m = RandomVector(random, rows * cols), g = RandomVector(random, rows), x = RandomVector(random, cols);
            var before = (float[])m.Clone();
            OuterAdd(path, m, g, x);
            for (int r = 0; r < rows; r++)
            {
                for (int c = 0; c < cols; c++)
                {
                    double product = (double)g[r] * x[c];
                    double expected = before[r * cols + c] + product;
                    // product rounded, then the sum rounded: at most one ulp of each.
                    AssertClose(expected, m[r * cols + c], 2 * U * (Math.Abs(product) + Math.Abs(expected)), $"OuterAdd {rows}x{cols} [{r},{c}]");
                }
            }
        }

        // ---- elementwise ----

        [Theory]
        [MemberData(nameof(PathsAndLengths))]
        public void ElementwiseKernelsMatchDoubleReference(KernelPath path, int n)
        {
            var random = new Random(3000 + n);
            float[] x = RandomVector(random, n, 4), y0 = RandomVector(random, n, 4);
            const float a = -0.7312f;

            float[] y = (float[])y0.Clone();
            AddScaled(path, y, x, a);
            for (int i = 0; i < n; i++)
            {
                double p = (double)a * x[i];
                AssertClose(y0[i] + p, y[i], 2 * U * (Math.Abs(p) + Math.Abs(y0[i] + p)), $"AddScaled[{i}]");
            }

            y = (float[])y0.Clone();
            Add(path, y, x);
            for (int i = 0; i < n; i++)
            {
                AssertClose((double)y0[i] + x[i], y[i], U * Math.Abs((double)y0[i] + x[i]), $"Add[{i}]");
            }

            y = (float[])y0.Clone();
            Multiply(path, y, x);
            for (int i = 0; i < n; i++)
            {
                AssertClose((double)y0[i] * x[i], y[i], U * Math.Abs((double)y0[i] * x[i]), $"Multiply[{i}]");
            }

            y = (float[])y0.Clone();
            Scale(path, y, a);
            for (int i = 0; i < n; i++)
            {
                AssertClose((double)y0[i] * a, y[i], U * Math.Abs((double)y0[i] * a), $"Scale[{i}]");
            }
        }

        /// <summary>Copy moves every bit (NaN payloads, negative zero, subnormals included) into its window only, at lengths on both sides of its blocks of four vectors.</summary>
        [Theory]
        [MemberData(nameof(PathsAndCopyLengths))]
        public void CopyMovesEveryBitIntoItsWindowOnly(KernelPath path, int n)
        {
            var random = new Random(3700 + n);
            var source = new float[n + 3];
            for (int i = 0; i < source.Length; i++)
            {
                source[i] = BitConverter.Int32BitsToSingle(random.Next(int.MinValue, int.MaxValue));
            }
            source[1] = -0f;
            var buffer = new float[n + 10];
            buffer.AsSpan().Fill(7f);
            Copy(path, source.AsSpan(1, n), buffer.AsSpan(5, n));
            for (int i = 0; i < n; i++)
            {
                Assert.Equal(BitConverter.SingleToInt32Bits(source[1 + i]), BitConverter.SingleToInt32Bits(buffer[5 + i]));
            }
            for (int i = 0; i < 5; i++)
            {
                Assert.Equal(7f, buffer[i]);
                Assert.Equal(7f, buffer[n + 5 + i]);
            }
        }

        public static IEnumerable<object[]> PathsAndCopyLengths()
        {
            foreach (KernelPath path in Paths())
            {
                foreach (int n in new[] { 0, 1, 3, 4, 5, 15, 16, 17, 63, 64, 65, 79, 80, 127, 128, 129, 4096, 4099 })
                {
                    yield return new object[] { path, n };
                }
            }
        }

        [Theory]
        [MemberData(nameof(PathsAndLengths))]
        public void ElementwiseKernelsTouchOnlyTheirSpan(KernelPath path, int n)
        {
            // Work on a window in the middle of a larger array: the sentinels around it must survive.
            var random = new Random(3500 + n);
            float[] x = RandomVector(random, n + 10), buffer = new float[n + 10];
            buffer.AsSpan().Fill(7f);
            Span<float> window = buffer.AsSpan(5, n);
            ReadOnlySpan<float> xs = x.AsSpan(5, n);
            AddScaled(path, window, xs, 2f);
            Add(path, window, xs);
            Multiply(path, window, xs);
            Scale(path, window, 3f);
            Clamp(path, window, -1f, 1f);
            Softmax(path, xs, window);
            for (int i = 0; i < 5; i++)
            {
                Assert.Equal(7f, buffer[i]);
                Assert.Equal(7f, buffer[n + 5 + i]);
            }
        }

        [Theory]
        [MemberData(nameof(VectorPaths))]
        public void ElementwiseKernelsGiveScalarBits(KernelPath path)
        {
            foreach (int n in Lengths)
            {
                var random = new Random(4000 + n);
                float[] x = RandomVector(random, n, 3), y0 = RandomVector(random, n, 3), m0 = RandomVector(random, 5 * n), g = RandomVector(random, 5);
                float[] expected = (float[])y0.Clone(), actual = (float[])y0.Clone();
                ScalarKernels.AddScaled(expected, x, 1.37f);
                AddScaled(path, actual, x, 1.37f);
                ScalarKernels.Add(expected, x);
                Add(path, actual, x);
                ScalarKernels.Multiply(expected, x);
                Multiply(path, actual, x);
                ScalarKernels.Scale(expected, -0.3f);
                Scale(path, actual, -0.3f);
                ScalarKernels.Clamp(expected, -2f, 2.5f);
                Clamp(path, actual, -2f, 2.5f);
                AssertSameBits(expected, actual, $"elementwise n={n}");

                float[] me = (float[])m0.Clone(), ma = (float[])m0.Clone();
                ScalarKernels.OuterAdd(me, g, x);
                OuterAdd(path, ma, g, x);
                AssertSameBits(me, ma, $"OuterAdd n={n}");
            }
        }

        // ---- SumOfSquares ----

        [Theory]
        [MemberData(nameof(PathsAndLengths))]
        public void SumOfSquaresMatchesDoubleReference(KernelPath path, int n)
        {
            var random = new Random(5000 + n);
            float[] x = RandomVector(random, n, 10);
            double expected = 0;
            foreach (float v in x)
            {
                expected += (double)v * v;
            }
            // Accumulated in double: the only error is the final rounding to float.
            AssertClose(expected, SumOfSquares(path, x), U * 1.001 * expected, $"SumOfSquares n={n}");
        }

        [Theory]
        [MemberData(nameof(VectorPaths))]
        [InlineData(KernelPath.Scalar)]
        public void SumOfSquaresIsAccurateForSixteenMillionValues(KernelPath path)
        {
            const int n = 16 * 1024 * 1024 + 3;
            var random = new Random(6000);
            var x = new float[n];
            double expected = 0;
            float naive = 0;
            for (int i = 0; i < n; i++)
            {
                x[i] = (float)random.NextDouble();
                double v = x[i];
                expected += v * v;
                naive += x[i] * x[i];
            }
            // A plain float accumulator is far off here (so the test can tell), the kernel is not.
            Assert.True(Math.Abs(naive - expected) > 1e-3 * expected, $"naive float sum {naive} unexpectedly close to {expected}");
            AssertClose(expected, SumOfSquares(path, x), U * 1.001 * expected, "SumOfSquares 16M");
        }

        // ---- Clamp / AllFinite ----

        [Theory]
        [MemberData(nameof(PathsAndLengths))]
        public void ClampBoundsEveryElementAndKeepsNaN(KernelPath path, int n)
        {
            var random = new Random(7000 + n);
            float[] y = RandomVector(random, n, 5);
            if (n > 2)
            {
                y[n - 1] = float.NaN;
                y[n / 2] = float.PositiveInfinity;
                y[0] = float.NegativeInfinity;
            }
            float[] before = (float[])y.Clone();
            Clamp(path, y, -1.5f, 2f);
            for (int i = 0; i < n; i++)
            {
                float v = before[i];
                if (float.IsNaN(v))
                {
                    Assert.True(float.IsNaN(y[i]), $"Clamp[{i}] of NaN gave {y[i]}");
                }
                else
                {
                    Assert.Equal(Math.Min(2f, Math.Max(-1.5f, v)), y[i]);
                }
            }
        }

        [Theory]
        [MemberData(nameof(PathsAndLengths))]
        public void AllFiniteFindsNaNAndInfinityAtEveryPosition(KernelPath path, int n)
        {
            var random = new Random(8000 + n);
            float[] x = RandomVector(random, n, 1e30);
            if (n > 0)
            {
                x[0] = float.MaxValue;
                x[n - 1] = -float.Epsilon;
            }
            Assert.True(AllFinite(path, x));
            foreach (float bad in new[] { float.NaN, float.PositiveInfinity, float.NegativeInfinity, BitConverter.Int32BitsToSingle(-1) })
            {
                for (int i = 0; i < n; i++)
                {
                    float keep = x[i];
                    x[i] = bad;
                    Assert.False(AllFinite(path, x), $"AllFinite missed {bad} at {i} of {n}");
                    x[i] = keep;
                }
            }
        }

        // ---- Softmax ----

        [Theory]
        [MemberData(nameof(PathsAndLengths))]
        public void SoftmaxMatchesDoubleReference(KernelPath path, int n)
        {
            if (n == 0)
            {
                Softmax(path, ReadOnlySpan<float>.Empty, Span<float>.Empty);
                return;
            }
            var random = new Random(9000 + n);
            foreach (double offset in new[] { 0.0, 1000.0, -1000.0 })
            {
                float[] l = RandomVector(random, n, 10);
                for (int i = 0; i < n; i++)
                {
                    l[i] += (float)offset;
                }
                double max = double.NegativeInfinity;
                foreach (float v in l)
                {
                    max = Math.Max(max, v);
                }
                double sum = 0;
                foreach (float v in l)
                {
                    sum += Math.Exp(v - max);
                }
                var p = new float[n];
                Softmax(path, l, p);
                double total = 0;
                for (int i = 0; i < n; i++)
                {
                    // l - max is exact, exp is good to ~1.5 ulp, the float sum to n ulp, the reciprocal and product to 1 ulp each.
                    double expected = Math.Exp(l[i] - max) / sum;
                    AssertClose(expected, p[i], (n + 6) * U * expected, $"Softmax n={n} offset={offset} [{i}]");
                    total += p[i];
                }
                Assert.True(Math.Abs(total - 1) <= (2 * n + 6) * U, $"Softmax sums to {total:R}");

                // In place gives the same bits.
                float[] inPlace = (float[])l.Clone();
                Softmax(path, inPlace, inPlace);
                AssertSameBits(p, inPlace, "Softmax in place");
            }
        }

        [Theory]
        [MemberData(nameof(VectorPaths))]
        [InlineData(KernelPath.Scalar)]
        public void SoftmaxOfNaNOrInfiniteLogitIsNaNLikePyTorch(KernelPath path)
        {
            foreach (int n in Lengths)
            {
                foreach (float bad in new[] { float.NaN, float.PositiveInfinity })
                {
                    float[] l = RandomVector(new Random(n), n);
                    l[n / 2] = bad;
                    var p = new float[n];
                    Softmax(path, l, p);
                    foreach (float v in p)
                    {
                        Assert.True(float.IsNaN(v), $"softmax with {bad} at {n / 2} of {n} gave {v}");
                    }
                }
            }
        }

        // ---- optimizers: three steps against a double-precision PyTorch-formula reference ----

        private static readonly int[] OptimizerLengths = { 1, 7, 17, 37, 100 };

        public static IEnumerable<object[]> PathsAndOptimizerLengths()
        {
            foreach (KernelPath p in Paths())
            {
                foreach (int n in OptimizerLengths)
                {
                    yield return new object[] { p, n };
                }
            }
        }

        /// <summary>Parameters O(1) and gradients O(1), with every fifth gradient tiny so that epsilon matters.</summary>
        private static (float[] Parameters, float[][] Gradients) OptimizerData(int n, int seed)
        {
            var random = new Random(seed);
            float[] p = RandomVector(random, n);
            var g = new float[3][];
            for (int s = 0; s < 3; s++)
            {
                g[s] = RandomVector(random, n, 2);
                for (int i = 0; i < n; i += 5)
                {
                    g[s][i] *= 1e-7f;
                }
            }
            return (p, g);
        }

        private static void AssertState(double[] expected, double[] magnitude, float[] actual, double relative, string what)
        {
            for (int i = 0; i < expected.Length; i++)
            {
                AssertClose(expected[i], actual[i], relative * magnitude[i], $"{what}[{i}]");
            }
        }

        [Theory]
        [MemberData(nameof(PathsAndOptimizerLengths))]
        public void SgdThreeStepsMatchPyTorchFormulas(KernelPath path, int n)
        {
            foreach ((float momentum, bool nesterov, float wd) in new[] { (0f, false, 0f), (0f, false, 0.01f), (0.9f, false, 0f), (0.9f, true, 0f), (0.8f, true, 0.05f), (0.5f, false, 0.1f) })
            {
                const float lr = 0.1f;
                (float[] p, float[][] grads) = OptimizerData(n, 100 + n);
                var buf = momentum != 0f ? new float[n] : Array.Empty<float>();
                var ep = new double[n];
                var eb = new double[n];
                var mp = new double[n]; // magnitude of everything summed into p
                var mb = new double[n];
                for (int i = 0; i < n; i++)
                {
                    ep[i] = p[i];
                    mp[i] = Math.Abs(p[i]);
                }
                for (int s = 0; s < 3; s++)
                {
                    for (int i = 0; i < n; i++)
                    {
                        double g = grads[s][i] + (double)wd * ep[i];
                        double gm = Math.Abs(grads[s][i]) + Math.Abs((double)wd * ep[i]);
                        if (momentum != 0f)
                        {
                            eb[i] = s == 0 ? g : momentum * eb[i] + g;
                            mb[i] = s == 0 ? gm : momentum * mb[i] + gm;
                            if (nesterov)
                            {
                                g += momentum * eb[i];
                                gm += momentum * mb[i];
                            }
                            else
                            {
                                g = eb[i];
                                gm = mb[i];
                            }
                        }
                        ep[i] -= lr * g;
                        mp[i] += lr * gm;
                    }
                    Sgd(path, p, grads[s], buf, lr, momentum, nesterov, wd, s == 0);
                    string what = $"SGD(momentum {momentum}, nesterov {nesterov}, wd {wd}) step {s + 1} n={n}";
                    AssertState(ep, mp, p, 8 * (s + 1) * U, what + " p");
                    if (momentum != 0f)
                    {
                        AssertState(eb, mb, buf, 8 * (s + 1) * U, what + " buffer");
                    }
                }
            }
        }

        [Theory]
        [MemberData(nameof(PathsAndOptimizerLengths))]
        public void AdamThreeStepsMatchPyTorchFormulas(KernelPath path, int n)
        {
            foreach ((float beta1, float wd, bool decoupled) in new[] { (0.9f, 0f, false), (0.9f, 0.1f, false), (0.9f, 0.1f, true), (0.3f, 0.01f, true), (0.3f, 0.05f, false) })
            {
                const float lr = 0.05f, beta2 = 0.999f, eps = 1e-8f;
                (float[] p, float[][] grads) = OptimizerData(n, 200 + n);
                var m = new float[n];
                var v = new float[n];
                var ep = new double[n];
                var em = new double[n];
                var ev = new double[n];
                var mp = new double[n];
                var mm = new double[n];
                var mv = new double[n];
                for (int i = 0; i < n; i++)
                {
                    ep[i] = p[i];
                    mp[i] = Math.Abs(p[i]);
                }
                for (int s = 0; s < 3; s++)
                {
                    int step = s + 1;
                    double bc1 = 1 - Math.Pow(beta1, step);
                    double bc2 = 1 - Math.Pow(beta2, step);
                    for (int i = 0; i < n; i++)
                    {
                        double g = grads[s][i];
                        double gm = Math.Abs(g);
                        if (decoupled)
                        {
                            ep[i] *= 1 - (double)lr * wd;
                        }
                        else
                        {
                            g += (double)wd * ep[i];
                            gm += Math.Abs((double)wd * ep[i]);
                        }
                        em[i] += (g - em[i]) * (1 - (double)beta1);
                        mm[i] = Math.Max(mm[i], gm);
                        ev[i] = beta2 * ev[i] + (1 - (double)beta2) * g * g;
                        mv[i] = ev[i];
                        double update = lr / bc1 * em[i] / (Math.Sqrt(ev[i]) / Math.Sqrt(bc2) + eps);
                        ep[i] -= update;
                        mp[i] += Math.Abs(update);
                    }
                    Adam(path, p, grads[s], m, v, lr, beta1, beta2, eps, wd, decoupled, step);
                    string what = $"Adam(beta1 {beta1}, wd {wd}, decoupled {decoupled}) step {step} n={n}";
                    AssertState(ep, mp, p, 16 * step * U, what + " p");
                    AssertState(em, mm, m, 8 * step * U, what + " m");
                    AssertState(ev, mv, v, 8 * step * U, what + " v");
                }
            }
        }

        [Theory]
        [MemberData(nameof(PathsAndOptimizerLengths))]
        public void RmsPropThreeStepsMatchPyTorchFormulas(KernelPath path, int n)
        {
            foreach (float wd in new[] { 0f, 0.05f })
            {
                const float lr = 0.01f, alpha = 0.99f, eps = 1e-8f;
                (float[] p, float[][] grads) = OptimizerData(n, 300 + n);
                var sq = new float[n];
                var ep = new double[n];
                var es = new double[n];
                var mp = new double[n];
                for (int i = 0; i < n; i++)
                {
                    ep[i] = p[i];
                    mp[i] = Math.Abs(p[i]);
                }
                for (int s = 0; s < 3; s++)
                {
                    for (int i = 0; i < n; i++)
                    {
                        double g = grads[s][i] + (double)wd * ep[i];
                        es[i] = alpha * es[i] + (1 - (double)alpha) * g * g;
                        double update = lr * g / (Math.Sqrt(es[i]) + eps);
                        ep[i] -= update;
                        mp[i] += Math.Abs(update);
                    }
                    RmsProp(path, p, grads[s], sq, lr, alpha, eps, wd);
                    string what = $"RMSprop(wd {wd}) step {s + 1} n={n}";
                    AssertState(ep, mp, p, 16 * (s + 1) * U, what + " p");
                    AssertState(es, es, sq, 8 * (s + 1) * U, what + " square average");
                }
            }
        }

        [Fact]
        public void AdamFirstStepMovesEveryParameterByAboutLearningRate()
        {
            // Hand-checked property of Adam: after one step from zero moments, |Δp| = lr·|g|/(|g| + eps·sqrt(bc2)) ≈ lr.
            float[] p = { 1f, -2f, 0.5f };
            float[] g = { 3f, -0.25f, 1e-3f };
            var m = new float[3];
            var v = new float[3];
            Kernels.AdamUpdate(p, g, m, v, 0.01f, 0.9f, 0.999f, 1e-8f, 0f, false, 1);
            Assert.Equal(0.99f, p[0], 6);
            Assert.Equal(-1.99f, p[1], 6);
            Assert.Equal(0.49f, p[2], 5);
            Assert.Equal(0.3f, m[0], 6);
            Assert.Equal(0.009f, v[0], 6);
        }

        [Fact]
        public void SgdAcceptsEmptyMomentumBufferWithoutMomentum()
        {
            float[] p = { 1f, 2f, 3f };
            float[] g = { 1f, -1f, 0.5f };
            Kernels.SgdUpdate(p, g, Span<float>.Empty, 0.5f, 0f, false, 0f, true);
            Assert.Equal(new[] { 0.5f, 2.5f, 2.75f }, p);
        }

        [Theory]
        [MemberData(nameof(VectorPaths))]
        public void OptimizersGiveScalarBits(KernelPath path)
        {
            foreach (int n in OptimizerLengths)
            {
                (float[] p0, float[][] grads) = OptimizerData(n, 400 + n);
                float[] ps = (float[])p0.Clone(), pv = (float[])p0.Clone();
                float[] bs = new float[n], bv = new float[n], ms = new float[n], mv = new float[n], vs = new float[n], vv = new float[n];
                for (int s = 0; s < 3; s++)
                {
                    ScalarKernels.SgdUpdate(ps, grads[s], bs, 0.1f, 0.9f, true, 0.01f, s == 0);
                    Sgd(path, pv, grads[s], bv, 0.1f, 0.9f, true, 0.01f, s == 0);
                    ScalarKernels.AdamUpdate(ps, grads[s], ms, vs, 0.01f, 0.9f, 0.999f, 1e-8f, 0.01f, s == 1, s + 1);
                    Adam(path, pv, grads[s], mv, vv, 0.01f, 0.9f, 0.999f, 1e-8f, 0.01f, s == 1, s + 1);
                    ScalarKernels.RmsPropUpdate(ps, grads[s], vs, 0.01f, 0.99f, 1e-8f, 0.02f);
                    RmsProp(path, pv, grads[s], vv, 0.01f, 0.99f, 1e-8f, 0.02f);
                }
                AssertSameBits(ps, pv, $"optimizers n={n} p");
                AssertSameBits(bs, bv, $"optimizers n={n} momentum");
                AssertSameBits(ms, mv, $"optimizers n={n} m");
                AssertSameBits(vs, vv, $"optimizers n={n} v");
            }
        }

        // ---- argument checks and allocations ----

        /// <summary>Whether the runtime library was compiled with DEBUG (its Debug.Assert shape checks are live).</summary>
        private static readonly bool LibraryAssertsShapes =
            typeof(Kernels).Assembly.GetCustomAttributes(typeof(System.Diagnostics.DebuggableAttribute), false) is { Length: > 0 } attributes
            && ((System.Diagnostics.DebuggableAttribute)attributes[0]).IsJITOptimizerDisabled;

        /// <summary>
        /// The call must be refused: in a release build of the library by the span slicing
        /// (<see cref="ArgumentOutOfRangeException"/>), in a debug build by the shape assertion before it.
        /// </summary>
        private static void AssertRejected(Action call)
        {
            Exception e = Assert.ThrowsAny<Exception>(call);
            if (LibraryAssertsShapes && e is not ArgumentOutOfRangeException)
            {
                Assert.Contains("DebugAssert", e.GetType().Name, StringComparison.Ordinal);
            }
            else
            {
                Assert.IsType<ArgumentOutOfRangeException>(e);
            }
        }

        [Fact]
        public void TooShortArgumentsThrowInsteadOfReadingPastThem()
        {
            var m = new float[11];
            var x = new float[4];
            var y = new float[3];
            AssertRejected(() => Kernels.MatVecAdd(m, x, y));
            AssertRejected(() => Kernels.MatTransposeVecAdd(m, y, x));
            AssertRejected(() => Kernels.OuterAdd(m, y, x));
            AssertRejected(() => Kernels.Dot(x, y));
            AssertRejected(() => Kernels.Add(x, y));
            AssertRejected(() => Kernels.AddScaled(x, y, 1f));
            AssertRejected(() => Kernels.Multiply(x, y));
            AssertRejected(() => Kernels.Copy(x, y));
            AssertRejected(() => Kernels.Softmax(x, y));
            AssertRejected(() => Kernels.SgdUpdate(x, y, x, 0.1f, 0f, false, 0f, true));
            AssertRejected(() => Kernels.SgdUpdate(x, x, y, 0.1f, 0.9f, false, 0f, true));
            AssertRejected(() => Kernels.AdamUpdate(x, x, x, y, 0.1f, 0.9f, 0.999f, 1e-8f, 0f, false, 1));
            AssertRejected(() => Kernels.RmsPropUpdate(x, x, y, 0.1f, 0.99f, 1e-8f, 0f));
        }

        [Fact]
        public void KernelsDoNotAllocate()
        {
            const int rows = 33, cols = 17;
            var m = new float[rows * cols];
            var x = new float[cols];
            var g = new float[rows];
            var y = new float[rows];
            var z = new float[cols];
            var b = new float[rows * cols];
            var c = new float[rows * cols];
            var d = new float[rows * cols];
            for (int i = 0; i < m.Length; i++)
            {
                m[i] = (i % 7) * 0.01f;
            }
            float sink = 0;
            Allocations.AssertSteadyStateAllocatesNothing(Run, 1);
            Assert.False(float.IsNaN(sink));

            void Run()
            {
                for (int r = 0; r < 50; r++)
                {
                    sink += Kernels.Dot(m, b);
                    Kernels.MatVecAdd(m, x, y);
                    Kernels.MatTransposeVecAdd(m, g, z);
                    Kernels.OuterAdd(b, g, x);
                    Kernels.AddScaled(b, m, 0.5f);
                    Kernels.Add(b, m);
                    Kernels.Copy(m, c);
                    Kernels.Multiply(b, m);
                    Kernels.Scale(b, 0.5f);
                    sink += Kernels.SumOfSquares(b);
                    Kernels.Clamp(b, -1f, 1f);
                    sink += Kernels.AllFinite(b) ? 1f : 0f;
                    Kernels.Softmax(x, z);
                    Kernels.SgdUpdate(b, m, c, 0.01f, 0.9f, true, 0.01f, r == 0);
                    Kernels.SgdUpdate(b, m, Span<float>.Empty, 0.01f, 0f, false, 0f, r == 0);
                    Kernels.AdamUpdate(b, m, c, d, 0.01f, 0.9f, 0.999f, 1e-8f, 0.01f, true, r + 1);
                    Kernels.RmsPropUpdate(b, m, d, 0.01f, 0.99f, 1e-8f, 0f);
                    sink += ScalarKernels.Dot(m, b);
                    ScalarKernels.MatVecAdd(m, x, y);
                    ScalarKernels.Softmax(x, z);
                    ScalarKernels.AdamUpdate(b, m, c, d, 0.01f, 0.9f, 0.999f, 1e-8f, 0.01f, false, r + 1);
                }
            }
        }
    
        /// <summary>
        /// Transpose moves every element to its place and touches nothing else, for row and column counts on both sides of
        /// the 8 x 8 (AVX) and 4 x 4 register tiles and their blocks of 16 rows (whole blocks, whole tiles, the scalar rest;
        /// 26 rows take all three, 21 and 27 columns take 8 x 8 tiles, a 4 x 4 tile and single columns; .ci/run's
        /// no-intrinsics run takes only the scalar loop).
        /// </summary>
        [Theory]
        [InlineData(1, 1, 0)]
        [InlineData(3, 5, 0)]
        [InlineData(4, 4, 0)]
        [InlineData(5, 8, 3)]
        [InlineData(8, 13, 0)]
        [InlineData(9, 2, 7)]
        [InlineData(17, 33, 1)]
        [InlineData(26, 37, 3)]
        [InlineData(128, 32, 0)]
        [InlineData(16, 8, 0)]
        [InlineData(16, 21, 2)]
        [InlineData(35, 16, 1)]
        [InlineData(40, 27, 5)]
        [InlineData(128, 128, 0)]
        public void TransposePlacesEveryElement(int rows, int columns, int extraStride)
        {
            int stride = rows + extraStride;
            var source = new float[rows * columns];
            for (int i = 0; i < source.Length; i++) source[i] = i + 1;
            const float Sentinel = -7f;
            var destination = new float[(columns - 1) * stride + rows + 5];
            Array.Fill(destination, Sentinel);
            Kernels.Transpose(source, columns, destination, stride);
            var expected = new float[destination.Length];
            Array.Fill(expected, Sentinel);
            for (int r = 0; r < rows; r++)
            {
                for (int c = 0; c < columns; c++) expected[c * stride + r] = r * columns + c + 1;
            }
            Assert.Equal(expected, destination);
        }

        [Fact]
        public void TransposeIntoATooShortDestinationThrowsAndWritesNothing()
        {
            var source = new float[] { 1, 2, 3, 4, 5, 6, 7, 8 }; // 4 x 2
            var destination = new float[2 * 4 - 1];
            Assert.Throws<ArgumentOutOfRangeException>(() => Kernels.Transpose(source, 2, destination, 4));
            Assert.All(destination, v => Assert.Equal(0f, v));
        }
    }
}
