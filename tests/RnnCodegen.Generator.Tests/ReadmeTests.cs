using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Xunit;

namespace RnnCodegen.Generator.Tests
{
    /// <summary>Every C# block of the README compiles with the generator, without errors or warnings.</summary>
    public class ReadmeTests
    {
        [Fact]
        public void EveryCSharpBlockCompiles()
        {
            string readme = File.ReadAllText(Path.Combine(DiagnosticTests.RepoRoot(), "README.md"));
            var blocks = Regex.Matches(readme, "```csharp\\n(.*?)```", RegexOptions.Singleline).Select(m => m.Groups[1].Value).ToList();
            Assert.True(blocks.Count >= 3, "expected the README's C# examples");
            foreach (string block in blocks)
            {
                var run = TestHelpers.Run(block);
                Assert.Empty(run.GeneratorDiagnostics);
                var problems = run.CompilationDiagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
                Assert.True(problems.Count == 0, string.Join("\n", problems) + "\nin README block:\n" + block);
            }
        }
    }
}
