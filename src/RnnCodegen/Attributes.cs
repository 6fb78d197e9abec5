using System;

namespace RnnCodegen
{
    /// <summary>
    /// The settings shared by <see cref="RnnModelAttribute"/>, <see cref="LstmModelAttribute"/> and
    /// <see cref="GruModelAttribute"/>. The RnnCodegen generator reads them at compile time and emits
    /// a model specialised for exactly that shape into the (partial) class that carries the attribute.
    /// </summary>
    /// <remarks>
    /// A setting that does not apply to a cell (<see cref="Peephole"/> on a GRU, say) is a compile-time
    /// diagnostic, not silently ignored; so is an optimizer or loss setting written for another optimizer or loss
    /// (<see cref="Alpha"/> with Adam, say: warning RNN0021).
    /// </remarks>
    public abstract class RecurrentModelAttribute : Attribute
    {
        /// <summary>Features per time step, or the embedding width when <see cref="Vocabulary"/> &gt; 0. Required, 1..4096.</summary>
        public int Input { get; set; }

        /// <summary>Hidden units per layer. Required, 1..1024.</summary>
        public int Hidden { get; set; }

        /// <summary>Stacked recurrent layers; layer k &gt; 0 reads layer k-1's hidden state. 1..16, default 1.</summary>
        public int Layers { get; set; } = 1;

        /// <summary>Width of the dense head on top of the last layer; 0 (default) = no head, the output is the top hidden state.</summary>
        public int Output { get; set; }

        /// <summary>The activation of the dense head. Default <see cref="RnnCodegen.OutputActivation.Identity"/>.</summary>
        public OutputActivation OutputActivation { get; set; }

        /// <summary>An output every step (<see cref="RnnCodegen.OutputMode.Sequence"/>, default) or after the last step only.</summary>
        public OutputMode OutputMode { get; set; }

        /// <summary>The longest sequence that training accepts; sizes the BPTT buffers. 0 (default) = inference only.</summary>
        public int SequenceLength { get; set; }

        /// <summary>&gt; 0: inputs are token ids and an embedding <c>[Vocabulary, Input]</c> is learned. Default 0.</summary>
        public int Vocabulary { get; set; }

        /// <summary>The training loss. Default <see cref="RnnCodegen.Loss.MeanSquaredError"/>.</summary>
        public Loss Loss { get; set; }

        /// <summary>The optimizer. Default <see cref="RnnCodegen.Optimizer.Adam"/>.</summary>
        public Optimizer Optimizer { get; set; } = Optimizer.Adam;

        /// <summary>Learning rate; 0 (default) = the optimizer's PyTorch default (Adam 1e-3, RMSprop 1e-2, SGD 1e-2). Settable at run time.</summary>
        public double LearningRate { get; set; }

        /// <summary>Adam's first-moment decay. Default 0.9. With another optimizer: warning RNN0021.</summary>
        public double Beta1 { get; set; } = 0.9;

        /// <summary>Adam's second-moment decay. Default 0.999. With another optimizer: warning RNN0021.</summary>
        public double Beta2 { get; set; } = 0.999;

        /// <summary>Adam's and RMSprop's epsilon. Default 1e-8. With SGD (plain or momentum): warning RNN0021.</summary>
        public double Epsilon { get; set; } = 1e-8;

        /// <summary>Momentum factor of <see cref="RnnCodegen.Optimizer.Momentum"/>. Default 0.9. With another optimizer: warning RNN0021.</summary>
        public double Momentum { get; set; } = 0.9;

        /// <summary>
        /// Use Nesterov momentum with <see cref="RnnCodegen.Optimizer.Momentum"/>; needs <see cref="Momentum"/> &gt; 0 (error RNN0011, as
        /// PyTorch). Default false. true with another optimizer: warning RNN0021.
        /// </summary>
        public bool Nesterov { get; set; }

        /// <summary>RMSprop's smoothing constant. Default 0.99. With another optimizer: warning RNN0021.</summary>
        public double Alpha { get; set; } = 0.99;

        /// <summary>L2 penalty added to the gradient (PyTorch's <c>weight_decay</c>). Default 0.</summary>
        public double WeightDecay { get; set; }

        /// <summary>With Adam: decoupled weight decay (AdamW) instead of L2 in the gradient. Default false. true with another optimizer: warning RNN0021.</summary>
        public bool DecoupledWeightDecay { get; set; }

        /// <summary>Clip the gradients' global L2 norm to this value (<c>clip_grad_norm_</c>); 0 (default) = off.</summary>
        public double ClipNorm { get; set; }

        /// <summary>Clip every gradient value to [-ClipValue, ClipValue] (<c>clip_grad_value_</c>); 0 (default) = off.</summary>
        public double ClipValue { get; set; }

        /// <summary>Dropout probability between stacked layers while training, in [0, 1). Default 0.</summary>
        public double Dropout { get; set; }

        /// <summary>The vanilla RNN's nonlinearity (<see cref="RnnModelAttribute"/> only). Default Tanh.</summary>
        public Activation Activation { get; set; }

        /// <summary>Diagonal peephole weights <c>weight_ci/cf/co_l{k}</c> (<see cref="LstmModelAttribute"/> only). Default false.</summary>
        public bool Peephole { get; set; }

        /// <summary>
        /// GRU only. true (default, PyTorch and Keras <c>reset_after=True</c>): <c>n = tanh(W_in x + b_in + r * (W_hn h + b_hn))</c>.
        /// false (Keras <c>reset_after=False</c>, the original GRU): <c>n = tanh(W_in x + b_in + W_hn (r * h) + b_hn)</c>.
        /// </summary>
        public bool ResetAfter { get; set; } = true;

        /// <summary>Class index whose targets are ignored by <see cref="RnnCodegen.Loss.CrossEntropy"/> (padding). Default -100 as PyTorch. With another loss: warning RNN0021.</summary>
        public int IgnoreIndex { get; set; } = -100;
    }

    /// <summary>A vanilla (Elman) recurrent network: <c>h' = act(W_ih x + b_ih + W_hh h + b_hh)</c>, as PyTorch's <c>nn.RNN</c>.</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
    public sealed class RnnModelAttribute : RecurrentModelAttribute
    {
    }

    /// <summary>An LSTM network with PyTorch's gate order i, f, g, o (optionally with peephole connections).</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
    public sealed class LstmModelAttribute : RecurrentModelAttribute
    {
    }

    /// <summary>A GRU network with PyTorch's gate order r, z, n.</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
    public sealed class GruModelAttribute : RecurrentModelAttribute
    {
    }
}
