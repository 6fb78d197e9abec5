using System;
using System.Globalization;
using System.IO;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using TorchSharp;

namespace RnnCodegen.Benchmarks
{
    /// <summary>What a benchmark figure means nothing without: CPU, runtime, SIMD path, TorchSharp threads, date.</summary>
    internal sealed record MachineInfo(string Cpu, CpuIdentity Identity, string Runtime, string Simd, string Torch, DateTime DateUtc)
    {
        public static MachineInfo Collect()
        {
            // Single-thread comparisons: libtorch's intra-op pool at one thread (inter-op only once, before any parallel work).
            torch.set_num_threads(1);
            try { torch.set_num_interop_threads(1); }
            catch (Exception e) when (e is InvalidOperationException or ExternalException) { }
            string simd = FormattableString.Invariant(
                $"generated path {ShapeALstm32.SimdPath} (Vector512 {Vector512.IsHardwareAccelerated}, Vector256 {Vector256.IsHardwareAccelerated}, Vector128 {Vector128.IsHardwareAccelerated})");
            string torchInfo = FormattableString.Invariant(
                $"TorchSharp {typeof(torch).Assembly.GetName().Version}, libtorch {torch.__version__}, {torch.get_num_threads()} intra-op thread(s)");
            CpuIdentity identity = CpuIdentity.Read();
            return new MachineInfo(CpuModel(identity), identity, RuntimeInformation.FrameworkDescription + " " + RuntimeInformation.RuntimeIdentifier, simd, torchInfo, DateTime.UtcNow);
        }

        /// <summary><c>lscpu</c>'s "Model name" (from /proc/cpuinfo), the logical core count, and vendor, family, model and microarchitecture.</summary>
        public static string CpuModel(CpuIdentity identity)
        {
            string name = identity.ModelName.Length > 0 ? identity.ModelName : RuntimeInformation.ProcessArchitecture.ToString();
            string details = identity.Describe();
            return name + ", " + Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture) + " logical cores" + (details.Length > 0 ? " (" + details + ")" : "");
        }

        public string Describe() =>
            "CPU: " + Cpu + Environment.NewLine +
            "Runtime: " + Runtime + Environment.NewLine +
            "SIMD: " + Simd + Environment.NewLine +
            "Peer: " + Torch + Environment.NewLine +
            "Date: " + DateUtc.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture) + Environment.NewLine +
            "Load average at start (1, 5, 15 min): " + LoadAverage() + " (figures are only meaningful on an idle machine)";

        /// <summary>/proc/loadavg's first three fields, or "n/a".</summary>
        public static string LoadAverage()
        {
            try
            {
                if (File.Exists("/proc/loadavg"))
                {
                    string[] fields = File.ReadAllText("/proc/loadavg").Split(' ');
                    if (fields.Length >= 3) return fields[0] + ", " + fields[1] + ", " + fields[2];
                }
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
            return "n/a";
        }
    }
}
