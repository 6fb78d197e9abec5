using System;
using System.Threading;
using RnnCodegen.Tests.Models;
using Xunit;

namespace RnnCodegen.Tests
{
    /// <summary>The thread-pool dispatch behind AccumulateBatch/TrainBatch with more than one worker.</summary>
    public sealed class ChunkDispatcherTests
    {
        private sealed class Counting : IChunkWork
        {
            public int[] Runs = new int[0];
            public int Threw = -1;
            public void RunChunk(int chunk)
            {
                if (chunk % 3 == 0) // uneven chunks, long enough for a pool thread to wake up and take some
                {
                    long until = System.Diagnostics.Stopwatch.GetTimestamp() + System.Diagnostics.Stopwatch.Frequency / 5000;
                    while (System.Diagnostics.Stopwatch.GetTimestamp() < until) { }
                }
                Interlocked.Increment(ref Runs[chunk]); // at the end, so a chunk still running when Run returns shows as 0
                if (chunk == Threw) throw new InvalidOperationException("chunk " + chunk);
            }
        }

        [Fact]
        public void EveryChunkRunsExactlyOnceForAnyChunkAndWorkerCount()
        {
            var work = new Counting();
            var dispatcher = new ChunkDispatcher(work);
            for (int round = 0; round < 300; round++)
            {
                int chunks = 1 + round % 11, workers = 1 + round % 4;
                work.Runs = new int[chunks];
                dispatcher.Run(chunks, workers);
                for (int c = 0; c < chunks; c++) Assert.True(work.Runs[c] == 1, $"round {round}: chunk {c} of {chunks} ran {work.Runs[c]} times with {workers} workers");
            }
        }

        private sealed class Rendezvous : IChunkWork
        {
            public readonly ManualResetEventSlim SecondStarted = new(false);
            public int FirstThread, SecondThread;
            public bool SecondSeenInTime, SecondFinished;
            public void RunChunk(int chunk)
            {
                if (chunk == 0)
                {
                    FirstThread = Environment.CurrentManagedThreadId;
                    SecondSeenInTime = SecondStarted.Wait(TimeSpan.FromSeconds(30));
                }
                else
                {
                    SecondThread = Environment.CurrentManagedThreadId;
                    SecondStarted.Set();
                    Thread.Sleep(50); // Run must still wait for this chunk after its own has finished
                    Volatile.Write(ref SecondFinished, true);
                }
            }
        }

        [Fact]
        public void TwoWorkersRunTwoChunksAtTheSameTimeAndRunWaitsForBoth()
        {
            // The calling thread takes chunk 0 and waits inside it until chunk 1 has started, which only a helper can do.
            var work = new Rendezvous();
            new ChunkDispatcher(work).Run(2, 2);
            Assert.True(work.SecondSeenInTime, "chunk 1 did not start while chunk 0 ran");
            Assert.NotEqual(work.FirstThread, work.SecondThread);
            Assert.True(Volatile.Read(ref work.SecondFinished), "Run returned before the helper's chunk had finished");
        }

        [Fact]
        public void AChunksExceptionReachesTheCallerAfterTheOtherChunksFinish()
        {
            var work = new Counting { Threw = 5 };
            var dispatcher = new ChunkDispatcher(work);
            for (int round = 0; round < 20; round++)
            {
                work.Runs = new int[8];
                var e = Assert.Throws<InvalidOperationException>(() => dispatcher.Run(8, 2));
                Assert.Equal("chunk 5", e.Message);
                Assert.Equal(new[] { 1, 1, 1, 1, 1, 1, 1, 1 }, work.Runs);
            }
            work.Threw = -1; // the failure does not stick to the next batch
            work.Runs = new int[8];
            dispatcher.Run(8, 2);
            Assert.Equal(new[] { 1, 1, 1, 1, 1, 1, 1, 1 }, work.Runs);
        }

        [Fact]
        public void ArgumentsOutOfRangeAreRefused()
        {
            var dispatcher = new ChunkDispatcher(new Counting());
            Assert.Equal("chunks", Assert.Throws<ArgumentOutOfRangeException>(() => dispatcher.Run(0, 2)).ParamName);
            Assert.Equal("chunks", Assert.Throws<ArgumentOutOfRangeException>(() => dispatcher.Run(ChunkDispatcher.MaxChunks + 1, 2)).ParamName);
            Assert.Equal("workers", Assert.Throws<ArgumentOutOfRangeException>(() => dispatcher.Run(4, 0)).ParamName);
            Assert.Throws<ArgumentNullException>(() => new ChunkDispatcher(null!));
        }

        [Fact]
        public void BatchTrainingOnTwoWorkersAllocatesNothingOnTheCallingThread()
        {
            // Parallel.For allocated about 1.7 KB per call here (its options, the closure, tasks and the loop state).
            var (inputs, targets) = TrainingTests.SineBatch(8, 20, 3);
            var model = new SineForecaster();
            Allocations.AssertSteadyStateAllocatesNothing(() => model.TrainBatch(inputs, targets, 8, 2), 4);
        }
    }
}
