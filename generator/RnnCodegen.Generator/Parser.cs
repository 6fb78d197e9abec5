using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using RnnCodegen.Generator.Diagnostics;
using RnnCodegen.Generator.Model;

namespace RnnCodegen.Generator
{
    /// <summary>The outcome of parsing one model attribute: a spec (null when there are errors) and the diagnostics.</summary>
    internal sealed record ParseResult(ModelSpec? Spec, EquatableArray<DiagnosticInfo> Diagnostics);

    /// <summary>Turns a model attribute on a class into a <see cref="ModelSpec"/> plus diagnostics. Never throws.</summary>
    internal static class Parser
    {
        public const string RnnAttribute = "RnnCodegen.RnnModelAttribute";
        public const string LstmAttribute = "RnnCodegen.LstmModelAttribute";
        public const string GruAttribute = "RnnCodegen.GruModelAttribute";

        // Limits on sizes; see RNN0003 and RNN0016.
        public const int MaxInput = 4096, MaxHidden = 1024, MaxLayers = 16, MaxOutput = 65536, MaxSequenceLength = 100000, MaxVocabulary = 1000000;
        public const long MaxParameters = 16L * 1024 * 1024;
        public const long MaxTrainingFloats = 64L * 1024 * 1024;

        private static readonly string[] EnumNames = { "Activation", "OutputActivation", "OutputMode", "Loss", "Optimizer" };

