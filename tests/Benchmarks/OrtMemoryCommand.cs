using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;

namespace ModelCompiler.Benchmarks;

/// <summary>The <c>ort-memory</c> measurement: ONNX Runtime's peak memory on the pretrained ESRGAN of
/// examples/SuperResolution (its declaration and weights, exported to ONNX at one input size), beside what the example
/// measures for our plain and band-by-band models at the same size. Each thread count runs in its own child process
/// (pinned like <c>speed</c>'s): after the session is created and the input and output tensors are bound (and touched),
/// the process's resident memory is read; then one run, and the process's peak resident memory (VmHWM) after it. The
/// difference is what the run itself needed (ORT's arena, its scratch); the input and output arrays are added, as the
/// example's <c>peak_bytes</c> counts them. A second, warm run is timed.</summary>
internal static class OrtMemoryCommand
{
    public static int Run(int threads, int height, int width)
    {
        byte[] onnx = OnnxModels.Export(typeof(EsrganMediumX2), [3, height, width]);
        using var runner = new OrtRunner(onnx, threads);
        float[] input = new float[3 * height * width];
        float[] output = new float[3 * 2 * height * 2 * width];
        for (int i = 0; i < input.Length; i++)
        {
            input[i] = (i * 37 % 256) / 255f;
        }

        Array.Fill(output, 1f);
        using OrtRunner.Binding binding = runner.Bind(input, [1, 3, height, width], output, [1, 3, 2 * height, 2 * width]);
        GC.Collect();
        long before = Resident("VmRSS");
        binding.Run();
        long peak = Resident("VmHWM");
        long t0 = Stopwatch.GetTimestamp();
        binding.Run();
        double ms = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
        long io = 4L * (input.Length + output.Length);
        Console.WriteLine(FormattableString.Invariant(
            $"result: engine=onnxruntime model=sr_pretrained size={width}x{height} threads={threads} peak_bytes={peak - before + io} run_bytes={peak - before} io_bytes={io} latency_ms={ms:F1}"));
        return 0;
    }

    /// <summary>A line of /proc/self/status in bytes (Linux).</summary>
    private static long Resident(string field)
    {
        string line = File.ReadLines("/proc/self/status").First(l => l.StartsWith(field + ":", StringComparison.Ordinal));
        return long.Parse(line.Substring(field.Length + 1).Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
    }
}
