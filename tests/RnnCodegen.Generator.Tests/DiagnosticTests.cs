using System.Linq;
using Xunit;

namespace RnnCodegen.Generator.Tests
{
    /// <summary>Every diagnostic id: its id, severity, the exact message and the source text it points at; no code for a broken class.</summary>
    public class DiagnosticTests
    {
        private static void Expect(string declaration, string id, string message, string locationText, bool emitsCode = false)
        {
            string source = "using RnnCodegen;\nnamespace Demo\n{\n" + declaration + "\n}\n";
            var run = TestHelpers.Run(source);
            var diagnostic = Assert.Single(run.GeneratorDiagnostics);
            Assert.Equal(id, diagnostic.Id);
            Assert.Equal(message, diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(locationText, source.Substring(diagnostic.Location.SourceSpan.Start, diagnostic.Location.SourceSpan.Length));
            Assert.Equal(emitsCode, run.Sources.Length > 0);
            Assert.StartsWith("https://", diagnostic.Descriptor.HelpLinkUri);
        }

        [Fact]
        public void RNN0001_NotPartial() => Expect(
            "[LstmModel(Input = 1, Hidden = 8)] public class M { }",
            "RNN0001", "The model class 'M' must be declared partial", "M");

        [Fact]
        public void RNN0001_ContainingTypeNotPartial() => Expect(
            "public class Outer { [LstmModel(Input = 1, Hidden = 8)] public partial class M { } }",
            "RNN0001", "The model class 'M' must be declared partial, and so must its containing type 'Outer'", "M");

        [Fact]
        public void RNN0002_Generic() => Expect(
            "[GruModel(Input = 1, Hidden = 8)] public partial class M<T> { }",
            "RNN0002", "The model class 'M' is generic; a model must be a non-generic class outside generic types", "M");

        [Fact]
        public void RNN0002_NestedInGeneric() => Expect(
            "public partial class Outer<T> { [GruModel(Input = 1, Hidden = 8)] public partial class M { } }",
            "RNN0002", "The model class 'M' is nested in the generic type 'Outer'; a model must be a non-generic class outside generic types", "M");

        [Theory]
        [InlineData("Hidden = 0", "Hidden = 0 is out of range: it must be 1..1024")]
        [InlineData("Hidden = 1025", "Hidden = 1025 is out of range: it must be 1..1024")]
        [InlineData("Layers = 0", "Layers = 0 is out of range: it must be 1..16")]
        [InlineData("Output = -1", "Output = -1 is out of range: it must be 0..65536")]
        [InlineData("SequenceLength = -5", "SequenceLength = -5 is out of range: it must be 0..100000")]
        [InlineData("Vocabulary = -1", "Vocabulary = -1 is out of range: it must be 0..1000000")]
        public void RNN0003_SizeOutOfRange(string argument, string message) => Expect(
            "[RnnModel(Input = 2, " + (argument.StartsWith("Hidden") ? "" : "Hidden = 4, ") + argument + ")] public partial class M { }",
            "RNN0003", message, argument);

        [Fact]
        public void RNN0003_RequiredInputMissing() => Expect(
            "[LstmModel(Hidden = 8)] public partial class M { }",
            "RNN0003", "Input = 0 is out of range: it must be 1..4096 (it is required)", "LstmModel(Hidden = 8)");

        [Fact]
        public void RNN0004_SoftmaxWithOneOutput() => Expect(
            "[LstmModel(Input = 1, Hidden = 8, Output = 1, OutputActivation = OutputActivation.Softmax)] public partial class M { }",
            "RNN0004", "OutputActivation.Softmax needs Output >= 2, but Output = 1", "Output = 1");

        [Fact]
        public void RNN0005_CrossEntropyWithoutSoftmax() => Expect(
            "[LstmModel(Input = 1, Hidden = 8, Output = 3, Loss = Loss.CrossEntropy)] public partial class M { }",
            "RNN0005", "Loss.CrossEntropy needs OutputActivation = OutputActivation.Softmax, but the head uses OutputActivation.Identity", "Loss = Loss.CrossEntropy");

        [Fact]
        public void RNN0006_BinaryCrossEntropyWithoutSigmoid() => Expect(
            "[GruModel(Input = 1, Hidden = 8, Output = 1, OutputActivation = OutputActivation.Tanh, Loss = Loss.BinaryCrossEntropy)] public partial class M { }",
            "RNN0006", "Loss.BinaryCrossEntropy needs OutputActivation = OutputActivation.Sigmoid, but the head uses OutputActivation.Tanh", "Loss = Loss.BinaryCrossEntropy");

        [Fact]
        public void RNN0007_PeepholeOnGru() => Expect(
            "[GruModel(Input = 1, Hidden = 8, Peephole = true)] public partial class M { }",
            "RNN0007", "Peephole is an LSTM setting; 'M' is a GRU model", "Peephole = true");

        [Fact]
        public void RNN0008_ActivationOnLstm() => Expect(
            "[LstmModel(Input = 1, Hidden = 8, Activation = Activation.Relu)] public partial class M { }",
            "RNN0008", "Activation chooses the vanilla RNN's nonlinearity; 'M' is a LSTM model whose gates have fixed activations", "Activation = Activation.Relu");

        [Fact]
        public void RNN0009_TwoModelAttributes() => Expect(
            "[LstmModel(Input = 1, Hidden = 8)]\n[GruModel(Input = 1, Hidden = 8)] public partial class M { }",
            "RNN0009", "'M' already has [LstmModel]; a class can hold one model, so [GruModel] is not allowed here", "GruModel(Input = 1, Hidden = 8)");

        [Fact]
        public void RNN0010_OutputActivationWithoutHead() => Expect(
            "[RnnModel(Input = 1, Hidden = 8, OutputActivation = OutputActivation.Sigmoid)] public partial class M { }",
            "RNN0010", "OutputActivation.Sigmoid needs a dense head, but Output = 0 (the output is the raw hidden state)", "OutputActivation = OutputActivation.Sigmoid");

        [Fact]
        public void RNN0010_LastModeLossWithoutHead() => Expect(
            "[RnnModel(Input = 1, Hidden = 8, OutputMode = OutputMode.Last, Loss = Loss.BinaryCrossEntropy)] public partial class M { }",
            "RNN0010", "Loss.BinaryCrossEntropy needs a dense head, but Output = 0 (the output is the raw hidden state); with OutputMode.Last and no head the loss would apply to the last hidden state", "Loss = Loss.BinaryCrossEntropy");

        [Theory]
        [InlineData("LearningRate = -0.1", "LearningRate = -0.1 is out of range: it must be a finite number >= 0 (0 = the optimizer's default)")]
        [InlineData("Beta1 = 1.0", "Beta1 = 1 is out of range: it must be in [0, 1)")]
        [InlineData("Beta2 = -0.5", "Beta2 = -0.5 is out of range: it must be in [0, 1)")]
        [InlineData("Epsilon = -1e-8", "Epsilon = -1E-08 is out of range: it must be a finite number > 0 (with 0, a parameter whose gradients have all been 0 becomes NaN)")]
        [InlineData("Epsilon = 0", "Epsilon = 0 is out of range: it must be a finite number > 0 (with 0, a parameter whose gradients have all been 0 becomes NaN)")]
        [InlineData("Epsilon = 1e-50", "Epsilon = 1E-50 is out of range: it must be at least 1.4E-45 (the smallest float; this value would be 0)")]
        [InlineData("Alpha = 1.5", "Alpha = 1.5 is out of range: it must be in [0, 1]")]
        [InlineData("WeightDecay = -1", "WeightDecay = -1 is out of range: it must be a finite number >= 0")]
        // The generated code holds floats: what overflows to infinity, underflows to 0 or rounds to 1 as a float is refused.
        [InlineData("LearningRate = 1e300", "LearningRate = 1E+300 is out of range: it must be at most 3.4028235E+38 (the largest float)")]
        [InlineData("LearningRate = 1e-300", "LearningRate = 1E-300 is out of range: it must be 0 or at least 1.4E-45 (the smallest float; this value would be 0)")]
        [InlineData("Epsilon = 3.5e38", "Epsilon = 3.5E+38 is out of range: it must be at most 3.4028235E+38 (the largest float)")]
        [InlineData("WeightDecay = 1e39", "WeightDecay = 1E+39 is out of range: it must be at most 3.4028235E+38 (the largest float)")]
        [InlineData("Beta2 = 0.99999999999", "Beta2 = 0.99999999999 is out of range: it must be in [0, 1) (as a float it is 1)")]
        public void RNN0011_HyperparameterOutOfRange(string argument, string message) => Expect(
            "[LstmModel(Input = 1, Hidden = 8, " + argument + ")] public partial class M { }",
            "RNN0011", message, argument);

        [Theory]
        [InlineData("ClipNorm = -1.0", "ClipNorm = -1 is out of range: it must be >= 0 (0 turns clipping off)")]
        [InlineData("ClipValue = -0.5", "ClipValue = -0.5 is out of range: it must be >= 0 (0 turns clipping off)")]
        [InlineData("ClipNorm = 1e39", "ClipNorm = 1E+39 is out of range: it must be at most 3.4028235E+38 (the largest float)")]
        [InlineData("ClipValue = 1e-46", "ClipValue = 1E-46 is out of range: it must be 0 or at least 1.4E-45 (the smallest float; this value would be 0)")]
        public void RNN0012_ClipOutOfRange(string argument, string message) => Expect(
            "[LstmModel(Input = 1, Hidden = 8, " + argument + ")] public partial class M { }",
            "RNN0012", message, argument);

        [Theory]
        [InlineData("Dropout = 1.0", "Dropout = 1 is out of range: it must be in [0, 1)")]
        [InlineData("Dropout = -0.1", "Dropout = -0.1 is out of range: it must be in [0, 1)")]
        [InlineData("Dropout = 0.999999999999", "Dropout = 0.999999999999 is out of range: it must be in [0, 1) (as a float it is 1)")]
        public void RNN0013_DropoutOutOfRange(string argument, string message) => Expect(
            "[LstmModel(Input = 1, Hidden = 8, Layers = 2, " + argument + ")] public partial class M { }",
            "RNN0013", message, argument);

        [Fact]
        public void RNN0014_DropoutWithOneLayerIsAWarningAndStillEmits()
        {
            Expect(
                "[LstmModel(Input = 1, Hidden = 8, Dropout = 0.5)] public partial class M { }",
                "RNN0014", "Dropout = 0.5 has no effect: dropout is applied between stacked layers and this model has Layers = 1", "Dropout = 0.5", emitsCode: true);
            var run = TestHelpers.Run("using RnnCodegen;\n[LstmModel(Input = 1, Hidden = 8, Dropout = 0.5)] public partial class M { }");
            Assert.Equal(Microsoft.CodeAnalysis.DiagnosticSeverity.Warning, Assert.Single(run.GeneratorDiagnostics).Severity);
        }

        [Fact]
        public void RNN0011_NesterovWithoutMomentum() => Expect(
            "[LstmModel(Input = 1, Hidden = 8, Optimizer = Optimizer.Momentum, Momentum = 0, Nesterov = true)] public partial class M { }",
            "RNN0011", "Momentum = 0 is out of range: it must be in (0, 1) with Nesterov = true (Nesterov momentum needs a momentum, as in PyTorch)", "Momentum = 0");

        [Theory]
        [InlineData("Optimizer = Optimizer.Adam, Nesterov = true", "Nesterov = true has no effect: Nesterov is a variant of Optimizer.Momentum and this model uses Optimizer.Adam", "Nesterov = true")]
        [InlineData("Optimizer = Optimizer.Sgd, Nesterov = true", "Nesterov = true has no effect: Nesterov is a variant of Optimizer.Momentum and this model uses Optimizer.Sgd", "Nesterov = true")]
        [InlineData("Nesterov = true, Optimizer = Optimizer.RmsProp", "Nesterov = true has no effect: Nesterov is a variant of Optimizer.Momentum and this model uses Optimizer.RmsProp", "Nesterov = true")]
        [InlineData("Alpha = 0.9", "Alpha = 0.9 has no effect: Alpha is RMSprop's smoothing constant and this model uses Optimizer.Adam", "Alpha = 0.9")]
        [InlineData("Optimizer = Optimizer.Momentum, Alpha = 0.99", "Alpha = 0.99 has no effect: Alpha is RMSprop's smoothing constant and this model uses Optimizer.Momentum", "Alpha = 0.99")]
        [InlineData("Optimizer = Optimizer.Sgd, Beta1 = 0.8", "Beta1 = 0.8 has no effect: Beta1 is Adam's first-moment decay and this model uses Optimizer.Sgd", "Beta1 = 0.8")]
        [InlineData("Optimizer = Optimizer.RmsProp, Beta2 = 0.99", "Beta2 = 0.99 has no effect: Beta2 is Adam's second-moment decay and this model uses Optimizer.RmsProp", "Beta2 = 0.99")]
        [InlineData("Optimizer = Optimizer.Sgd, Epsilon = 1e-6", "Epsilon = 1E-06 has no effect: Epsilon is Adam's and RMSprop's denominator term and this model uses Optimizer.Sgd", "Epsilon = 1e-6")]
        [InlineData("Optimizer = Optimizer.Momentum, Epsilon = 1e-6", "Epsilon = 1E-06 has no effect: Epsilon is Adam's and RMSprop's denominator term and this model uses Optimizer.Momentum", "Epsilon = 1e-6")]
        [InlineData("Momentum = 0.5", "Momentum = 0.5 has no effect: Momentum is the momentum factor of Optimizer.Momentum and this model uses Optimizer.Adam", "Momentum = 0.5")]
        [InlineData("Optimizer = Optimizer.RmsProp, Momentum = 0", "Momentum = 0 has no effect: Momentum is the momentum factor of Optimizer.Momentum and this model uses Optimizer.RmsProp", "Momentum = 0")]
        [InlineData("Optimizer = Optimizer.Sgd, DecoupledWeightDecay = true", "DecoupledWeightDecay = true has no effect: DecoupledWeightDecay is Adam's switch to AdamW and this model uses Optimizer.Sgd", "DecoupledWeightDecay = true")]
        [InlineData("IgnoreIndex = 0", "IgnoreIndex = 0 has no effect: IgnoreIndex is the class id that Loss.CrossEntropy skips and this model uses Loss.MeanSquaredError", "IgnoreIndex = 0")]
        [InlineData("Loss = Loss.BinaryCrossEntropy, IgnoreIndex = -100", "IgnoreIndex = -100 has no effect: IgnoreIndex is the class id that Loss.CrossEntropy skips and this model uses Loss.BinaryCrossEntropy", "IgnoreIndex = -100")]
        public void RNN0021_SettingWithoutEffectIsAWarningAndStillEmits(string arguments, string message, string location)
        {
            string declaration = "[LstmModel(Input = 1, Hidden = 8, Output = 2, OutputActivation = OutputActivation.Sigmoid, " + arguments + ")] public partial class M { }";
            Expect(declaration, "RNN0021", message, location, emitsCode: true);
            Assert.Equal(Microsoft.CodeAnalysis.DiagnosticSeverity.Warning, Assert.Single(TestHelpers.Run("using RnnCodegen;\n" + declaration).GeneratorDiagnostics).Severity);
        }

        /// <summary>Settings under the optimizer or loss that uses them, settings every optimizer uses, and switches left off: no diagnostic.</summary>
        [Theory]
        [InlineData("Optimizer = Optimizer.Adam, Beta1 = 0.8, Beta2 = 0.99, Epsilon = 1e-6, WeightDecay = 0.01, DecoupledWeightDecay = true, Nesterov = false")]
        [InlineData("Optimizer = Optimizer.Momentum, Momentum = 0.5, Nesterov = true, DecoupledWeightDecay = false")]
        [InlineData("Optimizer = Optimizer.Momentum, Momentum = 0")]
        [InlineData("Optimizer = Optimizer.RmsProp, Alpha = 0.9, Epsilon = 1e-6")]
        [InlineData("Optimizer = Optimizer.Sgd, LearningRate = 0.1, WeightDecay = 0.1, ClipNorm = 1, ClipValue = 1")]
        [InlineData("OutputActivation = OutputActivation.Softmax, Loss = Loss.CrossEntropy, IgnoreIndex = 0")]
        public void RNN0021_SettingsThatApplyAreSilent(string arguments)
        {
            var run = TestHelpers.Run("using RnnCodegen;\n[LstmModel(Input = 1, Hidden = 8, Output = 2, SequenceLength = 4, " + arguments + ")] public partial class M { }");
            Assert.Empty(run.GeneratorDiagnostics);
            Assert.Single(run.Sources);
            Assert.Empty(run.CompilationDiagnostics.Where(d => d.Severity >= Microsoft.CodeAnalysis.DiagnosticSeverity.Warning));
        }

        [Fact]
        public void RNN0021_OneWarningPerSettingAndNoneForAValueOutOfRange()
        {
            string source = "using RnnCodegen;\n[GruModel(Input = 1, Hidden = 8, Optimizer = Optimizer.Sgd, Beta1 = 0.5, Alpha = 1.5, Nesterov = true)] public partial class M { }";
            var run = TestHelpers.Run(source);
            Assert.Equal(new[] { "RNN0011 Alpha = 1.5", "RNN0021 Beta1 = 0.5", "RNN0021 Nesterov = true" },
                run.GeneratorDiagnostics.Select(d => d.Id + " " + source.Substring(d.Location.SourceSpan.Start, d.Location.SourceSpan.Length)).OrderBy(s => s, System.StringComparer.Ordinal));
            Assert.Empty(run.Sources);
        }

        [Fact]
        public void RNN0009_TheSameAttributeOnTwoPartsIsReportedOnce() => Expect(
            "[LstmModel(Input = 1, Hidden = 8)] public partial class M { }\n[LstmModel(Input = 2, Hidden = 8)] public partial class M { }",
            "RNN0009", "'M' already has [LstmModel]; a class can hold one model, so [LstmModel] is not allowed here", "LstmModel(Input = 2, Hidden = 8)");

        [Theory]
        [InlineData("public const int InputSize = 3;", "The constant 'InputSize' clashes with the constant 'InputSize' that the generator declares in the model class 'M'; rename it", "InputSize")]
        [InlineData("private float[] _parameters = new float[1];", "The field '_parameters' clashes with the field '_parameters' that the generator declares in the model class 'M'; rename it", "_parameters")]
        [InlineData("public sealed class TrainingWorkspace { }", "The nested type 'TrainingWorkspace' clashes with the nested type 'TrainingWorkspace' that the generator declares in the model class 'M'; rename it", "TrainingWorkspace")]
        [InlineData("public int Description() => 1;", "The method 'Description' clashes with the property 'Description' that the generator declares in the model class 'M'; rename it", "Description")]
        [InlineData("public void ResetState() { }", "The method 'ResetState()' clashes with the method 'ResetState()' that the generator declares in the model class 'M'; rename it", "ResetState")]
        [InlineData("public float TrainStep(System.ReadOnlySpan<float> x, System.ReadOnlySpan<float> y) => 0;", "The method 'TrainStep(ReadOnlySpan<float>, ReadOnlySpan<float>)' clashes with the method 'TrainStep(ReadOnlySpan<float>, ReadOnlySpan<float>)' that the generator declares in the model class 'M'; rename it", "TrainStep")]
        [InlineData("public int get_LearningRate() => 1;", "The method 'get_LearningRate' clashes with the getter of the property 'LearningRate' that the generator declares in the model class 'M'; rename it", "get_LearningRate")]
        public void RNN0022_MemberNamedLikeAGeneratedMember(string member, string message, string location) => Expect(
            "[LstmModel(Input = 3, Hidden = 4, SequenceLength = 5)] public partial class M { " + member + " }",
            "RNN0022", message, location);

        [Fact]
        public void RNN0022_BaseClassMember() => Expect(
            "public class Entity { public string Description = \"\"; private int InputSize = 1; public int Use() => InputSize; }\n[LstmModel(Input = 1, Hidden = 8)] public partial class M : Entity { }",
            "RNN0022", "The field 'Description' of the base class 'Entity' clashes with the property 'Description' that the generator declares in the model class 'M'; rename it or derive from another class", "M");

        [Fact]
        public void RNN0022_BaseClassMethodWithAGeneratedSignature() => Expect(
            "public abstract class Entity { public abstract void ResetState(); public void Step(int frames) { } }\n[LstmModel(Input = 1, Hidden = 8)] public partial class M : Entity { }",
            "RNN0022", "The method 'ResetState()' of the base class 'Entity' clashes with the method 'ResetState()' that the generator declares in the model class 'M'; rename it or derive from another class", "M");

        [Fact]
        public void RNN0022_ModelDerivedFromAModel() => Expect(
            "[LstmModel(Input = 1, Hidden = 8)] public partial class Base { }\n[LstmModel(Input = 1, Hidden = 8)] public partial class M : Base { }",
            "RNN0022", "The base class 'Base' clashes with every member that the generator declares in the model class 'M': a model class cannot derive from another model class (a common base class without a model attribute can hold what they share)", "M",
            emitsCode: true); // Base's code

        [Fact]
        public void RNN0022_MethodOverloadsAreAllowed()
        {
            // A method may share a generated method's name with other parameters (an overload), and a base class may have one.
            var run = TestHelpers.Run("""
                using RnnCodegen;
                namespace Demo
                {
                    public class Entity { public void Step(int frames) { } }
                    [LstmModel(Input = 1, Hidden = 8, Output = 1)]
                    public partial class M : Entity
                    {
                        public float Step(double x) => Step((float)x);
                        public void Forward(float[] inputs) { }
                    }
                }
                """);
            Assert.Empty(run.GeneratorDiagnostics);
            Assert.Single(run.Sources);
            var problems = run.CompilationDiagnostics.Where(d => d.Severity >= Microsoft.CodeAnalysis.DiagnosticSeverity.Warning).ToList();
            Assert.True(problems.Count == 0, string.Join("\n", problems));
        }

        [Theory]
        [InlineData(Microsoft.CodeAnalysis.CSharp.LanguageVersion.CSharp7_3, false, "C# 7.3, but the generated code needs C# 9 or later (nuint in the SIMD code for this target); set <LangVersion>9</LangVersion> or later")]
        [InlineData(Microsoft.CodeAnalysis.CSharp.LanguageVersion.CSharp8, false, "C# 8.0, but the generated code needs C# 9 or later (nuint in the SIMD code for this target); set <LangVersion>9</LangVersion> or later")]
        [InlineData(Microsoft.CodeAnalysis.CSharp.LanguageVersion.CSharp7_3, true, "C# 7.3, but the generated code needs C# 8 or later (nullable annotations); set <LangVersion>8</LangVersion> or later")]
        public void RNN0023_LanguageVersionTooOld(Microsoft.CodeAnalysis.CSharp.LanguageVersion version, bool netStandard, string message)
        {
            string source = "using RnnCodegen;\nnamespace Demo\n{\n[LstmModel(Input = 1, Hidden = 8, Output = 1, SequenceLength = 4)] public partial class M { }\n}\n";
            var run = netStandard ? TestHelpers.Run(source, version, NetStandardTests.For(NetStandardTests.Target.NetStandard21)) : TestHelpers.Run(source, version);
            var diagnostic = Assert.Single(run.GeneratorDiagnostics);
            Assert.Equal("RNN0023", diagnostic.Id);
            Assert.Equal("The model class 'M' is compiled as " + message, diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal("LstmModel(Input = 1, Hidden = 8, Output = 1, SequenceLength = 4)", source.Substring(diagnostic.Location.SourceSpan.Start, diagnostic.Location.SourceSpan.Length));
            Assert.Empty(run.Sources);
        }

        [Fact]
        public void CSharp8OnNetStandardCompiles()
        {
            // netstandard2.1's default language version: the scalar code needs nothing newer than nullable annotations.
            var run = TestHelpers.Run("using RnnCodegen;\nnamespace Demo\n{\n[GruModel(Input = 2, Hidden = 8, Layers = 2, Output = 3, OutputActivation = OutputActivation.Softmax, Loss = Loss.CrossEntropy, Dropout = 0.2, SequenceLength = 4)] public partial class M { }\n}\n",
                Microsoft.CodeAnalysis.CSharp.LanguageVersion.CSharp8, NetStandardTests.For(NetStandardTests.Target.NetStandard21));
            Assert.Empty(run.GeneratorDiagnostics);
            Assert.Single(run.Sources);
            // CS1701/CS1702 (netstandard 2.0 against 2.1 unification) are what the SDK ignores too.
            var problems = run.CompilationDiagnostics.Where(d => d.Severity >= Microsoft.CodeAnalysis.DiagnosticSeverity.Warning && d.Id is not ("CS1701" or "CS1702")).ToList();
            Assert.True(problems.Count == 0, string.Join("\n", problems));
        }

        [Fact]
        public void RNN0015_ResetAfterOnLstm() => Expect(
            "[LstmModel(Input = 1, Hidden = 8, ResetAfter = false)] public partial class M { }",
            "RNN0015", "ResetAfter is a GRU setting; 'M' is a LSTM model", "ResetAfter = false");

        [Fact]
        public void RNN0016_TooManyParameters() => Expect(
            "[LstmModel(Input = 8, Hidden = 1024, Layers = 4)] public partial class M { }",
            "RNN0016", "The model would have 29425664 parameters, more than the limit of 16777216", "LstmModel(Input = 8, Hidden = 1024, Layers = 4)");

        [Fact]
        public void RNN0016_TrainingBuffersTooLarge() => Expect(
            "[LstmModel(Input = 1, Hidden = 256, Layers = 2, SequenceLength = 100000)] public partial class M { }",
            "RNN0016", "The model would have 486500000 floats of training buffers (SequenceLength x layers x gates), more than the limit of 67108864", "SequenceLength = 100000");

        [Fact]
        public void RNN0017_StaticClass() => Expect(
            "[RnnModel(Input = 1, Hidden = 8)] public static partial class M { }",
            "RNN0017", "The model class 'M' is static; a model holds parameters and state in instances", "M");

        [Fact]
        public void RNN0018_UndefinedEnumValue() => Expect(
            "[RnnModel(Input = 1, Hidden = 8, Output = 2, OutputActivation = (OutputActivation)7)] public partial class M { }",
            "RNN0018", "OutputActivation = 7 is not a defined value of RnnCodegen.OutputActivation", "OutputActivation = (OutputActivation)7");

        [Fact]
        public async System.Threading.Tasks.Task RNN0019_TrainingWithoutSequenceLength()
        {
            string source = "using RnnCodegen;\nnamespace Demo\n{\n[LstmModel(Input = 1, Hidden = 8, Output = 1)] public partial class M { }\n" +
                "static class Use { static float Go(M m) => m.TrainStep(new float[4], new float[4]); }\n}\n";
            var run = TestHelpers.Run(source);
            Assert.Empty(run.GeneratorDiagnostics);
            var analyzers = System.Collections.Immutable.ImmutableArray.Create<Microsoft.CodeAnalysis.Diagnostics.DiagnosticAnalyzer>(new TrainingWithoutSequenceLengthAnalyzer());
            var diagnostics = await new Microsoft.CodeAnalysis.Diagnostics.CompilationWithAnalyzers(run.Output, analyzers, new Microsoft.CodeAnalysis.Diagnostics.AnalyzerOptions(System.Collections.Immutable.ImmutableArray<Microsoft.CodeAnalysis.AdditionalText>.Empty))
                .GetAnalyzerDiagnosticsAsync();
            var diagnostic = Assert.Single(diagnostics);
            Assert.Equal("RNN0019", diagnostic.Id);
            Assert.Equal("'TrainStep' is a training member, but 'M' is declared without SequenceLength, so only inference was generated; add SequenceLength = <longest training sequence> to [LstmModel]", diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal("TrainStep", source.Substring(diagnostic.Location.SourceSpan.Start, diagnostic.Location.SourceSpan.Length));
            // The compiler's own error is still there; ours explains it.
            Assert.Contains(run.CompilationDiagnostics, d => d.Id == "CS1061");

            // With SequenceLength the member exists and nothing is reported.
            var ok = TestHelpers.Run(source.Replace("Output = 1)", "Output = 1, SequenceLength = 4)"));
            Assert.Empty(ok.CompilationDiagnostics.Where(d => d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error));
            Assert.Empty(await new Microsoft.CodeAnalysis.Diagnostics.CompilationWithAnalyzers(ok.Output, analyzers, new Microsoft.CodeAnalysis.Diagnostics.AnalyzerOptions(System.Collections.Immutable.ImmutableArray<Microsoft.CodeAnalysis.AdditionalText>.Empty)).GetAnalyzerDiagnosticsAsync());
        }

        /// <summary>
        /// An argument that does not compile: the compiler's error alone, no RNN diagnostic about a value the user never wrote
        /// (it used to say "Hidden = 0 is out of range"), and no code for the class.
        /// </summary>
        [Theory]
        [InlineData("Input = 1, Hidden = Undefined.Value", "CS0103", "Undefined")]
        [InlineData("Input = 1, Hidden = \"x\"", "CS0029", "\"x\"")]
        [InlineData("1, 2", "CS1729", "LstmModel(1, 2)")]
        // Errors that still leave a value behind: 2.5 reads as 2, Loss = 2 as Loss.CrossEntropy (RNN0010 without a head).
        [InlineData("Input = 1, Hidden = 2.5", "CS0266", "2.5")]
        [InlineData("Input = 1, Hidden = 2, Loss = 2", "CS0266", "2")]
        [InlineData("Input = 1, Hidden = 2, Foo = 3", "CS0246", "Foo")]
        public void ArgumentThatDoesNotCompileGetsOnlyTheCompilersError(string arguments, string id, string locationText)
        {
            string source = "using RnnCodegen;\nnamespace Demo\n{\n[LstmModel(" + arguments + ")] public partial class M { }\n}\n";
            var run = TestHelpers.Run(source);
            Assert.Empty(run.GeneratorDiagnostics);
            Assert.Empty(run.Sources);
            var error = Assert.Single(run.CompilationDiagnostics, d => d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error);
            Assert.Equal(id, error.Id);
            Assert.Equal(locationText, source.Substring(error.Location.SourceSpan.Start, error.Location.SourceSpan.Length));
            // Exactly what the compiler reports without the generator.
            Assert.Equal(
                TestHelpers.Compile(source).GetDiagnostics().Select(d => d.ToString()),
                run.CompilationDiagnostics.Select(d => d.ToString()));
        }

        [Fact]
        public void EveryDescriptorIsTrackedInTheReleaseFile()
        {
            string unshipped = System.IO.File.ReadAllText(System.IO.Path.Combine(RepoRoot(), "generator", "RnnCodegen.Generator", "AnalyzerReleases.Unshipped.md"));
            var ids = Descriptors().Select(d => d.Id).ToList();
            Assert.Equal(24, ids.Count);
            foreach (var id in ids) Assert.Contains(id + " |", unshipped);
        }

        /// <summary>Every descriptor of the catalogue (its public static fields).</summary>
        internal static System.Collections.Generic.List<Microsoft.CodeAnalysis.DiagnosticDescriptor> Descriptors() =>
            typeof(RnnModelGenerator).Assembly.GetType("RnnCodegen.Generator.Diagnostics.DiagnosticDescriptors")!
                .GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)
                .Select(f => (Microsoft.CodeAnalysis.DiagnosticDescriptor)f.GetValue(null)!)
                .ToList();

        internal static string RepoRoot()
        {
            var dir = new System.IO.DirectoryInfo(System.AppContext.BaseDirectory);
            while (dir is not null && !System.IO.File.Exists(System.IO.Path.Combine(dir.FullName, "RnnCodegen.sln"))) dir = dir.Parent;
            return dir?.FullName ?? throw new System.InvalidOperationException("RnnCodegen.sln not found above " + System.AppContext.BaseDirectory);
        }
    }
}
