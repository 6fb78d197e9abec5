using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using RnnCodegen.Generator.Diagnostics;

namespace RnnCodegen.Generator
{
    /// <summary>
    /// RNN0019: a training member (TrainStep, AccumulateGradients...) used on a model declared without SequenceLength,
    /// for which the generator emits inference only. Explains the compiler's bare CS1061 with the fix.
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class TrainingWithoutSequenceLengthAnalyzer : DiagnosticAnalyzer
    {
        private static readonly ImmutableHashSet<string> TrainingMembers = ImmutableHashSet.Create(
            "AccumulateGradients", "ApplyGradients", "TrainStep", "ZeroGradients", "CopyGradient", "AccumulateBatch", "TrainBatch",
            "ComputeLoss", "LearningRate", "ClipNorm", "ClipValue", "WeightDecay", "SaveTrainingState", "LoadTrainingState", "OptimizerStepCount");

        /// <inheritdoc />
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(DiagnosticDescriptors.TrainingWithoutSequenceLength);

        /// <inheritdoc />
        public override void Initialize(AnalysisContext context)
        {
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.EnableConcurrentExecution();
            context.RegisterSyntaxNodeAction(Analyze, SyntaxKind.SimpleMemberAccessExpression);
        }

        private static void Analyze(SyntaxNodeAnalysisContext context)
        {
            var access = (MemberAccessExpressionSyntax)context.Node;
            string name = access.Name.Identifier.ValueText;
            if (!TrainingMembers.Contains(name)) return;
            // Only when the member does not exist (the user did not write one of that name themselves).
            if (context.SemanticModel.GetSymbolInfo(access, context.CancellationToken).Symbol is not null) return;
            var type = context.SemanticModel.GetTypeInfo(access.Expression, context.CancellationToken).Type as INamedTypeSymbol;
            if (type is null) return;
            var attribute = type.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() is Parser.RnnAttribute or Parser.LstmAttribute or Parser.GruAttribute);
            if (attribute is null) return;
            bool hasLength = attribute.NamedArguments.Any(a => a.Key == "SequenceLength" && a.Value.Value is int v && v > 0);
            if (hasLength) return;
            string attributeName = attribute.AttributeClass!.Name.Substring(0, attribute.AttributeClass.Name.Length - "Attribute".Length);
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.TrainingWithoutSequenceLength, access.Name.GetLocation(), name, type.Name, attributeName));
        }
    }
}
