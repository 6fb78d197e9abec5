using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using RnnCodegen.Tests.Models;
using Xunit;

namespace RnnCodegen.Tests
{
    /// <summary>
    /// The generated models against PyTorch: fixtures written by tools/FixtureGen (TorchSharp, float64) and checked in.
    /// Inference: max abs error 1e-5 (relative above 1). Training: loss 1e-5 relative, every gradient 1e-4 relative
    /// (+1e-6 absolute for near-zero entries), parameters after one and two optimizer steps 1e-6 absolute. Batch: the same
    /// tolerances for a batch of sequences (cross-entropy: padded; MSE; BCE) through AccumulateBatch and ApplyGradients.
    /// </summary>
    public class PyTorchFixtureTests
    {
        private static string Folder(string kind) => Path.Combine(AppContext.BaseDirectory, "Fixtures", kind);

        public static IEnumerable<object[]> InferenceFixtures() => Directory.GetFiles(Folder("inference"), "*.json").Select(f => new object[] { Path.GetFileNameWithoutExtension(f) }).OrderBy(f => (string)f[0]);

        public static IEnumerable<object[]> TrainingFixtures() => Directory.GetFiles(Folder("training"), "*.json").Select(f => new object[] { Path.GetFileNameWithoutExtension(f) }).OrderBy(f => (string)f[0]);

        public static IEnumerable<object[]> BatchFixtures() => Directory.GetFiles(Folder("batch"), "*.json").Select(f => new object[] { Path.GetFileNameWithoutExtension(f) }).OrderBy(f => (string)f[0]);

        internal static IEnumerable<IRecurrentModel> Candidates() => new IRecurrentModel[]
        {
            new SineLstm(), new TanhRnn(), new ReluRnn(), new DeepTanhRnn(), new StackedLstmClassifier(), new PeepholeLstm(),
            new StackedPeepholeLstm(), new WideLstm(), new OddGru(), new StackedGru(), new ClassicGru(), new StackedClassicGru(),
            new CharLstm(), new SentimentRnn(), new TokenGru(),
        };

        internal static bool Matches(ModelDescription d, JsonElement f) =>
            d.Cell.ToString() == f.GetProperty("cell").GetString() && d.InputSize == f.GetProperty("input").GetInt32() &&
            d.HiddenSize == f.GetProperty("hidden").GetInt32() && d.LayerCount == f.GetProperty("layers").GetInt32() &&
            d.OutputSize == f.GetProperty("output").GetInt32() && d.Vocabulary == f.GetProperty("vocabulary").GetInt32() &&
            d.OutputActivation.ToString() == f.GetProperty("outputActivation").GetString() && d.OutputMode.ToString() == f.GetProperty("outputMode").GetString() &&
            d.Activation.ToString() == f.GetProperty("activation").GetString() && d.Peephole == f.GetProperty("peephole").GetBoolean() &&
            d.ResetAfter == f.GetProperty("resetAfter").GetBoolean();

        internal static float[] Flatten(JsonElement tensor)
        {
            var values = new List<float>();
            void Walk(JsonElement e)
            {
                if (e.ValueKind == JsonValueKind.Array) foreach (var item in e.EnumerateArray()) Walk(item);
                else values.Add((float)e.GetDouble());
            }
            Walk(tensor);
            return values.ToArray();
        }

        private static double[] Doubles(JsonElement e) => e.EnumerateArray().Select(v => v.GetDouble()).ToArray();

        private static void Load(IRecurrentModel model, JsonElement stateDict)
        {
            foreach (var info in model.ParameterInfos) model.SetParameter(info.Name, Flatten(stateDict.GetProperty(info.Name)));
            Assert.Equal(model.ParameterInfos.Count, stateDict.EnumerateObject().Count());
        }

