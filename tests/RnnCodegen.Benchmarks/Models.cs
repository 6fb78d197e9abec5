using System;
using RnnCodegen;

namespace RnnCodegen.Benchmarks
{
    /// <summary>
    /// The generated members the setup checks use (the generated classes satisfy it implicitly). The timed benchmarks
    /// call the concrete generated types, never this interface.
    /// </summary>
    public interface IGeneratedModel : ITrainableModel<float, float>
    {
        void Step(ReadOnlySpan<float> input, Span<float> output);
        void Forward(ReadOnlySpan<float> inputs, Span<float> outputs);
    }

    // The five benchmark shapes of issue 6, as generated models (SequenceLength 50 sizes the training buffers).

    /// <summary>Shape A: LSTM 1 -> 32 + Dense 1.</summary>
    [LstmModel(Input = 1, Hidden = 32, Output = 1, SequenceLength = 50)]
    public sealed partial class ShapeALstm32 : IGeneratedModel { }

    /// <summary>Shape B: GRU 1 -> 32 + Dense 1.</summary>
    [GruModel(Input = 1, Hidden = 32, Output = 1, SequenceLength = 50)]
    public sealed partial class ShapeBGru32 : IGeneratedModel { }

    /// <summary>Shape C: 4 stacked LSTM(8) + Dense 1, input 1.</summary>
    [LstmModel(Input = 1, Hidden = 8, Layers = 4, Output = 1, SequenceLength = 50)]
    public sealed partial class ShapeCLstm4x8 : IGeneratedModel { }

    /// <summary>Shape D: LSTM 16 -> 64 + Dense 1.</summary>
    [LstmModel(Input = 16, Hidden = 64, Output = 1, SequenceLength = 50)]
    public sealed partial class ShapeDLstm16x64 : IGeneratedModel { }

    /// <summary>Shape E: LSTM 1 -> 128 + Dense 1.</summary>
    [LstmModel(Input = 1, Hidden = 128, Output = 1, SequenceLength = 50)]
    public sealed partial class ShapeELstm128 : IGeneratedModel { }
}
