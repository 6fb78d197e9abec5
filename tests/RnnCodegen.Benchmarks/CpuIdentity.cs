using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;

namespace RnnCodegen.Benchmarks
{
    /// <summary>The CPUs issue 6's RTNeural figures were measured on.</summary>
    public enum ReferenceCpu
    {
        /// <summary>Neither: the RTNeural ratios are only indicative and the targets cannot be judged.</summary>
        None,

        /// <summary>AMD EPYC, Zen 5 class (family 26).</summary>
        Zen5,

        /// <summary>Intel Xeon Sapphire Rapids (family 6, model 143).</summary>
        SapphireRapids,
    }

    /// <summary>
    /// The x86 vendor, family and model of the first processor in /proc/cpuinfo, and what they say: the
    /// microarchitecture (for the report's header) and whether this is one of issue 6's reference CPUs. The CPU of
    /// these machines changes from one session to the next (Zen 4, Zen 5, Sapphire Rapids so far), and a Step target
    /// that is a ratio to RTNeural on Zen 5 says nothing about a Zen 4 figure. Compiled into the unit tests as well
    /// (no TorchSharp here), where the classification is checked on real /proc/cpuinfo lines.
    /// </summary>
    public sealed record CpuIdentity(string ModelName, string Vendor, int Family, int Model)
    {
        /// <summary>What is known when /proc/cpuinfo is missing or says nothing useful.</summary>
        public static CpuIdentity Unknown { get; } = new("", "", -1, -1);

        /// <summary>This machine's identity, or <see cref="Unknown"/> off Linux.</summary>
        public static CpuIdentity Read()
        {
            try
            {
                if (File.Exists("/proc/cpuinfo")) return Parse(File.ReadLines("/proc/cpuinfo"));
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
            return Unknown;
        }

        /// <summary>The first processor block's "model name", "vendor_id", "cpu family" and "model" fields.</summary>
        public static CpuIdentity Parse(IEnumerable<string> lines)
        {
            string name = "", vendor = "";
            int family = -1, model = -1;
            foreach (string line in lines)
            {
                if (line.Length == 0 && vendor.Length > 0) break; // end of the first processor's block
                int colon = line.IndexOf(':', StringComparison.Ordinal);
                if (colon < 0) continue;
                string key = line.Substring(0, colon).Trim(), value = line.Substring(colon + 1).Trim();
                switch (key)
                {
                    case "model name": name = value; break;
                    case "vendor_id": vendor = value; break;
                    case "cpu family": family = ParseInt(value); break;
                    case "model": model = ParseInt(value); break;
                }
            }
            return new CpuIdentity(name, vendor, family, model);
        }

        private static int ParseInt(string s) =>
            int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out int v) ? v : -1;

        private bool IsAmd => Vendor == "AuthenticAMD";

        private bool IsIntel => Vendor == "GenuineIntel";

        /// <summary>The microarchitecture where family and model tell it (server and desktop parts), else "".</summary>
        public string Microarchitecture => (IsAmd, IsIntel, Family) switch
        {
            (true, _, 23) => Model < 0x30 ? "Zen/Zen+" : "Zen 2",
            (true, _, 25) => Model is (>= 0x10 and <= 0x1F) or (>= 0x60 and <= 0x7F) or (>= 0xA0 and <= 0xAF) ? "Zen 4" : "Zen 3",
            (true, _, 26) => "Zen 5",
            (_, true, 6) => Model switch
            {
                85 => "Skylake-SP/Cascade Lake",
                106 or 108 => "Ice Lake-SP",
                143 => "Sapphire Rapids",
                207 => "Emerald Rapids",
                173 or 174 => "Granite Rapids",
                _ => "",
            },
            _ => "",
        };

        /// <summary>Which of issue 6's reference CPUs this is, if any.</summary>
        public ReferenceCpu Reference =>
            IsAmd && Family == 26 ? ReferenceCpu.Zen5 :
            IsIntel && Family == 6 && Model == 143 ? ReferenceCpu.SapphireRapids :
            ReferenceCpu.None;

        /// <summary>"AuthenticAMD family 25 model 17: Zen 4", or "" when unknown.</summary>
        public string Describe()
        {
            if (Vendor.Length == 0) return "";
            string s = string.Create(CultureInfo.InvariantCulture, $"{Vendor} family {Family} model {Model}");
            return Microarchitecture.Length > 0 ? s + ": " + Microarchitecture : s;
        }
    }
}