        [Theory]
        [MemberData(nameof(InferenceFixtures))]
        public void InferenceMatchesPyTorch(string name)
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder("inference"), name + ".json")));
            var f = doc.RootElement;
            var model = Assert.Single(Candidates(), m => Matches(m.Description, f));
            Load(model, f.GetProperty("stateDict"));
            var expected = Doubles(f.GetProperty("outputs"));
            var outputs = new float[expected.Length];
            var state = new float[model.StateSize];
            if (model is ITokenModel tokens)
            {
                var ids = f.GetProperty("tokens").EnumerateArray().Select(v => v.GetInt32()).ToArray();
                tokens.Forward(ids, outputs);
                tokens.ResetState();
                var row = new float[model.Description.OutputWidth];
                foreach (int id in ids) tokens.Step(id, row);
            }
            else
            {
                var floatModel = (IFloatModel)model;
                var inputs = Flatten(f.GetProperty("inputs"));
                floatModel.Forward(inputs, outputs);
                floatModel.ResetState();
                var row = new float[model.Description.OutputWidth];
                int i = model.Description.InputSize;
                for (int t = 0; t < inputs.Length / i; t++) floatModel.Step(inputs.AsSpan(t * i, i), row);
            }
            InferenceTests.AssertClose(expected, outputs);
            model.CopyState(state);
            var expectedState = Doubles(f.GetProperty("finalH")).ToList();
            if (model.Description.Cell == CellKind.Lstm) expectedState.AddRange(Doubles(f.GetProperty("finalC")));
            InferenceTests.AssertClose(expectedState, state);
        }

        private static IRecurrentModel TrainingModel(string name) => name switch
        {
            "lstm_i2_h5_l1_o1_identity_sequence_mse_sgd" or "lstm_i2_h5_l1_o1_identity_sequence_mse_sgd_wd" or "lstm_i2_h5_l1_o1_identity_sequence_mse_sgd_clipnorm" or "lstm_i2_h5_l1_o1_identity_sequence_mse_sgd_clipvalue" or "lstm_i2_h5_l1_o1_identity_sequence_mse_sgd_wd_clipnorm"
                or "lstm_i2_h5_l1_o1_identity_sequence_mse_sgd_clipnorm_clipvalue" => new LstmSgd(),
            "lstm_i2_h5_l1_o1_identity_sequence_mse_momentum" or "lstm_i2_h5_l1_o1_identity_sequence_mse_momentum_wd" => new LstmMomentum(),
            "lstm_i2_h5_l1_o1_identity_sequence_mse_nesterov" or "lstm_i2_h5_l1_o1_identity_sequence_mse_nesterov_wd" => new LstmNesterov(),
            "lstm_i2_h5_l1_o1_identity_sequence_mse_adamw" => new LstmAdamW(),
            "lstm_i2_h5_l1_o1_identity_sequence_mse_rmsprop" or "lstm_i2_h5_l1_o1_identity_sequence_mse_rmsprop_wd" => new LstmRmsProp(),
            "lstm_i2_h5_l1_o1_identity_sequence_mse_adam" or "lstm_i2_h5_l1_o1_identity_sequence_mse_adam_wd" or "lstm_i2_h5_l1_o1_identity_sequence_mse_adam_clipnorm" or "lstm_i2_h5_l1_o1_identity_sequence_mse_adam_clipvalue" => new LstmAdam(),
            "rnn_tanh_i3_h4_l2_o2_identity_sequence_mse_adam" => new TrainTanhRnn(),
            "rnn_relu_i2_h5_l1_o1_sigmoid_last_bce_adam" => new TrainReluRnnBce(),
            "gru_i3_h5_l2_o3_softmax_sequence_ce_adam" => new TrainGruCrossEntropy(),
            "gru_resetbefore_i2_h4_l1_o1_tanh_sequence_mse_adam" => new TrainClassicGru(),
            "lstm_peephole_i2_h4_l2_o2_identity_last_mse_adam" => new TrainPeepholeLstm(),
            "lstm_v9_i3_h5_l1_o9_softmax_sequence_ce_adam" => new TrainTokenLstm(),
            "rnn_tanh_v12_i4_h6_l1_o1_sigmoid_last_bce_adam" => new TokenSentimentRnn(),
            "lstm_i3_h6_l1_o0_sequence_mse_adam" => new TrainLstmNoHead(),
            "lstm_i1_h32_l1_o1_identity_sequence_mse_adam" => new SineLstmTrainable(),
            _ => throw new InvalidOperationException("No test model for fixture " + name),
        };

        [Theory]
        [MemberData(nameof(TrainingFixtures))]
        public void TrainingMatchesPyTorch(string name)
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder("training"), name + ".json")));
            var f = doc.RootElement;
            var model = TrainingModel(name);
            Assert.True(Matches(model.Description, f), "the test model does not have the fixture's shape");
            var settings = (ITrainingSettings)model;
            Load(model, f.GetProperty("stateDict"));
            settings.LearningRate = (float)f.GetProperty("learningRate").GetDouble();
            settings.WeightDecay = (float)f.GetProperty("weightDecay").GetDouble();
            settings.ClipNorm = (float)f.GetProperty("clipNorm").GetDouble();
            settings.ClipValue = (float)f.GetProperty("clipValue").GetDouble();

            Func<float> accumulate = model switch
            {
                IRegressionTrainable r => () => r.AccumulateGradients(Flatten(f.GetProperty("inputs")), Flatten(f.GetProperty("targets"))),
                IClassTrainable c => () => c.AccumulateGradients(Flatten(f.GetProperty("inputs")), f.GetProperty("classes").EnumerateArray().Select(v => v.GetInt32()).ToArray()),
                ITokenClassTrainable tc => () => tc.AccumulateGradients(f.GetProperty("tokens").EnumerateArray().Select(v => v.GetInt32()).ToArray(), f.GetProperty("classes").EnumerateArray().Select(v => v.GetInt32()).ToArray()),
                ITokenRegressionTrainable tr => () => tr.AccumulateGradients(f.GetProperty("tokens").EnumerateArray().Select(v => v.GetInt32()).ToArray(), Flatten(f.GetProperty("targets"))),
                _ => throw new InvalidOperationException(),
            };

            double expectedLoss = f.GetProperty("lossValue").GetDouble();
            float loss = accumulate();
            Assert.True(Math.Abs(loss - expectedLoss) <= 1e-5 * Math.Max(1, Math.Abs(expectedLoss)), $"loss {loss:R}, PyTorch {expectedLoss:R}");
            var gradients = f.GetProperty("gradients");
            foreach (var info in model.ParameterInfos)
            {
                var expected = Flatten(gradients.GetProperty(info.Name));
                var actual = new float[info.Length];
                settings.CopyGradient(info.Name, actual);
                double scale = expected.Max(v => Math.Abs((double)v));
                for (int i = 0; i < actual.Length; i++)
                {
                    Assert.True(Math.Abs(actual[i] - expected[i]) <= 1e-4 * Math.Abs(expected[i]) + 1e-6 * Math.Max(1, scale),
                        $"{info.Name}[{i}] gradient {actual[i]:R}, PyTorch {expected[i]:R}");
                }
            }
            // Adam and RMSprop divide by sqrt(v) + eps: where |g| is within 100 eps of zero the step g / (|g| + eps) amplifies
            // the float gradient's rounding (lr * eps / (|g| + eps)^2 per unit of gradient error), so those few entries get 1e-4.
            bool adaptive = f.GetProperty("optimizer").GetString() is "Adam" or "RmsProp";
            double eps = f.GetProperty("epsilon").GetDouble();
            settings.ApplyGradients(1);
            CompareParameters(model, f.GetProperty("after1"), "after one step", adaptive ? gradients : (JsonElement?)null, eps);
            accumulate();
            settings.ApplyGradients(1);
            CompareParameters(model, f.GetProperty("after2"), "after two steps", adaptive ? gradients : (JsonElement?)null, eps);
        }

        private static IRecurrentModel BatchModel(string name) => name switch
        {
            "batch_gru_i3_h5_l2_o3_softmax_sequence_ce_sgd" => new BatchGruCrossEntropy(),
            "batch_lstm_i2_h5_l2_o2_identity_sequence_mse_sgd" => new BatchLstmMse(),
            "batch_gru_i3_h4_l1_o2_sigmoid_last_bce_sgd" => new BatchGruBce(),
            "batch_rnn_tanh_i3_h4_l2_o2_tanh_sequence_mse_adam" => new BatchRnnMseAdam(),
            _ => throw new InvalidOperationException("No test model for batch fixture " + name),
        };

        [Theory]
        [MemberData(nameof(BatchFixtures))]
        public void BatchMatchesPyTorch(string name)
        {
            // Fixtures/batch: PyTorch runs the whole batch [B, T, input] through nn.RNN/LSTM/GRU at once and takes the loss's
            // mean over the flattened batch: F.cross_entropy(logits.reshape(-1, C), classes.reshape(-1), ignore_index=-100),
            // the mean over every counted row of the batch; F.mse_loss / F.binary_cross_entropy_with_logits on [B*rows, C],
            // the mean over every value. Then one optimizer step (plain SGD), or two on the same batch (Adam: after2).
            // AccumulateBatch leaves sequences x that gradient in the buffer and ApplyGradients(sequences) divides by
            // sequences before the step.
            using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder("batch"), name + ".json")));
            var f = doc.RootElement;
            int sequences = f.GetProperty("sequences").GetInt32();
            int rows = f.GetProperty("outputMode").GetString() == "Last" ? 1 : f.GetProperty("steps").GetInt32();
            var inputs = Flatten(f.GetProperty("inputs"));
            bool crossEntropy = f.GetProperty("loss").GetString() == "CrossEntropy";
            int[] classes = crossEntropy ? f.GetProperty("classes").EnumerateArray().SelectMany(row => row.EnumerateArray()).Select(v => v.GetInt32()).ToArray() : Array.Empty<int>();
            float[] targets = crossEntropy ? Array.Empty<float>() : Flatten(f.GetProperty("targets"));
            if (crossEntropy)
            {
                Assert.Equal(sequences * rows, classes.Length);
                Assert.Contains(-100, classes);
            }
            else
            {
                Assert.Equal(sequences * rows * f.GetProperty("output").GetInt32(), targets.Length);
            }
            bool sgd = f.GetProperty("optimizer").GetString() == "Sgd";
            Assert.True(sgd || f.GetProperty("optimizer").GetString() == "Adam", "batch fixtures use SGD or Adam");
            // SGD fixtures take one step; the Adam fixture takes two, so its moments carry from one batch step to the next.
            Assert.Equal(!sgd, f.TryGetProperty("after2", out _));
            double expectedLoss = f.GetProperty("lossValue").GetDouble();
            var gradients = f.GetProperty("gradients");
            double eps = f.GetProperty("epsilon").GetDouble();

            (float Loss, float[] Gradient, float[] Parameters) Run(int maxWorkers)
            {
                var model = BatchModel(name);
                Assert.True(Matches(model.Description, f), "the test model does not have the fixture's shape");
                var settings = (ITrainingSettings)model;
                Load(model, f.GetProperty("stateDict"));
                settings.LearningRate = (float)f.GetProperty("learningRate").GetDouble();
                Func<float> accumulate = model switch
                {
                    IClassBatchTrainable c when crossEntropy => () => c.AccumulateBatch(inputs, classes, sequences, maxWorkers),
                    IRegressionBatchTrainable r when !crossEntropy => () => r.AccumulateBatch(inputs, targets, sequences, maxWorkers),
                    _ => throw new InvalidOperationException("the test model does not take the fixture's targets"),
                };

                float loss = accumulate();
                Assert.True(Math.Abs(loss - expectedLoss) <= 1e-5 * Math.Max(1, Math.Abs(expectedLoss)), $"{maxWorkers} worker(s): loss {loss:R}, PyTorch {expectedLoss:R}");
                var all = new List<float>();
                foreach (var info in model.ParameterInfos)
                {
                    var expected = Flatten(gradients.GetProperty(info.Name));
                    var buffer = new float[info.Length];
                    settings.CopyGradient(info.Name, buffer);
                    all.AddRange(buffer);
                    double scale = expected.Max(v => Math.Abs((double)v));
                    for (int i = 0; i < buffer.Length; i++)
                    {
                        double actual = (double)buffer[i] / sequences; // the buffer holds sequences x the batch-mean gradient
                        Assert.True(Math.Abs(actual - expected[i]) <= 1e-4 * Math.Abs(expected[i]) + 1e-6 * Math.Max(1, scale),
                            $"{maxWorkers} worker(s): {info.Name}[{i}] gradient / {sequences} = {actual:R}, PyTorch {expected[i]:R}");
                    }
                }
                // Adam divides by sqrt(v) + eps: entries whose |g| is within 100 eps of zero get 1e-4 (see TrainingMatchesPyTorch).
                JsonElement? adaptive = sgd ? null : gradients;
                settings.ApplyGradients(sequences);
                CompareParameters(model, f.GetProperty("after1"), $"after one batch step ({maxWorkers} worker(s))", adaptive, eps);
                if (!sgd)
                {
                    float second = accumulate();
                    all.Add(second);
                    settings.ApplyGradients(sequences);
                    CompareParameters(model, f.GetProperty("after2"), $"after two batch steps ({maxWorkers} worker(s))", adaptive, eps);
                }
                var parameters = new float[model.ParameterCount];
                int offset = 0;
                foreach (var info in model.ParameterInfos)
                {
                    model.CopyParameter(info.Name, parameters.AsSpan(offset, info.Length));
                    offset += info.Length;
                }
                return (loss, all.ToArray(), parameters);
            }

            var one = Run(1);
            var two = Run(2);
            // Bit-identical for any worker count.
            Assert.Equal(BitConverter.SingleToInt32Bits(one.Loss), BitConverter.SingleToInt32Bits(two.Loss));
            Assert.Equal(one.Gradient.Select(BitConverter.SingleToInt32Bits), two.Gradient.Select(BitConverter.SingleToInt32Bits));
            Assert.Equal(one.Parameters.Select(BitConverter.SingleToInt32Bits), two.Parameters.Select(BitConverter.SingleToInt32Bits));
        }

        private static void CompareParameters(IRecurrentModel model, JsonElement expectedDict, string when, JsonElement? gradients, double eps)
        {
            foreach (var info in model.ParameterInfos)
            {
                var expected = Flatten(expectedDict.GetProperty(info.Name));
                var g = gradients is null ? null : Flatten(gradients.Value.GetProperty(info.Name));
                var actual = new float[info.Length];
                model.CopyParameter(info.Name, actual);
                for (int i = 0; i < actual.Length; i++)
                {
                    double tolerance = g is not null && Math.Abs(g[i]) < 100 * eps ? 1e-4 : 1e-6 * Math.Max(1, Math.Abs(expected[i]));
                    Assert.True(Math.Abs(actual[i] - expected[i]) <= tolerance, $"{info.Name}[{i}] {when}: {actual[i]:R}, PyTorch {expected[i]:R}");
                }
            }
        }
    }
}
