using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using RnnCodegen.Generator.Model;
using Xunit;

namespace RnnCodegen.Generator.Tests
{
    public class IncrementalityTests
    {
        private const string Model = """
            using RnnCodegen;
            namespace Demo
            {
                [LstmModel(Input = 1, Hidden = 32, Output = 1, SequenceLength = 50)]
                public partial class SineLstm { }
                [GruModel(Input = 2, Hidden = 4)]
                public partial class SmallGru { }
            }
            """;

        private static readonly string[] Steps =
        {
            RnnModelGenerator.TrackingNames.LstmParse, RnnModelGenerator.TrackingNames.GruParse,
            RnnModelGenerator.TrackingNames.Target, RnnModelGenerator.TrackingNames.Emit,
        };

        private static GeneratorDriver Driver(CSharpCompilation compilation) => CSharpGeneratorDriver.Create(
            new[] { new RnnModelGenerator().AsSourceGenerator() },
            parseOptions: (CSharpParseOptions)compilation.SyntaxTrees.First().Options,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

        [Fact]
        public void UnrelatedEditLeavesEveryStepCachedOrUnchanged()
        {
            var compilation = TestHelpers.Compile(Model);
            var driver = Driver(compilation).RunGenerators(compilation);
            var edited = compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText("namespace Demo { internal static class Unrelated { public static int X => 42; } }", (CSharpParseOptions)compilation.SyntaxTrees.First().Options));
            var result = driver.RunGenerators(edited).GetRunResult().Results.Single();

            foreach (string step in Steps)
            {
                Assert.True(result.TrackedSteps.ContainsKey(step), "step " + step + " was not tracked");
                foreach (var run in result.TrackedSteps[step])
                {
                    foreach (var (_, reason) in run.Outputs)
                    {
                        Assert.True(reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, step + " ran with reason " + reason);
                    }
                }
            }
            Assert.All(result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(r => r.Outputs), o => Assert.Equal(IncrementalStepRunReason.Cached, o.Reason));
        }

        [Fact]
        public void EditingTheAttributeRegeneratesThatModelOnly()
        {
            var compilation = TestHelpers.Compile(Model);
            var driver = Driver(compilation).RunGenerators(compilation);
            var oldTree = compilation.SyntaxTrees.First();
            var newTree = oldTree.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From(Model.Replace("Hidden = 32", "Hidden = 16")));
            var result = driver.RunGenerators(compilation.ReplaceSyntaxTree(oldTree, newTree)).GetRunResult().Results.Single();
            var emitReasons = result.TrackedSteps[RnnModelGenerator.TrackingNames.Emit].SelectMany(r => r.Outputs).Select(o => o.Reason).ToList();
            Assert.Contains(IncrementalStepRunReason.Modified, emitReasons);
            Assert.Contains(result.GeneratedSources, s => s.SourceText.ToString().Contains("public const int HiddenSize = 16;"));
        }

        [Fact]
        public void ABaseClassEditInAnotherFileIsSeen()
        {
            // RNN0022 reads the base class: adding a clashing member to it in another file must report at once, and removing
            // it must bring the code back, without touching the model's file.
            var compilation = TestHelpers.Compile("using RnnCodegen;\nnamespace Demo\n{\n[LstmModel(Input = 1, Hidden = 8)] public partial class M : Entity { }\n}\n");
            var options = (CSharpParseOptions)compilation.SyntaxTrees.First().Options;
            var entity = CSharpSyntaxTree.ParseText("namespace Demo { public class Entity { } }", options, path: "Entity.cs");
            compilation = compilation.AddSyntaxTrees(entity);
            var driver = Driver(compilation).RunGenerators(compilation);
            Assert.Empty(driver.GetRunResult().Diagnostics);
            Assert.Single(driver.GetRunResult().GeneratedTrees);

            var clashing = entity.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From("namespace Demo { public class Entity { public string Description = \"\"; } }"));
            compilation = compilation.ReplaceSyntaxTree(entity, clashing);
            driver = driver.RunGenerators(compilation);
            Assert.Equal("RNN0022", Assert.Single(driver.GetRunResult().Diagnostics).Id);
            Assert.Empty(driver.GetRunResult().GeneratedTrees);

            compilation = compilation.ReplaceSyntaxTree(clashing, clashing.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From("namespace Demo { public class Entity { } }")));
            driver = driver.RunGenerators(compilation);
            Assert.Empty(driver.GetRunResult().Diagnostics);
            Assert.Single(driver.GetRunResult().GeneratedTrees);
        }

        [Fact]
        public void PipelineModelsHoldNoRoslynObjects()
        {
            var seen = new HashSet<Type>();
            foreach (var type in new[] { typeof(ModelSpec), typeof(ParseResult), typeof(TargetInfo), typeof(DiagnosticInfo) }) Check(type, seen);
        }

        private static void Check(Type type, HashSet<Type> seen)
        {
            if (!seen.Add(type) || type.IsPrimitive || type.IsEnum || type == typeof(string)) return;
            string? ns = type.Namespace;
            Assert.False(ns is not null && ns.StartsWith("Microsoft.CodeAnalysis", StringComparison.Ordinal) && type.Name is not ("TextSpan" or "LinePositionSpan" or "LinePosition"),
                "pipeline model holds " + type.FullName);
            Assert.False(typeof(ISymbol).IsAssignableFrom(type) || typeof(SyntaxNode).IsAssignableFrom(type) || typeof(Compilation).IsAssignableFrom(type) || type == typeof(Location), type.FullName);
            if (type.IsGenericType) foreach (var argument in type.GetGenericArguments()) Check(argument, seen);
            if (type.Namespace?.StartsWith("System", StringComparison.Ordinal) == true) return;
            foreach (var field in type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)) Check(field.FieldType, seen);
        }
    }
}
