using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using Xunit;

namespace RnnCodegen.Tests
{
    /// <summary>
    /// Every inference fixture's model, loaded and written back with SaveStateDict, into artifacts/exported/. The
    /// exported files are then loaded into PyTorch by tools/check-export.sh (TorchSharp load_state_dict, run from .ci/run),
    /// which must reproduce the fixture's outputs: the bridge from an on-device model back to PyTorch.
    /// </summary>
    public class StateDictExportTests
    {
        internal static string RepoRoot()
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "RnnCodegen.sln"))) dir = dir.Parent;
            return dir?.FullName ?? throw new InvalidOperationException("RnnCodegen.sln not found");
        }

        [Theory]
        [MemberData(nameof(PyTorchFixtureTests.InferenceFixtures), MemberType = typeof(PyTorchFixtureTests))]
        public void ExportedStateDictRoundTripsAndIsWrittenForPyTorch(string name)
        {
            string fixture = Path.Combine(AppContext.BaseDirectory, "Fixtures", "inference", name + ".json");
            using var doc = JsonDocument.Parse(File.ReadAllText(fixture));
            // The fixture's state_dict as PyTorch wrote it, loaded through the public loader.
            var raw = System.Text.Encoding.UTF8.GetBytes(doc.RootElement.GetProperty("stateDict").GetRawText());
            var model = CandidateFor(doc.RootElement);
            model.LoadStateDict(new MemoryStream(raw));

            using var exported = new MemoryStream();
            model.SaveStateDict(exported);
            string folder = Path.Combine(RepoRoot(), "artifacts", "exported");
            Directory.CreateDirectory(folder);
            File.WriteAllBytes(Path.Combine(folder, name + ".json"), exported.ToArray());

            // Same names in canonical order, and every value identical to the fixture's (as float).
            using var written = JsonDocument.Parse(exported.ToArray());
            Assert.Equal(model.ParameterInfos.Select(p => p.Name), written.RootElement.EnumerateObject().Select(p => p.Name));
            foreach (var p in written.RootElement.EnumerateObject())
            {
                Assert.Equal(PyTorchFixtureTests.Flatten(doc.RootElement.GetProperty("stateDict").GetProperty(p.Name)), PyTorchFixtureTests.Flatten(p.Value));
            }
        }

        private static IRecurrentModel CandidateFor(JsonElement f) => Assert.Single(PyTorchFixtureTests.Candidates(), m => PyTorchFixtureTests.Matches(m.Description, f));
    }
}
