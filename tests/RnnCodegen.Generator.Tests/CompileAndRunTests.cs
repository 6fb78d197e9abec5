using System;
using System.Linq;
using System.Reflection;
using Xunit;

namespace RnnCodegen.Generator.Tests
{
    /// <summary>The emitted code compiles without warnings together with the runtime library, and its constants are PyTorch's.</summary>
    public class CompileAndRunTests
    {
        /// <summary>PyTorch's parameter count, written out independently of the generator.</summary>
        private static long PyTorchCount(int gates, int input, int hidden, int layers, int output, int vocabulary, bool peephole)
        {
            long n = (long)vocabulary * input;
            for (int k = 0; k < layers; k++)
            {
                int inSize = k == 0 ? input : hidden;
                n += gates * hidden * (long)inSize + gates * hidden * (long)hidden + 2L * gates * hidden + (peephole ? 3L * hidden : 0);
            }
            if (output > 0) n += (long)output * hidden + output;
            return n;
        }

        [Theory]
        [InlineData("RnnModel", 1, 1, 32, 1, 0, 0, false, "")]
        [InlineData("RnnModel", 1, 3, 13, 3, 2, 0, false, "Activation = Activation.Relu")]
        [InlineData("LstmModel", 4, 1, 32, 1, 1, 0, false, "")]
        [InlineData("LstmModel", 4, 8, 8, 4, 1, 0, false, "")]
        [InlineData("LstmModel", 4, 2, 5, 2, 1, 0, true, "Peephole = true")]
        [InlineData("GruModel", 3, 1, 33, 1, 1, 0, false, "")]
        [InlineData("GruModel", 3, 4, 13, 2, 0, 0, false, "ResetAfter = false")]
        [InlineData("LstmModel", 4, 16, 64, 1, 11, 11, false, "")]
        [InlineData("RnnModel", 1, 32, 32, 1, 1, 10000, false, "")]
        public void ParameterCountIsPyTorchs(string attribute, int gates, int input, int hidden, int layers, int output, int vocabulary, bool peephole, string extra)
        {
            string source = "using RnnCodegen;\nnamespace Demo { [" + attribute + "(Input = " + input + ", Hidden = " + hidden + ", Layers = " + layers + ", Output = " + output +
                ", Vocabulary = " + vocabulary + (extra.Length > 0 ? ", " + extra : "") + ")] public partial class M { } }";
            var run = TestHelpers.Run(source);
            Assert.Empty(run.GeneratorDiagnostics);
            var type = TestHelpers.Load(run.Output).GetType("Demo.M")!;
            long expected = PyTorchCount(gates, input, hidden, layers, output, vocabulary, peephole);
            Assert.Equal(expected, (int)type.GetField("ParameterCount")!.GetRawConstantValue()!);
            Assert.Equal(input, (int)type.GetField("InputSize")!.GetRawConstantValue()!);
            Assert.Equal(hidden, (int)type.GetField("HiddenSize")!.GetRawConstantValue()!);
            Assert.Equal(layers, (int)type.GetField("LayerCount")!.GetRawConstantValue()!);
            Assert.Equal(output, (int)type.GetField("OutputSize")!.GetRawConstantValue()!);

            // The instance agrees with the runtime's canonical layout, tensor by tensor.
            var model = (IRecurrentModel)Activator.CreateInstance(type)!;
            Assert.Equal(expected, model.ParameterCount);
            var canonical = ParameterLayout.Create(model.Description);
            Assert.Equal(canonical.Select(p => p.ToString()), model.ParameterInfos.Select(p => p.ToString()));
            Assert.Equal(canonical.Select(p => p.Offset), model.ParameterInfos.Select(p => p.Offset));
        }

        [Fact]
        public void SkipLocalsInitOnlyWhereUnsafeCodeIsAllowed()
        {
            // [SkipLocalsInit] without AllowUnsafeBlocks is error CS0227: the generator emits it only where unsafe code is
            // allowed (here on Step(float), StepCore and StepSimd128: Hidden 3 pads to one Vector128), and the
            // results are the same either way.
            var with = StepTwice(true, out int withCount);
            var without = StepTwice(false, out int withoutCount);
            Assert.Equal(3, withCount);
            Assert.Equal(0, withoutCount);
            Assert.Equal(without, with);
        }

