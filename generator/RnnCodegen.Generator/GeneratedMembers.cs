using System;
using System.Collections.Generic;

namespace RnnCodegen.Generator
{
    /// <summary>
    /// The name of every member the emitters can declare in a model class, public or private, for any spec (RNN0020: C# does
    /// not allow a member named like its enclosing type, CS0542). Deliberately spec-independent: a class named like a training
    /// member is refused even when it has no SequenceLength, so adding SequenceLength later never breaks it.
    /// GeneratedMembersTests compiles representative models and fails when the emitters declare a name missing here.
    /// </summary>
    internal static class GeneratedMembers
    {
        /// <summary>In a template, '#' stands for a layer index (0..<see cref="Parser.MaxLayers"/> - 1).</summary>
        private const char LayerIndex = '#';

        private static readonly string[] Constants =
        {
            // The generated API contract (the members users and samples rely on).
            "InputSize", "HiddenSize", "OutputSize", "LayerCount", "SequenceLength", "ParameterCount", "StateSize", "VocabularySize",
            "OutputWidth", "OutputsLastStepOnly",
            // Parameter offsets in the PyTorch layout and in the packed (repacked) layout.
            "PEmbedding", "PWeightIh#", "PWeightHh#", "PBiasIh#", "PBiasHh#", "PWeightCi#", "PWeightCf#", "PWeightCo#", "PDenseWeight", "PDenseBias",
            "QWeights#", "QRecurrent#", "QBias#", "QGates", "QDenseWeight", "QDenseBias",
            // Sizes of buffers.
            "PackedSize", "PaddedHidden", "ScratchSize", "StateStorage", "TapeGateLength", "TapeStateLength", "BatchChunks",
        };

        private static readonly string[] Fields =
        {
            "_parameters", "_packed", "_packedOffset", "_packedStale", "_state", "_forwardState", "_scratch", "_reverse", "_ws",
            "_adamM", "_adamV", "_momentumBuffer", "_squareAverage", "_optimizerStep", "_chunkLoss", "_chunkWorkspaces", "_batchWork", "s_one",
            // The backing fields of the range-checked training settings.
            "_learningRate", "_beta1", "_beta2", "_epsilon", "_momentum", "_alpha", "_weightDecay", "_clipNorm", "_clipValue", "_dropoutRate",
        };

        private static readonly string[] Properties =
        {
            "Description", "ParameterInfos", "SimdPath", "PackedBase",
            "LearningRate", "Beta1", "Beta2", "Epsilon", "Momentum", "Alpha", "WeightDecay", "ClipNorm", "ClipValue", "DropoutRate", "OptimizerStepCount",
        };

        private static readonly string[] Methods =
        {
            // Inference and parameters.
            "Step", "StepCore", "Forward", "ForwardWave", "ResetState", "CopyState", "SetState",
            "InitializeParameters", "CreateInitialParameters", "SetParameter", "SetParameters", "CopyParameter", "CopyParameters", "CheckedParameter",
            "IndexOfParameter", "OnParametersChanged", "SaveParameters", "LoadParameters", "Repack", "PanelColumn", "CheckTokens", "MulAdd",
            // SIMD paths.
            "StepSimd128", "StepSimd256", "StepSimd512", "StepLayer#Simd128", "StepLayer#Simd256", "StepLayer#Simd512",
            "HeadSimd128", "HeadSimd256", "HeadSimd512", "ForwardWaveSimd128", "ForwardWaveSimd256", "ForwardWaveSimd512",
            // Training.
            "AccumulateGradients", "AccumulateCore", "ApplyGradients", "TrainStep", "ZeroGradients", "CopyGradient", "AccumulateBatch", "TrainBatch",
            "ComputeLoss", "LossAndGradient", "Backward", "TrainForwardStep", "TrainHead", "ValidateTrainingData", "SeedDropout",
            "SaveTrainingState", "LoadTrainingState", "RunChunk", "RunChunksInParallel",
            "TrainLayersSimd", "TrainLayersSimd128", "TrainLayersSimd256", "TrainLayersSimd512",
            "TrainLayer#Simd128", "TrainLayer#Simd256", "TrainLayer#Simd512",
            "OuterSum", "OuterSumRows128", "OuterSumRows256", "OuterSumRows512", "OuterSumColumns128", "OuterSumColumns256", "OuterSumColumns512",
        };

        private static readonly string[] NestedTypes = { "TrainingWorkspace", "BatchWork" };

