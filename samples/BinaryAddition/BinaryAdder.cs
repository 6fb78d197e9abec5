using RnnCodegen;

namespace RnnCodegen.Samples.BinaryAddition
{
    /// <summary>
    /// The classic binary-addition RNN: at step t it reads bit t of a and of b (least significant first) and outputs the
    /// probability that bit t of a + b is 1. The carry has to live in the hidden state. 2 inputs, 16 tanh units, a sigmoid
    /// output, binary cross-entropy, Adam with learning rate 0.01, 8 steps.
    /// </summary>
    [RnnModel(Input = 2, Hidden = 16, Output = 1, OutputActivation = OutputActivation.Sigmoid, Loss = Loss.BinaryCrossEntropy, SequenceLength = 8, Optimizer = Optimizer.Adam, LearningRate = 0.01)]
    public sealed partial class BinaryAdder
    {
    }
}
