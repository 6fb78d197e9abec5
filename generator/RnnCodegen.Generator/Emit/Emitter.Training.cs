using System;
using RnnCodegen.Generator.Model;

namespace RnnCodegen.Generator.Emit
{
    /// <summary>
    /// The training half: a forward pass that records a tape, the loss and its gradient, backpropagation through time,
    /// clipping and the optimizer update. Emitted only for specs with a SequenceLength.
    /// </summary>
    internal sealed partial class Emitter
    {
        private int T => _spec.SequenceLength;

        /// <summary>Floats per (step, layer) of the gate tape: LSTM i f g o; GRU gi (r z n) and gh; RNN the pre-activation.</summary>
        private int GateTape => _spec.Cell switch { Cell.Lstm => 4 * _spec.Hidden, Cell.Gru => 6 * _spec.Hidden, _ => _spec.Hidden };

        private bool HasDropout => _spec.Dropout > 0 && _spec.Layers > 1;

        private string OptimizerName => _spec.Optimizer switch
        {
            ModelSpec.OptimizerSgd => "Sgd",
            ModelSpec.OptimizerMomentum => "Momentum",
            ModelSpec.OptimizerRmsProp => "RmsProp",
            _ => "Adam",
        };

        private double DefaultLearningRate => _spec.LearningRate > 0 ? _spec.LearningRate : _spec.Optimizer == ModelSpec.OptimizerAdam ? 1e-3 : 1e-2;

        private enum SettingRange { NonNegative, Positive, UnitOpen, UnitClosed }

        /// <summary>
        /// A training setting as a property whose setter checks the range the attribute's diagnostics enforce at compile
        /// time (RNN0011-RNN0013): a bad value at run time throws and leaves the old one, instead of silently turning every
        /// parameter into NaN at the next update.
        /// </summary>
        private void EmitSetting(string name, string doc, double initial, SettingRange range)
        {
            var w = _w;
            string field = "_" + char.ToLowerInvariant(name[0]) + name.Substring(1);
            string test = range switch
            {
                SettingRange.UnitOpen => "value >= 0f && value < 1f",
                SettingRange.UnitClosed => "value >= 0f && value <= 1f",
                SettingRange.Positive => "value > 0f && value <= float.MaxValue",
                _ => "value >= 0f && value <= float.MaxValue",
            };
            string rule = range switch
            {
                SettingRange.UnitOpen => "in [0, 1)",
                SettingRange.UnitClosed => "in [0, 1]",
                SettingRange.Positive => "a finite number > 0",
                _ => "a finite number >= 0",
            };
            w.Line("private float " + field + " = " + D(initial) + ";");
            w.Doc(doc + " It must be " + rule + ": another value (NaN included) throws <see cref=\"global::System.ArgumentOutOfRangeException\"/> and keeps the current one.");
            w.Open("public float " + name);
            w.Line("get => " + field + ";");
            w.Line("set => " + field + " = " + test + " ? value : throw new global::System.ArgumentOutOfRangeException(nameof(value), value, \"" + name + " must be " + rule + ".\");");
            w.Close();
        }

        private static string D(double v) => CodeWriter.F((float)v);

        private void EmitTraining()
        {
            if (!_spec.Trainable) return;
            var w = _w;
            var s = _spec;
            int h = s.Hidden, L = s.Layers;
            int rows = s.IsLast ? 1 : T;
            w.Line("// ---- Training: tape, loss, backpropagation through time, " + OptimizerName + " ----");
            w.Line("private const int TapeStateLength = " + I((T + 1) * L * h) + "; // h (and c) of every layer for steps 0..SequenceLength (slot 0 = initial state)");
            w.Line("private const int TapeGateLength = " + I(T * L * GateTape) + ";");
            w.Doc("Everything one training pass writes: the tape, the gradients and the backward buffers. The model owns one; batch training owns one per chunk of sequences.");
            w.Open("private sealed class TrainingWorkspace");
            w.Line("public readonly float[] Scratch = new float[ScratchSize];");
            w.Line("public bool Evaluating; // true while ComputeLoss runs: no dropout");
            w.Line("public readonly float[] Gradients = new float[ParameterCount];");
            if (s.Loss == ModelSpec.LossCrossEntropy)
                w.Line("public int BatchSequences, BatchCounted; // AccumulateBatch: the batch's sequences and counted (not ignored) rows, so that every row weighs 1 / BatchCounted as in PyTorch's mean over the flattened batch; 0 = one sequence on its own");
            w.Line("public readonly float[] TapeH = new float[TapeStateLength];");
            if (s.Cell == Cell.Lstm)
            {
                w.Line("public readonly float[] TapeC = new float[TapeStateLength];");
                w.Line("public readonly float[] TapeTanhC = new float[" + I(T * L * h) + "];");
            }
            w.Line("public readonly float[] TapeGates = new float[TapeGateLength];");
            if (Deferred) w.Line("public readonly float[] TapeDGates = new float[TapeGateLength]; // d loss / d gate pre-activations of every step and layer (for the weight gradients after the time loop)");
            w.Line("public readonly float[] TapeInputs = new float[" + I(T * s.Input) + "]; // layer-0 inputs (embedding rows for token models)");
            if (s.HasTokens) w.Line("public readonly int[] TapeTokens = new int[" + I(T) + "];");
            if (HasDropout)
            {
                w.Line("public readonly float[] TapeMask = new float[" + I(T * (L - 1) * h) + "]; // dropout scale (0 or 1/(1-p)) on the input of layers 1..");
                w.Line("public readonly float[] TapeDropped = new float[" + I(T * (L - 1) * h) + "]; // masked inputs of layers 1..");
                w.Line("public ulong DropoutState = 0x9E3779B97F4A7C15UL;");
            }
            w.Line("public readonly float[] TapeY = new float[" + I(rows * s.OutputWidth) + "]; // output rows after the head activation");
            w.Line("public readonly float[] TapeZ = new float[" + I(rows * s.OutputWidth) + "]; // head pre-activations (logits)");
            w.Line("public readonly float[] DOut = new float[" + I(rows * s.OutputWidth) + "]; // d loss / d head pre-activation");
            w.Line("public readonly float[] DGates = new float[" + I(Math.Max(GateTape, h)) + "];");
            w.Line("public readonly float[] DH = new float[" + I(L * h) + "]; // d loss / d h carried backwards in time, per layer");
            if (s.Cell == Cell.Lstm) w.Line("public readonly float[] DC = new float[" + I(L * h) + "];");
            w.Line("public readonly float[] DX = new float[" + I(Math.Max(s.Input, h)) + "];");
            w.Line("public readonly float[] DTmp = new float[" + I(h) + "];");
            w.Close();
            w.Line("private readonly TrainingWorkspace _ws = new TrainingWorkspace();");
            switch (s.Optimizer)
            {
                case ModelSpec.OptimizerAdam:
                    w.Line("private readonly float[] _adamM = new float[ParameterCount];");
                    w.Line("private readonly float[] _adamV = new float[ParameterCount];");
                    break;
                case ModelSpec.OptimizerMomentum:
                    w.Line("private readonly float[] _momentumBuffer = new float[ParameterCount];");
                    break;
                case ModelSpec.OptimizerRmsProp:
                    w.Line("private readonly float[] _squareAverage = new float[ParameterCount];");
                    break;
            }
            w.Line("private int _optimizerStep;");
            w.Line();
            EmitSetting("LearningRate", "Learning rate of the " + OptimizerName + " update (from the attribute, or the optimizer's PyTorch default); settable at run time, e.g. for decay schedules.", DefaultLearningRate, SettingRange.NonNegative);
            if (s.Optimizer == ModelSpec.OptimizerAdam)
            {
                EmitSetting("Beta1", "Adam's first-moment decay.", s.Beta1, SettingRange.UnitOpen);
                EmitSetting("Beta2", "Adam's second-moment decay.", s.Beta2, SettingRange.UnitOpen);
            }
            if (s.Optimizer == ModelSpec.OptimizerAdam || s.Optimizer == ModelSpec.OptimizerRmsProp)
            {
                EmitSetting("Epsilon", "Epsilon added to the denominator (0 would make a parameter whose gradients have all been 0 NaN).", s.Epsilon, SettingRange.Positive);
            }
            if (s.Optimizer == ModelSpec.OptimizerMomentum)
            {
                EmitSetting("Momentum", "Momentum factor (dampening 0" + (s.Nesterov ? ", Nesterov" : "") + ").", s.Momentum, SettingRange.UnitOpen);
            }
            if (s.Optimizer == ModelSpec.OptimizerRmsProp)
            {
                EmitSetting("Alpha", "RMSprop's smoothing constant.", s.Alpha, SettingRange.UnitClosed);
            }
            EmitSetting("WeightDecay", s.Optimizer == ModelSpec.OptimizerAdam && s.DecoupledWeightDecay ? "Decoupled weight decay (AdamW)." : "L2 penalty added to the gradient (PyTorch's weight_decay).", s.WeightDecay, SettingRange.NonNegative);
            EmitSetting("ClipNorm", "Clip the global L2 norm of the gradients to this value before the update (clip_grad_norm_); 0 = off.", s.ClipNorm, SettingRange.NonNegative);
            EmitSetting("ClipValue", "Clip every gradient to [-ClipValue, ClipValue] before the update (clip_grad_value_); 0 = off.", s.ClipValue, SettingRange.NonNegative);
            if (HasDropout)
            {
                EmitSetting("DropoutRate", "Dropout probability between stacked layers while training.", s.Dropout, SettingRange.UnitOpen);
                w.Doc("Re-seeds the dropout masks so training is reproducible.");
                w.Line("public void SeedDropout(int seed) { _ws.DropoutState = (0x9E3779B97F4A7C15UL ^ (ulong)(uint)seed * 0xBF58476D1CE4E5B9UL) | 1UL; }");
            }
            w.Doc("Optimizer updates applied so far (Adam's bias correction counts them).");
            w.Line("public int OptimizerStepCount => _optimizerStep;");
            w.Line();

            EmitTrainingApi();
            EmitTrainForward();
            EmitLoss();
            EmitBackward();
            if (Deferred) EmitOuterSumHelper();
            EmitApply();
            EmitTrainingStateFiles();
        }

