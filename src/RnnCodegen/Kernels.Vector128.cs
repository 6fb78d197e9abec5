#if NET8_0_OR_GREATER
using System;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace RnnCodegen
{
    /// <summary>
    /// The kernels on <see cref="Vector128{T}"/>: full vectors here, the remainder handed to <see cref="ScalarKernels"/>.
    /// Generated from Kernels.Vector512.cs by renaming (Vector512 to Vector128, Kernels256 to ScalarKernels, the
    /// AVX-512 intrinsics to SSE/FMA/AdvSimd ones) with scalar tails for the ref-based kernels; keep them in step.
    /// Callers guarantee consistent lengths.
    /// </summary>
    internal static class Kernels128
    {
        /// <summary>Floats per vector.</summary>
        public const int Width = 4;

        /// <summary><c>a*b + c</c>, fused when the hardware can.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<float> MulAdd(Vector128<float> a, Vector128<float> b, Vector128<float> c)
        {
            if (Fma.IsSupported)
            {
                return Fma.MultiplyAdd(a, b, c);
            }
            if (AdvSimd.IsSupported)
            {
                return AdvSimd.FusedMultiplyAdd(c, a, b);
            }
            return a * b + c;
        }

        /// <summary>Lane-wise maximum, the hardware instruction (NaN semantics unspecified; callers fix NaN up).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<float> Max(Vector128<float> a, Vector128<float> b) => Sse.IsSupported ? Sse.Max(a, b) : AdvSimd.IsSupported ? AdvSimd.Max(a, b) : Vector128.Max(a, b);

        /// <summary>Lane-wise minimum, the hardware instruction (NaN semantics unspecified; callers fix NaN up).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<float> Min(Vector128<float> a, Vector128<float> b) => Sse.IsSupported ? Sse.Min(a, b) : AdvSimd.IsSupported ? AdvSimd.Min(a, b) : Vector128.Min(a, b);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector128<float> Load(ref float source, int offset) => Vector128.LoadUnsafe(ref source, (nuint)offset);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Store(Vector128<float> value, ref float destination, int offset) => value.StoreUnsafe(ref destination, (nuint)offset);

        /// <summary>Sum of the lanes.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float Sum(Vector128<float> v) => Vector128.Sum(v);

        /// <summary>The sums of four vectors, as the four lanes of one.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<float> Sum4(Vector128<float> a, Vector128<float> b, Vector128<float> c, Vector128<float> d)
        {
            if (Sse3.IsSupported)
            {
                return Sse3.HorizontalAdd(Sse3.HorizontalAdd(a, b), Sse3.HorizontalAdd(c, d));
            }
            if (AdvSimd.Arm64.IsSupported)
            {
                return AdvSimd.Arm64.AddPairwise(AdvSimd.Arm64.AddPairwise(a, b), AdvSimd.Arm64.AddPairwise(c, d));
            }
            return Vector128.Create(Vector128.Sum(a), Vector128.Sum(b), Vector128.Sum(c), Vector128.Sum(d));
        }

        /// <summary>Largest lane (NaN semantics unspecified).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float MaxAcross(Vector128<float> v)
        {
            float a = v.GetElement(0), b = v.GetElement(1), c = v.GetElement(2), d = v.GetElement(3);
            a = b > a ? b : a;
            c = d > c ? d : c;
            return c > a ? c : a;
        }

        /// <summary>Σ a[i]*b[i] over <c>a.Length</c> elements.</summary>
        public static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
        {
            int n = a.Length;
            Debug.Assert(b.Length >= n);
            if (n < Width)
            {
                return ScalarKernels.Dot(a, b);
            }
            ref float ra = ref MemoryMarshal.GetReference(a);
            ref float rb = ref MemoryMarshal.GetReference(b);
            Vector128<float> s0 = Vector128<float>.Zero, s1 = Vector128<float>.Zero, s2 = Vector128<float>.Zero, s3 = Vector128<float>.Zero;
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
            return DotFinish((s0 + s1) + (s2 + s3), ref ra, ref rb, i, n);
        }

        /// <summary>
        /// Finishes a dot product whose elements before <paramref name="i"/> are summed in <paramref name="acc"/>:
        /// absorbs one more vector if there is room, sums the lanes and adds the last elements one by one.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float DotFinish(Vector128<float> acc, ref float a, ref float b, int i, int n)
        {
            if (i <= n - Width)
            {
                acc = MulAdd(Load(ref a, i), Load(ref b, i), acc);
                i += Width;
            }
            float s = Vector128.Sum(acc);
            for (; i < n; i++)
            {
                s = ScalarMath.MulAdd(Unsafe.Add(ref a, i), Unsafe.Add(ref b, i), s);
            }
            return s;
        }

        /// <summary>Four dot products of length <paramref name="n"/>: rows <c>m</c>, <c>m + stride</c>, <c>m + 2 stride</c>, <c>m + 3 stride</c> with <c>x</c>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<float> Dot4(ref float m, int stride, ref float x, int n)
        {
            ref float m0 = ref m;
            ref float m1 = ref Unsafe.Add(ref m, stride);
            ref float m2 = ref Unsafe.Add(ref m, 2 * stride);
            ref float m3 = ref Unsafe.Add(ref m, 3 * stride);
            Vector128<float> a0 = Vector128<float>.Zero, a1 = Vector128<float>.Zero, a2 = Vector128<float>.Zero, a3 = Vector128<float>.Zero;
            Vector128<float> b0 = Vector128<float>.Zero, b1 = Vector128<float>.Zero, b2 = Vector128<float>.Zero, b3 = Vector128<float>.Zero;
            int i = 0;
            for (; i <= n - 2 * Width; i += 2 * Width)
            {
                Vector128<float> xa = Load(ref x, i);
                Vector128<float> xb = Load(ref x, i + Width);
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
        /// absorbs one more vector if there is room, sums the lanes and adds the last elements one by one.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<float> Dot4Finish(Vector128<float> a0, Vector128<float> a1, Vector128<float> a2, Vector128<float> a3, ref float m, int stride, ref float x, int i, int n)
        {
            if (i <= n - Width)
            {
                Vector128<float> xa = Load(ref x, i);
                a0 = MulAdd(Load(ref m, i), xa, a0);
                a1 = MulAdd(Load(ref Unsafe.Add(ref m, stride), i), xa, a1);
                a2 = MulAdd(Load(ref Unsafe.Add(ref m, 2 * stride), i), xa, a2);
                a3 = MulAdd(Load(ref Unsafe.Add(ref m, 3 * stride), i), xa, a3);
                i += Width;
            }
            Vector128<float> s = Sum4(a0, a1, a2, a3);
            if (i < n)
            {
                ref float m1 = ref Unsafe.Add(ref m, stride);
                ref float m2 = ref Unsafe.Add(ref m, 2 * stride);
                ref float m3 = ref Unsafe.Add(ref m, 3 * stride);
                float t0 = 0f, t1 = 0f, t2 = 0f, t3 = 0f;
                for (; i < n; i++)
                {
                    float xi = Unsafe.Add(ref x, i);
                    t0 = ScalarMath.MulAdd(Unsafe.Add(ref m, i), xi, t0);
                    t1 = ScalarMath.MulAdd(Unsafe.Add(ref m1, i), xi, t1);
                    t2 = ScalarMath.MulAdd(Unsafe.Add(ref m2, i), xi, t2);
                    t3 = ScalarMath.MulAdd(Unsafe.Add(ref m3, i), xi, t3);
                }
                s += Vector128.Create(t0, t1, t2, t3);
            }
            return s;
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
                ScalarKernels.MatVecAdd(matrix, x, y);
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
                for (int j = 0; j < cols; j++)
                {
                    float s0 = Unsafe.Add(ref y, j), s1 = 0f;
                    ref float row = ref Unsafe.Add(ref m, j);
                    int r = 0;
                    for (; r <= rows - 2; r += 2)
                    {
                        s0 = ScalarMath.MulAdd(row, Unsafe.Add(ref g, r), s0);
                        s1 = ScalarMath.MulAdd(Unsafe.Add(ref row, stride), Unsafe.Add(ref g, r + 1), s1);
                        row = ref Unsafe.Add(ref row, 2 * stride);
                    }
                    if (r < rows)
                    {
                        s0 = ScalarMath.MulAdd(row, Unsafe.Add(ref g, r), s0);
                    }
                    Unsafe.Add(ref y, j) = s0 + s1;
                }
                return;
            }
            int c = 0;
            for (; c <= cols - 4 * Width; c += 4 * Width)
            {
                Vector128<float> a0 = Load(ref y, c);
                Vector128<float> a1 = Load(ref y, c + Width);
                Vector128<float> a2 = Load(ref y, c + 2 * Width);
                Vector128<float> a3 = Load(ref y, c + 3 * Width);
                ref float row = ref Unsafe.Add(ref m, c);
                for (int r = 0; r < rows; r++)
                {
                    Vector128<float> gv = Vector128.Create(Unsafe.Add(ref g, r));
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
                Vector128<float> old = Load(ref y, t);
                Vector128<float> updated = ColumnBlock(ref Unsafe.Add(ref m, t), stride, ref g, rows, old);
                Store(Vector128.ConditionalSelect(TailMask(c - t), updated, old), ref y, t);
            }
        }

        /// <summary><c>acc + Σ_r m[r*stride + 0..Width) * g[r]</c>, in four chains (rows modulo 4).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector128<float> ColumnBlock(ref float m, int stride, ref float g, int rows, Vector128<float> acc)
        {
            Vector128<float> a1 = Vector128<float>.Zero, a2 = Vector128<float>.Zero, a3 = Vector128<float>.Zero;
            ref float row = ref m;
            int r = 0;
            for (; r <= rows - 4; r += 4)
            {
                acc = MulAdd(Load(ref row, 0), Vector128.Create(Unsafe.Add(ref g, r)), acc);
                a1 = MulAdd(Load(ref row, stride), Vector128.Create(Unsafe.Add(ref g, r + 1)), a1);
                a2 = MulAdd(Load(ref row, 2 * stride), Vector128.Create(Unsafe.Add(ref g, r + 2)), a2);
                a3 = MulAdd(Load(ref row, 3 * stride), Vector128.Create(Unsafe.Add(ref g, r + 3)), a3);
                row = ref Unsafe.Add(ref row, 4 * stride);
            }
            for (; r < rows; r++)
            {
                acc = MulAdd(Load(ref row, 0), Vector128.Create(Unsafe.Add(ref g, r)), acc);
                row = ref Unsafe.Add(ref row, stride);
            }
            return (acc + a1) + (a2 + a3);
        }

        /// <summary>All-ones in the lanes at or after <paramref name="firstLane"/>, zero before.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector128<float> TailMask(int firstLane) =>
            Vector128.GreaterThanOrEqual(Vector128.Create(0, 1, 2, 3), Vector128.Create(firstLane)).AsSingle();

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
                ref float r0 = ref m;
                for (int r = 0; r < rows; r++)
                {
                    float gr = Unsafe.Add(ref g, r);
                    for (int j = 0; j < cols; j++)
                    {
                        Unsafe.Add(ref r0, j) += (float)(Unsafe.Add(ref x, j) * gr);
                    }
                    r0 = ref Unsafe.Add(ref r0, stride);
                }
                return;
            }
            int full = cols - cols % Width;
            // The last columns: one block ending at cols. It overlaps columns of the last full block, but is loaded
            // before that block is stored, so the overlap gets the same bits twice.
            int t = cols - Width;
            Vector128<float> xt = Load(ref x, t);
            ref float row = ref m;
            for (int r = 0; r < rows; r++)
            {
                Vector128<float> gv = Vector128.Create(Unsafe.Add(ref g, r));
                Vector128<float> tail = Load(ref row, t);
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
            Vector128<float> av = Vector128.Create(a);
            int i = 0;
            for (; i <= n - Width; i += Width)
            {
                Store(Load(ref yr, i) + Load(ref xr, i) * av, ref yr, i);
            }
            if (i < n)
            {
                ScalarKernels.AddScaled(y.Slice(i), x.Slice(i), a);
            }
        }

        /// <summary><c>y[i] = x[i]*a + y[i]</c>, fused where the hardware can (the one-column matrix-vector product).</summary>
        public static void FusedAddScaled(Span<float> y, ReadOnlySpan<float> x, float a)
        {
            int n = y.Length;
            Debug.Assert(x.Length >= n);
            ref float yr = ref MemoryMarshal.GetReference(y);
            ref float xr = ref MemoryMarshal.GetReference(x);
            Vector128<float> av = Vector128.Create(a);
            int i = 0;
            for (; i <= n - Width; i += Width)
            {
                Store(MulAdd(Load(ref xr, i), av, Load(ref yr, i)), ref yr, i);
            }
            if (i < n)
            {
                ScalarKernels.FusedAddScaled(y.Slice(i), x.Slice(i), a);
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
                Vector128<float> a = Load(ref sr, i), b = Load(ref sr, i + Width), c = Load(ref sr, i + 2 * Width), d = Load(ref sr, i + 3 * Width);
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
                source.Slice(i).CopyTo(destination.Slice(i));
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
                ScalarKernels.Add(y.Slice(i), x.Slice(i));
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
                ScalarKernels.Multiply(y.Slice(i), x.Slice(i));
            }
        }

        /// <summary><c>y *= a</c>.</summary>
        public static void Scale(Span<float> y, float a)
        {
            int n = y.Length;
            ref float yr = ref MemoryMarshal.GetReference(y);
            Vector128<float> av = Vector128.Create(a);
            int i = 0;
            for (; i <= n - Width; i += Width)
            {
                Store(Load(ref yr, i) * av, ref yr, i);
            }
            if (i < n)
            {
                ScalarKernels.Scale(y.Slice(i), a);
            }
        }

        /// <summary>Σ x[i]² in double (each square is exact in double).</summary>
        public static double SumOfSquares(ReadOnlySpan<float> x)
        {
            int n = x.Length;
            if (n < Width)
            {
                return ScalarKernels.SumOfSquaresDouble(x);
            }
            ref float xr = ref MemoryMarshal.GetReference(x);
            Vector128<double> s0 = Vector128<double>.Zero, s1 = Vector128<double>.Zero, s2 = Vector128<double>.Zero, s3 = Vector128<double>.Zero;
            int i = 0;
            for (; i <= n - 2 * Width; i += 2 * Width)
            {
                (Vector128<double> l0, Vector128<double> u0) = Vector128.Widen(Load(ref xr, i));
                (Vector128<double> l1, Vector128<double> u1) = Vector128.Widen(Load(ref xr, i + Width));
                s0 += l0 * l0;
                s1 += u0 * u0;
                s2 += l1 * l1;
                s3 += u1 * u1;
            }
            if (i <= n - Width)
            {
                (Vector128<double> l0, Vector128<double> u0) = Vector128.Widen(Load(ref xr, i));
                s0 += l0 * l0;
                s1 += u0 * u0;
                i += Width;
            }
            double s = Vector128.Sum((s0 + s1) + (s2 + s3));
            if (i < n)
            {
                s += ScalarKernels.SumOfSquaresDouble(x.Slice(i));
            }
            return s;
        }

        /// <summary>Clamps every element to [min, max]; NaN stays NaN.</summary>
        public static void Clamp(Span<float> y, float min, float max)
        {
            int n = y.Length;
            ref float yr = ref MemoryMarshal.GetReference(y);
            Vector128<float> lo = Vector128.Create(min), hi = Vector128.Create(max);
            int i = 0;
            for (; i <= n - Width; i += Width)
            {
                Vector128<float> v = Load(ref yr, i);
                v = Vector128.ConditionalSelect(Vector128.LessThan(v, lo), lo, v);
                v = Vector128.ConditionalSelect(Vector128.GreaterThan(v, hi), hi, v);
                Store(v, ref yr, i);
            }
            if (i < n)
            {
                ScalarKernels.Clamp(y.Slice(i), min, max);
            }
        }

        /// <summary>Whether no element is NaN or infinite.</summary>
        public static bool AllFinite(ReadOnlySpan<float> x)
        {
            int n = x.Length;
            ref float xr = ref MemoryMarshal.GetReference(x);
            Vector128<int> magnitude = Vector128.Create(0x7FFFFFFF);
            Vector128<int> acc = Vector128<int>.Zero;
            int i = 0;
            for (; i <= n - Width; i += Width)
            {
                acc = Vector128.Max(acc, Load(ref xr, i).AsInt32() & magnitude);
            }
            if (Vector128.GreaterThanOrEqualAny(acc, Vector128.Create(0x7F800000)))
            {
                return false;
            }
            return i == n || ScalarKernels.AllFinite(x.Slice(i));
        }

        /// <summary>The largest element, -∞ for an empty span (a NaN element makes the softmax NaN either way).</summary>
        public static float MaxElement(ReadOnlySpan<float> x)
        {
            int n = x.Length;
            if (n < Width)
            {
                return ScalarKernels.MaxElement(x);
            }
            ref float xr = ref MemoryMarshal.GetReference(x);
            Vector128<float> acc = Vector128.Create(float.NegativeInfinity);
            int i = 0;
            for (; i <= n - Width; i += Width)
            {
                acc = Max(acc, Load(ref xr, i));
            }
            float m = MaxAcross(acc);
            if (i < n)
            {
                float t = ScalarKernels.MaxElement(x.Slice(i));
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
                return ScalarKernels.ExpShiftSum(x, shift, y);
            }
            ref float xr = ref MemoryMarshal.GetReference(x);
            ref float yr = ref MemoryMarshal.GetReference(y);
            Vector128<float> sv = Vector128.Create(shift);
            Vector128<float> acc = Vector128<float>.Zero;
            int i = 0;
            for (; i <= n - Width; i += Width)
            {
                Vector128<float> e = Activations.Exp(Load(ref xr, i) - sv);
                Store(e, ref yr, i);
                acc += e;
            }
            float s = Sum(acc);
            if (i < n)
            {
                s += ScalarKernels.ExpShiftSum(x.Slice(i), shift, y.Slice(i));
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
                ScalarKernels.Tanh(x.Slice(i), y.Slice(i));
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
                ScalarKernels.Sigmoid(x.Slice(i), y.Slice(i));
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
            Vector128<float> negLr = Vector128.Create(-learningRate);
            Vector128<float> wd = Vector128.Create(weightDecay);
            Vector128<float> mu = Vector128.Create(momentum);
            int i = 0;
            for (; i <= n - Width; i += Width)
            {
                Vector128<float> p = Load(ref pr, i);
                Vector128<float> g = Load(ref gr, i);
                if (decay)
                {
                    g += p * wd;
                }
                if (useMomentum)
                {
                    Vector128<float> b = firstStep ? g : Load(ref br, i) * mu + g;
                    Store(b, ref br, i);
                    g = nesterov ? g + b * mu : b;
                }
                Store(p + g * negLr, ref pr, i);
            }
            if (i < n)
            {
                ScalarKernels.SgdUpdate(parameters.Slice(i), gradients.Slice(i), useMomentum ? momentumBuffer.Slice(i) : default, learningRate, momentum, nesterov, weightDecay, firstStep);
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
            Vector128<float> scale = Vector128.Create(k.ParameterScale);
            Vector128<float> decay = Vector128.Create(k.GradientDecay);
            bool coupled = k.GradientDecay != 0f;
            bool lerpSmall = k.LerpSmall;
            Vector128<float> w = Vector128.Create(k.LerpWeight);
            Vector128<float> wc = Vector128.Create(k.LerpComplement);
            Vector128<float> beta2 = Vector128.Create(k.Beta2);
            Vector128<float> omb2 = Vector128.Create(k.OneMinusBeta2);
            Vector128<float> bc2 = Vector128.Create(k.BiasCorrection2Sqrt);
            Vector128<float> eps = Vector128.Create(k.Epsilon);
            Vector128<float> nss = Vector128.Create(k.NegativeStepSize);
            int i = 0;
            for (; i <= n - Width; i += Width)
            {
                Vector128<float> p = Load(ref pr, i) * scale;
                Vector128<float> g = Load(ref gr, i);
                if (coupled)
                {
                    g += p * decay;
                }
                Vector128<float> mi = Load(ref mr, i);
                Vector128<float> d = g - mi;
                mi = lerpSmall ? mi + w * d : g - d * wc;
                Store(mi, ref mr, i);
                Vector128<float> vi = Load(ref vr, i) * beta2;
                vi += omb2 * g * g;
                Store(vi, ref vr, i);
                Vector128<float> denom = Vector128.Sqrt(vi) / bc2 + eps;
                Store(p + nss * mi / denom, ref pr, i);
            }
            if (i < n)
            {
                ScalarKernels.AdamUpdate(parameters.Slice(i), gradients.Slice(i), m.Slice(i), v.Slice(i), in k);
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
            Vector128<float> wd = Vector128.Create(weightDecay);
            Vector128<float> a = Vector128.Create(alpha);
            Vector128<float> oma = Vector128.Create((float)(1.0 - alpha));
            Vector128<float> eps = Vector128.Create(epsilon);
            Vector128<float> negLr = Vector128.Create(-learningRate);
            int i = 0;
            for (; i <= n - Width; i += Width)
            {
                Vector128<float> p = Load(ref pr, i);
                Vector128<float> g = Load(ref gr, i);
                if (decay)
                {
                    g += p * wd;
                }
                Vector128<float> sq = Load(ref sr, i) * a;
                sq += oma * g * g;
                Store(sq, ref sr, i);
                Vector128<float> avg = Vector128.Sqrt(sq) + eps;
                Store(p + negLr * g / avg, ref pr, i);
            }
            if (i < n)
            {
                ScalarKernels.RmsPropUpdate(parameters.Slice(i), gradients.Slice(i), squareAverage.Slice(i), learningRate, alpha, epsilon, weightDecay);
            }
        }
    }
}
#endif
