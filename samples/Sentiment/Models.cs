using RnnCodegen;

namespace RnnCodegen.Samples.Sentiment
{
    /// <summary>
    /// The Keras IMDB tutorial's model at the size of this data set: Embedding(73, 32) + SimpleRNN(32) + Dense(1, sigmoid),
    /// binary cross-entropy, RMSprop with Keras' learning rate 0.001; one output after the last token (many-to-one),
    /// reviews padded in front to 20 tokens.
    /// </summary>
    [RnnModel(Vocabulary = Words.Size, Input = 32, Hidden = 32, Output = 1, OutputActivation = OutputActivation.Sigmoid, OutputMode = OutputMode.Last,
        Loss = Loss.BinaryCrossEntropy, Optimizer = Optimizer.RmsProp, LearningRate = 0.001, SequenceLength = SentimentDemo.MaxTokens)]
    public sealed partial class SentimentRnn
    {
    }

    /// <summary>
    /// Exactly the tutorial's model, Embedding(10000, 32) + SimpleRNN(32) + Dense(1), declared only to print its parameter
    /// count next to Keras' summary (inference only: no SequenceLength, so no training code is generated).
    /// </summary>
    [RnnModel(Vocabulary = 10000, Input = 32, Hidden = 32, Output = 1, OutputActivation = OutputActivation.Sigmoid, OutputMode = OutputMode.Last)]
    public sealed partial class KerasImdbRnn
    {
    }
}
