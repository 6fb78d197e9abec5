using RnnCodegen;

namespace RnnCodegen.Samples.SineWave
{
    /// <summary>
    /// The whole model is this attribute: an LSTM with 1 input, 32 hidden units and a dense head to 1 output, trained on
    /// windows of up to 40 steps with Adam (learning rate 0.01) and the global gradient norm clipped to 1.
    /// The generator writes Step/Forward/TrainBatch/SaveParameters... into this partial class at compile time.
    /// </summary>
    [LstmModel(Input = 1, Hidden = 32, Output = 1, SequenceLength = 40, Optimizer = Optimizer.Adam, LearningRate = 0.01, ClipNorm = 1.0)]
    public sealed partial class SineLstm
    {
    }
}
