using System;
using System.Globalization;
using System.Runtime.Intrinsics;

namespace RnnCodegen.Samples.RealtimeAot
{
    /// <summary>
    /// Parses the arguments and prints. Lines starting with "[run]" depend on the machine and the runtime (timing, JIT or
    /// NativeAOT); every other line is deterministic and check-aot.sh compares them between the native and the managed build.
    /// </summary>
    public static class Program
    {
        public static int Main(string[] args)
        {
            var options = new RealtimeOptions();
            for (int i = 0; i < args.Length; i++)
            {
                switch (args[i])
                {
                    case "--block" when i + 1 < args.Length: options.BlockSize = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                    case "--blocks" when i + 1 < args.Length: options.Blocks = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                    case "--weights" when i + 1 < args.Length: options.WeightsPath = args[++i]; break;
                    default:
                        Console.Error.WriteLine("usage: RealtimeAot [--block N] [--blocks N] [--weights state_dict.json]");
                        return args[i] is "-h" or "--help" ? 0 : 2;
                }
            }

            var inv = CultureInfo.InvariantCulture;
            var result = RealtimeDemo.Run(options);
            Console.WriteLine(string.Create(inv, $"RealtimeAot: LSTM 1 -> 32 -> 1, {StreamingLstm.ParameterCount} parameters from {options.WeightsPath ?? "the embedded " + StreamingLstm.ShippedWeights}"));
            Console.WriteLine(string.Create(inv, $"[run] runtime: {(System.Runtime.JitInfo.GetCompiledMethodCount() > 0 ? "JIT" : "NativeAOT")}, SIMD path {StreamingLstm.SimdPath}, Vector128/256/512 accelerated: {Yes(Vector128.IsHardwareAccelerated)}/{Yes(Vector256.IsHardwareAccelerated)}/{Yes(Vector512.IsHardwareAccelerated)}"));
            Console.WriteLine(string.Create(inv, $"self-check vs PyTorch (12 steps): {(result.PyTorchMaxError <= 1e-5 ? "ok" : "FAILED")}, max |error| below 1e-5"));
            Console.WriteLine(string.Create(inv, $"[run] self-check max |error|: {result.PyTorchMaxError:E2}"));
            Console.WriteLine(string.Create(inv, $"stream: {options.Blocks} blocks x {options.BlockSize} samples = {result.Steps} steps (220 Hz tone, {RealtimeDemo.SampleRate} Hz)"));
            Console.Write("first outputs:");
            foreach (float y in result.FirstOutputs) Console.Write(" " + y.ToString("R", inv));
            Console.WriteLine();
            Console.WriteLine(string.Create(inv, $"checksum (sum of outputs): {result.Checksum:R}"));
            Console.WriteLine(string.Create(inv, $"max |output|: {result.MaxAbsOutput:R}"));
            Console.WriteLine(string.Create(inv, $"GC collections while streaming (gen0/gen1/gen2): {result.Gen0Collections}/{result.Gen1Collections}/{result.Gen2Collections}"));
            Console.WriteLine(string.Create(inv, $"bytes allocated while streaming: {result.AllocatedBytes}"));
            double budget = 1e9 / RealtimeDemo.SampleRate;
            Console.WriteLine(string.Create(inv, $"[run] {result.NanosecondsPerStep:F1} ns/step = {result.NanosecondsPerStep * options.BlockSize / 1000:F2} us per {options.BlockSize}-sample block; {100 * result.NanosecondsPerStep / budget:F2} % of the real-time budget at {RealtimeDemo.SampleRate} Hz"));
            bool ok = result.PyTorchMaxError <= 1e-5 && result.AllocatedBytes == 0 && result.Gen0Collections + result.Gen1Collections + result.Gen2Collections == 0;
            return ok ? 0 : 1;
        }

        private static string Yes(bool value) => value ? "yes" : "no";
    }
}
