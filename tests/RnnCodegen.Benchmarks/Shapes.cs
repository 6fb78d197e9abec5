using System;
using System.Collections.Generic;

namespace RnnCodegen.Benchmarks
{
    /// <summary>Cell kind of a benchmark shape.</summary>
    public enum Cell
    {
        /// <summary>PyTorch's LSTM (gates i, f, g, o).</summary>
        Lstm,
        /// <summary>PyTorch's GRU (gates r, z, n; reset after the matrix product).</summary>
        Gru,
    }

    /// <summary>One benchmark shape: sizes and the external reference figures of issue 6.</summary>
    /// <param name="Id">A..E.</param>
    /// <param name="Title">Human-readable shape.</param>
    /// <param name="RtNeuralZen5Ns">RTNeural (Eigen, compile-time ModelT, g++ -O3 -march=native) ns per step on an AMD EPYC Zen 5-class CPU.</param>
    /// <param name="RtNeuralSapphireRapidsNs">The same on a Xeon Sapphire Rapids 2.3 GHz.</param>
    /// <param name="TargetRatio">Issue 6's target: generated Step time at most this fraction of RTNeural's.</param>
    public sealed record ShapeSpec(char Id, string Title, Cell Cell, int Input, int Hidden, int Layers, int Output,
        double RtNeuralZen5Ns, double RtNeuralSapphireRapidsNs, double TargetRatio)
    {
        /// <summary>Every training and Forward benchmark runs sequences of this many steps.</summary>
        public const int Steps = 50;

        public static readonly ShapeSpec A = new('A', "LSTM 1->32 + Dense 1", Cell.Lstm, 1, 32, 1, 1, 77, 174, 0.7);
        public static readonly ShapeSpec B = new('B', "GRU 1->32 + Dense 1", Cell.Gru, 1, 32, 1, 1, 75, 162, 0.7);
        public static readonly ShapeSpec C = new('C', "4 x LSTM(8) + Dense 1", Cell.Lstm, 1, 8, 4, 1, 192, 486, 0.7);
        public static readonly ShapeSpec D = new('D', "LSTM 16->64 + Dense 1", Cell.Lstm, 16, 64, 1, 1, 640, 870, 0.8);
        public static readonly ShapeSpec E = new('E', "LSTM 1->128 + Dense 1", Cell.Lstm, 1, 128, 1, 1, 1996, 2479, 0.8);

        public static IReadOnlyList<ShapeSpec> All { get; } = new[] { A, B, C, D, E };

        public static ShapeSpec Get(char id)
        {
            foreach (var s in All) if (s.Id == id) return s;
            throw new ArgumentOutOfRangeException(nameof(id), id, "no such shape");
        }

        /// <summary>Rows of one gate block: 4 for LSTM, 3 for GRU.</summary>
        public int Gates => Cell == Cell.Lstm ? 4 : 3;

        /// <summary>Features entering layer <paramref name="layer"/>.</summary>
        public int LayerInput(int layer) => layer == 0 ? Input : Hidden;
    }
}