        private void EmitTrainingApi()
        {
            var w = _w;
            var s = _spec;
            bool classes = s.Loss == ModelSpec.LossCrossEntropy;
            string inputType = s.HasTokens ? "global::System.ReadOnlySpan<int>" : ReadOnlySpan;
            string inputName = s.HasTokens ? "tokens" : "inputs";
            string targetType = classes ? "global::System.ReadOnlySpan<int>" : ReadOnlySpan;
            string targetName = classes ? "classes" : "targets";
            string targetDoc = classes
                ? "one class id per output row (0..OutputSize-1, or " + I(s.IgnoreIndex) + " to ignore the row)"
                : "the expected output rows (" + (s.IsLast ? "OutputWidth values" : "steps x OutputWidth values") + (s.Loss == ModelSpec.LossBce ? ", each in [0, 1]" : "") + ")";
            string inputDoc = s.HasTokens ? "token ids, one per step" : "steps x InputSize values";

            w.Line("/// <summary>Forward from a zero state over <paramref name=\"" + inputName + "\"/> (" + inputDoc + ", at most SequenceLength steps), the loss against <paramref name=\"" + targetName + "\"/> (" + targetDoc + "), and backpropagation through time; adds into the gradients and returns the loss (mean as PyTorch's reduction='mean').</summary>");
            w.Line("public float AccumulateGradients(" + inputType + " " + inputName + ", " + targetType + " " + targetName + ") => AccumulateGradients(" + inputName + ", " + targetName + ", false);");
            w.Line();
            w.Line("/// <summary>As <see cref=\"AccumulateGradients(" + inputType.Replace("global::", "").Replace("<", "{").Replace(">", "}") + ", " + targetType.Replace("global::", "").Replace("<", "{").Replace(">", "}") + ")\"/>; with <paramref name=\"carryState\"/> the pass starts from the carried streaming state and leaves its final state carried (truncated BPTT over a long stream, as PyTorch's h.detach()).</summary>");
            w.Open("public float AccumulateGradients(" + inputType + " " + inputName + ", " + targetType + " " + targetName + ", bool carryState)");
            w.Line("int steps = ValidateTrainingData(" + inputName + ", " + targetName + ");");
            if (FastTrain) w.Line("if (_packedStale) Repack();");
            w.Line("return AccumulateCore(_ws, " + inputName + ", " + targetName + ", steps, carryState);");
            w.Close();
            w.Line();
            w.Line("/// <summary>Checks one training sequence and returns its step count; throws ArgumentException naming what was expected.</summary>");
            w.Open("private static int ValidateTrainingData(" + inputType + " " + inputName + ", " + targetType + " " + targetName + ")");
            if (s.HasTokens)
            {
                w.Line("int steps = tokens.Length;");
                w.Line("if (steps < 1 || steps > SequenceLength) throw new global::System.ArgumentException(\"tokens: expected 1..\" + SequenceLength.ToString(global::System.Globalization.CultureInfo.InvariantCulture) + \" steps, got \" + steps.ToString(global::System.Globalization.CultureInfo.InvariantCulture) + \".\", nameof(tokens));");
                w.Line("CheckTokens(tokens);");
            }
            else
            {
                w.Line("if (inputs.Length % InputSize != 0) throw new global::System.ArgumentException(\"inputs: the length must be a multiple of InputSize (" + I(s.Input) + "), got \" + inputs.Length.ToString(global::System.Globalization.CultureInfo.InvariantCulture) + \".\", nameof(inputs));");
                w.Line("int steps = inputs.Length / InputSize;");
                w.Line("if (steps < 1 || steps > SequenceLength) throw new global::System.ArgumentException(\"inputs: expected 1..\" + SequenceLength.ToString(global::System.Globalization.CultureInfo.InvariantCulture) + \" steps, got \" + steps.ToString(global::System.Globalization.CultureInfo.InvariantCulture) + \".\", nameof(inputs));");
                w.Line(ThrowIfNotFinite("inputs", "\"inputs contain NaN or infinity.\""));
            }
            string expectedRows = s.IsLast ? "1" : "steps";
            if (classes)
            {
                w.Line("if (classes.Length != " + expectedRows + ") throw new global::System.ArgumentException(" + LengthMessage("classes", expectedRows, "classes.Length") + ", nameof(classes));");
                w.Open("for (int i = 0; i < classes.Length; i++)");
                w.Line("if (classes[i] != " + I(s.IgnoreIndex) + " && (uint)classes[i] >= (uint)OutputSize) throw new global::System.ArgumentOutOfRangeException(nameof(classes), classes[i], \"Class id at position \" + i.ToString(global::System.Globalization.CultureInfo.InvariantCulture) + \" is out of range 0..\" + (OutputSize - 1).ToString(global::System.Globalization.CultureInfo.InvariantCulture) + \" (ignore index " + I(s.IgnoreIndex) + ").\");");
                w.Close();
            }
            else
            {
                w.Line("if (targets.Length != " + expectedRows + " * OutputWidth) throw new global::System.ArgumentException(" + LengthMessage("targets", expectedRows + " * OutputWidth", "targets.Length") + ", nameof(targets));");
                w.Line(ThrowIfNotFinite("targets", "\"targets contain NaN or infinity.\""));
                if (s.Loss == ModelSpec.LossBce)
                {
                    // BCEWithLogitsLoss would accept a target of 2, but its loss then has no minimum and training drives the
                    // logits to infinity; nn.BCELoss refuses such targets ("all elements of target should be between 0 and 1").
                    w.Open("for (int i = 0; i < targets.Length; i++)");
                    w.Line("if (!(targets[i] >= 0f && targets[i] <= 1f)) throw new global::System.ArgumentException(\"targets: binary cross-entropy needs every target in [0, 1], got \" + targets[i].ToString(\"R\", global::System.Globalization.CultureInfo.InvariantCulture) + \" at position \" + i.ToString(global::System.Globalization.CultureInfo.InvariantCulture) + \".\", nameof(targets));");
                    w.Close();
                }
            }
            w.Line("return steps;");
            w.Close();
            w.Line();
            w.Open("private float AccumulateCore(TrainingWorkspace ws, " + inputType + " " + inputName + ", " + targetType + " " + targetName + ", int steps, bool carryState)");
            w.Open("if (carryState)");
            w.Open("for (int k = 0; k < LayerCount; k++)");
            w.Line("global::System.Array.Copy(_state, k * " + I(Sp) + ", ws.TapeH, k * HiddenSize, HiddenSize);");
            if (s.Cell == Cell.Lstm) w.Line("global::System.Array.Copy(_state, " + I(s.Layers * Sp) + " + k * " + I(Sp) + ", ws.TapeC, k * HiddenSize, HiddenSize);");
            w.Close();
            w.Close();
            w.Open("else");
            w.Line("global::System.Array.Clear(ws.TapeH, 0, " + I(s.Layers * s.Hidden) + ");");
            if (s.Cell == Cell.Lstm) w.Line("global::System.Array.Clear(ws.TapeC, 0, " + I(s.Layers * s.Hidden) + ");");
            w.Close();
            w.Line("for (int t = 0; t < steps; t++) TrainForwardStep(ws, t, " + (s.HasTokens ? "tokens[t]" : "inputs.Slice(t * InputSize, InputSize)") + ");");
            w.Line("TrainHead(ws, steps);");
            w.Line("float loss = " + (classes ? "LossAndGradient(ws, classes, default(" + ReadOnlySpan + "), steps)" : "LossAndGradient(ws, default(global::System.ReadOnlySpan<int>), targets, steps)") + ";");
            w.Line("Backward(ws, steps);");
            w.Open("if (carryState)");
            w.Open("for (int k = 0; k < LayerCount; k++)");
            w.Line("global::System.Array.Copy(ws.TapeH, (steps * LayerCount + k) * HiddenSize, _state, k * " + I(Sp) + ", HiddenSize);");
            if (s.Cell == Cell.Lstm) w.Line("global::System.Array.Copy(ws.TapeC, (steps * LayerCount + k) * HiddenSize, _state, " + I(s.Layers * Sp) + " + k * " + I(Sp) + ", HiddenSize);");
            w.Close();
            w.Close();
            w.Line("return loss;");
            w.Close();
            w.Line();
            w.Line("/// <summary>The loss on one sequence from a zero state, without dropout and without touching the gradients or the streaming state (validation loss).</summary>");
            w.Open("public float ComputeLoss(" + inputType + " " + inputName + ", " + targetType + " " + targetName + ")");
            w.Line("int steps = ValidateTrainingData(" + inputName + ", " + targetName + ");");
            if (FastTrain) w.Line("if (_packedStale) Repack();");
            w.Line("TrainingWorkspace ws = _ws;");
            w.Line("global::System.Array.Clear(ws.TapeH, 0, " + I(s.Layers * s.Hidden) + ");");
            if (s.Cell == Cell.Lstm) w.Line("global::System.Array.Clear(ws.TapeC, 0, " + I(s.Layers * s.Hidden) + ");");
            w.Line("ws.Evaluating = true;");
            w.Line("for (int t = 0; t < steps; t++) TrainForwardStep(ws, t, " + (s.HasTokens ? "tokens[t]" : "inputs.Slice(t * InputSize, InputSize)") + ");");
            w.Line("TrainHead(ws, steps);");
            w.Line("ws.Evaluating = false;");
            w.Line("return " + (classes ? "LossAndGradient(ws, classes, default(" + ReadOnlySpan + "), steps)" : "LossAndGradient(ws, default(global::System.ReadOnlySpan<int>), targets, steps)") + ";");
            w.Close();
            w.Line();
            EmitBatch(inputType, inputName, targetType, targetName);
            w.Doc("One training step on one sequence: AccumulateGradients, then ApplyGradients(1). Returns the loss before the update.");
            w.Line("public float TrainStep(" + inputType + " " + inputName + ", " + targetType + " " + targetName + ") => TrainStep(" + inputName + ", " + targetName + ", false);");
            w.Line();
            w.Doc("One training step; <paramref name=\"carryState\"/> as in AccumulateGradients (truncated BPTT).");
            w.Open("public float TrainStep(" + inputType + " " + inputName + ", " + targetType + " " + targetName + ", bool carryState)");
            w.Line("float loss = AccumulateGradients(" + inputName + ", " + targetName + ", carryState);");
            w.Line("ApplyGradients(1);");
            w.Line("return loss;");
            w.Close();
            w.Line();
            w.Doc("Sets every accumulated gradient to zero.");
            w.Line("public void ZeroGradients() => global::System.Array.Clear(_ws.Gradients, 0, ParameterCount);");
            w.Line();
            w.Doc("Copies the accumulated gradient of one tensor (row-major PyTorch shape) into <paramref name=\"destination\"/>.");
            w.Open("public void CopyGradient(string name, " + Span + " destination)");
            w.Line("global::RnnCodegen.ParameterInfo info = CheckedParameter(name, destination.Length, nameof(destination));");
            w.Line("global::System.MemoryExtensions.AsSpan(_ws.Gradients, info.Offset, info.Length).CopyTo(destination);");
            w.Close();
            w.Line();
        }