        public static ParseResult Parse(GeneratorAttributeSyntaxContext context, Cell cell, CancellationToken cancellationToken)
        {
            string className = context.TargetSymbol.Name;
            try
            {
                return ParseCore(context, cell, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                var location = LocationInfo.From(context.TargetNode is TypeDeclarationSyntax t ? t.Identifier.GetLocation() : context.TargetNode.GetLocation());
                return new ParseResult(null, new EquatableArray<DiagnosticInfo>(ImmutableArray.Create(
                    new DiagnosticInfo(DiagnosticDescriptors.InternalError.Id, location, Args(className, ex.GetType().Name + ": " + ex.Message)))));
            }
        }

        private static EquatableArray<string> Args(params string[] values) => new(ImmutableArray.Create(values));

        private static ParseResult ParseCore(GeneratorAttributeSyntaxContext context, Cell cell, CancellationToken cancellationToken)
        {
            var symbol = (INamedTypeSymbol)context.TargetSymbol;
            var declaration = (TypeDeclarationSyntax)context.TargetNode;
            var attribute = context.Attributes[0];
            var attributeSyntax = attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) as AttributeSyntax;
            var diagnostics = ImmutableArray.CreateBuilder<DiagnosticInfo>();
            bool errors = false;
            var classLocation = LocationInfo.From(declaration.Identifier.GetLocation());
            var attributeLocation = LocationInfo.From(attributeSyntax) ?? classLocation;

            void Report(DiagnosticDescriptor descriptor, LocationInfo? location, params string[] arguments)
            {
                diagnostics.Add(new DiagnosticInfo(descriptor.Id, location, Args(arguments)));
                if (descriptor.DefaultSeverity == DiagnosticSeverity.Error) errors = true;
            }

            // Two model attributes on one class: the pipeline of the first one reports it, nobody emits.
            var modelAttributes = symbol.GetAttributes().Where(a => IsModelAttribute(a.AttributeClass)).ToList();
            if (modelAttributes.Count > 1)
            {
                // The same attribute class on two partial parts runs this once per part: only the part that holds the first reports.
                var first = modelAttributes[0].ApplicationSyntaxReference;
                bool firstIsHere = first is null || (first.SyntaxTree == declaration.SyntaxTree && declaration.Span.Contains(first.Span));
                if (!SymbolEqualityComparer.Default.Equals(modelAttributes[0].AttributeClass, attribute.AttributeClass) || !firstIsHere)
                {
                    return new ParseResult(null, EquatableArray<DiagnosticInfo>.Empty);
                }
                for (int i = 1; i < modelAttributes.Count; i++)
                {
                    var second = modelAttributes[i].ApplicationSyntaxReference?.GetSyntax(cancellationToken);
                    Report(DiagnosticDescriptors.TwoModelAttributes, LocationInfo.From(second) ?? classLocation,
                        symbol.Name, ShortName(modelAttributes[0].AttributeClass), ShortName(modelAttributes[i].AttributeClass));
                }
                return new ParseResult(null, new EquatableArray<DiagnosticInfo>(diagnostics.ToImmutable()));
            }

            // The generated code needs C# 8 (nullable annotations) and, where it emits the SIMD paths (the compilation has
            // System.Runtime.Intrinsics), C# 9 (nuint offsets); an older version would fail inside it.
            if (declaration.SyntaxTree.Options is CSharpParseOptions parseOptions && parseOptions.LanguageVersion < LanguageVersion.CSharp9)
            {
                bool simd = context.SemanticModel.Compilation.GetTypeByMetadataName("System.Runtime.Intrinsics.Vector128`1") is not null;
                if (simd || parseOptions.LanguageVersion < LanguageVersion.CSharp8)
                {
                    Report(DiagnosticDescriptors.LanguageVersionTooLow, attributeLocation, symbol.Name, parseOptions.LanguageVersion.ToDisplayString(),
                        simd ? "9" : "8", simd ? "nuint in the SIMD code for this target" : "nullable annotations");
                }
            }

            // The class and its containers.
            if (!declaration.Modifiers.Any(SyntaxKind.PartialKeyword))
            {
                Report(DiagnosticDescriptors.NotPartial, classLocation, symbol.Name, "");
            }
            var containing = ImmutableArray.CreateBuilder<ContainingType>();
            for (var outer = symbol.ContainingType; outer is not null; outer = outer.ContainingType)
            {
                var outerSyntax = outer.DeclaringSyntaxReferences.Select(r => r.GetSyntax(cancellationToken)).OfType<TypeDeclarationSyntax>().ToList();
                if (outerSyntax.Count > 0 && !outerSyntax.Any(s => s.Modifiers.Any(SyntaxKind.PartialKeyword)))
                {
                    Report(DiagnosticDescriptors.NotPartial, classLocation, symbol.Name, ", and so must its containing type '" + outer.Name + "'");
                }
                if (outer.IsGenericType)
                {
                    Report(DiagnosticDescriptors.Generic, classLocation, symbol.Name, "is nested in the generic type '" + outer.Name + "'");
                }
                containing.Insert(0, new ContainingType(outerSyntax.Count > 0 ? Keyword(outerSyntax[0]) : "class", Identifier(outer.Name)));
            }
            if (symbol.TypeParameters.Length > 0)
            {
                Report(DiagnosticDescriptors.Generic, classLocation, symbol.Name, "is generic");
            }
            if (symbol.IsStatic)
            {
                Report(DiagnosticDescriptors.StaticClass, classLocation, symbol.Name);
            }
            // A class named like a member the generator declares in it (Step, Description...) would fail with CS0542 in the generated file.
            if (GeneratedMembers.Describe(symbol.Name) is string member)
            {
                Report(DiagnosticDescriptors.NameClash, classLocation, symbol.Name, member);
            }

            ReportMemberClashes(symbol, classLocation, (location, arguments) => Report(DiagnosticDescriptors.MemberClash, location, arguments), cancellationToken);

            // An attribute that does not compile (an argument of the wrong type, an undefined name, no such constructor): the
            // compiler reports it and the build stops there. Its values are unknown (Roslyn gives no value, or a converted one),
            // so nothing is said about them (no "Hidden = 0 is out of range" the user never wrote) and no code is generated.
            if (HasErrors(attribute, attributeSyntax, context.SemanticModel, cancellationToken))
            {
                return new ParseResult(null, new EquatableArray<DiagnosticInfo>(diagnostics.ToImmutable()));
            }

            // Named arguments, with the location of each for diagnostics.
            var arguments = new Dictionary<string, TypedConstant>(StringComparer.Ordinal);
            foreach (var pair in attribute.NamedArguments) arguments[pair.Key] = pair.Value;
            LocationInfo? Where(string name)
            {
                var argument = attributeSyntax?.ArgumentList?.Arguments.FirstOrDefault(a => a.NameEquals?.Name.Identifier.Text == name);
                return argument is null ? attributeLocation : LocationInfo.From(argument) ?? attributeLocation;
            }
            bool Has(string name) => arguments.ContainsKey(name);
            int Int(string name, int fallback) => arguments.TryGetValue(name, out var c) && c.Value is int v ? v : fallback;
            bool Bool(string name, bool fallback) => arguments.TryGetValue(name, out var c) && c.Value is bool v ? v : fallback;
            double Double(string name, double fallback) => arguments.TryGetValue(name, out var c) && c.Value is double v ? v : fallback;

            int input = Int("Input", 0), hidden = Int("Hidden", 0), layers = Int("Layers", 1), output = Int("Output", 0);
            int sequenceLength = Int("SequenceLength", 0), vocabulary = Int("Vocabulary", 0);
            void Range(string name, int value, int min, int max, bool required)
            {
                if (value < min || value > max)
                {
                    string range = min.ToString(CultureInfo.InvariantCulture) + ".." + max.ToString(CultureInfo.InvariantCulture) + (required && !Has(name) ? " (it is required)" : "");
                    Report(DiagnosticDescriptors.SizeOutOfRange, Where(name), name, value.ToString(CultureInfo.InvariantCulture), range);
                }
            }
            Range("Input", input, 1, MaxInput, true);
            Range("Hidden", hidden, 1, MaxHidden, true);
            Range("Layers", layers, 1, MaxLayers, false);
            Range("Output", output, 0, MaxOutput, false);
            Range("SequenceLength", sequenceLength, 0, MaxSequenceLength, false);
            Range("Vocabulary", vocabulary, 0, MaxVocabulary, false);

            // Enum values must be defined members.
            var enumMaxima = new Dictionary<string, int> { ["Activation"] = 1, ["OutputActivation"] = 3, ["OutputMode"] = 1, ["Loss"] = 2, ["Optimizer"] = 3 };
            foreach (string name in EnumNames)
            {
                if (arguments.TryGetValue(name, out var c) && c.Value is int v && (v < 0 || v > enumMaxima[name]))
                {
                    Report(DiagnosticDescriptors.InvalidEnumValue, Where(name), name, v.ToString(CultureInfo.InvariantCulture), "RnnCodegen." + name);
                }
            }
            int activation = Int("Activation", 0), outputActivation = Int("OutputActivation", 0), outputMode = Int("OutputMode", 0);
            int loss = Int("Loss", 0), optimizer = Int("Optimizer", ModelSpec.OptimizerAdam);
            bool peephole = Bool("Peephole", false), resetAfter = Bool("ResetAfter", true);

            // Cell-specific settings on the wrong cell.
            string cellName = cell == Cell.Lstm ? "LSTM" : cell == Cell.Gru ? "GRU" : "vanilla RNN";
            if (peephole && cell != Cell.Lstm) Report(DiagnosticDescriptors.PeepholeNotLstm, Where("Peephole"), symbol.Name, cellName);
            if (activation != 0 && cell != Cell.Rnn) Report(DiagnosticDescriptors.ActivationNotRnn, Where("Activation"), symbol.Name, cellName);
            if (!resetAfter && cell != Cell.Gru) Report(DiagnosticDescriptors.ResetAfterNotGru, Where("ResetAfter"), symbol.Name, cellName);

            // The head, the output activation and the loss.
            string[] activationNames = { "OutputActivation.Identity", "OutputActivation.Sigmoid", "OutputActivation.Tanh", "OutputActivation.Softmax" };
            string[] lossNames = { "Loss.MeanSquaredError", "Loss.BinaryCrossEntropy", "Loss.CrossEntropy" };
            string ActivationName(int v) => v >= 0 && v < activationNames.Length ? activationNames[v] : v.ToString(CultureInfo.InvariantCulture);
            if (output == 0)
            {
                // An undefined value (OutputActivation = (OutputActivation)7) already has its RNN0018.
                if (outputActivation != ModelSpec.OutputActivationIdentity && outputActivation >= 0 && outputActivation < activationNames.Length)
                    Report(DiagnosticDescriptors.NeedsHead, Where("OutputActivation"), ActivationName(outputActivation), "");
                if (loss == ModelSpec.LossBce || loss == ModelSpec.LossCrossEntropy)
                    Report(DiagnosticDescriptors.NeedsHead, Where("Loss"), lossNames[loss], outputMode == 1 ? "; with OutputMode.Last and no head the loss would apply to the last hidden state" : "");
            }
            else
            {
                if (outputActivation == ModelSpec.OutputActivationSoftmax && output < 2)
                    Report(DiagnosticDescriptors.SoftmaxNeedsTwoOutputs, Where("Output"), output.ToString(CultureInfo.InvariantCulture));
                if (loss == ModelSpec.LossCrossEntropy && outputActivation != ModelSpec.OutputActivationSoftmax)
                    Report(DiagnosticDescriptors.CrossEntropyNeedsSoftmax, Where("Loss"), ActivationName(outputActivation));
                if (loss == ModelSpec.LossBce && outputActivation != ModelSpec.OutputActivationSigmoid)
                    Report(DiagnosticDescriptors.BinaryCrossEntropyNeedsSigmoid, Where("Loss"), ActivationName(outputActivation));
            }

            // Optimizer settings.
            double learningRate = Double("LearningRate", 0), beta1 = Double("Beta1", 0.9), beta2 = Double("Beta2", 0.999);
            double epsilon = Double("Epsilon", 1e-8), momentum = Double("Momentum", 0.9), alpha = Double("Alpha", 0.99);
            double weightDecay = Double("WeightDecay", 0), clipNorm = Double("ClipNorm", 0), clipValue = Double("ClipValue", 0), dropout = Double("Dropout", 0);
            var outOfRange = new HashSet<string>(StringComparer.Ordinal);
            // The generated code holds every setting as a float: the checks apply to the value it will hold, so 1e39 (infinity
            // as a float), 1e-50 (0 as a float) and 0.9999999999 (1 as a float) are refused rather than emitted.
            void NonNegative(string name, double value, DiagnosticDescriptor descriptor)
            {
                float f = (float)value;
                string? expected =
                    !(value >= 0) || double.IsInfinity(value) ? (descriptor == DiagnosticDescriptors.ClipOutOfRange ? ">= 0 (0 turns clipping off)" : "a finite number >= 0" + (name == "LearningRate" ? " (0 = the optimizer's default)" : ""))
                    : float.IsInfinity(f) ? "at most " + FloatMax + " (the largest float)"
                    : value > 0 && f == 0 ? "0 or at least " + FloatMin + " (the smallest float; this value would be 0)"
                    : null;
                if (expected is null) return;
                outOfRange.Add(name);
                Report(descriptor, Where(name), name, Format(value), expected);
            }
            // Epsilon must be positive: with 0, Adam and RMSprop compute 0 / 0 = NaN for a parameter whose gradients have all been 0.
            void Positive(string name, double value)
            {
                float f = (float)value;
                string? expected =
                    !(value > 0) || double.IsInfinity(value) ? "a finite number > 0 (with 0, a parameter whose gradients have all been 0 becomes NaN)"
                    : float.IsInfinity(f) ? "at most " + FloatMax + " (the largest float)"
                    : f == 0 ? "at least " + FloatMin + " (the smallest float; this value would be 0)"
                    : null;
                if (expected is null) return;
                outOfRange.Add(name);
                Report(DiagnosticDescriptors.HyperparameterOutOfRange, Where(name), name, Format(value), expected);
            }
            void UnitInterval(string name, double value, bool includeOne)
            {
                float f = (float)value;
                if (!(value >= 0) || (includeOne ? f > 1 : f >= 1))
                {
                    outOfRange.Add(name);
                    Report(DiagnosticDescriptors.HyperparameterOutOfRange, Where(name), name, Format(value), (includeOne ? "in [0, 1]" : "in [0, 1)") + (value < 1 && f >= 1 ? " (as a float it is 1)" : ""));
                }
            }
            NonNegative("LearningRate", learningRate, DiagnosticDescriptors.HyperparameterOutOfRange);
            UnitInterval("Beta1", beta1, false);
            UnitInterval("Beta2", beta2, false);
            Positive("Epsilon", epsilon);
            UnitInterval("Momentum", momentum, false);
            UnitInterval("Alpha", alpha, true);
            NonNegative("WeightDecay", weightDecay, DiagnosticDescriptors.HyperparameterOutOfRange);
            NonNegative("ClipNorm", clipNorm, DiagnosticDescriptors.ClipOutOfRange);
            NonNegative("ClipValue", clipValue, DiagnosticDescriptors.ClipOutOfRange);
            // Nesterov momentum needs a momentum (PyTorch's SGD raises "Nesterov momentum requires a momentum and zero dampening").
            bool nesterov = Bool("Nesterov", false);
            if (optimizer == ModelSpec.OptimizerMomentum && nesterov && (float)momentum == 0)
            {
                outOfRange.Add("Momentum");
                Report(DiagnosticDescriptors.HyperparameterOutOfRange, Where("Momentum"), "Momentum", Format(momentum), "in (0, 1) with Nesterov = true (Nesterov momentum needs a momentum, as in PyTorch)");
            }

            // Settings written in the attribute that this optimizer or loss does not use. Defaults never warn, a value out of range
            // already has its error, and a switch written as false is what the other optimizers do anyway.
            string[] optimizerNames = { "Optimizer.Sgd", "Optimizer.Momentum", "Optimizer.Adam", "Optimizer.RmsProp" };
            void NoEffect(string name, bool applies, string what, string uses)
            {
                if (applies || !arguments.TryGetValue(name, out var c) || outOfRange.Contains(name)) return;
                string value;
                if (c.Value is bool b) { if (!b) return; value = "true"; }
                else if (c.Value is double d) value = Format(d);
                else if (c.Value is int i) value = i.ToString(CultureInfo.InvariantCulture);
                else return;
                Report(DiagnosticDescriptors.NoEffect, Where(name), name, value, what, uses);
            }
            if (optimizer >= 0 && optimizer < optimizerNames.Length)
            {
                string uses = optimizerNames[optimizer];
                NoEffect("Beta1", optimizer == ModelSpec.OptimizerAdam, "Adam's first-moment decay", uses);
                NoEffect("Beta2", optimizer == ModelSpec.OptimizerAdam, "Adam's second-moment decay", uses);
                NoEffect("Epsilon", optimizer == ModelSpec.OptimizerAdam || optimizer == ModelSpec.OptimizerRmsProp, "Adam's and RMSprop's denominator term", uses);
                NoEffect("Momentum", optimizer == ModelSpec.OptimizerMomentum, "the momentum factor of Optimizer.Momentum", uses);
                NoEffect("Nesterov", optimizer == ModelSpec.OptimizerMomentum, "a variant of Optimizer.Momentum", uses);
                NoEffect("Alpha", optimizer == ModelSpec.OptimizerRmsProp, "RMSprop's smoothing constant", uses);
                NoEffect("DecoupledWeightDecay", optimizer == ModelSpec.OptimizerAdam, "Adam's switch to AdamW", uses);
            }
            if (loss >= 0 && loss < lossNames.Length)
            {
                NoEffect("IgnoreIndex", loss == ModelSpec.LossCrossEntropy, "the class id that Loss.CrossEntropy skips", lossNames[loss]);
            }

            if (!(dropout >= 0 && (float)dropout < 1))
                Report(DiagnosticDescriptors.DropoutOutOfRange, Where("Dropout"), Format(dropout), dropout < 1 && dropout >= 0 ? " (as a float it is 1)" : "");
            else if (dropout > 0 && layers == 1)
                Report(DiagnosticDescriptors.DropoutSingleLayer, Where("Dropout"), Format(dropout));

            var spec = new ModelSpec(
                symbol.ContainingNamespace is { IsGlobalNamespace: false } ns ? ns.ToDisplayString() : null,
                Identifier(symbol.Name),
                Keyword(declaration),
                new EquatableArray<ContainingType>(containing.ToImmutable()),
                cell, input, hidden, layers, output, outputActivation, outputMode, sequenceLength, vocabulary,
                cell == Cell.Rnn ? activation : 0, cell == Cell.Lstm && peephole, cell != Cell.Gru || resetAfter,
                loss, optimizer, learningRate, beta1, beta2, epsilon, momentum, nesterov, alpha, weightDecay,
                Bool("DecoupledWeightDecay", false), clipNorm, clipValue, dropout, Int("IgnoreIndex", -100));

            // Size limits, once the sizes themselves are valid.
            if (!errors)
            {
                long parameters = spec.ParameterCount;
                if (parameters > MaxParameters)
                    Report(DiagnosticDescriptors.TooLarge, attributeLocation, parameters.ToString(CultureInfo.InvariantCulture), "parameters", MaxParameters.ToString(CultureInfo.InvariantCulture));
                long training = Emit.Layout.TrainingFloats(spec);
                if (training > MaxTrainingFloats)
                    Report(DiagnosticDescriptors.TooLarge, Where("SequenceLength"), training.ToString(CultureInfo.InvariantCulture), "floats of training buffers (SequenceLength x layers x gates)", MaxTrainingFloats.ToString(CultureInfo.InvariantCulture));
            }

            return new ParseResult(errors ? null : spec, new EquatableArray<DiagnosticInfo>(diagnostics.ToImmutable()));
        }

