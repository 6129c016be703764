using System;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace ModelCompiler.Benchmarks;

/// <summary>The <c>bandwidth</c> measurement inside one pinned single-thread child: how fast one core reads a buffer
/// it reads again and again (a sum over it with four independent vector accumulators, the widest accelerated vectors),
/// at sizes from inside L1 to far past the last-level cache, and at the size of the MLP 784-512-256-10's weights, whose
/// batch-1 run is such a read. One line per size: the best of 7 blocks of about 0.1 s (noise only lowers a block).</summary>
internal static class BandwidthCommand
{
    /// <summary>Bytes of the MLP 784-512-256-10's weights and biases (535,818 floats).</summary>
    public const long MlpWeightBytes = 535_818L * 4;

    private static readonly long[] Sizes = [32L << 10, 512L << 10, 1L << 20, 3L << 19, MlpWeightBytes, 8L << 20, 64L << 20];

    /// <summary>Where the sums go, so the JIT cannot drop the reads.</summary>
    private static float s_sink;

    public static int Run()
    {
        foreach (long bytes in Sizes)
        {
            float[] buffer = GC.AllocateArray<float>((int)(bytes / 4), pinned: true);
            new Random(1).NextBytes(MemoryMarshal.AsBytes(buffer.AsSpan()));
            for (int i = 0; i < buffer.Length; i++)
            {
                buffer[i] = float.IsFinite(buffer[i]) ? buffer[i] : 0f;
            }

            int passes = Math.Max(1, (int)(400_000_000 / bytes)); // about 0.02-0.1 s a block
            double best = 0;
            for (int block = 0; block < 8; block++)
            {
                long start = Stopwatch.GetTimestamp();
                for (int p = 0; p < passes; p++)
                {
                    s_sink += Sum(buffer);
                }

                double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
                if (block > 0)
                {
                    best = Math.Max(best, (double)bytes * passes / seconds / 1e9);
                }
            }

            Console.WriteLine(FormattableString.Invariant($"result: machine=bandwidth bytes={bytes} read_gbps={best:F1} threads=1"));
        }

        return 0;
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Sum(float[] buffer)
    {
        ref float x = ref MemoryMarshal.GetArrayDataReference(buffer);
        int n = buffer.Length, i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            Vector512<float> a = default, b = default, c = default, d = default;
            for (; i <= n - 64; i += 64)
            {
                a += Vector512.LoadUnsafe(ref x, (nuint)i);
                b += Vector512.LoadUnsafe(ref x, (nuint)(i + 16));
                c += Vector512.LoadUnsafe(ref x, (nuint)(i + 32));
                d += Vector512.LoadUnsafe(ref x, (nuint)(i + 48));
            }

            return Vector512.Sum(a + b + c + d) + Tail(ref x, i, n);
        }

        Vector256<float> e = default, f = default, g = default, h = default;
        for (; i <= n - 32; i += 32)
        {
            e += Vector256.LoadUnsafe(ref x, (nuint)i);
            f += Vector256.LoadUnsafe(ref x, (nuint)(i + 8));
            g += Vector256.LoadUnsafe(ref x, (nuint)(i + 16));
            h += Vector256.LoadUnsafe(ref x, (nuint)(i + 24));
        }

        return Vector256.Sum(e + f + g + h) + Tail(ref x, i, n);
    }

    private static float Tail(ref float x, int i, int n)
    {
        float sum = 0;
        for (; i < n; i++)
        {
            sum += Unsafe.Add(ref x, i);
        }

        return sum;
    }
}
