using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace RnnCodegen.Benchmarks
{
    /// <summary>
    /// Entry point: BenchmarkDotNet benchmarks (default), the generator timings (<c>--generator</c>), or the roofline (<c>--roofline</c>).
    /// </summary>
    /// <remarks>
    /// <para>
    /// The benchmarks run with BenchmarkDotNet's in-process toolchain (<see cref="InProcessEmitToolchain"/>): no child
    /// project is generated and built (which would copy TorchSharp's ~0.5 GB of natives again and need the
    /// libLibTorchSharp.so patch in a second bin folder). The patch (<see cref="FixtureGen.ElfVersionPatcher"/>) is applied
    /// once here, before any TorchSharp type is touched: <see cref="Main"/> only calls into methods of other classes that
    /// are not inlined.
    /// </para>
    /// </remarks>
    internal static class Program
    {
        private const string Usage =
            "usage:\n" +
            "  RnnCodegen.Benchmarks [--short] [BenchmarkDotNet options, e.g. --filter '*ShapeA*']\n" +
            "      runs the benchmarks (all of them without --filter); --short (or RNNCODEGEN_BENCH_SHORT=1) uses\n" +
            "      BenchmarkDotNet's ShortRun job (3 warm-ups, 3 iterations) for a quick check\n" +
            "  RnnCodegen.Benchmarks --generator [--repeat N]\n" +
            "      times the source generator on 10 model declarations and the compilation of the emitted code\n" +
            "      for Hidden 32, 128, 256, 1024 (no TorchSharp involved)\n" +
            "  RnnCodegen.Benchmarks --roofline\n" +
            "      measures this CPU's vector multiply-add rate and read bandwidth and prints each generated Step\n" +
            "      (and the LSTM TrainSteps) against the bound they imply (in-process Stopwatch timings, ~1 min)\n" +
            "Benchmark classes: ShapeA_Lstm1x32, ShapeB_Gru1x32, ShapeC_Lstm4x8, ShapeD_Lstm16x64, ShapeE_Lstm1x128, BatchTrainingA;\n" +
            "methods: Step_*, Forward_*, TrainStep_*, TrainBatch64_* (suffix Generated, NaiveCSharp, TorchSharp).";

        private static int Main(string[] args)
        {
            var list = new List<string>(args);
            if (list.Contains("-h") || list.Contains("--help") || list.Contains("-?"))
            {
                Console.WriteLine(Usage);
                return 0;
            }
            if (list.Remove("--generator")) return GeneratorTimings.Run(list);
            if (list.Remove("--roofline")) return Roofline.Run();

            bool shortRun = list.Remove("--short") || Environment.GetEnvironmentVariable("RNNCODEGEN_BENCH_SHORT") == "1";
            FixtureGen.ElfVersionPatcher.PatchTorchSharpNextToApp();
            return RunBenchmarks(list, shortRun);
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static int RunBenchmarks(List<string> args, bool shortRun)
        {
            MachineInfo machine = MachineInfo.Collect();
            Console.WriteLine(machine.Describe());

            Job job = (shortRun ? Job.ShortRun : Job.Default).WithToolchain(InProcessEmitToolchain.Instance);
            IConfig config = ManualConfig.Create(DefaultConfig.Instance)
                .AddJob(job.AsDefault())
                .WithOptions(ConfigOptions.DisableLogFile | ConfigOptions.StopOnFirstError);

            if (!args.Any(a => a is "--filter" or "-f" or "--list" or "--info" or "--version"))
            {
                args.Add("--filter");
                args.Add("*");
            }

            var types = new[]
            {
                typeof(ShapeA_Lstm1x32), typeof(ShapeB_Gru1x32), typeof(ShapeC_Lstm4x8),
                typeof(ShapeD_Lstm16x64), typeof(ShapeE_Lstm1x128), typeof(BatchTrainingA),
            };
            IEnumerable<Summary> summaries = BenchmarkSwitcher.FromTypes(types).Run(args.ToArray(), config).ToList();
            Report.Write(summaries, machine, shortRun);
            bool failed = summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success));
            return failed ? 1 : 0;
        }
    }
}
