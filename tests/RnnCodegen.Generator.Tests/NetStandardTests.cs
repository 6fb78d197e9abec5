using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace RnnCodegen.Generator.Tests
{
    /// <summary>
    /// Unity and Godot compile C# 9 against netstandard2.0/2.1, where System.Runtime.Intrinsics and SkipLocalsInit do not
    /// exist. The generated code, with the runtime library's netstandard2.0 build, must compile there with no error or warning,
    /// and the generator must see from the compilation that only the scalar path is possible.
    /// References: the netstandard2.0 reference assemblies of NETStandard.Library 2.0.3 + System.Memory 4.5.5, or those of
    /// NETStandard.Library.Ref 2.1.0 (restored by the test project, folders passed as assembly metadata), and the runtime
    /// library's netstandard2.0 build (copied to netstandard2.0/ in the output by the test project).
    /// </summary>
    public class NetStandardTests
    {
        public enum Target
        {
            NetStandard20,
            NetStandard21,
        }

        private static string PackageFolder(string key)
        {
            string? folder = typeof(NetStandardTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value;
            Assert.False(string.IsNullOrEmpty(folder), "the test project did not pass the folder of " + key);
            Assert.True(Directory.Exists(folder), folder + " does not exist");
            return folder!;
        }

        private static readonly Lazy<ImmutableArray<MetadataReference>> NetStandard20 = new(() => References(
            Directory.GetFiles(Path.Combine(PackageFolder("NETStandardLibrary20"), "build", "netstandard2.0", "ref"), "*.dll")
                .Append(Path.Combine(PackageFolder("SystemMemory"), "lib", "netstandard2.0", "System.Memory.dll"))));

        private static readonly Lazy<ImmutableArray<MetadataReference>> NetStandard21 = new(() => References(
            Directory.GetFiles(Path.Combine(PackageFolder("NETStandardLibrary21"), "ref", "netstandard2.1"), "*.dll")));

        private static ImmutableArray<MetadataReference> References(IEnumerable<string> framework)
        {
            string runtime = Path.Combine(AppContext.BaseDirectory, "netstandard2.0", "RnnCodegen.dll");
            Assert.True(File.Exists(runtime), "the runtime library's netstandard2.0 build is missing: " + runtime);
            return framework.Append(runtime).Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToImmutableArray();
        }

        internal static ImmutableArray<MetadataReference> For(Target target) => target == Target.NetStandard20 ? NetStandard20.Value : NetStandard21.Value;

        /// <summary>Models of every kind, each with user code that calls its members the way a C# 9 game script would.</summary>
        public static readonly TheoryData<string, string> Models = new()
        {
            {
                "SineLstm (LSTM + head, training, Adam)", """
                using System;
                using RnnCodegen;
                namespace Game.Models
                {
                    [LstmModel(Input = 1, Hidden = 32, Output = 1, SequenceLength = 50)]
                    public partial class SineLstm { }

                    public static class Use
                    {
                        public static float Run(SineLstm m, float[] xs, float[] ys)
                        {
                            Span<float> outputs = stackalloc float[50];
                            m.Forward(xs, outputs);
                            float y = m.Step(xs[0]);
                            m.LearningRate = 0.01f;
                            float loss = m.TrainStep(xs, ys);
                            loss += m.TrainBatch(new ReadOnlyMemory<float>(xs), new ReadOnlyMemory<float>(ys), 1);
                            m.ApplyGradients();
                            return y + loss + SineLstm.SimdPath.Length;
                        }
                    }
                }
                """
            },
            {
                "stacked classic GRU (ResetAfter = false), CrossEntropy, RmsProp, clipping, dropout", """
                using RnnCodegen;
                namespace Game.Models
                {
                    [GruModel(Input = 3, Hidden = 5, Layers = 2, Output = 3, ResetAfter = false, OutputActivation = OutputActivation.Softmax,
                        Loss = Loss.CrossEntropy, Optimizer = Optimizer.RmsProp, ClipNorm = 1.0, ClipValue = 0.5, Dropout = 0.25, SequenceLength = 12)]
                    internal sealed partial class ClassicGru { }

                    internal static class Use
                    {
                        public static float Run(ClassicGru m, float[] xs, int[] classes) => m.TrainStep(xs, classes) + m.AccumulateGradients(xs, classes);
                    }
                }
                """
            },
            {
                "peephole LSTM, many-to-one, BCE, SGD with momentum", """
                using RnnCodegen;
                namespace Game.Models
                {
                    public static partial class Outer
                    {
                        [LstmModel(Input = 2, Hidden = 5, Layers = 2, Output = 1, Peephole = true, OutputActivation = OutputActivation.Sigmoid,
                            OutputMode = OutputMode.Last, Loss = Loss.BinaryCrossEntropy, Optimizer = Optimizer.Momentum, Nesterov = true, SequenceLength = 8)]
                        public partial class PeepholeLstm { }
                    }
                }
                """
            },
            {
                "token LSTM (Vocabulary), CrossEntropy, AdamW", """
                using RnnCodegen;
                [LstmModel(Vocabulary = 11, Input = 4, Hidden = 13, Output = 11, OutputActivation = OutputActivation.Softmax, Loss = Loss.CrossEntropy,
                    Optimizer = Optimizer.Adam, WeightDecay = 0.01, DecoupledWeightDecay = true, SequenceLength = 16)]
                public partial class CharLstm
                {
                    public float Learn(int[] tokens, int[] next)
                    {
                        var row = new float[OutputSize];
                        Step(tokens[0], row);
                        return TrainStep(tokens, next);
                    }
                }
                """
            },
            {
                "token RNN sentiment (Vocabulary, many-to-one, BCE)", """
                using RnnCodegen;
                namespace Game
                {
                    [RnnModel(Vocabulary = 12, Input = 4, Hidden = 6, Output = 1, OutputActivation = OutputActivation.Sigmoid, OutputMode = OutputMode.Last,
                        Loss = Loss.BinaryCrossEntropy, SequenceLength = 12)]
                    public partial class TokenSentimentRnn { }
                }
                """
            },
            {
                "ReLU RNN without head, inference only", """
                using RnnCodegen;
                namespace Game
                {
                    [RnnModel(Input = 3, Hidden = 13, Layers = 2, Activation = Activation.Relu)]
                    public partial class ReluRnn { }
                }
                """
            },
            {
                "GRU regression, SGD, weight decay", """
                using RnnCodegen;
                namespace Game
                {
                    [GruModel(Input = 1, Hidden = 33, Output = 1, OutputActivation = OutputActivation.Tanh, Optimizer = Optimizer.Sgd, WeightDecay = 0.001, SequenceLength = 20)]
                    public partial class OddGru { }
                }
                """
            },
        };

        [Theory]
        [MemberData(nameof(Models))]
        public void CompilesAsCSharp9ForNetStandard20(string name, string source) => CompilesAsCSharp9(name, source, Target.NetStandard20);

        [Theory]
        [MemberData(nameof(Models))]
        public void CompilesAsCSharp9ForNetStandard21(string name, string source) => CompilesAsCSharp9(name, source, Target.NetStandard21);

        private static void CompilesAsCSharp9(string name, string source, Target target)
        {
            var references = For(target);
            var run = TestHelpers.Run(source, LanguageVersion.CSharp9, references);

            // The references really are netstandard: no intrinsics, no SkipLocalsInit, no MathF in 2.0.
            Assert.Null(run.Output.GetTypeByMetadataName("System.Runtime.Intrinsics.Vector128`1"));
            Assert.Null(run.Output.GetTypeByMetadataName("System.Runtime.CompilerServices.SkipLocalsInitAttribute"));
            Assert.Equal(target == Target.NetStandard21, run.Output.GetTypeByMetadataName("System.MathF") is not null);
            Assert.Equal(LanguageVersion.CSharp9, ((CSharpParseOptions)run.Output.SyntaxTrees.First().Options).LanguageVersion);

            Assert.Empty(run.GeneratorDiagnostics);
            var generated = Assert.Single(run.Sources).Source;
            Assert.Contains("public static string SimdPath => \"Scalar\";", generated, StringComparison.Ordinal);
            Assert.DoesNotContain("System.Runtime.Intrinsics", generated, StringComparison.Ordinal);
            Assert.DoesNotContain("SkipLocalsInit", generated, StringComparison.Ordinal);

            var problems = Problems(run.CompilationDiagnostics);
            Assert.True(problems.Count == 0, name + " (" + target + "):\n" + string.Join("\n", problems));

            // Emitting reports what binding alone does not (e.g. missing references of referenced assemblies).
            using var stream = new MemoryStream();
            var emit = run.Output.Emit(stream);
            var emitProblems = Problems(emit.Diagnostics);
            Assert.True(emit.Success && emitProblems.Count == 0, name + " (" + target + ") emit:\n" + string.Join("\n", emitProblems));
        }

        /// <summary>
        /// Errors and warnings, less CS1701/CS1702 (the netstandard2.0 runtime library's reference to netstandard 2.0.0.0
        /// unified with 2.1.0.0), which every SDK-style project suppresses by default (NoWarn 1701;1702 in Microsoft.CSharp.Core.targets).
        /// </summary>
        private static List<Diagnostic> Problems(IEnumerable<Diagnostic> diagnostics) =>
            diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning && d.Id is not ("CS1701" or "CS1702")).ToList();

        [Fact]
        public void CSharp9ForNet10GetsTheVectorPathButNoNewerSyntax()
        {
            // Modern .NET with an old language version (a library that pins LangVersion 9): intrinsics yes, C# 10+ syntax no.
            var run = TestHelpers.Run("""
                using RnnCodegen;
                namespace Game
                {
                    [LstmModel(Input = 1, Hidden = 32, Output = 1, SequenceLength = 50)]
                    public partial class SineLstm { }

                    // Cross-entropy and token inputs add span loops: foreach over a span needs C# 13 against .NET 10 (roslyn#80041).
                    [GruModel(Vocabulary = 9, Input = 3, Hidden = 16, Output = 9, OutputActivation = OutputActivation.Softmax, Loss = Loss.CrossEntropy, SequenceLength = 12)]
                    public partial class TokenGru { }
                }
                """, LanguageVersion.CSharp9);
            Assert.Empty(run.GeneratorDiagnostics);
            Assert.Equal(2, run.Sources.Length);
            Assert.All(run.Sources, s => Assert.DoesNotContain("SimdPath => \"Scalar\"", s.Source, StringComparison.Ordinal));
            var problems = run.CompilationDiagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
            Assert.True(problems.Count == 0, string.Join("\n", problems));
        }
    }
}