        /// <summary>
        /// RNN0022: members of the class (any part the user wrote) and accessible members of its base classes that are named
        /// like a generated member would clash with it inside the generated code (CS0102, CS0108, CS0082, CS0111). A method named
        /// like a generated method clashes only with the same parameter types (another overload is fine); a base class that is
        /// itself a model is one diagnostic.
        /// </summary>
        private static void ReportMemberClashes(INamedTypeSymbol symbol, LocationInfo? classLocation, Action<LocationInfo?, string[]> report, CancellationToken cancellationToken)
        {
            // What the user's member is called in the message ("The method 'ResetState()'") and what it clashes with, or null.
            (string User, string Generated)? Clash(ISymbol member)
            {
                if (member.IsImplicitlyDeclared) return null;
                if (member is IMethodSymbol method && method.MethodKind != MethodKind.Ordinary) return null; // constructors, accessors, operators
                if (GeneratedMembers.Describe(member.Name) is not string generated) return null;
                if (member is IMethodSymbol userMethod && generated.StartsWith("the method ", StringComparison.Ordinal))
                {
                    // An overload is fine; the same parameter types would declare the method twice (or hide the base class's).
                    string signature = GeneratedMembers.Signature(userMethod);
                    return GeneratedMembers.IsGeneratedSignature(signature) ? ("The method '" + signature + "'", "the method '" + signature + "'") : null;
                }
                string kind = member switch
                {
                    IFieldSymbol f => f.IsConst ? "The constant" : "The field",
                    IPropertySymbol => "The property",
                    IMethodSymbol => "The method",
                    IEventSymbol => "The event",
                    INamedTypeSymbol => "The nested type",
                    _ => "The member",
                };
                return (kind + " '" + member.Name + "'", generated);
            }
            foreach (var member in symbol.GetMembers())
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (Clash(member) is not { } clash) continue;
                var location = member.Locations.FirstOrDefault(l => l.IsInSource);
                report(location is null ? classLocation : LocationInfo.From(location) ?? classLocation, new[] { clash.User, clash.Generated, symbol.Name, "; rename it" });
            }
            for (var baseType = symbol.BaseType; baseType is not null && baseType.SpecialType != SpecialType.System_Object; baseType = baseType.BaseType)
            {
                if (baseType.GetAttributes().Any(a => IsModelAttribute(a.AttributeClass)))
                {
                    report(classLocation, new[] { "The base class '" + baseType.Name + "'", "every member", symbol.Name, ": a model class cannot derive from another model class (a common base class without a model attribute can hold what they share)" });
                    return;
                }
                foreach (var member in baseType.GetMembers())
                {
                    if (member.DeclaredAccessibility == Accessibility.Private) continue;
                    if (Clash(member) is not { } clash) continue;
                    report(classLocation, new[] { clash.User + " of the base class '" + baseType.Name + "'", clash.Generated, symbol.Name, "; rename it or derive from another class" });
                }
            }
        }

