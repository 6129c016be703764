using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace ModelCompiler.Benchmarks;

/// <summary>The FP32 FMA peak of one core at each vector width, in GFLOP/s (2 flops per lane per FMA).</summary>
internal readonly record struct FmaPeak(double V512, double V256, double V128)
{
    /// <summary>The best width's peak: the ceiling for single-core code (times the thread count for more cores).</summary>
    public double Best => Math.Max(V512, Math.Max(V256, V128));

    /// <summary>Width by width, the better of two measurements.</summary>
    public static FmaPeak Max(FmaPeak a, FmaPeak b) => new(Math.Max(a.V512, b.V512), Math.Max(a.V256, b.V256), Math.Max(a.V128, b.V128));
}

/// <summary>Measures the machine's single-core FP32 FMA peak: a loop of 12 independent fused multiply-add chains on
/// Vector512/256/128, enough to cover an FMA latency of 4 cycles on two FMA ports (8 in flight). Each width is timed
/// in 200 repetitions of ~2 ms and the best is reported: a peak, and noise only ever slows a repetition down; a
/// repetition shorter than a scheduler time slice often runs undisturbed even when other processes share the core.
/// A width without hardware acceleration reports 0.</summary>
internal static class PeakFma
{
    private const int Chains = 12;
    private const int Repetitions = 200;
    private const double RepetitionSeconds = 0.002;

    public static FmaPeak Measure() => new(
        Vector512.IsHardwareAccelerated ? Best(Loop512, Vector512<float>.Count) : 0,
        Vector256.IsHardwareAccelerated ? Best(Loop256, Vector256<float>.Count) : 0,
        Vector128.IsHardwareAccelerated ? Best(Loop128, Vector128<float>.Count) : 0);

