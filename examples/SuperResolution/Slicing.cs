using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Threading;

namespace SuperResolution;

/// <summary>The plain model against the band-by-band one (<see cref="EsrganMediumX2Sliced"/>) at its declared rows per
/// step and fitted to a peak-memory budget: per variant, the planned peak (the model's PeakMemoryBytes and the input and
/// output arrays), the bytes a thread that never ran the model really allocates for one run (its arena, its tile buffer,
/// the input and output: GC.GetAllocatedBytesForCurrentThread around the run), the median latency of warm runs, and the
/// largest difference from the plain model's output.</summary>
internal static class Slicing
{
    public static void Compare(string directory, Photo photo, int height, int width, int runs, long budgetBytes)
    {
        float[] frame = PhotoData.Read(Path.Combine(directory, photo.Name + "-1280x720.tensor.gz"), PhotoData.Channels, PhotoData.FrameHeight, PhotoData.FrameWidth);
        float[] input = Crop(frame, height, width);
        long io = 4L * (input.Length + EsrganMediumX2.OutputSize(height, width));
        int declaredRows = EsrganMediumX2Sliced.SliceRows;

        (float[] plain, long plainPeak, double plainMs) = Measure((i, o, h, w) => EsrganMediumX2.Run(i, o, h, w), input, height, width, runs);
        Print("plain", height, width, EsrganMediumX2.PeakMemoryBytes(height, width) + io, plainPeak, plainMs, 0, 0);

        (float[] grouped, long groupedPeak, double groupedMs) = Measure((i, o, h, w) => EsrganMediumX2Sliced.Run(i, o, h, w), input, height, width, runs);
        Print("grouped", height, width, EsrganMediumX2Sliced.PeakMemoryBytes(height, width) + io, groupedPeak, groupedMs, MaxDifference(grouped, plain), declaredRows);

        int rows = EsrganMediumX2Sliced.FitPeakMemory(budgetBytes - io, height, width);
        (float[] fitted, long fittedPeak, double fittedMs) = Measure((i, o, h, w) => EsrganMediumX2Sliced.Run(i, o, h, w), input, height, width, runs);
        Print("auto", height, width, EsrganMediumX2Sliced.PeakMemoryBytes(height, width) + io, fittedPeak, fittedMs, MaxDifference(fitted, plain), rows,
            FormattableString.Invariant($" budget_bytes={budgetBytes} within_budget={(fittedPeak <= budgetBytes ? "yes" : "no")}"));
        EsrganMediumX2Sliced.SliceRows = declaredRows;
    }

    private static void Print(string variant, int height, int width, long planned, long measured, double ms, double diff, int rows, string extra = "") =>
        Console.WriteLine(FormattableString.Invariant(
            $"result: model=sr variant={variant} size={width}x{height} slice_rows={rows} peak_bytes={planned} measured_peak_bytes={measured} latency_ms={ms:F1} max_abs_diff={diff:G3}{extra}"));

    private delegate void RunModel(ReadOnlySpan<float> input, Span<float> output, int height, int width);

    /// <summary>One run on a fresh thread (what it allocates, the input copy and the output included), then
    /// <paramref name="runs"/> timed runs on this thread: the output, the bytes and the median milliseconds.</summary>
    private static (float[] Output, long Allocated, double Milliseconds) Measure(RunModel run, float[] input, int height, int width, int runs)
    {
        // The weights load on first use: once, here, before anything is measured.
        run(new float[PhotoData.Channels * 8 * 8], new float[EsrganMediumX2.OutputSize(8, 8)], 8, 8);
        float[] output = [];
        long allocated = 0;
        var thread = new Thread(() =>
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            float[] ownInput = (float[])input.Clone();
            output = new float[EsrganMediumX2.OutputSize(height, width)];
            run(ownInput, output, height, width);
            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        });
        thread.Start();
        thread.Join();

        // Warm runs on this thread: its arena is allocated by the first, timed by the rest.
        float[] again = new float[output.Length];
        run(input, again, height, width);
        var times = new List<double>(runs);
        for (int i = 0; i < runs; i++)
        {
            long t0 = Stopwatch.GetTimestamp();
            run(input, again, height, width);
            times.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
        }

        times.Sort();
        GC.Collect();
        return (output, allocated, runs % 2 == 1 ? times[runs / 2] : (times[(runs / 2) - 1] + times[runs / 2]) / 2);
    }

    private static float[] Crop(float[] frame, int height, int width)
    {
        float[] crop = new float[PhotoData.Channels * height * width];
        for (int c = 0; c < PhotoData.Channels; c++)
        {
            for (int y = 0; y < height; y++)
            {
                Array.Copy(frame, ((c * PhotoData.FrameHeight) + y) * PhotoData.FrameWidth, crop, ((c * height) + y) * width, width);
            }
        }

        return crop;
    }

    private static double MaxDifference(float[] a, float[] b)
    {
        double worst = 0;
        for (int i = 0; i < a.Length; i++)
        {
            worst = Math.Max(worst, Math.Abs((double)a[i] - b[i]));
        }

        return worst;
    }
}