        /// <summary>
        /// Every method signature the emitters can declare, as <see cref="Signature"/> writes it (RNN0022: a user method with one
        /// of these would be declared twice, CS0111, or hide a base class's, CS0108; other overloads are fine).
        /// </summary>
        private static readonly string[] MethodSignatures =
        {
            "AccumulateBatch(ReadOnlyMemory<float>, ReadOnlyMemory<float>, int, int)",
            "AccumulateBatch(ReadOnlyMemory<float>, ReadOnlyMemory<int>, int, int)",
            "AccumulateBatch(ReadOnlyMemory<int>, ReadOnlyMemory<float>, int, int)",
            "AccumulateBatch(ReadOnlyMemory<int>, ReadOnlyMemory<int>, int, int)",
            "AccumulateCore(TrainingWorkspace, ReadOnlySpan<float>, ReadOnlySpan<float>, int, bool)",
            "AccumulateCore(TrainingWorkspace, ReadOnlySpan<float>, ReadOnlySpan<int>, int, bool)",
            "AccumulateCore(TrainingWorkspace, ReadOnlySpan<int>, ReadOnlySpan<float>, int, bool)",
            "AccumulateCore(TrainingWorkspace, ReadOnlySpan<int>, ReadOnlySpan<int>, int, bool)",
            "AccumulateGradients(ReadOnlySpan<float>, ReadOnlySpan<float>)",
            "AccumulateGradients(ReadOnlySpan<float>, ReadOnlySpan<float>, bool)",
            "AccumulateGradients(ReadOnlySpan<float>, ReadOnlySpan<int>)",
            "AccumulateGradients(ReadOnlySpan<float>, ReadOnlySpan<int>, bool)",
            "AccumulateGradients(ReadOnlySpan<int>, ReadOnlySpan<float>)",
            "AccumulateGradients(ReadOnlySpan<int>, ReadOnlySpan<float>, bool)",
            "AccumulateGradients(ReadOnlySpan<int>, ReadOnlySpan<int>)",
            "AccumulateGradients(ReadOnlySpan<int>, ReadOnlySpan<int>, bool)",
            "ApplyGradients(int)",
            "Backward(TrainingWorkspace, int)",
            "CheckTokens(ReadOnlySpan<int>)",
            "CheckedParameter(string, int, string)",
            "ComputeLoss(ReadOnlySpan<float>, ReadOnlySpan<float>)",
            "ComputeLoss(ReadOnlySpan<float>, ReadOnlySpan<int>)",
            "ComputeLoss(ReadOnlySpan<int>, ReadOnlySpan<float>)",
            "ComputeLoss(ReadOnlySpan<int>, ReadOnlySpan<int>)",
            "CopyGradient(string, Span<float>)",
            "CopyParameter(string, Span<float>)",
            "CopyParameters(Span<float>)",
            "CopyState(Span<float>)",
            "CreateInitialParameters()",
            "Forward(ReadOnlySpan<float>, Span<float>)",
            "Forward(ReadOnlySpan<int>, Span<float>)",
            "ForwardWave(ReadOnlySpan<float>, Span<float>, int)",
            "ForwardWaveSimd128(ReadOnlySpan<float>, Span<float>, int)",
            "ForwardWaveSimd256(ReadOnlySpan<float>, Span<float>, int)",
            "ForwardWaveSimd512(ReadOnlySpan<float>, Span<float>, int)",
            "HeadSimd128(ref float, ref float, Span<float>)",
            "HeadSimd256(ref float, ref float, Span<float>)",
            "HeadSimd512(ref float, ref float, Span<float>)",
            "IndexOfParameter(string)",
            "InitializeParameters(int, Initialization)",
            "LoadParameters(Stream)",
            "LoadTrainingState(Stream)",
            "LossAndGradient(TrainingWorkspace, ReadOnlySpan<int>, ReadOnlySpan<float>, int)",
            "MulAdd(Vector128<float>, Vector128<float>, Vector128<float>)",
            "MulAdd(Vector256<float>, Vector256<float>, Vector256<float>)",
            "MulAdd(Vector512<float>, Vector512<float>, Vector512<float>)",
            "OnParametersChanged()",
            "OuterSum(float[], int, int, int, float[], int, int, float[], int, int, int)",
            "OuterSumColumns128(ref float, int, int, ref float, int, ref float, int, int)",
            "OuterSumColumns256(ref float, int, int, ref float, int, ref float, int, int)",
            "OuterSumColumns512(ref float, int, int, ref float, int, ref float, int, int)",
            "OuterSumRows128(ref float, int, int, ref float, int, ref float, int, int)",
            "OuterSumRows256(ref float, int, int, ref float, int, ref float, int, int)",
            "OuterSumRows512(ref float, int, int, ref float, int, ref float, int, int)",
            "PanelColumn(int, int, int, int, out int)",
            "Repack()",
            "ResetState()",
            "RunChunk(int, int, ReadOnlyMemory<float>, ReadOnlyMemory<float>, int, int, int)",
            "RunChunk(int, int, ReadOnlyMemory<float>, ReadOnlyMemory<int>, int, int, int)",
            "RunChunk(int, int, ReadOnlyMemory<int>, ReadOnlyMemory<float>, int, int, int)",
            "RunChunk(int, int, ReadOnlyMemory<int>, ReadOnlyMemory<int>, int, int, int)",
            "RunChunksInParallel(int, int, ReadOnlyMemory<float>, ReadOnlyMemory<float>, int, int, int)",
            "RunChunksInParallel(int, int, ReadOnlyMemory<float>, ReadOnlyMemory<int>, int, int, int)",
            "RunChunksInParallel(int, int, ReadOnlyMemory<int>, ReadOnlyMemory<float>, int, int, int)",
            "RunChunksInParallel(int, int, ReadOnlyMemory<int>, ReadOnlyMemory<int>, int, int, int)",
            "SaveParameters(Stream)",
            "SaveTrainingState(Stream)",
            "SeedDropout(int)",
            "SetParameter(string, ReadOnlySpan<float>)",
            "SetParameters(ReadOnlySpan<float>)",
            "SetState(ReadOnlySpan<float>)",
            "Step(ReadOnlySpan<float>, Span<float>)",
            "Step(float)",
            "Step(int, Span<float>)",
            "StepCore(ReadOnlySpan<float>, Span<float>, Span<float>)",
            "StepLayer#Simd128(ref float, ref float, ref float, ref float)",
            "StepLayer#Simd256(ref float, ref float, ref float, ref float)",
            "StepLayer#Simd256(ref float, ref float, ref float, ref float, bool)",
            "StepLayer#Simd512(ref float, ref float, ref float, ref float)",
            "StepLayer#Simd512(ref float, ref float, ref float, ref float, bool)",
            "StepSimd128(ReadOnlySpan<float>, Span<float>, Span<float>)",
            "StepSimd256(ReadOnlySpan<float>, Span<float>, Span<float>)",
            "StepSimd512(ReadOnlySpan<float>, Span<float>, Span<float>)",
            "TrainBatch(ReadOnlyMemory<float>, ReadOnlyMemory<float>, int, int)",
            "TrainBatch(ReadOnlyMemory<float>, ReadOnlyMemory<int>, int, int)",
            "TrainBatch(ReadOnlyMemory<int>, ReadOnlyMemory<float>, int, int)",
            "TrainBatch(ReadOnlyMemory<int>, ReadOnlyMemory<int>, int, int)",
            "TrainForwardStep(TrainingWorkspace, int, ReadOnlySpan<float>)",
            "TrainForwardStep(TrainingWorkspace, int, int)",
            "TrainHead(TrainingWorkspace, int)",
            "TrainLayer#Simd128(TrainingWorkspace, int)",
            "TrainLayer#Simd256(TrainingWorkspace, int)",
            "TrainLayer#Simd512(TrainingWorkspace, int)",
            "TrainLayersSimd(TrainingWorkspace, int)",
            "TrainLayersSimd128(TrainingWorkspace, int)",
            "TrainLayersSimd256(TrainingWorkspace, int)",
            "TrainLayersSimd512(TrainingWorkspace, int)",
            "TrainStep(ReadOnlySpan<float>, ReadOnlySpan<float>)",
            "TrainStep(ReadOnlySpan<float>, ReadOnlySpan<float>, bool)",
            "TrainStep(ReadOnlySpan<float>, ReadOnlySpan<int>)",
            "TrainStep(ReadOnlySpan<float>, ReadOnlySpan<int>, bool)",
            "TrainStep(ReadOnlySpan<int>, ReadOnlySpan<float>)",
            "TrainStep(ReadOnlySpan<int>, ReadOnlySpan<float>, bool)",
            "TrainStep(ReadOnlySpan<int>, ReadOnlySpan<int>)",
            "TrainStep(ReadOnlySpan<int>, ReadOnlySpan<int>, bool)",
            "ValidateTrainingData(ReadOnlySpan<float>, ReadOnlySpan<float>)",
            "ValidateTrainingData(ReadOnlySpan<float>, ReadOnlySpan<int>)",
            "ValidateTrainingData(ReadOnlySpan<int>, ReadOnlySpan<float>)",
            "ValidateTrainingData(ReadOnlySpan<int>, ReadOnlySpan<int>)",
            "ZeroGradients()",
        };

