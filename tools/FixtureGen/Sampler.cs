using System;
using System.Collections.Generic;
using System.Text;

namespace FixtureGen
{
    /// <summary>
    /// Deterministic draws of parameters, inputs and targets. Every value is rounded to float32 and then
    /// widened back to double, so a float32 implementation can be given exactly the numbers PyTorch used.
    /// </summary>
    /// <remarks>
    /// Uses <see cref="Random"/> with a seed (its seeded algorithm is fixed across .NET versions), not
    /// libtorch's generator, so the drawn numbers do not depend on the libtorch version; only the
    /// arithmetic is PyTorch's.
    /// </remarks>
    internal sealed class Sampler
    {
        private readonly Random random;

        public Sampler(int seed) => random = new Random(seed);

        /// <summary>A stable seed from a fixture name (FNV-1a), so each fixture regenerates identically.</summary>
        public static int SeedFor(string name)
        {
            uint hash = 2166136261;
            foreach (byte b in Encoding.UTF8.GetBytes(name)) hash = (hash ^ b) * 16777619;
            return (int)(hash & 0x7fffffff);
        }

        /// <summary>U(low, high), rounded to float32.</summary>
        public double Uniform(double low, double high) => (float)(low + (high - low) * random.NextDouble());

        /// <summary>N(0, 1) by Box-Muller, rounded to float32.</summary>
        public double Normal()
        {
            double u1 = 1.0 - random.NextDouble(); // (0, 1]
            double u2 = random.NextDouble();
            return (float)(Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2));
        }

        public int Integer(int exclusiveMax) => random.Next(exclusiveMax);

        public double[] Uniform(int count, double low, double high)
        {
            var values = new double[count];
            for (int i = 0; i < values.Length; i++) values[i] = Uniform(low, high);
            return values;
        }

        /// <summary>
        /// Half-width of the uniform parameter distribution: PyTorch's default 1/sqrt(H), widened to 0.6
        /// for small models (H &lt; 16) so the nonlinearities are exercised well away from their linear region.
        /// </summary>
        public static double ParameterBound(int hidden) => hidden < 16 ? Math.Max(0.6, 1.0 / Math.Sqrt(hidden)) : 1.0 / Math.Sqrt(hidden);

        /// <summary>Draws every parameter of <paramref name="spec"/> in canonical order.</summary>
        public OrderedDictionary<string, TensorData> Parameters(ModelSpec spec)
        {
            double bound = ParameterBound(spec.Hidden);
            var result = new OrderedDictionary<string, TensorData>(StringComparer.Ordinal);
            foreach (var (name, shape) in spec.ParameterShapes())
            {
                int count = 1;
                foreach (int d in shape) count *= d;
                var values = new double[count];
                for (int i = 0; i < count; i++)
                    values[i] = name == "embedding.weight" ? Normal() : Uniform(-bound, bound);
                result.Add(name, new TensorData(shape, values));
            }
            return result;
        }

        /// <summary>Inputs U(-2, 2), <c>steps * input</c> values, step-major.</summary>
        public double[] Inputs(ModelSpec spec) => Uniform(spec.Steps * spec.Input, -2.0, 2.0);

        public long[] Tokens(ModelSpec spec)
        {
            var tokens = new long[spec.Steps];
            for (int i = 0; i < tokens.Length; i++) tokens[i] = Integer(spec.Vocabulary);
            return tokens;
        }

        /// <summary>Regression targets inside the range of the head's activation.</summary>
        public double[] RegressionTargets(ModelSpec spec)
        {
            bool unit = spec.Output > 0 && (spec.OutputActivation is HeadActivation.Sigmoid or HeadActivation.Softmax);
            return Uniform(spec.Rows * spec.Width, unit ? 0.0 : -1.0, 1.0);
        }

        /// <summary>Binary targets, 0 or 1.</summary>
        public double[] BinaryTargets(ModelSpec spec)
        {
            var targets = new double[spec.Rows * spec.Width];
            for (int i = 0; i < targets.Length; i++) targets[i] = Integer(2);
            return targets;
        }

        /// <summary>One class per output row; with more than two rows, one row (not the first) is ignored.</summary>
        public long[] Classes(ModelSpec spec, int ignoreIndex)
        {
            var classes = new long[spec.Rows];
            for (int i = 0; i < classes.Length; i++) classes[i] = Integer(spec.Width);
            if (classes.Length > 2) classes[1 + Integer(classes.Length - 1)] = ignoreIndex;
            return classes;
        }
    }
}
