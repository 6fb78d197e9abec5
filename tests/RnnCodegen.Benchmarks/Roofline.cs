using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace RnnCodegen.Benchmarks
{
    /// <summary>
    /// <c>--roofline</c>: how far each generated Step (and the LSTM TrainSteps) is from what this CPU can do. It measures
    /// the machine's vector multiply-add rate (12 independent chains of the widest accelerated vector) and its read
    /// bandwidth for a working set of each shape's weight size, times the generated members in-process (best of many short
    /// rounds), and divides: bound = max(multiplies / lanes / FMA rate, weight bytes / read rate), from
    /// <see cref="RooflineWork"/>. A plain Stopwatch harness, not BenchmarkDotNet: the figures are for comparing one
    /// member with this machine's peaks in the same run, not for publishing.
    /// </summary>
    internal static class Roofline
    {
        private const int Rounds = 15;
        private const int PeakRounds = 400;

        public static int Run()
        {
            var identity = CpuIdentity.Read();
            if (!Vector128.IsHardwareAccelerated || !(System.Runtime.Intrinsics.X86.Fma.IsSupported || System.Runtime.Intrinsics.Arm.AdvSimd.IsSupported))
            {
                Console.WriteLine("The roofline measures the peak of fused vector multiply-adds, which this process does not have " +
                                  "(no hardware vectors or no FMA: DOTNET_EnableHWIntrinsic=0 or DOTNET_EnableAVX2=0?).");
                return 1;
            }
            int lanes = Vector512.IsHardwareAccelerated ? 16 : Vector256.IsHardwareAccelerated ? 8 : 4;
            double ghz = ClockGigahertz();
            (double fmaPerNs, double sigmoidNs, double tanhNs) = Peaks();
            Console.WriteLine(Invariant($"CPU: {MachineInfo.CpuModel(identity)}; generated path {ShapeALstm32.SimdPath} ({lanes} lanes)"));
            Console.WriteLine(Invariant($"Clock about {ghz:0.00} GHz (a dependent chain of scalar multiply-adds, assuming their 4-cycle latency)."));
            Console.WriteLine(Invariant($"Vector multiply-adds: {fmaPerNs:0.00} per ns ({fmaPerNs / ghz:0.00} per cycle; 12 independent chains)."));
            Console.WriteLine(Invariant($"Activations (independent vectors): sigmoid {sigmoidNs * ghz:0.0} cycles, tanh {tanhNs * ghz:0.0} cycles per vector."));
            var sizes = new List<long> { 16 << 10, 256 << 10, 4 << 20 };
            foreach (ShapeSpec s in ShapeSpec.All) sizes.Add(RooflineWork.Step(s).WeightBytes);
            Dictionary<long, double> readRates = ReadBytesPerNs(sizes);
            Console.WriteLine(Invariant($"Read bandwidth (aligned vector loads, repeated passes): 16 KiB {readRates[16 << 10] / ghz:0.0}, 256 KiB {readRates[256 << 10] / ghz:0.0}, 4 MiB {readRates[4 << 20] / ghz:0.0} bytes per cycle."));
            Console.WriteLine();
            // The members, each a (shape, member, work, read bound, round) row, timed in interleaved rounds.
            var rows = new List<(ShapeSpec Shape, string Member, RooflineWork Work, double? ReadBound, Func<double> Round)>();
            foreach (ShapeSpec s in ShapeSpec.All)
            {
                RooflineWork work = RooflineWork.Step(s);
                rows.Add((s, "Step", work, work.WeightBytes / readRates[work.WeightBytes], StepRound(Create(s), s)));
            }
            foreach (ShapeSpec s in ShapeSpec.All)
            {
                if (s.Cell == Cell.Lstm) rows.Add((s, "TrainStep (50 steps)", RooflineWork.TrainStep(s, ShapeSpec.Steps), null, TrainStepRound(Create(s), s)));
            }
            double[] measured = Interleaved(rows.ConvertAll(r => r.Round));
            Console.WriteLine("| shape | member | vector FMAs + activations | weights | arithmetic bound | read bound | measured | measured / bound |");
            Console.WriteLine("|---|---|---:|---:|---:|---:|---:|---:|");
            for (int i = 0; i < rows.Count; i++)
            {
                var (s, member, work, readBound, _) = rows[i];
                Row(s, member, work, lanes, work.ArithmeticNs(lanes, fmaPerNs, sigmoidNs, tanhNs), readBound, measured[i]);
            }
            Console.WriteLine();
            Console.WriteLine("Arithmetic bound: the multiply-adds of the matrix products and the pointwise multiplies at the peak rate, plus the " +
                              "activations at their measured cost, all lanes busy. The TrainStep bound leaves out Adam (a square root and two " +
                              "divisions per parameter), the weight repacking and the loss. Read bound: the step's parameter bytes at the read " +
                              "bandwidth measured for a buffer of that size.");
            return 0;
        }

        private static void Row(ShapeSpec s, string member, RooflineWork work, int lanes, double arithmeticBound, double? readBound, double measured)
        {
            double bound = Math.Max(arithmeticBound, readBound ?? 0);
            string weights = work.WeightBytes > 0 ? Invariant($"{work.WeightBytes / 1024.0:0.0} KiB") : "";
            string read = readBound is double r ? Ns(r) : "";
            double activations = (work.Sigmoids + work.Tanhs) / (double)lanes;
            Console.WriteLine(Invariant($"| {s.Id} {s.Title} | {member} | {work.Multiplies / (double)lanes:0} + {activations:0} | {weights} | {Ns(arithmeticBound)} | {read} | {Ns(measured)} | {measured / bound:0.00} |"));
        }

        private static string Ns(double ns) => ns >= 10_000 ? Invariant($"{ns / 1000:0.0} us") : Invariant($"{ns:0} ns");

        private static IGeneratedModel Create(ShapeSpec s)
        {
            IGeneratedModel model = s.Id switch
            {
                'A' => new ShapeALstm32(),
                'B' => new ShapeBGru32(),
                'C' => new ShapeCLstm4x8(),
                'D' => new ShapeDLstm16x64(),
                'E' => new ShapeELstm128(),
                _ => throw new ArgumentOutOfRangeException(nameof(s), s.Id, "no generated model for this shape"),
            };
            return model;
        }

        /// <summary>One timing round of Step: about 10 ms of calls over a 50-step input signal; ns per call.</summary>
        private static Func<double> StepRound(IGeneratedModel model, ShapeSpec s)
        {
            float[] inputs = TestData.Inputs(ShapeSpec.Steps, s.Input, 1);
            var output = new float[s.Output];
            int calls = Math.Max(1000, (int)(50_000_000 / RooflineWork.Step(s).Multiplies));
            return () =>
            {
                var watch = Stopwatch.StartNew();
                for (int i = 0; i < calls; i++)
                    model.Step(inputs.AsSpan(i % ShapeSpec.Steps * s.Input, s.Input), output);
                return watch.Elapsed.TotalNanoseconds / calls;
            };
        }

        /// <summary>One timing round of TrainStep: about 10-20 ms of calls on one 50-step sequence; ns per call.</summary>
        private static Func<double> TrainStepRound(IGeneratedModel model, ShapeSpec s)
        {
            float[] inputs = TestData.Inputs(ShapeSpec.Steps, s.Input, 1);
            float[] targets = TestData.Targets(inputs, s.Input, s.Output);
            int calls = Math.Max(4, (int)(100_000_000 / RooflineWork.TrainStep(s, ShapeSpec.Steps).Multiplies));
            return () =>
            {
                var watch = Stopwatch.StartNew();
                for (int i = 0; i < calls; i++) model.TrainStep(inputs, targets);
                return watch.Elapsed.TotalNanoseconds / calls;
            };
        }

        /// <summary>
        /// The fastest of <paramref name="count"/> rounds of each member, after warm-up rounds (1 s by default) each (tiered compilation
        /// promotes a method to its final code only after its first calls, a 100 ms delay and an instrumented tier), the
        /// members' rounds interleaved so that a busy spell of the shared host does not fall on one member's rounds only.
        /// </summary>
        private static double[] Interleaved(List<Func<double>> rounds, int count = Rounds, int warmUpMilliseconds = 1000)
        {
            foreach (Func<double> round in rounds)
            {
                var warmUp = Stopwatch.StartNew();
                while (warmUp.ElapsedMilliseconds < warmUpMilliseconds) round();
            }
            var best = new double[rounds.Count];
            Array.Fill(best, double.MaxValue);
            for (int r = 0; r < count; r++)
                for (int i = 0; i < rounds.Count; i++) best[i] = Math.Min(best[i], rounds[i]());
            return best;
        }

        /// <summary>The fastest of <see cref="Rounds"/> rounds after 1 s of warm-up rounds.</summary>
        private static double Best(Func<double> round) => Interleaved(new List<Func<double>> { round })[0];

        /// <summary>
        /// The vector multiply-add rate and the ns per sigmoid and tanh vector: the best of many short rounds, interleaved
        /// over about half a second (on a shared host the core's other hyperthread takes FP throughput at times, and a peak
        /// must come from rounds where it did not).
        /// </summary>
        private static (double FmaPerNs, double SigmoidNs, double TanhNs) Peaks()
        {
            double fma = double.MaxValue, sigmoid = double.MaxValue, tanh = double.MaxValue;
            for (int i = 0; i < PeakRounds; i++)
            {
                fma = Math.Min(fma, NanosecondsPerFma());
                sigmoid = Math.Min(sigmoid, ActivationRound(tanh: false));
                tanh = Math.Min(tanh, ActivationRound(tanh: true));
            }
            return (1 / fma, sigmoid, tanh);
        }

        private static double ClockGigahertz()
        {
            const long Chain = 4_000_000;
            return 4.0 * Chain / Best(() =>
            {
                var watch = Stopwatch.StartNew();
                DependentMultiplyAdds(Chain / 4);
                return watch.Elapsed.TotalNanoseconds;
            });
        }

        [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
        private static float DependentMultiplyAdds(long n)
        {
            float x = 1f, a = 0.999f, b = 0.001f;
            for (long i = 0; i < n; i++)
            {
                x = MathF.FusedMultiplyAdd(x, a, b);
                x = MathF.FusedMultiplyAdd(x, a, b);
                x = MathF.FusedMultiplyAdd(x, a, b);
                x = MathF.FusedMultiplyAdd(x, a, b);
            }
            return x;
        }

        /// <summary>ns per fused vector multiply-add of the widest accelerated width, over 12 independent chains.</summary>
        private static double NanosecondsPerFma()
        {
            const long Iterations = 100_000;
            var watch = Stopwatch.StartNew();
            float sink = Vector512.IsHardwareAccelerated ? Fma512(Iterations) : Vector256.IsHardwareAccelerated ? Fma256(Iterations) : Fma128(Iterations);
            double ns = watch.Elapsed.TotalNanoseconds;
            GC.KeepAlive(sink);
            return ns / (Iterations * 12);
        }

        [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
        private static float Fma512(long n)
        {
            Vector512<float> a = Vector512.Create(0.999f), b = Vector512.Create(0.001f);
            Vector512<float> s0 = a, s1 = a, s2 = a, s3 = a, s4 = a, s5 = a, s6 = a, s7 = a, s8 = a, s9 = a, s10 = a, s11 = a;
            for (long i = 0; i < n; i++)
            {
                s0 = Vector512.FusedMultiplyAdd(s0, a, b); s1 = Vector512.FusedMultiplyAdd(s1, a, b); s2 = Vector512.FusedMultiplyAdd(s2, a, b);
                s3 = Vector512.FusedMultiplyAdd(s3, a, b); s4 = Vector512.FusedMultiplyAdd(s4, a, b); s5 = Vector512.FusedMultiplyAdd(s5, a, b);
                s6 = Vector512.FusedMultiplyAdd(s6, a, b); s7 = Vector512.FusedMultiplyAdd(s7, a, b); s8 = Vector512.FusedMultiplyAdd(s8, a, b);
                s9 = Vector512.FusedMultiplyAdd(s9, a, b); s10 = Vector512.FusedMultiplyAdd(s10, a, b); s11 = Vector512.FusedMultiplyAdd(s11, a, b);
            }
            return Vector512.Sum(((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7)) + ((s8 + s9) + (s10 + s11)));
        }

        [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
        private static float Fma256(long n)
        {
            Vector256<float> a = Vector256.Create(0.999f), b = Vector256.Create(0.001f);
            Vector256<float> s0 = a, s1 = a, s2 = a, s3 = a, s4 = a, s5 = a, s6 = a, s7 = a, s8 = a, s9 = a, s10 = a, s11 = a;
            for (long i = 0; i < n; i++)
            {
                s0 = Vector256.FusedMultiplyAdd(s0, a, b); s1 = Vector256.FusedMultiplyAdd(s1, a, b); s2 = Vector256.FusedMultiplyAdd(s2, a, b);
                s3 = Vector256.FusedMultiplyAdd(s3, a, b); s4 = Vector256.FusedMultiplyAdd(s4, a, b); s5 = Vector256.FusedMultiplyAdd(s5, a, b);
                s6 = Vector256.FusedMultiplyAdd(s6, a, b); s7 = Vector256.FusedMultiplyAdd(s7, a, b); s8 = Vector256.FusedMultiplyAdd(s8, a, b);
                s9 = Vector256.FusedMultiplyAdd(s9, a, b); s10 = Vector256.FusedMultiplyAdd(s10, a, b); s11 = Vector256.FusedMultiplyAdd(s11, a, b);
            }
            return Vector256.Sum(((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7)) + ((s8 + s9) + (s10 + s11)));
        }

        [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
        private static float Fma128(long n)
        {
            Vector128<float> a = Vector128.Create(0.999f), b = Vector128.Create(0.001f);
            Vector128<float> s0 = a, s1 = a, s2 = a, s3 = a, s4 = a, s5 = a, s6 = a, s7 = a, s8 = a, s9 = a, s10 = a, s11 = a;
            for (long i = 0; i < n; i++)
            {
                s0 = Vector128.FusedMultiplyAdd(s0, a, b); s1 = Vector128.FusedMultiplyAdd(s1, a, b); s2 = Vector128.FusedMultiplyAdd(s2, a, b);
                s3 = Vector128.FusedMultiplyAdd(s3, a, b); s4 = Vector128.FusedMultiplyAdd(s4, a, b); s5 = Vector128.FusedMultiplyAdd(s5, a, b);
                s6 = Vector128.FusedMultiplyAdd(s6, a, b); s7 = Vector128.FusedMultiplyAdd(s7, a, b); s8 = Vector128.FusedMultiplyAdd(s8, a, b);
                s9 = Vector128.FusedMultiplyAdd(s9, a, b); s10 = Vector128.FusedMultiplyAdd(s10, a, b); s11 = Vector128.FusedMultiplyAdd(s11, a, b);
            }
            return Vector128.Sum(((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7)) + ((s8 + s9) + (s10 + s11)));
        }

        private const int ActivationFloats = 4096;
        private static readonly float[] s_activationValues = GC.AllocateArray<float>(ActivationFloats + 16, pinned: true);

        /// <summary>The first 64-byte-aligned float of a pinned array.</summary>
        private static ref float Aligned(float[] pinned) =>
            ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(pinned), (int)((64 - Marshal.UnsafeAddrOfPinnedArrayElement(pinned, 0).ToInt64() % 64) % 64 / 4));

        /// <summary>
        /// ns per vector of Activations.Tanh or Sigmoid at the widest accelerated width, over independent vectors: passes in
        /// place over 4096 values that start in [-6, 6] (the activations have no branches, so the values do not matter). In
        /// place and 64-byte aligned: loads and stores that split cache lines, or stores to a second array at a distance
        /// near a multiple of 4 KiB from the loads, made them up to 70% slower depending on where the arrays were.
        /// </summary>
        private static double ActivationRound(bool tanh)
        {
            const int Passes = 20;
            ref float values = ref Aligned(s_activationValues);
            for (int i = 0; i < ActivationFloats; i++) Unsafe.Add(ref values, i) = (float)(6 * Math.Sin(0.37 * i));
            var watch = Stopwatch.StartNew();
            for (int p = 0; p < Passes; p++)
            {
                if (tanh) TanhPass(ref values);
                else SigmoidPass(ref values);
            }
            int lanes = Vector512.IsHardwareAccelerated ? 16 : Vector256.IsHardwareAccelerated ? 8 : 4;
            return watch.Elapsed.TotalNanoseconds / Passes / (ActivationFloats / lanes);
        }

        [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
        private static void TanhPass(ref float x)
        {
            const nuint n = ActivationFloats;
            if (Vector512.IsHardwareAccelerated) for (nuint i = 0; i < n; i += 16) Activations.Tanh(Vector512.LoadUnsafe(ref x, i)).StoreUnsafe(ref x, i);
            else if (Vector256.IsHardwareAccelerated) for (nuint i = 0; i < n; i += 8) Activations.Tanh(Vector256.LoadUnsafe(ref x, i)).StoreUnsafe(ref x, i);
            else for (nuint i = 0; i < n; i += 4) Activations.Tanh(Vector128.LoadUnsafe(ref x, i)).StoreUnsafe(ref x, i);
        }

        [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
        private static void SigmoidPass(ref float x)
        {
            const nuint n = ActivationFloats;
            if (Vector512.IsHardwareAccelerated) for (nuint i = 0; i < n; i += 16) Activations.Sigmoid(Vector512.LoadUnsafe(ref x, i)).StoreUnsafe(ref x, i);
            else if (Vector256.IsHardwareAccelerated) for (nuint i = 0; i < n; i += 8) Activations.Sigmoid(Vector256.LoadUnsafe(ref x, i)).StoreUnsafe(ref x, i);
            else for (nuint i = 0; i < n; i += 4) Activations.Sigmoid(Vector128.LoadUnsafe(ref x, i)).StoreUnsafe(ref x, i);
        }

        /// <summary>
        /// Bytes per ns of repeated passes over a 64-byte-aligned buffer of each of <paramref name="sizes"/> bytes (as the
        /// packed weights are): the best of 100 rounds of about 2 ms, the sizes interleaved.
        /// </summary>
        private static Dictionary<long, double> ReadBytesPerNs(IEnumerable<long> sizes)
        {
            var distinct = new List<long>(new HashSet<long>(sizes));
            var rounds = new List<Func<double>>();
            var bytesPerRound = new List<double>();
            foreach (long bytes in distinct)
            {
                int floats = (int)((bytes + 255) / 256 * 64); // whole blocks of 64 floats
                float[] buffer = GC.AllocateArray<float>(floats + 16, pinned: true);
                int passes = (int)Math.Max(1, 8_000_000 / bytes);
                bytesPerRound.Add(floats * 4.0 * passes);
                rounds.Add(() =>
                {
                    var watch = Stopwatch.StartNew();
                    float sink = Read(ref Aligned(buffer), floats, passes);
                    double ns = watch.Elapsed.TotalNanoseconds;
                    GC.KeepAlive(sink);
                    return ns;
                });
            }
            double[] ns = Interleaved(rounds, 100, 200);
            var rates = new Dictionary<long, double>();
            for (int i = 0; i < distinct.Count; i++) rates[distinct[i]] = bytesPerRound[i] / ns[i];
            return rates;
        }

        [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
        private static float Read(ref float start, int floats, int passes)
        {
            Vector128<float> s0 = default, s1 = default, s2 = default, s3 = default;
            if (Vector512.IsHardwareAccelerated)
            {
                Vector512<float> a = default, b = default, c = default, d = default;
                for (int p = 0; p < passes; p++)
                    for (nuint i = 0; i < (nuint)floats; i += 64)
                    {
                        a += Vector512.LoadUnsafe(ref start, i); b += Vector512.LoadUnsafe(ref start, i + 16);
                        c += Vector512.LoadUnsafe(ref start, i + 32); d += Vector512.LoadUnsafe(ref start, i + 48);
                    }
                return Vector512.Sum((a + b) + (c + d));
            }
            if (Vector256.IsHardwareAccelerated)
            {
                Vector256<float> a = default, b = default, c = default, d = default, e = default, f = default, g = default, h = default;
                for (int p = 0; p < passes; p++)
                    for (nuint i = 0; i < (nuint)floats; i += 64)
                    {
                        a += Vector256.LoadUnsafe(ref start, i); b += Vector256.LoadUnsafe(ref start, i + 8);
                        c += Vector256.LoadUnsafe(ref start, i + 16); d += Vector256.LoadUnsafe(ref start, i + 24);
                        e += Vector256.LoadUnsafe(ref start, i + 32); f += Vector256.LoadUnsafe(ref start, i + 40);
                        g += Vector256.LoadUnsafe(ref start, i + 48); h += Vector256.LoadUnsafe(ref start, i + 56);
                    }
                return Vector256.Sum(((a + b) + (c + d)) + ((e + f) + (g + h)));
            }
            for (int p = 0; p < passes; p++)
                for (nuint i = 0; i < (nuint)floats; i += 16)
                {
                    s0 += Vector128.LoadUnsafe(ref start, i); s1 += Vector128.LoadUnsafe(ref start, i + 4);
                    s2 += Vector128.LoadUnsafe(ref start, i + 8); s3 += Vector128.LoadUnsafe(ref start, i + 12);
                }
            return Vector128.Sum((s0 + s1) + (s2 + s3));
        }

        private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
    }
}
