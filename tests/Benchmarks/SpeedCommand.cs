using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace ModelCompiler.Benchmarks;

/// <summary>The <c>speed</c> measurement inside one pinned child process: every selected model and batch size, ours
/// and ONNX Runtime interleaved, one <c>result:</c> line per row, then a table for people.</summary>
internal static class SpeedCommand
{
    /// <summary>The largest accepted max|ours − ORT| / max(1, max|ORT|) of a row.</summary>
    public const double Tolerance = 1e-4;

    private sealed record Row(BenchModel Model, int Batch, int Threads, PairTiming Timing, double MaxAbsDiff, double RelativeDiff)
    {
        public double OursUs => Timing.OursSeconds * 1e6;

        public double OrtUs => Timing.OrtSeconds * 1e6;

        public double Flops => 2.0 * Model.MacsPerSample * Batch;

        public double OursGflops => Flops / Timing.OursSeconds / 1e9;

        public double OrtGflops => Flops / Timing.OrtSeconds / 1e9;
    }

    public static int Run(IReadOnlyList<BenchModel> models, int threads, TimingSettings settings, bool printPeak)
    {
        string loadBefore = LoadAverage();
        FmaPeak before = PeakFma.Measure();
        var rows = new List<Row>();
        foreach (BenchModel model in models)
        {
            using var ort = new OrtRunner(OnnxModels.Export(model.Class), threads);
            Check(model, ort);
            foreach (int batch in model.Batches)
            {
                Row row = Measure(model, ort, batch, threads, settings);
                rows.Add(row);
                Console.WriteLine(FormattableString.Invariant(
                    $"result: model={model.Name} variant=fp32 batch={batch} threads={threads} ours_us={row.OursUs:F2} ort_us={row.OrtUs:F2} speedup={row.OrtUs / row.OursUs:F3} ours_gflops={row.OursGflops:F2} ort_gflops={row.OrtGflops:F2} max_abs_diff={row.MaxAbsDiff:G3}"));
            }
        }

        // Measured again after the rows: a neighbour's burst can only lower a peak, so the better of the two counts.
        FmaPeak peak = FmaPeak.Max(before, PeakFma.Measure());
        if (printPeak)
        {
            PeakCommand.Print(peak);
        }

        PrintTable(rows, peak, threads, settings, loadBefore, LoadAverage());
        Row[] wrong = [.. rows.Where(r => !(r.RelativeDiff <= Tolerance))];
        foreach (Row r in wrong)
        {
            Console.Error.WriteLine(FormattableString.Invariant(
                $"error: model={r.Model.Name} batch={r.Batch} threads={r.Threads}: ours and ONNX Runtime differ by {r.RelativeDiff:G3} relative (max_abs_diff {r.MaxAbsDiff:G3}), more than {Tolerance:G3}"));
        }

        return wrong.Length == 0 ? 0 : 1;
    }

    private static Row Measure(BenchModel model, OrtRunner ort, int batch, int threads, TimingSettings settings)
    {
        // Inputs uniform in [0, 1) (pixel-like), different per sample, the same for both engines.
        float[] input = new SplitMix64((ulong)batch).Floats(batch * model.InputSize);
        float[] ours = new float[batch * model.OutputSize];
        float[] theirs = new float[batch * model.OutputSize];
        using OrtRunner.Binding binding = ort.Bind(input, [batch, .. ort.SampleInputShape], theirs, [batch, .. ort.SampleOutputShape]);

        // Whatever the previous row left for the collector is collected now, not during this row's timing.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();

        PairTiming timing = Timing.Interleaved(() => model.Run(input, ours, batch), binding.Run, settings);

        // Both output buffers hold the last timed run of each engine on the same input.
        double maxAbsDiff = 0;
        double maxOrt = 0;
        for (int i = 0; i < ours.Length; i++)
        {
            maxAbsDiff = Math.Max(maxAbsDiff, Math.Abs((double)ours[i] - theirs[i]));
            maxOrt = Math.Max(maxOrt, Math.Abs((double)theirs[i]));
            if (float.IsNaN(ours[i]) || float.IsNaN(theirs[i]))
            {
                maxAbsDiff = double.NaN;
                break;
            }
        }

        return new Row(model, batch, threads, timing, maxAbsDiff, maxAbsDiff / Math.Max(1, maxOrt));
    }

    /// <summary>The ONNX model's per-sample shapes must be the generated code's sizes (same declaration).</summary>
    private static void Check(BenchModel model, OrtRunner ort)
    {
        int inputs = ort.SampleInputShape.Aggregate(1, (a, b) => a * b);
        int outputs = ort.SampleOutputShape.Aggregate(1, (a, b) => a * b);
        if (inputs != model.InputSize || outputs != model.OutputSize)
        {
            throw new InvalidOperationException(FormattableString.Invariant(
                $"{model.Name}: the ONNX model takes {inputs} and gives {outputs} floats per sample, the generated code {model.InputSize} and {model.OutputSize}"));
        }
    }

    private static void PrintTable(List<Row> rows, FmaPeak peak, int threads, TimingSettings settings, string loadBefore, string loadAfter)
    {
        double ceiling = peak.Best * threads;
        Console.WriteLine();
        Console.WriteLine(FormattableString.Invariant($"threads={threads}: {settings.Describe()}"));
        Console.WriteLine(FormattableString.Invariant(
            $"peak = {threads} x {peak.Best:F1} GFLOP/s (single-core FMA peak) = {ceiling:F1} GFLOP/s; load average before: {loadBefore}, after: {loadAfter}"));
        Console.WriteLine("model                batch      ours µs       ORT µs  ORT/ours  ours GF/s  ORT GF/s  ours %peak  ORT %peak  blocks  k ours/ORT  B/run ours/ORT");
        foreach (Row r in rows)
        {
            Console.WriteLine(FormattableString.Invariant(
                $"{r.Model.Name,-20} {r.Batch,5} {r.OursUs,12:F1} {r.OrtUs,12:F1} {r.OrtUs / r.OursUs,9:F3} {r.OursGflops,10:F2} {r.OrtGflops,9:F2} {100 * r.OursGflops / ceiling,10:F1}% {100 * r.OrtGflops / ceiling,9:F1}%  {r.Timing.Blocks,6}  {r.Timing.OursRunsPerBlock,4}/{r.Timing.OrtRunsPerBlock,-4}  {r.Timing.OursBytesPerRun,6:F0}/{r.Timing.OrtBytesPerRun:F0}"));
        }

        Console.WriteLine();
    }

    /// <summary>The 1, 5 and 15 minute load averages (Linux), to judge how quiet the machine was.</summary>
    internal static string LoadAverage()
    {
        const string path = "/proc/loadavg";
        return File.Exists(path) ? string.Join(" ", File.ReadAllText(path).Split(' ').Take(3)) : "n/a";
    }
}
