using System;
using System.Collections.Generic;

namespace RnnCodegen.Tests.Weights
{
    /// <summary>
    /// A faithful <see cref="IRecurrentModel"/> test double: the canonical parameter list of a <see cref="ModelDescription"/>
    /// stored in one float[], with the interface's argument checks. It counts whole-vector writes so tests can prove a
    /// loader sets the parameters once (or not at all).
    /// </summary>
    public sealed class FakeModel : IRecurrentModel
    {
        private readonly ParameterInfo[] _infos;
        private readonly float[] _parameters;
        private readonly float[] _state;

        public FakeModel(ModelDescription description)
        {
            Description = description ?? throw new ArgumentNullException(nameof(description));
            _infos = ParameterLayout.Create(description);
            _parameters = new float[checked((int)ParameterLayout.Count(description))];
            int layers = description.LayerCount * description.HiddenSize;
            _state = new float[description.Cell == CellKind.Lstm ? 2 * layers : layers];
        }

        public static FakeModel Lstm(int input, int hidden, int layers = 1, int output = 0, bool peephole = false, int vocabulary = 0,
            OutputActivation outputActivation = OutputActivation.Identity) =>
            new FakeModel(new ModelDescription(CellKind.Lstm, input, hidden, layers, output, vocabulary, 0, Activation.Tanh, outputActivation, OutputMode.Sequence, peephole, true));

        public static FakeModel Gru(int input, int hidden, int layers = 1, int output = 0, bool resetAfter = true, int vocabulary = 0) =>
            new FakeModel(new ModelDescription(CellKind.Gru, input, hidden, layers, output, vocabulary, 0, Activation.Tanh, OutputActivation.Identity, OutputMode.Sequence, false, resetAfter));

        public static FakeModel Rnn(int input, int hidden, int layers = 1, int output = 0, Activation activation = Activation.Tanh, int vocabulary = 0) =>
            new FakeModel(new ModelDescription(CellKind.Rnn, input, hidden, layers, output, vocabulary, 0, activation, OutputActivation.Identity, OutputMode.Sequence, false, true));

        /// <summary>Number of successful <see cref="SetParameters"/> calls.</summary>
        public int SetParametersCalls { get; private set; }

        /// <summary>Number of successful <see cref="SetParameter"/> calls.</summary>
        public int SetParameterCalls { get; private set; }

        public ModelDescription Description { get; }

        public int ParameterCount => _parameters.Length;

        public IReadOnlyList<ParameterInfo> ParameterInfos => _infos;

        public int StateSize => _state.Length;

        /// <summary>Fills every parameter with distinct, deterministic, non-trivial values (seeded).</summary>
        public FakeModel Randomize(int seed)
        {
            var random = new Random(seed);
            for (int i = 0; i < _parameters.Length; i++) _parameters[i] = (float)(random.NextDouble() * 2 - 1) * (i % 7 == 0 ? 1e-3f : 1f);
            return this;
        }

        /// <summary>A copy of the whole parameter vector.</summary>
        public float[] Snapshot() => (float[])_parameters.Clone();

        /// <summary>A copy of one tensor.</summary>
        public float[] Get(string name)
        {
            var info = Find(name);
            var result = new float[info.Length];
            Array.Copy(_parameters, info.Offset, result, 0, info.Length);
            return result;
        }

        private ParameterInfo Find(string name)
        {
            if (name is null) throw new ArgumentNullException(nameof(name));
            foreach (var info in _infos) if (info.Name == name) return info;
            throw new ArgumentException("Unknown parameter '" + name + "'; the model has: " + string.Join(", ", (IEnumerable<ParameterInfo>)_infos) + ".", nameof(name));
        }

        public void SetParameter(string name, ReadOnlySpan<float> values)
        {
            var info = Find(name);
            if (values.Length != info.Length)
                throw new ArgumentException(name + " has " + info.Length + " values " + info.ShapeText + ", got " + values.Length + ".", nameof(values));
            values.CopyTo(_parameters.AsSpan(info.Offset, info.Length));
            SetParameterCalls++;
        }

        public void CopyParameter(string name, Span<float> destination)
        {
            var info = Find(name);
            if (destination.Length != info.Length)
                throw new ArgumentException(name + " has " + info.Length + " values " + info.ShapeText + ", destination has " + destination.Length + ".", nameof(destination));
            _parameters.AsSpan(info.Offset, info.Length).CopyTo(destination);
        }

        public void CopyParameters(Span<float> destination)
        {
            if (destination.Length != _parameters.Length)
                throw new ArgumentException("Expected " + _parameters.Length + " values, destination has " + destination.Length + ".", nameof(destination));
            _parameters.CopyTo(destination);
        }

        public void SetParameters(ReadOnlySpan<float> values)
        {
            if (values.Length != _parameters.Length)
                throw new ArgumentException("Expected " + _parameters.Length + " values, got " + values.Length + ".", nameof(values));
            values.CopyTo(_parameters);
            SetParametersCalls++;
        }

        public void ResetState() => Array.Clear(_state, 0, _state.Length);

        public void CopyState(Span<float> destination)
        {
            if (destination.Length != _state.Length)
                throw new ArgumentException("Expected " + _state.Length + " values, destination has " + destination.Length + ".", nameof(destination));
            _state.CopyTo(destination);
        }

        public void SetState(ReadOnlySpan<float> state)
        {
            if (state.Length != _state.Length)
                throw new ArgumentException("Expected " + _state.Length + " values, got " + state.Length + ".", nameof(state));
            state.CopyTo(_state);
        }
    }
}