        private void EmitTrainForward()
        {
            var w = _w;
            var s = _spec;
            int h = s.Hidden, L = s.Layers;
            w.Open("private void TrainForwardStep(TrainingWorkspace ws, int t, " + (s.HasTokens ? "int token" : ReadOnlySpan + " input") + ")");
            w.Line(ReadOnlySpan + " p = _parameters;");
            w.Line(Span + " scratch = ws.Scratch;");
            if (s.HasTokens)
            {
                w.Line("ws.TapeTokens[t] = token;");
                w.Line("p.Slice(PEmbedding + token * InputSize, InputSize).CopyTo(global::System.MemoryExtensions.AsSpan(ws.TapeInputs, t * InputSize, InputSize));");
            }
            else
            {
                w.Line("input.CopyTo(global::System.MemoryExtensions.AsSpan(ws.TapeInputs, t * InputSize, InputSize));");
            }
            w.Line(ReadOnlySpan + " x = global::System.MemoryExtensions.AsSpan(ws.TapeInputs, t * InputSize, InputSize);");
            if (FastTrain)
            {
                w.Line("// The specialised SIMD step writes the tape directly; the generic code below runs where no vector width is accelerated.");
                w.Line("if (TrainLayersSimd(ws, t)) return;");
            }
            for (int k = 0; k < L; k++)
            {
                w.Line("// " + CellName + " layer " + I(k) + " at step t.");
                w.Open("");
                w.Line(ReadOnlySpan + " hp = global::System.MemoryExtensions.AsSpan(ws.TapeH, (t * " + I(L) + " + " + I(k) + ") * " + I(h) + ", " + I(h) + ");");
                w.Line(Span + " h = global::System.MemoryExtensions.AsSpan(ws.TapeH, ((t + 1) * " + I(L) + " + " + I(k) + ") * " + I(h) + ", " + I(h) + ");");
                if (s.Cell == Cell.Lstm) w.Line(Span + " c = global::System.MemoryExtensions.AsSpan(ws.TapeC, ((t + 1) * " + I(L) + " + " + I(k) + ") * " + I(h) + ", " + I(h) + ");");
                string gates = "global::System.MemoryExtensions.AsSpan(ws.TapeGates, (t * " + I(L) + " + " + I(k) + ") * " + I(GateTape) + ", " + I(GateTape) + ")";
                var buffers = s.Cell switch
                {
                    Cell.Lstm => new LayerBuffers("hp", "global::System.MemoryExtensions.AsSpan(ws.TapeC, (t * " + I(L) + " + " + I(k) + ") * " + I(h) + ", " + I(h) + ")", gates,
                        "global::System.MemoryExtensions.AsSpan(ws.TapeTanhC, (t * " + I(L) + " + " + I(k) + ") * " + I(h) + ", " + I(h) + ")", "", ""),
                    Cell.Gru => new LayerBuffers("hp", "", "", "", gates + ".Slice(0, " + I(3 * h) + ")", gates + ".Slice(" + I(3 * h) + ", " + I(3 * h) + ")"),
                    _ => new LayerBuffers("hp", "", gates, "", "", ""),
                };
                EmitLayer(k, buffers);
                if (k < L - 1 && HasDropout)
                {
                    w.Line("// Dropout on the input of layer " + I(k + 1) + " (inverted: kept values scaled by 1/(1-p)).");
                    w.Line(Span + " mask = global::System.MemoryExtensions.AsSpan(ws.TapeMask, (t * " + I(L - 1) + " + " + I(k) + ") * " + I(h) + ", " + I(h) + ");");
                    w.Line(Span + " dropped = global::System.MemoryExtensions.AsSpan(ws.TapeDropped, (t * " + I(L - 1) + " + " + I(k) + ") * " + I(h) + ", " + I(h) + ");");
                    w.Line("// Draws only while it drops: ComputeLoss (and a rate of 0) leave the generator where training left it.");
                    w.Open("if (ws.Evaluating || DropoutRate == 0f)");
                    w.Line("mask.Fill(1f);");
                    w.Line("h.CopyTo(dropped);");
                    w.Close();
                    w.Open("else");
                    w.Line("float rate = DropoutRate, keep = 1f / (1f - rate);");
                    w.Open("for (int j = 0; j < " + I(h) + "; j++)");
                    w.Line("ws.DropoutState ^= ws.DropoutState << 13; ws.DropoutState ^= ws.DropoutState >> 7; ws.DropoutState ^= ws.DropoutState << 17;");
                    w.Line("mask[j] = (ws.DropoutState >> 40) * (1.0f / (1 << 24)) < rate ? 0f : keep;");
                    w.Line("dropped[j] = h[j] * mask[j];");
                    w.Close();
                    w.Close();
                    w.Line("x = dropped;");
                }
                else
                {
                    w.Line("x = h;");
                }
                w.Close();
            }
            w.Close();
            w.Line();
            // The head runs after the time loop over the taped top-layer outputs: nothing in the loop reads it, and its calls
            // inside the loop slowed the recurrence (in-process, Zen 4, Vector512: TrainStep B 0.98-0.99 with the head here).
            int width = s.OutputWidth;
            string row = s.IsLast ? "0" : "t";
            w.Doc("The head (z = W h + b and its activation) on the top layer's taped output of every step" + (s.IsLast ? " (the last step only: many-to-one)" : "") + ", into TapeZ and TapeY.");
            w.Open("private void TrainHead(TrainingWorkspace ws, int steps)");
            if (s.HasHead) w.Line(ReadOnlySpan + " p = _parameters;");
            w.Open("for (int t = " + (s.IsLast ? "steps - 1" : "0") + "; t < steps; t++)");
            w.Line(ReadOnlySpan + " x = global::System.MemoryExtensions.AsSpan(ws.TapeH, ((t + 1) * " + I(L) + " + " + I(L - 1) + ") * " + I(h) + ", " + I(h) + ");");
            w.Line(Span + " y = global::System.MemoryExtensions.AsSpan(ws.TapeY, " + row + " * " + I(width) + ", " + I(width) + ");");
            w.Line(Span + " zrow = global::System.MemoryExtensions.AsSpan(ws.TapeZ, " + row + " * " + I(width) + ", " + I(width) + ");");
            if (s.HasHead)
            {
                w.Line("// Dense head: z = W x + b, y = " + HeadName + "(z).");
                w.Line("p.Slice(PDenseBias, " + I(s.Output) + ").CopyTo(zrow);");
                w.Line(K + ".MatVecAdd(p.Slice(PDenseWeight, " + I(s.Output * h) + "), x, zrow);");
                switch (s.OutputActivation)
                {
                    case ModelSpec.OutputActivationSoftmax: w.Line(K + ".Softmax(zrow, y);"); break;
                    case ModelSpec.OutputActivationSigmoid: w.Line(A + ".Sigmoid(zrow, y);"); break;
                    case ModelSpec.OutputActivationTanh: w.Line(A + ".Tanh(zrow, y);"); break;
                    default: w.Line("zrow.CopyTo(y);"); break;
                }
            }
            else
            {
                w.Line("x.CopyTo(y);");
                w.Line("x.CopyTo(zrow);");
            }
            w.Close();
            w.Close();
            w.Line();
        }

        private void EmitLoss()
        {
            var w = _w;
            var s = _spec;
            int width = s.OutputWidth;
            w.Line("// Loss (mean over the output values, as PyTorch's reduction='mean') and d loss / d head pre-activation into ws.DOut.");
            w.Open("private float LossAndGradient(TrainingWorkspace ws, global::System.ReadOnlySpan<int> classes, " + ReadOnlySpan + " targets, int steps)");
            w.Line("int rows = " + (s.IsLast ? "1" : "steps") + ";");
            w.Line("double loss = 0;");
            switch (s.Loss)
            {
                case ModelSpec.LossCrossEntropy:
                    w.Line("int counted = 0;");
                    w.Line("for (int r = 0; r < rows; r++) if (classes[r] != " + I(s.IgnoreIndex) + ") counted++;");
                    w.Line("bool batched = ws.BatchCounted > 0; // in a batch every row weighs 1 / (counted rows of the whole batch); ApplyGradients(BatchSequences) divides by the sequence count again");
                    w.Line("float scale = batched ? (float)ws.BatchSequences / ws.BatchCounted : counted > 0 ? 1f / counted : 0f;");
                    w.Open("for (int r = 0; r < rows; r++)");
                    w.Line(Span + " d = global::System.MemoryExtensions.AsSpan(ws.DOut, r * " + I(width) + ", " + I(width) + ");");
                    w.Line("if (classes[r] == " + I(s.IgnoreIndex) + ") { d.Clear(); continue; }");
                    w.Line(ReadOnlySpan + " z = global::System.MemoryExtensions.AsSpan(ws.TapeZ, r * " + I(width) + ", " + I(width) + ");");
                    w.Line(ReadOnlySpan + " y = global::System.MemoryExtensions.AsSpan(ws.TapeY, r * " + I(width) + ", " + I(width) + ");");
                    w.Line("double max = z[0]; for (int i = 1; i < " + I(width) + "; i++) if (z[i] > max) max = z[i];");
                    w.Line("double sum = 0; for (int i = 0; i < " + I(width) + "; i++) sum += global::System.Math.Exp(z[i] - max);");
                    w.Line("loss += max + global::System.Math.Log(sum) - z[classes[r]]; // -log softmax(z)[class]");
                    w.Line("for (int i = 0; i < " + I(width) + "; i++) d[i] = y[i] * scale;");
                    w.Line("d[classes[r]] -= scale;");
                    w.Close();
                    w.Line("return batched ? (float)(loss * ws.BatchSequences / ws.BatchCounted) : counted > 0 ? (float)(loss / counted) : 0f;");
                    break;
                case ModelSpec.LossBce:
                    w.Line("float scale = 1f / (rows * " + I(width) + ");");
                    w.Open("for (int i = 0; i < rows * " + I(width) + "; i++)");
                    w.Line("double z = ws.TapeZ[i], target = targets[i];");
                    w.Line("loss += global::System.Math.Max(z, 0) - z * target + global::System.Math.Log(1 + global::System.Math.Exp(-global::System.Math.Abs(z))); // BCE with logits, stable");
                    w.Line("ws.DOut[i] = (ws.TapeY[i] - targets[i]) * scale;");
                    w.Close();
                    w.Line("return (float)(loss * scale);");
                    break;
                default:
                    w.Line("float scale = 2f / (rows * " + I(width) + ");");
                    w.Open("for (int i = 0; i < rows * " + I(width) + "; i++)");
                    w.Line("double e = (double)ws.TapeY[i] - targets[i];");
                    w.Line("loss += e * e;");
                    w.Line("ws.DOut[i] = (ws.TapeY[i] - targets[i]) * scale; // d loss / d y");
                    w.Close();
                    EmitActivationBackward(width);
                    w.Line("return (float)(loss / (rows * " + I(width) + "));");
                    break;
            }
            w.Close();
            w.Line();
        }

        /// <summary>MSE: turns d loss / d y in ws.DOut into d loss / d z through the head activation.</summary>
        private void EmitActivationBackward(int width)
        {
            var w = _w;
            if (!_spec.HasHead) return;
            switch (_spec.OutputActivation)
            {
                case ModelSpec.OutputActivationSigmoid:
                    w.Line("for (int i = 0; i < rows * " + I(width) + "; i++) ws.DOut[i] *= ws.TapeY[i] * (1f - ws.TapeY[i]);");
                    break;
                case ModelSpec.OutputActivationTanh:
                    w.Line("for (int i = 0; i < rows * " + I(width) + "; i++) ws.DOut[i] *= 1f - ws.TapeY[i] * ws.TapeY[i];");
                    break;
                case ModelSpec.OutputActivationSoftmax:
                    w.Open("for (int r = 0; r < rows; r++)");
                    w.Line("double dot = 0; for (int i = 0; i < " + I(width) + "; i++) dot += ws.DOut[r * " + I(width) + " + i] * ws.TapeY[r * " + I(width) + " + i];");
                    w.Line("for (int i = 0; i < " + I(width) + "; i++) ws.DOut[r * " + I(width) + " + i] = ws.TapeY[r * " + I(width) + " + i] * (float)(ws.DOut[r * " + I(width) + " + i] - dot);");
                    w.Close();
                    break;
            }
        }