        /// <summary>Types by name only, keywords for special types, no nullable annotations: "Step(ReadOnlySpan&lt;float&gt;, Span&lt;float&gt;)".</summary>
        private static readonly Microsoft.CodeAnalysis.SymbolDisplayFormat SignatureFormat = new(
            typeQualificationStyle: Microsoft.CodeAnalysis.SymbolDisplayTypeQualificationStyle.NameOnly,
            genericsOptions: Microsoft.CodeAnalysis.SymbolDisplayGenericsOptions.IncludeTypeParameters,
            miscellaneousOptions: Microsoft.CodeAnalysis.SymbolDisplayMiscellaneousOptions.UseSpecialTypes);

        /// <summary>A method's name and parameter types (with ref/out/in), the part of its signature C# compares.</summary>
        internal static string Signature(Microsoft.CodeAnalysis.IMethodSymbol method)
        {
            var parts = new List<string>();
            foreach (var p in method.Parameters)
            {
                string prefix = p.RefKind switch
                {
                    Microsoft.CodeAnalysis.RefKind.Ref => "ref ",
                    Microsoft.CodeAnalysis.RefKind.Out => "out ",
                    Microsoft.CodeAnalysis.RefKind.In => "in ",
                    _ => "",
                };
                parts.Add(prefix + p.Type.ToDisplayString(SignatureFormat));
            }
            return method.Name + "(" + string.Join(", ", parts) + ")";
        }

