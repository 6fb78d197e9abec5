using System;
using System.Collections.Generic;
using RnnCodegen;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace RnnCodegen.Benchmarks.Torch
{
    /// <summary>
    /// The same network in TorchSharp-cpu (float32, one thread), each operation done the fastest way TorchSharp offers:
    /// streaming through <c>nn.LSTMCell</c>/<c>nn.GRUCell</c> (one per layer) without autograd, whole sequences through
    /// <c>nn.LSTM</c>/<c>nn.GRU</c>, training as forward + <c>mse_loss</c> + <c>backward</c> + <c>optim.Adam</c>.
    /// The weights are copied from the generated model, so every implementation computes the same function.
    /// </summary>
    /// <remarks>
    /// Three independent copies of the weights: the step cells, the inference sequence module and the training sequence
    /// module (training changes its weights; the other two stay equal to the generated model's initial parameters).
    /// Every tensor produced by a call is disposed in that call, so native memory stays flat over millions of calls.
    /// </remarks>
    public sealed class TorchNet : IDisposable
    {
        private readonly ShapeSpec _shape;

        // Streaming: one cell per layer, the head, the carried state.
        private readonly LSTMCell[]? _lstmCells;
        private readonly GRUCell[]? _gruCells;
        private readonly Linear _stepHead;
        private readonly Tensor[] _h, _c;

        // Whole sequences (inference).
        private readonly LSTM? _lstm;
        private readonly GRU? _gru;
        private readonly Linear _head;

        // Training.
        private readonly LSTM? _trainLstm;
        private readonly GRU? _trainGru;
        private readonly Linear _trainHead;
        private readonly optim.Optimizer _adam;

        public TorchNet(ShapeSpec shape, IRecurrentModel source)
        {
            _shape = shape;
            int layers = shape.Layers;
            _h = new Tensor[layers];
            _c = new Tensor[layers];
            if (shape.Cell == Cell.Lstm)
            {
                _lstmCells = new LSTMCell[layers];
                for (int l = 0; l < layers; l++)
                {
                    _lstmCells[l] = nn.LSTMCell(shape.LayerInput(l), shape.Hidden, bias: true, dtype: float32);
                    int layer = l;
                    Load(_lstmCells[l], source, name => "rnn." + name + "_l" + layer);
                }
                _lstm = nn.LSTM(shape.Input, shape.Hidden, shape.Layers, bias: true, batchFirst: false, dtype: float32);
                Load(_lstm, source, name => "rnn." + name);
                _trainLstm = nn.LSTM(shape.Input, shape.Hidden, shape.Layers, bias: true, batchFirst: false, dtype: float32);
                Load(_trainLstm, source, name => "rnn." + name);
            }
            else
            {
                _gruCells = new GRUCell[layers];
                for (int l = 0; l < layers; l++)
                {
                    _gruCells[l] = nn.GRUCell(shape.LayerInput(l), shape.Hidden, bias: true, dtype: float32);
                    int layer = l;
                    Load(_gruCells[l], source, name => "rnn." + name + "_l" + layer);
                }
                _gru = nn.GRU(shape.Input, shape.Hidden, shape.Layers, bias: true, batchFirst: false, dtype: float32);
                Load(_gru, source, name => "rnn." + name);
                _trainGru = nn.GRU(shape.Input, shape.Hidden, shape.Layers, bias: true, batchFirst: false, dtype: float32);
                Load(_trainGru, source, name => "rnn." + name);
            }
            _stepHead = nn.Linear(shape.Hidden, shape.Output, hasBias: true, dtype: float32);
            Load(_stepHead, source, name => "dense." + name);
            _head = nn.Linear(shape.Hidden, shape.Output, hasBias: true, dtype: float32);
            Load(_head, source, name => "dense." + name);
            _trainHead = nn.Linear(shape.Hidden, shape.Output, hasBias: true, dtype: float32);
            Load(_trainHead, source, name => "dense." + name);

            // Inference modules never need gradients.
            foreach (var module in InferenceModules())
                foreach (var p in module.parameters()) p.requires_grad = false;

            var trainable = new List<Parameter>();
            trainable.AddRange(_trainLstm is not null ? _trainLstm.parameters() : _trainGru!.parameters());
            trainable.AddRange(_trainHead.parameters());
            _adam = optim.Adam(trainable, lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8);
            ResetState();
        }

        private IEnumerable<nn.Module> InferenceModules()
        {
            if (_lstmCells is not null) foreach (var m in _lstmCells) yield return m;
            if (_gruCells is not null) foreach (var m in _gruCells) yield return m;
            if (_lstm is not null) yield return _lstm;
            if (_gru is not null) yield return _gru;
            yield return _stepHead;
            yield return _head;
        }

        /// <summary>Copies every parameter of <paramref name="module"/> from the generated model (mapped names, same shapes).</summary>
        private static void Load(nn.Module module, IRecurrentModel source, Func<string, string> canonicalName)
        {
            using var _ = no_grad();
            foreach (var (name, parameter) in module.named_parameters())
            {
                string canonical = canonicalName(name);
                var values = new float[parameter.numel()];
                source.CopyParameter(canonical, values);
                using var t = torch.tensor(values, parameter.shape, dtype: float32);
                parameter.copy_(t);
            }
        }

        /// <summary>A tensor [steps, 1, features] (sequence-first, batch 1) holding <paramref name="values"/>.</summary>
        public static Tensor Sequence(float[] values, int features) =>
            torch.tensor(values, new long[] { values.Length / features, 1, features }, dtype: float32);

        /// <summary>A tensor [1, features] (batch 1) for one time step.</summary>
        public static Tensor Row(ReadOnlySpan<float> values) =>
            torch.tensor(values.ToArray(), new long[] { 1, values.Length }, dtype: float32);

        /// <summary>Zeros the streaming state.</summary>
        public void ResetState()
        {
            for (int l = 0; l < _shape.Layers; l++)
            {
                _h[l]?.Dispose();
                _c[l]?.Dispose();
                _h[l] = zeros(1, _shape.Hidden, dtype: float32);
                _c[l] = zeros(1, _shape.Hidden, dtype: float32);
            }
        }

        /// <summary>
        /// One time step of batch 1 (x: [1, Input]) through the cells and the head, carrying the state; returns the first
        /// output. Call with gradients disabled (<c>torch.set_grad_enabled(false)</c> or <c>no_grad</c>).
        /// </summary>
        public float Step(Tensor x)
        {
            Tensor input = x;
            for (int l = 0; l < _h.Length; l++)
            {
                if (_lstmCells is not null)
                {
                    var (h, c) = _lstmCells[l].forward(input, (_h[l], _c[l]));
                    _h[l].Dispose();
                    _c[l].Dispose();
                    _h[l] = h;
                    _c[l] = c;
                }
                else
                {
                    var h = _gruCells![l].forward(input, _h[l]);
                    _h[l].Dispose();
                    _h[l] = h;
                }
                input = _h[l];
            }
            using var y = _stepHead.forward(input);
            return y.item<float>();
        }

        /// <summary>
        /// Whether <see cref="Forward"/> switches grad mode on (the inference copies' parameters do not require gradients, so
        /// no graph is recorded). Agreement.Check sets it when the no-grad path disagrees: libtorch 2.10's no-grad stacked
        /// nn.LSTM returned outputs off by 6e-2 for shape C on a Zen 5 CPU, while its grad-mode path and the cells agree.
        /// </summary>
        public bool ForwardInGradMode { get; set; }

        /// <summary>The whole sequence x: [steps, 1, Input] from a zero state through nn.LSTM/nn.GRU and the head; copies the outputs.</summary>
        public void Forward(Tensor x, float[] outputs)
        {
            using var mode = ForwardInGradMode ? enable_grad() : null;
            Tensor o;
            if (_lstm is not null)
            {
                var (seq, hn, cn) = _lstm.forward(x, null);
                hn.Dispose();
                cn.Dispose();
                o = seq;
            }
            else
            {
                var (seq, hn) = _gru!.forward(x, null);
                hn.Dispose();
                o = seq;
            }
            using (o)
            using (var y = _head.forward(o))
                y.data<float>().CopyTo(outputs);
        }

        /// <summary>
        /// One training step on x: [steps, batch, Input], target: [steps, batch, Output] (zero initial state):
        /// zero_grad, forward, mean squared error, backward, Adam. Returns the loss before the update.
        /// </summary>
        public float TrainStep(Tensor x, Tensor target)
        {
            using var scope = NewDisposeScope();
            _adam.zero_grad();
            Tensor seq = _trainLstm is not null ? _trainLstm.forward(x, null).Item1 : _trainGru!.forward(x, null).Item1;
            Tensor y = _trainHead.forward(seq);
            Tensor loss = nn.functional.mse_loss(y, target);
            loss.backward();
            _adam.step();
            return loss.item<float>();
        }

        /// <summary>The gradient of a training parameter after the last <see cref="TrainStep"/>, in the canonical naming.</summary>
        public float[] TrainingGradient(string canonicalName)
        {
            nn.Module module = canonicalName.StartsWith("dense.", StringComparison.Ordinal) ? _trainHead : (_trainLstm is not null ? _trainLstm : _trainGru!);
            string local = canonicalName.Substring(canonicalName.IndexOf('.', StringComparison.Ordinal) + 1);
            foreach (var (name, parameter) in module.named_parameters())
            {
                if (name != local) continue;
                using var g = parameter.grad!.detach().contiguous().reshape(-1);
                return g.data<float>().ToArray();
            }
            throw new ArgumentException("no parameter " + canonicalName, nameof(canonicalName));
        }

        public void Dispose()
        {
            foreach (var t in _h) t?.Dispose();
            foreach (var t in _c) t?.Dispose();
            foreach (var m in InferenceModules()) m.Dispose();
            _trainLstm?.Dispose();
            _trainGru?.Dispose();
            _trainHead.Dispose();
            _adam.Dispose();
        }
    }
}
