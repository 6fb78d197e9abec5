using RnnCodegen;

namespace RnnCodegen.Samples.CharRnn
{
    /// <summary>
    /// A character-level language model: token ids of <see cref="Alphabet"/> in, an embedding of 16, an LSTM of 64 units,
    /// and a softmax over the next character out at every step. Cross-entropy loss, Adam (learning rate 0.002), gradient
    /// norm clipped to 5, truncated backpropagation through time over 32 characters.
    /// </summary>
    [LstmModel(Vocabulary = Alphabet.Size, Input = 16, Hidden = 64, Output = Alphabet.Size, OutputActivation = OutputActivation.Softmax,
        Loss = Loss.CrossEntropy, SequenceLength = 32, Optimizer = Optimizer.Adam, LearningRate = 0.002, ClipNorm = 5.0)]
    public sealed partial class CharLstm
    {
    }
}
