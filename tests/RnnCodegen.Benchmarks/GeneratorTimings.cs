using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using RnnCodegen.Generator;

namespace RnnCodegen.Benchmarks
{
    /// <summary>
    /// A plain timing harness for the source generator (<c>--generator</c>): the time Roslyn's
    /// <see cref="CSharpGeneratorDriver"/> takes to run the generator on 10 model declarations (cold, the first run in the
    /// process, and warm, the median of repeated runs with a new driver), the size of the source emitted per model, and the
    /// time <see cref="Compilation.Emit(Stream, Stream?, Stream?, Stream?, IEnumerable{ResourceDescription}?, Microsoft.CodeAnalysis.Emit.EmitOptions?, IMethodSymbol?, Stream?, IEnumerable{EmbeddedText}?, Stream?, System.Threading.CancellationToken)"/>
    /// takes to compile the emitted code of LSTM 1 -> H + Dense 1 for H = 32, 128, 256, 1024 (with the IL size of its
    /// largest method, and the JIT cost of the first Step and TrainBatch calls).
    /// </summary>
    internal static class GeneratorTimings
    {
        /// <summary>Ten declarations covering every cell, stacking, heads, token inputs and losses (SequenceLength 50).</summary>
        private static readonly (string Name, string Attribute)[] TenModels =
        {
            ("ShapeA", "[LstmModel(Input = 1, Hidden = 32, Output = 1, SequenceLength = 50)]"),
            ("ShapeB", "[GruModel(Input = 1, Hidden = 32, Output = 1, SequenceLength = 50)]"),
            ("ShapeC", "[LstmModel(Input = 1, Hidden = 8, Layers = 4, Output = 1, SequenceLength = 50)]"),
            ("ShapeD", "[LstmModel(Input = 16, Hidden = 64, Output = 1, SequenceLength = 50)]"),
            ("ShapeE", "[LstmModel(Input = 1, Hidden = 128, Output = 1, SequenceLength = 50)]"),
            ("TanhRnn", "[RnnModel(Input = 3, Hidden = 16, Layers = 2, Output = 2, SequenceLength = 50)]"),
            ("PeepholeLstm", "[LstmModel(Input = 2, Hidden = 24, Output = 1, Peephole = true, OutputActivation = OutputActivation.Sigmoid, Loss = Loss.BinaryCrossEntropy, SequenceLength = 50)]"),
            ("Classifier", "[GruModel(Input = 4, Hidden = 24, Layers = 2, Output = 5, OutputActivation = OutputActivation.Softmax, OutputMode = OutputMode.Last, Loss = Loss.CrossEntropy, SequenceLength = 50)]"),
            ("CharLstm", "[LstmModel(Vocabulary = 40, Input = 16, Hidden = 64, Output = 40, OutputActivation = OutputActivation.Softmax, Loss = Loss.CrossEntropy, SequenceLength = 50)]"),
            ("ClassicGru", "[GruModel(Input = 2, Hidden = 12, Output = 1, ResetAfter = false, Optimizer = Optimizer.RmsProp, ClipNorm = 1, SequenceLength = 50)]"),
        };

        private static readonly int[] CompileHidden = { 32, 128, 256, 1024 };

        /// <summary>
        /// RyuJIT compiles a method with more IL bytes than this (DEFAULT_MIN_OPTS_CODE_SIZE) without optimisation
        /// (MinOpts), whatever the tier: such a method runs as unoptimised code.
        /// </summary>
        private const int JitMinOptsIlBytes = 60000;

        public static int Run(List<string> args)
        {
            int repeat = 10;
            int at = args.IndexOf("--repeat");
            if (at >= 0 && at + 1 < args.Count) repeat = int.Parse(args[at + 1], CultureInfo.InvariantCulture);

            Console.WriteLine("Generator timings");
            Console.WriteLine("CPU: " + MachineInfo.CpuModel(CpuIdentity.Read()));
            Console.WriteLine("Runtime: " + System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription +
                              ", Roslyn " + typeof(CSharpCompilation).Assembly.GetName().Version + " (in-process CSharpGeneratorDriver / CSharpCompilation)");
            Console.WriteLine("Date: " + DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture));
            Console.WriteLine("Load average at start (1, 5, 15 min): " + MachineInfo.LoadAverage());
            Console.WriteLine();

