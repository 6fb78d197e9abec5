using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Xunit;

namespace RnnCodegen.Generator.Tests
{
    /// <summary>Every C# block of the README compiles with the generator, without errors or warnings; its diagnostics table is the catalogue.</summary>
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

        /// <summary>Every descriptor's help link ends in an anchor that the README defines (its row of the diagnostics table).</summary>
        [Fact]
        public void EveryHelpLinkAnchorExistsInTheReadme()
        {
            string readme = File.ReadAllText(Path.Combine(DiagnosticTests.RepoRoot(), "README.md"));
            foreach (var descriptor in DiagnosticTests.Descriptors())
            {
                string link = descriptor.HelpLinkUri;
                Assert.StartsWith("https://github.com/rnncodegen/rnncodegen#", link);
                string anchor = link.Substring(link.IndexOf('#') + 1);
                Assert.Equal("diagnostics-" + descriptor.Id.ToLowerInvariant(), anchor);
                Assert.True(readme.Contains("<a id=\"" + anchor + "\"></a>", System.StringComparison.Ordinal), descriptor.Id + ": README.md has no anchor '" + anchor + "'");
            }
        }

        /// <summary>The README's diagnostics table has one row per descriptor, in id order, with its anchor and its severity.</summary>
        [Fact]
        public void DiagnosticsTableMatchesTheCatalogue()
        {
            string readme = File.ReadAllText(Path.Combine(DiagnosticTests.RepoRoot(), "README.md"));
            int start = readme.IndexOf("\n## Diagnostics\n", System.StringComparison.Ordinal);
            Assert.True(start >= 0, "README.md has no '## Diagnostics' section");
            int end = readme.IndexOf("\n## ", start + 1, System.StringComparison.Ordinal);
            string section = end < 0 ? readme.Substring(start) : readme.Substring(start, end - start);
            var rows = Regex.Matches(section, "^\\| <a id=\"([^\"]+)\"></a>(RNN\\d{4}) \\| (error|warning) \\| .+ \\|$", RegexOptions.Multiline)
                .Select(m => (Anchor: m.Groups[1].Value, Id: m.Groups[2].Value, Severity: m.Groups[3].Value))
                .ToList();
            // Every table row of the section is one of those (no row slipped through the pattern).
            Assert.Equal(rows.Count, Regex.Matches(section, "^\\| <a id=", RegexOptions.Multiline).Count);
            var descriptors = DiagnosticTests.Descriptors().OrderBy(d => d.Id, System.StringComparer.Ordinal).ToList();
            Assert.Equal(descriptors.Select(d => d.Id), rows.Select(r => r.Id));
            foreach (var (descriptor, row) in descriptors.Zip(rows))
            {
                Assert.Equal("diagnostics-" + descriptor.Id.ToLowerInvariant(), row.Anchor);
                Assert.Equal(descriptor.DefaultSeverity == DiagnosticSeverity.Error ? "error" : "warning", row.Severity);
            }
        }
    }
}
