using System;
using System.Collections.Generic;
using System.IO;
using static TorchSharp.torch;

namespace FixtureGen
{
    /// <summary>Draws, runs and writes the inference and training fixtures.</summary>
    internal static class Generator
    {
        public static void WriteAll(string outDirectory, string? filter)
        {
            int written = 0;
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var spec in Catalogue.Inference())
            {
                if (!names.Add("inference/" + spec.Name)) throw new InvalidOperationException($"duplicate fixture {spec.Name}");
                if (filter is not null && !spec.Name.Contains(filter, StringComparison.Ordinal)) continue;
                using var scope = NewDisposeScope();
                WriteInference(Path.Combine(outDirectory, "inference", spec.Name + ".json"), spec);
                written++;
            }
            foreach (var (spec, training) in Catalogue.Training())
            {
                if (!names.Add("training/" + spec.Name)) throw new InvalidOperationException($"duplicate fixture {spec.Name}");
                if (filter is not null && !spec.Name.Contains(filter, StringComparison.Ordinal)) continue;
                using var scope = NewDisposeScope();
                WriteTraining(Path.Combine(outDirectory, "training", spec.Name + ".json"), spec, training);
                written++;
            }
            foreach (var batch in Catalogue.Batch())
            {
                string name = batch.Model.Name;
                if (!names.Add("batch/" + name)) throw new InvalidOperationException($"duplicate fixture {name}");
                if (filter is not null && !name.Contains(filter, StringComparison.Ordinal)) continue;
                using var scope = NewDisposeScope();
                WriteBatch(Path.Combine(outDirectory, "batch", name + ".json"), batch);
                written++;
            }
            Console.WriteLine($"wrote {written} fixtures under {Path.GetFullPath(outDirectory)}");

            foreach (string kind in new[] { "inference", "training", "batch" })
            {
                string directory = Path.Combine(outDirectory, kind);
                if (!Directory.Exists(directory)) continue;
                foreach (string file in Directory.EnumerateFiles(directory, "*.json"))
                    if (!names.Contains(kind + "/" + Path.GetFileNameWithoutExtension(file)))
                        Console.WriteLine($"warning: {file} is not in the catalogue (left alone)");
            }
        }

        private static void WriteInference(string path, ModelSpec spec)
        {
            var sampler = new Sampler(Sampler.SeedFor(spec.Name));
            var parameters = sampler.Parameters(spec);
            double[]? inputs = spec.Vocabulary > 0 ? null : sampler.Inputs(spec);
            long[]? tokens = spec.Vocabulary > 0 ? sampler.Tokens(spec) : null;

            var model = TorchModel.Create(spec, parameters);
            ForwardResult forward;
            using (no_grad()) forward = model.Forward(inputs, tokens);
            double[] outputs = TorchModel.ToArray(forward.Outputs);
            double[] finalH = TorchModel.ToArray(forward.FinalH);
            double[]? finalC = forward.FinalC is null ? null : TorchModel.ToArray(forward.FinalC);
            Sanity(spec, outputs, finalH);

            using var json = new FixtureJson(path);
            WriteSpec(json, spec, Sampler.SeedFor(spec.Name), model.UsesTorchModule);
            WriteData(json, parameters, inputs, tokens);
            json.Vector("outputs", outputs);
            json.Vector("finalH", finalH);
            if (finalC is not null) json.Vector("finalC", finalC);
            json.Complete();
            Console.WriteLine($"inference/{spec.Name}.json  ({(model.UsesTorchModule ? "nn." + spec.Cell.ToString().ToUpperInvariant() : "manual cell")}, {spec.Steps} steps)");
        }