        private void EmitBackward()
        {
            var w = _w;
            var s = _spec;
            int h = s.Hidden, L = s.Layers, width = s.OutputWidth;
            w.Line("// Backpropagation through time: from the last step to the first, from the top layer down.");
            w.Open("private void Backward(TrainingWorkspace ws, int steps)");
            w.Line(ReadOnlySpan + " p = _parameters;");
            w.Line(Span + " grad = ws.Gradients;");
            w.Line("global::System.Array.Clear(ws.DH, 0, " + I(L * h) + ");");
            if (s.Cell == Cell.Lstm) w.Line("global::System.Array.Clear(ws.DC, 0, " + I(L * h) + ");");
            if (!Deferred) w.Line(Span + " dGates = ws.DGates;");
            w.Line(Span + " dX = ws.DX;");
            w.Line(Span + " dTmp = ws.DTmp;");
            w.Open("for (int t = steps - 1; t >= 0; t--)");
            // The head's contribution to the top layer's dh at step t.
            string topH = "global::System.MemoryExtensions.AsSpan(ws.TapeH, ((t + 1) * " + I(L) + " + " + I(L - 1) + ") * " + I(h) + ", " + I(h) + ")";
            w.Line(Span + " dTop = global::System.MemoryExtensions.AsSpan(ws.DH, " + I((L - 1) * h) + ", " + I(h) + ");");
            if (s.IsLast) w.Open("if (t == steps - 1)");
            else w.Open("");
            w.Line(ReadOnlySpan + " dz = global::System.MemoryExtensions.AsSpan(ws.DOut, " + (s.IsLast ? "0" : "t * " + I(width)) + ", " + I(width) + ");");
            if (s.HasHead)
            {
                if (!Deferred)
                {
                    w.Line(K + ".OuterAdd(grad.Slice(PDenseWeight, " + I(s.Output * h) + "), dz, " + topH + ");");
                    w.Line(K + ".Add(grad.Slice(PDenseBias, " + I(s.Output) + "), dz);");
                }
                // Where the top layer's vector pointwise step adds the head's part to dh itself (HeadInPointwise), only the
                // scalar fallback needs it here.
                string call = K + ".MatTransposeVecAdd(p.Slice(PDenseWeight, " + I(s.Output * h) + "), dz, dTop);";
                w.Line(HeadInPointwise ? "if (!(" + VectorPathCondition() + ")) " + call : call);
            }
            else
            {
                w.Line(K + ".Add(dTop, dz);");
            }
            w.Close();
            for (int k = L - 1; k >= 0; k--)
            {
                var lt = _layout.Layers[k];
                int inSize = s.LayerInput(k);
                w.Line("// " + CellName + " layer " + I(k) + " at step t.");
                w.Open("");
                w.Line(Span + " dh = global::System.MemoryExtensions.AsSpan(ws.DH, " + I(k * h) + ", " + I(h) + ");");
                w.Line(ReadOnlySpan + " hp = global::System.MemoryExtensions.AsSpan(ws.TapeH, (t * " + I(L) + " + " + I(k) + ") * " + I(h) + ", " + I(h) + ");");
                w.Line(ReadOnlySpan + " hn = global::System.MemoryExtensions.AsSpan(ws.TapeH, ((t + 1) * " + I(L) + " + " + I(k) + ") * " + I(h) + ", " + I(h) + ");");
                w.Line(ReadOnlySpan + " gt = global::System.MemoryExtensions.AsSpan(ws.TapeGates, (t * " + I(L) + " + " + I(k) + ") * " + I(GateTape) + ", " + I(GateTape) + ");");
                string x = k == 0
                    ? "global::System.MemoryExtensions.AsSpan(ws.TapeInputs, t * InputSize, InputSize)"
                    : HasDropout
                        ? "global::System.MemoryExtensions.AsSpan(ws.TapeDropped, (t * " + I(L - 1) + " + " + I(k - 1) + ") * " + I(h) + ", " + I(h) + ")"
                        : "global::System.MemoryExtensions.AsSpan(ws.TapeH, ((t + 1) * " + I(L) + " + " + I(k - 1) + ") * " + I(h) + ", " + I(h) + ")";
                if (!Deferred) w.Line(ReadOnlySpan + " x = " + x + ";");
                if (Deferred) w.Line(Span + " dGates = global::System.MemoryExtensions.AsSpan(ws.TapeDGates, (t * " + I(L) + " + " + I(k) + ") * " + I(GateTape) + ", " + I(GateTape) + ");");
                int gateRows = s.GateRows;
                switch (s.Cell)
                {
                    case Cell.Lstm:
                        EmitLstmBackward(k, lt);
                        break;
                    case Cell.Gru:
                        EmitGruBackward(lt);
                        break;
                    default:
                        w.Line("// h = act(a): da = dh * act'(a)");
                        if (FastTrain)
                        {
                            // On vectors where the SIMD path runs: the same operations, the same bits.
                            EmitPointwiseVectors((V, VT) =>
                            {
                                w.Line(VT + " dhv = " + SpanLoad(V, "dh", "u") + ", hv = " + SpanLoad(V, "hn", "u") + ";");
                                w.Line(SpanStore(V, s.Activation == 1
                                    ? V + ".ConditionalSelect(" + V + ".GreaterThan(hv, " + VT + ".Zero), dhv, " + VT + ".Zero)"
                                    : "dhv * (one - hv * hv)", "dGates", "u"));
                            });
                            w.Open("else");
                        }
                        if (s.Activation == 1) w.Line("for (int j = 0; j < " + I(h) + "; j++) dGates[j] = hn[j] > 0f ? dh[j] : 0f;");
                        else w.Line("for (int j = 0; j < " + I(h) + "; j++) dGates[j] = dh[j] * (1f - hn[j] * hn[j]);");
                        if (FastTrain) w.Close();
                        break;
                }
                if (s.Cell != Cell.Gru)
                {
                    w.Line(ReadOnlySpan + " da = dGates.Slice(0, " + I(gateRows) + ");");
                    if (!Deferred)
                    {
                        w.Line(K + ".OuterAdd(grad.Slice(" + lt.WeightIh.Constant + ", " + I(lt.WeightIh.Length) + "), da, x);");
                        w.Line(K + ".OuterAdd(grad.Slice(" + lt.WeightHh.Constant + ", " + I(lt.WeightHh.Length) + "), da, hp);");
                        w.Line(K + ".Add(grad.Slice(" + lt.BiasIh.Constant + ", " + I(gateRows) + "), da);");
                        w.Line(K + ".Add(grad.Slice(" + lt.BiasHh.Constant + ", " + I(gateRows) + "), da);");
                    }
                    if (NeedsDx(k)) EmitInputGradient(lt, gateRows, "da", k);
                    w.Line("// d loss / d h(t-1).");
                    if (Deferred)
                    {
                        EmitRecurrentDh(lt, gateRows, "da", null);
                    }
                    else
                    {
                        w.Line("dh.Clear();");
                        w.Line(K + ".MatTransposeVecAdd(p.Slice(" + lt.WeightHh.Constant + ", " + I(lt.WeightHh.Length) + "), da, dh);");
                    }
                }
                EmitDxToBelow(k);
                w.Close();
            }
            w.Close();
            if (Deferred) EmitDeferredGradients();
            w.Close();
            w.Line();
        }

        /// <summary>Sends dx of layer k to layer k-1's dh (through the dropout mask) or to the embedding rows.</summary>
        /// <summary>The gradient of a layer's input is needed for the layer below or the embedding, not for float inputs of layer 0.</summary>
        private bool NeedsDx(int k) => k > 0 || _spec.HasTokens;

        private void EmitDxToBelow(int k)
        {
            var w = _w;
            var s = _spec;
            int h = s.Hidden, L = s.Layers;
            if (k > 0)
            {
                w.Line(Span + " dBelow = global::System.MemoryExtensions.AsSpan(ws.DH, " + I((k - 1) * h) + ", " + I(h) + ");");
                if (HasDropout)
                {
                    w.Line(ReadOnlySpan + " mask = global::System.MemoryExtensions.AsSpan(ws.TapeMask, (t * " + I(L - 1) + " + " + I(k - 1) + ") * " + I(h) + ", " + I(h) + ");");
                    w.Line("for (int j = 0; j < " + I(h) + "; j++) dBelow[j] += dx[j] * mask[j];");
                }
                else
                {
                    w.Line(K + ".Add(dBelow, dx);");
                }
            }
            else if (s.HasTokens)
            {
                w.Line(K + ".Add(grad.Slice(PEmbedding + ws.TapeTokens[t] * InputSize, InputSize), dx); // only the rows used");
            }
        }

        /// <summary>
        /// Whether the top LSTM layer's vector pointwise backward step adds the head's part of dh (W_head^T dz, every step)
        /// to its dh load instead of MatTransposeVecAdd doing it into ws.DH first: the same operations in the same order.
        /// </summary>
        private bool HeadInPointwise => _spec.Cell == Cell.Lstm && _spec.HasHead && !_spec.IsLast && FastTrain && _spec.Hidden % 4 == 0;

        /// <summary>The condition under which EmitVectorDispatch (over the hidden size) takes one of its vector branches.</summary>
        private string VectorPathCondition()
        {
            var widths = new System.Collections.Generic.List<string>();
            foreach (int width in new[] { 16, 8, 4 })
            {
                if (_spec.Hidden % width == 0) widths.Add(Accelerated(width));
            }
            return string.Join(" || ", widths);
        }

        private void EmitLstmBackward(int k, LayerTensors lt)
        {
            var w = _w;
            int h = _spec.Hidden, L = _spec.Layers;
            w.Line(Span + " dc = global::System.MemoryExtensions.AsSpan(ws.DC, " + I(k * h) + ", " + I(h) + ");");
            w.Line(ReadOnlySpan + " cp = global::System.MemoryExtensions.AsSpan(ws.TapeC, (t * " + I(L) + " + " + I(k) + ") * " + I(h) + ", " + I(h) + ");");
            w.Line(ReadOnlySpan + " cn = global::System.MemoryExtensions.AsSpan(ws.TapeC, ((t + 1) * " + I(L) + " + " + I(k) + ") * " + I(h) + ", " + I(h) + ");");
            w.Line(ReadOnlySpan + " tc = global::System.MemoryExtensions.AsSpan(ws.TapeTanhC, (t * " + I(L) + " + " + I(k) + ") * " + I(h) + ", " + I(h) + ");");
            if (FastTrain)
            {
                EmitPointwiseVectors((V, VT) =>
                {
                    string Ld(string span, string offset) => SpanLoad(V, span, offset);
                    string St(string value, string span, string offset) => SpanStore(V, value, span, offset);
                    w.Line(VT + " i = " + Ld("gt", "u") + ", f = " + Ld("gt", I(h) + " + u") + ", g = " + Ld("gt", I(2 * h) + " + u") + ", o = " + Ld("gt", I(3 * h) + " + u") + ";");
                    w.Line(VT + " dhv = " + Ld("dh", "u") + ", tcv = " + Ld("tc", "u") + ";");
                    if (HeadInPointwise && k == L - 1)
                    {
                        // The head's part of dh, as MatTransposeVecAdd adds it (one multiply-add per output, in order: the
                        // same bits), without its call and its store and reload of dh on the step's critical path.
                        for (int o = 0; o < _spec.Output; o++)
                            w.Line("dhv = MulAdd(" + Ld("p", "PDenseWeight + " + I(o * h) + " + u") + ", " + V + ".Create(ws.DOut[t * " + I(_spec.Output) + " + " + I(o) + "]), dhv);");
                    }
                    w.Line(VT + " dpo = dhv * tcv * o * (one - o);");
                    w.Line(VT + " dcj = " + Ld("dc", "u") + " + dhv * o * (one - tcv * tcv);");
                    w.Line(St("dcj * g * i * (one - i)", "dGates", "u"));
                    w.Line(St("dcj * " + Ld("cp", "u") + " * f * (one - f)", "dGates", I(h) + " + u"));
                    w.Line(St("dcj * i * (one - g * g)", "dGates", I(2 * h) + " + u"));
                    w.Line(St("dpo", "dGates", I(3 * h) + " + u"));
                    w.Line(St("dcj * f", "dc", "u") + " // carried to step t-1");
                });
                w.Open("else");
            }
            w.Open("for (int j = 0; j < " + I(h) + "; j++)");
            w.Line("float i = gt[j], f = gt[" + I(h) + " + j], g = gt[" + I(2 * h) + " + j], o = gt[" + I(3 * h) + " + j];");
            w.Line("float dpo = dh[j] * tc[j] * o * (1f - o);");
            w.Line("float dcj = dc[j] + dh[j] * o * (1f - tc[j] * tc[j]);");
            if (_spec.Peephole)
            {
                w.Line("dcj += dpo * p[" + lt.PeepholeO!.Constant + " + j];");
                w.Line("ws.Gradients[" + lt.PeepholeO.Constant + " + j] += dpo * cn[j];");
            }
            w.Line("float dpi = dcj * g * i * (1f - i);");
            w.Line("float dpf = dcj * cp[j] * f * (1f - f);");
            w.Line("float dpg = dcj * i * (1f - g * g);");
            w.Line("float dcp = dcj * f;");
            if (_spec.Peephole)
            {
                w.Line("dcp += dpi * p[" + lt.PeepholeI!.Constant + " + j] + dpf * p[" + lt.PeepholeF!.Constant + " + j];");
                w.Line("ws.Gradients[" + lt.PeepholeI.Constant + " + j] += dpi * cp[j];");
                w.Line("ws.Gradients[" + lt.PeepholeF.Constant + " + j] += dpf * cp[j];");
            }
            w.Line("dc[j] = dcp; // carried to step t-1");
            w.Line("dGates[j] = dpi; dGates[" + I(h) + " + j] = dpf; dGates[" + I(2 * h) + " + j] = dpg; dGates[" + I(3 * h) + " + j] = dpo;");
            w.Close();
            if (FastTrain) w.Close();
        }

