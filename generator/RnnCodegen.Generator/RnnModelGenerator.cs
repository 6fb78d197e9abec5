using System;
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
            /// <summary>Specs paired with the target, the input of the emitter.</summary>
            public const string Emit = "Emit";
        }

        /// <inheritdoc />
        public void Initialize(IncrementalGeneratorInitializationContext context)
        {
            var target = context.CompilationProvider
                .Select(static (compilation, _) => ReadTarget(compilation))
                .WithTrackingName(TrackingNames.Target);

            Register(context, target, Parser.RnnAttribute, Cell.Rnn, TrackingNames.RnnParse);
            Register(context, target, Parser.LstmAttribute, Cell.Lstm, TrackingNames.LstmParse);
            Register(context, target, Parser.GruAttribute, Cell.Gru, TrackingNames.GruParse);
        }

        private static void Register(IncrementalGeneratorInitializationContext context, IncrementalValueProvider<TargetInfo> target, string attribute, Cell cell, string trackingName)
        {
            var results = context.SyntaxProvider.ForAttributeWithMetadataName(
                    attribute,
                    static (node, _) => node is ClassDeclarationSyntax or RecordDeclarationSyntax,
                    (ctx, ct) => Parser.Parse(ctx, cell, ct))
                .WithTrackingName(trackingName);

            // Diagnostics are reported from their own step, independent of the emitted source.
            context.RegisterSourceOutput(results.SelectMany(static (r, _) => r.Diagnostics.Items), static (spc, d) => Report(spc, d));

            var specs = results
                .Where(static r => r.Spec is not null)
                .Select(static (r, _) => r.Spec!)
                .Combine(target)
                .WithTrackingName(TrackingNames.Emit);
            context.RegisterSourceOutput(specs, static (spc, pair) => Generate(spc, pair.Left, pair.Right));
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

        private static void Generate(SourceProductionContext context, ModelSpec spec, TargetInfo target)
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
            context.AddSource(spec.FullName + ".g.cs", SourceText.From(source, System.Text.Encoding.UTF8));
        }
    }
}
