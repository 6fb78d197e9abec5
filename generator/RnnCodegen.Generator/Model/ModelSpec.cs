namespace RnnCodegen.Generator.Model
{
    /// <summary>The cell kinds; values equal RnnCodegen.CellKind.</summary>
    internal enum Cell
    {
        Rnn = 0,
        Lstm = 1,
        Gru = 2,
    }

    /// <summary>A type that encloses the model class (namespace excluded), outermost first.</summary>
    internal sealed record ContainingType(string Keyword, string Name);

    /// <summary>What the consumer's compilation offers the emitted code.</summary>
    /// <param name="HasIntrinsics">System.Runtime.Intrinsics exists (netcoreapp3.0+).</param>
    /// <param name="HasSkipLocalsInit">SkipLocalsInitAttribute exists (net5.0+) and the project allows unsafe code, which the attribute requires.</param>
    /// <param name="HasVector512">Vector512 and Vector*.IsHardwareAccelerated exist (net8.0+): the specialised SIMD step is emitted.</param>
    /// <param name="HasFusedMultiplyAdd">Vector*.FusedMultiplyAdd exists (net9.0+).</param>
    internal sealed record TargetInfo(bool HasIntrinsics, bool HasSkipLocalsInit, int LanguageVersion, bool HasVector512 = false, bool HasFusedMultiplyAdd = false);

    /// <summary>
    /// Everything the emitter needs, as plain values with value equality: no symbols, syntax nodes or compilations,
    /// so an unrelated edit leaves the pipeline cached. Enum-valued settings are stored as the runtime enums' ints.
    /// </summary>
    internal sealed record ModelSpec(
        string? Namespace,
        string ClassName,
        string ClassKeyword,
        EquatableArray<ContainingType> ContainingTypes,
        Cell Cell,
        int Input,
        int Hidden,
        int Layers,
        int Output,
        int OutputActivation,
        int OutputMode,
        int SequenceLength,
        int Vocabulary,
        int Activation,
        bool Peephole,
        bool ResetAfter,
        int Loss,
        int Optimizer,
        double LearningRate,
        double Beta1,
        double Beta2,
        double Epsilon,
        double Momentum,
        bool Nesterov,
        double Alpha,
        double WeightDecay,
        bool DecoupledWeightDecay,
        double ClipNorm,
        double ClipValue,
        double Dropout,
        int IgnoreIndex)
    {
        public const int OutputActivationIdentity = 0, OutputActivationSigmoid = 1, OutputActivationTanh = 2, OutputActivationSoftmax = 3;
        public const int LossMse = 0, LossBce = 1, LossCrossEntropy = 2;
        public const int OptimizerSgd = 0, OptimizerMomentum = 1, OptimizerAdam = 2, OptimizerRmsProp = 3;

        public int Gates => Cell == Cell.Lstm ? 4 : Cell == Cell.Gru ? 3 : 1;

        public int GateRows => Gates * Hidden;

        public bool HasHead => Output > 0;

        public bool IsLast => OutputMode == 1;

        public int OutputWidth => HasHead ? Output : Hidden;

        public bool HasTokens => Vocabulary > 0;

        public bool Trainable => SequenceLength > 0;

        public int LayerInput(int layer) => layer == 0 ? Input : Hidden;

        public int StateSize => (Cell == Cell.Lstm ? 2 : 1) * Layers * Hidden;

        /// <summary>Parameters of one recurrent layer (PyTorch: two bias vectors).</summary>
        public long LayerParameters(int layer) =>
            (long)GateRows * LayerInput(layer) + (long)GateRows * Hidden + 2L * GateRows + (Cell == Cell.Lstm && Peephole ? 3L * Hidden : 0L);

        public long ParameterCount
        {
            get
            {
                long total = (long)Vocabulary * Input;
                for (int k = 0; k < Layers; k++) total += LayerParameters(k);
                if (HasHead) total += (long)Output * Hidden + Output;
                return total;
            }
        }

        public string FullName => (Namespace is null ? "" : Namespace + ".") + string.Join(".", System.Linq.Enumerable.Select(ContainingTypes, t => t.Name)) + (ContainingTypes.Count > 0 ? "." : "") + ClassName;
    }
}
