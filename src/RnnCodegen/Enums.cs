namespace RnnCodegen
{
    /// <summary>The recurrent cell of a model.</summary>
    public enum CellKind
    {
        /// <summary>Elman RNN: <c>h' = act(W_ih x + b_ih + W_hh h + b_hh)</c> (PyTorch <c>nn.RNN</c>).</summary>
        Rnn = 0,
        /// <summary>Long short-term memory, gates i, f, g, o (PyTorch <c>nn.LSTM</c>).</summary>
        Lstm = 1,
        /// <summary>Gated recurrent unit, gates r, z, n (PyTorch <c>nn.GRU</c>).</summary>
        Gru = 2,
    }

    /// <summary>The nonlinearity of a vanilla <see cref="RnnModelAttribute"/> cell.</summary>
    public enum Activation
    {
        /// <summary>Hyperbolic tangent (PyTorch's default).</summary>
        Tanh = 0,
        /// <summary>Rectified linear unit.</summary>
        Relu = 1,
    }

    /// <summary>The activation applied by the dense head.</summary>
    public enum OutputActivation
    {
        /// <summary>No activation: the head is linear (regression).</summary>
        Identity = 0,
        /// <summary>Logistic sigmoid, one independent probability per output (binary targets).</summary>
        Sigmoid = 1,
        /// <summary>Hyperbolic tangent.</summary>
        Tanh = 2,
        /// <summary>Softmax over the outputs of one step (class probabilities).</summary>
        Softmax = 3,
    }

    /// <summary>Which steps produce an output.</summary>
    public enum OutputMode
    {
        /// <summary>An output row for every time step (many-to-many).</summary>
        Sequence = 0,
        /// <summary>One output row after the last time step (many-to-one).</summary>
        Last = 1,
    }

    /// <summary>The training loss, averaged over every output value as PyTorch's <c>reduction='mean'</c>.</summary>
    public enum Loss
    {
        /// <summary>Mean squared error (<c>nn.MSELoss</c>).</summary>
        MeanSquaredError = 0,
        /// <summary>Binary cross-entropy on a sigmoid head, computed from the pre-activation (<c>nn.BCEWithLogitsLoss</c>).</summary>
        BinaryCrossEntropy = 1,
        /// <summary>Categorical cross-entropy on a softmax head with integer class targets (<c>nn.CrossEntropyLoss</c>).</summary>
        CrossEntropy = 2,
    }

    /// <summary>The optimizer, with PyTorch's update rules and defaults.</summary>
    public enum Optimizer
    {
        /// <summary>Plain stochastic gradient descent (<c>torch.optim.SGD</c>, lr 1e-2).</summary>
        Sgd = 0,
        /// <summary>SGD with momentum 0.9 and dampening 0 (<c>torch.optim.SGD(momentum=0.9)</c>).</summary>
        Momentum = 1,
        /// <summary>Adam with bias correction (<c>torch.optim.Adam</c>, lr 1e-3, betas 0.9/0.999, eps 1e-8).</summary>
        Adam = 2,
        /// <summary>RMSprop (<c>torch.optim.RMSprop</c>, lr 1e-2, alpha 0.99, eps 1e-8).</summary>
        RmsProp = 3,
    }

    /// <summary>How <c>InitializeParameters</c> draws the parameters.</summary>
    public enum Initialization
    {
        /// <summary>PyTorch's default: every recurrent weight and bias from U(-1/sqrt(H), 1/sqrt(H)), the embedding from N(0, 1), the head from U(-1/sqrt(H), 1/sqrt(H)).</summary>
        PyTorchDefault = 0,
        /// <summary>Xavier/Glorot uniform for every weight matrix: weight_ih and the head over the whole matrix (fan-in and fan-out of the full [gates x in] or [out x hidden] shape, as Keras' kernel), weight_hh per gate block (each hidden x hidden block on its own, so its bound is sqrt(6 / (2 hidden)), not the sqrt(6 / (5 hidden)) that <c>torch.nn.init.xavier_uniform_</c> gives an LSTM's whole [4 hidden, hidden] weight_hh); the embedding from N(0, 1), zero biases and an LSTM forget-gate bias of 1.</summary>
        XavierUniform = 1,
        /// <summary>The classic Keras recipe: orthogonal recurrent weights per gate block, Xavier/Glorot uniform input and head weights, the embedding from N(0, 1), zero biases and an LSTM forget-gate bias of 1.</summary>
        Orthogonal = 2,
    }
}
