using Xunit;

namespace RnnCodegen.Generator.Tests
{
    /// <summary>The emitted source of representative models, compared with checked-in snapshots.</summary>
    public class SnapshotTests
    {
        private static void Check(string source, string name)
        {
            var run = TestHelpers.Run(source);
            Assert.Empty(run.GeneratorDiagnostics);
            Assert.Empty(run.CompilationDiagnostics);
            TestHelpers.Verify(run.Source, name);
        }

        [Fact]
        public void SineLstm() => Check("""
            using RnnCodegen;
            namespace Demo
            {
                [LstmModel(Input = 1, Hidden = 32, Output = 1, SequenceLength = 50)]
                public partial class SineLstm { }
            }
            """, "SineLstm");

        [Fact]
        public void StackedGruFileScopedNamespace() => Check("""
            using RnnCodegen;
            namespace Demo.Models;
            [GruModel(Input = 4, Hidden = 13, Layers = 2)]
            internal sealed partial class StackedGru { }
            """, "StackedGru");

        [Fact]
        public void ReluRnnInGlobalNamespace() => Check("""
            using RnnCodegen;
            [RnnModel(Input = 3, Hidden = 5, Output = 2, Activation = Activation.Relu, OutputActivation = OutputActivation.Tanh)]
            public partial class ReluRnn { }
            """, "ReluRnn");

        [Fact]
        public void PeepholeLstmNestedClass() => Check("""
            using RnnCodegen;
            namespace Demo
            {
                public static partial class Outer
                {
                    internal partial struct Inner
                    {
                        [LstmModel(Input = 2, Hidden = 5, Output = 1, Peephole = true, OutputActivation = OutputActivation.Sigmoid, Loss = Loss.BinaryCrossEntropy)]
                        public partial class PeepholeLstm { }
                    }
                }
            }
            """, "PeepholeLstm");

        [Fact]
        public void TokenClassifierLastStep() => Check("""
            using RnnCodegen;
            namespace Demo
            {
                [GruModel(Vocabulary = 100, Input = 8, Hidden = 6, Output = 3, ResetAfter = false, OutputActivation = OutputActivation.Softmax, OutputMode = OutputMode.Last, Loss = Loss.CrossEntropy)]
                public partial class TokenClassifier { }
            }
            """, "TokenClassifier");
    }
}
