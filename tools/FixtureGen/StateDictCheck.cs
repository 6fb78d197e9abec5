using System;
using System.Collections.Generic;
using System.IO;
using System.Text.Json;
using static TorchSharp.torch;

namespace FixtureGen
{
    /// <summary>
    /// <c>--check-state-dict FILE.json --fixture FIXTURE.json</c>: loads a state_dict JSON (canonical names,
    /// nested lists) into the PyTorch model of the fixture's spec, runs the fixture's inputs and compares the
    /// outputs (and the final h and c) with the fixture's. Exit code 0 when every |difference| &lt;= 1e-5,
    /// 1 when one is larger, 2 when the files do not fit together.
    /// </summary>
    internal static class StateDictCheck
    {
        public const double Tolerance = 1e-5;

        public static int Run(string stateDictPath, string fixturePath)
        {
            using var fixture = JsonDocument.Parse(File.ReadAllBytes(fixturePath));
            using var stateDict = JsonDocument.Parse(File.ReadAllBytes(stateDictPath));
            JsonElement root = fixture.RootElement;
            ModelSpec spec = ReadSpec(root);
            var values = ReadTensors(stateDict.RootElement);
            double[]? inputs = spec.Vocabulary > 0 ? null : ReadDoubles(root.GetProperty("inputs"));
            long[]? tokens = spec.Vocabulary > 0 ? ReadLongs(root.GetProperty("tokens")) : null;
            double[] expected = ReadDoubles(root.GetProperty("outputs"));

            TorchModel model;
            try
            {
                model = TorchModel.Create(spec, values);
            }
            catch (ArgumentException e)
            {
                Console.Error.WriteLine(e.Message);
                return 2;
            }
            Console.WriteLine($"{spec.Name}: loaded {values.Count} tensors from {stateDictPath} into "
                + (model.UsesTorchModule ? $"nn.{spec.Cell.ToString().ToUpperInvariant()} (load_state_dict)" : "the manual cell"));

            ForwardResult forward;
            using (no_grad()) forward = model.Forward(inputs, tokens);
            double[] actual = TorchModel.ToArray(forward.Outputs);
            if (actual.Length != expected.Length)
            {
                Console.Error.WriteLine($"the fixture has {expected.Length} outputs, the model produced {actual.Length}");
                return 2;
            }
            double worst = MaxDifference(actual, expected);
            Console.WriteLine($"outputs: max abs difference {worst:G6}");
            if (root.TryGetProperty("finalH", out var finalH))
            {
                double d = MaxDifference(TorchModel.ToArray(forward.FinalH), ReadDoubles(finalH));
                Console.WriteLine($"finalH:  max abs difference {d:G6}");
                worst = Math.Max(worst, d);
            }
            if (forward.FinalC is not null && root.TryGetProperty("finalC", out var finalC))
            {
                double d = MaxDifference(TorchModel.ToArray(forward.FinalC), ReadDoubles(finalC));
                Console.WriteLine($"finalC:  max abs difference {d:G6}");
                worst = Math.Max(worst, d);
            }
            bool pass = worst <= Tolerance;
            Console.WriteLine($"{(pass ? "PASS" : "FAIL")}: max abs difference {worst:G6} (tolerance {Tolerance:G3})");
            return pass ? 0 : 1;
        }

        private static double MaxDifference(double[] a, double[] b)
        {
            double max = 0;
            for (int i = 0; i < a.Length; i++)
            {
                double d = Math.Abs(a[i] - b[i]);
                if (!(d <= max)) max = d; // NaN counts as the worst
            }
            return max;
        }

        public static ModelSpec ReadSpec(JsonElement root)
        {
            var spec = new ModelSpec
            {
                Name = root.TryGetProperty("name", out var n) ? n.GetString() ?? "" : "",
                Cell = Enum.Parse<CellKind>(root.GetProperty("cell").GetString()!),
                Activation = Enum.Parse<RnnActivation>(root.GetProperty("activation").GetString()!),
                Peephole = root.GetProperty("peephole").GetBoolean(),
                ResetAfter = root.GetProperty("resetAfter").GetBoolean(),
                Input = root.GetProperty("input").GetInt32(),
                Hidden = root.GetProperty("hidden").GetInt32(),
                Layers = root.GetProperty("layers").GetInt32(),
                Output = root.GetProperty("output").GetInt32(),
                OutputActivation = Enum.Parse<HeadActivation>(root.GetProperty("outputActivation").GetString()!),
                OutputMode = Enum.Parse<OutputMode>(root.GetProperty("outputMode").GetString()!),
                Vocabulary = root.GetProperty("vocabulary").GetInt32(),
                Steps = root.GetProperty("steps").GetInt32(),
            };
            spec.Validate();
            return spec;
        }

        /// <summary>An object of 1-D or 2-D nested number lists, in file order.</summary>
        public static OrderedDictionary<string, TensorData> ReadTensors(JsonElement obj)
        {
            var result = new OrderedDictionary<string, TensorData>(StringComparer.Ordinal);
            foreach (var property in obj.EnumerateObject())
            {
                JsonElement value = property.Value;
                if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() == 0)
                    throw new InvalidDataException($"{property.Name}: expected a non-empty array");
                if (value[0].ValueKind == JsonValueKind.Array)
                {
                    int rows = value.GetArrayLength(), columns = value[0].GetArrayLength();
                    var values = new List<double>(rows * columns);
                    foreach (var row in value.EnumerateArray())
                    {
                        double[] r = ReadDoubles(row);
                        if (r.Length != columns) throw new InvalidDataException($"{property.Name}: ragged rows");
                        values.AddRange(r);
                    }
                    result.Add(property.Name, new TensorData(new[] { rows, columns }, values.ToArray()));
                }
                else
                {
                    double[] v = ReadDoubles(value);
                    result.Add(property.Name, new TensorData(new[] { v.Length }, v));
                }
            }
            return result;
        }

        private static double[] ReadDoubles(JsonElement array)
        {
            var values = new double[array.GetArrayLength()];
            int i = 0;
            foreach (var e in array.EnumerateArray()) values[i++] = e.GetDouble();
            return values;
        }

        private static long[] ReadLongs(JsonElement array)
        {
            var values = new long[array.GetArrayLength()];
            int i = 0;
            foreach (var e in array.EnumerateArray()) values[i++] = e.GetInt64();
            return values;
        }
    }
}
