using System;
using System.Collections.Generic;

namespace FixtureGen
{
    /// <summary>
    /// The update rules of torch.optim (single-tensor path, maximize=False) and of clip_grad_norm_ /
    /// clip_grad_value_, written out in plain double arithmetic from the PyTorch documentation. Only used to
    /// cross-check TorchSharp's implementations; the fixtures hold TorchSharp's numbers.
    /// </summary>
    internal sealed class ReferenceOptimizer
    {
        private readonly TrainingSpec t;
        private readonly Dictionary<string, double[]> first = new(StringComparer.Ordinal);  // momentum buffer / exp_avg
        private readonly Dictionary<string, double[]> second = new(StringComparer.Ordinal); // exp_avg_sq / square_avg
        private int step;

        public ReferenceOptimizer(TrainingSpec training) => t = training;

        /// <summary>PyTorch's total norm: the 2-norm of all gradients taken together.</summary>
        public static double GlobalNorm(OrderedDictionary<string, TensorData> gradients)
        {
            double sum = 0;
            foreach (var g in gradients.Values) foreach (double v in g.Values) sum += v * v;
            return Math.Sqrt(sum);
        }

        /// <summary>
        /// clip_grad_norm_: g *= min(1, max_norm / (total_norm + 1e-6)); clip_grad_value_: g = clamp(g, -v, v).
        /// With both set, the norm clip comes first (the order of the generated ApplyGradients).
        /// </summary>
        public static OrderedDictionary<string, TensorData> Clip(TrainingSpec t, OrderedDictionary<string, TensorData> gradients)
        {
            double scale = 1.0;
            if (t.ClipNorm > 0) scale = Math.Min(1.0, t.ClipNorm / (GlobalNorm(gradients) + 1e-6));
            var result = new OrderedDictionary<string, TensorData>(StringComparer.Ordinal);
            foreach (var (name, g) in gradients)
            {
                var values = new double[g.Values.Length];
                for (int i = 0; i < values.Length; i++)
                {
                    double v = g.Values[i] * scale;
                    values[i] = t.ClipValue > 0 ? Math.Clamp(v, -t.ClipValue, t.ClipValue) : v;
                }
                result.Add(name, new TensorData(g.Shape, values));
            }
            return result;
        }

        /// <summary>One step from <paramref name="parameters"/> with the unclipped <paramref name="gradients"/>.</summary>
        public OrderedDictionary<string, TensorData> Step(OrderedDictionary<string, TensorData> parameters, OrderedDictionary<string, TensorData> gradients)
        {
            step++;
            var clipped = Clip(t, gradients);
            var result = new OrderedDictionary<string, TensorData>(StringComparer.Ordinal);
            foreach (var (name, p0) in parameters)
            {
                double[] p = (double[])p0.Values.Clone();
                double[] grad = clipped[name].Values;
                switch (t.Optimizer)
                {
                    case OptimizerKind.Sgd:
                    case OptimizerKind.Momentum:
                        Sgd(name, p, grad);
                        break;
                    case OptimizerKind.Adam:
                        Adam(name, p, grad);
                        break;
                    default:
                        RmsProp(name, p, grad);
                        break;
                }
                result.Add(name, new TensorData(p0.Shape, p));
            }
            return result;
        }

        // SGD: g += wd p; buf = g (first step) or momentum buf + (1 - dampening) g;
        // g = nesterov ? g + momentum buf : buf; p -= lr g.
        private void Sgd(string name, double[] p, double[] grad)
        {
            double[]? buffer = t.Momentum != 0 ? Buffer(first, name, p.Length) : null;
            for (int i = 0; i < p.Length; i++)
            {
                double g = grad[i] + t.WeightDecay * p[i];
                if (buffer is not null)
                {
                    buffer[i] = step == 1 ? g : t.Momentum * buffer[i] + g; // dampening 0
                    g = t.Nesterov ? g + t.Momentum * buffer[i] : buffer[i];
                }
                p[i] -= t.LearningRate * g;
            }
        }

        // Adam: g += wd p (Adam) or p *= 1 - lr wd (AdamW); m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2;
        // p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps).
        private void Adam(string name, double[] p, double[] grad)
        {
            double[] m = Buffer(first, name, p.Length), v = Buffer(second, name, p.Length);
            double bias1 = 1 - Math.Pow(t.Beta1, step), bias2 = 1 - Math.Pow(t.Beta2, step);
            for (int i = 0; i < p.Length; i++)
            {
                double g = grad[i];
                if (t.DecoupledWeightDecay) p[i] *= 1 - t.LearningRate * t.WeightDecay;
                else g += t.WeightDecay * p[i];
                m[i] = t.Beta1 * m[i] + (1 - t.Beta1) * g;
                v[i] = t.Beta2 * v[i] + (1 - t.Beta2) * g * g;
                p[i] -= t.LearningRate / bias1 * m[i] / (Math.Sqrt(v[i]) / Math.Sqrt(bias2) + t.Epsilon);
            }
        }

        // RMSprop (momentum 0, centered false): g += wd p; v = alpha v + (1 - alpha) g^2; p -= lr g / (sqrt(v) + eps).
        private void RmsProp(string name, double[] p, double[] grad)
        {
            double[] v = Buffer(second, name, p.Length);
            for (int i = 0; i < p.Length; i++)
            {
                double g = grad[i] + t.WeightDecay * p[i];
                v[i] = t.Alpha * v[i] + (1 - t.Alpha) * g * g;
                p[i] -= t.LearningRate * g / (Math.Sqrt(v[i]) + t.Epsilon);
            }
        }

        private static double[] Buffer(Dictionary<string, double[]> buffers, string name, int length)
        {
            if (!buffers.TryGetValue(name, out var buffer)) buffers[name] = buffer = new double[length];
            return buffer;
        }
    }
}
