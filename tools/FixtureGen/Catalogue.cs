using System.Collections.Generic;

namespace FixtureGen
{
    /// <summary>The fixture matrix. Names are derived from the spec; each name seeds its own random draws.</summary>
    internal static class Catalogue
    {
        private static ModelSpec Named(ModelSpec spec) => spec with { Name = spec.DefaultName() };

        public static List<ModelSpec> Inference() => new()
        {
            Named(new() { Cell = CellKind.Rnn, Input = 1, Hidden = 5, Layers = 1, Output = 0, Steps = 7 }),
            Named(new() { Cell = CellKind.Rnn, Activation = RnnActivation.Relu, Input = 3, Hidden = 13, Layers = 2, Output = 2, Steps = 8 }),
            Named(new() { Cell = CellKind.Rnn, Input = 2, Hidden = 3, Layers = 3, Output = 3, OutputActivation = HeadActivation.Tanh, Steps = 10 }),
            Named(new() { Cell = CellKind.Rnn, Vocabulary = 20, Input = 8, Hidden = 5, Layers = 1, Output = 1, OutputActivation = HeadActivation.Sigmoid, OutputMode = OutputMode.Last, Steps = 9 }),

            Named(new() { Cell = CellKind.Lstm, Input = 1, Hidden = 32, Layers = 1, Output = 1, Steps = 12 }),
            Named(new() { Cell = CellKind.Lstm, Input = 3, Hidden = 5, Layers = 3, Output = 4, OutputActivation = HeadActivation.Softmax, OutputMode = OutputMode.Last, Steps = 9 }),
            Named(new() { Cell = CellKind.Lstm, Input = 16, Hidden = 64, Layers = 1, Output = 1, Steps = 6 }),
            Named(new() { Cell = CellKind.Lstm, Vocabulary = 11, Input = 4, Hidden = 13, Layers = 1, Output = 11, OutputActivation = HeadActivation.Softmax, Steps = 10 }),
            Named(new() { Cell = CellKind.Lstm, Peephole = true, Input = 2, Hidden = 5, Layers = 1, Output = 1, OutputActivation = HeadActivation.Sigmoid, Steps = 8 }),
            Named(new() { Cell = CellKind.Lstm, Peephole = true, Input = 3, Hidden = 7, Layers = 2, Output = 2, OutputMode = OutputMode.Last, Steps = 11 }),

            Named(new() { Cell = CellKind.Gru, Input = 1, Hidden = 33, Layers = 1, Output = 1, OutputActivation = HeadActivation.Tanh, Steps = 12 }),
            Named(new() { Cell = CellKind.Gru, Input = 4, Hidden = 13, Layers = 2, Output = 0, OutputMode = OutputMode.Last, Steps = 7 }),
            Named(new() { Cell = CellKind.Gru, Vocabulary = 7, Input = 3, Hidden = 5, Layers = 2, Output = 0, Steps = 6 }),
            Named(new() { Cell = CellKind.Gru, ResetAfter = false, Input = 3, Hidden = 5, Layers = 1, Output = 2, Steps = 9 }),
            Named(new() { Cell = CellKind.Gru, ResetAfter = false, Input = 2, Hidden = 6, Layers = 2, Output = 1, OutputActivation = HeadActivation.Sigmoid, OutputMode = OutputMode.Last, Steps = 5 }),
        };