            var references = References();
            bool ok = GenerateTen(references, repeat);
            ok &= CompileSizes(references);
            return ok ? 0 : 1;
        }

        private static ImmutableArray<MetadataReference> References()
        {
            string tpa = (string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!;
            return tpa.Split(Path.PathSeparator)
                .Where(p => Path.GetFileName(p).StartsWith("System.", StringComparison.Ordinal) || Path.GetFileName(p) is "mscorlib.dll" or "netstandard.dll")
                .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
                .Append(MetadataReference.CreateFromFile(typeof(RecurrentModelAttribute).Assembly.Location))
                .ToImmutableArray();
        }

        private static string Declaration(string name, string attribute) =>
            "using RnnCodegen;\n\nnamespace Consumer\n{\n    " + attribute + "\n    public partial class " + name + " { }\n}\n";

        private static CSharpCompilation Compilation(string assemblyName, IEnumerable<(string Name, string Attribute)> models, ImmutableArray<MetadataReference> references)
        {
            var options = new CSharpParseOptions(LanguageVersion.Latest);
            var trees = models.Select(m => CSharpSyntaxTree.ParseText(Declaration(m.Name, m.Attribute), options, path: m.Name + ".cs")).ToArray();
            return CSharpCompilation.Create(assemblyName, trees, references,
                new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, optimizationLevel: OptimizationLevel.Release,
                    nullableContextOptions: NullableContextOptions.Enable, allowUnsafe: true, deterministic: true));
        }

        private static (Compilation Output, GeneratorDriverRunResult Result, ImmutableArray<Diagnostic> Diagnostics) RunGenerator(CSharpCompilation compilation)
        {
            var driver = CSharpGeneratorDriver.Create(
                new[] { new RnnModelGenerator().AsSourceGenerator() },
                parseOptions: (CSharpParseOptions)compilation.SyntaxTrees.First().Options);
            var ran = driver.RunGeneratorsAndUpdateCompilation(compilation, out var output, out var diagnostics);
            return (output, ran.GetRunResult(), diagnostics);
        }

        private static bool GenerateTen(ImmutableArray<MetadataReference> references, int repeat)
        {
            var compilation = Compilation("Ten", TenModels, references);

            var sw = Stopwatch.StartNew();
            var (output, result, diagnostics) = RunGenerator(compilation);
            double coldMs = sw.Elapsed.TotalMilliseconds;

            var warm = new List<double>();
            for (int i = 0; i < repeat; i++)
            {
                var fresh = Compilation("Ten", TenModels, references); // no cached semantic state from the previous run
                sw.Restart();
                RunGenerator(fresh);
                warm.Add(sw.Elapsed.TotalMilliseconds);
            }
            warm.Sort();

            // Incremental: a second run of the same driver after an unrelated edit (what an IDE does on each keystroke).
            var driver = CSharpGeneratorDriver.Create(new[] { new RnnModelGenerator().AsSourceGenerator() }, parseOptions: (CSharpParseOptions)compilation.SyntaxTrees.First().Options);
            GeneratorDriver first = driver.RunGenerators(compilation);
            var edited = compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText("namespace Consumer { internal static class Unrelated { public static int X => 1; } }", (CSharpParseOptions)compilation.SyntaxTrees.First().Options, path: "Unrelated.cs"));
            var incremental = new List<double>();
            for (int i = 0; i < repeat; i++)
            {
                sw.Restart();
                first.RunGenerators(edited);
                incremental.Add(sw.Elapsed.TotalMilliseconds);
            }
            incremental.Sort();

