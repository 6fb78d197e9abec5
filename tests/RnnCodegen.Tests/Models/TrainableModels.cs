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

    [RnnModel(Input = 3, Hidden = 4, Layers = 2, Output = 2, SequenceLength = 12)]
    public partial class TrainTanhRnn : IRegressionTrainable { }

    [RnnModel(Input = 2, Hidden = 5, Output = 1, Activation = Activation.Relu, OutputActivation = OutputActivation.Sigmoid, OutputMode = OutputMode.Last, Loss = Loss.BinaryCrossEntropy, SequenceLength = 12)]
    public partial class TrainReluRnnBce : IRegressionTrainable { }

    [GruModel(Input = 3, Hidden = 5, Layers = 2, Output = 3, OutputActivation = OutputActivation.Softmax, Loss = Loss.CrossEntropy, SequenceLength = 12)]
    public partial class TrainGruCrossEntropy : IClassTrainable { }

    /// <summary>AccumulateBatch of a float-input model with float targets (MSE, BCE).</summary>
    public interface IRegressionBatchTrainable : ITrainingSettings
    {
        float AccumulateBatch(ReadOnlyMemory<float> inputs, ReadOnlyMemory<float> targets, int sequences, int maxWorkers = 0);
    }

    /// <summary>AccumulateBatch of a float-input model with class targets (cross-entropy).</summary>
    public interface IClassBatchTrainable : ITrainingSettings
    {
        float AccumulateBatch(ReadOnlyMemory<float> inputs, ReadOnlyMemory<int> classes, int sequences, int maxWorkers = 0);
    }

    // The batch fixtures' models (Fixtures/batch): plain SGD, so the scale of the batch gradient shows in the step; Adam for
    // two batch steps.

    [GruModel(Input = 3, Hidden = 5, Layers = 2, Output = 3, OutputActivation = OutputActivation.Softmax, Loss = Loss.CrossEntropy, SequenceLength = 8, Optimizer = Optimizer.Sgd)]
    public partial class BatchGruCrossEntropy : IClassTrainable, IClassBatchTrainable { }

    [LstmModel(Input = 2, Hidden = 5, Layers = 2, Output = 2, SequenceLength = 8, Optimizer = Optimizer.Sgd)]
    public partial class BatchLstmMse : IRegressionTrainable, IRegressionBatchTrainable { }

    [GruModel(Input = 3, Hidden = 4, Output = 2, OutputActivation = OutputActivation.Sigmoid, OutputMode = OutputMode.Last, Loss = Loss.BinaryCrossEntropy, SequenceLength = 8, Optimizer = Optimizer.Sgd)]
    public partial class BatchGruBce : IRegressionTrainable, IRegressionBatchTrainable { }

    [RnnModel(Input = 3, Hidden = 4, Layers = 2, Output = 2, OutputActivation = OutputActivation.Tanh, SequenceLength = 8, Optimizer = Optimizer.Adam)]
    public partial class BatchRnnMseAdam : IRegressionTrainable, IRegressionBatchTrainable { }

    [GruModel(Input = 2, Hidden = 4, Output = 1, ResetAfter = false, OutputActivation = OutputActivation.Tanh, SequenceLength = 12)]
    public partial class TrainClassicGru : IRegressionTrainable { }

    [GruModel(Input = 2, Hidden = 4, Output = 3, OutputActivation = OutputActivation.Softmax, SequenceLength = 12)]
    public partial class TrainGruSoftmaxMse : IRegressionTrainable { }

    [LstmModel(Input = 2, Hidden = 4, Layers = 2, Output = 2, Peephole = true, OutputMode = OutputMode.Last, SequenceLength = 12)]
    public partial class TrainPeepholeLstm : IRegressionTrainable { }

    [LstmModel(Input = 3, Hidden = 6, SequenceLength = 12)]
    public partial class TrainLstmNoHead : IRegressionTrainable { }

    [LstmModel(Input = 2, Hidden = 5, Layers = 2, Output = 1, OutputActivation = OutputActivation.Sigmoid, SequenceLength = 12, Optimizer = Optimizer.Sgd)]
    public partial class TrainStackedLstmSigmoid : IRegressionTrainable { }

    [LstmModel(Vocabulary = 9, Input = 3, Hidden = 5, Output = 9, OutputActivation = OutputActivation.Softmax, Loss = Loss.CrossEntropy, SequenceLength = 12)]
    public partial class TrainTokenLstm : ITokenModel
    {
    }
}

namespace RnnCodegen.Tests.Models
{
    /// <summary>The run-time optimizer settings every trainable generated model has.</summary>
    public interface ITrainingSettings
    {
        float LearningRate { get; set; }
        float WeightDecay { get; set; }
        float ClipNorm { get; set; }
        float ClipValue { get; set; }
        void ApplyGradients(int batchCount);
        void ZeroGradients();
        void CopyGradient(string name, System.Span<float> destination);
    }

