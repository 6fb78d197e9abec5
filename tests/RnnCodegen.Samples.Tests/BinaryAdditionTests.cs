using RnnCodegen.Samples.BinaryAddition;
using Xunit;

namespace RnnCodegen.Samples.Tests
{
    public class BinaryAdditionTests
    {
        [Fact]
        public void ReachesFullAccuracyOnHeldOutPairs()
        {
            // 2500 single-sum Adam steps (half the sample's default); every seed 1..8 reaches 100% at this count.
            var result = BinaryAdditionDemo.Run(new BinaryAdditionOptions { TrainingSteps = 2500, Seed = 1 });
            Assert.Equal(3276, result.HeldOutCount);
            Assert.Equal(result.HeldOutCount, result.HeldOutCorrect);
            Assert.Equal(1.0, result.Accuracy);
            Assert.True(result.LossLog[result.LossLog.Count - 1].Loss < result.LossLog[0].Loss / 10, "the loss fell less than tenfold");
            Assert.All(result.Examples, sum => Assert.True(sum.Correct));
        }

        [Fact]
        public void EncodesLeastSignificantBitFirst()
        {
            var inputs = new float[16];
            var targets = new float[8];
            BinaryAdditionDemo.Encode(5, 3, inputs, targets); // 101 + 011 = 1000
            Assert.Equal(new float[] { 1, 1, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, inputs);
            Assert.Equal(new float[] { 0, 0, 0, 1, 0, 0, 0, 0 }, targets);
            Assert.Equal(8, BinaryAdditionDemo.Decode(new[] { 0.1f, 0.2f, 0.3f, 0.9f, 0f, 0f, 0f, 0f }));
            Assert.Equal("00001000", BinaryAdditionDemo.ToBits(8));
        }
    }
}
