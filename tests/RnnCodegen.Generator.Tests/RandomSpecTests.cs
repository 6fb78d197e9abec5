using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using RnnCodegen.Tests;
using Xunit;

namespace RnnCodegen.Generator.Tests
{
    /// <summary>
    /// Random specs (seeded): each is generated, compiled, loaded and run on random parameters and inputs, and must agree
    /// with the independent double-precision reference to 1e-5 (relative above 1), streaming and sequence alike.
    /// </summary>
    public class RandomSpecTests
    {
        public static IEnumerable<object[]> Specs()
        {
            var random = new Random(2024);
            string[] heads = { "Identity", "Sigmoid", "Tanh", "Softmax" };
            for (int i = 0; i < 24; i++)
            {
                int cell = random.Next(3);
                string attribute = cell == 0 ? "RnnModel" : cell == 1 ? "LstmModel" : "GruModel";
                int input = random.Next(1, 7), hidden = random.Next(1, 40), layers = random.Next(1, 4);
                int output = random.Next(4) == 0 ? 0 : random.Next(1, 6);
                string head = output == 0 ? "Identity" : heads[random.Next(output >= 2 ? 4 : 3)];
                var extras = new List<string>();
                if (cell == 0 && random.Next(2) == 0) extras.Add("Activation = Activation.Relu");
                if (cell == 1 && random.Next(3) == 0) extras.Add("Peephole = true");
                if (cell == 2 && random.Next(3) == 0) extras.Add("ResetAfter = false");
                if (random.Next(3) == 0) extras.Add("OutputMode = OutputMode.Last");
                if (random.Next(4) == 0) extras.Add("Vocabulary = " + random.Next(2, 30));
                if (random.Next(2) == 0) extras.Add("SequenceLength = 16");
                string spec = attribute + "(Input = " + input + ", Hidden = " + hidden + ", Layers = " + layers + ", Output = " + output +
                    ", OutputActivation = OutputActivation." + head + (extras.Count > 0 ? ", " + string.Join(", ", extras) : "") + ")";
                yield return new object[] { spec, i };
            }
        }

        [Theory]
        [MemberData(nameof(Specs))]
        public void GeneratedModelAgreesWithTheReference(string spec, int seed)
        {
            bool tokens = spec.Contains("Vocabulary", StringComparison.Ordinal);
            string source = "using System;\nusing RnnCodegen;\n[" + spec + "] public partial class M { }\n" +
                "public static class Runner\n{\n" +
                (tokens
                    ? "    public static void Forward(M m, int[] x, float[] y) => m.Forward(x, y);\n    public static void Step(M m, int x, float[] y) => m.Step(x, y);\n"
                    : "    public static void Forward(M m, float[] x, float[] y) => m.Forward(x, y);\n    public static void Step(M m, float[] x, float[] y) => m.Step(x, y);\n") +
                "}\n";
            var run = TestHelpers.Run(source);
            Assert.Empty(run.GeneratorDiagnostics);
            var assembly = TestHelpers.Load(run.Output);
            var model = (IRecurrentModel)Activator.CreateInstance(assembly.GetType("M")!)!;
            var runner = assembly.GetType("Runner")!;
            var d = model.Description;
            var random = new Random(seed);
            var p = new float[model.ParameterCount];
            for (int i = 0; i < p.Length; i++) p[i] = (float)(random.NextDouble() * 1.2 - 0.6);
            model.SetParameters(p);

            int steps = 6, width = d.OutputWidth, rows = d.OutputMode == OutputMode.Last ? 1 : steps;
            var outputs = new float[rows * width];
            var reference = new Reference(model);
            List<double[]> expected;
            var row = new float[width];
            if (tokens)
            {
                var ids = Enumerable.Range(0, steps).Select(_ => random.Next(d.Vocabulary)).ToArray();
                runner.GetMethod("Forward")!.Invoke(null, new object[] { model, ids, outputs });
                expected = reference.RunTokens(ids);
                model.ResetState();
                foreach (int id in ids) runner.GetMethod("Step")!.Invoke(null, new object[] { model, id, row });
            }
            else
            {
                var x = Enumerable.Range(0, steps * d.InputSize).Select(_ => (float)(random.NextDouble() * 4 - 2)).ToArray();
                runner.GetMethod("Forward")!.Invoke(null, new object[] { model, x, outputs });
                expected = reference.Run(Enumerable.Range(0, steps).Select(t => x.Skip(t * d.InputSize).Take(d.InputSize).Select(v => (double)v).ToArray()).ToList());
                model.ResetState();
                for (int t = 0; t < steps; t++) runner.GetMethod("Step")!.Invoke(null, new object[] { model, x.Skip(t * d.InputSize).Take(d.InputSize).ToArray(), row });
            }
            var flat = expected.SelectMany(r => r).ToArray();
            for (int i = 0; i < flat.Length; i++) Assert.True(Math.Abs(flat[i] - outputs[i]) <= 1e-5 * Math.Max(1, Math.Abs(flat[i])), $"{spec}: output {i} expected {flat[i]:R}, got {outputs[i]:R}");
            // The streaming state after the same steps is the reference's final state.
            var state = new float[model.StateSize];
            model.CopyState(state);
            var expectedState = d.Cell == CellKind.Lstm ? reference.FinalH.Concat(reference.FinalC).ToArray() : reference.FinalH;
            for (int i = 0; i < state.Length; i++) Assert.True(Math.Abs(expectedState[i] - state[i]) <= 1e-5 * Math.Max(1, Math.Abs(expectedState[i])), $"{spec}: state {i} expected {expectedState[i]:R}, got {state[i]:R}");
        }
    }
}