        /// <summary>
        /// The weight and bias gradients are summed over the time steps after the backward time loop (from a tape of the
        /// gate pre-activation gradients) instead of being read-modified-written at every step.
        /// </summary>
        private bool Deferred => FastTrain;

        /// <summary>
        /// Emits OuterSum: g[r * cols + c] += sum over t &lt; steps of a[aOffset + t * aStride + r] * b[bOffset + t * bStride + c],
        /// register-blocked over a few rows and columns with the sum over t in registers (one store per block).
        /// </summary>
        private void EmitOuterSumHelper()
        {
            var w = _w;
            w.Line("private static readonly float[] s_one = { 1f };");
            w.Line();
            w.Doc("g[gOffset + r * cols + c] += sum over t &lt; steps of a[aOffset + t * aStride + r] * b[bOffset + t * bStride + c] (deferred weight gradients).");
            w.Open("private static void OuterSum(float[] g, int gOffset, int rows, int cols, float[] a, int aOffset, int aStride, float[] b, int bOffset, int bStride, int steps)");
            w.Line("ref float gr = ref " + U + ".Add(ref " + MM + ".GetArrayDataReference(g), gOffset);");
            w.Line("ref float ar = ref " + U + ".Add(ref " + MM + ".GetArrayDataReference(a), aOffset);");
            w.Line("ref float br = ref " + U + ".Add(ref " + MM + ".GetArrayDataReference(b), bOffset);");
            foreach (int width in new[] { 16, 8, 4 })
                w.Line("if (" + Accelerated(width) + " && cols >= " + I(width) + ") { OuterSumColumns" + I(width * 32) + "(ref gr, rows, cols, ref ar, aStride, ref br, bStride, steps); return; }");
            foreach (int width in new[] { 16, 8, 4 })
                w.Line("if (" + Accelerated(width) + " && rows >= " + I(width) + ") { OuterSumRows" + I(width * 32) + "(ref gr, rows, cols, ref ar, aStride, ref br, bStride, steps); return; }");
            w.Open("for (int r = 0; r < rows; r++)");
            w.Open("for (int c = 0; c < cols; c++)");
            EmitScalarOuterSum(w, "gr", "ar", "br", "r");
            w.Close();
            w.Close();
            w.Close();
            w.Line();
            foreach (int width in new[] { 16, 8, 4 })
            {
                EmitOuterSumColumns(width);
                EmitOuterSumRows(width);
            }
        }

        /// <summary>One gradient element g[row * cols + c] += sum over t of a[t, row] * b[t, c], in scalar code.</summary>
        private static void EmitScalarOuterSum(CodeWriter w, string g, string a, string b, string row)
        {
            w.Line("float sum = 0f;");
            w.Line("for (int t = 0; t < steps; t++) sum += " + U + ".Add(ref " + a + ", t * aStride + " + row + ") * " + U + ".Add(ref " + b + ", t * bStride + c);");
            w.Line(U + ".Add(ref " + g + ", " + row + " * cols + c) += sum;");
        }

        /// <summary>
        /// Vectors over the columns (cols &gt;= width): blocks of 8 rows (Vector512, whose 32 registers hold the 16 sums; with 8
        /// FMA chains of 4 rows the FMA latency, not the throughput, bounds the loop: W_hh of shape A 2.35 -> 2.1 us on Zen 5),
        /// then 4 rows, each x 2 vectors, then x 1, then single rows. Each element's sum over t is the same whatever the block.
        /// </summary>
        private void EmitOuterSumColumns(int width)
        {
            var w = _w;
            string V = VectorClass(width), VT = V + "<float>";
            string Ld(string reference, string offset) => LoadAt(V, reference, offset);
            string Fma(string a, string b, string c) => FmaExpr(V, a, b, c);
            string Bc(string offset) => V + ".Create(" + U + ".Add(ref at, " + offset + "))";
            w.Open("private static void OuterSumColumns" + I(width * 32) + "(ref float g, int rows, int cols, ref float a, int aStride, ref float b, int bStride, int steps)");
            w.Line("int r = 0;");
            foreach (int block in new[] { 8, 4 })
            {
                // Blocks of 8 rows on the 16-register widths only where the columns are one vector wide (8 accumulators,
                // where two vectors would need 16): each sum is one FMA chain over the steps, so 4 chains left half the FMA
                // throughput unused. Shape C's 32 x 8 sums (4 x LSTM(8)), TrainStep on Zen 4: 3.6% faster on Vector512 (whose
                // 8-column sums take this Vector256 code), 6.9% on Vector256; same bits.
                bool narrow = block == 8 && width != 16;
                w.Open("for (; " + (narrow ? "cols < " + I(2 * width) + " && " : "") + "r + " + I(block) + " <= rows; r += " + I(block) + ")");
                w.Line("int c = 0;");
                foreach (int vectors in narrow ? new[] { 1 } : new[] { 2, 1 })
                {
                    w.Open("for (; c + " + I(vectors * width) + " <= cols; c += " + I(vectors * width) + ")");
                    for (int i = 0; i < block; i++)
                    {
                        var decl = new System.Collections.Generic.List<string>();
                        for (int v = 0; v < vectors; v++) decl.Add("p" + I(i) + I(v) + " = " + VT + ".Zero");
                        w.Line(VT + " " + string.Join(", ", decl) + ";");
                    }
                    w.Open("for (int t = 0; t < steps; t++)");
                    w.Line("ref float at = ref " + U + ".Add(ref a, t * aStride + r);");
                    w.Line("ref float bt = ref " + U + ".Add(ref b, t * bStride + c);");
                    for (int v = 0; v < vectors; v++) w.Line(VT + " b" + I(v) + " = " + Ld("bt", I(v * width)) + ";");
                    for (int i = 0; i < block; i++)
                    {
                        w.Line((i == 0 ? VT + " " : "") + "x = " + Bc(I(i)) + ";");
                        for (int v = 0; v < vectors; v++) w.Line("p" + I(i) + I(v) + " = " + Fma("x", "b" + I(v), "p" + I(i) + I(v)) + ";");
                    }
                    w.Close();
                    for (int i = 0; i < block; i++)
                    {
                        w.Line("ref float g" + I(i) + " = ref " + U + ".Add(ref g, (r + " + I(i) + ") * cols + c);");
                        for (int v = 0; v < vectors; v++) w.Line(V + ".StoreUnsafe(" + Ld("g" + I(i), I(v * width)) + " + p" + I(i) + I(v) + ", ref g" + I(i) + ", (nuint)" + I(v * width) + ");");
                    }
                    w.Close();
                }
                w.Open("for (; c < cols; c++)");
                w.Open("for (int i = 0; i < " + I(block) + "; i++)");
                EmitScalarOuterSum(w, "g", "a", "b", "(r + i)");
                w.Close();
                w.Close();
                w.Close();
            }
            w.Open("for (; r < rows; r++)");
            w.Line("int c = 0;");
            w.Open("for (; c + " + I(width) + " <= cols; c += " + I(width) + ")");
            w.Line(VT + " p0 = " + VT + ".Zero, p1 = " + VT + ".Zero;");
            w.Line("int t = 0;");
            w.Open("for (; t + 2 <= steps; t += 2)");
            w.Line("p0 = " + Fma(V + ".Create(" + U + ".Add(ref a, t * aStride + r))", Ld("b", "t * bStride + c"), "p0") + ";");
            w.Line("p1 = " + Fma(V + ".Create(" + U + ".Add(ref a, (t + 1) * aStride + r))", Ld("b", "(t + 1) * bStride + c"), "p1") + ";");
            w.Close();
            w.Line("if (t < steps) p0 = " + Fma(V + ".Create(" + U + ".Add(ref a, t * aStride + r))", Ld("b", "t * bStride + c"), "p0") + ";");
            w.Line("ref float g0 = ref " + U + ".Add(ref g, r * cols + c);");
            w.Line(V + ".StoreUnsafe(" + Ld("g0", "0") + " + (p0 + p1), ref g0);");
            w.Close();
            w.Open("for (; c < cols; c++)");
            EmitScalarOuterSum(w, "g", "a", "b", "r");
            w.Close();
            w.Close();
            w.Close();
            w.Line();
        }

        /// <summary>
        /// Vectors over the rows (few columns, e.g. a single input or the bias sums): 8 vectors, then 4, then 1, then scalars;
        /// per column. Each sum is one FMA chain over the steps, so the FMA latency bounds a block: with 8 chains instead of 4
        /// the 128 x 1 sums of shape A (W_ih, each bias) went from 300-350 to 270-295 ns on Vector256 (Zen 3).
        /// </summary>
        private void EmitOuterSumRows(int width)
        {
            var w = _w;
            string V = VectorClass(width), VT = V + "<float>";
            string Ld(string reference, string offset) => LoadAt(V, reference, offset);
            string Fma(string a, string b, string c) => FmaExpr(V, a, b, c);
            w.Open("private static void OuterSumRows" + I(width * 32) + "(ref float g, int rows, int cols, ref float a, int aStride, ref float b, int bStride, int steps)");
            w.Open("for (int c = 0; c < cols; c++)");
            w.Line("int r = 0;");
            foreach (int vectors in new[] { 8, 4, 1 })
            {
                w.Open("for (; r + " + I(vectors * width) + " <= rows; r += " + I(vectors * width) + ")");
                var decl = new System.Collections.Generic.List<string>();
                for (int v = 0; v < vectors; v++) decl.Add("p" + I(v) + " = " + VT + ".Zero");
                w.Line(VT + " " + string.Join(", ", decl) + ";");
                w.Open("for (int t = 0; t < steps; t++)");
                w.Line(VT + " x = " + V + ".Create(" + U + ".Add(ref b, t * bStride + c));");
                w.Line("ref float at = ref " + U + ".Add(ref a, t * aStride + r);");
                for (int v = 0; v < vectors; v++) w.Line("p" + I(v) + " = " + Fma(Ld("at", I(v * width)), "x", "p" + I(v)) + ";");
                w.Close();
                w.Open("if (cols == 1)");
                w.Line("ref float g0 = ref " + U + ".Add(ref g, r);");
                for (int v = 0; v < vectors; v++) w.Line(V + ".StoreUnsafe(" + Ld("g0", I(v * width)) + " + p" + I(v) + ", ref g0, (nuint)" + I(v * width) + ");");
                w.Close();
                w.Open("else");
                for (int v = 0; v < vectors; v++)
                    w.Line("for (int l = 0; l < " + I(width) + "; l++) " + U + ".Add(ref g, (r + " + I(v * width) + " + l) * cols + c) += " + V + ".GetElement(p" + I(v) + ", l);");
                w.Close();
                w.Close();
            }
            w.Open("for (; r < rows; r++)");
            EmitScalarOuterSum(w, "g", "a", "b", "r");
            w.Close();
            w.Close();
            w.Close();
            w.Line();
        }

