using System;
using System.Threading.Tasks;

namespace MnistTrainer;

/// <summary>
/// Parallel loop over independent work items. Every item writes only its own outputs and
/// does its own sums in a fixed order, so results do not depend on the thread count.
/// </summary>
internal static class Par
{
    private static int s_threads = Environment.ProcessorCount;

    public static int Threads
    {
        get => s_threads;
        set => s_threads = Math.Max(1, value);
    }

    public static void For(int count, Action<int> body)
    {
        if (s_threads == 1 || count <= 1)
        {
            for (int i = 0; i < count; i++)
            {
                body(i);
            }

            return;
        }

        Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = s_threads }, body);
    }
}
