using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using RnnCodegen.Generator;
using Xunit;

namespace RnnCodegen.Generator.Tests
{
    /// <summary>The result of compiling a source with the generator: what it emitted, its diagnostics and the final compilation.</summary>
    internal sealed record GeneratorRun(
        ImmutableArray<Diagnostic> GeneratorDiagnostics,
        ImmutableArray<Diagnostic> CompilationDiagnostics,
        ImmutableArray<(string HintName, string Source)> Sources,
        Compilation Output,
        GeneratorDriverRunResult SecondRun)
    {
        public string Source => Assert.Single(Sources).Source;
    }

    /// <summary>One helper compiles a source text with the generator, runs it twice and returns everything a test needs.</summary>
    internal static class TestHelpers
    {
        private static readonly Lazy<ImmutableArray<MetadataReference>> NetReferences = new(() =>
        {
            string tpa = (string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!;
            return tpa.Split(Path.PathSeparator)
                .Where(p => Path.GetFileName(p).StartsWith("System.", StringComparison.Ordinal) || Path.GetFileName(p) is "mscorlib.dll" or "netstandard.dll")
                .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
                .Append(MetadataReference.CreateFromFile(typeof(RecurrentModelAttribute).Assembly.Location))
                .ToImmutableArray();
        });

        public static ImmutableArray<MetadataReference> References => NetReferences.Value;

        public static CSharpCompilation Compile(string source, LanguageVersion languageVersion = LanguageVersion.Latest, IEnumerable<MetadataReference>? references = null, string path = "Model.cs", bool allowUnsafe = true)
        {
            var tree = CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(languageVersion), path: path);
            return CSharpCompilation.Create(
                "Consumer",
                new[] { tree },
                references ?? References,
                new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable, allowUnsafe: allowUnsafe));
        }

        public static GeneratorRun Run(string source, LanguageVersion languageVersion = LanguageVersion.Latest, IEnumerable<MetadataReference>? references = null, bool allowUnsafe = true)
        {
            var compilation = Compile(source, languageVersion, references, allowUnsafe: allowUnsafe);
            var driver = CSharpGeneratorDriver.Create(
                new[] { new RnnModelGenerator().AsSourceGenerator() },
                parseOptions: (CSharpParseOptions)compilation.SyntaxTrees.First().Options,
                driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));
            GeneratorDriver first = driver.RunGeneratorsAndUpdateCompilation(compilation, out var output, out var generatorDiagnostics);
            // Run a second time on a clone, as an IDE would, so that caching problems surface in every test.
            var second = first.RunGenerators(compilation.Clone()).GetRunResult();
            var result = first.GetRunResult();
            var sources = result.Results.SelectMany(r => r.GeneratedSources).Select(s => (s.HintName, s.SourceText.ToString())).ToImmutableArray();
            return new GeneratorRun(generatorDiagnostics, output.GetDiagnostics(), sources, output, second);
        }

        /// <summary>Emits the compilation to an assembly in memory and loads it; fails the test on any error or warning.</summary>
        public static Assembly Load(Compilation compilation)
        {
            using var stream = new MemoryStream();
            var emit = compilation.Emit(stream);
            var problems = emit.Diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
            Assert.True(emit.Success && problems.Count == 0, string.Join(Environment.NewLine, problems));
            return Assembly.Load(stream.ToArray());
        }

        /// <summary>
        /// Compares <paramref name="actual"/> with the checked-in <c>Snapshots/NAME.verified.cs</c>. A mismatch writes
        /// <c>NAME.received.cs</c> next to it and fails with a diff; set RNNCODEGEN_ACCEPT_SNAPSHOTS=1 to accept.
        /// </summary>
        public static void Verify(string actual, string name)
        {
            // Found from the repository root, not [CallerFilePath]: CI builds map source paths to "/_/" (deterministic builds).
            string folder = Path.Combine(DiagnosticTests.RepoRoot(), "tests", "RnnCodegen.Generator.Tests", "Snapshots");
            string verified = Path.Combine(folder, name + ".verified.cs");
            string received = Path.Combine(folder, name + ".received.cs");
            actual = actual.Replace("\r\n", "\n");
            bool accept = Environment.GetEnvironmentVariable("RNNCODEGEN_ACCEPT_SNAPSHOTS") == "1";
            string? expected = File.Exists(verified) ? File.ReadAllText(verified).Replace("\r\n", "\n") : null;
            if (expected == actual)
            {
                if (File.Exists(received)) File.Delete(received);
                return;
            }
            if (accept)
            {
                Directory.CreateDirectory(folder);
                File.WriteAllText(verified, actual);
                if (File.Exists(received)) File.Delete(received);
                return;
            }
            Directory.CreateDirectory(folder);
            File.WriteAllText(received, actual);
            Assert.Fail(expected is null
                ? "No snapshot " + verified + " yet; wrote " + received + ". Review it and rename it to .verified.cs (or run the tests with RNNCODEGEN_ACCEPT_SNAPSHOTS=1)."
                : "Snapshot " + name + " differs; wrote " + received + ".\n" + Diff(expected, actual) + "\nIf the change is intended, rename the .received.cs to .verified.cs (or run with RNNCODEGEN_ACCEPT_SNAPSHOTS=1).");
        }

        /// <summary>A short line diff: the first differing lines with a little context.</summary>
        public static string Diff(string expected, string actual)
        {
            var a = expected.Split('\n');
            var b = actual.Split('\n');
            int first = 0;
            while (first < a.Length && first < b.Length && a[first] == b[first]) first++;
            int lastA = a.Length - 1, lastB = b.Length - 1;
            while (lastA > first && lastB > first && a[lastA] == b[lastB]) { lastA--; lastB--; }
            var text = new StringBuilder();
            text.Append("@@ line ").Append(first + 1).Append('\n');
            for (int i = Math.Max(0, first - 2); i < first; i++) text.Append("  ").Append(a[i]).Append('\n');
            for (int i = first; i <= lastA && i < first + 20; i++) text.Append("- ").Append(a[i]).Append('\n');
            for (int i = first; i <= lastB && i < first + 20; i++) text.Append("+ ").Append(b[i]).Append('\n');
            return text.ToString();
        }
    }
}