        private static void WriteTraining(string path, ModelSpec spec, TrainingSpec training)
        {
            spec.Validate();
            training.Validate(spec);
            var sampler = new Sampler(Sampler.SeedFor(spec.Name));
            var parameters = sampler.Parameters(spec);
            double[]? inputs = spec.Vocabulary > 0 ? null : sampler.Inputs(spec);
            long[]? tokens = spec.Vocabulary > 0 ? sampler.Tokens(spec) : null;
            Targets targets = training.Loss switch
            {
                LossKind.MeanSquaredError => new Targets(sampler.RegressionTargets(spec), null),
                LossKind.BinaryCrossEntropy => new Targets(sampler.BinaryTargets(spec), null),
                _ => new Targets(null, sampler.Classes(spec, training.IgnoreIndex)),
            };

            Console.WriteLine($"training/{spec.Name}.json  ({spec.Steps} steps)");
            var result = Trainer.Run(spec, training, parameters, inputs, tokens, targets);
            Sanity(spec, result.Outputs, result.FinalH);

            using var json = new FixtureJson(path);
            WriteSpec(json, spec, Sampler.SeedFor(spec.Name), spec.IsStandardCell);
            WriteTrainingSettings(json, training);
            WriteData(json, parameters, inputs, tokens);
            if (targets.Values is not null) json.Vector("targets", targets.Values);
            if (targets.Classes is not null) json.Integers("classes", targets.Classes);
            json.Number("lossValue", result.LossValue);
            json.Vector("outputs", result.Outputs);
            json.Vector("finalH", result.FinalH);
            if (result.FinalC is not null) json.Vector("finalC", result.FinalC);
            json.Tensors("gradients", result.Gradients);
            json.Tensors("after1", result.After1);
            json.Tensors("after2", result.After2);
            json.Complete();
        }

        private static void WriteBatch(string path, BatchSpec batch)
        {
            batch.Validate();
            ModelSpec spec = batch.Model;
            TrainingSpec training = batch.Training;
            var sampler = new Sampler(Sampler.SeedFor(spec.Name));
            var parameters = sampler.Parameters(spec);
            double[] inputs = sampler.Uniform(batch.Sequences * spec.Steps * spec.Input, -2.0, 2.0);
            // Float targets, rows*width per sequence, drawn after the inputs (a cross-entropy batch has its classes in the spec).
            double[]? targets = null;
            if (training.Loss != LossKind.CrossEntropy)
            {
                var all = new List<double>();
                for (int b = 0; b < batch.Sequences; b++)
                    all.AddRange(training.Loss == LossKind.BinaryCrossEntropy ? sampler.BinaryTargets(spec) : sampler.RegressionTargets(spec));
                targets = all.ToArray();
                if (training.Loss == LossKind.BinaryCrossEntropy && (!all.Contains(0) || !all.Contains(1)))
                    throw new InvalidOperationException($"{spec.Name}: the binary targets are all {all[0]}; pick another shape");
            }

            Console.WriteLine($"batch/{spec.Name}.json  ({batch.Sequences} sequences of {spec.Steps} steps, {batch.OptimizerSteps} optimizer step(s))");
            var result = Trainer.RunBatch(batch, parameters, inputs, targets);

            using var json = new FixtureJson(path);
            WriteSpec(json, spec, Sampler.SeedFor(spec.Name), spec.IsStandardCell);
            json.Number("sequences", batch.Sequences);
            WriteTrainingSettings(json, training);
            json.Tensors("stateDict", parameters);
            // One row per sequence: steps*input inputs (step-major), and rows*width targets or rows classes.
            json.Tensor("inputs", new TensorData(new[] { batch.Sequences, spec.Steps * spec.Input }, inputs));
            if (targets is not null) json.Tensor("targets", new TensorData(new[] { batch.Sequences, spec.Rows * spec.Width }, targets));
            else json.IntegerRows("classes", batch.Classes!);
            json.Number("lossValue", result.LossValue);
            json.Tensors("gradients", result.Gradients);
            json.Tensors("after1", result.After1);
            if (result.After2 is not null) json.Tensors("after2", result.After2);
            json.Complete();
        }

