using Xunit;

namespace RnnCodegen.Tests
{
    public class SmokeTests
    {
        [Fact]
        public void DescriptionFormatsInvariant()
        {
            var d = new ModelDescription(CellKind.Lstm, 1, 32, 1, 1, 0, 50, Activation.Tanh, OutputActivation.Identity, OutputMode.Sequence, false, true);
            Assert.Equal("LSTM(1->32, layers 1) + Dense(1, Identity)", d.ToString());
        }
    }
}
