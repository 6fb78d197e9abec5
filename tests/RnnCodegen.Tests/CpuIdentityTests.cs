using System.Collections.Generic;
using RnnCodegen.Benchmarks;
using Xunit;

namespace RnnCodegen.Tests
{
    /// <summary>
    /// The benchmark report judges issue 6's RTNeural Step targets only on the CPUs they were measured on; these are
    /// /proc/cpuinfo excerpts of the machines this project has run on (and a few neighbours that must not count).
    /// </summary>
    public class CpuIdentityTests
    {
        private static IEnumerable<string> CpuInfo(string vendor, int family, int model, string name) => new[]
        {
            "processor\t: 0",
            "vendor_id\t: " + vendor,
            "cpu family\t: " + family.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "model\t\t: " + model.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "model name\t: " + name,
            "stepping\t: 1",
            "flags\t\t: fpu vme de pse tsc msr avx512f",
            "",
            "processor\t: 1",
            "vendor_id\t: SomeoneElse",
            "cpu family\t: 99",
            "model\t\t: 99",
            "model name\t: second block, never read",
        };

        [Theory]
        [InlineData("AuthenticAMD", 25, 17, "AMD EPYC", "Zen 4", ReferenceCpu.None)] // Genoa: the sixth session's machine
        [InlineData("AuthenticAMD", 26, 2, "AMD EPYC", "Zen 5", ReferenceCpu.Zen5)] // Turin: the fourth and fifth sessions'
        [InlineData("AuthenticAMD", 26, 17, "AMD EPYC 9005", "Zen 5", ReferenceCpu.Zen5)]
        [InlineData("AuthenticAMD", 25, 1, "AMD EPYC 7763 64-Core Processor", "Zen 3", ReferenceCpu.None)] // Milan
        [InlineData("AuthenticAMD", 25, 160, "AMD EPYC 9754 128-Core Processor", "Zen 4", ReferenceCpu.None)] // Bergamo
        [InlineData("AuthenticAMD", 23, 49, "AMD EPYC 7B12", "Zen 2", ReferenceCpu.None)] // Rome
        [InlineData("GenuineIntel", 6, 143, "Intel(R) Xeon(R) Platinum 8481C CPU @ 2.70GHz", "Sapphire Rapids", ReferenceCpu.SapphireRapids)]
        [InlineData("GenuineIntel", 6, 207, "INTEL(R) XEON(R) PLATINUM 8581C CPU @ 2.10GHz", "Emerald Rapids", ReferenceCpu.None)]
        [InlineData("GenuineIntel", 6, 106, "Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz", "Ice Lake-SP", ReferenceCpu.None)]
        [InlineData("GenuineIntel", 6, 151, "12th Gen Intel(R) Core(TM) i7-12700", "", ReferenceCpu.None)]
        public void ClassifiesVendorFamilyAndModel(string vendor, int family, int model, string name, string microarchitecture, ReferenceCpu reference)
        {
            CpuIdentity id = CpuIdentity.Parse(CpuInfo(vendor, family, model, name));
            Assert.Equal(new CpuIdentity(name, vendor, family, model), id);
            Assert.Equal(microarchitecture, id.Microarchitecture);
            Assert.Equal(reference, id.Reference);
            string expected = vendor + " family " + family.ToString(System.Globalization.CultureInfo.InvariantCulture) + " model " +
                              model.ToString(System.Globalization.CultureInfo.InvariantCulture) + (microarchitecture.Length > 0 ? ": " + microarchitecture : "");
            Assert.Equal(expected, id.Describe());
        }

        [Fact]
        public void Arm64CpuInfoHasNoReference()
        {
            // An Arm64 /proc/cpuinfo: no vendor_id, "model name" or "cpu family" fields.
            CpuIdentity id = CpuIdentity.Parse(new[]
            {
                "processor\t: 0", "BogoMIPS\t: 243.75", "Features\t: fp asimd evtstrm aes pmull sha1 sha2 crc32",
                "CPU implementer\t: 0x41", "CPU architecture: 8", "CPU variant\t: 0x1", "CPU part\t: 0xd0c", "CPU revision\t: 1", "",
            });
            Assert.Equal(CpuIdentity.Unknown, id);
            Assert.Equal(ReferenceCpu.None, id.Reference);
            Assert.Equal("", id.Microarchitecture);
            Assert.Equal("", id.Describe());
        }

        [Fact]
        public void MalformedNumbersAreUnknownNotAnException()
        {
            CpuIdentity id = CpuIdentity.Parse(new[] { "vendor_id\t: AuthenticAMD", "cpu family\t: 0x1a", "model\t\t: -3", "model name\t: x" });
            Assert.Equal(new CpuIdentity("x", "AuthenticAMD", -1, -1), id);
            Assert.Equal(ReferenceCpu.None, id.Reference);
            Assert.Equal("AuthenticAMD family -1 model -1", id.Describe());
        }
    }
}
