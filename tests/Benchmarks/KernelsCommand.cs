using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Runtime.Intrinsics;
using ModelCompiler.Generated;

namespace ModelCompiler.Benchmarks;

/// <summary>The <c>kernels</c> measurement inside one pinned single-thread child: <c>Kernels.PackedGemm</c> (the run-time
/// kernel the generator emits into this assembly) alone, on a few shapes of the benchmark's layers, at every
/// accelerated vector width, as GFLOP/s and as a fraction of the FMA peak measured in the same run.</summary>
/// <remarks>Shapes (m = output channels, k = depth, n = pixels): a 64-channel 3×3 convolution over a 64×64 image
/// (k = 64·9, n = 4096), the MNIST CNN's second convolution (32 channels, 3×3 over 32 channels, 28×28), and a
/// 784→10 linear layer at batch 1 as a GEMM (n = 1: the scalar column loop). Timing: a warm-up of 0.3 s, then 10
/// blocks of k runs (k chosen for ~0.05 s a block), each run timed on its own; a block's time is the median of its
/// runs, the result the median of the blocks. <c>--quick</c>: 0.03 s and 3 blocks of ~0.01 s.</remarks>
internal static class KernelsCommand
{
    private static readonly (int M, int K, int N)[] Shapes = [(64, 576, 4096), (32, 288, 784), (10, 784, 1)];

    public static int Run(bool quick)
    {
        FmaPeak before = PeakFma.Measure();
        var rows = new List<(int M, int K, int N, VectorWidth Width, double Seconds)>();
        foreach ((int m, int k, int n) in Shapes)
        {
            foreach (VectorWidth width in Widths())
            {
                double seconds = Time(Gemm(m, k, n, width), quick);
                rows.Add((m, k, n, width, seconds));
            }
        }

        // Measured again after the rows: a neighbour's burst can only lower a peak, so the better of the two counts.
        FmaPeak peak = FmaPeak.Max(before, PeakFma.Measure());
        PeakCommand.Print(peak);
        foreach ((int m, int k, int n, VectorWidth width, double seconds) in rows)
        {
            double gflops = 2.0 * m * k * n / seconds / 1e9;
            double widthPeak = width switch
            {
                VectorWidth.V512 => peak.V512,
                VectorWidth.V256 => peak.V256,
                _ => peak.V128,
            };

            Console.WriteLine(FormattableString.Invariant(
                $"result: kernel=packed_gemm m={m} k={k} n={n} width={width.ToString().ToLowerInvariant()} threads=1 us={seconds * 1e6:F2} gflops={gflops:F2} peak_fraction={gflops / peak.Best:F3} width_peak_fraction={gflops / widthPeak:F3}"));
        }

        return 0;
    }

    private static IEnumerable<VectorWidth> Widths()
    {
        if (Vector512.IsHardwareAccelerated)
        {
            yield return VectorWidth.V512;
        }

        if (Vector256.IsHardwareAccelerated)
        {
            yield return VectorWidth.V256;
        }

        if (Vector128.IsHardwareAccelerated)
        {
            yield return VectorWidth.V128;
        }
    }

    /// <summary>C = A·B for m×k weights packed in panels of 6 and k rows of B one after another (seeded uniform values).</summary>
    private static Action Gemm(int m, int k, int n, VectorWidth width)
    {
        var random = new SplitMix64(0x6e6d6d + (ulong)((m * 31) + k + n));
        int panels = (m + Kernels.GemmPanelRows - 1) / Kernels.GemmPanelRows;
        float[] a = Fill(new float[panels * k * Kernels.GemmPanelRows], random);
        float[] b = Fill(new float[k * n], random);
        float[] bias = Fill(new float[m], random);
        float[] c = new float[m * n];
        int[] offsets = new int[k];
        for (int p = 0; p < k; p++)
        {
            offsets[p] = p * n;
        }

        return () => Kernels.PackedGemm(a, b, offsets, c, n, bias, m, n, k, ActivationKind.None, 0f, 0, panels, width);
    }

    private static float[] Fill(float[] values, SplitMix64 random)
    {
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = random.NextFloat() - 0.5f;
        }

        return values;
    }

    /// <summary>The median of the block medians, in seconds per run.</summary>
    private static double Time(Action run, bool quick)
    {
        double warmup = quick ? 0.03 : 0.3, blockSeconds = quick ? 0.01 : 0.05;
        int blocks = quick ? 3 : 10;
        var times = new List<double>();
        long start = Stopwatch.GetTimestamp();
        while (times.Count < 3 || Stopwatch.GetElapsedTime(start).TotalSeconds < warmup)
        {
            long before = Stopwatch.GetTimestamp();
            run();
            times.Add(Stopwatch.GetElapsedTime(before).TotalSeconds);
        }

        double perRun = Timing.Median([.. times]);
        double[] runs = new double[(int)Math.Clamp(Math.Round(blockSeconds / Math.Max(perRun, 1e-9)), 3, 100_000)];
        double[] medians = new double[blocks];
        for (int block = 0; block < blocks; block++)
        {
            for (int i = 0; i < runs.Length; i++)
            {
                long before = Stopwatch.GetTimestamp();
                run();
                runs[i] = Stopwatch.GetElapsedTime(before).TotalSeconds;
            }

            medians[block] = Timing.Median(runs);
        }

        return Timing.Median(medians);
    }
}
