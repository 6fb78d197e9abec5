using System;
using System.Collections.Generic;
using Xunit;

namespace RnnCodegen.Tests
{
    /// <summary>Zero-allocation checks that tiered compilation cannot make flaky.</summary>
    internal static class Allocations
    {
        /// <summary>
        /// Asserts that <paramref name="run"/> allocates nothing on the calling thread once warm: after a warm-up, up to
        /// five windows of <paramref name="iterations"/> calls are measured and one must show 0 bytes. A real allocation in
        /// <paramref name="run"/> shows in every window (at least <paramref name="iterations"/> objects); a one-off
        /// allocation by the runtime while it swaps in a tier-1 method body does not fail the test.
        /// </summary>
        public static void AssertSteadyStateAllocatesNothing(Action run, int iterations)
        {
            for (int i = 0; i < 3; i++) run();
            var windows = new List<long>();
            for (int attempt = 0; attempt < 5; attempt++)
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                for (int i = 0; i < iterations; i++) run();
                long bytes = GC.GetAllocatedBytesForCurrentThread() - before;
                if (bytes == 0) return;
                windows.Add(bytes);
            }
            Assert.Fail("allocated in every window of " + iterations + " calls: " + string.Join(", ", windows) + " bytes");
        }
    }
}
