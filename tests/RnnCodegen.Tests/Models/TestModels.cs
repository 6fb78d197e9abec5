using System;
using RnnCodegen;

namespace RnnCodegen.Tests.Models
{
    /// <summary>Lets tests drive any float-input generated model (the generated members satisfy it implicitly).</summary>
    public interface IFloatModel : IRecurrentModel
    {
        void Forward(ReadOnlySpan<float> inputs, Span<float> outputs);
        void Step(ReadOnlySpan<float> input, Span<float> output);
        void InitializeParameters(int seed, Initialization scheme);
    }

    /// <summary>Lets tests drive any token-input generated model.</summary>
    public interface ITokenModel : IRecurrentModel
    {
        void Forward(ReadOnlySpan<int> tokens, Span<float> outputs);
        void Step(int token, Span<float> output);
        void InitializeParameters(int seed, Initialization scheme);
    }

    [LstmModel(Input = 1, Hidden = 32, Output = 1, SequenceLength = 50)]
    public partial class SineLstm : IFloatModel { }

    [RnnModel(Input = 1, Hidden = 5)]
    public partial class TanhRnn : IFloatModel { }

    [RnnModel(Input = 3, Hidden = 13, Layers = 2, Output = 2, Activation = Activation.Relu)]
    internal sealed partial class ReluRnn : IFloatModel { }

    [RnnModel(Input = 2, Hidden = 3, Layers = 3, Output = 3, OutputActivation = OutputActivation.Tanh)]
    public partial class DeepTanhRnn : IFloatModel { }

    [LstmModel(Input = 3, Hidden = 5, Layers = 3, Output = 4, OutputActivation = OutputActivation.Softmax, OutputMode = OutputMode.Last)]
    public partial class StackedLstmClassifier : IFloatModel { }

    [LstmModel(Input = 2, Hidden = 5, Output = 1, Peephole = true, OutputActivation = OutputActivation.Sigmoid)]
    public partial class PeepholeLstm : IFloatModel { }

    [LstmModel(Input = 3, Hidden = 7, Layers = 2, Output = 2, Peephole = true, OutputMode = OutputMode.Last)]
    public partial class StackedPeepholeLstm : IFloatModel { }

    [LstmModel(Input = 16, Hidden = 64, Output = 1)]
    public partial class WideLstm : IFloatModel { }

    [GruModel(Input = 1, Hidden = 33, Output = 1, OutputActivation = OutputActivation.Tanh)]
    public partial class OddGru : IFloatModel { }

    [GruModel(Input = 4, Hidden = 13, Layers = 2, OutputMode = OutputMode.Last)]
    public partial class StackedGru : IFloatModel { }

    [GruModel(Input = 3, Hidden = 5, Output = 2, ResetAfter = false)]
    public partial class ClassicGru : IFloatModel { }

    [GruModel(Input = 2, Hidden = 6, Layers = 2, Output = 1, ResetAfter = false, OutputActivation = OutputActivation.Sigmoid, OutputMode = OutputMode.Last)]
    public partial class StackedClassicGru : IFloatModel { }

    [LstmModel(Vocabulary = 11, Input = 4, Hidden = 13, Output = 11, OutputActivation = OutputActivation.Softmax, Loss = Loss.CrossEntropy)]
    public partial class CharLstm : ITokenModel { }

    [RnnModel(Vocabulary = 20, Input = 8, Hidden = 5, Output = 1, OutputActivation = OutputActivation.Sigmoid, OutputMode = OutputMode.Last, Loss = Loss.BinaryCrossEntropy)]
    public partial class SentimentRnn : ITokenModel { }

    [GruModel(Vocabulary = 7, Input = 3, Hidden = 5, Layers = 2)]
    public partial class TokenGru : ITokenModel { }
}

namespace RnnCodegen.Tests.Models
{
    // Wide layers: the SIMD step loops over register blocks (and, for GRU, over the gate blocks each kind of row reaches).

    [GruModel(Input = 5, Hidden = 128, Layers = 2, Output = 2, SequenceLength = 8)]
    public partial class WideGru : IFloatModel { }

    [LstmModel(Input = 3, Hidden = 130, Output = 1, SequenceLength = 8)]
    public partial class OddWideLstm : IFloatModel { }

    // GRU register blocks that span gate blocks: Vector256/128 with 2-4 vectors per gate (straight-line blocks, the input
    // rows of layer 1 reaching only part of a block); Vector512 with 4 vectors per gate (a loop over blocks that hold both
    // n(h) and n(x), so the stores map packed columns to the gate scratch at run time).
    [GruModel(Input = 3, Hidden = 32, Layers = 2, Output = 2, SequenceLength = 8)]
    public partial class GateSpanningGru : IFloatModel { }

    [GruModel(Input = 3, Hidden = 64, Output = 1, SequenceLength = 8)]
    public partial class MidGru : IFloatModel { }

    [RnnModel(Input = 2, Hidden = 144, Output = 3, SequenceLength = 8)]
    public partial class WideRnn : IFloatModel { }

    // More than 96 rows (a 128-float panel would not fit a 48 KB L1): on Vector512, panels of 64 floats, each inside one
    // gate, so the step activates every register block from the registers as soon as its rows are summed.
    [LstmModel(Input = 3, Hidden = 128, Output = 1, SequenceLength = 8)]
    public partial class TallLstm : IFloatModel { }
}

namespace RnnCodegen.Tests.Models
{
    // Filled from Keras JSON and checked against a forward pass written from Keras' own formulas (Weights/KerasReferenceTests.cs).

    [LstmModel(Input = 3, Hidden = 8, Output = 2)]
    public partial class KerasLstm : IFloatModel { }

    [LstmModel(Input = 4, Hidden = 6, Layers = 2, Output = 3, OutputActivation = OutputActivation.Sigmoid)]
    public partial class KerasStackedLstm : IFloatModel { }

    [GruModel(Input = 3, Hidden = 7, Output = 2)]
    public partial class KerasGru : IFloatModel { }

    [GruModel(Input = 3, Hidden = 7, Output = 2, ResetAfter = false)]
    public partial class KerasClassicGru : IFloatModel { }

    [RnnModel(Input = 2, Hidden = 6, Output = 1, OutputActivation = OutputActivation.Tanh)]
    public partial class KerasRnn : IFloatModel { }

    [LstmModel(Vocabulary = 9, Input = 4, Hidden = 6, Output = 9, OutputActivation = OutputActivation.Softmax)]
    public partial class KerasTokenLstm : ITokenModel { }
}
