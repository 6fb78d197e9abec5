using System;
using BenchmarkDotNet.Attributes;
using RnnCodegen.Benchmarks.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace RnnCodegen.Benchmarks
{
    /// <summary>
    /// The batch trainer on shape A: one <c>TrainBatch</c> (accumulate the gradients of 64 sequences of 50 steps, one
    /// Adam step on their mean) with one worker thread and with two; TorchSharp's equivalent (one nn.LSTM call on a
    /// [50, 64, 1] batch, MSE, backward, Adam, one thread) as the peer.
    /// </summary>
    [MemoryDiagnoser]
    public class BatchTrainingA
    {
        public const int Sequences = 64;
        private const int Steps = ShapeSpec.Steps;

        private ShapeALstm32 _model = null!;
        private float[] _inputs = Array.Empty<float>(), _targets = Array.Empty<float>();
        private TorchNet _torch = null!;
        private Tensor _torchInputs = null!, _torchTargets = null!;

        [GlobalSetup]
        public void GlobalSetup()
        {
            torch.set_num_threads(1);
            _model = new ShapeALstm32();
            _inputs = new float[Sequences * Steps];
            _targets = new float[Sequences * Steps];
            for (int b = 0; b < Sequences; b++)
            {
                float[] x = TestData.Inputs(Steps, 1, seed: 10 + b);
                float[] y = TestData.Targets(x, 1, 1);
                x.CopyTo(_inputs, b * Steps);
                y.CopyTo(_targets, b * Steps);
            }
            _torch = new TorchNet(ShapeSpec.A, _model);
            // Sequence-first [steps, batch, 1] for nn.LSTM.
            var xt = new float[Sequences * Steps];
            var yt = new float[Sequences * Steps];
            for (int b = 0; b < Sequences; b++)
                for (int t = 0; t < Steps; t++)
                {
                    xt[t * Sequences + b] = _inputs[b * Steps + t];
                    yt[t * Sequences + b] = _targets[b * Steps + t];
                }
            _torchInputs = torch.tensor(xt, new long[] { Steps, Sequences, 1 }, dtype: float32);
            _torchTargets = torch.tensor(yt, new long[] { Steps, Sequences, 1 }, dtype: float32);

            // The batch loss is the mean of the sequences' losses: the same number TorchSharp computes over the batch.
            float saved = _model.ComputeLoss(_inputs.AsSpan(0, Steps), _targets.AsSpan(0, Steps));
            var probe = new ShapeALstm32();
            probe.SetParameters(Parameters(_model));
            float lossG = probe.TrainBatch(_inputs, _targets, Sequences, maxWorkers: 1);
            float lossT = _torch.TrainStep(_torchInputs, _torchTargets);
            long batchBytes = Agreement.ThreadBytes(() => probe.TrainBatch(_inputs, _targets, Sequences, maxWorkers: 1));
            string line = FormattableString.Invariant($"[check] batch A x{Sequences}: loss generated {lossG:F6} torch {lossT:F6} (first sequence {saved:F6}); TrainBatch (1 worker) allocations on this thread {batchBytes} B; SIMD path {ShapeALstm32.SimdPath}");
            Console.WriteLine(line);
            if (Math.Abs(lossG - lossT) > Agreement.OutputTolerance) throw new InvalidOperationException("Batch losses disagree. " + line);
        }

        private static float[] Parameters(ShapeALstm32 model)
        {
            var p = new float[ShapeALstm32.ParameterCount];
            model.CopyParameters(p);
            return p;
        }

        [GlobalCleanup]
        public void GlobalCleanup()
        {
            _torchInputs?.Dispose();
            _torchTargets?.Dispose();
            _torch?.Dispose();
        }

        [Benchmark(Baseline = true)]
        public float TrainBatch64_Generated_1Worker() => _model.TrainBatch(_inputs, _targets, Sequences, maxWorkers: 1);

        [Benchmark]
        public float TrainBatch64_Generated_2Workers() => _model.TrainBatch(_inputs, _targets, Sequences, maxWorkers: 2);

        [Benchmark]
        public float TrainBatch64_TorchSharp() => _torch.TrainStep(_torchInputs, _torchTargets);
    }
}
