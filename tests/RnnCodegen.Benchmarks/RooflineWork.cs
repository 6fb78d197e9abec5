using System;

namespace RnnCodegen.Benchmarks
{
    /// <summary>
    /// The work one streaming step (or one training sequence) of a shape cannot avoid, for the roofline
    /// (<c>--roofline</c>), counted per scalar element so that a bound divides by the vector lanes: the multiply-adds of
    /// the matrix products and the multiplies of the pointwise updates, the sigmoids and tanhs (timed on their own, since
    /// their clamps and division cost more than their 12 multiplies), and the parameter bytes one step reads.
    /// </summary>
    /// <param name="Multiplies">Multiplies and multiply-adds outside the activations.</param>
    /// <param name="Sigmoids">Sigmoid evaluations.</param>
    /// <param name="Tanhs">Tanh evaluations.</param>
    /// <param name="WeightBytes">Parameter bytes read (per step; 0 for training, whose bound is arithmetic only).</param>
    public sealed record RooflineWork(long Multiplies, long Sigmoids, long Tanhs, long WeightBytes)
    {
        /// <summary>LSTM backward per unit and step: d o, d c, d i, d f, d g and the carried d c, products of the taped gates.</summary>
        public const int LstmBackwardMultiplies = 16;

        /// <summary>
        /// One step of batch 1: per layer the [x | h] rows times the gate columns, the pointwise updates (LSTM:
        /// c' = f*c + i*g, h' = o*tanh(c'); GRU: r*(W_hn h + b_hn), h' = (1 - z)*n + z*h), the activations (LSTM: i, f, o
        /// sigmoids, g and tanh(c') tanhs; GRU: r, z sigmoids, n tanh), and the dense head.
        /// </summary>
        public static RooflineWork Step(ShapeSpec s)
        {
            long multiplies = 0, sigmoids = 0, tanhs = 0, floats = 0;
            int h = s.Hidden, gh = s.Gates * h;
            for (int k = 0; k < s.Layers; k++)
            {
                int rows = s.LayerInput(k) + h;
                multiplies += (long)rows * gh + 3L * h;
                sigmoids += s.Cell == Cell.Lstm ? 3 * h : 2 * h;
                tanhs += s.Cell == Cell.Lstm ? 2 * h : h;
                // Weights and biases (LSTM: b_ih + b_hh summed once; GRU: r and z summed, n's two kept apart).
                floats += (long)rows * gh + (s.Cell == Cell.Lstm ? gh : gh + h);
            }
            multiplies += (long)h * s.Output;
            floats += (long)h * s.Output + s.Output;
            return new RooflineWork(multiplies, sigmoids, tanhs, 4 * floats);
        }

        /// <summary>
        /// One LSTM training sequence of <paramref name="steps"/> steps (output every step, as the benchmarks): the forward
        /// of <see cref="Step"/>, then per step the backward products (d h(t-1) = W_hh^T d gates, d x for the layers
        /// below, the head's transpose), the pointwise backward, and the weight and bias gradients (sums over the steps of
        /// the outer products). Not counted: the optimizer (a square root and two divisions per parameter), the repacking
        /// of the weights, and the loss.
        /// </summary>
        public static RooflineWork TrainStep(ShapeSpec s, int steps)
        {
            if (s.Cell != Cell.Lstm) throw new ArgumentException("only LSTM training is modelled", nameof(s));
            RooflineWork forward = Step(s);
            long perStep = forward.Multiplies;
            int h = s.Hidden, gh = s.Gates * h;
            for (int k = 0; k < s.Layers; k++)
            {
                int input = s.LayerInput(k);
                perStep += (long)gh * h + (k > 0 ? (long)gh * input : 0); // d h(t-1), d x to the layer below
                perStep += (long)LstmBackwardMultiplies * h;
                perStep += (long)gh * (input + h) + 2L * gh; // d W_ih, d W_hh, d b_ih, d b_hh
            }
            perStep += 2L * h * s.Output + s.Output; // the head's d h and d W, d b
            return new RooflineWork(perStep * steps, forward.Sigmoids * steps, forward.Tanhs * steps, 0);
        }

        /// <summary>
        /// The arithmetic bound in ns: the multiplies at <paramref name="multiplyAddsPerNs"/> vector multiply-adds per ns,
        /// plus the activations at their measured vector times, all with <paramref name="lanes"/> busy lanes.
        /// </summary>
        public double ArithmeticNs(int lanes, double multiplyAddsPerNs, double sigmoidNs, double tanhNs) =>
            (Multiplies / multiplyAddsPerNs + Sigmoids * sigmoidNs + Tanhs * tanhNs) / lanes;
    }
}
