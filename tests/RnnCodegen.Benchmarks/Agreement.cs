using System;
using RnnCodegen.Benchmarks.Naive;
using RnnCodegen.Benchmarks.Torch;
using TorchSharp;

namespace RnnCodegen.Benchmarks
{
    /// <summary>
    /// Checks, before any timing, that the generated model, the naive C# implementation and TorchSharp compute the same
    /// thing: streaming steps, whole-sequence outputs, the training loss, every gradient and one Adam update.
    /// </summary>
    public static class Agreement
    {
        /// <summary>Largest allowed |difference| of outputs and losses (the generated activations are accurate to ~5e-7).</summary>
        public const double OutputTolerance = 1e-4;

        /// <summary>Largest allowed |difference| of a gradient or updated parameter, relative to max(1, largest |value| of that tensor).</summary>
        public const double GradientTolerance = 2e-4;

        public static void Check(ShapeSpec s, IGeneratedModel generated, NaiveNetwork naive, TorchNet torchNet,
            float[] stepInputs, float[] seqInputs, float[] seqTargets,
            TorchSharp.torch.Tensor[] torchStepInputs, TorchSharp.torch.Tensor torchSeqInputs, TorchSharp.torch.Tensor torchSeqTargets)
        {
            int steps = seqInputs.Length / s.Input;

            // Forward: 50 steps from a zero state.
            var outG = new float[steps * s.Output];
            var outN = new float[steps * s.Output];
            var outT = new float[steps * s.Output];
            generated.Forward(seqInputs, outG);
            naive.Forward(seqInputs, outN);
            using (torch.no_grad()) torchNet.Forward(torchSeqInputs, outT);
            double forwardNaive = MaxDiff(outG, outN), forwardTorch = MaxDiff(outG, outT);
            string torchPath = "";
            if (!(forwardTorch <= OutputTolerance))
            {
                // A wrong no-grad path of the peer (see TorchNet.ForwardInGradMode): time the path that computes the model.
                torchNet.ForwardInGradMode = true;
                using (torch.no_grad()) torchNet.Forward(torchSeqInputs, outT);
                torchPath = FormattableString.Invariant($" (its no-grad nn.{s.Cell.ToString().ToUpperInvariant()} path: {forwardTorch:E1}, so TorchSharp's Forward runs in grad mode)");
                forwardTorch = MaxDiff(outG, outT);
            }

            // Streaming: the same 50 steps one at a time, state carried.
            generated.ResetState(); naive.ResetState(); torchNet.ResetState();
            var y = new float[s.Output];
            double stepNaive = 0, stepTorch = 0;
            for (int t = 0; t < steps; t++)
            {
                var x = new ReadOnlySpan<float>(stepInputs, t * s.Input, s.Input);
                generated.Step(x, y);
                float g = y[0];
                naive.Step(x, y);
                stepNaive = Math.Max(stepNaive, Math.Abs(g - y[0]));
                float tv;
                using (torch.no_grad()) tv = torchNet.Step(torchStepInputs[t]);
                stepTorch = Math.Max(stepTorch, Math.Abs(g - tv));
            }

            // Training: loss and gradients of one sequence; then one Adam step (generated vs naive).
            var saved = new float[generated.ParameterCount];
            generated.CopyParameters(saved);
            generated.ZeroGradients();
            naive.ZeroGradients();
            float lossG = generated.AccumulateGradients(seqInputs, seqTargets);
            float lossN = naive.AccumulateGradients(seqInputs, seqTargets);
            float lossT = torchNet.TrainStep(torchSeqInputs, torchSeqTargets);
            double gradNaive = 0, gradTorch = 0;
            foreach (var info in generated.ParameterInfos)
            {
                var gg = new float[info.Length];
                generated.CopyGradient(info.Name, gg);
                double scale = Math.Max(1, MaxAbs(gg));
                gradNaive = Math.Max(gradNaive, MaxDiff(gg, naive.Gradient(info.Name)) / scale);
                gradTorch = Math.Max(gradTorch, MaxDiff(gg, torchNet.TrainingGradient(info.Name)) / scale);
            }
            generated.ApplyGradients(1);
            naive.ApplyGradients();
            double adamNaive = 0;
            foreach (var info in generated.ParameterInfos)
            {
                var pg = new float[info.Length];
                generated.CopyParameter(info.Name, pg);
                float[] pn = naive.Parameter(info.Name);
                adamNaive = Math.Max(adamNaive, MaxDiff(pg, pn) / Math.Max(1, MaxAbs(pg)));
            }
            // Managed allocations of the generated hot members on this thread (BenchmarkDotNet's Allocated column counts
            // every thread, so a background thread's allocation can show up there as a few bytes per call).
            long stepBytes = ThreadBytes(() => { for (int i = 0; i < 100; i++) generated.Step(new ReadOnlySpan<float>(stepInputs, (i % steps) * s.Input, s.Input), y); });
            long forwardBytes = ThreadBytes(() => { for (int i = 0; i < 3; i++) generated.Forward(seqInputs, outG); });
            long trainBytes = ThreadBytes(() => { for (int i = 0; i < 3; i++) generated.TrainStep(seqInputs, seqTargets); });

            // Back to the initial parameters, so the timed models start where TorchSharp's inference copies are.
            generated.SetParameters(saved);
            naive.LoadFrom(generated);

            string line = FormattableString.Invariant(
                $"[check] shape {s.Id} ({s.Title}): forward max|d| naive {forwardNaive:E1} torch {forwardTorch:E1}{torchPath}; step naive {stepNaive:E1} torch {stepTorch:E1}; ") + FormattableString.Invariant(
                $"loss {lossG:F6} naive {lossN:F6} torch {lossT:F6}; gradients rel naive {gradNaive:E1} torch {gradTorch:E1}; Adam step rel naive {adamNaive:E1}; generated allocations on this thread: Step x100 {stepBytes} B, Forward x3 {forwardBytes} B, TrainStep x3 {trainBytes} B; SIMD path {ShapeALstm32.SimdPath}");
            Console.WriteLine(line);
            if (forwardNaive > OutputTolerance || forwardTorch > OutputTolerance || stepNaive > OutputTolerance || stepTorch > OutputTolerance
                || Math.Abs(lossG - lossN) > OutputTolerance || Math.Abs(lossG - lossT) > OutputTolerance
                || gradNaive > GradientTolerance || gradTorch > GradientTolerance || adamNaive > GradientTolerance
                || double.IsNaN(forwardNaive + forwardTorch + stepNaive + stepTorch + gradNaive + gradTorch + adamNaive))
                throw new InvalidOperationException("The implementations disagree; nothing would be comparable. " + line);
        }

        /// <summary>Bytes allocated on this thread by the second of two runs of <paramref name="action"/> (the first warms up).</summary>
        public static long ThreadBytes(Action action)
        {
            action();
            long before = GC.GetAllocatedBytesForCurrentThread();
            action();
            return GC.GetAllocatedBytesForCurrentThread() - before;
        }

        private static double MaxDiff(float[] a, float[] b)
        {
            if (a.Length != b.Length) return double.PositiveInfinity;
            double m = 0;
            for (int i = 0; i < a.Length; i++)
            {
                double d = Math.Abs((double)a[i] - b[i]);
                if (double.IsNaN(d)) return double.NaN;
                m = Math.Max(m, d);
            }
            return m;
        }

        private static double MaxAbs(float[] a)
        {
            double m = 0;
            foreach (float v in a) m = Math.Max(m, Math.Abs(v));
            return m;
        }
    }
}
