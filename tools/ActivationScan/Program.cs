using System;
using System.Globalization;
using System.Threading.Tasks;
using RnnCodegen;

namespace RnnCodegen.Tools.ActivationScan
{
    /// <summary>
    /// Evaluates <see cref="Activations.Tanh(float)"/> and <see cref="Activations.Sigmoid(float)"/> on every one of the
    /// 2^32 floats against double-precision references and prints the figures that Activations' documentation and
    /// ActivationTests quote: the maximum absolute error and where, whether any result leaves the range, the results at
    /// ±∞ and where each function saturates. The vector and span forms return the same bits as the scalar form (the
    /// unit tests check that), so one scan covers them. Multiply-adds are fused when the hardware has FMA; run it again
    /// with DOTNET_EnableHWIntrinsic=0 for the unfused figures.
    /// </summary>
    public static class Program
    {
        private sealed class Tally
        {
            public double TanhError;
            public float TanhAt;
            public double SigmoidError;
            public float SigmoidAt;
            public long OutOfRange;
            public long NaNMismatch;
            public float LastTanhBelowOne;       // largest x with tanh(x) < 1
            public float LastSigmoidBelowOne;    // largest x with sigmoid(x) < 1
            public float FirstSigmoidNotConstant = float.NegativeInfinity; // largest x < 0 with sigmoid(x) != sigmoid(-inf)

            public void Merge(Tally o)
            {
                if (o.TanhError > TanhError) { TanhError = o.TanhError; TanhAt = o.TanhAt; }
                if (o.SigmoidError > SigmoidError) { SigmoidError = o.SigmoidError; SigmoidAt = o.SigmoidAt; }
                OutOfRange += o.OutOfRange;
                NaNMismatch += o.NaNMismatch;
                LastTanhBelowOne = Math.Max(LastTanhBelowOne, o.LastTanhBelowOne);
                LastSigmoidBelowOne = Math.Max(LastSigmoidBelowOne, o.LastSigmoidBelowOne);
                FirstSigmoidNotConstant = Math.Max(FirstSigmoidNotConstant, o.FirstSigmoidNotConstant);
            }
        }

        public static void Main()
        {
            float sigmoidAtMinusInfinity = Activations.Sigmoid(float.NegativeInfinity);
            const int Chunks = 4096;
            var total = new Tally();
            object gate = new object();
            Parallel.For(0, Chunks, () => new Tally(), (k, _, t) =>
            {
                long start = (1L << 32) * k / Chunks, end = (1L << 32) * (k + 1) / Chunks;
                for (long b = start; b < end; b++)
                {
                    float x = BitConverter.Int32BitsToSingle(unchecked((int)(uint)b));
                    float th = Activations.Tanh(x), sg = Activations.Sigmoid(x);
                    if (float.IsNaN(x))
                    {
                        if (!float.IsNaN(th) || !float.IsNaN(sg)) t.NaNMismatch++;
                        continue;
                    }
                    if (float.IsNaN(th) || float.IsNaN(sg)) { t.NaNMismatch++; continue; }
                    if (th < -1f || th > 1f || sg < 0f || sg > 1f) t.OutOfRange++;
                    double et = Math.Abs(th - Math.Tanh(x));
                    if (et > t.TanhError) { t.TanhError = et; t.TanhAt = x; }
                    double es = Math.Abs(sg - 1.0 / (1.0 + Math.Exp(-(double)x)));
                    if (es > t.SigmoidError) { t.SigmoidError = es; t.SigmoidAt = x; }
                    if (x > 0 && th < 1f) t.LastTanhBelowOne = Math.Max(t.LastTanhBelowOne, x);
                    if (x > 0 && sg < 1f) t.LastSigmoidBelowOne = Math.Max(t.LastSigmoidBelowOne, x);
                    if (x < 0 && sg != sigmoidAtMinusInfinity) t.FirstSigmoidNotConstant = Math.Max(t.FirstSigmoidNotConstant, -x);
                }
                return t;
            }, t => { lock (gate) { total.Merge(t); } });

            CultureInfo c = CultureInfo.InvariantCulture;
            Console.WriteLine(string.Format(c, "FMA: {0}", System.Runtime.Intrinsics.X86.Fma.IsSupported || System.Runtime.Intrinsics.Arm.AdvSimd.IsSupported));
            Console.WriteLine(string.Format(c, "tanh: max |error| {0:E3} at x = {1:R}; exactly 1 from x = {2:R}; tanh(+inf) = {3:R}", total.TanhError, total.TanhAt, MathF.BitIncrement(total.LastTanhBelowOne), Activations.Tanh(float.PositiveInfinity)));
            Console.WriteLine(string.Format(c, "sigmoid: max |error| {0:E3} at x = {1:R}; exactly 1 from x = {2:R}; constant {3:R} from x = -{4:R} down", total.SigmoidError, total.SigmoidAt, MathF.BitIncrement(total.LastSigmoidBelowOne), sigmoidAtMinusInfinity, MathF.BitIncrement(total.FirstSigmoidNotConstant)));
            Console.WriteLine(string.Format(c, "results outside [-1, 1] / [0, 1]: {0}; NaN mismatches: {1}", total.OutOfRange, total.NaNMismatch));
        }
    }
}
