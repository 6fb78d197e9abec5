// Consumer check, compiled by tools/consumer-test.sh into fresh projects that reference the RnnCodegen package by version.
// Loads the PyTorch fixtures into the SineLstm generated in the consumer's build, runs Forward/Step and one TrainStep, and
// compares with PyTorch's numbers. Prints PASS or FAIL; the exit code is non-zero on failure.
using System;
using System.Collections.Generic;
using System.IO;
using System.Text.Json;
using RnnCodegen;

namespace Consumer
{
    internal static class Program
    {
        private static int s_failures;
        private static string s_label = "";

        private static int Main(string[] args)
        {
            if (args.Length != 4)
            {
                Console.Error.WriteLine("usage: App LABEL INFERENCE.json TRAINING.json EXPECTED_SIMD_PATH|*");
                return 2;
            }
            s_label = args[0];
            try
            {
                Console.WriteLine("[" + s_label + "] " + System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription +
                    ", Vector128.IsHardwareAccelerated = " + System.Runtime.Intrinsics.Vector128.IsHardwareAccelerated +
                    ", SineLstm.SimdPath = " + SineLstm.SimdPath + ", ParameterCount = " + SineLstm.ParameterCount);
                if (args[3] != "*") Check("SimdPath", SineLstm.SimdPath == args[3], "expected " + args[3] + ", got " + SineLstm.SimdPath);
                Inference(args[1]);
                Training(args[2]);
            }
            catch (Exception ex)
            {
                Fail("unexpected " + ex);
            }
            Console.WriteLine("[" + s_label + "] " + (s_failures == 0 ? "PASS" : "FAIL (" + s_failures + " failed checks)"));
            return s_failures == 0 ? 0 : 1;
        }

        private static void Inference(string path)
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
            var root = doc.RootElement;
            var model = new SineLstm();
            LoadStateDict(model, root.GetProperty("stateDict"));
            float[] inputs = Flatten(root.GetProperty("inputs"));
            double[] expected = Doubles(root.GetProperty("outputs"));

            var outputs = new float[expected.Length];
            model.Forward(inputs, outputs);
            Compare("Forward outputs (" + expected.Length + " steps) vs PyTorch", outputs, expected, 1e-5);

            model.ResetState();
            var streamed = new float[inputs.Length];
            for (int t = 0; t < inputs.Length; t++) streamed[t] = model.Step(inputs[t]);
            Compare("Step(float) outputs vs PyTorch", streamed, expected, 1e-5);

            var state = new float[SineLstm.StateSize];
            model.CopyState(state);
            var expectedState = new List<double>(Doubles(root.GetProperty("finalH")));
            expectedState.AddRange(Doubles(root.GetProperty("finalC")));
            Compare("final (h, c) vs PyTorch", state, expectedState.ToArray(), 1e-5);
        }

        private static void Training(string path)
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
            var root = doc.RootElement;
            Check("fixture optimizer", root.GetProperty("optimizer").GetString() == "Adam", "the training fixture is not Adam");
            var model = new SineLstm();
            LoadStateDict(model, root.GetProperty("stateDict"));
            model.LearningRate = (float)root.GetProperty("learningRate").GetDouble();
            model.Beta1 = (float)root.GetProperty("beta1").GetDouble();
            model.Beta2 = (float)root.GetProperty("beta2").GetDouble();
            model.Epsilon = (float)root.GetProperty("epsilon").GetDouble();
            float[] inputs = Flatten(root.GetProperty("inputs"));
            float[] targets = Flatten(root.GetProperty("targets"));

            float loss = model.TrainStep(inputs, targets);
            double expectedLoss = root.GetProperty("lossValue").GetDouble();
            Check("TrainStep loss " + loss.ToString("R") + " vs PyTorch " + expectedLoss.ToString("R"), Math.Abs(loss - expectedLoss) <= 1e-5 * Math.Max(1, Math.Abs(expectedLoss)),
                "loss " + loss.ToString("R") + ", PyTorch " + expectedLoss.ToString("R"));

            // Parameters after one Adam step: 1e-6 (relative above 1); entries whose gradient is within 100 eps of zero get 1e-4,
            // because Adam's g / (|g| + eps) amplifies the float gradient's rounding there (see tests/RnnCodegen.Tests/PyTorchFixtureTests.cs).
            double eps = root.GetProperty("epsilon").GetDouble();
            var after1 = root.GetProperty("after1");
            var gradients = root.GetProperty("gradients");
            int checkedValues = 0, bad = 0;
            double worst = 0;
            foreach (var info in SineLstm.ParameterInfos)
            {
                float[] expected = Flatten(after1.GetProperty(info.Name));
                float[] g = Flatten(gradients.GetProperty(info.Name));
                var actual = new float[info.Length];
                model.CopyParameter(info.Name, actual);
                for (int i = 0; i < actual.Length; i++)
                {
                    double error = Math.Abs(actual[i] - expected[i]);
                    double tolerance = Math.Abs(g[i]) < 100 * eps ? 1e-4 : 1e-6 * Math.Max(1, Math.Abs(expected[i]));
                    worst = Math.Max(worst, error);
                    checkedValues++;
                    if (error > tolerance && bad++ < 5) Console.WriteLine("  " + info.Name + "[" + i + "] " + actual[i].ToString("R") + ", PyTorch " + expected[i].ToString("R"));
                }
            }
            Check("parameters after one TrainStep (" + checkedValues + " values, max abs error " + worst.ToString("E2") + ") vs PyTorch", bad == 0, bad + " values out of tolerance");
        }

        /// <summary>Loads the fixture's "stateDict" object through the runtime library's state_dict reader.</summary>
        private static void LoadStateDict(IRecurrentModel model, JsonElement stateDict)
        {
            using var stream = new MemoryStream();
            using (var writer = new Utf8JsonWriter(stream)) stateDict.WriteTo(writer);
            stream.Position = 0;
            model.LoadStateDict(stream);
        }

        private static void Compare(string what, float[] actual, double[] expected, double tolerance)
        {
            if (actual.Length != expected.Length)
            {
                Fail(what + ": " + actual.Length + " values, expected " + expected.Length);
                return;
            }
            double worst = 0;
            int at = -1;
            for (int i = 0; i < actual.Length; i++)
            {
                double error = Math.Abs(actual[i] - expected[i]) / Math.Max(1, Math.Abs(expected[i]));
                if (!(error <= worst)) { worst = error; at = i; }
            }
            Check(what + " (max error " + worst.ToString("E2") + ")", worst <= tolerance, "at [" + at + "] " + (at >= 0 ? actual[at].ToString("R") + " vs " + expected[at].ToString("R") : ""));
        }

        private static void Check(string what, bool ok, string detail)
        {
            if (ok) Console.WriteLine("  ok   " + what);
            else Fail(what + ": " + detail);
        }

        private static void Fail(string message)
        {
            s_failures++;
            Console.WriteLine("  FAIL " + message);
        }

        private static float[] Flatten(JsonElement tensor)
        {
            var values = new List<float>();
            Walk(tensor, values);
            return values.ToArray();
        }

        private static void Walk(JsonElement e, List<float> values)
        {
            if (e.ValueKind == JsonValueKind.Array) foreach (var item in e.EnumerateArray()) Walk(item, values);
            else values.Add((float)e.GetDouble());
        }

        private static double[] Doubles(JsonElement e)
        {
            var values = new List<double>();
            foreach (var item in e.EnumerateArray()) values.Add(item.GetDouble());
            return values.ToArray();
        }
    }
}
