using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using ModelCompiler.Generated;
using Xunit;

namespace ModelCompiler.KernelTests;

/// <summary>The worker pool splits [0, count) into contiguous pieces that cover every index exactly once, the threads
/// (the calling one among them) taking them in turn, rethrows a piece's exception on the caller, serves concurrent
/// callers, and allocates nothing per call once warm.</summary>
public class WorkerPoolTests
{
    private static readonly Action<object, int, int> Mark = static (state, start, end) =>
    {
        var hits = (int[])state;
        for (int i = start; i < end; i++)
        {
            Interlocked.Increment(ref hits[i]);
        }
    };

    /// <summary>Marks its indices after a pause past the spin time (so the caller blocks waiting for it).</summary>
    private static readonly Action<object, int, int> SlowMark = static (state, start, end) =>
    {
        if (start > 0)
        {
            Thread.Sleep(1);
        }

        Mark(state, start, end);
    };

    [Theory]
    [InlineData(0, 1, 4)]
    [InlineData(1, 1, 4)]
    [InlineData(2, 1, 4)]
    [InlineData(7, 1, 4)]
    [InlineData(1000, 1, 4)]
    [InlineData(1000, 300, 4)]
    [InlineData(1000, 1, 1)]
    [InlineData(5, 2, 64)]
    public void EveryIndex_IsCoveredExactlyOnce(int count, int grain, int maxThreads)
    {
        int[] hits = new int[count];
        WorkerPool.Run(hits, Mark, count, grain, maxThreads);
        Assert.All(hits, (h, i) => Assert.True(h == 1, $"index {i} of {count} ran {h} times (grain {grain}, {maxThreads} threads)"));
    }

    [Fact]
    public void Pieces_TileTheRange_AtLeastTheGrainEach_OnePerThread_TheCallerTakingOne()
    {
        var pieces = new ConcurrentBag<(int Start, int End, int Thread)>();
        int caller = Environment.CurrentManagedThreadId;
        WorkerPool.Run(pieces, static (state, start, end) => ((ConcurrentBag<(int, int, int)>)state).Add((start, end, Environment.CurrentManagedThreadId)), 100, 10, 16);

        var ordered = pieces.OrderBy(p => p.Start).ToArray();
        int threads = Math.Min(Environment.ProcessorCount, 10);
        Assert.Equal(threads, ordered.Length);
        Assert.Equal(0, ordered[0].Start);
        Assert.Equal(100, ordered[^1].End);
        for (int i = 1; i < ordered.Length; i++)
        {
            Assert.Equal(ordered[i - 1].End, ordered[i].Start);
        }

        Assert.All(ordered, p => Assert.True(p.End - p.Start >= 10, $"piece [{p.Start}, {p.End}) is smaller than the grain"));
        Assert.Contains(ordered, p => p.Thread == caller);
    }

    [Fact]
    public void OneThread_RunsTheWholeRangeOnTheCaller()
    {
        var pieces = new ConcurrentBag<(int Start, int End, int Thread)>();
        WorkerPool.Run(pieces, static (state, start, end) => ((ConcurrentBag<(int, int, int)>)state).Add((start, end, Environment.CurrentManagedThreadId)), 100, 1, 1);
        Assert.Equal([(0, 100, Environment.CurrentManagedThreadId)], pieces.ToArray());
    }

    [Fact]
    public void AnExceptionInAPiece_IsRethrownOnTheCaller_AndThePoolStillWorks()
    {
        var e = Assert.Throws<InvalidOperationException>(() => WorkerPool.Run(new object(), static (_, start, _) =>
        {
            if (start > 0)
            {
                throw new InvalidOperationException("piece " + start);
            }
        }, 1000, 1, 2));
        Assert.StartsWith("piece ", e.Message, StringComparison.Ordinal);

        int[] hits = new int[50];
        WorkerPool.Run(hits, Mark, 50, 1, 2);
        Assert.All(hits, h => Assert.Equal(1, h));
    }

    [Fact]
    public void ConcurrentCallers_AllComplete()
    {
        Parallel.For(0, 8, caller =>
        {
            for (int round = 0; round < 50; round++)
            {
                int[] hits = new int[97];
                WorkerPool.Run(hits, Mark, hits.Length, 1, 4);
                Assert.All(hits, h => Assert.Equal(1, h));
            }
        });
    }

    [Fact]
    public void CallsSpacedAroundTheSpinTime_EachRunOnce()
    {
        // Idle workers spin a while, then block, and so does a caller waiting for them: calls that come back at once,
        // shortly after, and after the threads blocked must each run every piece exactly once, and return only when every
        // piece is done (a late wake-up left over from an earlier call must neither run a piece again nor end a wait).
        for (int round = 0; round < 300; round++)
        {
            int mix = (round * 7919) + 13;
            int[] hits = new int[64];
            WorkerPool.Run(hits, (mix % 3) == 0 ? SlowMark : Mark, hits.Length, 1, 4);
            Assert.All(hits, (h, i) => Assert.True(h == 1, $"round {round}: index {i} ran {h} times"));
            int pause = mix % 4;
            if (pause == 1)
            {
                Thread.SpinWait(1 + (mix % 20_000));
            }
            else if (pause == 2)
            {
                Thread.Sleep(mix % 2);
            }
        }
    }

    [Fact]
    public void AWarmCall_AllocatesNothingOnTheCaller()
    {
        int[] hits = new int[256];
        WorkerPool.Run(hits, Mark, hits.Length, 1, 4);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
        {
            WorkerPool.Run(hits, Mark, hits.Length, 1, 4);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
