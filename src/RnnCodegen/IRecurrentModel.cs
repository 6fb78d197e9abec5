using System;
using System.Collections.Generic;

namespace RnnCodegen
{
    /// <summary>
    /// What every generated model offers to shape-independent code: its description, its named parameters
    /// (PyTorch names and row-major shapes) and its carried state. The weight-file readers and writers
    /// (<c>StateDict</c>, <c>KerasWeights</c>, <c>BinaryParameters</c>) work through it.
    /// </summary>
    /// <remarks>Generated models implement it explicitly next to their own constant-sized members.</remarks>
    public interface IRecurrentModel
    {
        /// <summary>The cell, sizes and head of the model.</summary>
        ModelDescription Description { get; }

        /// <summary>Total number of parameters (PyTorch's count: two bias vectors per recurrent layer).</summary>
        int ParameterCount { get; }

        /// <summary>Every parameter tensor, in the canonical order of the flat parameter vector.</summary>
        IReadOnlyList<ParameterInfo> ParameterInfos { get; }

        /// <summary>Sets one tensor from row-major values. Throws <see cref="ArgumentException"/> (and changes nothing) for an unknown name, a wrong length or a NaN or infinite value.</summary>
        void SetParameter(string name, ReadOnlySpan<float> values);

        /// <summary>Copies one tensor, row-major, into <paramref name="destination"/> (exactly its length).</summary>
        void CopyParameter(string name, Span<float> destination);

        /// <summary>Copies every parameter, the tensors of <see cref="ParameterInfos"/> concatenated, into <paramref name="destination"/> of length <see cref="ParameterCount"/>.</summary>
        void CopyParameters(Span<float> destination);

        /// <summary>Sets every parameter from the concatenation of <see cref="ParameterInfos"/>' tensors (length <see cref="ParameterCount"/>). Throws <see cref="ArgumentException"/> (and changes nothing) for a wrong length or a NaN or infinite value.</summary>
        void SetParameters(ReadOnlySpan<float> values);

        /// <summary>Number of floats in the carried state: h of every layer, then (LSTM) c of every layer.</summary>
        int StateSize { get; }

        /// <summary>Sets the carried streaming state to zeros.</summary>
        void ResetState();

        /// <summary>Copies the carried state (length <see cref="StateSize"/>).</summary>
        void CopyState(Span<float> destination);

        /// <summary>Sets the carried state (length <see cref="StateSize"/>). Throws <see cref="ArgumentException"/> (and keeps the current state) for a wrong length or a NaN or infinite value.</summary>
        void SetState(ReadOnlySpan<float> state);
    }
}
