using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace FixtureGen
{
    // Enum member names are written to the JSON verbatim, so they match RnnCodegen's public enums.
    internal enum CellKind { Rnn, Lstm, Gru }
    internal enum RnnActivation { Tanh, Relu }
    internal enum HeadActivation { Identity, Sigmoid, Tanh, Softmax }
    internal enum OutputMode { Sequence, Last }
    internal enum LossKind { MeanSquaredError, BinaryCrossEntropy, CrossEntropy }
    internal enum OptimizerKind { Sgd, Momentum, Adam, RmsProp }

    /// <summary>A tensor as plain data: a row-major shape (1-D or 2-D) and its values.</summary>
    internal sealed record TensorData(int[] Shape, double[] Values)
    {
        public int Rows => Shape.Length == 1 ? 1 : Shape[0];
        public int Columns => Shape[Shape.Length - 1];
        public long[] LongShape => Array.ConvertAll(Shape, d => (long)d);
        public string ShapeText => "[" + string.Join(", ", Shape) + "]";
    }

    /// <summary>The shape of a model: the fields of RnnCodegen's model attributes that affect the numbers.</summary>
    internal sealed record ModelSpec
    {
        public string Name { get; init; } = "";
        public CellKind Cell { get; init; }
        public RnnActivation Activation { get; init; } = RnnActivation.Tanh;
        public bool Peephole { get; init; }
        public bool ResetAfter { get; init; } = true;
        public int Input { get; init; }
        public int Hidden { get; init; }
        public int Layers { get; init; } = 1;
        public int Output { get; init; }
        public HeadActivation OutputActivation { get; init; } = HeadActivation.Identity;
        public OutputMode OutputMode { get; init; } = OutputMode.Sequence;
        public int Vocabulary { get; init; }
        public int Steps { get; init; }

        /// <summary>Output rows: one per step (Sequence) or one (Last).</summary>
        public int Rows => OutputMode == OutputMode.Sequence ? Steps : 1;

        /// <summary>Values per output row: the head's width, or the hidden size without a head.</summary>
        public int Width => Output > 0 ? Output : Hidden;

        public int GateCount => Cell switch { CellKind.Lstm => 4, CellKind.Gru => 3, _ => 1 };

        /// <summary>True when PyTorch has a module for the cell (nn.RNN/LSTM/GRU); false for the two variants.</summary>
        public bool IsStandardCell => !(Cell == CellKind.Lstm && Peephole) && !(Cell == CellKind.Gru && !ResetAfter);

        /// <summary>The canonical parameters, in RnnCodegen's order (src/RnnCodegen/ParameterLayout.cs).</summary>
        public List<(string Name, int[] Shape)> ParameterShapes()
        {
            var list = new List<(string, int[])>();
            int gates = GateCount * Hidden;
            if (Vocabulary > 0) list.Add(("embedding.weight", new[] { Vocabulary, Input }));
            for (int k = 0; k < Layers; k++)
            {
                string l = k.ToString(CultureInfo.InvariantCulture);
                list.Add(("rnn.weight_ih_l" + l, new[] { gates, k == 0 ? Input : Hidden }));
                list.Add(("rnn.weight_hh_l" + l, new[] { gates, Hidden }));
                list.Add(("rnn.bias_ih_l" + l, new[] { gates }));
                list.Add(("rnn.bias_hh_l" + l, new[] { gates }));
                if (Cell == CellKind.Lstm && Peephole)
                {
                    list.Add(("rnn.weight_ci_l" + l, new[] { Hidden }));
                    list.Add(("rnn.weight_cf_l" + l, new[] { Hidden }));
                    list.Add(("rnn.weight_co_l" + l, new[] { Hidden }));
                }
            }
            if (Output > 0)
            {
                list.Add(("dense.weight", new[] { Output, Hidden }));
                list.Add(("dense.bias", new[] { Output }));
            }
            return list;
        }

        /// <summary>Rejects specifications the fixture format cannot express.</summary>
        public void Validate()
        {
            if (Input < 1 || Hidden < 1 || Layers < 1 || Output < 0 || Vocabulary < 0 || Steps < 1)
                throw new ArgumentException($"{Name}: sizes out of range");
            if (Peephole && Cell != CellKind.Lstm) throw new ArgumentException($"{Name}: peephole needs an LSTM");
            if (!ResetAfter && Cell != CellKind.Gru) throw new ArgumentException($"{Name}: resetAfter=false needs a GRU");
            if (Activation != RnnActivation.Tanh && Cell != CellKind.Rnn) throw new ArgumentException($"{Name}: activation is for RNN cells");
            if (Output == 0 && OutputActivation != HeadActivation.Identity) throw new ArgumentException($"{Name}: no head, so no head activation");
        }

        /// <summary>A descriptive file name, e.g. <c>lstm_i3_h5_l3_o4_softmax_last</c>.</summary>
        public string DefaultName()
        {
            var s = new StringBuilder(Cell.ToString().ToLowerInvariant());
            if (Cell == CellKind.Rnn) s.Append('_').Append(Activation.ToString().ToLowerInvariant());
            if (Peephole) s.Append("_peephole");
            if (Cell == CellKind.Gru && !ResetAfter) s.Append("_resetbefore");
            if (Vocabulary > 0) s.Append("_v").Append(Vocabulary.ToString(CultureInfo.InvariantCulture));
            s.Append(CultureInfo.InvariantCulture, $"_i{Input}_h{Hidden}_l{Layers}_o{Output}");
            if (Output > 0) s.Append('_').Append(OutputActivation.ToString().ToLowerInvariant());
            s.Append('_').Append(OutputMode.ToString().ToLowerInvariant());
            return s.ToString();
        }
    }

    /// <summary>Loss and optimizer settings of a training fixture (torch.optim semantics).</summary>
    internal sealed record TrainingSpec
    {
        public LossKind Loss { get; init; } = LossKind.MeanSquaredError;
        public OptimizerKind Optimizer { get; init; } = OptimizerKind.Adam;
        public double LearningRate { get; init; } = 0.01;
        public double Beta1 { get; init; } = 0.9;
        public double Beta2 { get; init; } = 0.999;
        public double Epsilon { get; init; } = 1e-8;
        public double Momentum { get; init; }
        public bool Nesterov { get; init; }
        public double Alpha { get; init; } = 0.99;
        public double WeightDecay { get; init; }
        public bool DecoupledWeightDecay { get; init; }
        public double ClipNorm { get; init; }
        public double ClipValue { get; init; }
        public int IgnoreIndex { get; init; } = -100;

        public void Validate(ModelSpec model)
        {
            if (Loss == LossKind.BinaryCrossEntropy && !(model.Output > 0 && model.OutputActivation == HeadActivation.Sigmoid))
                throw new ArgumentException($"{model.Name}: BinaryCrossEntropy needs a Sigmoid head");
            if (Loss == LossKind.CrossEntropy && !(model.Output > 0 && model.OutputActivation == HeadActivation.Softmax))
                throw new ArgumentException($"{model.Name}: CrossEntropy needs a Softmax head");
            if (Optimizer == OptimizerKind.Momentum ? Momentum <= 0 : Momentum != 0)
                throw new ArgumentException($"{model.Name}: momentum is used by (and only by) the Momentum optimizer");
            if (Nesterov && Optimizer != OptimizerKind.Momentum) throw new ArgumentException($"{model.Name}: nesterov needs Momentum");
            if (DecoupledWeightDecay && Optimizer != OptimizerKind.Adam) throw new ArgumentException($"{model.Name}: decoupled weight decay is AdamW");
        }

        /// <summary>A file-name suffix such as <c>mse_adamw_clipnorm</c>.</summary>
        public string NameSuffix()
        {
            string loss = Loss switch { LossKind.MeanSquaredError => "mse", LossKind.BinaryCrossEntropy => "bce", _ => "ce" };
            string optimizer = Optimizer switch
            {
                OptimizerKind.Sgd => "sgd",
                OptimizerKind.Momentum => Nesterov ? "nesterov" : "momentum",
                OptimizerKind.Adam => DecoupledWeightDecay ? "adamw" : "adam",
                _ => "rmsprop",
            };
            var s = new StringBuilder(loss).Append('_').Append(optimizer);
            if (WeightDecay > 0 && !DecoupledWeightDecay) s.Append("_wd");
            if (ClipNorm > 0) s.Append("_clipnorm");
            if (ClipValue > 0) s.Append("_clipvalue");
            return s.ToString();
        }
    }

    /// <summary>
    /// A batch training fixture: <see cref="Sequences"/> sequences of <c>Model.Steps</c> steps each, run through the module
    /// as one batch. Cross-entropy gives one class per output row of every sequence in <see cref="Classes"/> (ignoreIndex
    /// for padding); MeanSquaredError and BinaryCrossEntropy draw float targets instead (<see cref="Classes"/> null).
    /// <see cref="OptimizerSteps"/> is 1 (<c>after1</c>) or 2 (<c>after1</c> and <c>after2</c>, the second step on the
    /// same batch at after1's parameters).
    /// </summary>
    internal sealed record BatchSpec(ModelSpec Model, TrainingSpec Training, int Sequences, long[][]? Classes = null, int OptimizerSteps = 1)
    {
        public void Validate()
        {
            Model.Validate();
            Training.Validate(Model);
            string name = Model.Name;
            if (!Model.IsStandardCell || Model.Vocabulary > 0 || Model.Output == 0)
                throw new ArgumentException($"{name}: a batch fixture needs nn.RNN/LSTM/GRU, float inputs and a head");
            if (Training.ClipNorm > 0 || Training.ClipValue > 0) throw new ArgumentException($"{name}: no clipping in batch fixtures");
            if (Sequences < 2) throw new ArgumentException($"{name}: a batch needs at least two sequences");
            if (OptimizerSteps is not (1 or 2)) throw new ArgumentException($"{name}: one or two optimizer steps");
            if (Training.Loss != LossKind.CrossEntropy)
            {
                if (Classes is not null) throw new ArgumentException($"{name}: classes are for cross-entropy; {Training.Loss} draws float targets");
                return;
            }
            if (Classes is null || Classes.Length != Sequences) throw new ArgumentException($"{name}: cross-entropy needs classes for each of the {Sequences} sequences");
            if (Model.OutputMode != OutputMode.Sequence) throw new ArgumentException($"{name}: a cross-entropy batch fixture needs Sequence outputs");
            foreach (long[] row in Classes)
            {
                if (row.Length != Model.Rows) throw new ArgumentException($"{name}: every sequence needs {Model.Rows} classes");
                foreach (long c in row)
                    if (c != Training.IgnoreIndex && (c < 0 || c >= Model.Output)) throw new ArgumentException($"{name}: class {c} out of range");
            }
        }
    }
}