            var errors = diagnostics.Concat(output.GetDiagnostics()).Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
            Console.WriteLine(Invariant($"Generator on 10 model declarations ({TenModels.Length} files):"));
            Console.WriteLine(Invariant($"  cold (first run in the process, includes JIT of the generator): {coldMs:0.0} ms"));
            Console.WriteLine(Invariant($"  warm, new driver each time (median of {repeat}, min {warm[0]:0.0} ms): {Median(warm):0.0} ms = {Median(warm) / TenModels.Length:0.00} ms per model"));
            Console.WriteLine(Invariant($"  incremental re-run after an unrelated edit (median of {repeat}): {Median(incremental):0.00} ms"));
            Console.WriteLine(errors.Count == 0 ? "  generator and compilation diagnostics: none" : "  DIAGNOSTICS:\n    " + string.Join("\n    ", errors));
            Console.WriteLine();
            Console.WriteLine("| model | attribute | emitted source | lines |");
            Console.WriteLine("|---|---|---:|---:|");
            long total = 0;
            foreach (var generated in result.Results.SelectMany(r => r.GeneratedSources))
            {
                string text = generated.SourceText.ToString();
                int bytes = Encoding.UTF8.GetByteCount(text);
                total += bytes;
                string model = TenModels.First(m => generated.HintName.Contains(m.Name, StringComparison.Ordinal)).Attribute;
                Console.WriteLine(Invariant($"| {generated.HintName} | `{model}` | {bytes / 1024.0:0.0} KiB | {CountLines(text)} |"));
            }
            Console.WriteLine(Invariant($"| total | | {total / 1024.0:0.0} KiB | |"));
            Console.WriteLine();
            return errors.Count == 0;
        }

        private static bool CompileSizes(ImmutableArray<MetadataReference> references)
        {
            // Warm Roslyn's own code paths (binding, lowering, emit) so the first size does not pay for them.
            foreach (int h in new[] { 16, 16 }) Emit(h, references, load: false);

            Console.WriteLine("Compiling the emitted code of LSTM 1 -> H + Dense 1, SequenceLength 50 (CSharpCompilation.Emit, Release; median of 3; Roslyn warmed up):");
            Console.WriteLine();
            Console.WriteLine("| H | emitted source | lines | generator | Emit | assembly | largest method IL | Step: 1st / 2nd call | TrainStep: 1st / 2nd call |");
            Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
            var empty = EmitEmpty(references);
            Console.WriteLine(Invariant($"| no model (one empty class: the fixed cost) | | | | {empty:0} ms | | | | |"));
            bool ok = true;
            foreach (int h in CompileHidden)
            {
                var runs = new List<EmitResult>();
                for (int i = 0; i < 3; i++) runs.Add(Emit(h, references, load: i == 2));
                var last = runs[runs.Count - 1];
                ok &= runs.All(r => r.Success);
                double gen = Median(runs.Select(r => r.GeneratorMs).OrderBy(x => x).ToList());
                double emit = Median(runs.Select(r => r.EmitMs).OrderBy(x => x).ToList());
                Console.WriteLine(Invariant($"| {h} | {last.SourceBytes / 1024.0:0.0} KiB | {last.Lines} | {gen:0.0} ms | {emit:0} ms | {last.AssemblyBytes / 1024.0:0.0} KiB | {last.LargestMethod} | {last.FirstStepMs:0.00} / {last.SecondStepMs:0.000} ms | {last.FirstTrainMs:0.0} / {last.SecondTrainMs:0.00} ms |"));
                if (!last.Success) Console.WriteLine("  ERRORS: " + last.Errors);
            }
            Console.WriteLine();
            Console.WriteLine("1st call: wall time of the first call on a freshly loaded model (JIT of the model's methods, first-touch of its buffers); 2nd call: the next one.");
            Console.WriteLine(Invariant($"A method over {JitMinOptsIlBytes} IL bytes is compiled by RyuJIT without optimisation (MinOpts) at every tier."));
            return ok;
        }

        /// <summary>Median Emit time of a compilation with one empty class and the same references.</summary>
        private static double EmitEmpty(ImmutableArray<MetadataReference> references)
        {
            var times = new List<double>();
            for (int i = 0; i < 3; i++)
            {
                var tree = CSharpSyntaxTree.ParseText("namespace Consumer { public partial class Empty { } }", new CSharpParseOptions(LanguageVersion.Latest));
                var compilation = CSharpCompilation.Create("Empty" + i.ToString(CultureInfo.InvariantCulture), new[] { tree }, references,
                    new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, optimizationLevel: OptimizationLevel.Release));
                using var stream = new MemoryStream();
                var sw = Stopwatch.StartNew();
                compilation.Emit(stream);
                times.Add(sw.Elapsed.TotalMilliseconds);
            }
            times.Sort();
            return Median(times);
        }

        private sealed record EmitResult(bool Success, string Errors, int SourceBytes, int Lines, double GeneratorMs, double EmitMs, int AssemblyBytes,
            string LargestMethod, double FirstStepMs, double SecondStepMs, double FirstTrainMs, double SecondTrainMs);

        private static int _loaded;

        private static EmitResult Emit(int hidden, ImmutableArray<MetadataReference> references, bool load)
        {
            string name = "Lstm" + hidden.ToString(CultureInfo.InvariantCulture);
            var model = (name, "[LstmModel(Input = 1, Hidden = " + hidden.ToString(CultureInfo.InvariantCulture) + ", Output = 1, SequenceLength = 50)]");
            string assemblyName = "Compile" + name + "_" + (_loaded++).ToString(CultureInfo.InvariantCulture);
            var compilation = Compilation(assemblyName, new[] { model }, references);
            var sw = Stopwatch.StartNew();
            var (output, result, _) = RunGenerator(compilation);
            double generatorMs = sw.Elapsed.TotalMilliseconds;
            string source = result.Results.SelectMany(r => r.GeneratedSources).Single().SourceText.ToString();

            using var stream = new MemoryStream();
            sw.Restart();
            var emit = output.Emit(stream);
            double emitMs = sw.Elapsed.TotalMilliseconds;
            var errors = emit.Diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
            bool success = emit.Success && errors.Count == 0;
            string largest = "", errorText = string.Join("; ", errors.Take(5));
            var calls = (FirstStep: double.NaN, SecondStep: double.NaN, FirstTrain: double.NaN, SecondTrain: double.NaN);
            if (success && load)
            {
                var assembly = Assembly.Load(stream.ToArray());
                Type type = assembly.GetType("Consumer." + name, throwOnError: true)!;
                var methods = type.GetMethods(BindingFlags.Instance | BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly)
                    .Select(m => (m.Name, Size: m.GetMethodBody()?.GetILAsByteArray()?.Length ?? 0))
                    .OrderByDescending(m => m.Size).ToList();
                int overLimit = methods.Count(m => m.Size > JitMinOptsIlBytes);
                largest = Invariant($"{methods[0].Size / 1024.0:0.0} KiB ({methods[0].Name})") +
                    (overLimit > 0 ? Invariant($"; {overLimit} method(s) over {JitMinOptsIlBytes} B") : "");
                calls = FirstCalls(type);
            }
            return new EmitResult(success, errorText, Encoding.UTF8.GetByteCount(source), CountLines(source), generatorMs, emitMs, (int)stream.Length, largest, calls.FirstStep, calls.SecondStep, calls.FirstTrain, calls.SecondTrain);
        }

        /// <summary>Wall time of the first call (JIT, workspace set-up) and of the second call of <c>Step</c> and <c>TrainStep</c>.</summary>
        private static (double FirstStep, double SecondStep, double FirstTrain, double SecondTrain) FirstCalls(Type type)
        {
            var model = (ITrainableModel<float, float>)Activator.CreateInstance(type)!;
            MethodInfo step = type.GetMethod("Step", new[] { typeof(float) })!;
            var sw = Stopwatch.StartNew();
            step.Invoke(model, new object[] { 0.5f });
            double firstStep = sw.Elapsed.TotalMilliseconds;
            sw.Restart();
            step.Invoke(model, new object[] { 0.25f });
            double secondStep = sw.Elapsed.TotalMilliseconds;

            var x = TestData.Inputs(ShapeSpec.Steps, 1, seed: 3);
            var y = TestData.Targets(x, 1, 1);
            sw.Restart();
            model.TrainStep(x, y);
            double firstTrain = sw.Elapsed.TotalMilliseconds;
            sw.Restart();
            model.TrainStep(x, y);
            double secondTrain = sw.Elapsed.TotalMilliseconds;
            return (firstStep, secondStep, firstTrain, secondTrain);
        }

        private static int CountLines(string text)
        {
            int n = 1;
            foreach (char c in text) if (c == '\n') n++;
            return n;
        }

        private static double Median(List<double> sorted) => sorted.Count == 0 ? double.NaN
            : sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;

        private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
    }
}