    /// <summary>The CPU's model name (/proc/cpuinfo on Linux), or what the runtime knows elsewhere.</summary>
    public static string CpuModel()
    {
        const string cpuinfo = "/proc/cpuinfo";
        string? line = File.Exists(cpuinfo) ? File.ReadLines(cpuinfo).FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal)) : null;
        return line is null ? RuntimeInformation.ProcessArchitecture.ToString() : line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
    }

    private static double Best(Func<long, float> loop, int lanes)
    {
        // Calibrate the iteration count to ~RepetitionSeconds (this also compiles the loop), then keep the best rate.
        long iterations = 1 << 10;
        while (Time(loop, iterations) < RepetitionSeconds / 4)
        {
            iterations *= 2;
        }

        iterations = (long)(iterations * RepetitionSeconds / Time(loop, iterations)) + 1;
        double best = 0;
        for (int i = 0; i < Repetitions; i++)
        {
            best = Math.Max(best, 2.0 * Chains * lanes * iterations / Time(loop, iterations) / 1e9);
        }

        return best;
    }

    private static double Time(Func<long, float> loop, long iterations)
    {
        long start = Stopwatch.GetTimestamp();
        float result = loop(iterations);
        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;

        // Keeps the result observable, so no part of the loop can be removed.
        return float.IsNaN(result) ? double.NaN : seconds;
    }

    // Each chain is x = x * a + b with a just below 1: values converge to b / (1 - a), never overflow or denormalize.
    // The chains start apart so that no two are the same computation.

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Loop512(long iterations)
    {
        Vector512<float> a = Vector512.Create(0.999f);
        Vector512<float> b = Vector512.Create(0.001f);
        Vector512<float> x0 = Vector512.Create(0f), x1 = Vector512.Create(1f), x2 = Vector512.Create(2f), x3 = Vector512.Create(3f);
        Vector512<float> x4 = Vector512.Create(4f), x5 = Vector512.Create(5f), x6 = Vector512.Create(6f), x7 = Vector512.Create(7f);
        Vector512<float> x8 = Vector512.Create(8f), x9 = Vector512.Create(9f), x10 = Vector512.Create(10f), x11 = Vector512.Create(11f);
        for (long i = 0; i < iterations; i++)
        {
            x0 = Vector512.FusedMultiplyAdd(x0, a, b);
            x1 = Vector512.FusedMultiplyAdd(x1, a, b);
            x2 = Vector512.FusedMultiplyAdd(x2, a, b);
            x3 = Vector512.FusedMultiplyAdd(x3, a, b);
            x4 = Vector512.FusedMultiplyAdd(x4, a, b);
            x5 = Vector512.FusedMultiplyAdd(x5, a, b);
            x6 = Vector512.FusedMultiplyAdd(x6, a, b);
            x7 = Vector512.FusedMultiplyAdd(x7, a, b);
            x8 = Vector512.FusedMultiplyAdd(x8, a, b);
            x9 = Vector512.FusedMultiplyAdd(x9, a, b);
            x10 = Vector512.FusedMultiplyAdd(x10, a, b);
            x11 = Vector512.FusedMultiplyAdd(x11, a, b);
        }

        return Vector512.Sum(x0 + x1 + x2 + x3 + x4 + x5 + x6 + x7 + x8 + x9 + x10 + x11);
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Loop256(long iterations)
    {
        Vector256<float> a = Vector256.Create(0.999f);
        Vector256<float> b = Vector256.Create(0.001f);
        Vector256<float> x0 = Vector256.Create(0f), x1 = Vector256.Create(1f), x2 = Vector256.Create(2f), x3 = Vector256.Create(3f);
        Vector256<float> x4 = Vector256.Create(4f), x5 = Vector256.Create(5f), x6 = Vector256.Create(6f), x7 = Vector256.Create(7f);
        Vector256<float> x8 = Vector256.Create(8f), x9 = Vector256.Create(9f), x10 = Vector256.Create(10f), x11 = Vector256.Create(11f);
        for (long i = 0; i < iterations; i++)
        {
            x0 = Vector256.FusedMultiplyAdd(x0, a, b);
            x1 = Vector256.FusedMultiplyAdd(x1, a, b);
            x2 = Vector256.FusedMultiplyAdd(x2, a, b);
            x3 = Vector256.FusedMultiplyAdd(x3, a, b);
            x4 = Vector256.FusedMultiplyAdd(x4, a, b);
            x5 = Vector256.FusedMultiplyAdd(x5, a, b);
            x6 = Vector256.FusedMultiplyAdd(x6, a, b);
            x7 = Vector256.FusedMultiplyAdd(x7, a, b);
            x8 = Vector256.FusedMultiplyAdd(x8, a, b);
            x9 = Vector256.FusedMultiplyAdd(x9, a, b);
            x10 = Vector256.FusedMultiplyAdd(x10, a, b);
            x11 = Vector256.FusedMultiplyAdd(x11, a, b);
        }

        return Vector256.Sum(x0 + x1 + x2 + x3 + x4 + x5 + x6 + x7 + x8 + x9 + x10 + x11);
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Loop128(long iterations)
    {
        Vector128<float> a = Vector128.Create(0.999f);
        Vector128<float> b = Vector128.Create(0.001f);
        Vector128<float> x0 = Vector128.Create(0f), x1 = Vector128.Create(1f), x2 = Vector128.Create(2f), x3 = Vector128.Create(3f);
        Vector128<float> x4 = Vector128.Create(4f), x5 = Vector128.Create(5f), x6 = Vector128.Create(6f), x7 = Vector128.Create(7f);
        Vector128<float> x8 = Vector128.Create(8f), x9 = Vector128.Create(9f), x10 = Vector128.Create(10f), x11 = Vector128.Create(11f);
        for (long i = 0; i < iterations; i++)
        {
            x0 = Vector128.FusedMultiplyAdd(x0, a, b);
            x1 = Vector128.FusedMultiplyAdd(x1, a, b);
            x2 = Vector128.FusedMultiplyAdd(x2, a, b);
            x3 = Vector128.FusedMultiplyAdd(x3, a, b);
            x4 = Vector128.FusedMultiplyAdd(x4, a, b);
            x5 = Vector128.FusedMultiplyAdd(x5, a, b);
            x6 = Vector128.FusedMultiplyAdd(x6, a, b);
            x7 = Vector128.FusedMultiplyAdd(x7, a, b);
            x8 = Vector128.FusedMultiplyAdd(x8, a, b);
            x9 = Vector128.FusedMultiplyAdd(x9, a, b);
            x10 = Vector128.FusedMultiplyAdd(x10, a, b);
            x11 = Vector128.FusedMultiplyAdd(x11, a, b);
        }

        return Vector128.Sum(x0 + x1 + x2 + x3 + x4 + x5 + x6 + x7 + x8 + x9 + x10 + x11);
    }
}