        /// <summary>Whether the emitters can declare a method with this <see cref="Signature"/> ('#' in a name is a layer index).</summary>
        internal static bool IsGeneratedSignature(string signature)
        {
            int open = signature.IndexOf('(');
            if (open < 0) return false;
            foreach (string template in MethodSignatures)
            {
                int t = template.IndexOf('(');
                if (string.Equals(template.Substring(t), signature.Substring(open), StringComparison.Ordinal) && Matches(template.Substring(0, t), signature.Substring(0, open))) return true;
            }
            return false;
        }

        /// <summary>The signature templates, for the tests.</summary>
        internal static IEnumerable<string> AllSignatures() => MethodSignatures;

        /// <summary>Every (template, kind) pair; the tests read it through <see cref="Describe"/>.</summary>
        internal static IEnumerable<(string Template, string Kind)> All()
        {
            foreach (string name in Constants) yield return (name, "constant");
            foreach (string name in Fields) yield return (name, "field");
            foreach (string name in Properties) yield return (name, "property");
            foreach (string name in Methods) yield return (name, "method");
            foreach (string name in NestedTypes) yield return (name, "nested type");
        }

        /// <summary>
        /// Null when no generated member can have this name; else what it is, for the message: "the method 'Step'",
        /// "the getter of the property 'Alpha'" (accessors are members too: a class named get_Alpha clashes with property Alpha).
        /// </summary>
        public static string? Describe(string name)
        {
            foreach (var (template, kind) in All())
            {
                if (Matches(template, name)) return "the " + kind + " '" + name + "'";
                if (kind == "property")
                {
                    if (name == "get_" + template) return "the getter of the property '" + template + "'";
                    if (name == "set_" + template) return "the setter of the property '" + template + "'";
                }
            }
            return null;
        }

        /// <summary>Whether <paramref name="name"/> is <paramref name="template"/> with each '#' replaced by a layer index.</summary>
        internal static bool Matches(string template, string name)
        {
            int hash = template.IndexOf(LayerIndex);
            if (hash < 0) return string.Equals(template, name, StringComparison.Ordinal);
            string prefix = template.Substring(0, hash), suffix = template.Substring(hash + 1);
            if (name.Length <= prefix.Length + suffix.Length) return false;
            if (!name.StartsWith(prefix, StringComparison.Ordinal) || !name.EndsWith(suffix, StringComparison.Ordinal)) return false;
            string digits = name.Substring(prefix.Length, name.Length - prefix.Length - suffix.Length);
            if (digits.Length > 1 && digits[0] == '0') return false;
            int index = 0;
            foreach (char c in digits)
            {
                if (c < '0' || c > '9') return false;
                index = index * 10 + (c - '0');
                if (index >= Parser.MaxLayers) return false;
            }
            return true;
        }
    }
}
