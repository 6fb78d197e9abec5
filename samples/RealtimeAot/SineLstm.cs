using RnnCodegen;

namespace RnnCodegen.Samples.RealtimeAot
{
    /// <summary>
    /// LSTM 1 -> 32 with a dense head to 1 output: one sample in, one sample out. Inference only (no SequenceLength), so the
    /// generator emits no training code; `float Step(float)` carries the state from sample to sample.
    /// </summary>
    [LstmModel(Input = 1, Hidden = 32, Output = 1)]
    public sealed partial class SineLstm
    {
    }
}
