using System;
using System.Collections.Generic;
using static TorchSharp.torch;

namespace FixtureGen
{
    /// <summary>
    /// Runs before any fixture is written: the hand-written cells in <see cref="ManualCells"/> must reproduce
    /// nn.LSTM (peephole path with zero peephole weights) and nn.GRU (reset-after path) exactly - outputs,
    /// final states and every gradient - or the tool stops.
    /// </summary>
    internal static class SelfCheck
    {
        public static void Run()
        {
            var specs = new[]
            {
                new ModelSpec { Name = "selfcheck_lstm", Cell = CellKind.Lstm, Input = 3, Hidden = 5, Layers = 2, Output = 2, Steps = 7 },
                new ModelSpec { Name = "selfcheck_lstm_tokens", Cell = CellKind.Lstm, Vocabulary = 6, Input = 3, Hidden = 4, Layers = 1, Output = 3,
                    OutputActivation = HeadActivation.Softmax, OutputMode = OutputMode.Last, Steps = 6 },
                new ModelSpec { Name = "selfcheck_gru", Cell = CellKind.Gru, Input = 3, Hidden = 5, Layers = 2, Output = 2, Steps = 7 },
                new ModelSpec { Name = "selfcheck_gru_nohead", Cell = CellKind.Gru, Input = 2, Hidden = 17, Layers = 1, Steps = 5 },
            };
            foreach (var standard in specs)
            {
                var sampler = new Sampler(Sampler.SeedFor(standard.Name));
                var values = sampler.Parameters(standard);
                double[] inputs = sampler.Inputs(standard);
                long[] tokens = standard.Vocabulary > 0 ? sampler.Tokens(standard) : Array.Empty<long>();
                double[] lossWeights = sampler.Uniform(standard.Rows * standard.Width, -1, 1);

                ModelSpec manualSpec;
                OrderedDictionary<string, TensorData> manualValues;
                if (standard.Cell == CellKind.Lstm)
                {
                    manualSpec = standard with { Peephole = true };
                    manualValues = WithZeroPeepholes(manualSpec, values);
                }
                else
                {
                    manualSpec = standard; // ResetAfter = true: PyTorch's formula through the manual code
                    manualValues = values;
                }

                var torchModel = TorchModel.Create(standard, values);
                var manualModel = TorchModel.Create(manualSpec, manualValues, forceManual: true);
                if (!torchModel.UsesTorchModule || manualModel.UsesTorchModule)
                    throw new InvalidOperationException("self-check: wrong model kinds");

                var a = Evaluate(torchModel, standard, inputs, tokens, lossWeights);
                var b = Evaluate(manualModel, standard, inputs, tokens, lossWeights);
                Trainer.Compare(standard.Name + ": manual cell vs torch module (forward)", a.Forward, b.Forward, 1e-13);
                var manualGradients = manualModel.Gradients();
                foreach (var (name, _) in manualSpec.ParameterShapes())
                    if (!a.Gradients.ContainsKey(name) && Max(manualGradients[name].Values) == 0)
                        throw new InvalidOperationException($"self-check: {name} got no gradient");
                Trainer.Compare(standard.Name + ": manual cell vs torch module (gradients)", a.Gradients, Only(manualGradients, a.Gradients), 1e-12);
                Console.WriteLine($"[self-check] {standard.Name}: manual {(standard.Cell == CellKind.Lstm ? "peephole LSTM (zero peepholes)" : "GRU (reset after)")} == nn.{standard.Cell.ToString().ToUpperInvariant()}: outputs, states, gradients");

                // The variant must actually differ from the standard cell once its extra behaviour is switched on.
                var variantSpec = standard.Cell == CellKind.Lstm ? manualSpec : standard with { ResetAfter = false };
                var variantValues = standard.Cell == CellKind.Lstm ? sampler.Parameters(variantSpec) : values;
                if (standard.Cell == CellKind.Lstm)
                    foreach (var (name, data) in values) variantValues[name] = data; // same weights, random peepholes
                var c = Evaluate(TorchModel.Create(variantSpec, variantValues), standard, inputs, tokens, lossWeights);
                double difference = MaxDifference(a.Forward["outputs"].Values, c.Forward["outputs"].Values);
                if (difference < 1e-4) throw new InvalidOperationException($"self-check: {variantSpec.DefaultName()} is indistinguishable from the standard cell ({difference})");
            }
        }

        private sealed record Evaluation(OrderedDictionary<string, TensorData> Forward, OrderedDictionary<string, TensorData> Gradients);

        private static Evaluation Evaluate(TorchModel model, ModelSpec spec, double[] inputs, long[] tokens, double[] lossWeights)
        {
            var forward = model.Forward(spec.Vocabulary > 0 ? null : inputs, spec.Vocabulary > 0 ? tokens : null);
            // A loss that weighs every output differently, so every gradient path is exercised.
            var weights = tensor(lossWeights, forward.Outputs.shape, dtype: float64);
            var loss = (forward.Outputs * weights).sum() + forward.FinalH.square().sum() + (forward.FinalC?.sum() ?? tensor(0.0, dtype: float64));
            loss.backward();
            var f = new OrderedDictionary<string, TensorData>(StringComparer.Ordinal)
            {
                ["outputs"] = new TensorData(new[] { spec.Rows * spec.Width }, TorchModel.ToArray(forward.Outputs)),
                ["finalH"] = new TensorData(new[] { spec.Layers * spec.Hidden }, TorchModel.ToArray(forward.FinalH)),
            };
            if (forward.FinalC is not null) f["finalC"] = new TensorData(new[] { spec.Layers * spec.Hidden }, TorchModel.ToArray(forward.FinalC));
            return new Evaluation(f, model.Gradients());
        }

        private static OrderedDictionary<string, TensorData> WithZeroPeepholes(ModelSpec peephole, OrderedDictionary<string, TensorData> values)
        {
            var result = new OrderedDictionary<string, TensorData>(StringComparer.Ordinal);
            foreach (var (name, shape) in peephole.ParameterShapes())
                result.Add(name, values.TryGetValue(name, out var data) ? data : new TensorData(shape, new double[shape[0]]));
            return result;
        }

        private static OrderedDictionary<string, TensorData> Only(OrderedDictionary<string, TensorData> all, OrderedDictionary<string, TensorData> keys)
        {
            var result = new OrderedDictionary<string, TensorData>(StringComparer.Ordinal);
            foreach (var name in keys.Keys) result.Add(name, all[name]);
            return result;
        }

        private static double Max(double[] values)
        {
            double max = 0;
            foreach (double v in values) max = Math.Max(max, Math.Abs(v));
            return max;
        }

        private static double MaxDifference(double[] a, double[] b)
        {
            double max = 0;
            for (int i = 0; i < a.Length; i++) max = Math.Max(max, Math.Abs(a[i] - b[i]));
            return max;
        }
    }
}
