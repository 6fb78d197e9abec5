using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace RnnCodegen.Generator.Tests
{
    /// <summary>
    /// RNN0020 and the list it relies on: <see cref="GeneratedMembers"/> must name every member the emitters declare in a model
    /// class, or a class named like a new member fails with CS0542 inside the generated file again.
    /// </summary>
    public class GeneratedMembersTests
    {
        /// <summary>Models that between them take every branch of the emitters that declares members.</summary>
        private static readonly string[] Models =
        {
            // LSTM with a head, two layers, training with Adam (AdamW) and clipping.
            "[LstmModel(Input = 2, Hidden = 16, Layers = 2, Output = 3, SequenceLength = 4, Optimizer = Optimizer.Adam, DecoupledWeightDecay = true, ClipNorm = 1)]",
            // Peephole LSTM (no specialised SIMD step).
            "[LstmModel(Input = 2, Hidden = 5, Output = 1, Peephole = true, SequenceLength = 4)]",
            // A GRU as wide as every vector (16 floats) with Nesterov momentum, no head.
            "[GruModel(Input = 3, Hidden = 48, SequenceLength = 4, Optimizer = Optimizer.Momentum, Nesterov = true)]",
            // The original GRU reset gate (no specialised SIMD step).
            "[GruModel(Input = 2, Hidden = 5, Output = 2, SequenceLength = 4, ResetAfter = false)]",
            // Vanilla RNN on tokens, RMSprop, a softmax head with class targets, one output per sequence.
            "[RnnModel(Vocabulary = 10, Input = 4, Hidden = 8, Output = 10, OutputActivation = OutputActivation.Softmax, Loss = Loss.CrossEntropy, OutputMode = OutputMode.Last, SequenceLength = 4, Optimizer = Optimizer.RmsProp)]",
            // Three stacked layers with dropout, plain SGD, a sigmoid head.
            "[LstmModel(Input = 3, Hidden = 64, Layers = 3, Dropout = 0.2, Output = 1, OutputActivation = OutputActivation.Sigmoid, Loss = Loss.BinaryCrossEntropy, SequenceLength = 4, Optimizer = Optimizer.Sgd)]",
            // Wide stacked layers, inference only.
            "[GruModel(Input = 1, Hidden = 200, Layers = 2, Output = 1)]",
            // Token inputs with float targets, and float inputs with class targets (the other two training signatures).
            "[RnnModel(Vocabulary = 12, Input = 4, Hidden = 6, Output = 1, OutputActivation = OutputActivation.Sigmoid, OutputMode = OutputMode.Last, Loss = Loss.BinaryCrossEntropy, SequenceLength = 4)]",
            "[GruModel(Input = 3, Hidden = 16, Output = 3, OutputActivation = OutputActivation.Softmax, Loss = Loss.CrossEntropy, SequenceLength = 4)]",
            // The smallest model (float Step(float)).
            "[RnnModel(Input = 1, Hidden = 1, Output = 1, SequenceLength = 2)]",
        };

        public static TheoryData<string, bool> Cases()
        {
            var data = new TheoryData<string, bool>();
            foreach (string model in Models)
            {
                data.Add(model, false);
                data.Add(model, true);
            }
            return data;
        }

        /// <summary>What <see cref="GeneratedMembers.Describe"/> must say about a generated member.</summary>
        private static string Expected(ISymbol member) => member switch
        {
            IFieldSymbol { IsConst: true } => "the constant '" + member.Name + "'",
            IFieldSymbol => "the field '" + member.Name + "'",
            IPropertySymbol => "the property '" + member.Name + "'",
            IMethodSymbol { MethodKind: MethodKind.PropertyGet } m => "the getter of the property '" + m.AssociatedSymbol!.Name + "'",
            IMethodSymbol { MethodKind: MethodKind.PropertySet } m => "the setter of the property '" + m.AssociatedSymbol!.Name + "'",
            IMethodSymbol => "the method '" + member.Name + "'",
            INamedTypeSymbol => "the nested type '" + member.Name + "'",
            _ => member.Kind + " '" + member.Name + "'",
        };

        /// <summary>Every member the generated code declares, with its description (constructors and explicit interface implementations cannot clash).</summary>
        /// <summary>The model class <c>M</c> with the generated code, compiled for .NET or (C# 9) netstandard2.0.</summary>
        private static INamedTypeSymbol GeneratedType(string model, bool netStandard)
        {
            string source = "using RnnCodegen;\n" + model + " public partial class M { }\n";
            var run = netStandard
                ? TestHelpers.Run(source, LanguageVersion.CSharp9, NetStandardTests.For(NetStandardTests.Target.NetStandard20))
                : TestHelpers.Run(source);
            Assert.Empty(run.GeneratorDiagnostics);
            Assert.Empty(run.CompilationDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error));
            return run.Output.GetTypeByMetadataName("M")!;
        }

        private static List<(string Name, string Description)> GeneratedMembersOf(string model, bool netStandard)
        {
            var members = GeneratedType(model, netStandard).GetMembers()
                .Where(m => !m.IsImplicitlyDeclared && m.CanBeReferencedByName || m is IMethodSymbol { MethodKind: MethodKind.PropertyGet or MethodKind.PropertySet } && !m.Name.Contains('.'))
                .Where(m => m is not IMethodSymbol { MethodKind: MethodKind.Constructor or MethodKind.StaticConstructor })
                .Select(m => (m.Name, Expected(m)))
                .ToList();
            Assert.True(members.Count > 20, "expected the generated members of " + model);
            return members;
        }

        [Theory]
        [MemberData(nameof(Cases))]
        public void EveryGeneratedMemberIsInTheList(string model, bool netStandard)
        {
            foreach (var (name, description) in GeneratedMembersOf(model, netStandard))
            {
                Assert.True(GeneratedMembers.Describe(name) == description,
                    "the generator declares " + description + " in " + model + ", but GeneratedMembers.Describe says " + (GeneratedMembers.Describe(name) ?? "nothing") + "; add it to GeneratedMembers.cs");
            }
        }

        /// <summary>Every method signature the generated code declares (explicit interface implementations cannot clash).</summary>
        private static List<string> GeneratedSignaturesOf(string model, bool netStandard) =>
            GeneratedType(model, netStandard).GetMembers().OfType<IMethodSymbol>()
                .Where(m => m.MethodKind == MethodKind.Ordinary && !m.IsImplicitlyDeclared && m.CanBeReferencedByName)
                .Select(GeneratedMembers.Signature).ToList();

        [Fact]
        public void EveryGeneratedMethodSignatureIsInTheList()
        {
            var missing = Cases().SelectMany(c => GeneratedSignaturesOf((string)c[0], (bool)c[1]))
                .Where(s => !GeneratedMembers.IsGeneratedSignature(s)).Distinct().OrderBy(s => s, System.StringComparer.Ordinal).ToList();
            Assert.True(missing.Count == 0, "add to GeneratedMembers.MethodSignatures:\n" + string.Join("\n", missing.Select(s => "\"" + s + "\",")));
        }

        [Fact]
        public void EverySignatureInTheListIsGenerated()
        {
            var generated = Cases().SelectMany(c => GeneratedSignaturesOf((string)c[0], (bool)c[1])).ToHashSet();
            foreach (string template in GeneratedMembers.AllSignatures())
            {
                int open = template.IndexOf('(');
                Assert.True(generated.Any(s => s.Substring(s.IndexOf('(')) == template.Substring(open) && GeneratedMembers.Matches(template.Substring(0, open), s.Substring(0, s.IndexOf('(')))),
                    "no model declares " + template + " any more; remove it from GeneratedMembers.MethodSignatures");
            }
        }

        [Fact]
        public void EveryNameInTheListIsGenerated()
        {
            // The list stays tight: an entry that no model produces any more (a renamed member) would refuse a valid class name.
            var generated = Cases().SelectMany(c => GeneratedMembersOf((string)c[0], (bool)c[1])).Select(m => m.Name).ToHashSet();
            foreach (var (template, kind) in GeneratedMembers.All())
            {
                Assert.True(generated.Any(name => GeneratedMembers.Matches(template, name)), "no model declares the " + kind + " '" + template + "' any more; remove it from GeneratedMembers.cs");
            }
        }

        [Theory]
        [InlineData("Description", "the property 'Description'")]
        [InlineData("Step", "the method 'Step'")]
        [InlineData("Forward", "the method 'Forward'")]
        [InlineData("SimdPath", "the property 'SimdPath'")]
        [InlineData("TrainingWorkspace", "the nested type 'TrainingWorkspace'")]
        [InlineData("InputSize", "the constant 'InputSize'")]
        [InlineData("StepLayer3Simd256", "the method 'StepLayer3Simd256'")]
        [InlineData("get_Alpha", "the getter of the property 'Alpha'")]
        public void RNN0020_ClassNamedLikeAGeneratedMember(string name, string member)
        {
            string source = "using RnnCodegen;\nnamespace Demo\n{\n[LstmModel(Input = 1, Hidden = 2)] public partial class " + name + " { }\n}\n";
            var run = TestHelpers.Run(source);
            var diagnostic = Assert.Single(run.GeneratorDiagnostics);
            Assert.Equal("RNN0020", diagnostic.Id);
            Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
            Assert.Equal("The model class '" + name + "' has the name of " + member + ", which the generator declares in it; a C# member cannot be named like its enclosing type (CS0542), so rename the class",
                diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(source.IndexOf("class " + name, System.StringComparison.Ordinal) + "class ".Length, diagnostic.Location.SourceSpan.Start);
            Assert.Equal(name, source.Substring(diagnostic.Location.SourceSpan.Start, diagnostic.Location.SourceSpan.Length));
            Assert.Empty(run.Sources);
            Assert.Empty(run.CompilationDiagnostics);
        }

        [Theory]
        [InlineData("Stepper")]
        [InlineData("StepLayer16Simd128")]
        [InlineData("StepLayer01Simd128")]
        [InlineData("get_Step")]
        public void SimilarNamesAreFine(string name)
        {
            var run = TestHelpers.Run("using RnnCodegen;\n[LstmModel(Input = 1, Hidden = 2)] public partial class " + name + " { }\n");
            Assert.Empty(run.GeneratorDiagnostics);
            Assert.Single(run.Sources);
            Assert.Empty(run.CompilationDiagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning));
        }
    }
}
