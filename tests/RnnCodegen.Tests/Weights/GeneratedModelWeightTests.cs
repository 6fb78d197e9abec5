using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using RnnCodegen.Tests.Models;
using Xunit;
using static RnnCodegen.Tests.Weights.WeightTestUtil;

namespace RnnCodegen.Tests.Weights
{
    /// <summary>The weight formats on real generated models (through IRecurrentModel only), not just the test double.</summary>
    public class GeneratedModelWeightTests
    {
        public static IEnumerable<object[]> FloatModels()
        {
            yield return new object[] { new Func<IFloatModel>(() => new SineLstm()) };
            yield return new object[] { new Func<IFloatModel>(() => new ReluRnn()) };
            yield return new object[] { new Func<IFloatModel>(() => new StackedLstmClassifier()) };
            yield return new object[] { new Func<IFloatModel>(() => new StackedPeepholeLstm()) };
            yield return new object[] { new Func<IFloatModel>(() => new OddGru()) };
            yield return new object[] { new Func<IFloatModel>(() => new StackedClassicGru()) };
        }

        private static float[] All(IRecurrentModel model)
        {
            var v = new float[model.ParameterCount];
            model.CopyParameters(v);
            return v;
        }

        private static float[] Run(IFloatModel model, int steps)
        {
            int input = model.Description.InputSize;
            var inputs = Enumerable.Range(0, steps * input).Select(i => (float)Math.Sin(i * 0.37)).ToArray();
            int rows = model.Description.OutputMode == OutputMode.Last ? 1 : steps;
            var outputs = new float[rows * model.Description.OutputWidth];
            model.Forward(inputs, outputs);
            return outputs;
        }

        [Theory]
        [MemberData(nameof(FloatModels))]
        public void StateDictAndBinaryRoundTripThroughGeneratedModels(Func<IFloatModel> create)
        {
            var source = create();
            source.InitializeParameters(7, Initialization.PyTorchDefault);
            Assert.Equal(ParameterLayout.Create(source.Description).Select(p => p.ToString()), source.ParameterInfos.Select(p => p.ToString()));

            var json = new MemoryStream();
            source.SaveStateDict(json);
            var fromJson = create();
            fromJson.InitializeParameters(8, Initialization.PyTorchDefault);
            fromJson.LoadStateDict(new MemoryStream(json.ToArray()));
            AssertBits(All(source), All(fromJson));
            AssertBits(Run(source, 6), Run(fromJson, 6));

            var binary = new MemoryStream();
            BinaryParameters.Save(source, binary);
            var fromBinary = create();
            fromBinary.InitializeParameters(9, Initialization.PyTorchDefault);
            BinaryParameters.Load(fromBinary, new TrickleStream(binary.ToArray(), 5));
            AssertBits(All(source), All(fromBinary));
            AssertBits(Run(source, 6), Run(fromBinary, 6));
        }

        [Theory]
        [MemberData(nameof(FloatModels))]
        public void RefusalsLeaveGeneratedModelsUnchanged(Func<IFloatModel> create)
        {
            var model = create();
            model.InitializeParameters(3, Initialization.PyTorchDefault);
            float[] before = All(model);
            float[] outputs = Run(model, 4);
            var other = new SineLstm();
            var json = new MemoryStream();
            var binary = new MemoryStream();
            if (model is SineLstm)
            {
                var tanh = new TanhRnn();
                tanh.SaveStateDict(json);
                BinaryParameters.Save(tanh, binary);
            }
            else
            {
                other.SaveStateDict(json);
                BinaryParameters.Save(other, binary);
            }
            Assert.Throws<InvalidDataException>(() => model.LoadStateDict(new MemoryStream(json.ToArray())));
            var ex = Assert.Throws<InvalidDataException>(() => BinaryParameters.Load(model, new MemoryStream(binary.ToArray())));
            Assert.Contains("model is " + model.Description, ex.Message);
            AssertBits(before, All(model));
            AssertBits(outputs, Run(model, 4));
        }

        [Fact]
        public void KerasFileLoadsIntoGeneratedGru()
        {
            var source = new OddGru();
            source.InitializeParameters(11, Initialization.PyTorchDefault);
            var fake = new FakeModel(((IRecurrentModel)source).Description);
            fake.SetParameters(All(source));
            string keras = KerasWeightsTests.KerasJson(fake, gruTwoBiases: true);
            var target = new OddGru();
            target.InitializeParameters(12, Initialization.PyTorchDefault);
            target.LoadKerasWeights(Utf8(keras));
            AssertBits(All(source), All(target));
            AssertBits(Run(source, 5), Run(target, 5));
        }
    }
}
