using RnnCodegen;

namespace RnnCodegen.Tests.Models
{
    [LstmModel(Input = 1, Hidden = 32, Output = 1, SequenceLength = 50)]
    public partial class SineLstm { }

    [GruModel(Input = 4, Hidden = 13, Layers = 2)]
    public partial class Gru4x13x2 { }

    [RnnModel(Input = 3, Hidden = 13, Layers = 2, Output = 2, Activation = Activation.Relu)]
    internal sealed partial class ReluRnn { }

    [LstmModel(Input = 2, Hidden = 5, Output = 1, Peephole = true, OutputActivation = OutputActivation.Sigmoid)]
    public partial class PeepholeLstm { }

    [GruModel(Input = 3, Hidden = 5, Output = 2, ResetAfter = false)]
    public partial class ClassicGru { }

    [LstmModel(Input = 4, Hidden = 13, Output = 11, Vocabulary = 11, OutputActivation = OutputActivation.Softmax, Loss = Loss.CrossEntropy)]
    public partial class CharLstm { }
}
