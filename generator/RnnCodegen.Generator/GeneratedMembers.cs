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
            // The contract (DESIGN.md).
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
            "_adamM", "_adamV", "_momentumBuffer", "_squareAverage", "_optimizerStep", "_chunkLoss", "_chunkWorkspaces", "s_one",
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

        private static readonly string[] NestedTypes = { "TrainingWorkspace" };

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
