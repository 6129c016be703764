using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Threading;
using ModelCompiler.Generated;
using Xunit;

namespace ModelCompiler.KernelTests;

/// <summary>Kernels.Split, which divides a kernel call's range across threads: every index in [0, count) is covered
/// exactly once, by contiguous pieces; not parallel means one call over the whole range on the calling thread; in
/// parallel, no more pieces than cores and none smaller than the grain, and more than one piece whenever that is
/// possible.</summary>
public class ParallelTests
{
    public static TheoryData<bool, int, int> Cases
    {
        get
        {
            var data = new TheoryData<bool, int, int>();
            foreach (bool parallel in new[] { false, true })
            {
                foreach (int count in new[] { 0, 1, 2, 7, 1000 })
                {
                    foreach (int grain in new[] { -3, 0, 1, 2, 3, 100, 400, 2000 })
                    {
                        data.Add(parallel, count, grain);
                    }
                }
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Split_CoversEveryIndexOnce(bool parallel, int count, int grain)
    {
        int[] hits = new int[count];
        var pieces = new ConcurrentQueue<(int Start, int End, int Thread)>();
        string what = $"Split(parallel={parallel}, count={count}, grain={grain})";

        Kernels.Split(parallel, count, grain, (start, end) =>
        {
            pieces.Enqueue((start, end, Environment.CurrentManagedThreadId));

            for (int i = start; i < end; i++)
            {
                Interlocked.Increment(ref hits[i]);
            }
        });

        Assert.True(hits.All(h => h == 1), what + ": indices covered " + string.Join(",", hits.Select((h, i) => (h, i)).Where(p => p.h != 1).Select(p => p.i + "x" + p.h)));
        var sorted = pieces.OrderBy(p => p.Start).ToList();
        Assert.Equal(0, sorted[0].Start);
        Assert.Equal(count, sorted[^1].End);
        for (int k = 1; k < sorted.Count; k++)
        {
            Assert.True(sorted[k].Start == sorted[k - 1].End, what + ": pieces " + string.Join(" ", sorted.Select(p => $"[{p.Start}, {p.End})")));
        }

        if (!parallel)
        {
            (int start, int end, int thread) = Assert.Single(pieces);
            Assert.Equal((0, count, Environment.CurrentManagedThreadId), (start, end, thread));
            return;
        }

        int minimum = Math.Max(1, grain);
        Assert.True(pieces.Count <= Math.Max(1, Environment.ProcessorCount), what + ": " + pieces.Count + " pieces on " + Environment.ProcessorCount + " cores");
        if (pieces.Count > 1)
        {
            Assert.All(pieces, p => Assert.True(p.End - p.Start >= minimum, what + $": piece [{p.Start}, {p.End}) is under the grain"));
        }

        if (Environment.ProcessorCount > 1 && count >= 2 * minimum)
        {
            Assert.True(pieces.Count > 1, what + ": one piece, though two of at least the grain fit and cores are free");
        }
    }

    [Fact]
    public void Split_RefusesANullBody() => Assert.Throws<ArgumentNullException>("body", () => Kernels.Split(true, 10, 1, null!));
}