        /// <summary>After the time loop: every weight and bias gradient from the tapes, as sums over the steps.</summary>
        private void EmitDeferredGradients()
        {
            var w = _w;
            var s = _spec;
            int h = s.Hidden, L = s.Layers, gt = GateTape;
            w.Line("// Weight and bias gradients: sums over the steps of the taped gate gradients times the layer inputs.");
            if (s.HasHead)
            {
                string hTop = s.IsLast ? "(steps * " + I(L) + " + " + I(L - 1) + ") * " + I(h) : I(L + L - 1) + " * " + I(h);
                string n = s.IsLast ? "1" : "steps";
                w.Line("OuterSum(ws.Gradients, PDenseWeight, " + I(s.Output) + ", " + I(h) + ", ws.DOut, 0, " + I(s.OutputWidth) + ", ws.TapeH, " + hTop + ", " + I(L * h) + ", " + n + ");");
                w.Line("OuterSum(ws.Gradients, PDenseBias, " + I(s.Output) + ", 1, ws.DOut, 0, " + I(s.OutputWidth) + ", s_one, 0, 0, " + n + ");");
            }
            for (int k = 0; k < L; k++)
            {
                var lt = _layout.Layers[k];
                int inSize = s.LayerInput(k);
                int rows = s.Cell == Cell.Gru ? 3 * h : s.GateRows;
                string aIh = I(k * gt), aHh = s.Cell == Cell.Gru ? I(k * gt + 3 * h) : aIh;
                string stride = I(L * gt);
                string x = k == 0 ? "ws.TapeInputs, 0, InputSize" : "ws.TapeH, " + I((L + k - 1) * h) + ", " + I(L * h);
                w.Line("OuterSum(ws.Gradients, " + lt.WeightIh.Constant + ", " + I(rows) + ", " + I(inSize) + ", ws.TapeDGates, " + aIh + ", " + stride + ", " + x + ", steps);");
                w.Line("OuterSum(ws.Gradients, " + lt.WeightHh.Constant + ", " + I(rows) + ", " + I(h) + ", ws.TapeDGates, " + aHh + ", " + stride + ", ws.TapeH, " + I(k * h) + ", " + I(L * h) + ", steps);");
                // bias_ih and bias_hh receive the same sum (a GRU's r and z parts; its n parts differ): computed once into DGates
                // (free after the time loop; 0 + sum is the sum), then added to each, which gives the same bits as summing into
                // each gradient.
                int shared = s.Cell == Cell.Gru ? 2 * h : rows;
                w.Line("global::System.Array.Clear(ws.DGates, 0, " + I(shared) + ");");
                w.Line("OuterSum(ws.DGates, 0, " + I(shared) + ", 1, ws.TapeDGates, " + aIh + ", " + stride + ", s_one, 0, 0, steps);");
                foreach (var bias in new[] { lt.BiasIh, lt.BiasHh })
                    w.Line(K + ".Add(grad.Slice(" + bias.Constant + ", " + I(shared) + "), global::System.MemoryExtensions.AsSpan(ws.DGates, 0, " + I(shared) + "));");
                if (s.Cell == Cell.Gru)
                {
                    w.Line("OuterSum(ws.Gradients, " + lt.BiasIh.Constant + " + " + I(2 * h) + ", " + I(h) + ", 1, ws.TapeDGates, " + I(k * gt + 2 * h) + ", " + stride + ", s_one, 0, 0, steps); // n(x)");
                    w.Line("OuterSum(ws.Gradients, " + lt.BiasHh.Constant + " + " + I(2 * h) + ", " + I(h) + ", 1, ws.TapeDGates, " + I(k * gt + 5 * h) + ", " + stride + ", s_one, 0, 0, steps); // n(h)");
                }
            }
        }

        /// <summary>
        /// d h(t-1) = W_hh^T d (+ <paramref name="initial"/>) without touching the gradients (deferred path), from the aligned
        /// row-major copy Repack keeps (FastTrain), else from the canonical parameters.
        /// </summary>
        private void EmitRecurrentDh(LayerTensors lt, int rows, string d, string? initial)
        {
            int h = _spec.Hidden;
            string canonical = "p.Slice(" + lt.WeightHh.Constant + ", " + I(rows * h) + ")";
            EmitTransposedProduct(FastTrain ? U + ".Add(ref PackedBase, QRecurrent" + I(IndexOfLayer(lt)) + ")" : MM + ".GetReference(" + canonical + ")",
                canonical, rows, h, d, "dh", initial);
        }

        /// <summary>
        /// d x = W_ih^T d for the layer below or the embedding (deferred path), from the canonical row-major weight_ih:
        /// the same register-blocked product as d h(t-1) where a vector width divides the input size. The generic kernel
        /// it replaces (its calls were 11% of TrainStep C, 4 x LSTM(8), in the profile) sums in the same order, so the bits
        /// are the same; TrainStep C on Zen 4, in-process, six instances each: 4.3% faster on Vector512, 5.3% on
        /// Vector256, unchanged on Vector128.
        /// </summary>
        private void EmitInputGradient(LayerTensors lt, int rows, string d, int layer)
        {
            int inSize = _spec.LayerInput(layer);
            _w.Line("// d loss / d x (for the layer below or the embedding).");
            _w.Line(Span + " dx = dX.Slice(0, " + I(inSize) + ");");
            string canonical = "p.Slice(" + lt.WeightIh.Constant + ", " + I(lt.WeightIh.Length) + ")";
            if (Deferred) EmitTransposedProduct(MM + ".GetReference(" + canonical + ")", canonical, rows, inSize, d, "dx", null);
            else EmitGenericTransposedProduct(canonical, d, "dx", null);
        }

        /// <summary>
        /// <paramref name="output"/> = M^T <paramref name="d"/> (+ <paramref name="initial"/>) for a row-major M of
        /// <paramref name="rows"/> x <paramref name="cols"/> at <paramref name="matrixRef"/>: column blocks of at most 8
        /// vectors kept in registers, with up to 4 interleaved row chains so the FMA latency is hidden; the generic kernel
        /// on <paramref name="canonicalSlice"/> where no vector width divides the columns or none is accelerated.
        /// </summary>
        private void EmitTransposedProduct(string matrixRef, string canonicalSlice, int rows, int cols, string d, string output, string? initial)
        {
            var w = _w;
            if (!EmitVectorDispatch(width =>
            {
                string V = VectorClass(width), VT = V + "<float>";
                string Ld(string reference, string offset) => LoadAt(V, reference, offset);
                int n = cols / width;
                w.Line("ref float wr = ref " + matrixRef + ";");
                w.Line("ref float dr = ref " + MM + ".GetReference(" + d + ");");
                w.Line("ref float dhr = ref " + MM + ".GetReference(" + output + ");");
                if (initial is not null) w.Line("ref float ir = ref " + MM + ".GetReference(" + initial + ");");
                int full = n / 8 * 8;
                if (full > 0)
                {
                    // Column blocks of 8 vectors in a loop: the emitted code does not grow with the size.
                    w.Open(full == 8 ? "" : "for (nuint cb = 0; cb < " + I(full * width) + "; cb += " + I(8 * width) + ")");
                    EmitTransposedProductBlock(V, VT, Ld, rows, cols, 8, full == 8 ? "0" : "cb", initial);
                    w.Close();
                }
                if (n > full)
                {
                    w.Open("");
                    EmitTransposedProductBlock(V, VT, Ld, rows, cols, n - full, I(full * width), initial);
                    w.Close();
                }
            }, cols))
            {
                EmitGenericTransposedProduct(canonicalSlice, d, output, initial);
                return;
            }
            w.Open("else");
            EmitGenericTransposedProduct(canonicalSlice, d, output, initial);
            w.Close();
        }

        private void EmitGenericTransposedProduct(string canonicalSlice, string d, string output, string? initial)
        {
            if (initial is null) _w.Line(output + ".Clear();"); else _w.Line(initial + ".CopyTo(" + output + ");");
            _w.Line(K + ".MatTransposeVecAdd(" + canonicalSlice + ", " + d + ", " + output + ");");
        }

        private int IndexOfLayer(LayerTensors lt)
        {
            for (int k = 0; k < _layout.Layers.Count; k++) if (ReferenceEquals(_layout.Layers[k], lt)) return k;
            throw new System.InvalidOperationException("not a layer of this model");
        }

        /// <summary>One block of <paramref name="m"/> vectors of the product starting at column <paramref name="column"/>.</summary>
        private void EmitTransposedProductBlock(string V, string VT, System.Func<string, string, string> Ld, int rows, int cols, int m, string column, string? initial)
        {
            var w = _w;
            int width = V.EndsWith("512", StringComparison.Ordinal) ? 16 : V.EndsWith("256", StringComparison.Ordinal) ? 8 : 4;
            int chains = m <= 2 ? 4 : m <= 4 ? 2 : 1;
            while (rows % chains != 0) chains /= 2;
            for (int c = 0; c < chains; c++)
            {
                var decl = new System.Collections.Generic.List<string>();
                for (int v = 0; v < m; v++) decl.Add("s" + I(c) + "_" + I(v) + " = " + VT + ".Zero");
                w.Line(VT + " " + string.Join(", ", decl) + ";");
            }
            w.Open("for (nuint r = 0; r < " + I(rows) + "; r += " + I(chains) + ")");
            w.Line("ref float row = ref " + U + ".Add(ref wr, r * " + I(cols) + " + " + column + ");");
            for (int c = 0; c < chains; c++)
            {
                w.Line((c == 0 ? VT + " " : "") + "dv = " + V + ".Create(" + U + ".Add(ref dr, r + " + I(c) + "));");
                for (int v = 0; v < m; v++)
                    w.Line("s" + I(c) + "_" + I(v) + " = " + FmaExpr(V, "dv", Ld("row", I(c * cols + v * width)), "s" + I(c) + "_" + I(v)) + ";");
            }
            w.Close();
            w.Line("ref float dcol = ref " + U + ".Add(ref dhr, " + column + ");");
            if (initial is not null) w.Line("ref float icol = ref " + U + ".Add(ref ir, " + column + ");");
            for (int v = 0; v < m; v++)
            {
                string sum = "s0_" + I(v);
                if (chains == 4) sum = "(s0_" + I(v) + " + s1_" + I(v) + ") + (s2_" + I(v) + " + s3_" + I(v) + ")";
                else if (chains == 2) sum = "s0_" + I(v) + " + s1_" + I(v);
                if (initial is not null) sum = Ld("icol", I(v * width)) + " + (" + sum + ")";
                w.Line(V + ".StoreUnsafe(" + sum + ", ref dcol, (nuint)" + I(v * width) + ");");
            }
        }