        private static void WriteTrainingSettings(FixtureJson json, TrainingSpec training)
        {
            json.String("loss", training.Loss.ToString());
            json.String("optimizer", training.Optimizer.ToString());
            json.Number("learningRate", training.LearningRate);
            json.Number("beta1", training.Beta1);
            json.Number("beta2", training.Beta2);
            json.Number("epsilon", training.Epsilon);
            json.Number("momentum", training.Momentum);
            json.Bool("nesterov", training.Nesterov);
            json.Number("alpha", training.Alpha);
            json.Number("weightDecay", training.WeightDecay);
            json.Bool("decoupledWeightDecay", training.DecoupledWeightDecay);
            json.Number("clipNorm", training.ClipNorm);
            json.Number("clipValue", training.ClipValue);
            json.Number("ignoreIndex", training.IgnoreIndex);
        }

        private static void WriteSpec(FixtureJson json, ModelSpec spec, int seed, bool torchModule)
        {
            json.String("name", spec.Name);
            json.String("generator", "tools/FixtureGen: TorchSharp 0.107.0 (libtorch), float64; "
                + (torchModule ? $"nn.{spec.Cell.ToString().ToUpperInvariant()}" : "torch ops (no PyTorch module for this cell)"));
            json.Number("seed", seed);
            json.String("cell", spec.Cell.ToString());
            json.String("activation", spec.Activation.ToString());
            json.Bool("peephole", spec.Peephole);
            json.Bool("resetAfter", spec.ResetAfter);
            json.Number("input", spec.Input);
            json.Number("hidden", spec.Hidden);
            json.Number("layers", spec.Layers);
            json.Number("output", spec.Output);
            json.String("outputActivation", spec.OutputActivation.ToString());
            json.String("outputMode", spec.OutputMode.ToString());
            json.Number("vocabulary", spec.Vocabulary);
            json.Number("steps", spec.Steps);
        }

        private static void WriteData(FixtureJson json, OrderedDictionary<string, TensorData> parameters, double[]? inputs, long[]? tokens)
        {
            json.Tensors("stateDict", parameters);
            if (inputs is not null) json.Vector("inputs", inputs);
            if (tokens is not null) json.Integers("tokens", tokens);
        }

        /// <summary>Properties every fixture must have whatever the weights: softmax rows sum to 1, etc.</summary>
        private static void Sanity(ModelSpec spec, double[] outputs, double[] finalH)
        {
            if (outputs.Length != spec.Rows * spec.Width || finalH.Length != spec.Layers * spec.Hidden)
                throw new InvalidOperationException($"{spec.Name}: wrong output sizes");
            for (int r = 0; r < spec.Rows; r++)
            {
                double sum = 0;
                for (int j = 0; j < spec.Width; j++)
                {
                    double v = outputs[r * spec.Width + j];
                    sum += v;
                    bool ok = spec.Output == 0 ? Math.Abs(v) <= 1 || spec.Activation == RnnActivation.Relu : spec.OutputActivation switch
                    {
                        HeadActivation.Sigmoid or HeadActivation.Softmax => v > 0 && v < 1,
                        HeadActivation.Tanh => v > -1 && v < 1,
                        _ => true,
                    };
                    if (!ok) throw new InvalidOperationException($"{spec.Name}: output {v} out of the activation's range");
                }
                if (spec.Output > 0 && spec.OutputActivation == HeadActivation.Softmax && Math.Abs(sum - 1) > 1e-12)
                    throw new InvalidOperationException($"{spec.Name}: softmax row {r} sums to {sum}");
            }
            if (spec.Output == 0)
            {
                // Without a head the last output row is the top layer's final h.
                int top = (spec.Layers - 1) * spec.Hidden, last = (spec.Rows - 1) * spec.Width;
                for (int j = 0; j < spec.Hidden; j++)
                    if (outputs[last + j] != finalH[top + j])
                        throw new InvalidOperationException($"{spec.Name}: last output row differs from the top layer's finalH");
            }
        }
    }

    /// <summary>Pins libtorch to one thread (bit-reproducible reductions) and reports the versions used.</summary>
    internal static class TorchInfo
    {
        public static void Print()
        {
            set_num_threads(1);
            Console.WriteLine($"TorchSharp {typeof(TorchSharp.torch).Assembly.GetName().Version}, libtorch {__version__}, float64, {get_num_threads()} thread");
        }
    }
}
