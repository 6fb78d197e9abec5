using System;

namespace RnnCodegen.Benchmarks
{
    /// <summary>Deterministic inputs and targets: smooth sine-like signals in [-1, 1], the same for every implementation.</summary>
    public static class TestData
    {
        /// <summary><paramref name="steps"/> rows of <paramref name="features"/> values.</summary>
        public static float[] Inputs(int steps, int features, int seed)
        {
            var x = new float[steps * features];
            for (int t = 0; t < steps; t++)
                for (int k = 0; k < features; k++)
                    x[t * features + k] = (float)(0.8 * Math.Sin(0.3 * t + 0.7 * k + 1.3 * seed) + 0.1 * Math.Cos(1.7 * t + k));
            return x;
        }

        /// <summary>One target row per input row: a phase-shifted version of the first input feature.</summary>
        public static float[] Targets(float[] inputs, int features, int outputs)
        {
            int steps = inputs.Length / features;
            var y = new float[steps * outputs];
            for (int t = 0; t < steps; t++)
                for (int o = 0; o < outputs; o++)
                    y[t * outputs + o] = 0.9f * inputs[((t + 1) % steps) * features] - 0.1f * o;
            return y;
        }
    }
}
