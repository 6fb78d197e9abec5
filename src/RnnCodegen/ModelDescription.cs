using System;
using System.Globalization;

namespace RnnCodegen
{
    /// <summary>The shape and kind of a generated model, as its attribute declared it.</summary>
    public sealed class ModelDescription : IEquatable<ModelDescription>
    {
        /// <summary>Creates a description. Generated models create theirs once, statically.</summary>
        public ModelDescription(
            CellKind cell, int inputSize, int hiddenSize, int layerCount, int outputSize, int vocabulary,
            int sequenceLength, Activation activation, OutputActivation outputActivation, OutputMode outputMode,
            bool peephole, bool resetAfter)
        {
            Cell = cell;
            InputSize = inputSize;
            HiddenSize = hiddenSize;
            LayerCount = layerCount;
            OutputSize = outputSize;
            Vocabulary = vocabulary;
            SequenceLength = sequenceLength;
            Activation = activation;
            OutputActivation = outputActivation;
            OutputMode = outputMode;
            Peephole = peephole;
            ResetAfter = resetAfter;
        }

        /// <summary>The recurrent cell.</summary>
        public CellKind Cell { get; }
        /// <summary>Features per step (the embedding width for token models).</summary>
        public int InputSize { get; }
        /// <summary>Hidden units per layer.</summary>
        public int HiddenSize { get; }
        /// <summary>Stacked recurrent layers.</summary>
        public int LayerCount { get; }
        /// <summary>Width of the dense head; 0 = no head.</summary>
        public int OutputSize { get; }
        /// <summary>Embedding rows; 0 = float inputs.</summary>
        public int Vocabulary { get; }
        /// <summary>The longest training sequence; 0 = inference only.</summary>
        public int SequenceLength { get; }
        /// <summary>The vanilla RNN nonlinearity (Tanh for other cells).</summary>
        public Activation Activation { get; }
        /// <summary>The head's activation.</summary>
        public OutputActivation OutputActivation { get; }
        /// <summary>Sequence (an output per step) or Last.</summary>
        public OutputMode OutputMode { get; }
        /// <summary>LSTM peephole weights present.</summary>
        public bool Peephole { get; }
        /// <summary>GRU: reset gate applied after the recurrent matrix product (PyTorch) or before (classic).</summary>
        public bool ResetAfter { get; }

        /// <summary>Width of one output row: <see cref="OutputSize"/>, or <see cref="HiddenSize"/> without a head.</summary>
        public int OutputWidth => OutputSize > 0 ? OutputSize : HiddenSize;

        /// <summary>A short human-readable form, e.g. <c>LSTM(1→32, layers 1) + Dense(1, Identity)</c>; used in error messages.</summary>
        public override string ToString()
        {
            string cell = Cell switch
            {
                CellKind.Lstm => Peephole ? "LSTM(peephole, " : "LSTM(",
                CellKind.Gru => ResetAfter ? "GRU(" : "GRU(reset_after=false, ",
                _ => Activation == Activation.Relu ? "RNN(relu, " : "RNN(",
            };
            string s = string.Format(CultureInfo.InvariantCulture, "{0}{1}->{2}, layers {3})", cell, InputSize, HiddenSize, LayerCount);
            if (Vocabulary > 0) s = string.Format(CultureInfo.InvariantCulture, "Embedding({0}, {1}) + ", Vocabulary, InputSize) + s;
            if (OutputSize > 0) s += string.Format(CultureInfo.InvariantCulture, " + Dense({0}, {1})", OutputSize, OutputActivation);
            return s;
        }

        /// <inheritdoc />
        public bool Equals(ModelDescription? other) =>
            other is not null && Cell == other.Cell && InputSize == other.InputSize && HiddenSize == other.HiddenSize &&
            LayerCount == other.LayerCount && OutputSize == other.OutputSize && Vocabulary == other.Vocabulary &&
            Activation == other.Activation && OutputActivation == other.OutputActivation && OutputMode == other.OutputMode &&
            Peephole == other.Peephole && ResetAfter == other.ResetAfter && SequenceLength == other.SequenceLength;

        /// <inheritdoc />
        public override bool Equals(object? obj) => Equals(obj as ModelDescription);

        /// <inheritdoc />
        public override int GetHashCode() =>
            ((((int)Cell * 397 ^ InputSize) * 397 ^ HiddenSize) * 397 ^ LayerCount) * 397 ^ (OutputSize * 31 + Vocabulary);
    }
}
