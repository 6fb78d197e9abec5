#if NET8_0_OR_GREATER
using System;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace RnnCodegen
{
    /// <summary>
    /// The kernels on <see cref="Vector512{T}"/>: full vectors here, the remainder handed to <see cref="Kernels256"/>
    /// (then <see cref="Kernels128"/>, then <see cref="ScalarKernels"/>). This file is the master copy:
    /// Kernels.Vector256.cs and Kernels.Vector128.cs are derived from it by the renamings their headers describe, so
    /// change this file first and carry the change over. Callers guarantee consistent lengths.
    /// </summary>
    internal static class Kernels512
    {
        /// <summary>Floats per vector.</summary>
        public const int Width = 16;

        /// <summary><c>a*b + c</c>, fused when the hardware can.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> MulAdd(Vector512<float> a, Vector512<float> b, Vector512<float> c)
        {
            if (Avx512F.IsSupported)
            {
                return Avx512F.FusedMultiplyAdd(a, b, c);
            }
            return a * b + c;
        }

        /// <summary>Lane-wise maximum, the hardware instruction (NaN semantics unspecified; callers fix NaN up).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Max(Vector512<float> a, Vector512<float> b) => Avx512F.IsSupported ? Avx512F.Max(a, b) : Vector512.Max(a, b);

        /// <summary>Lane-wise minimum, the hardware instruction (NaN semantics unspecified; callers fix NaN up).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Min(Vector512<float> a, Vector512<float> b) => Avx512F.IsSupported ? Avx512F.Min(a, b) : Vector512.Min(a, b);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector512<float> Load(ref float source, int offset) => Vector512.LoadUnsafe(ref source, (nuint)offset);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Store(Vector512<float> value, ref float destination, int offset) => value.StoreUnsafe(ref destination, (nuint)offset);

        /// <summary>Sum of the lanes.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float Sum(Vector512<float> v) => Kernels256.Sum(v.GetLower() + v.GetUpper());

        /// <summary>Adds the upper half of the lanes to the lower half.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Fold(Vector512<float> v) => v.GetLower() + v.GetUpper();

        /// <summary>Largest lane (NaN semantics unspecified).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float MaxAcross(Vector512<float> v) => Kernels256.MaxAcross(Kernels256.Max(v.GetLower(), v.GetUpper()));

        /// <summary>Σ a[i]*b[i] over <c>a.Length</c> elements.</summary>
        public static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
        {
            int n = a.Length;
            Debug.Assert(b.Length >= n);
            if (n < Width)
            {
                return Kernels256.Dot(a, b);
            }
            ref float ra = ref MemoryMarshal.GetReference(a);
            ref float rb = ref MemoryMarshal.GetReference(b);
            Vector512<float> s0 = Vector512<float>.Zero, s1 = Vector512<float>.Zero, s2 = Vector512<float>.Zero, s3 = Vector512<float>.Zero;
            int i = 0;
            for (; i <= n - 4 * Width; i += 4 * Width)
            {
                s0 = MulAdd(Load(ref ra, i), Load(ref rb, i), s0);
                s1 = MulAdd(Load(ref ra, i + Width), Load(ref rb, i + Width), s1);
                s2 = MulAdd(Load(ref ra, i + 2 * Width), Load(ref rb, i + 2 * Width), s2);
                s3 = MulAdd(Load(ref ra, i + 3 * Width), Load(ref rb, i + 3 * Width), s3);
            }
            for (; i <= n - Width; i += Width)
            {
                s0 = MulAdd(Load(ref ra, i), Load(ref rb, i), s0);
            }
            return Kernels256.DotFinish(Fold((s0 + s1) + (s2 + s3)), ref ra, ref rb, i, n);
        }

        /// <summary>
        /// Finishes a dot product whose elements before <paramref name="i"/> are summed in <paramref name="acc"/>:
        /// absorbs one more vector of this width if there is room, folds to the narrower width and lets it finish.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float DotFinish(Vector512<float> acc, ref float a, ref float b, int i, int n)
        {
            if (i <= n - Width)
            {
                acc = MulAdd(Load(ref a, i), Load(ref b, i), acc);
                i += Width;
            }
            return Kernels256.DotFinish(Fold(acc), ref a, ref b, i, n);
        }

        /// <summary>Four dot products of length <paramref name="n"/>: rows <c>m</c>, <c>m + stride</c>, <c>m + 2 stride</c>, <c>m + 3 stride</c> with <c>x</c>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<float> Dot4(ref float m, int stride, ref float x, int n)
        {
            if (n < Width)
            {
                return Kernels256.Dot4(ref m, stride, ref x, n);
            }
            ref float m0 = ref m;
            ref float m1 = ref Unsafe.Add(ref m, stride);
            ref float m2 = ref Unsafe.Add(ref m, 2 * stride);
            ref float m3 = ref Unsafe.Add(ref m, 3 * stride);
            Vector512<float> a0 = Vector512<float>.Zero, a1 = Vector512<float>.Zero, a2 = Vector512<float>.Zero, a3 = Vector512<float>.Zero;
            Vector512<float> b0 = Vector512<float>.Zero, b1 = Vector512<float>.Zero, b2 = Vector512<float>.Zero, b3 = Vector512<float>.Zero;
            int i = 0;
            for (; i <= n - 2 * Width; i += 2 * Width)
            {
                Vector512<float> xa = Load(ref x, i);
                Vector512<float> xb = Load(ref x, i + Width);
                a0 = MulAdd(Load(ref m0, i), xa, a0);
                a1 = MulAdd(Load(ref m1, i), xa, a1);
                a2 = MulAdd(Load(ref m2, i), xa, a2);
                a3 = MulAdd(Load(ref m3, i), xa, a3);
                b0 = MulAdd(Load(ref m0, i + Width), xb, b0);
                b1 = MulAdd(Load(ref m1, i + Width), xb, b1);
                b2 = MulAdd(Load(ref m2, i + Width), xb, b2);
                b3 = MulAdd(Load(ref m3, i + Width), xb, b3);
            }
            return Dot4Finish(a0 + b0, a1 + b1, a2 + b2, a3 + b3, ref m, stride, ref x, i, n);
        }

        /// <summary>
        /// Finishes four dot products whose elements before <paramref name="i"/> are summed in <paramref name="a0"/>..<paramref name="a3"/>:
        /// absorbs one more vector of this width if there is room, folds to the narrower width and lets it finish.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<float> Dot4Finish(Vector512<float> a0, Vector512<float> a1, Vector512<float> a2, Vector512<float> a3, ref float m, int stride, ref float x, int i, int n)
        {
            if (i <= n - Width)
            {
                Vector512<float> xa = Load(ref x, i);
                a0 = MulAdd(Load(ref m, i), xa, a0);
                a1 = MulAdd(Load(ref Unsafe.Add(ref m, stride), i), xa, a1);
                a2 = MulAdd(Load(ref Unsafe.Add(ref m, 2 * stride), i), xa, a2);
                a3 = MulAdd(Load(ref Unsafe.Add(ref m, 3 * stride), i), xa, a3);
                i += Width;
            }
            return Kernels256.Dot4Finish(Fold(a0), Fold(a1), Fold(a2), Fold(a3), ref m, stride, ref x, i, n);
        }

        /// <summary><c>y[r] += Σ_c M[r*cols+c]*x[c]</c>, rows = y.Length, cols = x.Length.</summary>
        public static void MatVecAdd(ReadOnlySpan<float> matrix, ReadOnlySpan<float> x, Span<float> y)
        {
            int rows = y.Length, cols = x.Length;
            Debug.Assert(matrix.Length >= rows * cols);
            if (cols == 1)
            {
                FusedAddScaled(y, matrix, x[0]);
                return;
            }
            if (cols < Width)
            {
                Kernels256.MatVecAdd(matrix, x, y);
                return;
            }
            ref float m = ref MemoryMarshal.GetReference(matrix);
            ref float xr = ref MemoryMarshal.GetReference(x);
            ref float yr = ref MemoryMarshal.GetReference(y);
            int r = 0;
            for (; r <= rows - 4; r += 4)
            {
                Vector128<float> s = Dot4(ref Unsafe.Add(ref m, r * cols), cols, ref xr, cols);
                (Vector128.LoadUnsafe(ref yr, (nuint)r) + s).StoreUnsafe(ref yr, (nuint)r);
            }
            for (; r < rows; r++)
            {
                Unsafe.Add(ref yr, r) += Dot(matrix.Slice(r * cols, cols), x);
            }
        }

        /// <summary><c>y[c] += Σ_r M[r*cols+c]*g[r]</c>, rows = g.Length, cols = y.Length.</summary>
        public static void MatTransposeVecAdd(ReadOnlySpan<float> matrix, ReadOnlySpan<float> g, Span<float> y)
        {
            Debug.Assert(matrix.Length >= g.Length * y.Length);
            if (y.Length == 1)
            {
                y[0] += Dot(matrix.Slice(0, g.Length), g);
                return;
            }
            MatTransposeVecAdd(ref MemoryMarshal.GetReference(matrix), y.Length, ref MemoryMarshal.GetReference(g), g.Length, ref MemoryMarshal.GetReference(y), y.Length);
        }

        /// <summary><c>y[c] += Σ_r m[r*stride+c]*g[r]</c> for c &lt; cols, r &lt; rows.</summary>
        public static void MatTransposeVecAdd(ref float m, int stride, ref float g, int rows, ref float y, int cols)
        {
            if (cols < Width)
            {
                Kernels256.MatTransposeVecAdd(ref m, stride, ref g, rows, ref y, cols);
                return;
            }
            int c = 0;
            for (; c <= cols - 4 * Width; c += 4 * Width)
            {
                Vector512<float> a0 = Load(ref y, c);
                Vector512<float> a1 = Load(ref y, c + Width);
                Vector512<float> a2 = Load(ref y, c + 2 * Width);
                Vector512<float> a3 = Load(ref y, c + 3 * Width);
                ref float row = ref Unsafe.Add(ref m, c);
                for (int r = 0; r < rows; r++)
                {
                    Vector512<float> gv = Vector512.Create(Unsafe.Add(ref g, r));
                    a0 = MulAdd(Load(ref row, 0), gv, a0);
                    a1 = MulAdd(Load(ref row, Width), gv, a1);
                    a2 = MulAdd(Load(ref row, 2 * Width), gv, a2);
                    a3 = MulAdd(Load(ref row, 3 * Width), gv, a3);
                    row = ref Unsafe.Add(ref row, stride);
                }
                Store(a0, ref y, c);
                Store(a1, ref y, c + Width);
                Store(a2, ref y, c + 2 * Width);
                Store(a3, ref y, c + 3 * Width);
            }
            for (; c <= cols - Width; c += Width)
            {
                Store(ColumnBlock(ref Unsafe.Add(ref m, c), stride, ref g, rows, Load(ref y, c)), ref y, c);
            }
            if (c < cols)
            {
                // The last columns: one block ending at cols, overlapping columns already done, which keep their values.
                int t = cols - Width;
                Vector512<float> old = Load(ref y, t);
                Vector512<float> updated = ColumnBlock(ref Unsafe.Add(ref m, t), stride, ref g, rows, old);
                Store(Vector512.ConditionalSelect(TailMask(c - t), updated, old), ref y, t);
            }
        }

        /// <summary><c>acc + Σ_r m[r*stride + 0..Width) * g[r]</c>, in four chains (rows modulo 4).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector512<float> ColumnBlock(ref float m, int stride, ref float g, int rows, Vector512<float> acc)
        {
            Vector512<float> a1 = Vector512<float>.Zero, a2 = Vector512<float>.Zero, a3 = Vector512<float>.Zero;
            ref float row = ref m;
            int r = 0;
            for (; r <= rows - 4; r += 4)
            {
                acc = MulAdd(Load(ref row, 0), Vector512.Create(Unsafe.Add(ref g, r)), acc);
                a1 = MulAdd(Load(ref row, stride), Vector512.Create(Unsafe.Add(ref g, r + 1)), a1);
                a2 = MulAdd(Load(ref row, 2 * stride), Vector512.Create(Unsafe.Add(ref g, r + 2)), a2);
                a3 = MulAdd(Load(ref row, 3 * stride), Vector512.Create(Unsafe.Add(ref g, r + 3)), a3);
                row = ref Unsafe.Add(ref row, 4 * stride);
            }
            for (; r < rows; r++)
            {
                acc = MulAdd(Load(ref row, 0), Vector512.Create(Unsafe.Add(ref g, r)), acc);
                row = ref Unsafe.Add(ref row, stride);
            }
            return (acc + a1) + (a2 + a3);
        }

        /// <summary>All-ones in the lanes at or after <paramref name="firstLane"/>, zero before.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector512<float> TailMask(int firstLane) =>
            Vector512.GreaterThanOrEqual(Vector512.Create(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15), Vector512.Create(firstLane)).AsSingle();

        /// <summary><c>M[r*cols+c] += g[r]*x[c]</c>, rows = g.Length, cols = x.Length (product rounded, then added: identical bits on every path).</summary>
        public static void OuterAdd(Span<float> matrix, ReadOnlySpan<float> g, ReadOnlySpan<float> x)
        {
            int rows = g.Length, cols = x.Length;
            Debug.Assert(matrix.Length >= rows * cols);
            if (cols == 1)
            {
                AddScaled(matrix.Slice(0, rows), g, x[0]);
                return;
            }
            OuterAdd(ref MemoryMarshal.GetReference(matrix), cols, ref MemoryMarshal.GetReference(g), rows, ref MemoryMarshal.GetReference(x), cols);
        }

        /// <summary><c>m[r*stride+c] += g[r]*x[c]</c> for c &lt; cols, r &lt; rows.</summary>
        public static void OuterAdd(ref float m, int stride, ref float g, int rows, ref float x, int cols)
        {
            if (cols < Width)
            {
                Kernels256.OuterAdd(ref m, stride, ref g, rows, ref x, cols);
                return;
            }
            int full = cols - cols % Width;
            // The last columns: one block ending at cols. It overlaps columns of the last full block, but is loaded
            // before that block is stored, so the overlap gets the same bits twice.
            int t = cols - Width;
            Vector512<float> xt = Load(ref x, t);
            ref float row = ref m;
            for (int r = 0; r < rows; r++)
            {
                Vector512<float> gv = Vector512.Create(Unsafe.Add(ref g, r));
                Vector512<float> tail = Load(ref row, t);
                for (int c = 0; c < full; c += Width)
                {
                    Store(Load(ref row, c) + Load(ref x, c) * gv, ref row, c);
                }
                if (full < cols)
                {
                    Store(tail + xt * gv, ref row, t);
                }
                row = ref Unsafe.Add(ref row, stride);
            }
        }

        /// <summary><c>y += a*x</c> (not fused: identical bits on every path).</summary>
        public static void AddScaled(Span<float> y, ReadOnlySpan<float> x, float a)
        {
            int n = y.Length;
            Debug.Assert(x.Length >= n);
            ref float yr = ref MemoryMarshal.GetReference(y);
            ref float xr = ref MemoryMarshal.GetReference(x);
            Vector512<float> av = Vector512.Create(a);
            int i = 0;
            for (; i <= n - Width; i += Width)
            {
                Store(Load(ref yr, i) + Load(ref xr, i) * av, ref yr, i);
            }
            if (i < n)
            {
                Kernels256.AddScaled(y.Slice(i), x.Slice(i), a);
            }
        }

        /// <summary><c>y[i] = x[i]*a + y[i]</c>, fused where the hardware can (the one-column matrix-vector product).</summary>
        public static void FusedAddScaled(Span<float> y, ReadOnlySpan<float> x, float a)
        {
            int n = y.Length;
            Debug.Assert(x.Length >= n);
            ref float yr = ref MemoryMarshal.GetReference(y);
            ref float xr = ref MemoryMarshal.GetReference(x);
            Vector512<float> av = Vector512.Create(a);
            int i = 0;
            for (; i <= n - Width; i += Width)
            {
                Store(MulAdd(Load(ref xr, i), av, Load(ref yr, i)), ref yr, i);
            }
            if (i < n)
            {
                Kernels256.FusedAddScaled(y.Slice(i), x.Slice(i), a);
            }
        }

        /// <summary><c>destination = source</c>, four vectors per iteration.</summary>
        public static void Copy(ReadOnlySpan<float> source, Span<float> destination)
        {
            int n = source.Length;
            Debug.Assert(destination.Length >= n);
            ref float sr = ref MemoryMarshal.GetReference(source);
            ref float dr = ref MemoryMarshal.GetReference(destination);
            int i = 0;
            for (; i <= n - 4 * Width; i += 4 * Width)
            {
                Vector512<float> a = Load(ref sr, i), b = Load(ref sr, i + Width), c = Load(ref sr, i + 2 * Width), d = Load(ref sr, i + 3 * Width);
                Store(a, ref dr, i);
                Store(b, ref dr, i + Width);
                Store(c, ref dr, i + 2 * Width);
                Store(d, ref dr, i + 3 * Width);
            }
            for (; i <= n - Width; i += Width)
            {
                Store(Load(ref sr, i), ref dr, i);
            }
            if (i < n)
            {
                Kernels256.Copy(source.Slice(i), destination.Slice(i));
            }
        }

        /// <summary><c>y += x</c>.</summary>
        public static void Add(Span<float> y, ReadOnlySpan<float> x)
        {
            int n = y.Length;
            Debug.Assert(x.Length >= n);
            ref float yr = ref MemoryMarshal.GetReference(y);
            ref float xr = ref MemoryMarshal.GetReference(x);
            int i = 0;
            for (; i <= n - Width; i += Width)
            {
                Store(Load(ref yr, i) + Load(ref xr, i), ref yr, i);
            }
            if (i < n)
            {
                Kernels256.Add(y.Slice(i), x.Slice(i));
            }
        }

        /// <summary><c>y *= x</c> elementwise.</summary>
        public static void Multiply(Span<float> y, ReadOnlySpan<float> x)
        {
            int n = y.Length;
            Debug.Assert(x.Length >= n);
            ref float yr = ref MemoryMarshal.GetReference(y);
            ref float xr = ref MemoryMarshal.GetReference(x);
            int i = 0;
            for (; i <= n - Width; i += Width)
            {
                Store(Load(ref yr, i) * Load(ref xr, i), ref yr, i);
            }
            if (i < n)
            {
                Kernels256.Multiply(y.Slice(i), x.Slice(i));
            }
        }

        /// <summary><c>y *= a</c>.</summary>
        public static void Scale(Span<float> y, float a)
        {
            int n = y.Length;
            ref float yr = ref MemoryMarshal.GetReference(y);
            Vector512<float> av = Vector512.Create(a);
            int i = 0;
            for (; i <= n - Width; i += Width)
            {
                Store(Load(ref yr, i) * av, ref yr, i);
            }
            if (i < n)
            {
                Kernels256.Scale(y.Slice(i), a);
            }
        }

        /// <summary>Σ x[i]² in double (each square is exact in double).</summary>
        public static double SumOfSquares(ReadOnlySpan<float> x)
        {
            int n = x.Length;
            if (n < Width)
            {
                return Kernels256.SumOfSquares(x);
            }
            ref float xr = ref MemoryMarshal.GetReference(x);
            Vector512<double> s0 = Vector512<double>.Zero, s1 = Vector512<double>.Zero, s2 = Vector512<double>.Zero, s3 = Vector512<double>.Zero;
            int i = 0;
            for (; i <= n - 2 * Width; i += 2 * Width)
            {
                (Vector512<double> l0, Vector512<double> u0) = Vector512.Widen(Load(ref xr, i));
                (Vector512<double> l1, Vector512<double> u1) = Vector512.Widen(Load(ref xr, i + Width));
                s0 += l0 * l0;
                s1 += u0 * u0;
                s2 += l1 * l1;
                s3 += u1 * u1;
            }
            if (i <= n - Width)
            {
                (Vector512<double> l0, Vector512<double> u0) = Vector512.Widen(Load(ref xr, i));
                s0 += l0 * l0;
                s1 += u0 * u0;
                i += Width;
            }
            double s = Vector512.Sum((s0 + s1) + (s2 + s3));
            if (i < n)
            {
                s += Kernels256.SumOfSquares(x.Slice(i));
            }
            return s;
        }

        /// <summary>Clamps every element to [min, max]; NaN stays NaN.</summary>
        public static void Clamp(Span<float> y, float min, float max)
        {
            int n = y.Length;
            ref float yr = ref MemoryMarshal.GetReference(y);
            Vector512<float> lo = Vector512.Create(min), hi = Vector512.Create(max);
            int i = 0;
            for (; i <= n - Width; i += Width)
            {
                Vector512<float> v = Load(ref yr, i);
                v = Vector512.ConditionalSelect(Vector512.LessThan(v, lo), lo, v);
                v = Vector512.ConditionalSelect(Vector512.GreaterThan(v, hi), hi, v);
                Store(v, ref yr, i);
            }
            if (i < n)
            {
                Kernels256.Clamp(y.Slice(i), min, max);
            }
        }

        /// <summary>Whether no element is NaN or infinite.</summary>
        public static bool AllFinite(ReadOnlySpan<float> x)
        {
            int n = x.Length;
            ref float xr = ref MemoryMarshal.GetReference(x);
            Vector512<int> magnitude = Vector512.Create(0x7FFFFFFF);
            Vector512<int> acc = Vector512<int>.Zero;
            int i = 0;
            for (; i <= n - Width; i += Width)
            {
                acc = Vector512.Max(acc, Load(ref xr, i).AsInt32() & magnitude);
            }
            if (Vector512.GreaterThanOrEqualAny(acc, Vector512.Create(0x7F800000)))
            {
                return false;
            }
            return i == n || Kernels256.AllFinite(x.Slice(i));
        }

        /// <summary>The largest element, -∞ for an empty span (a NaN element makes the softmax NaN either way).</summary>
        public static float MaxElement(ReadOnlySpan<float> x)
        {
            int n = x.Length;
            if (n < Width)
            {
                return Kernels256.MaxElement(x);
            }
            ref float xr = ref MemoryMarshal.GetReference(x);
            Vector512<float> acc = Vector512.Create(float.NegativeInfinity);
            int i = 0;
            for (; i <= n - Width; i += Width)
            {
                acc = Max(acc, Load(ref xr, i));
            }
            float m = MaxAcross(acc);
            if (i < n)
            {
                float t = Kernels256.MaxElement(x.Slice(i));
                m = t > m ? t : m;
            }
            return m;
        }

        /// <summary><c>y[i] = exp(x[i] - shift)</c>; returns Σ y[i].</summary>
        public static float ExpShiftSum(ReadOnlySpan<float> x, float shift, Span<float> y)
        {
            int n = x.Length;
            Debug.Assert(y.Length >= n);
            if (n < Width)
            {
                return Kernels256.ExpShiftSum(x, shift, y);
            }
            ref float xr = ref MemoryMarshal.GetReference(x);
            ref float yr = ref MemoryMarshal.GetReference(y);
            Vector512<float> sv = Vector512.Create(shift);
            Vector512<float> acc = Vector512<float>.Zero;
            int i = 0;
            for (; i <= n - Width; i += Width)
            {
                Vector512<float> e = Activations.Exp(Load(ref xr, i) - sv);
                Store(e, ref yr, i);
                acc += e;
            }
            float s = Sum(acc);
            if (i < n)
            {
                s += Kernels256.ExpShiftSum(x.Slice(i), shift, y.Slice(i));
            }
            return s;
        }

        /// <summary>Numerically stable softmax; <paramref name="probabilities"/> may be the same memory as <paramref name="logits"/>.</summary>
        public static void Softmax(ReadOnlySpan<float> logits, Span<float> probabilities)
        {
            float max = MaxElement(logits);
            float sum = ExpShiftSum(logits, max, probabilities);
            Scale(probabilities.Slice(0, logits.Length), 1f / sum);
        }

        /// <summary><c>y[i] = tanh(x[i])</c>.</summary>
        public static void Tanh(ReadOnlySpan<float> x, Span<float> y)
        {
            int n = x.Length;
            Debug.Assert(y.Length >= n);
            ref float xr = ref MemoryMarshal.GetReference(x);
            ref float yr = ref MemoryMarshal.GetReference(y);
            int i = 0;
            for (; i <= n - Width; i += Width)
            {
                Store(Activations.Tanh(Load(ref xr, i)), ref yr, i);
            }
            if (i < n)
            {
                Kernels256.Tanh(x.Slice(i), y.Slice(i));
            }
        }

        /// <summary><c>y[i] = sigmoid(x[i])</c>.</summary>
        public static void Sigmoid(ReadOnlySpan<float> x, Span<float> y)
        {
            int n = x.Length;
            Debug.Assert(y.Length >= n);
            ref float xr = ref MemoryMarshal.GetReference(x);
            ref float yr = ref MemoryMarshal.GetReference(y);
            int i = 0;
            for (; i <= n - Width; i += Width)
            {
                Store(Activations.Sigmoid(Load(ref xr, i)), ref yr, i);
            }
            if (i < n)
            {
                Kernels256.Sigmoid(x.Slice(i), y.Slice(i));
            }
        }

        /// <summary>SGD, same operations as <see cref="ScalarKernels.SgdUpdate"/> (identical bits).</summary>
        public static void SgdUpdate(Span<float> parameters, ReadOnlySpan<float> gradients, Span<float> momentumBuffer, float learningRate, float momentum, bool nesterov, float weightDecay, bool firstStep)
        {
            int n = parameters.Length;
            bool useMomentum = momentum != 0f;
            bool decay = weightDecay != 0f;
            Debug.Assert(gradients.Length >= n && (!useMomentum || momentumBuffer.Length >= n));
            ref float pr = ref MemoryMarshal.GetReference(parameters);
            ref float gr = ref MemoryMarshal.GetReference(gradients);
            ref float br = ref MemoryMarshal.GetReference(momentumBuffer);
            Vector512<float> negLr = Vector512.Create(-learningRate);
            Vector512<float> wd = Vector512.Create(weightDecay);
            Vector512<float> mu = Vector512.Create(momentum);
            int i = 0;
            for (; i <= n - Width; i += Width)
            {
                Vector512<float> p = Load(ref pr, i);
                Vector512<float> g = Load(ref gr, i);
                if (decay)
                {
                    g += p * wd;
                }
                if (useMomentum)
                {
                    Vector512<float> b = firstStep ? g : Load(ref br, i) * mu + g;
                    Store(b, ref br, i);
                    g = nesterov ? g + b * mu : b;
                }
                Store(p + g * negLr, ref pr, i);
            }
            if (i < n)
            {
                Kernels256.SgdUpdate(parameters.Slice(i), gradients.Slice(i), useMomentum ? momentumBuffer.Slice(i) : default, learningRate, momentum, nesterov, weightDecay, firstStep);
            }
        }

        /// <summary>Adam/AdamW, same operations as <see cref="ScalarKernels.AdamUpdate(Span{float}, ReadOnlySpan{float}, Span{float}, Span{float}, in AdamCoefficients)"/> (identical bits).</summary>
        public static void AdamUpdate(Span<float> parameters, ReadOnlySpan<float> gradients, Span<float> m, Span<float> v, in AdamCoefficients k)
        {
            int n = parameters.Length;
            Debug.Assert(gradients.Length >= n && m.Length >= n && v.Length >= n);
            ref float pr = ref MemoryMarshal.GetReference(parameters);
            ref float gr = ref MemoryMarshal.GetReference(gradients);
            ref float mr = ref MemoryMarshal.GetReference(m);
            ref float vr = ref MemoryMarshal.GetReference(v);
            Vector512<float> scale = Vector512.Create(k.ParameterScale);
            Vector512<float> decay = Vector512.Create(k.GradientDecay);
            bool coupled = k.GradientDecay != 0f;
            bool lerpSmall = k.LerpSmall;
            Vector512<float> w = Vector512.Create(k.LerpWeight);
            Vector512<float> wc = Vector512.Create(k.LerpComplement);
            Vector512<float> beta2 = Vector512.Create(k.Beta2);
            Vector512<float> omb2 = Vector512.Create(k.OneMinusBeta2);
            Vector512<float> bc2 = Vector512.Create(k.BiasCorrection2Sqrt);
            Vector512<float> eps = Vector512.Create(k.Epsilon);
            Vector512<float> nss = Vector512.Create(k.NegativeStepSize);
            int i = 0;
            for (; i <= n - Width; i += Width)
            {
                Vector512<float> p = Load(ref pr, i) * scale;
                Vector512<float> g = Load(ref gr, i);
                if (coupled)
                {
                    g += p * decay;
                }
                Vector512<float> mi = Load(ref mr, i);
                Vector512<float> d = g - mi;
                mi = lerpSmall ? mi + w * d : g - d * wc;
                Store(mi, ref mr, i);
                Vector512<float> vi = Load(ref vr, i) * beta2;
                vi += omb2 * g * g;
                Store(vi, ref vr, i);
                Vector512<float> denom = Vector512.Sqrt(vi) / bc2 + eps;
                Store(p + nss * mi / denom, ref pr, i);
            }
            if (i < n)
            {
                Kernels256.AdamUpdate(parameters.Slice(i), gradients.Slice(i), m.Slice(i), v.Slice(i), in k);
            }
        }

        /// <summary>RMSprop, same operations as <see cref="ScalarKernels.RmsPropUpdate"/> (identical bits).</summary>
        public static void RmsPropUpdate(Span<float> parameters, ReadOnlySpan<float> gradients, Span<float> squareAverage, float learningRate, float alpha, float epsilon, float weightDecay)
        {
            int n = parameters.Length;
            Debug.Assert(gradients.Length >= n && squareAverage.Length >= n);
            ref float pr = ref MemoryMarshal.GetReference(parameters);
            ref float gr = ref MemoryMarshal.GetReference(gradients);
            ref float sr = ref MemoryMarshal.GetReference(squareAverage);
            bool decay = weightDecay != 0f;
            Vector512<float> wd = Vector512.Create(weightDecay);
            Vector512<float> a = Vector512.Create(alpha);
            Vector512<float> oma = Vector512.Create((float)(1.0 - alpha));
            Vector512<float> eps = Vector512.Create(epsilon);
            Vector512<float> negLr = Vector512.Create(-learningRate);
            int i = 0;
            for (; i <= n - Width; i += Width)
            {
                Vector512<float> p = Load(ref pr, i);
                Vector512<float> g = Load(ref gr, i);
                if (decay)
                {
                    g += p * wd;
                }
                Vector512<float> sq = Load(ref sr, i) * a;
                sq += oma * g * g;
                Store(sq, ref sr, i);
                Vector512<float> avg = Vector512.Sqrt(sq) + eps;
                Store(p + negLr * g / avg, ref pr, i);
            }
            if (i < n)
            {
                Kernels256.RmsPropUpdate(parameters.Slice(i), gradients.Slice(i), squareAverage.Slice(i), learningRate, alpha, epsilon, weightDecay);
            }
        }
    }
}
#endif
