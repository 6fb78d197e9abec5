using System;
using RnnCodegen;

namespace RnnCodegen.Tests.Models
{
    /// <summary>Training members of a float-input, float-target model.</summary>
    public interface IRegressionTrainable : IFloatModel
    {
        float AccumulateGradients(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets);
        float TrainStep(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets);
        void ApplyGradients(int batchCount);
        void ZeroGradients();
        void CopyGradient(string name, Span<float> destination);
    }

    /// <summary>Training members of a float-input model with class targets.</summary>
    public interface IClassTrainable : IFloatModel
    {
        float AccumulateGradients(ReadOnlySpan<float> inputs, ReadOnlySpan<int> classes);
        void ZeroGradients();
        void CopyGradient(string name, Span<float> destination);
    }

    [RnnModel(Input = 3, Hidden = 4, Layers = 2, Output = 2, SequenceLength = 6)]
    public partial class TrainTanhRnn : IRegressionTrainable { }

    [RnnModel(Input = 2, Hidden = 5, Output = 1, Activation = Activation.Relu, OutputActivation = OutputActivation.Sigmoid, OutputMode = OutputMode.Last, Loss = Loss.BinaryCrossEntropy, SequenceLength = 6)]
    public partial class TrainReluRnnBce : IRegressionTrainable { }

    [GruModel(Input = 3, Hidden = 5, Layers = 2, Output = 3, OutputActivation = OutputActivation.Softmax, Loss = Loss.CrossEntropy, SequenceLength = 6)]
    public partial class TrainGruCrossEntropy : IClassTrainable { }

    [GruModel(Input = 2, Hidden = 4, Output = 1, ResetAfter = false, OutputActivation = OutputActivation.Tanh, SequenceLength = 6)]
    public partial class TrainClassicGru : IRegressionTrainable { }

    [GruModel(Input = 2, Hidden = 4, Output = 3, OutputActivation = OutputActivation.Softmax, SequenceLength = 6)]
    public partial class TrainGruSoftmaxMse : IRegressionTrainable { }

    [LstmModel(Input = 2, Hidden = 4, Layers = 2, Output = 2, Peephole = true, OutputMode = OutputMode.Last, SequenceLength = 6)]
    public partial class TrainPeepholeLstm : IRegressionTrainable { }

    [LstmModel(Input = 3, Hidden = 6, SequenceLength = 6)]
    public partial class TrainLstmNoHead : IRegressionTrainable { }

    [LstmModel(Input = 2, Hidden = 5, Layers = 2, Output = 1, OutputActivation = OutputActivation.Sigmoid, SequenceLength = 6, Optimizer = Optimizer.Sgd)]
    public partial class TrainStackedLstmSigmoid : IRegressionTrainable { }

    [LstmModel(Vocabulary = 9, Input = 3, Hidden = 5, Output = 9, OutputActivation = OutputActivation.Softmax, Loss = Loss.CrossEntropy, SequenceLength = 6)]
    public partial class TrainTokenLstm : ITokenModel
    {
    }
}
