using System;
using System.Linq;
using System.Reflection;
using Xunit;

namespace RnnCodegen.Generator.Tests
{
    /// <summary>
    /// Compile time and JIT quality stay sane as Hidden grows (issue 6): the emitted code loops over register blocks instead of
    /// unrolling over the hidden size, so its source size does not grow with Hidden and no method comes near the size at which
    /// RyuJIT gives up optimising (60,000 bytes of IL: such a method runs unoptimised at every tier).
    /// </summary>
    public class MethodSizeTests
    {
        /// <summary>RyuJIT's DEFAULT_MIN_OPTS_CODE_SIZE.</summary>
        private const int JitMinOptsIlBytes = 60000;

        [Theory]
        [InlineData("LstmModel", "")]
        [InlineData("GruModel", "")]
        [InlineData("RnnModel", "")]
        [InlineData("LstmModel", "Layers = 2, ")]
        public void MethodsStaySmallAndSourceDoesNotGrowWithHidden(string attribute, string extra)
        {
            int[] hidden = { 32, 128, 256 };
            var sizes = hidden.Select(h => Measure(attribute, extra, h)).ToArray();
            for (int i = 0; i < hidden.Length; i++)
            {
                Assert.True(sizes[i].LargestIl < JitMinOptsIlBytes / 4,
                    $"Hidden {hidden[i]}: {sizes[i].LargestMethod} has {sizes[i].LargestIl} bytes of IL (limit {JitMinOptsIlBytes / 4}, a quarter of RyuJIT's MinOpts threshold)");
                Assert.True(sizes[i].SourceChars < sizes[0].SourceChars * 5 / 4,
                    $"Hidden {hidden[i]}: {sizes[i].SourceChars} characters of source against {sizes[0].SourceChars} for Hidden {hidden[0]}");
            }
        }

        private static (int SourceChars, int LargestIl, string LargestMethod) Measure(string attribute, string extra, int hidden)
        {
            string source = "using RnnCodegen;\nnamespace Demo { [" + attribute + "(Input = 3, Hidden = " + hidden + ", " + extra + "Output = 1, SequenceLength = 50)] public partial class M { } }";
            var run = TestHelpers.Run(source);
            Assert.Empty(run.GeneratorDiagnostics);
            int sourceChars = run.Sources.Sum(s => s.Source.Length);
            var assembly = TestHelpers.Load(run.Output);
            const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
            var methods = assembly.GetTypes().Where(t => t.FullName!.StartsWith("Demo.M", StringComparison.Ordinal))
                .SelectMany(t => t.GetMethods(all).Cast<MethodBase>().Concat(t.GetConstructors(all)))
                .Select(m => (Name: m.DeclaringType!.Name + "." + m.Name, Size: m.GetMethodBody()?.GetILAsByteArray()?.Length ?? 0))
                .OrderByDescending(m => m.Size)
                .ToList();
            Assert.NotEmpty(methods);
            return (sourceChars, methods[0].Size, methods[0].Name);
        }
    }
}
