using System;
using System.Collections.Generic;

namespace RnnCodegen
{
    /// <summary>
    /// One named parameter tensor of a model, with PyTorch's name (<c>rnn.weight_ih_l0</c>, <c>dense.bias</c>...)
    /// and its row-major PyTorch shape.
    /// </summary>
    public sealed class ParameterInfo
    {
        private readonly int[] _shape;

        /// <summary>Creates a description of one parameter tensor.</summary>
        /// <param name="name">The canonical PyTorch name, e.g. <c>rnn.weight_hh_l0</c>.</param>
        /// <param name="offset">Where the tensor starts in the model's flat parameter vector (the concatenation of every tensor in <c>ParameterInfos</c> order).</param>
        /// <param name="shape">The PyTorch shape: one or two dimensions, each &gt; 0.</param>
        public ParameterInfo(string name, int offset, params int[] shape)
        {
            if (name is null) throw new ArgumentNullException(nameof(name));
            if (shape is null || shape.Length < 1 || shape.Length > 2) throw new ArgumentException("A parameter has one or two dimensions.", nameof(shape));
            int length = 1;
            foreach (int d in shape)
            {
                if (d < 1) throw new ArgumentException("Every dimension must be at least 1.", nameof(shape));
                length = checked(length * d);
            }
            if (offset < 0) throw new ArgumentOutOfRangeException(nameof(offset));
            Name = name;
            Offset = offset;
            Length = length;
            _shape = (int[])shape.Clone();
        }

        /// <summary>The canonical PyTorch name, e.g. <c>rnn.weight_ih_l0</c>.</summary>
        public string Name { get; }

        /// <summary>The row-major PyTorch shape (<c>[4H, in]</c> for an LSTM <c>weight_ih</c>).</summary>
        public IReadOnlyList<int> Shape => _shape;

        /// <summary>Number of values (the product of <see cref="Shape"/>).</summary>
        public int Length { get; }

        /// <summary>Where this tensor starts in the flat parameter vector of <see cref="IRecurrentModel.CopyParameters"/>.</summary>
        public int Offset { get; }

        /// <summary>The shape as PyTorch prints it, e.g. <c>[128, 32]</c>.</summary>
        public string ShapeText => _shape.Length == 1
            ? "[" + _shape[0].ToString(System.Globalization.CultureInfo.InvariantCulture) + "]"
            : "[" + _shape[0].ToString(System.Globalization.CultureInfo.InvariantCulture) + ", " + _shape[1].ToString(System.Globalization.CultureInfo.InvariantCulture) + "]";

        /// <inheritdoc />
        public override string ToString() => Name + " " + ShapeText;
    }
}
