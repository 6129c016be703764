using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;

namespace SuperResolution;

/// <summary>Upscales the x2-downscaled crop of each photo in data/ with the compiled ESRGAN-medium x2 network and
/// prints, per photo, one machine-readable result line (PSNR against the original crop, median latency, packed weight
/// bytes), then a table for people with the classic upscalers and the agreement with TF.js.</summary>
internal static class Program
{
    private const string Usage = "usage: SuperResolution [--runs N] [--data DIR] [--threads T] [--large] [--width W --height H [--rows R] [--budget-mb M]]"
        + "   (N >= 1 timed runs per photo, default 3; --large also upscales each photo's 1280x720 window once;"
        + " --width and --height compare the plain, band-by-band and budget-fitted models on the first photo's W x H window"
        + " (at most 1280x720), the band-by-band one at R rows per step (default: as declared), the last fitted to a peak of M MiB, default 320;"
        + " T: the most threads a run uses, default one per core)";

    private sealed record Result(Photo Photo, double Psnr, double BicubicPsnr, double NearestPsnr, double MaxDiffVsTfjs, double LatencyMs, float[] Output);

    private delegate void Upscale(ReadOnlySpan<float> input, Span<float> output, int height, int width, int batch = 1);

    private static int Main(string[] args)
    {
        int runs = 3, width = 0, height = 0, budgetMiB = 320, threads = 0, rows = 0;
        bool large = false;
        string? dataDirectory = null;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--runs" when i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out runs) && runs >= 1:
                    i++;
                    break;
                case "--data" when i + 1 < args.Length:
                    dataDirectory = args[++i];
                    break;
                case "--large":
                    large = true;
                    break;
                case "--width" when i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out width)
                    && width is >= 1 and <= PhotoData.FrameWidth:
                    i++;
                    break;
                case "--height" when i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out height)
                    && height is >= 1 and <= PhotoData.FrameHeight:
                    i++;
                    break;
                case "--threads" when i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out threads) && threads >= 1:
                    i++;
                    EsrganMediumX2.MaxThreads = threads;
                    EsrganMediumX2Sliced.MaxThreads = threads;
                    break;
                case "--rows" when i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out rows) && rows >= 1:
                    i++;
                    break;
                case "--budget-mb" when i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out budgetMiB) && budgetMiB >= 1:
                    i++;
                    break;
                default:
                    Console.Error.WriteLine(Usage);
                    return 2;
            }
        }

        const int Size = PhotoData.InputSize;
        string directory = dataDirectory ?? PhotoData.DefaultDirectory();
        IReadOnlyList<Photo> photos = PhotoData.Load(directory);
        if (width > 0 || height > 0)
        {
            if (width == 0 || height == 0)
            {
                Console.Error.WriteLine(Usage);
                return 2;
            }

            Slicing.Compare(directory, photos[0], height, width, runs, budgetMiB * 1024L * 1024L, rows);
            return 0;
        }
        var results = photos.Select(photo => Measure(photo, runs, EsrganMediumX2.Run)).ToList();
        (long measuredPeak, _) = FirstRun(photos[0].Input, Size, Size);

        foreach (Result r in results)
        {
            Console.WriteLine(FormattableString.Invariant(
                $"result: model=esrgan-medium-x2 variant=fp32 image={r.Photo.Name} size={Size}x{Size} psnr_db={r.Psnr:F2} psnr_vs_fp32_db=inf latency_ms={r.LatencyMs:F1} weight_bytes={EsrganMediumX2.WeightBytes} peak_bytes={EsrganMediumX2.PeakMemoryBytes(Size, Size)} measured_peak_bytes={measuredPeak}"));
        }

        // The pruned variants (docs/pruning.md), on the same photos: PSNR against the original and against fp32's output.
        var variants = new (string Name, Upscale Run, long WeightBytes, long Macs)[]
        {
            ("prune30", EsrganMediumX2Prune30.Run, EsrganMediumX2Prune30.WeightBytes, EsrganMediumX2Prune30.MacsPerSample(Size, Size)),
            ("depth9", EsrganMediumX2Depth9.Run, EsrganMediumX2Depth9.WeightBytes, EsrganMediumX2Depth9.MacsPerSample(Size, Size)),
        };
        foreach ((string name, Upscale run, long weightBytes, long macs) in variants)
        {
            for (int i = 0; i < photos.Count; i++)
            {
                Result r = Measure(photos[i], runs, run);
                Console.WriteLine(FormattableString.Invariant(
                    $"result: model=esrgan-medium-x2 variant={name} image={r.Photo.Name} size={Size}x{Size} psnr_db={r.Psnr:F2} psnr_vs_fp32_db={ImageQuality.Psnr(r.Output, results[i].Output):F2} latency_ms={r.LatencyMs:F1} speedup={results[i].LatencyMs / r.LatencyMs:F2} weight_bytes={weightBytes} macs={macs} fp32_macs={EsrganMediumX2.MacsPerSample(Size, Size)}"));
            }
        }

        if (large)
        {
            // One run per 1280x720 window, on a thread that has not run the model: its time and what it allocated (the
            // arena and the tile buffer for that size). No ground truth at this size, so no PSNR.
            foreach (Photo photo in photos)
            {
                float[] frame = PhotoData.Read(Path.Combine(directory, photo.Name + "-1280x720.tensor.gz"), PhotoData.Channels, PhotoData.FrameHeight, PhotoData.FrameWidth);
                (long allocated, double ms) = FirstRun(frame, PhotoData.FrameHeight, PhotoData.FrameWidth);
                Console.WriteLine(FormattableString.Invariant(
                    $"result: model=esrgan-medium-x2 variant=fp32 image={photo.Name} size={PhotoData.FrameWidth}x{PhotoData.FrameHeight} latency_ms={ms:F1} weight_bytes={EsrganMediumX2.WeightBytes} peak_bytes={EsrganMediumX2.PeakMemoryBytes(PhotoData.FrameHeight, PhotoData.FrameWidth)} measured_peak_bytes={allocated}"));
            }
        }

        Console.WriteLine();
        Console.WriteLine(FormattableString.Invariant(
            $"{Size}x{Size} -> {PhotoData.OriginalSize}x{PhotoData.OriginalSize}, {EsrganMediumX2.MacsPerSample(Size, Size) / 1e9:F2} GMAC per image, median of {runs} runs, {Environment.ProcessorCount} cores"));
        Console.WriteLine("PSNR in dB against the original crop; the network's output is also compared with TF.js's (max |Δ|).");
        Console.WriteLine("photo          network  bicubic  nearest  max |Δ| vs TF.js  ms/image");
        foreach (Result r in results)
        {
            Console.WriteLine(FormattableString.Invariant(
                $"{r.Photo.Name,-13} {r.Psnr,8:F2} {r.BicubicPsnr,8:F2} {r.NearestPsnr,8:F2} {r.MaxDiffVsTfjs,17:0.00e+0} {r.LatencyMs,9:F1}"));
        }

        return 0;
    }

    /// <summary>One run of an image on a thread that has never run the model: the bytes it allocated there (its arena
    /// and its tile buffer for that size; the weights are already loaded), what the memory plan's PeakMemoryBytes says
    /// it needs, and its time in milliseconds.</summary>
    private static (long Allocated, double Milliseconds) FirstRun(float[] input, int height, int width)
    {
        float[] output = new float[EsrganMediumX2.OutputSize(height, width)];
        long allocated = 0;
        double milliseconds = 0;
        var thread = new Thread(() =>
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            long t0 = Stopwatch.GetTimestamp();
            EsrganMediumX2.Run(input, output, height, width);
            milliseconds = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        });
        thread.Start();
        thread.Join();
        return (allocated, milliseconds);
    }

    private static Result Measure(Photo photo, int runs, Upscale upscale)
    {
        const int Channels = PhotoData.Channels, Size = PhotoData.InputSize, Scale = PhotoData.OriginalSize / PhotoData.InputSize;
        float[] output = new float[EsrganMediumX2.OutputSize(Size, Size)];

        // The first run loads the weights and warms the caches; it is the one whose output is scored.
        upscale(photo.Input, output, Size, Size);
        var output0 = (float[])output.Clone();

        var times = new List<double>(runs);
        for (int i = 0; i < runs; i++)
        {
            long t0 = Stopwatch.GetTimestamp();
            upscale(photo.Input, output, Size, Size);
            times.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
        }

        times.Sort();
        double median = runs % 2 == 1 ? times[runs / 2] : (times[(runs / 2) - 1] + times[runs / 2]) / 2;
        return new Result(
            photo,
            ImageQuality.Psnr(output0, photo.Original),
            ImageQuality.Psnr(ImageQuality.BicubicUpscale(photo.Input, Channels, Size, Size, Scale), photo.Original),
            ImageQuality.Psnr(ImageQuality.NearestUpscale(photo.Input, Channels, Size, Size, Scale), photo.Original),
            ImageQuality.MaxAbsoluteDifference(output0, photo.Reference),
            median,
            output0);
    }
}