        public static List<(ModelSpec Model, TrainingSpec Training)> Training()
        {
            var list = new List<(ModelSpec, TrainingSpec)>();
            void Add(ModelSpec model, TrainingSpec training) =>
                list.Add((model with { Name = model.DefaultName() + "_" + training.NameSuffix() }, training));

            // Every optimizer on one small LSTM regression.
            var lstm = new ModelSpec { Cell = CellKind.Lstm, Input = 2, Hidden = 5, Layers = 1, Output = 1, Steps = 8 };
            Add(lstm, new() { Optimizer = OptimizerKind.Sgd, LearningRate = 0.05 });
            Add(lstm, new() { Optimizer = OptimizerKind.Sgd, LearningRate = 0.05, WeightDecay = 0.01 });
            Add(lstm, new() { Optimizer = OptimizerKind.Momentum, LearningRate = 0.05, Momentum = 0.9 });
            Add(lstm, new() { Optimizer = OptimizerKind.Momentum, LearningRate = 0.05, Momentum = 0.9, Nesterov = true });
            Add(lstm, new() { Optimizer = OptimizerKind.Adam, LearningRate = 0.01 });
            Add(lstm, new() { Optimizer = OptimizerKind.Adam, LearningRate = 0.01, WeightDecay = 0.01 });
            Add(lstm, new() { Optimizer = OptimizerKind.Adam, LearningRate = 0.01, WeightDecay = 0.01, DecoupledWeightDecay = true });
            Add(lstm, new() { Optimizer = OptimizerKind.RmsProp, LearningRate = 0.01 });
            // Weight decay enters every update rule differently (added to the gradient before the momentum buffer or the
            // square average), so each optimizer has its own weight-decay fixture.
            Add(lstm, new() { Optimizer = OptimizerKind.Momentum, LearningRate = 0.05, Momentum = 0.9, WeightDecay = 0.01 });
            Add(lstm, new() { Optimizer = OptimizerKind.Momentum, LearningRate = 0.05, Momentum = 0.9, Nesterov = true, WeightDecay = 0.01 });
            Add(lstm, new() { Optimizer = OptimizerKind.RmsProp, LearningRate = 0.01, WeightDecay = 0.01 });
            Add(lstm, new() { Optimizer = OptimizerKind.Adam, LearningRate = 0.01, ClipNorm = 0.5 });
            Add(lstm, new() { Optimizer = OptimizerKind.Adam, LearningRate = 0.01, ClipValue = 0.05 });
            // Adam is nearly invariant to the scale of the gradient, so clipping shows far more plainly with SGD.
            Add(lstm, new() { Optimizer = OptimizerKind.Sgd, LearningRate = 0.05, ClipNorm = 0.5 });
            Add(lstm, new() { Optimizer = OptimizerKind.Sgd, LearningRate = 0.05, ClipValue = 0.05 });
            // Clipping acts on the loss gradient only: weight decay joins it inside the optimizer step, after the clip.
            Add(lstm, new() { Optimizer = OptimizerKind.Sgd, LearningRate = 0.05, WeightDecay = 0.01, ClipNorm = 0.5 });
            // Both clips, as clip_grad_norm_ followed by clip_grad_value_: the value clip cuts the already scaled gradients,
            // and FixtureGen checks that it still cuts some.
            Add(lstm, new() { Optimizer = OptimizerKind.Sgd, LearningRate = 0.05, ClipNorm = 0.5, ClipValue = 0.05 });

            // Every cell, head, loss and input kind with Adam.
            var adam = new TrainingSpec { Optimizer = OptimizerKind.Adam, LearningRate = 0.01 };
            var bce = adam with { Loss = LossKind.BinaryCrossEntropy };
            var ce = adam with { Loss = LossKind.CrossEntropy };
            Add(new() { Cell = CellKind.Rnn, Input = 3, Hidden = 4, Layers = 2, Output = 2, Steps = 7 }, adam);
            Add(new() { Cell = CellKind.Rnn, Activation = RnnActivation.Relu, Input = 2, Hidden = 5, Layers = 1, Output = 1, OutputActivation = HeadActivation.Sigmoid, OutputMode = OutputMode.Last, Steps = 9 }, bce);
            Add(new() { Cell = CellKind.Gru, Input = 3, Hidden = 5, Layers = 2, Output = 3, OutputActivation = HeadActivation.Softmax, Steps = 8 }, ce);
            Add(new() { Cell = CellKind.Gru, ResetAfter = false, Input = 2, Hidden = 4, Layers = 1, Output = 1, OutputActivation = HeadActivation.Tanh, Steps = 6 }, adam);
            Add(new() { Cell = CellKind.Lstm, Peephole = true, Input = 2, Hidden = 4, Layers = 2, Output = 2, OutputMode = OutputMode.Last, Steps = 7 }, adam);
            Add(new() { Cell = CellKind.Lstm, Vocabulary = 9, Input = 3, Hidden = 5, Layers = 1, Output = 9, OutputActivation = HeadActivation.Softmax, Steps = 10 }, ce);
            Add(new() { Cell = CellKind.Rnn, Vocabulary = 12, Input = 4, Hidden = 6, Layers = 1, Output = 1, OutputActivation = HeadActivation.Sigmoid, OutputMode = OutputMode.Last, Steps = 8 }, bce);
            Add(new() { Cell = CellKind.Lstm, Input = 3, Hidden = 6, Layers = 1, Output = 0, Steps = 5 }, adam);
            Add(new() { Cell = CellKind.Lstm, Input = 1, Hidden = 32, Layers = 1, Output = 1, Steps = 50 }, adam); // the SineLstm shape
            return list;
        }

