using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;

namespace SuperResolution;

/// <summary>The plain model against the band-by-band one (<see cref="EsrganMediumX2Sliced"/>) at its rows per step and
/// fitted to a peak-memory budget: per variant, the planned peak (the model's PeakMemoryBytes and the input and output
/// arrays), the bytes a thread that never ran the model really allocates for one run (its arena, its tile buffer, the
/// input and output: GC.GetAllocatedBytesForCurrentThread around the run), the median latency of warm runs (the variants
/// taking turns, so that the machine's drift falls on all of them alike), and the largest difference from the plain
/// model's output.</summary>
internal static class Slicing
{
    private delegate void RunModel(ReadOnlySpan<float> input, Span<float> output, int height, int width);

    private sealed record Variant(string Name, RunModel Run, int Rows, Func<long> PlannedBytes)
    {
        public float[] Output { get; set; } = [];

        public long Allocated { get; set; }

        public List<double> Times { get; } = [];

        /// <summary>Runs the model at this variant's rows per step (the sliced model's rows are one setting for both of its variants).</summary>
        public void Invoke(ReadOnlySpan<float> input, Span<float> output, int height, int width)
        {
            if (Rows > 0)
            {
                EsrganMediumX2Sliced.SliceRows = Rows;
            }

            Run(input, output, height, width);
        }
    }

    public static void Compare(string directory, Photo photo, int height, int width, int runs, long budgetBytes, int rows)
    {
        float[] frame = PhotoData.Read(Path.Combine(directory, photo.Name + "-1280x720.tensor.gz"), PhotoData.Channels, PhotoData.FrameHeight, PhotoData.FrameWidth);
        float[] input = Crop(frame, height, width);
        long io = 4L * (input.Length + EsrganMediumX2.OutputSize(height, width));
        int declared = EsrganMediumX2Sliced.SliceRows;
        int fitted = EsrganMediumX2Sliced.FitPeakMemory(budgetBytes - io, height, width);
        var variants = new[]
        {
            new Variant("plain", (i, o, h, w) => EsrganMediumX2.Run(i, o, h, w), 0, () => EsrganMediumX2.PeakMemoryBytes(height, width) + io),
            new Variant("grouped", (i, o, h, w) => EsrganMediumX2Sliced.Run(i, o, h, w), rows > 0 ? rows : declared, () => EsrganMediumX2Sliced.PeakMemoryBytes(height, width) + io),
            new Variant("auto", (i, o, h, w) => EsrganMediumX2Sliced.Run(i, o, h, w), fitted, () => EsrganMediumX2Sliced.PeakMemoryBytes(height, width) + io),
        };

        // The weights load on first use: once per model, before anything is measured.
        foreach (Variant v in variants)
        {
            v.Invoke(new float[PhotoData.Channels * 8 * 8], new float[EsrganMediumX2.OutputSize(8, 8)], 8, 8);
        }

        // What one run allocates on a thread that never ran the model; then a warm run here (this thread's arena).
        foreach (Variant v in variants)
        {
            var thread = new Thread(() =>
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                float[] ownInput = (float[])input.Clone();
                float[] output = new float[EsrganMediumX2.OutputSize(height, width)];
                v.Invoke(ownInput, output, height, width);
                v.Allocated = GC.GetAllocatedBytesForCurrentThread() - before;
                v.Output = output;
            });
            thread.Start();
            thread.Join();
            GC.Collect();
        }

        float[] scratch = new float[EsrganMediumX2.OutputSize(height, width)];
        for (int i = 0; i < runs + 1; i++)
        {
            foreach (Variant v in variants)
            {
                long t0 = Stopwatch.GetTimestamp();
                v.Invoke(input, scratch, height, width);
                if (i > 0)
                {
                    v.Times.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
                }
            }
        }

        foreach (Variant v in variants)
        {
            if (v.Rows > 0)
            {
                EsrganMediumX2Sliced.SliceRows = v.Rows;
            }

            string budget = v.Name == "auto" ? FormattableString.Invariant($" budget_bytes={budgetBytes} within_budget={(v.Allocated <= budgetBytes ? "yes" : "no")}") : string.Empty;
            Console.WriteLine(FormattableString.Invariant(
                $"result: model=sr variant={v.Name} size={width}x{height} slice_rows={v.Rows} peak_bytes={v.PlannedBytes()} measured_peak_bytes={v.Allocated} latency_ms={Median(v.Times):F1} max_abs_diff={MaxDifference(v.Output, variants[0].Output):G3}{budget}"));
        }

        EsrganMediumX2Sliced.SliceRows = declared;
    }

    private static double Median(List<double> times)
    {
        double[] sorted = [.. times.Order()];
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
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