    public interface ITokenRegressionTrainable : ITokenModel
    {
        float AccumulateGradients(System.ReadOnlySpan<int> tokens, System.ReadOnlySpan<float> targets);
    }

    public interface ITokenClassTrainable : ITokenModel
    {
        float AccumulateGradients(System.ReadOnlySpan<int> tokens, System.ReadOnlySpan<int> classes);
    }

    [LstmModel(Input = 2, Hidden = 5, Output = 1, SequenceLength = 12, Optimizer = Optimizer.Sgd)]
    public partial class LstmSgd : IRegressionTrainable, ITrainingSettings { }

    [LstmModel(Input = 2, Hidden = 5, Output = 1, SequenceLength = 12, Optimizer = Optimizer.Momentum)]
    public partial class LstmMomentum : IRegressionTrainable, ITrainingSettings { }

    [LstmModel(Input = 2, Hidden = 5, Output = 1, SequenceLength = 12, Optimizer = Optimizer.Momentum, Nesterov = true)]
    public partial class LstmNesterov : IRegressionTrainable, ITrainingSettings { }

    [LstmModel(Input = 2, Hidden = 5, Output = 1, SequenceLength = 12, Optimizer = Optimizer.Adam)]
    public partial class LstmAdam : IRegressionTrainable, ITrainingSettings { }

    [LstmModel(Input = 2, Hidden = 5, Output = 1, SequenceLength = 12, Optimizer = Optimizer.Adam, DecoupledWeightDecay = true)]
    public partial class LstmAdamW : IRegressionTrainable, ITrainingSettings { }

    [LstmModel(Input = 2, Hidden = 5, Output = 1, SequenceLength = 12, Optimizer = Optimizer.RmsProp)]
    public partial class LstmRmsProp : IRegressionTrainable, ITrainingSettings { }

    [RnnModel(Vocabulary = 12, Input = 4, Hidden = 6, Output = 1, OutputActivation = OutputActivation.Sigmoid, OutputMode = OutputMode.Last, Loss = Loss.BinaryCrossEntropy, SequenceLength = 12)]
    public partial class TokenSentimentRnn : ITokenRegressionTrainable, ITrainingSettings { }

    public partial class TrainTanhRnn : ITrainingSettings { }
    public partial class TrainReluRnnBce : ITrainingSettings { }
    public partial class TrainGruCrossEntropy : ITrainingSettings { }
    public partial class TrainClassicGru : ITrainingSettings { }
    public partial class TrainPeepholeLstm : ITrainingSettings { }
    public partial class TrainLstmNoHead : ITrainingSettings { }
    public partial class TrainTokenLstm : ITokenClassTrainable, ITrainingSettings { }
}

namespace RnnCodegen.Tests.Models
{
    /// <summary>The classic binary-addition RNN: two bits in, the sum bit out, 8 steps (least significant bit first).</summary>
    [RnnModel(Input = 2, Hidden = 16, Output = 1, OutputActivation = OutputActivation.Sigmoid, Loss = Loss.BinaryCrossEntropy, SequenceLength = 8, Optimizer = Optimizer.Adam, LearningRate = 0.01)]
    public partial class BinaryAdder { }

    /// <summary>Next-value prediction on a sine wave.</summary>
    [LstmModel(Input = 1, Hidden = 16, Output = 1, SequenceLength = 20, LearningRate = 0.01, ClipNorm = 1.0)]
    public partial class SineForecaster { }

    [GruModel(Input = 2, Hidden = 6, Layers = 2, Output = 1, Dropout = 0.3, SequenceLength = 10)]
    public partial class DropoutGru { }

    /// <summary>One unit per layer and one step: the dropout mask between the layers shows in the loss.</summary>
    [RnnModel(Input = 1, Hidden = 1, Layers = 2, Output = 1, Activation = Activation.Relu, OutputMode = OutputMode.Last, Dropout = 0.25, SequenceLength = 1)]
    public partial class DropoutProbe { }
}

namespace RnnCodegen.Tests.Models
{
    /// <summary>96 parameters, Adam: the same count and optimizer as <see cref="StateGru96"/>, another shape.</summary>
    [LstmModel(Input = 3, Hidden = 3, SequenceLength = 5)]
    public partial class StateLstm96 { }

    /// <summary>96 parameters, Adam.</summary>
    [GruModel(Input = 2, Hidden = 4, SequenceLength = 5)]
    public partial class StateGru96 { }

    /// <summary><see cref="DropoutGru"/>'s shape and optimizer without dropout.</summary>
    [GruModel(Input = 2, Hidden = 6, Layers = 2, Output = 1, SequenceLength = 10)]
    public partial class PlainGru { }
}
