using Xunit;

namespace RnnCodegen.Samples.Tests
{
    /// <summary>The command lines: --help succeeds, an unknown option is refused with exit code 2.</summary>
    public class ProgramTests
    {
        [Fact]
        public void HelpSucceedsAndUnknownOptionsAreRefused()
        {
            Assert.Equal(0, RnnCodegen.Samples.SineWave.Program.Main(new[] { "--help" }));
            Assert.Equal(2, RnnCodegen.Samples.SineWave.Program.Main(new[] { "--bogus" }));
            Assert.Equal(0, RnnCodegen.Samples.BinaryAddition.Program.Main(new[] { "--help" }));
            Assert.Equal(2, RnnCodegen.Samples.BinaryAddition.Program.Main(new[] { "--steps" }));
            Assert.Equal(0, RnnCodegen.Samples.CharRnn.Program.Main(new[] { "--help" }));
            Assert.Equal(2, RnnCodegen.Samples.CharRnn.Program.Main(new[] { "--bogus" }));
            Assert.Equal(0, RnnCodegen.Samples.Sentiment.Program.Main(new[] { "--help" }));
            Assert.Equal(2, RnnCodegen.Samples.Sentiment.Program.Main(new[] { "--bogus" }));
            Assert.Equal(0, RnnCodegen.Samples.RealtimeAot.Program.Main(new[] { "--help" }));
            Assert.Equal(2, RnnCodegen.Samples.RealtimeAot.Program.Main(new[] { "--bogus" }));
        }
    }
}