        private static float[] StepTwice(bool allowUnsafe, out int attributes)
        {
            const string Attribute = "[global::System.Runtime.CompilerServices.SkipLocalsInit]";
            var run = TestHelpers.Run("using RnnCodegen;\n[LstmModel(Input = 1, Hidden = 3, Output = 1, SequenceLength = 4)] public partial class M { }", allowUnsafe: allowUnsafe);
            Assert.Empty(run.GeneratorDiagnostics);
            string source = Assert.Single(run.Sources).Source;
            attributes = (source.Length - source.Replace(Attribute, "").Length) / Attribute.Length;
            var type = TestHelpers.Load(run.Output).GetType("M")!;
            var model = (IRecurrentModel)Activator.CreateInstance(type)!;
            var parameters = new float[model.ParameterCount];
            for (int i = 0; i < parameters.Length; i++) parameters[i] = 0.05f * ((i * 7) % 11 - 5);
            model.SetParameters(parameters);
            var step = type.GetMethod("Step", new[] { typeof(float) })!;
            return new[] { (float)step.Invoke(model, new object[] { 0.5f })!, (float)step.Invoke(model, new object[] { -0.25f })! };
        }

        [Fact]
        public void KerasSentimentExampleCountsBothBiases()
        {
            // Embedding(10000, 32) + RNN(32 -> 32) + Dense(1): 320000 + 2112 + 33 = 322145 (Keras' summary, with one bias, shows 322113).
            var run = TestHelpers.Run("using RnnCodegen;\n[RnnModel(Vocabulary = 10000, Input = 32, Hidden = 32, Output = 1, OutputActivation = OutputActivation.Sigmoid, OutputMode = OutputMode.Last, Loss = Loss.BinaryCrossEntropy, Optimizer = Optimizer.RmsProp)] public partial class Sentiment { }");
            var type = TestHelpers.Load(run.Output).GetType("Sentiment")!;
            Assert.Equal(322145, (int)type.GetField("ParameterCount")!.GetRawConstantValue()!);
        }

        [Fact]
        public void EnumValuedPropertiesResolveUnqualifiedInsideTheModel()
        {
            // Generated members must not hide the enums used in the attribute's own arguments.
            var run = TestHelpers.Run("""
                using RnnCodegen;
                namespace Demo
                {
                    [RnnModel(Input = 2, Hidden = 4, Output = 3, Activation = Activation.Relu, OutputActivation = OutputActivation.Softmax,
                        OutputMode = OutputMode.Last, Loss = Loss.CrossEntropy, Optimizer = Optimizer.RmsProp, SequenceLength = 8)]
                    public partial class M
                    {
                        public static Initialization DefaultScheme => Initialization.XavierUniform;
                    }
                }
                """);
            Assert.Empty(run.GeneratorDiagnostics);
            Assert.Empty(run.CompilationDiagnostics.Where(d => d.Severity >= Microsoft.CodeAnalysis.DiagnosticSeverity.Warning));
            var names = TestHelpers.Load(run.Output).GetType("Demo.M")!.GetMembers(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static).Select(m => m.Name).ToHashSet();
            foreach (string reserved in new[] { "Loss", "Optimizer", "Activation", "OutputActivation", "OutputMode", "Initialization" }) Assert.DoesNotContain(reserved, names);
        }

        [Fact]
        public void GeneratedModelRunsInTheLoadedAssembly()
        {
            var run = TestHelpers.Run("using RnnCodegen;\n[GruModel(Input = 2, Hidden = 3, Output = 1)] public partial class M { }");
            var model = (IRecurrentModel)Activator.CreateInstance(TestHelpers.Load(run.Output).GetType("M")!)!;
            var forward = model.GetType().GetMethod("Forward", new[] { typeof(ReadOnlySpan<float>), typeof(Span<float>) });
            Assert.NotNull(forward);
            // Every parameter starts inside PyTorch's default bound 1/sqrt(3), and not all zero.
            var parameters = new float[model.ParameterCount];
            model.CopyParameters(parameters);
            Assert.All(parameters, p => Assert.InRange(p, -1 / MathF.Sqrt(3), 1 / MathF.Sqrt(3)));
            Assert.Contains(parameters, p => p != 0);
        }
    }
}
