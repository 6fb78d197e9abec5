using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace FixtureGen
{
    /// <summary>Targets of a training fixture: regression/binary values, or integer classes.</summary>
    internal sealed record Targets(double[]? Values, long[]? Classes);

    /// <summary>What two training steps produced.</summary>
    internal sealed record TrainingResult(
        double LossValue,
        double[] Outputs,
        double[] FinalH,
        double[]? FinalC,
        OrderedDictionary<string, TensorData> Gradients,
        OrderedDictionary<string, TensorData> After1,
        OrderedDictionary<string, TensorData> After2);

    /// <summary>What one or two batched steps produced (<see cref="After2"/> null after one step).</summary>
    internal sealed record BatchResult(
        double LossValue,
        OrderedDictionary<string, TensorData> Gradients,
        OrderedDictionary<string, TensorData> After1,
        OrderedDictionary<string, TensorData>? After2);

    /// <summary>
    /// Two optimizer steps with torch.optim (TorchSharp) on float64 parameters, cross-checked against the
    /// documented PyTorch update formulas in <see cref="ReferenceOptimizer"/>.
    /// </summary>
    internal static class Trainer
    {
        /// <summary>The loss with PyTorch's reduction='mean'.</summary>
        public static Tensor Loss(TrainingSpec training, ForwardResult forward, Targets targets) =>
            Loss(training, forward.PreActivation, forward.Outputs, targets);

        /// <summary>The loss with PyTorch's reduction='mean' on <c>[rows, width]</c> logits and outputs.</summary>
        public static Tensor Loss(TrainingSpec training, Tensor preActivation, Tensor outputs, Targets targets)
        {
            switch (training.Loss)
            {
                case LossKind.MeanSquaredError:
                    return F.mse_loss(outputs, TargetTensor(outputs, targets));
                case LossKind.BinaryCrossEntropy:
                    return F.binary_cross_entropy_with_logits(preActivation, TargetTensor(preActivation, targets));
                default:
                    long[] classes = targets.Classes ?? throw new ArgumentException("CrossEntropy needs classes");
                    return F.cross_entropy(preActivation, tensor(classes, dtype: int64), ignore_index: training.IgnoreIndex);
            }
        }

        private static Tensor TargetTensor(Tensor like, Targets targets)
        {
            double[] values = targets.Values ?? throw new ArgumentException("this loss needs target values");
            return tensor(values, like.shape, dtype: float64);
        }

        public static TrainingResult Run(ModelSpec spec, TrainingSpec training, OrderedDictionary<string, TensorData> initial,
            double[]? inputs, long[]? tokens, Targets targets)
        {
            var model = TorchModel.Create(spec, initial);
            var parameters = model.Parameters.Values.ToList();
            using var optimizer = CreateOptimizer(training, parameters);
            var reference = new ReferenceOptimizer(training);

            // Step 1 at the initial parameters.
            optimizer.zero_grad();
            var forward = model.Forward(inputs, tokens);
            var loss = Loss(training, forward, targets);
            loss.backward();
            double lossValue = loss.item<double>();
            var gradients = model.Gradients();
            Clip(training, parameters, gradients, spec.Name);
            optimizer.step();
            var after1 = model.Snapshot();
            Compare(spec.Name + " after1 vs the reference optimizer", reference.Step(initial, gradients), after1, 1e-13);

            // Step 2 at after1, same data: exercises momentum / Adam / RMSprop state and bias correction.
            optimizer.zero_grad();
            var loss2 = Loss(training, model.Forward(inputs, tokens), targets);
            loss2.backward();
            var gradients2 = model.Gradients();

            // The second backward must be the gradient of a fresh model built from after1's values.
            var fresh = TorchModel.Create(spec, after1);
            Loss(training, fresh.Forward(inputs, tokens), targets).backward();
            Compare(spec.Name + " step-2 gradients vs a fresh model at after1", fresh.Gradients(), gradients2, 1e-12);

            Clip(training, parameters, gradients2, spec.Name);
            optimizer.step();
            var after2 = model.Snapshot();
            Compare(spec.Name + " after2 vs the reference optimizer", reference.Step(after1, gradients2), after2, 1e-13);

            if (training.ClipNorm > 0 || training.ClipValue > 0)
            {
                // How much clipping moved the parameters (the same gradients through the same optimizer unclipped):
                // Adam's first step is ~lr*sign(g), so for Adam mostly after2 shows the clipping.
                var unclipped = new ReferenceOptimizer(training with { ClipNorm = 0, ClipValue = 0 });
                double effect1 = MaxDifference(unclipped.Step(initial, gradients), after1);
                double effect2 = MaxDifference(unclipped.Step(after1, gradients2), after2);
                Console.WriteLine($"    clipping changes after1 by up to {effect1:G3}, after2 by up to {effect2:G3}");
            }

            return new TrainingResult(lossValue,
                TorchModel.ToArray(forward.Outputs), TorchModel.ToArray(forward.FinalH),
                forward.FinalC is null ? null : TorchModel.ToArray(forward.FinalC),
                gradients, after1, after2);
        }

        /// <summary>
        /// One batched step (two with <see cref="BatchSpec.OptimizerSteps"/> 2): the batch through the module as one
        /// forward, the loss with reduction mean over the flattened batch, backward and an optimizer step. Cross-entropy is
        /// <c>F.cross_entropy(logits.reshape(-1, C), classes.reshape(-1), ignore_index)</c>, the mean over every counted row
        /// of the batch; MeanSquaredError and BinaryCrossEntropy are <c>F.mse_loss</c> /
        /// <c>F.binary_cross_entropy_with_logits</c> on <c>[B*rows, C]</c>, the mean over every value of the batch.
        /// Cross-checked against separate single-sequence forwards (cross-entropy: each sequence's mean loss and gradient
        /// times its counted rows over the batch's counted rows; the other losses: each sequence's over the sequence
        /// count, as every sequence has rows*C values), against <see cref="ReferenceOptimizer"/>, and for a second step
        /// against the gradients of a fresh model at after1.
        /// </summary>
        public static BatchResult RunBatch(BatchSpec batch, OrderedDictionary<string, TensorData> initial, double[] inputs, double[]? values)
        {
            ModelSpec spec = batch.Model;
            TrainingSpec training = batch.Training;
            bool crossEntropy = training.Loss == LossKind.CrossEntropy;
            var targets = crossEntropy
                ? new Targets(null, (batch.Classes ?? throw new ArgumentException($"{spec.Name}: cross-entropy needs classes")).SelectMany(c => c).ToArray())
                : new Targets(values ?? throw new ArgumentException($"{spec.Name}: {training.Loss} needs target values"), null);
            Tensor BatchLoss(TorchModel m)
            {
                var (logits, outputs) = m.BatchForward(inputs, batch.Sequences);
                return Loss(training, logits, outputs, targets);
            }

            var model = TorchModel.Create(spec, initial);
            var parameters = model.Parameters.Values.ToList();
            using var optimizer = CreateOptimizer(training, parameters);
            var reference = new ReferenceOptimizer(training);

            optimizer.zero_grad();
            var loss = BatchLoss(model);
            loss.backward();
            double lossValue = loss.item<double>();
            var gradients = model.Gradients();
            optimizer.step();
            var after1 = model.Snapshot();
            Compare(spec.Name + " after1 vs the reference optimizer", reference.Step(initial, gradients), after1, 1e-13);

            // The same from one forward per sequence (batch of one, the path of the training fixtures): each sequence's
            // mean loss and gradient, weighted by its share of the batch's counted values.
            int perSequence = spec.Steps * spec.Input, perTargets = spec.Rows * spec.Width, total = 0;
            var counted = new int[batch.Sequences];
            for (int b = 0; b < batch.Sequences; b++)
            {
                counted[b] = crossEntropy ? batch.Classes![b].Count(c => c != training.IgnoreIndex) : perTargets;
                total += counted[b];
            }
            if (total == 0) throw new InvalidOperationException($"{spec.Name}: every row is ignored (PyTorch's loss would be NaN)");
            double expectedLoss = 0, meanOfMeans = 0;
            var expectedGradients = new OrderedDictionary<string, TensorData>(StringComparer.Ordinal);
            foreach (var (name, g) in gradients) expectedGradients.Add(name, new TensorData(g.Shape, new double[g.Values.Length]));
            for (int b = 0; b < batch.Sequences; b++)
            {
                if (counted[b] == 0) continue; // no row counts: no loss and no gradient (alone, PyTorch's mean would be NaN)
                var single = TorchModel.Create(spec, initial);
                var forward = single.Forward(inputs.AsSpan(b * perSequence, perSequence).ToArray(), null);
                var sequenceTargets = crossEntropy
                    ? new Targets(null, batch.Classes![b])
                    : new Targets(targets.Values!.AsSpan(b * perTargets, perTargets).ToArray(), null);
                var sequenceLoss = Trainer.Loss(training, forward, sequenceTargets);
                sequenceLoss.backward();
                double value = sequenceLoss.item<double>();
                expectedLoss += value * counted[b] / total;
                meanOfMeans += value / batch.Sequences;
                foreach (var (name, g) in single.Gradients())
                {
                    double[] sum = expectedGradients[name].Values;
                    for (int i = 0; i < sum.Length; i++) sum[i] += g.Values[i] * counted[b] / total;
                }
            }
            if (!(Math.Abs(lossValue - expectedLoss) <= 1e-13 * Math.Max(1, Math.Abs(expectedLoss))))
                throw new InvalidOperationException($"CROSS-CHECK FAILED: {spec.Name} batch loss {lossValue:R}, from single sequences {expectedLoss:R}");
            Compare(spec.Name + " batch gradients vs single-sequence forwards", expectedGradients, gradients, 1e-12);
            if (crossEntropy)
            {
                // The fixture must tell the PyTorch mean (over counted rows) from the mean of per-sequence means.
                if (Math.Abs(meanOfMeans - lossValue) < 1e-2)
                    throw new InvalidOperationException($"{spec.Name}: the mean of per-sequence means ({meanOfMeans:G6}) is too close to the batch loss ({lossValue:G6}) to tell them apart");
                Console.WriteLine($"    batch loss {lossValue:G6} over {total} counted rows (mean of per-sequence means {meanOfMeans:G6})");
            }
            else
            {
                // Equal-length sequences all have rows*C values: the mean over the batch is the mean of per-sequence means.
                Console.WriteLine($"    batch loss {lossValue:G6}, the mean over {batch.Sequences} x {perTargets} values");
            }
            if (batch.OptimizerSteps == 1) return new BatchResult(lossValue, gradients, after1, null);

            // Step 2 at after1, same batch: exercises the optimizer's state (Adam's moments and bias correction).
            optimizer.zero_grad();
            BatchLoss(model).backward();
            var gradients2 = model.Gradients();
            var fresh = TorchModel.Create(spec, after1);
            BatchLoss(fresh).backward();
            Compare(spec.Name + " step-2 batch gradients vs a fresh model at after1", fresh.Gradients(), gradients2, 1e-12);
            optimizer.step();
            var after2 = model.Snapshot();
            Compare(spec.Name + " after2 vs the reference optimizer", reference.Step(after1, gradients2), after2, 1e-13);
            return new BatchResult(lossValue, gradients, after1, after2);
        }

        private static OptimizerHelper CreateOptimizer(TrainingSpec t, List<Parameter> parameters) => t.Optimizer switch
        {
            OptimizerKind.Sgd => optim.SGD(parameters, t.LearningRate, weight_decay: t.WeightDecay),
            OptimizerKind.Momentum => optim.SGD(parameters, t.LearningRate, momentum: t.Momentum, dampening: 0.0,
                weight_decay: t.WeightDecay, nesterov: t.Nesterov),
            OptimizerKind.Adam when t.DecoupledWeightDecay => optim.AdamW(parameters, t.LearningRate, t.Beta1, t.Beta2, t.Epsilon,
                weight_decay: t.WeightDecay),
            OptimizerKind.Adam => optim.Adam(parameters, t.LearningRate, t.Beta1, t.Beta2, t.Epsilon, weight_decay: t.WeightDecay),
            _ => optim.RMSProp(parameters, t.LearningRate, t.Alpha, t.Epsilon, weight_decay: t.WeightDecay, momentum: 0.0, centered: false),
        };

        /// <summary>
        /// clip_grad_norm_ / clip_grad_value_ on the torch gradients, checked against
        /// <see cref="ReferenceOptimizer.Clip"/> and required to be active (otherwise the fixture tests nothing).
        /// </summary>
        private static void Clip(TrainingSpec t, List<Parameter> parameters, OrderedDictionary<string, TensorData> unclipped, string name)
        {
            if (t.ClipNorm <= 0 && t.ClipValue <= 0) return;
            var grads = parameters.Select(p => p.grad ?? throw new InvalidOperationException($"{name}: a parameter has no gradient")).ToList();
            if (t.ClipNorm > 0)
            {
                double norm = nn.utils.clip_grad_norm_(parameters, t.ClipNorm);
                double expected = ReferenceOptimizer.GlobalNorm(unclipped);
                if (Math.Abs(norm - expected) > 1e-12 * expected)
                    throw new InvalidOperationException($"{name}: clip_grad_norm_ returned {norm}, the global norm is {expected}");
                if (norm <= t.ClipNorm)
                    throw new InvalidOperationException($"{name}: gradient norm {norm} <= clipNorm {t.ClipNorm}: clipping would be inactive");
                Console.WriteLine($"    clip_grad_norm_: global norm {norm:G6} -> {t.ClipNorm}");
            }
            if (t.ClipValue > 0)
            {
                // After a norm clip, the value clip must still cut something for the pair to be tested.
                double largest = grads.Max(g => TorchModel.ToArray(g).Max(Math.Abs));
                if (largest <= t.ClipValue)
                    throw new InvalidOperationException($"{name}: largest |gradient| {largest} <= clipValue {t.ClipValue}: clipping would be inactive");
                nn.utils.clip_grad_value_(parameters, t.ClipValue);
                Console.WriteLine($"    clip_grad_value_: largest |gradient| {largest:G6} -> {t.ClipValue}");
            }

            var clipped = new OrderedDictionary<string, TensorData>(StringComparer.Ordinal);
            int i = 0;
            foreach (var (key, value) in unclipped) clipped.Add(key, new TensorData(value.Shape, TorchModel.ToArray(grads[i++])));
            Compare(name + " clipped gradients vs the reference", ReferenceOptimizer.Clip(t, unclipped), clipped, 1e-14);
        }

        private static double MaxDifference(OrderedDictionary<string, TensorData> a, OrderedDictionary<string, TensorData> b)
        {
            double max = 0;
            foreach (var (name, x) in a)
                for (int i = 0; i < x.Values.Length; i++) max = Math.Max(max, Math.Abs(x.Values[i] - b[name].Values[i]));
            return max;
        }

        /// <summary>Fails loudly unless every value agrees within <paramref name="relative"/> (relative to max(1, |value|)).</summary>
        public static void Compare(string what, OrderedDictionary<string, TensorData> expected, OrderedDictionary<string, TensorData> actual, double relative)
        {
            double worst = 0;
            string worstName = "";
            foreach (var (name, e) in expected)
            {
                double[] a = actual[name].Values;
                for (int i = 0; i < a.Length; i++)
                {
                    double d = Math.Abs(a[i] - e.Values[i]) / Math.Max(1.0, Math.Abs(e.Values[i]));
                    if (!(d <= worst)) { worst = d; worstName = name; }
                }
            }
            if (!(worst <= relative))
                throw new InvalidOperationException($"CROSS-CHECK FAILED: {what}: max difference {worst:G3} in {worstName} (allowed {relative:G3})");
        }
    }
}
