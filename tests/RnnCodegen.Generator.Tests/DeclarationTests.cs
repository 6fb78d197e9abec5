using System.Linq;
using Microsoft.CodeAnalysis;
using Xunit;

namespace RnnCodegen.Generator.Tests
{
    /// <summary>Unusual but valid declarations: the generator must not fail (CS8785) and its code must compile cleanly.</summary>
    public class DeclarationTests
    {
        private static void AssertClean(GeneratorRun run)
        {
            Assert.Empty(run.GeneratorDiagnostics);
            var problems = run.CompilationDiagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
            Assert.True(problems.Count == 0, string.Join("\n", problems));
        }

        [Fact]
        public void NamesThatDifferOnlyInCaseGetDistinctHintNames()
        {
            // Roslyn compares hint names without regard to case: N.Model and N.model used to make the generator fail for both.
            var run = TestHelpers.Run("""
                using RnnCodegen;
                namespace N
                {
                    [LstmModel(Input = 2, Hidden = 4)] public partial class Model { }
                    [GruModel(Input = 2, Hidden = 4)] public partial class model { }
                    [RnnModel(Input = 2, Hidden = 4)] public partial class MODEL { }
                }
                namespace n { [LstmModel(Input = 2, Hidden = 4)] public partial class Model { } }
                """);
            AssertClean(run);
            Assert.Equal(new[] { "N.MODEL.g.cs", "N.Model.2.g.cs", "N.model.3.g.cs", "n.Model.4.g.cs" }, run.Sources.Select(s => s.HintName).OrderBy(h => h, System.StringComparer.Ordinal));
        }

        [Fact]
        public void KeywordNamesAreEscaped()
        {
            // '@' is not allowed in a hint name (the generator failed), and a keyword written without it does not compile.
            var run = TestHelpers.Run("""
                using RnnCodegen;
                namespace @event
                {
                    [LstmModel(Input = 2, Hidden = 4)] public partial class @class { }
                    public partial class @struct { [GruModel(Input = 2, Hidden = 4)] public partial class @void { } }
                }
                """);
            AssertClean(run);
            Assert.Equal(new[] { "event.class.g.cs", "event.struct.void.g.cs" }, run.Sources.Select(s => s.HintName).OrderBy(h => h, System.StringComparer.Ordinal));
        }

        [Theory]
        [InlineData("var")]
        [InlineData("_")]
        [InlineData("dynamic")]
        [InlineData("nameof")]
        public void ContextualKeywordsAsClassNames(string name)
        {
            // The generated code writes explicit types and no discards, so a class named var or _ compiles.
            var run = TestHelpers.Run("using RnnCodegen;\nnamespace N\n{\n[LstmModel(Input = 2, Hidden = 4, Layers = 2, Output = 3, OutputActivation = OutputActivation.Softmax, Loss = Loss.CrossEntropy, Dropout = 0.1, SequenceLength = 4)] public partial class " + name + " { }\n}\n");
            AssertClean(run);
            Assert.Single(run.Sources);
        }
    }
}