        /// <summary>
        /// Emits <c>if (Vector512 accelerated) {...} else if (Vector256...) {...} else if (Vector128...) {...}</c> for the widths
        /// that divide <paramref name="lanes"/> (default: the hidden size); the caller emits the final else. False when no
        /// width divides it (nothing emitted).
        /// </summary>
        private bool EmitVectorDispatch(System.Action<int> body, int lanes = 0)
        {
            var w = _w;
            if (lanes == 0) lanes = _spec.Hidden;
            bool first = true;
            foreach (int width in new[] { 16, 8, 4 })
            {
                if (lanes % width != 0) continue;
                w.Open((first ? "if (" : "else if (") + Accelerated(width) + ")");
                body(width);
                w.Close();
                first = false;
            }
            return !first;
        }

        private void EmitGruBackward(LayerTensors lt)
        {
            var w = _w;
            int h = _spec.Hidden;
            // Tape per (t, k): gi = [r | z | n] (post-activation), gh = [W_hr h + b_hr | W_hz h + b_hz | W_hn h + b_hn (or W_hn (r h) + b_hn)].
            w.Line(Span + " dGi = dGates.Slice(0, " + I(3 * h) + "); // d pre-activations of the input part: r | z | n");
            w.Line(Span + " dGh = dGates.Slice(" + I(3 * h) + ", " + I(3 * h) + "); // d of the recurrent part");
            // The SIMD training path (reset after the product): the same operations in the same order on whole vectors, so
            // the same bits as the scalar loop below (EmitGruBackwardVectors).
            bool vectors = FastTrain && _spec.ResetAfter;
            if (vectors)
            {
                EmitGruBackwardVectors();
                w.Open("else");
            }
            w.Open("for (int j = 0; j < " + I(h) + "; j++)");
            w.Line("float r = gt[j], z = gt[" + I(h) + " + j], n = gt[" + I(2 * h) + " + j], hnPart = gt[" + I(5 * h) + " + j];");
            w.Line("float dn = dh[j] * (1f - z);");
            w.Line("float dz = dh[j] * (hp[j] - n);");
            w.Line("float dan = dn * (1f - n * n);");
            w.Line("float daz = dz * z * (1f - z);");
            w.Line("dTmp[j] = dh[j] * z; // direct path to h(t-1)");
            w.Line("dGi[j + " + I(2 * h) + "] = dan;");
            w.Line("dGi[j + " + I(h) + "] = daz;");
            w.Line("dGh[j + " + I(h) + "] = daz;");
            if (_spec.ResetAfter)
            {
                w.Line("float dar = dan * hnPart * r * (1f - r);");
                w.Line("dGi[j] = dar; dGh[j] = dar;");
                w.Line("dGh[j + " + I(2 * h) + "] = dan * r;");
            }
            else
            {
                w.Line("dGh[j + " + I(2 * h) + "] = dan;");
            }
            w.Close();
            if (vectors) w.Close();
            if (!_spec.ResetAfter)
            {
                // n = tanh(gi_n + W_hn (r*h) + b_hn): d(r*h) = W_hn^T dan; dr = d(rh) * h; dh(t-1) += d(rh) * r.
                w.Line(Span + " drh = dX.Slice(0, " + I(h) + ");");
                w.Line("drh.Clear();");
                w.Line(K + ".MatTransposeVecAdd(p.Slice(" + lt.WeightHh.Constant + " + " + I(2 * h * h) + ", " + I(h * h) + "), dGh.Slice(" + I(2 * h) + ", " + I(h) + "), drh);");
                w.Line(Span + " rh = global::System.MemoryExtensions.AsSpan(ws.Scratch, " + I(6 * h) + ", " + I(h) + ");");
                w.Open("for (int j = 0; j < " + I(h) + "; j++)");
                w.Line("float r = gt[j];");
                w.Line("float dar = drh[j] * hp[j] * r * (1f - r);");
                w.Line("dGi[j] = dar; dGh[j] = dar;");
                w.Line("dTmp[j] += drh[j] * r;");
                w.Line("rh[j] = r * hp[j];");
                w.Close();
                w.Line(K + ".OuterAdd(grad.Slice(" + lt.WeightHh.Constant + ", " + I(2 * h * h) + "), dGh.Slice(0, " + I(2 * h) + "), hp);");
                w.Line(K + ".OuterAdd(grad.Slice(" + lt.WeightHh.Constant + " + " + I(2 * h * h) + ", " + I(h * h) + "), dGh.Slice(" + I(2 * h) + ", " + I(h) + "), rh);");
            }
            else
            {
                if (!Deferred) w.Line(K + ".OuterAdd(grad.Slice(" + lt.WeightHh.Constant + ", " + I(lt.WeightHh.Length) + "), dGh, hp);");
            }
            if (!Deferred)
            {
                w.Line(K + ".OuterAdd(grad.Slice(" + lt.WeightIh.Constant + ", " + I(lt.WeightIh.Length) + "), dGi, x);");
                w.Line(K + ".Add(grad.Slice(" + lt.BiasIh.Constant + ", " + I(3 * h) + "), dGi);");
                w.Line(K + ".Add(grad.Slice(" + lt.BiasHh.Constant + ", " + I(3 * h) + "), dGh);");
            }
            int layer = _layout.Layers.IndexOf(lt);
            if (NeedsDx(layer)) EmitInputGradient(lt, 3 * h, "dGi", layer);
            if (Deferred)
            {
                EmitRecurrentDh(lt, 3 * h, "dGh", "dTmp");
                return;
            }
            w.Line("dTmp.CopyTo(dh);");
            if (_spec.ResetAfter)
                w.Line(K + ".MatTransposeVecAdd(p.Slice(" + lt.WeightHh.Constant + ", " + I(lt.WeightHh.Length) + "), dGh, dh);");
            else
                w.Line(K + ".MatTransposeVecAdd(p.Slice(" + lt.WeightHh.Constant + ", " + I(2 * h * h) + "), dGh.Slice(0, " + I(2 * h) + "), dh);");
        }

        /// <summary>
        /// A pointwise backward loop over the hidden units on the widest accelerated vectors that divide them (the caller
        /// emits the scalar else): <paramref name="body"/>(vector class, vector type) emits one vector's statements, with
        /// <c>u</c> the unit and <c>one</c> a vector of ones in scope.
        /// </summary>
        private void EmitPointwiseVectors(System.Action<string, string> body)
        {
            var w = _w;
            EmitVectorDispatch(width =>
            {
                string V = VectorClass(width), VT = V + "<float>";
                w.Line(VT + " one = " + V + ".Create(1f);");
                w.Open("for (int u = 0; u < " + I(_spec.Hidden) + "; u += " + I(width) + ")");
                body(V, VT);
                w.Close();
            });
        }

        private static string SpanLoad(string v, string span, string offset) => v + ".LoadUnsafe(ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(" + span + "), " + Offset(offset) + ")";

        private static string SpanStore(string v, string value, string span, string offset) => v + ".StoreUnsafe(" + value + ", ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(" + span + "), " + Offset(offset) + ");";

        /// <summary>
        /// The GRU's pointwise backward step (reset after the product) on vectors, as EmitLstmBackward's: the scalar loop's
        /// expressions, vector for vector. TrainStep B (GRU 1 -> 32) on Zen 4, in-process against the scalar loop, six
        /// instances each: 20% faster on Vector512, 15% on Vector256, 7% on Vector128, with the same bits.
        /// </summary>
        private void EmitGruBackwardVectors()
        {
            var w = _w;
            int h = _spec.Hidden;
            EmitPointwiseVectors((V, VT) =>
            {
                string Ld(string span, string offset) => SpanLoad(V, span, offset);
                string St(string value, string span, string offset) => SpanStore(V, value, span, offset);
                w.Line(VT + " r = " + Ld("gt", "u") + ", z = " + Ld("gt", I(h) + " + u") + ", n = " + Ld("gt", I(2 * h) + " + u") + ", hnPart = " + Ld("gt", I(5 * h) + " + u") + ";");
                w.Line(VT + " dhv = " + Ld("dh", "u") + ";");
                w.Line(VT + " dn = dhv * (one - z);");
                w.Line(VT + " dz = dhv * (" + Ld("hp", "u") + " - n);");
                w.Line(VT + " dan = dn * (one - n * n);");
                w.Line(VT + " daz = dz * z * (one - z);");
                w.Line(St("dhv * z", "dTmp", "u") + " // direct path to h(t-1)");
                w.Line(St("dan", "dGi", I(2 * h) + " + u"));
                w.Line(St("daz", "dGi", I(h) + " + u"));
                w.Line(St("daz", "dGh", I(h) + " + u"));
                w.Line(VT + " dar = dan * hnPart * r * (one - r);");
                w.Line(St("dar", "dGi", "u") + " " + St("dar", "dGh", "u"));
                w.Line(St("dan * r", "dGh", I(2 * h) + " + u"));
            });
        }

