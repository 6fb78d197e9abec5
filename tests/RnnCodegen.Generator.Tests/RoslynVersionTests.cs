using System;
using System.IO;
using System.Linq;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using Xunit;

namespace RnnCodegen.Generator.Tests
{
    /// <summary>
    /// The generator is built against Microsoft.CodeAnalysis 4.3 so that it loads in every host with Roslyn 4.3 or newer
    /// (Unity 6, VS 17.3+, .NET SDK 6.0.400+). A newer reference (an API that slipped in with a package upgrade) would
    /// make it fail to load there; these tests read the built generator's metadata, not the test host's Roslyn (4.14).
    /// </summary>
    public class RoslynVersionTests
    {
        private static readonly Version Roslyn43 = new(4, 3, 0, 0);

        private static (string Name, Version Version)[] References(out string targetFramework)
        {
            string path = typeof(RnnModelGenerator).Assembly.Location;
            Assert.True(File.Exists(path), path);
            using var stream = File.OpenRead(path);
            using var pe = new PEReader(stream);
            var md = pe.GetMetadataReader();
            targetFramework = "";
            foreach (var handle in md.GetAssemblyDefinition().GetCustomAttributes())
            {
                var attribute = md.GetCustomAttribute(handle);
                if (attribute.Constructor.Kind != HandleKind.MemberReference) continue;
                var ctor = md.GetMemberReference((MemberReferenceHandle)attribute.Constructor);
                if (ctor.Parent.Kind != HandleKind.TypeReference) continue;
                if (md.GetString(md.GetTypeReference((TypeReferenceHandle)ctor.Parent).Name) != "TargetFrameworkAttribute") continue;
                var blob = md.GetBlobReader(attribute.Value);
                blob.ReadUInt16(); // prolog
                targetFramework = blob.ReadSerializedString() ?? "";
            }
            return md.AssemblyReferences.Select(h => md.GetAssemblyReference(h)).Select(r => (md.GetString(r.Name), r.Version)).ToArray();
        }

        [Fact]
        public void GeneratorReferencesMicrosoftCodeAnalysis43Exactly()
        {
            var references = References(out _);
            Assert.Equal(Roslyn43, Assert.Single(references, r => r.Name == "Microsoft.CodeAnalysis").Version);
            Assert.Equal(Roslyn43, Assert.Single(references, r => r.Name == "Microsoft.CodeAnalysis.CSharp").Version);
            Assert.All(references.Where(r => r.Name.StartsWith("Microsoft.CodeAnalysis", StringComparison.Ordinal)),
                r => Assert.True(r.Version <= Roslyn43, r.Name + " " + r.Version + " is newer than Roslyn 4.3"));
        }

        /// <summary>What a Roslyn 4.3 host (e.g. Unity 6) loads: the framework, Roslyn, and Roslyn 4.3.1's own dependencies at their versions.</summary>
        private static readonly (string Name, Version Max)[] HostAssemblies =
        {
            ("netstandard", new Version(2, 0, 0, 0)),
            ("Microsoft.CodeAnalysis", Roslyn43),
            ("Microsoft.CodeAnalysis.CSharp", Roslyn43),
            ("System.Collections.Immutable", new Version(6, 0, 0, 0)),
            ("System.Reflection.Metadata", new Version(5, 0, 0, 0)),
            ("System.Memory", new Version(4, 0, 1, 1)),
            ("System.Runtime.CompilerServices.Unsafe", new Version(6, 0, 0, 0)),
            ("System.Text.Encoding.CodePages", new Version(6, 0, 0, 0)),
            ("System.Threading.Tasks.Extensions", new Version(4, 2, 0, 1)),
        };

        [Fact]
        public void GeneratorTargetsNetStandard20AndNeedsNothingARoslyn43HostLacks()
        {
            var references = References(out string targetFramework);
            Assert.Equal(".NETStandard,Version=v2.0", targetFramework);
            // The package ships the generator dll alone: any other reference, or a newer version of one, would not load.
            foreach (var (name, version) in references)
            {
                var host = HostAssemblies.Where(h => h.Name == name).ToArray();
                Assert.True(host.Length == 1, name + " " + version + " is not provided by a Roslyn 4.3 host");
                Assert.True(version <= host[0].Max, name + " " + version + " is newer than a Roslyn 4.3 host provides (" + host[0].Max + ")");
            }
        }
    }
}
