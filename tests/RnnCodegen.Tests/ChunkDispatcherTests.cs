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

        private sealed class Interrupting : IChunkWork
        {
            public Thread? Caller;
            public readonly ManualResetEventSlim OtherStarted = new(false);
            public bool OtherFinished;
            public void RunChunk(int chunk)
            {
                if (Thread.CurrentThread == Caller)
                {
                    OtherStarted.Wait(TimeSpan.FromSeconds(30)); // so that the other chunk runs on a helper
                    return;
                }
                OtherStarted.Set();
                var clock = System.Diagnostics.Stopwatch.StartNew();
                while ((Caller!.ThreadState & ThreadState.WaitSleepJoin) == 0 && clock.Elapsed.TotalSeconds < 10) Thread.Yield();
                Caller.Interrupt(); // the caller is waiting for this chunk in Run, or about to
                Thread.Sleep(100);
                Volatile.Write(ref OtherFinished, true);
            }
        }

        [Fact]
        public void AnInterruptedCallerStillWaitsForTheHelpersChunkAndKeepsTheInterrupt()
        {
            var work = new Interrupting();
            bool finishedWhenRunReturned = false, interruptKept = false;
            Exception? unexpected = null;
            var caller = new Thread(() =>
            {
                try
                {
                    new ChunkDispatcher(work).Run(2, 2);
                    finishedWhenRunReturned = Volatile.Read(ref work.OtherFinished);
                    try { Thread.Sleep(1000); } catch (ThreadInterruptedException) { interruptKept = true; }
                }
                catch (Exception e)
                {
                    unexpected = e;
                }
            });
            work.Caller = caller;
            caller.Start();
            Assert.True(caller.Join(TimeSpan.FromSeconds(60)));
            Assert.Null(unexpected);
            Assert.True(finishedWhenRunReturned, "Run returned while a helper still ran a chunk");
            Assert.True(interruptKept, "the interrupt was swallowed");
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

        private sealed class Overlap : IChunkWork
        {
            public int Running, MaxRunning;
            public void RunChunk(int chunk)
            {
                int now = Interlocked.Increment(ref Running), seen;
                while (now > (seen = Volatile.Read(ref MaxRunning)) && Interlocked.CompareExchange(ref MaxRunning, now, seen) != seen) { }
                Thread.Sleep(1); // chunks overlap in time without needing a core each
                Interlocked.Decrement(ref Running);
            }
        }

        [Fact]
        public void HelpersThePoolStartsLateDoNotRunABatchOnMoreThreadsThanItsWorkers()
        {
            // While the pool's threads are held, each batch runs on the calling thread alone and leaves its helper queued;
            // once they are released, those late helpers must not all join the batch running then (two workers: two threads).
            var work = new Overlap();
            var dispatcher = new ChunkDispatcher(work);
            var time = System.Diagnostics.Stopwatch.StartNew();
            int rounds = 0;
            // Bounded: the dispatcher that let late helpers join failed here within about 2 s in ten runs out of ten (rounds where
            // the pool is slow to run anything do not show it).
            while (time.Elapsed < TimeSpan.FromSeconds(5) && work.MaxRunning <= 2)
            {
                var gate = new ManualResetEventSlim(false); // not disposed: a held thread may still be inside Wait
                for (int i = ThreadPool.ThreadCount + 2; i > 0; i--) ThreadPool.UnsafeQueueUserWorkItem(static g => ((ManualResetEventSlim)g!).Wait(), gate);
                for (int b = 0; b < 3; b++) dispatcher.Run(4, 2);
                gate.Set();
                dispatcher.Run(32, 2); // long enough for every released thread to take a late helper
                rounds++;
            }
            Assert.True(work.MaxRunning <= 2, $"{work.MaxRunning} chunks ran at once with two workers (round {rounds})");
        }

        private sealed class Recording : IChunkWork
        {
            public readonly int[] Thread = new int[8];
            public void RunChunk(int chunk)
            {
                long until = System.Diagnostics.Stopwatch.GetTimestamp() + System.Diagnostics.Stopwatch.Frequency / 1000; // 1 ms each: time for a pool thread to wake up
                while (System.Diagnostics.Stopwatch.GetTimestamp() < until) { }
                Thread[chunk] = Environment.CurrentManagedThreadId;
            }
        }

        /// <summary>
        /// The caller takes chunks from the start and helpers from the end, so with steady threads each thread runs the same
        /// chunks (and finds their workspaces in its cache) from batch to batch; one shared counter handed them out
        /// alternately, in an order that changed every batch (two workers on Zen 5: 7-8% slower).
        /// </summary>
        [Fact]
        public void TheCallerTakesChunksFromTheStartAndHelpersFromTheEnd()
        {
            var work = new Recording();
            var dispatcher = new ChunkDispatcher(work);
            int caller = Environment.CurrentManagedThreadId, helped = 0;
            // Until ten rounds had a helper: a test host's busy pool may add a thread only after a second or so.
            var watch = System.Diagnostics.Stopwatch.StartNew();
            for (int round = 0; helped < 10 && watch.Elapsed < TimeSpan.FromSeconds(20); round++)
            {
                dispatcher.Run(8, 2);
                int firstHelped = Array.FindIndex(work.Thread, t => t != caller);
                if (firstHelped < 0) continue; // the pool did not start the helper in time: the caller ran them all
                helped++;
                for (int c = 0; c < 8; c++)
                {
                    Assert.True((work.Thread[c] == caller) == (c < firstHelped), $"round {round}: chunks ran on threads {string.Join(", ", work.Thread)}, the caller being {caller}");
                }
            }
            Assert.True(helped > 0, "no round had a helper");
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
