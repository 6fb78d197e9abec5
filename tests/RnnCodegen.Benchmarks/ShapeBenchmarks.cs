using System;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using RnnCodegen.Benchmarks.Naive;
using RnnCodegen.Benchmarks.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace RnnCodegen.Benchmarks
{
    /// <summary>
    /// Step (one time step, batch 1, carried state), Forward (50 steps from a zero state) and TrainStep (50 steps, MSE,
    /// BPTT, Adam) of one shape, for the generated model, the naive C# implementation and TorchSharp (one thread).
    /// The generated model's benchmarks are declared in each shape's subclass so that they call the concrete
    /// generated type (no interface dispatch); the peers' benchmarks are inherited from here.
    /// </summary>
    /// <remarks>
    /// <see cref="GlobalSetup"/> checks that all three compute the same thing before anything is timed: Forward outputs
    /// and streaming Step outputs agree within 1e-4, the naive BPTT gradients match the generated model's, and
    /// TorchSharp's first training loss and gradients match too. A mismatch throws, and BenchmarkDotNet reports the
    /// benchmark as failed instead of printing a meaningless figure.
    /// </remarks>
    [MemoryDiagnoser]
    [GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
    [CategoriesColumn]
    public abstract class ShapeBenchmarks
    {
        private const int Steps = ShapeSpec.Steps;

        protected float[] StepInputs = Array.Empty<float>();  // Steps x Input, cycled through by the Step benchmarks
        protected float[] StepOutput = Array.Empty<float>();  // Output
        protected float[] SeqInputs = Array.Empty<float>();   // Steps x Input
        protected float[] SeqTargets = Array.Empty<float>();  // Steps x Output
        protected float[] SeqOutputs = Array.Empty<float>();  // Steps x Output
        protected int T;                                      // next row of StepInputs

        private NaiveNetwork _naive = null!;
        private TorchNet _torch = null!;
        private Tensor[] _torchStepInputs = Array.Empty<Tensor>();
        private Tensor _torchSeqInputs = null!, _torchSeqTargets = null!;

        /// <summary>The shape benchmarked by the subclass.</summary>
        public abstract ShapeSpec Shape { get; }

        /// <summary>Creates the subclass's generated model (stored in a field of its concrete type) and returns it.</summary>
        protected abstract IGeneratedModel CreateGenerated();

        [GlobalSetup]
        public void GlobalSetup()
        {
            torch.set_num_threads(1);
            ShapeSpec s = Shape;
            StepInputs = TestData.Inputs(Steps, s.Input, seed: 1);
            StepOutput = new float[s.Output];
            SeqInputs = TestData.Inputs(Steps, s.Input, seed: 2);
            SeqTargets = TestData.Targets(SeqInputs, s.Input, s.Output);
            SeqOutputs = new float[Steps * s.Output];

            var generated = CreateGenerated();
            _naive = s.Cell == Cell.Lstm ? new NaiveLstm(s.Input, s.Hidden, s.Layers, s.Output, Steps) : new NaiveGru(s.Input, s.Hidden, s.Layers, s.Output, Steps);
            _naive.LoadFrom(generated);
            _torch = new TorchNet(s, generated);
            _torchStepInputs = new Tensor[Steps];
            for (int t = 0; t < Steps; t++) _torchStepInputs[t] = TorchNet.Row(StepInputs.AsSpan(t * s.Input, s.Input));
            _torchSeqInputs = TorchNet.Sequence(SeqInputs, s.Input);
            _torchSeqTargets = TorchNet.Sequence(SeqTargets, s.Output);

            Agreement.Check(s, generated, _naive, _torch, StepInputs, SeqInputs, SeqTargets, _torchStepInputs, _torchSeqInputs, _torchSeqTargets);
            generated.ResetState();
            _naive.ResetState();
            _torch.ResetState();
            T = 0;
        }

        /// <summary>Like <see cref="GlobalSetup"/>, then turns autograd off on this thread for the TorchSharp inference benchmarks.</summary>
        [GlobalSetup(Targets = new[] { nameof(Step_TorchSharp), nameof(Forward_TorchSharp) })]
        public void GlobalSetupNoGrad()
        {
            GlobalSetup();
            torch.set_grad_enabled(false);
        }

        [GlobalCleanup]
        public void GlobalCleanup()
        {
            torch.set_grad_enabled(true);
            foreach (var t in _torchStepInputs) t.Dispose();
            _torchSeqInputs?.Dispose();
            _torchSeqTargets?.Dispose();
            _torch?.Dispose();
        }

        /// <summary>The next input row of the Step benchmarks (a 50-step sine-like signal, repeated).</summary>
        protected int NextRow()
        {
            int t = T;
            T = t + 1 == Steps ? 0 : t + 1;
            return t;
        }

        // ---- Naive C# ----

        [Benchmark, BenchmarkCategory("Step")]
        public void Step_NaiveCSharp()
        {
            int t = NextRow();
            _naive.Step(new ReadOnlySpan<float>(StepInputs, t * Shape.Input, Shape.Input), StepOutput);
        }

        [Benchmark, BenchmarkCategory("Forward")]
        public void Forward_NaiveCSharp() => _naive.Forward(SeqInputs, SeqOutputs);

        [Benchmark, BenchmarkCategory("TrainStep")]
        public float TrainStep_NaiveCSharp() => _naive.TrainStep(SeqInputs, SeqTargets);

        // ---- TorchSharp, one thread ----

        [Benchmark, BenchmarkCategory("Step")]
        public float Step_TorchSharp() => _torch.Step(_torchStepInputs[NextRow()]);

        [Benchmark, BenchmarkCategory("Forward")]
        public void Forward_TorchSharp() => _torch.Forward(_torchSeqInputs, SeqOutputs);

        [Benchmark, BenchmarkCategory("TrainStep")]
        public float TrainStep_TorchSharp() => _torch.TrainStep(_torchSeqInputs, _torchSeqTargets);
    }

    // One subclass per shape: the generated model's benchmarks call the concrete generated type.
    // The generated benchmarks are the baseline of each category, so BenchmarkDotNet's Ratio column reads
    // "how many times slower than the generated code".

    public class ShapeA_Lstm1x32 : ShapeBenchmarks
    {
        private ShapeALstm32 _model = null!;
        public override ShapeSpec Shape => ShapeSpec.A;
        protected override IGeneratedModel CreateGenerated() => _model = new ShapeALstm32();

        [Benchmark(Baseline = true), BenchmarkCategory("Step")]
        public void Step_Generated()
        {
            int t = NextRow();
            _model.Step(new ReadOnlySpan<float>(StepInputs, t * ShapeALstm32.InputSize, ShapeALstm32.InputSize), StepOutput);
        }

        [Benchmark(Baseline = true), BenchmarkCategory("Forward")]
        public void Forward_Generated() => _model.Forward(SeqInputs, SeqOutputs);

        [Benchmark(Baseline = true), BenchmarkCategory("TrainStep")]
        public float TrainStep_Generated() => _model.TrainStep(SeqInputs, SeqTargets);
    }

    public class ShapeB_Gru1x32 : ShapeBenchmarks
    {
        private ShapeBGru32 _model = null!;
        public override ShapeSpec Shape => ShapeSpec.B;
        protected override IGeneratedModel CreateGenerated() => _model = new ShapeBGru32();

        [Benchmark(Baseline = true), BenchmarkCategory("Step")]
        public void Step_Generated()
        {
            int t = NextRow();
            _model.Step(new ReadOnlySpan<float>(StepInputs, t * ShapeBGru32.InputSize, ShapeBGru32.InputSize), StepOutput);
        }

        [Benchmark(Baseline = true), BenchmarkCategory("Forward")]
        public void Forward_Generated() => _model.Forward(SeqInputs, SeqOutputs);

        [Benchmark(Baseline = true), BenchmarkCategory("TrainStep")]
        public float TrainStep_Generated() => _model.TrainStep(SeqInputs, SeqTargets);
    }

    public class ShapeC_Lstm4x8 : ShapeBenchmarks
    {
        private ShapeCLstm4x8 _model = null!;
        public override ShapeSpec Shape => ShapeSpec.C;
        protected override IGeneratedModel CreateGenerated() => _model = new ShapeCLstm4x8();

        [Benchmark(Baseline = true), BenchmarkCategory("Step")]
        public void Step_Generated()
        {
            int t = NextRow();
            _model.Step(new ReadOnlySpan<float>(StepInputs, t * ShapeCLstm4x8.InputSize, ShapeCLstm4x8.InputSize), StepOutput);
        }

        [Benchmark(Baseline = true), BenchmarkCategory("Forward")]
        public void Forward_Generated() => _model.Forward(SeqInputs, SeqOutputs);

        [Benchmark(Baseline = true), BenchmarkCategory("TrainStep")]
        public float TrainStep_Generated() => _model.TrainStep(SeqInputs, SeqTargets);
    }

    public class ShapeD_Lstm16x64 : ShapeBenchmarks
    {
        private ShapeDLstm16x64 _model = null!;
        public override ShapeSpec Shape => ShapeSpec.D;
        protected override IGeneratedModel CreateGenerated() => _model = new ShapeDLstm16x64();

        [Benchmark(Baseline = true), BenchmarkCategory("Step")]
        public void Step_Generated()
        {
            int t = NextRow();
            _model.Step(new ReadOnlySpan<float>(StepInputs, t * ShapeDLstm16x64.InputSize, ShapeDLstm16x64.InputSize), StepOutput);
        }

        [Benchmark(Baseline = true), BenchmarkCategory("Forward")]
        public void Forward_Generated() => _model.Forward(SeqInputs, SeqOutputs);

        [Benchmark(Baseline = true), BenchmarkCategory("TrainStep")]
        public float TrainStep_Generated() => _model.TrainStep(SeqInputs, SeqTargets);
    }

    public class ShapeE_Lstm1x128 : ShapeBenchmarks
    {
        private ShapeELstm128 _model = null!;
        public override ShapeSpec Shape => ShapeSpec.E;
        protected override IGeneratedModel CreateGenerated() => _model = new ShapeELstm128();

        [Benchmark(Baseline = true), BenchmarkCategory("Step")]
        public void Step_Generated()
        {
            int t = NextRow();
            _model.Step(new ReadOnlySpan<float>(StepInputs, t * ShapeELstm128.InputSize, ShapeELstm128.InputSize), StepOutput);
        }

        [Benchmark(Baseline = true), BenchmarkCategory("Forward")]
        public void Forward_Generated() => _model.Forward(SeqInputs, SeqOutputs);

        [Benchmark(Baseline = true), BenchmarkCategory("TrainStep")]
        public float TrainStep_Generated() => _model.TrainStep(SeqInputs, SeqTargets);
    }
}
