using Microsoft.CodeAnalysis;

namespace RnnCodegen.Generator.Diagnostics
{
    /// <summary>
    /// Every diagnostic the generator reports. Ids are stable (tracked in AnalyzerReleases.*.md); each has a help link
    /// to its row of the README's diagnostics table (the anchor diagnostics-rnnNNNN; ReadmeTests checks that it exists).
    /// </summary>
    internal static class DiagnosticDescriptors
    {
        private const string Category = "RnnCodegen";
        private const string HelpBase = "https://github.com/rnncodegen/rnncodegen#diagnostics";

        private static DiagnosticDescriptor Error(string id, string title, string message, string description) =>
            new(id, title, message, Category, DiagnosticSeverity.Error, isEnabledByDefault: true, description: description, helpLinkUri: HelpBase + "-" + id.ToLowerInvariant());

        private static DiagnosticDescriptor Warning(string id, string title, string message, string description) =>
            new(id, title, message, Category, DiagnosticSeverity.Warning, isEnabledByDefault: true, description: description, helpLinkUri: HelpBase + "-" + id.ToLowerInvariant());

        public static readonly DiagnosticDescriptor NotPartial = Error(
            "RNN0001", "Model class must be partial",
            "The model class '{0}' must be declared partial{1}",
            "The generator adds the model's members to the class, so it and every type that contains it must be declared 'partial'.");

        public static readonly DiagnosticDescriptor Generic = Error(
            "RNN0002", "Model class cannot be generic",
            "The model class '{0}' {1}; a model must be a non-generic class outside generic types",
            "Generated models have fixed, compile-time sizes; generic classes and classes nested in generic types are not supported.");

        public static readonly DiagnosticDescriptor SizeOutOfRange = Error(
            "RNN0003", "Size out of range",
            "{0} = {1} is out of range: it must be {2}",
            "Sizes must be positive and small enough for the generated code: Input 1..4096, Hidden 1..1024, Layers 1..16, Output 0..65536, SequenceLength 0..100000, Vocabulary 0..1000000.");

        public static readonly DiagnosticDescriptor SoftmaxNeedsTwoOutputs = Error(
            "RNN0004", "Softmax head needs at least two outputs",
            "OutputActivation.Softmax needs Output >= 2, but Output = {0}",
            "A softmax over a single value is always 1.");

        public static readonly DiagnosticDescriptor CrossEntropyNeedsSoftmax = Error(
            "RNN0005", "CrossEntropy needs a Softmax head",
            "Loss.CrossEntropy needs OutputActivation = OutputActivation.Softmax, but the head uses {0}",
            "Categorical cross-entropy is computed on the softmax head's logits with integer class targets, as PyTorch's nn.CrossEntropyLoss.");

        public static readonly DiagnosticDescriptor BinaryCrossEntropyNeedsSigmoid = Error(
            "RNN0006", "BinaryCrossEntropy needs a Sigmoid head",
            "Loss.BinaryCrossEntropy needs OutputActivation = OutputActivation.Sigmoid, but the head uses {0}",
            "Binary cross-entropy is computed from the sigmoid head's pre-activation, as PyTorch's nn.BCEWithLogitsLoss.");

        public static readonly DiagnosticDescriptor PeepholeNotLstm = Error(
            "RNN0007", "Peephole applies only to LSTM models",
            "Peephole is an LSTM setting; '{0}' is a {1} model",
            "Peephole connections exist only in LSTM cells; use [LstmModel(Peephole = true)].");

        public static readonly DiagnosticDescriptor ActivationNotRnn = Error(
            "RNN0008", "Activation applies only to vanilla RNN models",
            "Activation chooses the vanilla RNN's nonlinearity; '{0}' is a {1} model whose gates have fixed activations",
            "LSTM and GRU gates use sigmoid and tanh as in PyTorch; Activation = Relu is only for [RnnModel].");

        public static readonly DiagnosticDescriptor TwoModelAttributes = Error(
            "RNN0009", "Only one model attribute per class",
            "'{0}' already has [{1}]; a class can hold one model, so [{2}] is not allowed here",
            "Declare each model in its own partial class.");

        public static readonly DiagnosticDescriptor NeedsHead = Error(
            "RNN0010", "Setting needs a dense head",
            "{0} needs a dense head, but Output = 0 (the output is the raw hidden state){1}",
            "OutputActivation other than Identity, and the losses BinaryCrossEntropy and CrossEntropy, apply to a dense head: set Output > 0.");

        public static readonly DiagnosticDescriptor HyperparameterOutOfRange = Error(
            "RNN0011", "Optimizer setting out of range",
            "{0} = {1} is out of range: it must be {2}",
            "Learning rate and weight decay must not be negative, epsilon must be positive, betas and momentum lie in [0, 1), alpha in [0, 1]; Nesterov momentum needs Momentum > 0.");

        public static readonly DiagnosticDescriptor ClipOutOfRange = Error(
            "RNN0012", "Gradient clipping threshold out of range",
            "{0} = {1} is out of range: it must be {2}",
            "ClipNorm and ClipValue are thresholds; 0 means no clipping.");

        public static readonly DiagnosticDescriptor DropoutOutOfRange = Error(
            "RNN0013", "Dropout out of range",
            "Dropout = {0} is out of range: it must be in [0, 1){1}",
            "Dropout is the probability of zeroing an activation between stacked layers while training.");

