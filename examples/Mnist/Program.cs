using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;

namespace Mnist;

/// <summary>Runs the compiled MNIST models on the 2,000 held-out digits and prints, per model, one
/// machine-readable result line (accuracy, median latency at batch 1 and per image at batch 64, packed
/// weight bytes), then a table for people and where the build reports are.</summary>
internal static class Program
{
    private const int BatchSize = 64;

    private delegate void RunModel(ReadOnlySpan<float> input, Span<float> output, int batch);

    private sealed record Result(string Model, string Variant, double Accuracy, double LatencyUs, double BatchLatencyUs, long WeightBytes,
        long PeakBytes, long MeasuredPeakBytes);

    private static int Main(string[] args)
    {
        string path = args.Length > 0 ? args[0] : MnistData.DefaultPath();
        MnistData data = MnistData.LoadTestSplit(path);
        Result[] results =
        [
            Measure("mlp", "fp32", MnistMlp.Run, MnistMlp.OutputSize, MnistMlp.WeightBytes, MnistMlp.PeakMemoryBytes, data),
            Measure("cnn", "fp32", MnistCnn.Run, MnistCnn.OutputSize, MnistCnn.WeightBytes, MnistCnn.PeakMemoryBytes, data),
            Measure("cnn", "prune50", MnistCnnPrune50.Run, MnistCnnPrune50.OutputSize, MnistCnnPrune50.WeightBytes, MnistCnnPrune50.PeakMemoryBytes, data),
            Measure("cnn", "prune50-reformed", MnistCnnPrune50Reformed.Run, MnistCnnPrune50Reformed.OutputSize, MnistCnnPrune50Reformed.WeightBytes,
                MnistCnnPrune50Reformed.PeakMemoryBytes, data),
            Measure("cnn", "prune-sensitivity", MnistCnnPruneSensitivity.Run, MnistCnnPruneSensitivity.OutputSize, MnistCnnPruneSensitivity.WeightBytes,
                MnistCnnPruneSensitivity.PeakMemoryBytes, data),
        ];

        foreach (Result r in results)
        {
            Console.WriteLine(FormattableString.Invariant(
                $"result: model={r.Model} variant={r.Variant} accuracy={r.Accuracy:F4} latency_us={r.LatencyUs:F2} batch_latency_us={r.BatchLatencyUs:F2} weight_bytes={r.WeightBytes} peak_bytes={r.PeakBytes} measured_peak_bytes={r.MeasuredPeakBytes}"));
        }

        Console.WriteLine();
        Console.WriteLine(FormattableString.Invariant($"{data.Count} held-out MNIST digits, {Environment.ProcessorCount} cores"));
        Console.WriteLine("model  variant           accuracy  µs/image (batch 1)  µs/image (batch 64)  weights");
        foreach (Result r in results)
        {
            Console.WriteLine(FormattableString.Invariant(
                $"{r.Model,-6} {r.Variant,-17} {r.Accuracy,8:P2}  {r.LatencyUs,18:F1}  {r.BatchLatencyUs,19:F1}  {r.WeightBytes / 1024.0,6:F1} KiB"));
        }

        string[] reports = [.. Directory.GetFiles(AppContext.BaseDirectory, "*.model.md"), .. Directory.GetFiles(AppContext.BaseDirectory, "*.model.html")];
        Console.WriteLine();
        Console.WriteLine(reports.Length == 0
            ? "No build report found beside the app."
            : "Build reports (layers, shapes, parameters, MACs, weight bytes; the .html one with charts):" + Environment.NewLine
              + string.Join(Environment.NewLine, reports.Order(StringComparer.Ordinal).Select(r => "  " + r)));
        return 0;
    }

    private static Result Measure(string model, string variant, RunModel run, int outputs, long weightBytes, long peakBytes, MnistData data)
    {
        int n = data.Count;
        float[] logits = new float[n * outputs];
        long measuredPeak = FirstRunAllocation(run, data, outputs);

        // Accuracy over every held-out digit, in batches of 64.
        for (int start = 0; start < n; start += BatchSize)
        {
            int batch = Math.Min(BatchSize, n - start);
            run(data.Images.AsSpan(start * MnistData.Pixels, batch * MnistData.Pixels), logits.AsSpan(start * outputs, batch * outputs), batch);
        }

        int correct = 0;
        for (int i = 0; i < n; i++)
        {
            correct += ArgMax(logits.AsSpan(i * outputs, outputs)) == data.Labels[i] ? 1 : 0;
        }

        // Latency at batch 1: warm up for half a second (caches, the thread pool, any code the JIT tiers up),
        // then time each digit once; report the median.
        float[] one = new float[outputs];
        long warmUp = Stopwatch.GetTimestamp();
        for (int i = 0; Stopwatch.GetElapsedTime(warmUp).TotalMilliseconds < 500; i++)
        {
            run(data.Images.AsSpan((i % n) * MnistData.Pixels, MnistData.Pixels), one, 1);
        }

        var single = new List<double>(n);
        for (int i = 0; i < n; i++)
        {
            long t0 = Stopwatch.GetTimestamp();
            run(data.Images.AsSpan(i * MnistData.Pixels, MnistData.Pixels), one, 1);
            single.Add(Stopwatch.GetElapsedTime(t0).TotalMicroseconds);
        }

        // Per image at batch 64: the median over three passes of every full batch.
        float[] batchOut = new float[BatchSize * outputs];
        var batched = new List<double>();
        for (int pass = 0; pass < 4; pass++)
        {
            for (int start = 0; start + BatchSize <= n; start += BatchSize)
            {
                long t0 = Stopwatch.GetTimestamp();
                run(data.Images.AsSpan(start * MnistData.Pixels, BatchSize * MnistData.Pixels), batchOut, BatchSize);
                if (pass > 0)
                {
                    batched.Add(Stopwatch.GetElapsedTime(t0).TotalMicroseconds / BatchSize);
                }
            }
        }

        return new Result(model, variant, (double)correct / n, Median(single), Median(batched), weightBytes, peakBytes, measuredPeak);
    }

    /// <summary>The memory one sample's run allocates on a thread that has never run the model (its arena; the weights
    /// are loaded first, elsewhere): what the memory plan's PeakMemoryBytes says it needs.</summary>
    private static long FirstRunAllocation(RunModel run, MnistData data, int outputs)
    {
        float[] output = new float[outputs];
        run(data.Images.AsSpan(0, MnistData.Pixels), output, 1);
        long allocated = 0;
        var thread = new Thread(() =>
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            run(data.Images.AsSpan(0, MnistData.Pixels), output, 1);
            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        });
        thread.Start();
        thread.Join();
        return allocated;
    }

    private static int ArgMax(ReadOnlySpan<float> values)
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++)
        {
            best = values[i] > values[best] ? i : best;
        }

        return best;
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        int mid = values.Count / 2;
        return values.Count % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
    }
}
