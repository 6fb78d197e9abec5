using System;
using System.Collections.Generic;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace FixtureGen
{
    /// <summary>What one forward pass produced (all float64 tensors, attached to the autograd graph).</summary>
    /// <param name="PreActivation">[rows, width]: the head's logits, or the top hidden state without a head.</param>
    /// <param name="Outputs">[rows, width]: after the head activation (softmax over each row).</param>
    /// <param name="FinalH">[layers, hidden]: h after the last step.</param>
    /// <param name="FinalC">[layers, hidden]: c after the last step (LSTM only).</param>
    internal sealed record ForwardResult(Tensor PreActivation, Tensor Outputs, Tensor FinalH, Tensor? FinalC);

    /// <summary>
    /// A PyTorch model of a <see cref="ModelSpec"/> in float64: embedding -> recurrent layers -> dense head.
    /// Standard cells run through <c>nn.RNN</c>/<c>nn.LSTM</c>/<c>nn.GRU</c> (batch_first) with the parameters
    /// loaded by <c>load_state_dict</c>; the peephole LSTM and the reset-before GRU, which PyTorch has no module
    /// for, run through <see cref="ManualCells"/> (torch ops, autograd).
    /// </summary>
    internal sealed class TorchModel
    {
        private readonly ModelSpec spec;
        private readonly nn.Module? module;
        private readonly Func<Tensor, (Tensor Output, Tensor H, Tensor? C)>? runModule;

        /// <summary>Every trainable parameter under its canonical name, in canonical order.</summary>
        public OrderedDictionary<string, Parameter> Parameters { get; } = new(StringComparer.Ordinal);

        /// <summary>True when the recurrent layers are PyTorch's own module.</summary>
        public bool UsesTorchModule => module is not null;

        private TorchModel(ModelSpec spec, nn.Module? module, Func<Tensor, (Tensor, Tensor, Tensor?)>? runModule)
        {
            this.spec = spec;
            this.module = module;
            this.runModule = runModule;
        }

        /// <summary>Builds the model with exactly <paramref name="values"/> (canonical names and shapes).</summary>
        /// <param name="forceManual">Use the hand-written cells even for a standard cell (self-check only).</param>
        public static TorchModel Create(ModelSpec spec, OrderedDictionary<string, TensorData> values, bool forceManual = false)
        {
            spec.Validate();
            CheckNames(spec, values);

            nn.Module? module = null;
            Func<Tensor, (Tensor, Tensor, Tensor?)>? run = null;
            if (spec.IsStandardCell && !forceManual)
            {
                switch (spec.Cell)
                {
                    case CellKind.Rnn:
                        var rnn = nn.RNN(spec.Input, spec.Hidden, spec.Layers,
                            spec.Activation == RnnActivation.Relu ? nn.NonLinearities.ReLU : nn.NonLinearities.Tanh,
                            bias: true, batchFirst: true, dtype: float64);
                        run = x => { var (o, h) = rnn.call(x); return (o, h, null); };
                        module = rnn;
                        break;
                    case CellKind.Lstm:
                        var lstm = nn.LSTM(spec.Input, spec.Hidden, spec.Layers, bias: true, batchFirst: true, dtype: float64);
                        run = x => { var (o, h, c) = lstm.call(x); return (o, h, c); };
                        module = lstm;
                        break;
                    default:
                        var gru = nn.GRU(spec.Input, spec.Hidden, spec.Layers, bias: true, batchFirst: true, dtype: float64);
                        run = x => { var (o, h) = gru.call(x); return (o, h, null); };
                        module = gru;
                        break;
                }

                // The module's own names are PyTorch's (weight_ih_l0, ...); ours carry the "rnn." prefix.
                var stateDict = new Dictionary<string, Tensor>(StringComparer.Ordinal);
                foreach (var (name, data) in values)
                    if (name.StartsWith("rnn.", StringComparison.Ordinal))
                        stateDict.Add(name.Substring(4), ToTensor(data));
                var (missing, unexpected) = module.load_state_dict(stateDict, strict: true);
                if (missing.Count > 0 || unexpected.Count > 0)
                    throw new InvalidOperationException($"{spec.Name}: load_state_dict missing [{string.Join(", ", missing)}], unexpected [{string.Join(", ", unexpected)}]");
            }

            var model = new TorchModel(spec, module, run);
            var moduleParameters = new Dictionary<string, Parameter>(StringComparer.Ordinal);
            if (module is not null)
                foreach (var (name, parameter) in module.named_parameters())
                    moduleParameters.Add("rnn." + name, parameter);

            foreach (var (name, _) in spec.ParameterShapes())
            {
                TensorData data = values[name];
                if (module is not null && name.StartsWith("rnn.", StringComparison.Ordinal))
                {
                    if (!moduleParameters.Remove(name, out var parameter))
                        throw new InvalidOperationException($"{spec.Name}: the torch module has no parameter {name}");
                    if (parameter.dtype != float64 || !ShapeEquals(parameter.shape, data.Shape))
                        throw new InvalidOperationException($"{spec.Name}: module parameter {name} is {parameter.dtype} {string.Join("x", parameter.shape)}, expected float64 {data.ShapeText}");
                    model.Parameters.Add(name, parameter);
                }
                else
                {
                    model.Parameters.Add(name, nn.Parameter(ToTensor(data), requires_grad: true));
                }
            }
            if (moduleParameters.Count > 0)
                throw new InvalidOperationException($"{spec.Name}: the torch module has unexpected parameters [{string.Join(", ", moduleParameters.Keys)}]");

            // The loaded values must be what the module now holds (load_state_dict copies in place).
            foreach (var (name, data) in values)
            {
                double[] held = ToArray(model.Parameters[name]);
                for (int i = 0; i < held.Length; i++)
                    if (held[i] != data.Values[i])
                        throw new InvalidOperationException($"{spec.Name}: parameter {name} was not loaded exactly");
            }
            return model;
        }

        /// <summary>Runs the whole sequence from a zero state.</summary>
        public ForwardResult Forward(double[]? inputs, long[]? tokens)
        {
            int steps = spec.Steps;
            Tensor x;
            if (spec.Vocabulary > 0)
            {
                if (tokens is null || tokens.Length != steps) throw new ArgumentException($"{spec.Name}: need {steps} tokens");
                x = Parameters["embedding.weight"].index_select(0, torch.tensor(tokens, dtype: int64)); // = F.embedding
            }
            else
            {
                if (inputs is null || inputs.Length != steps * spec.Input) throw new ArgumentException($"{spec.Name}: need {steps * spec.Input} inputs");
                x = torch.tensor(inputs, new long[] { steps, spec.Input }, dtype: float64);
            }

            Tensor top, finalH;
            Tensor? finalC;
            if (runModule is not null)
            {
                var (output, h, c) = runModule(x.unsqueeze(0));              // [1, T, H], h/c [L, 1, H]
                top = output.squeeze(0);
                finalH = h.reshape(spec.Layers, spec.Hidden);
                finalC = c?.reshape(spec.Layers, spec.Hidden);
            }
            else
            {
                (top, finalH, finalC) = ManualCells.Run(spec, Parameters, x);
            }

            Tensor rows = spec.OutputMode == OutputMode.Last ? top.narrow(0, steps - 1, 1) : top;
            if (spec.Output == 0) return new ForwardResult(rows, rows, finalH, finalC);

            Tensor logits = F.linear(rows, Parameters["dense.weight"], Parameters["dense.bias"]);
            Tensor outputs = spec.OutputActivation switch
            {
                HeadActivation.Sigmoid => torch.sigmoid(logits),
                HeadActivation.Tanh => torch.tanh(logits),
                HeadActivation.Softmax => torch.softmax(logits, 1),
                _ => logits,
            };
            return new ForwardResult(logits, outputs, finalH, finalC);
        }

        /// <summary>
        /// Runs <paramref name="sequences"/> equal-length sequences as one batch <c>[B, T, input]</c> through the module
        /// (batch_first, zero initial states) and the head (on every step, or on <c>output[:, -1]</c> for Last); returns
        /// the logits and the head's outputs flattened as PyTorch's <c>logits.reshape(-1, C)</c>: <c>[B*rows, output]</c>,
        /// sequence-major.
        /// </summary>
        public (Tensor PreActivation, Tensor Outputs) BatchForward(double[] inputs, int sequences)
        {
            if (runModule is null || spec.Vocabulary > 0 || spec.Output == 0)
                throw new ArgumentException($"{spec.Name}: batched forward needs a torch module, float inputs and a head");
            if (inputs.Length != sequences * spec.Steps * spec.Input) throw new ArgumentException($"{spec.Name}: need {sequences * spec.Steps * spec.Input} inputs");
            var x = torch.tensor(inputs, new long[] { sequences, spec.Steps, spec.Input }, dtype: float64);
            var (output, _, _) = runModule(x);                                 // [B, T, H]
            if (spec.OutputMode == OutputMode.Last) output = output.narrow(1, spec.Steps - 1, 1); // [B, 1, H]
            Tensor logits = F.linear(output, Parameters["dense.weight"], Parameters["dense.bias"]).reshape(-1, spec.Output); // [B*rows, C]
            Tensor outputs = spec.OutputActivation switch
            {
                HeadActivation.Sigmoid => torch.sigmoid(logits),
                HeadActivation.Tanh => torch.tanh(logits),
                HeadActivation.Softmax => torch.softmax(logits, 1),
                _ => logits,
            };
            return (logits, outputs);
        }

        /// <summary>Current parameter values in canonical order.</summary>
        public OrderedDictionary<string, TensorData> Snapshot()
        {
            var result = new OrderedDictionary<string, TensorData>(StringComparer.Ordinal);
            foreach (var (name, parameter) in Parameters) result.Add(name, new TensorData(Shape(parameter), ToArray(parameter)));
            return result;
        }

        /// <summary>Current gradients in canonical order (zeros for a parameter autograd did not reach).</summary>
        public OrderedDictionary<string, TensorData> Gradients()
        {
            var result = new OrderedDictionary<string, TensorData>(StringComparer.Ordinal);
            foreach (var (name, parameter) in Parameters)
            {
                Tensor? grad = parameter.grad;
                double[] values = grad is null ? new double[parameter.numel()] : ToArray(grad);
                result.Add(name, new TensorData(Shape(parameter), values));
            }
            return result;
        }

        public static Tensor ToTensor(TensorData data) => torch.tensor(data.Values, data.LongShape, dtype: float64);

        public static double[] ToArray(Tensor tensor)
        {
            using var flat = tensor.detach().to_type(float64).contiguous().reshape(-1);
            return flat.data<double>().ToArray();
        }

        private static int[] Shape(Tensor t) => Array.ConvertAll(t.shape, d => checked((int)d));

        private static bool ShapeEquals(long[] a, int[] b)
        {
            if (a.Length != b.Length) return false;
            for (int i = 0; i < a.Length; i++) if (a[i] != b[i]) return false;
            return true;
        }

        private static void CheckNames(ModelSpec spec, OrderedDictionary<string, TensorData> values)
        {
            var expected = spec.ParameterShapes();
            var problems = new List<string>();
            var known = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (name, shape) in expected)
            {
                known.Add(name);
                if (!values.TryGetValue(name, out var data)) problems.Add($"missing {name}");
                else if (!ShapeEquals(Array.ConvertAll(shape, d => (long)d), data.Shape) || data.Values.Length != data.Rows * data.Columns)
                    problems.Add($"{name} is {data.ShapeText}, expected [{string.Join(", ", shape)}]");
            }
            foreach (var name in values.Keys) if (!known.Contains(name)) problems.Add($"unexpected {name}");
            if (problems.Count > 0) throw new ArgumentException($"{spec.Name}: state dict does not fit the spec: {string.Join("; ", problems)}");
        }
    }
}