        public static readonly DiagnosticDescriptor DropoutSingleLayer = Warning(
            "RNN0014", "Dropout has no effect with one layer",
            "Dropout = {0} has no effect: dropout is applied between stacked layers and this model has Layers = 1",
            "As in PyTorch's nn.LSTM, dropout acts on the outputs of every recurrent layer except the last.");

        public static readonly DiagnosticDescriptor ResetAfterNotGru = Error(
            "RNN0015", "ResetAfter applies only to GRU models",
            "ResetAfter is a GRU setting; '{0}' is a {1} model",
            "ResetAfter selects where the GRU reset gate applies; it exists only for [GruModel].");

        public static readonly DiagnosticDescriptor TooLarge = Error(
            "RNN0016", "Model too large",
            "The model would have {0} {1}, more than the limit of {2}",
            "Generated models hold every parameter and training buffer in flat arrays; keep parameters under 16 M and the training buffers under 64 M floats.");

        public static readonly DiagnosticDescriptor StaticClass = Error(
            "RNN0017", "Model class cannot be static",
            "The model class '{0}' is static; a model holds parameters and state in instances",
            "Remove 'static' from the class.");

        public static readonly DiagnosticDescriptor InvalidEnumValue = Error(
            "RNN0018", "Unknown setting value",
            "{0} = {1} is not a defined value of {2}",
            "Use one of the enum's named members.");

        public static readonly DiagnosticDescriptor TrainingWithoutSequenceLength = Error(
            "RNN0019", "Training needs SequenceLength",
            "'{0}' is a training member, but '{1}' is declared without SequenceLength, so only inference was generated; add SequenceLength = <longest training sequence> to [{2}]",
            "Training members (AccumulateGradients, TrainStep, ApplyGradients...) are generated only when SequenceLength sizes the backpropagation buffers.");

        public static readonly DiagnosticDescriptor NameClash = Error(
            "RNN0020", "Model class name clashes with a generated member",
            "The model class '{0}' has the name of {1}, which the generator declares in it; a C# member cannot be named like its enclosing type (CS0542), so rename the class",
            "The generator declares members such as Step, Forward, Description, SimdPath and TrainingWorkspace in the model class; the class must not share a name with any of them.");

        public static readonly DiagnosticDescriptor NoEffect = Warning(
            "RNN0021", "Setting has no effect",
            "{0} = {1} has no effect: {0} is {2} and this model uses {3}",
            "A setting written in the attribute that the model's optimizer or loss does not use is reported rather than silently ignored: Beta1/Beta2 are Adam's, Epsilon Adam's and RMSprop's, Momentum/Nesterov Optimizer.Momentum's, Alpha RMSprop's, DecoupledWeightDecay Adam's, IgnoreIndex CrossEntropy's.");

        public static readonly DiagnosticDescriptor MemberClash = Error(
            "RNN0022", "Member clashes with a generated member",
            "{0} clashes with {1} that the generator declares in the model class '{2}'{3}",
            "The generator declares members such as InputSize, Description, Step, _parameters and TrainingWorkspace in the model class. A member of the class, or an accessible one of a base class, with such a name would clash with it (CS0102, CS0108) inside the generated code. A method may share a generated method's name as an overload; a model class may not derive from another model class.");

        public static readonly DiagnosticDescriptor LanguageVersionTooLow = Error(
            "RNN0023", "Language version too old",
            "The model class '{0}' is compiled as C# {1}, but the generated code needs C# {2} or later ({3}); set <LangVersion>{2}</LangVersion> or later",
            "The emitted code needs C# 9 where it has SIMD paths (.NET 8 and later) and C# 8 elsewhere (netstandard: nullable annotations), and uses no newer features than the project's language version.");

        public static readonly DiagnosticDescriptor InternalError = Error(
            "RNN9999", "The RnnCodegen generator failed",
            "The RnnCodegen generator failed on '{0}': {1}. Please report this with the model's attribute.",
            "An unexpected failure inside the generator; no code was emitted for this class.");

        public static DiagnosticDescriptor? Find(string id) => id switch
        {
            "RNN0001" => NotPartial,
            "RNN0002" => Generic,
            "RNN0003" => SizeOutOfRange,
            "RNN0004" => SoftmaxNeedsTwoOutputs,
            "RNN0005" => CrossEntropyNeedsSoftmax,
            "RNN0006" => BinaryCrossEntropyNeedsSigmoid,
            "RNN0007" => PeepholeNotLstm,
            "RNN0008" => ActivationNotRnn,
            "RNN0009" => TwoModelAttributes,
            "RNN0010" => NeedsHead,
            "RNN0011" => HyperparameterOutOfRange,
            "RNN0012" => ClipOutOfRange,
            "RNN0013" => DropoutOutOfRange,
            "RNN0014" => DropoutSingleLayer,
            "RNN0015" => ResetAfterNotGru,
            "RNN0016" => TooLarge,
            "RNN0017" => StaticClass,
            "RNN0018" => InvalidEnumValue,
            "RNN0019" => TrainingWithoutSequenceLength,
            "RNN0020" => NameClash,
            "RNN0021" => NoEffect,
            "RNN0022" => MemberClash,
            "RNN0023" => LanguageVersionTooLow,
            "RNN9999" => InternalError,
            _ => null,
        };
    }
}
