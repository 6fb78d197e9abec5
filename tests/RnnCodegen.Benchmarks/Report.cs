using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using BenchmarkDotNet.Reports;

namespace RnnCodegen.Benchmarks
{
    /// <summary>
    /// One combined table after all benchmarks: per shape and operation the generated model's time and allocation,
    /// the naive C# and TorchSharp times, the speed-ups, and the step time against issue 6's RTNeural figures and
    /// targets. Printed to the console and written to BenchmarkDotNet.Artifacts/results/RnnCodegen-summary.md.
    /// </summary>
    internal static class Report
    {
        private static readonly string[] Operations = { "Step", "Forward", "TrainStep" };

        private sealed record Result(double Nanoseconds, long? Bytes);

        public static void Write(IEnumerable<Summary> summaries, MachineInfo machine, bool shortRun)
        {
            var results = new Dictionary<string, Result>(StringComparer.Ordinal);
            string? directory = null;
            foreach (Summary summary in summaries)
            {
                directory ??= summary.ResultsDirectoryPath;
                foreach (BenchmarkReport report in summary.Reports)
                {
                    if (report.ResultStatistics is null) continue;
                    var bc = report.BenchmarkCase;
                    string key = bc.Descriptor.Type.Name + "." + bc.Descriptor.WorkloadMethod.Name;
                    long? bytes = report.GcStats.GetBytesAllocatedPerOperation(bc);
                    results[key] = new Result(report.ResultStatistics.Mean, bytes);
                }
            }
            if (results.Count == 0) return;

            var text = new StringBuilder();
            text.AppendLine("## RnnCodegen benchmark summary" + (shortRun ? " (ShortRun: indicative only)" : ""));
            text.AppendLine();
            text.AppendLine(machine.Describe().Replace(Environment.NewLine, "  " + Environment.NewLine, StringComparison.Ordinal) + "  ");
            text.AppendLine("Times are BenchmarkDotNet means per call; Step = one time step of batch 1 (streaming), Forward = 50 steps, " +
                            "TrainStep = forward + MSE + BPTT + Adam over 50 steps. \"x faster\" = peer time / generated time. " +
                            "RTNeural figures are issue 6's (not measured here); the Step targets are judged only on those two CPUs.");
            text.AppendLine();
            text.AppendLine("| shape | operation | generated | alloc | naive C# | TorchSharp 1 thr | TorchSharp alloc | x faster than naive | x faster than TorchSharp | RTNeural Zen 5 / SPR | generated / RTNeural Zen 5 (SPR) | target |");
            text.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
            var verdicts = new List<string>();
            string referenceName = machine.Identity.Reference == ReferenceCpu.SapphireRapids ? "Sapphire Rapids" : "Zen 5";
            string cpuName = machine.Identity.Microarchitecture.Length > 0 ? machine.Identity.Microarchitecture : "unidentified";
            string notReference = "issue 6's RTNeural figures are for Zen 5 and Sapphire Rapids, and this CPU is " + cpuName +
                                  " (the ratio columns are only indicative)";
            foreach (ShapeSpec s in ShapeSpec.All)
            {
                string type = TypeName(s);
                foreach (string op in Operations)
                {
                    results.TryGetValue(type + "." + op + "_Generated", out Result? g);
                    results.TryGetValue(type + "." + op + "_NaiveCSharp", out Result? n);
                    results.TryGetValue(type + "." + op + "_TorchSharp", out Result? t);
                    if (g is null && n is null && t is null) continue;
                    string rt = "", ratio = "", target = "";
                    if (op == "Step")
                    {
                        rt = Invariant($"{s.RtNeuralZen5Ns:0} / {s.RtNeuralSapphireRapidsNs:0} ns");
                        if (g is not null) ratio = Invariant($"{g.Nanoseconds / s.RtNeuralZen5Ns:0.00}x ({g.Nanoseconds / s.RtNeuralSapphireRapidsNs:0.00}x)");
                        double? reference = machine.Identity.Reference switch
                        {
                            ReferenceCpu.Zen5 => s.RtNeuralZen5Ns,
                            ReferenceCpu.SapphireRapids => s.RtNeuralSapphireRapidsNs,
                            _ => null,
                        };
                        if (reference is double rtNs)
                        {
                            double limit = s.TargetRatio * rtNs;
                            target = Invariant($"<= {s.TargetRatio:0.0}x ({limit:0} ns)");
                            if (g is not null)
                            {
                                bool met = g.Nanoseconds <= limit;
                                target += met ? " met" : " NOT met";
                                verdicts.Add(Invariant($"- Step {s.Id} ({s.Title}): {Time(g.Nanoseconds)} vs target {limit:0} ns = {s.TargetRatio:0.0} x RTNeural {referenceName} -> ") +
                                    (met ? Invariant($"met ({limit / g.Nanoseconds:0.00}x margin)") : Invariant($"NOT met ({g.Nanoseconds / limit:0.00}x the target)")));
                            }
                        }
                        else
                        {
                            target = Invariant($"<= {s.TargetRatio:0.0}x, not judged on this CPU");
                            if (g is not null)
                                verdicts.Add(Invariant($"- Step {s.Id} ({s.Title}): {Time(g.Nanoseconds)}; not judged: ") + notReference);
                        }
                    }
                    if (op == "TrainStep" && s.Id == 'A')
                    {
                        target = machine.Identity.Reference == ReferenceCpu.Zen5 ? ">= 50x TorchSharp, <= 8 us" : ">= 50x TorchSharp";
                        if (g is not null && t is not null)
                        {
                            double speedup = t.Nanoseconds / g.Nanoseconds;
                            bool met = speedup >= 50;
                            target += met ? " met" : " NOT met";
                            string absolute = machine.Identity.Reference == ReferenceCpu.Zen5
                                ? "; absolute " + Time(g.Nanoseconds) + " vs <= 8 us -> " + (g.Nanoseconds <= 8000 ? "met" : "NOT met")
                                : "; the absolute 8 us is a Zen 5 figure, not judged on this CPU";
                            verdicts.Add(Invariant($"- TrainStep A: {Time(g.Nanoseconds)} vs TorchSharp {Time(t.Nanoseconds)} = {speedup:0.0}x faster (target >= 50x) -> ") +
                                (met ? "met" : "NOT met") + absolute);
                        }
                    }
                    text.AppendLine(Invariant($"| {s.Id} {s.Title} | {op} | {Time(g?.Nanoseconds)} | {Bytes(g?.Bytes)} | {Time(n?.Nanoseconds)} | {Time(t?.Nanoseconds)} | {Bytes(t?.Bytes)} | {Speedup(n, g)} | {Speedup(t, g)} | {rt} | {ratio} | {target} |"));
                }
            }

            var allocating = results.Where(r => r.Key.Contains("_Generated", StringComparison.Ordinal) && !r.Key.Contains("2Workers", StringComparison.Ordinal) && r.Value.Bytes is long b && b > 0).Select(r => r.Key + " " + Bytes(r.Value.Bytes)).ToList();
            bool anyGenerated = results.Keys.Any(k => k.Contains("_Generated", StringComparison.Ordinal));
            if (anyGenerated)
                verdicts.Add("- Zero bytes allocated by the generated Step/Forward/TrainStep/TrainBatch (1 worker): " + (allocating.Count == 0 ? "met" : "BenchmarkDotNet shows " + string.Join(", ", allocating) +
                    " (its Allocated column counts every thread's allocations, divided by the calls; the [check] lines in the log give this thread's own count, which is the contract)"));

            string batch = nameof(BatchTrainingA);
            if (results.TryGetValue(batch + ".TrainBatch64_Generated_1Worker", out Result? one) | results.TryGetValue(batch + ".TrainBatch64_Generated_2Workers", out Result? two) | results.TryGetValue(batch + ".TrainBatch64_TorchSharp", out Result? tb))
            {
                text.AppendLine();
                text.AppendLine(Invariant($"Batch trainer, shape A: TrainBatch of {BatchTrainingA.Sequences} sequences x {ShapeSpec.Steps} steps (accumulate + one Adam step)"));
                text.AppendLine();
                text.AppendLine("| variant | time | per sequence | alloc | x faster than 1 worker | x faster than TorchSharp |");
                text.AppendLine("|---|---:|---:|---:|---:|---:|");
                void Row(string name, Result? r)
                {
                    if (r is null) return;
                    text.AppendLine(Invariant($"| {name} | {Time(r.Nanoseconds)} | {Time(r.Nanoseconds / BatchTrainingA.Sequences)} | {Bytes(r.Bytes)} | {Speedup(one, r)} | {Speedup(tb, r)} |"));
                }
                Row("generated, maxWorkers 1", one);
                Row("generated, maxWorkers 2", two);
                Row("TorchSharp, one [50, 64, 1] batch, 1 thread", tb);
            }

            if (verdicts.Count > 0)
            {
                text.AppendLine();
                text.AppendLine(machine.Identity.Reference == ReferenceCpu.None
                    ? "Issue 6 targets (this CPU, " + cpuName + ", is not one of the RTNeural reference CPUs: only the CPU-independent targets are judged):"
                    : "Issue 6 targets (RTNeural targets use the " + referenceName + " figures, this CPU's):");
                text.AppendLine();
                foreach (string v in verdicts) text.AppendLine(v);
            }

            Console.WriteLine();
            Console.WriteLine(text.ToString());
            if (directory is not null)
            {
                Directory.CreateDirectory(directory);
                string path = Path.Combine(directory, "RnnCodegen-summary.md");
                File.WriteAllText(path, text.ToString());
                Console.WriteLine("Written to " + path);
            }
        }

        private static string TypeName(ShapeSpec s) => s.Id switch
        {
            'A' => nameof(ShapeA_Lstm1x32),
            'B' => nameof(ShapeB_Gru1x32),
            'C' => nameof(ShapeC_Lstm4x8),
            'D' => nameof(ShapeD_Lstm16x64),
            _ => nameof(ShapeE_Lstm1x128),
        };

        private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

        private static string Speedup(Result? peer, Result? generated) =>
            peer is null || generated is null ? "" : Invariant($"{peer.Nanoseconds / generated.Nanoseconds:0.0}x");

        internal static string Time(double? ns) => ns switch
        {
            null => "",
            < 1e3 => Invariant($"{ns:0.0} ns"),
            < 1e6 => Invariant($"{ns / 1e3:0.00} us"),
            _ => Invariant($"{ns / 1e6:0.00} ms"),
        };

        private static string Bytes(long? b) => b switch
        {
            null => "",
            < 1024 => Invariant($"{b} B"),
            < 1024 * 1024 => Invariant($"{b / 1024.0:0.0} KB"),
            _ => Invariant($"{b / (1024.0 * 1024.0):0.0} MB"),
        };
    }
}
