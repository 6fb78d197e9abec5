using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;
using RnnCodegen.Generator.Diagnostics;
using RnnCodegen.Generator.Emit;
using RnnCodegen.Generator.Model;

namespace RnnCodegen.Generator
{
    /// <summary>
    /// Emits specialised recurrent models into classes marked with [RnnModel], [LstmModel] or [GruModel].
    /// Pipeline: attribute -> <see cref="Parser"/> -> equatable <see cref="ModelSpec"/> (+ diagnostics, reported in their
    /// own step) -> <see cref="Emitter"/>. A class with an error gets no code at all.
    /// </summary>
    [Generator(LanguageNames.CSharp)]
    public sealed class RnnModelGenerator : IIncrementalGenerator
    {
        /// <summary>Tracking names of the pipeline steps (used by the incrementality tests).</summary>
        public static class TrackingNames
        {
            /// <summary>Parse results of [RnnModel] classes.</summary>
            public const string RnnParse = "RnnParse";
            /// <summary>Parse results of [LstmModel] classes.</summary>
            public const string LstmParse = "LstmParse";
            /// <summary>Parse results of [GruModel] classes.</summary>
            public const string GruParse = "GruParse";
            /// <summary>What the consumer's compilation offers (intrinsics, SkipLocalsInit, language version).</summary>
            public const string Target = "Target";
            /// <summary>The names of every model (for unique hint names).</summary>
            public const string Names = "Names";
            /// <summary>Specs paired with the target and the names, the input of the emitter.</summary>
            public const string Emit = "Emit";
        }

        /// <inheritdoc />
        public void Initialize(IncrementalGeneratorInitializationContext context)
        {
            var target = context.CompilationProvider
                .Select(static (compilation, _) => ReadTarget(compilation))
                .WithTrackingName(TrackingNames.Target);

            var rnn = Register(context, Parser.RnnAttribute, Cell.Rnn, TrackingNames.RnnParse);
            var lstm = Register(context, Parser.LstmAttribute, Cell.Lstm, TrackingNames.LstmParse);
            var gru = Register(context, Parser.GruAttribute, Cell.Gru, TrackingNames.GruParse);

            // Every model's name, for hint names that stay unique where Roslyn compares them without regard to case. Editing a
            // model changes its spec but not this list, so the other models stay cached.
            var names = rnn.Collect().Combine(lstm.Collect()).Combine(gru.Collect())
                .Select(static (all, _) => AllNames(all.Left.Left, all.Left.Right, all.Right))
                .WithTrackingName(TrackingNames.Names);

            foreach (var specs in new[] { rnn, lstm, gru })
            {
                var emit = specs.Combine(target).Combine(names).WithTrackingName(TrackingNames.Emit);
                context.RegisterSourceOutput(emit, static (spc, input) => Generate(spc, input.Left.Left, input.Left.Right, input.Right));
            }
        }

        private static IncrementalValuesProvider<ModelSpec> Register(IncrementalGeneratorInitializationContext context, string attribute, Cell cell, string trackingName)
        {
            var results = context.SyntaxProvider.ForAttributeWithMetadataName(
                    attribute,
                    static (node, _) => node is ClassDeclarationSyntax or RecordDeclarationSyntax,
                    (ctx, ct) => Parser.Parse(ctx, cell, ct))
                .WithTrackingName(trackingName);

            // Diagnostics are reported from their own step, independent of the emitted source.
            context.RegisterSourceOutput(results.SelectMany(static (r, _) => r.Diagnostics.Items), static (spc, d) => Report(spc, d));

            return results.Where(static r => r.Spec is not null).Select(static (r, _) => r.Spec!);
        }

        private static EquatableArray<string> AllNames(ImmutableArray<ModelSpec> rnn, ImmutableArray<ModelSpec> lstm, ImmutableArray<ModelSpec> gru)
        {
            var names = new List<string>(rnn.Length + lstm.Length + gru.Length);
            foreach (var group in new[] { rnn, lstm, gru })
                foreach (var spec in group) names.Add(spec.FullName);
            names.Sort(StringComparer.Ordinal);
            return new EquatableArray<string>(names.ToImmutableArray());
        }

        /// <summary>
        /// The file name of a model's source: its full name without '@' escapes (Roslyn refuses '@' in hint names), plus
        /// ".2", ".3"... for the second and later of models whose names differ only in case (Roslyn compares hint names
        /// without regard to case; a number cannot start an identifier, so no model is named like that).
        /// </summary>
        internal static string HintName(string fullName, EquatableArray<string> allNames)
        {
            string plain = fullName.Replace("@", "");
            int rank = 0;
            foreach (string other in allNames)
            {
                if (string.CompareOrdinal(other, fullName) < 0 && string.Equals(other.Replace("@", ""), plain, StringComparison.OrdinalIgnoreCase)) rank++;
            }
            return plain + (rank == 0 ? "" : "." + (rank + 1).ToString(System.Globalization.CultureInfo.InvariantCulture)) + ".g.cs";
        }

        private static TargetInfo ReadTarget(Compilation compilation)
        {
            bool intrinsics = compilation.GetTypeByMetadataName("System.Runtime.Intrinsics.Vector128`1") is not null;
            // [SkipLocalsInit] needs the attribute and unsafe code allowed in the consumer's project (CS0227 otherwise).
            bool skipLocalsInit = compilation.GetTypeByMetadataName("System.Runtime.CompilerServices.SkipLocalsInitAttribute") is not null
                && compilation.Options is CSharpCompilationOptions { AllowUnsafe: true };
            int languageVersion = compilation is CSharpCompilation cs ? (int)cs.LanguageVersion : 0;
            var vector512 = compilation.GetTypeByMetadataName("System.Runtime.Intrinsics.Vector512");
            bool hasVector512 = intrinsics && vector512 is not null && compilation.GetTypeByMetadataName("System.Runtime.InteropServices.MemoryMarshal") is not null;
            bool fma = vector512 is not null && !vector512.GetMembers("FusedMultiplyAdd").IsEmpty;
            return new TargetInfo(intrinsics, skipLocalsInit, languageVersion, hasVector512, fma);
        }

        private static void Report(SourceProductionContext context, DiagnosticInfo info)
        {
            var descriptor = DiagnosticDescriptors.Find(info.Id) ?? DiagnosticDescriptors.InternalError;
            var arguments = new object[info.Arguments.Count];
            for (int i = 0; i < arguments.Length; i++) arguments[i] = info.Arguments[i];
            context.ReportDiagnostic(Diagnostic.Create(descriptor, info.Location?.ToLocation() ?? Location.None, arguments));
        }

        private static void Generate(SourceProductionContext context, ModelSpec spec, TargetInfo target, EquatableArray<string> allNames)
        {
            string source;
            try
            {
                source = Emitter.Emit(spec, target);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.InternalError, Location.None, spec.FullName, ex.GetType().Name + ": " + ex.Message));
                return;
            }
            context.AddSource(HintName(spec.FullName, allNames), SourceText.From(source, System.Text.Encoding.UTF8));
        }
    }
}