        /// <summary>
        /// Batch fixtures: equal-length sequences run as one batched forward, the loss's mean over the flattened batch.
        /// Cross-entropy: the sequences count different rows (padding is ignoreIndex), so the mean over every counted row
        /// of the batch differs from the mean of per-sequence means. MSE and BCE: the mean over every value of the batch.
        /// Plain SGD, so the gradient's scale shows in after1; Adam over two steps for the optimizer's state.
        /// </summary>
        public static List<BatchSpec> Batch()
        {
            const long x = -100; // ignoreIndex: a padding row
            var list = new List<BatchSpec>();
            void Add(ModelSpec model, TrainingSpec training, int sequences, long[][]? classes = null, int optimizerSteps = 1) =>
                list.Add(new BatchSpec(model with { Name = "batch_" + model.DefaultName() + "_" + training.NameSuffix() }, training, sequences, classes, optimizerSteps));

            // The shape of gru_i3_h5_l2_o3_softmax_sequence_ce_adam; 3 sequences of 6 steps counting 1, 6 and 3 rows.
            Add(new() { Cell = CellKind.Gru, Input = 3, Hidden = 5, Layers = 2, Output = 3, OutputActivation = HeadActivation.Softmax, Steps = 6 },
                new() { Loss = LossKind.CrossEntropy, Optimizer = OptimizerKind.Sgd, LearningRate = 0.1 }, 3,
                new[]
                {
                    new[] { 0, x, x, x, x, x },
                    new[] { 1L, 2, 0, 1, 2, 0 },
                    new[] { 2, x, 1, x, 0, x },
                });
            // Many-to-many regression: a stacked LSTM, 4 sequences of 6 steps, the mean over 4 x 6 x 2 values.
            Add(new() { Cell = CellKind.Lstm, Input = 2, Hidden = 5, Layers = 2, Output = 2, Steps = 6 },
                new() { Loss = LossKind.MeanSquaredError, Optimizer = OptimizerKind.Sgd, LearningRate = 0.1 }, 4);
            // Many-to-one binary classification with two sigmoid outputs: 3 sequences of 7 steps, the mean over 3 x 2 values.
            Add(new() { Cell = CellKind.Gru, Input = 3, Hidden = 4, Layers = 1, Output = 2, OutputActivation = HeadActivation.Sigmoid, OutputMode = OutputMode.Last, Steps = 7 },
                new() { Loss = LossKind.BinaryCrossEntropy, Optimizer = OptimizerKind.Sgd, LearningRate = 0.1 }, 3);
            // Adam over two batch steps (its moments and bias correction carry from the first batch step to the second).
            Add(new() { Cell = CellKind.Rnn, Input = 3, Hidden = 4, Layers = 2, Output = 2, OutputActivation = HeadActivation.Tanh, Steps = 5 },
                new() { Loss = LossKind.MeanSquaredError, Optimizer = OptimizerKind.Adam, LearningRate = 0.01 }, 3, optimizerSteps: 2);
            return list;
        }
    }
}
