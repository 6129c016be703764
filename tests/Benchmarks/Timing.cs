using System;
using System.Collections.Generic;
using System.Diagnostics;

namespace ModelCompiler.Benchmarks;

/// <summary>How long and how often to time. <see cref="Default"/> is what docs/benchmarks.md reports;
/// <see cref="Quick"/> is for smoke tests (the numbers are noisier).</summary>
/// <param name="WarmupRounds">Warm-up rounds; in each, both engines run (ours, then ORT) for ...</param>
/// <param name="WarmupSecondsPerRound">... this long each, and at least <paramref name="MinRunsPerBlock"/> times.</param>
/// <param name="Blocks">Timed blocks per engine, alternating: ours, ORT, ours, ORT, ...</param>
/// <param name="MinBlocks">... cut down, for slow models, to fit <paramref name="RowSeconds"/>, but never below this.</param>
/// <param name="RowSeconds">The timed blocks' budget per row, estimated from the warm-up.</param>
/// <param name="BlockSeconds">The target length of a block, which sets its run count k from the warm-up's per-run time.</param>
/// <param name="MinRunsPerBlock">The least k (so a block's median is a median even for a one-second model).</param>
/// <param name="MaxRunsPerBlock">The most k.</param>
internal sealed record TimingSettings(
    int WarmupRounds, double WarmupSecondsPerRound, int Blocks, int MinBlocks, double RowSeconds, double BlockSeconds, int MinRunsPerBlock, int MaxRunsPerBlock)
{
    public static TimingSettings Default { get; } = new(
        WarmupRounds: 2, WarmupSecondsPerRound: 0.5, Blocks: 10, MinBlocks: 3, RowSeconds: 60, BlockSeconds: 0.1, MinRunsPerBlock: 3, MaxRunsPerBlock: 1000);

    public static TimingSettings Quick { get; } = new(
        WarmupRounds: 1, WarmupSecondsPerRound: 0.05, Blocks: 3, MinBlocks: 3, RowSeconds: 60, BlockSeconds: 0.02, MinRunsPerBlock: 1, MaxRunsPerBlock: 200);

    public string Describe() => FormattableString.Invariant(
        $"warm-up {WarmupRounds} x {WarmupSecondsPerRound} s per engine; {Blocks} blocks per engine (at least {MinBlocks}, ~{RowSeconds} s per row at most) of k runs (~{BlockSeconds} s, {MinRunsPerBlock} <= k <= {MaxRunsPerBlock})");
}

/// <summary>One row's result: the median seconds per run of each engine, the run count per block each used, the
/// number of blocks, and the managed bytes each engine allocated per timed run (all threads, measured between blocks).</summary>
internal readonly record struct PairTiming(
    double OursSeconds, double OrtSeconds, int OursRunsPerBlock, int OrtRunsPerBlock, int Blocks, double OursBytesPerRun, double OrtBytesPerRun);

/// <summary>Times two engines interleaved in one process, so that a noisy neighbour or a frequency change hits both
/// alike: warm-up rounds alternating the engines, then alternating blocks (ours block, ORT block, ...), each block k
/// runs timed one by one; a block's time is the median of its runs, an engine's result the median of its blocks.</summary>
internal static class Timing
{
    public static PairTiming Interleaved(Action ours, Action ort, TimingSettings settings)
    {
        double oursRun = 0;
        double ortRun = 0;
        for (int round = 0; round < settings.WarmupRounds; round++)
        {
            oursRun = WarmUp(ours, settings);
            ortRun = WarmUp(ort, settings);
        }

        double[] oursRuns = new double[RunsPerBlock(oursRun, settings)];
        double[] ortRuns = new double[RunsPerBlock(ortRun, settings)];
        double pairSeconds = (oursRuns.Length * oursRun) + (ortRuns.Length * ortRun);
        int blocks = (int)Math.Clamp(Math.Floor(settings.RowSeconds / pairSeconds), settings.MinBlocks, settings.Blocks);
        double[] oursBlocks = new double[blocks];
        double[] ortBlocks = new double[blocks];
        long oursBytes = 0;
        long ortBytes = 0;
        for (int block = 0; block < blocks; block++)
        {
            long start = GC.GetTotalAllocatedBytes(precise: true);
            oursBlocks[block] = Block(ours, oursRuns);
            long middle = GC.GetTotalAllocatedBytes(precise: true);
            ortBlocks[block] = Block(ort, ortRuns);
            long end = GC.GetTotalAllocatedBytes(precise: true);
            oursBytes += middle - start;
            ortBytes += end - middle;
        }

        return new PairTiming(Median(oursBlocks), Median(ortBlocks), oursRuns.Length, ortRuns.Length, blocks,
            oursBytes / (double)(blocks * oursRuns.Length), ortBytes / (double)(blocks * ortRuns.Length));
    }

    /// <summary>The median of <paramref name="values"/> (sorted in place).</summary>
    public static double Median(double[] values)
    {
        Array.Sort(values);
        int mid = values.Length / 2;
        return values.Length % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
    }

    /// <summary>Runs for the round's time (and at least the minimum run count); the median seconds per run.</summary>
    private static double WarmUp(Action run, TimingSettings settings)
    {
        var times = new List<double>();
        long start = Stopwatch.GetTimestamp();
        while (times.Count < Math.Max(1, settings.MinRunsPerBlock) || Seconds(start, Stopwatch.GetTimestamp()) < settings.WarmupSecondsPerRound)
        {
            long before = Stopwatch.GetTimestamp();
            run();
            times.Add(Seconds(before, Stopwatch.GetTimestamp()));
        }

        return Median([.. times]);
    }

    private static int RunsPerBlock(double secondsPerRun, TimingSettings settings) =>
        (int)Math.Clamp(Math.Round(settings.BlockSeconds / Math.Max(secondsPerRun, 1e-9)), Math.Max(1, settings.MinRunsPerBlock), settings.MaxRunsPerBlock);

    /// <summary>One block: each run timed on its own into <paramref name="runs"/>; the block's median seconds.</summary>
    private static double Block(Action run, double[] runs)
    {
        for (int i = 0; i < runs.Length; i++)
        {
            long before = Stopwatch.GetTimestamp();
            run();
            runs[i] = Seconds(before, Stopwatch.GetTimestamp());
        }

        return Median(runs);
    }

    private static double Seconds(long from, long to) => (to - from) / (double)Stopwatch.Frequency;
}