        /// <summary>
        /// Batch training over many sequences of equal length: the batch is cut into a fixed number of chunks (independent
        /// of the worker count), each chunk accumulates into its own workspace in sequence order, and the chunks are added
        /// in chunk order, so the result is bit-identical for any number of workers.
        /// </summary>
        private void EmitBatch(string inputType, string inputName, string targetType, string targetName)
        {
            var w = _w;
            var s = _spec;
            string inputMemory = inputType.Replace("ReadOnlySpan", "ReadOnlyMemory");
            string targetMemory = targetType.Replace("ReadOnlySpan", "ReadOnlyMemory");
            string stepsOf = s.HasTokens ? "x.Length" : "x.Length / InputSize";
            w.Line("private const int BatchChunks = 8;");
            w.Line("private TrainingWorkspace[]? _chunkWorkspaces;");
            w.Line("private readonly double[] _chunkLoss = new double[BatchChunks];");
            w.Line();
            w.Line("/// <summary>Accumulates the gradients of <paramref name=\"sequences\"/> equal-length sequences stored one after another in <paramref name=\"" + inputName + "\"/> and <paramref name=\"" + targetName + "\"/>, on up to <paramref name=\"maxWorkers\"/> threads (0 = every core, 1 = this thread only); returns the mean loss. Every sequence is checked before anything changes; a refused one throws <see cref=\"global::System.ArgumentException\"/> naming it. The result is bit-identical for any worker count. Follow with <c>ApplyGradients(sequences)</c> to average." + (s.Loss == ModelSpec.LossCrossEntropy ? " Cross-entropy is the mean over every counted row of the batch, as PyTorch's cross_entropy on the flattened batch: a padded sequence weighs by its counted rows." : "") + "</summary>");
            w.Open("public float AccumulateBatch(" + inputMemory + " " + inputName + ", " + targetMemory + " " + targetName + ", int sequences, int maxWorkers = 0)");
            w.Line("if (sequences < 1) throw new global::System.ArgumentOutOfRangeException(nameof(sequences), sequences, \"At least one sequence.\");");
            w.Line("if (" + inputName + ".Length % sequences != 0) throw new global::System.ArgumentException(\"" + inputName + ": the length must be a multiple of sequences.\", nameof(" + inputName + "));");
            w.Line("if (" + targetName + ".Length % sequences != 0) throw new global::System.ArgumentException(\"" + targetName + ": the length must be a multiple of sequences.\", nameof(" + targetName + "));");
            w.Line("int inputLength = " + inputName + ".Length / sequences, targetLength = " + targetName + ".Length / sequences;");
            w.Open("for (int b = 0; b < sequences; b++)");
            w.Open("try");
            w.Line("ValidateTrainingData(" + inputName + ".Span.Slice(b * inputLength, inputLength), " + targetName + ".Span.Slice(b * targetLength, targetLength));");
            w.Close();
            w.Open("catch (global::System.ArgumentException e)");
            w.Line("// The sequence's own message counts positions and lengths within the sequence: say which sequence it is.");
            w.Line("throw new global::System.ArgumentException(\"Sequence \" + b.ToString(global::System.Globalization.CultureInfo.InvariantCulture) + \" of the batch: \" + e.Message, e);");
            w.Close();
            w.Close();
            w.Line("int chunks = sequences < BatchChunks ? sequences : BatchChunks;");
            if (s.Loss == ModelSpec.LossCrossEntropy)
            {
                w.Line("// Cross-entropy: the mean over every counted row of the batch (PyTorch's cross_entropy on the flattened batch), not the mean of per-sequence means, which would weigh a padded sequence's rows more.");
                w.Line("int batchCounted = 0;");
                // An indexed loop: foreach over a span does not compile for C# 9-12 against .NET 10's span types (dotnet/roslyn#80041).
                w.Line("global::System.ReadOnlySpan<int> allClasses = " + targetName + ".Span;");
                w.Line("for (int i = 0; i < allClasses.Length; i++) if (allClasses[i] != " + I(s.IgnoreIndex) + ") batchCounted++;");
            }
            if (FastTrain) w.Line("if (_packedStale) Repack(); // before the workers read the packed weights");
            w.Line("// A chunk's workspace is allocated the first time a batch has that many chunks (a batch of one sequence needs one).");
            w.Line("if (_chunkWorkspaces is null) _chunkWorkspaces = new TrainingWorkspace[BatchChunks];");
            w.Line("for (int c = 0; c < chunks; c++) if (_chunkWorkspaces[c] is null) _chunkWorkspaces[c] = new TrainingWorkspace();");
            if (s.Loss == ModelSpec.LossCrossEntropy)
                w.Line("for (int c = 0; c < chunks; c++) { _chunkWorkspaces[c].BatchSequences = sequences; _chunkWorkspaces[c].BatchCounted = batchCounted; }");
            if (HasDropout)
            {
                w.Line("// Each chunk draws its dropout masks from its own stream, derived from the model's: reproducible for any worker count.");
                w.Open("for (int c = 0; c < chunks; c++)");
                w.Line("ulong z = _ws.DropoutState + (ulong)(c + 1) * 0x9E3779B97F4A7C15UL;");
                w.Line("z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL; z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;");
                w.Line("_chunkWorkspaces[c].DropoutState = (z ^ (z >> 31)) | 1UL;");
                w.Close();
                w.Line("_ws.DropoutState ^= _ws.DropoutState << 13; _ws.DropoutState ^= _ws.DropoutState >> 7; _ws.DropoutState ^= _ws.DropoutState << 17;");
            }
            w.Line("int workers = maxWorkers > 0 ? maxWorkers : global::System.Environment.ProcessorCount;");
            w.Open("if (workers <= 1 || chunks == 1)");
            w.Line("for (int c = 0; c < chunks; c++) RunChunk(c, chunks, " + inputName + ", " + targetName + ", sequences, inputLength, targetLength);");
            w.Close();
            w.Line("else RunChunksInParallel(workers, chunks, " + inputName + ", " + targetName + ", sequences, inputLength, targetLength);");
            w.Line("double loss = 0;");
            w.Open("for (int c = 0; c < chunks; c++)");
            w.Line(K + ".Add(_ws.Gradients, _chunkWorkspaces[c].Gradients);");
            w.Line("loss += _chunkLoss[c];");
            w.Close();
            w.Line("return (float)(loss / sequences);");
            w.Close();
            w.Line();
            w.Line("// Thread-pool dispatch without allocation (after the first call, on .NET 8+): the batch's arguments wait in _batchWork for the workers.");
            w.Open("private void RunChunksInParallel(int workers, int chunks, " + inputMemory + " " + inputName + ", " + targetMemory + " " + targetName + ", int sequences, int inputLength, int targetLength)");
            w.Line("if (_batchWork is null) _batchWork = new BatchWork(this);");
            w.Line("BatchWork batch = _batchWork;");
            w.Line("batch.Inputs = " + inputName + "; batch.Targets = " + targetName + "; batch.Chunks = chunks; batch.Sequences = sequences; batch.InputLength = inputLength; batch.TargetLength = targetLength;");
            w.Line("try { batch.Dispatcher.Run(chunks, workers); }");
            w.Line("finally { batch.Inputs = default; batch.Targets = default; } // keeps no reference to the caller's buffers");
            w.Close();
            w.Line();
            w.Line("private BatchWork? _batchWork;");
            w.Line();
            w.Open("private sealed class BatchWork : global::RnnCodegen.IChunkWork");
            w.Line("private readonly " + s.ClassName + " _model;");
            w.Line("public readonly global::RnnCodegen.ChunkDispatcher Dispatcher;");
            w.Line("public " + inputMemory + " Inputs;");
            w.Line("public " + targetMemory + " Targets;");
            w.Line("public int Chunks, Sequences, InputLength, TargetLength;");
            w.Open("public BatchWork(" + s.ClassName + " model)");
            w.Line("_model = model;");
            w.Line("Dispatcher = new global::RnnCodegen.ChunkDispatcher(this);");
            w.Close();
            w.Line("public void RunChunk(int chunk) => _model.RunChunk(chunk, Chunks, Inputs, Targets, Sequences, InputLength, TargetLength);");
            w.Close();
            w.Line();
            w.Open("private void RunChunk(int chunk, int chunks, " + inputMemory + " " + inputName + ", " + targetMemory + " " + targetName + ", int sequences, int inputLength, int targetLength)");
            w.Line("TrainingWorkspace ws = _chunkWorkspaces![chunk];");
            w.Line("global::System.Array.Clear(ws.Gradients, 0, ParameterCount);");
            w.Line("int start = (int)((long)chunk * sequences / chunks), end = (int)((long)(chunk + 1) * sequences / chunks);");
            w.Line("double loss = 0;");
            w.Open("for (int b = start; b < end; b++)");
            w.Line("global::System.ReadOnlySpan<" + (_spec.HasTokens ? "int" : "float") + "> x = " + inputName + ".Span.Slice(b * inputLength, inputLength);");
            w.Line("loss += AccumulateCore(ws, x, " + targetName + ".Span.Slice(b * targetLength, targetLength), " + stepsOf + ", false);");
            w.Close();
            w.Line("_chunkLoss[chunk] = loss;");
            w.Close();
            w.Line();
            w.Doc("AccumulateBatch, then ApplyGradients(sequences): one optimizer step on the mean gradient of a mini-batch. Returns the mean loss before the update.");
            w.Open("public float TrainBatch(" + inputMemory + " " + inputName + ", " + targetMemory + " " + targetName + ", int sequences, int maxWorkers = 0)");
            w.Line("float loss = AccumulateBatch(" + inputName + ", " + targetName + ", sequences, maxWorkers);");
            w.Line("ApplyGradients(sequences);");
            w.Line("return loss;");
            w.Close();
            w.Line();
        }

        private void EmitTrainingStateFiles()
        {
            var w = _w;
            string buffers = _spec.Optimizer switch
            {
                ModelSpec.OptimizerAdam => "_adamM, _adamV",
                ModelSpec.OptimizerMomentum => "_momentumBuffer, null",
                ModelSpec.OptimizerRmsProp => "_squareAverage, null",
                _ => "null, null",
            };
            string what = HasDropout ? OptimizerName + " buffers, the step count and the dropout generator" : OptimizerName + " buffers and the step count";
            w.Doc("Writes the training state (" + what + ") so that a resumed run continues exactly; parameters are saved separately with SaveParameters.");
            w.Line("public void SaveTrainingState(global::System.IO.Stream stream) => global::RnnCodegen.TrainingState.Save(stream, Description, global::RnnCodegen.Optimizer." + OptimizerName + ", ParameterCount, _optimizerStep, " + (HasDropout ? "_ws.DropoutState" : "0UL") + ", " + buffers + ");");
            w.Line();
            w.Doc("Reads a state written by SaveTrainingState; another optimizer's or shape's file, or an invalid one, throws <see cref=\"global::System.IO.InvalidDataException\"/> and changes nothing." +
                (HasDropout ? " A file from a model without dropout leaves the dropout generator as it is." : ""));
            w.Open("public void LoadTrainingState(global::System.IO.Stream stream)");
            w.Line("_optimizerStep = global::RnnCodegen.TrainingState.Load(stream, Description, global::RnnCodegen.Optimizer." + OptimizerName + ", ParameterCount, " + buffers + ", out ulong dropoutState);");
            if (HasDropout) w.Line("if (dropoutState != 0UL) _ws.DropoutState = dropoutState;");
            w.Close();
            w.Line();
        }

        private void EmitApply()
        {
            var w = _w;
            var s = _spec;
            w.Line("/// <summary>Averages the accumulated gradients over <paramref name=\"batchCount\"/> sequences, clips them (ClipNorm, then ClipValue), applies one " + OptimizerName + " update and zeroes the gradients. A non-finite gradient throws <see cref=\"global::System.InvalidOperationException\"/>, zeroes the gradients and leaves the parameters unchanged.</summary>");
            w.Open("public void ApplyGradients(int batchCount = 1)");
            w.Line("if (batchCount < 1) throw new global::System.ArgumentOutOfRangeException(nameof(batchCount), batchCount, \"At least one sequence.\");");
            w.Line(Span + " grad = _ws.Gradients;");
            w.Line("if (batchCount > 1) " + K + ".Scale(grad, 1f / batchCount);");
            w.Open("if (!" + K + ".AllFinite(grad))");
            w.Line("grad.Clear();");
            w.Line("throw new global::System.InvalidOperationException(\"The gradients contain NaN or infinity (the loss diverged, or the forward pass overflowed); the parameters were left unchanged and the gradients zeroed. Lower the learning rate, set ClipNorm, or scale the inputs down.\");");
            w.Close();
            w.Open("if (ClipNorm > 0f)");
            w.Line("double norm = global::System.Math.Sqrt(" + K + ".SumOfSquares(grad));");
            w.Line("double coefficient = ClipNorm / (norm + 1e-6); // as torch.nn.utils.clip_grad_norm_");
            w.Line("if (coefficient < 1.0) " + K + ".Scale(grad, (float)coefficient);");
            w.Close();
            w.Line("if (ClipValue > 0f) " + K + ".Clamp(grad, -ClipValue, ClipValue);");
            w.Line("if (_optimizerStep < int.MaxValue) _optimizerStep++; // saturates (by then beta^step is 0 and every bias correction 1)");
            switch (s.Optimizer)
            {
                case ModelSpec.OptimizerAdam:
                    w.Line(K + ".AdamUpdate(_parameters, grad, _adamM, _adamV, LearningRate, Beta1, Beta2, Epsilon, WeightDecay, " + (s.DecoupledWeightDecay ? "true" : "false") + ", _optimizerStep);");
                    break;
                case ModelSpec.OptimizerMomentum:
                    w.Line(K + ".SgdUpdate(_parameters, grad, _momentumBuffer, LearningRate, Momentum, " + (s.Nesterov ? "true" : "false") + ", WeightDecay, _optimizerStep == 1);");
                    break;
                case ModelSpec.OptimizerRmsProp:
                    w.Line(K + ".RmsPropUpdate(_parameters, grad, _squareAverage, LearningRate, Alpha, Epsilon, WeightDecay);");
                    break;
                default:
                    w.Line(K + ".SgdUpdate(_parameters, grad, default(" + Span + "), LearningRate, 0f, false, WeightDecay, _optimizerStep == 1);");
                    break;
            }
            w.Line("grad.Clear();");
            w.Line("OnParametersChanged();");
            w.Close();
            w.Line();
        }
    }
}
