using System;
using RnnCodegen.Samples.Sentiment;
using Xunit;
using Xunit.Abstractions;

namespace RnnCodegen.Samples.Tests
{
    public class SentimentTests
    {
        private readonly ITestOutputHelper _output;

        public SentimentTests(ITestOutputHelper output) => _output = output;

        [Fact]
        public void ClassifiesHeldOutReviews()
        {
            var result = SentimentDemo.Run(new SentimentOptions { Epochs = 15, TrainCount = 2000, Seed = 1 });
            for (int e = 0; e < result.History.Count; e++) _output.WriteLine($"epoch {e + 1}: loss {result.History[e].TrainLoss:F4} validation accuracy {result.ValidationAccuracy[e]:P1}");
            _output.WriteLine($"test accuracy {result.TestAccuracy:P1}");
            Assert.Equal(1000, result.TestCount);
            Assert.True(result.TestAccuracy > 0.9, $"test accuracy {result.TestAccuracy}");
            Assert.True(result.History[result.History.Count - 1].TrainLoss < result.History[0].TrainLoss / 3, "the loss fell less than threefold");
        }

        [Fact]
        public void ParameterCountsAreThoseOfPyTorchNotKerasSummary()
        {
            // Embedding(10000, 32) 320000 + W_ih 1024 + W_hh 1024 + b_ih 32 + b_hh 32 + Dense 32 + 1.
            Assert.Equal(322145, KerasImdbRnn.ParameterCount);
            Assert.Equal(Program.KerasSummaryCount + KerasImdbRnn.HiddenSize, KerasImdbRnn.ParameterCount);
            int sum = 0;
            foreach (var p in KerasImdbRnn.ParameterInfos) sum += p.Length;
            Assert.Equal(KerasImdbRnn.ParameterCount, sum);
            Assert.Equal(7, KerasImdbRnn.ParameterInfos.Count);
        }

        [Fact]
        public void TheWordListMatchesTheModelsVocabulary()
        {
            Assert.Equal(Words.Size, Words.All.Length);
            Assert.Equal(Words.Size, SentimentRnn.VocabularySize);
            Assert.Equal("<pad>", Words.All[Words.Pad]);
            Assert.Equal(Words.Unknown, Words.ToToken("xylophone"));
        }

        [Fact]
        public void ReviewsArePaddedInFrontAndLabelledByTheLastClause()
        {
            var padded = new int[SentimentDemo.MaxTokens];
            SentimentDemo.Pad(Words.Tokenize("the plot was good"), padded);
            Assert.Equal(Words.Pad, padded[0]);
            Assert.Equal(Words.ToToken("good"), padded[SentimentDemo.MaxTokens - 1]);

            var random = new Random(3);
            for (int i = 0; i < 500; i++)
            {
                var (text, positive) = SentimentDemo.Review(random);
                Assert.True(Words.Tokenize(text).Length <= SentimentDemo.MaxTokens, text);
                Assert.DoesNotContain(Words.Unknown, Words.Tokenize(text));
                // The clause after "but" decides; clauses joined by "and" agree, so the last clause decides in every case.
                int join = Math.Max(text.IndexOf(" but ", StringComparison.Ordinal), text.IndexOf(" and ", StringComparison.Ordinal));
                string last = join >= 0 ? text.Substring(join) : text;
                bool negated = Array.Exists(Words.Negators, n => last.Contains(" " + n + " ", StringComparison.Ordinal));
                bool praise = Array.Exists(Words.Positive, w => Array.IndexOf(last.Split(' '), w) >= 0);
                Assert.True(positive == (praise != negated), text);
            }
        }
    }
}
