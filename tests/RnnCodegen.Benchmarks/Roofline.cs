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

        public static int Run()
        {
            var identity = CpuIdentity.Read();
            int lanes = Vector512.IsHardwareAccelerated ? 16 : Vector256.IsHardwareAccelerated ? 8 : Vector128.IsHardwareAccelerated ? 4 : 1;
            double ghz = ClockGigahertz();
            double fmaPerNs = Best(FmaRound);
            double sigmoidNs = Best(() => ActivationRound(tanh: false)), tanhNs = Best(() => ActivationRound(tanh: true));
            Console.WriteLine(Invariant($"CPU: {MachineInfo.CpuModel(identity)}; generated path {ShapeALstm32.SimdPath} ({lanes} lanes)"));
            Console.WriteLine(Invariant($"Clock about {ghz:0.00} GHz (a dependent chain of scalar multiply-adds, assuming their 4-cycle latency)."));
            Console.WriteLine(Invariant($"Vector multiply-adds: {fmaPerNs:0.00} per ns ({fmaPerNs / ghz:0.00} per cycle; 12 independent chains)."));
            Console.WriteLine(Invariant($"Activations (independent vectors): sigmoid {sigmoidNs * ghz:0.0} cycles, tanh {tanhNs * ghz:0.0} cycles per vector."));
            Console.WriteLine(Invariant($"Read bandwidth (aligned vector loads, repeated passes): 16 KiB {ReadBytesPerNs(16 << 10) / ghz:0.0}, 256 KiB {ReadBytesPerNs(256 << 10) / ghz:0.0}, 4 MiB {ReadBytesPerNs(4 << 20) / ghz:0.0} bytes per cycle."));
            Console.WriteLine();
            Console.WriteLine("| shape | member | vector FMAs + activations | weights | arithmetic bound | read bound | measured | measured / bound |");
            Console.WriteLine("|---|---|---:|---:|---:|---:|---:|---:|");
            foreach (ShapeSpec s in ShapeSpec.All)
            {
                RooflineWork work = RooflineWork.Step(s);
                double readBound = work.WeightBytes / ReadBytesPerNs(work.WeightBytes);
                Row(s, "Step", work, lanes, work.ArithmeticNs(lanes, fmaPerNs, sigmoidNs, tanhNs), readBound, TimeSteps(Create(s), s));
            }
            foreach (ShapeSpec s in ShapeSpec.All)
            {
                if (s.Cell != Cell.Lstm) continue;
                RooflineWork work = RooflineWork.TrainStep(s, ShapeSpec.Steps);
                Row(s, "TrainStep (50 steps)", work, lanes, work.ArithmeticNs(lanes, fmaPerNs, sigmoidNs, tanhNs), null, TimeTrainSteps(Create(s), s));
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

        private static double TimeSteps(IGeneratedModel model, ShapeSpec s)
        {
            float[] inputs = TestData.Inputs(ShapeSpec.Steps, s.Input, 1);
            var output = new float[s.Output];
            int calls = Math.Max(1000, (int)(50_000_000 / RooflineWork.Step(s).Multiplies)); // ~10 ms a round
            return Best(() =>
            {
                var watch = Stopwatch.StartNew();
                for (int i = 0; i < calls; i++)
                    model.Step(inputs.AsSpan(i % ShapeSpec.Steps * s.Input, s.Input), output);
                return watch.Elapsed.TotalNanoseconds / calls;
            });
        }

        private static double TimeTrainSteps(IGeneratedModel model, ShapeSpec s)
        {
            float[] inputs = TestData.Inputs(ShapeSpec.Steps, s.Input, 1);
            float[] targets = TestData.Targets(inputs, s.Input, s.Output);
            int calls = Math.Max(4, (int)(100_000_000 / RooflineWork.TrainStep(s, ShapeSpec.Steps).Multiplies)); // ~10-20 ms a round
            return Best(() =>
            {
                var watch = Stopwatch.StartNew();
                for (int i = 0; i < calls; i++) model.TrainStep(inputs, targets);
                return watch.Elapsed.TotalNanoseconds / calls;
            });
        }

        /// <summary>
        /// The fastest of <see cref="Rounds"/> rounds, after 0.5 s of warm-up rounds: tiered compilation promotes a method
        /// to its optimized code only after its first 30 calls and a 100 ms delay, and the caches and the clock settle.
        /// </summary>
        private static double Best(Func<double> round)
        {
            var warmUp = Stopwatch.StartNew();
            while (warmUp.ElapsedMilliseconds < 500) round();
            double best = double.MaxValue;
            for (int i = 0; i < Rounds; i++) best = Math.Min(best, round());
            return best;
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

        [MethodImpl(MethodImplOptions.NoInlining)]
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

        /// <summary>Vector multiply-adds per ns of the widest accelerated width.</summary>
        private static double FmaRound()
        {
            const long Iterations = 1_000_000;
            var watch = Stopwatch.StartNew();
            float sink = Vector512.IsHardwareAccelerated ? Fma512(Iterations) : Vector256.IsHardwareAccelerated ? Fma256(Iterations) : Vector128.IsHardwareAccelerated ? Fma128(Iterations) : FmaScalar(Iterations);
            double ns = watch.Elapsed.TotalNanoseconds;
            GC.KeepAlive(sink);
            return Iterations * 12 / ns;
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
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

        [MethodImpl(MethodImplOptions.NoInlining)]
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

        [MethodImpl(MethodImplOptions.NoInlining)]
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

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static float FmaScalar(long n)
        {
            float a = 0.999f, b = 0.001f, s0 = a, s1 = a, s2 = a, s3 = a, s4 = a, s5 = a, s6 = a, s7 = a, s8 = a, s9 = a, s10 = a, s11 = a;
            for (long i = 0; i < n; i++)
            {
                s0 = s0 * a + b; s1 = s1 * a + b; s2 = s2 * a + b; s3 = s3 * a + b; s4 = s4 * a + b; s5 = s5 * a + b;
                s6 = s6 * a + b; s7 = s7 * a + b; s8 = s8 * a + b; s9 = s9 * a + b; s10 = s10 * a + b; s11 = s11 * a + b;
            }
            return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7)) + ((s8 + s9) + (s10 + s11));
        }

        private static readonly float[] s_activationInput = CreateActivationInput();
        private static readonly float[] s_activationOutput = new float[s_activationInput.Length];

        /// <summary>4096 values in [-6, 6]: 256 vectors of 16 (the result does not depend on them; the activations have no branches).</summary>
        private static float[] CreateActivationInput()
        {
            var values = new float[4096];
            for (int i = 0; i < values.Length; i++) values[i] = (float)(6 * Math.Sin(0.37 * i));
            return values;
        }

        /// <summary>ns per vector of Activations.Tanh or Sigmoid at the widest accelerated width, over independent vectors.</summary>
        private static double ActivationRound(bool tanh)
        {
            const int Passes = 100;
            float[] input = s_activationInput, output = s_activationOutput;
            var watch = Stopwatch.StartNew();
            for (int p = 0; p < Passes; p++)
            {
                if (tanh) TanhPass(input, output);
                else SigmoidPass(input, output);
            }
            int lanes = Vector512.IsHardwareAccelerated ? 16 : Vector256.IsHardwareAccelerated ? 8 : Vector128.IsHardwareAccelerated ? 4 : 1;
            return watch.Elapsed.TotalNanoseconds / Passes / (input.Length / lanes);
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static void TanhPass(float[] input, float[] output)
        {
            ref float x = ref MemoryMarshal.GetArrayDataReference(input);
            ref float y = ref MemoryMarshal.GetArrayDataReference(output);
            nuint n = (nuint)input.Length;
            if (Vector512.IsHardwareAccelerated) for (nuint i = 0; i < n; i += 16) Activations.Tanh(Vector512.LoadUnsafe(ref x, i)).StoreUnsafe(ref y, i);
            else if (Vector256.IsHardwareAccelerated) for (nuint i = 0; i < n; i += 8) Activations.Tanh(Vector256.LoadUnsafe(ref x, i)).StoreUnsafe(ref y, i);
            else if (Vector128.IsHardwareAccelerated) for (nuint i = 0; i < n; i += 4) Activations.Tanh(Vector128.LoadUnsafe(ref x, i)).StoreUnsafe(ref y, i);
            else for (nuint i = 0; i < n; i++) Unsafe.Add(ref y, i) = Activations.Tanh(Unsafe.Add(ref x, i));
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static void SigmoidPass(float[] input, float[] output)
        {
            ref float x = ref MemoryMarshal.GetArrayDataReference(input);
            ref float y = ref MemoryMarshal.GetArrayDataReference(output);
            nuint n = (nuint)input.Length;
            if (Vector512.IsHardwareAccelerated) for (nuint i = 0; i < n; i += 16) Activations.Sigmoid(Vector512.LoadUnsafe(ref x, i)).StoreUnsafe(ref y, i);
            else if (Vector256.IsHardwareAccelerated) for (nuint i = 0; i < n; i += 8) Activations.Sigmoid(Vector256.LoadUnsafe(ref x, i)).StoreUnsafe(ref y, i);
            else if (Vector128.IsHardwareAccelerated) for (nuint i = 0; i < n; i += 4) Activations.Sigmoid(Vector128.LoadUnsafe(ref x, i)).StoreUnsafe(ref y, i);
            else for (nuint i = 0; i < n; i++) Unsafe.Add(ref y, i) = Activations.Sigmoid(Unsafe.Add(ref x, i));
        }

        private static readonly Dictionary<long, double> s_readRates = new();

        /// <summary>Bytes per ns of repeated passes over a 64-byte-aligned buffer of <paramref name="bytes"/> (as the packed weights).</summary>
        private static double ReadBytesPerNs(long bytes)
        {
            if (s_readRates.TryGetValue(bytes, out double known)) return known;
            int floats = (int)((bytes + 255) / 256 * 64); // whole blocks of 64 floats
            float[] buffer = GC.AllocateArray<float>(floats + 16, pinned: true);
            int offset = (int)((64 - Marshal.UnsafeAddrOfPinnedArrayElement(buffer, 0).ToInt64() % 64) % 64 / 4);
            int passes = (int)Math.Max(1, 64_000_000 / bytes);
            double rate = floats * 4.0 * passes / Best(() =>
            {
                var watch = Stopwatch.StartNew();
                float sink = Read(buffer, offset, floats, passes);
                double ns = watch.Elapsed.TotalNanoseconds;
                GC.KeepAlive(sink);
                return ns;
            });
            s_readRates[bytes] = rate;
            return rate;
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static float Read(float[] buffer, int offset, int floats, int passes)
        {
            ref float start = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(buffer), offset);
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