        /// <summary>True when the attribute has a compiler error: unbound constructor, an argument without a constant value, or any error in its syntax.</summary>
        private static bool HasErrors(AttributeData attribute, AttributeSyntax? syntax, SemanticModel semanticModel, CancellationToken cancellationToken)
        {
            if (attribute.AttributeConstructor is null) return true;
            foreach (var argument in attribute.ConstructorArguments)
            {
                if (argument.Kind == TypedConstantKind.Error) return true;
            }
            foreach (var pair in attribute.NamedArguments)
            {
                if (pair.Value.Kind == TypedConstantKind.Error) return true;
            }
            // Some errors leave a value behind: Hidden = 2.5 (CS0266) reads as 2, Loss = 2 (CS0266) as Loss.CrossEntropy,
            // an unknown name (CS0246) or a repeated one (CS0643) is dropped or doubled. The compiler's diagnostics in the span decide.
            if (syntax is null) return false;
            if (syntax.ContainsDiagnostics) return true;
            var model = syntax.SyntaxTree == semanticModel.SyntaxTree ? semanticModel : semanticModel.Compilation.GetSemanticModel(syntax.SyntaxTree);
            return model.GetDiagnostics(syntax.Span, cancellationToken).Any(d => d.Severity == DiagnosticSeverity.Error);
        }

        private static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);

        // Written out: float.ToString("R") differs between .NET Framework hosts (Visual Studio) and .NET.
        private const string FloatMax = "3.4028235E+38", FloatMin = "1.4E-45";

        private static bool IsModelAttribute(INamedTypeSymbol? type)
        {
            if (type is null) return false;
            string name = type.ToDisplayString();
            return name == RnnAttribute || name == LstmAttribute || name == GruAttribute;
        }

        private static string ShortName(INamedTypeSymbol? type)
        {
            string name = type?.Name ?? "?";
            return name.EndsWith("Attribute", StringComparison.Ordinal) ? name.Substring(0, name.Length - "Attribute".Length) : name;
        }

        /// <summary>A name as C# source must write it: keywords (a class named <c>@event</c>) with their '@'.</summary>
        private static string Identifier(string name) => SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None ? "@" + name : name;

        private static string Keyword(TypeDeclarationSyntax declaration) => declaration switch
        {
            RecordDeclarationSyntax r when r.ClassOrStructKeyword.IsKind(SyntaxKind.StructKeyword) => "record struct",
            RecordDeclarationSyntax => "record",
            StructDeclarationSyntax => "struct",
            InterfaceDeclarationSyntax => "interface",
            _ => "class",
        };
    }
}
