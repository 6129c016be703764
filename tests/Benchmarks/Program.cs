using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace ModelCompiler.Benchmarks;

/// <summary>Command line: <c>speed</c>, <c>peak</c>, <c>make-weights</c> (see <see cref="Help"/>). <c>speed</c> and
/// <c>peak</c> run their measurements in child processes pinned to the measured number of cores (Pinning.cs); the
/// hidden <c>--child &lt;threads&gt;</c> option marks such a child.</summary>
internal static class Program
{
    private const string Help = """
        ModelCompiler speed benchmark: our generated code against ONNX Runtime (CPU) on the same weights and inputs.

        usage:
          speed          [--filter <substring>] [--threads 1|2|both] [--quick]
          peak           the single-core FP32 FMA peak only (one result line)
          bandwidth      one core's read bandwidth over buffers from 32 KiB to 64 MiB and of the MLP 784-512-256-10's
                         weights: result: machine=bandwidth bytes=<n> read_gbps=<x> threads=1
          kernels        [--quick]   Kernels.PackedGemm alone at a few shapes and every width, one thread:
                         result: kernel=packed_gemm m=<m> k=<k> n=<n> width=<w> threads=1 us=<median> gflops=<x>
                                 peak_fraction=<x / best width's peak> width_peak_fraction=<x / that width's peak>
          conv3x3        [--width auto|v512|v256|v128|scalar] [--quick]
                         3x3 stride-1 layers of a fixed list, one thread: the gemm and Winograd kernels as the lowering
                         calls them (timed interleaved like speed), their error against a float64 direct convolution,
                         and the algorithm the lowering picks: the measurement behind the Winograd threshold
          sr-accuracy    [--width ...]   each 3x3 layer of examples/SuperResolution's network recomputed from its real
                         input on the example's photos by gemm, Winograd F(4x4) and F(2x2), against double precision
          ort-memory     [--size WxH]   ONNX Runtime's peak memory and latency on examples/SuperResolution's network at
                         WxH (default 1280x720), 1 and 2 threads, each in its own process (docs/slicing.md compares it
                         with our plain and band-by-band models):
                         result: engine=onnxruntime model=sr_pretrained size=<WxH> threads=<t> peak_bytes=<run + io> ...
          make-weights   [--out <dir>] [--check]   seeded random weights into tests/Benchmarks/weights
                         (--check: compare with the committed files instead, exit 1 when any differs)

        speed prints, per model and batch size:
          result: model=<m> variant=fp32 batch=<b> threads=<t> ours_us=<median> ort_us=<median> speedup=<ort/ours>
                  ours_gflops=<x> ort_gflops=<y> max_abs_diff=<d>
        conv3x3 prints, per layer shape (in x out x height x width):
          result: conv3x3=<c>x<k>x<h>x<w> width=<w> gemm_us=<median> winograd_us=<median> speedup=<gemm/winograd>
                  lowering=<gemm|winograd> gemm_rel_err=<e> winograd_rel_err=<e>
        and speed and peak once the machine's single-core FMA peak:
          result: machine=peak cpu="<model name>" fma_gflops_v512=<x> fma_gflops_v256=<y> fma_gflops_v128=<z> threads=1
        It exits 1 when, on any row, max|ours - ORT| / max(1, max|ORT|) exceeds 1e-4.

        methodology:
          - Each thread count runs in its own child process, started with `taskset -c <first t cores>` and
            DOTNET_PROCESSOR_COUNT=t, so every thread of the runtime and of ONNX Runtime stays on those cores and the
            generated code's Parallel.For/ProcessorCount sees t. ONNX Runtime: IntraOpNumThreads=t,
            InterOpNumThreads=t, sequential execution, graph optimization level all; input and output tensors are
            bound once over our arrays (no copies, no allocation per run).
          - Ours: the generated Model.Run(input, output, batch) on the same arrays.
          - Warm-up: 2 rounds, each running ours then ORT for 0.5 s (and at least 3 runs) each.
          - Then alternating blocks (ours block, ORT block, ours block, ...), 10 per engine; a block is k runs, each
            timed on its own with Stopwatch; k is chosen per engine from the warm-up so a block lasts ~0.1 s
            (3 <= k <= 1000). A slow model gets fewer blocks, to fit ~60 s of timed runs per row, but at least 3.
            A block's time is the median of its runs; the result is the median of the block medians.
          - GFLOP/s = 2 * MACs * batch / time, with the MACs of the compiled model (convolutions and linear layers).
          - max_abs_diff: the largest |ours - ORT| over the outputs of the last timed runs (same input).
          - The table after each thread count's rows adds %peak, the blocks and k used, the managed bytes each
            engine allocated per timed run (all threads, counted between blocks) and the load average.
          - FMA peak: 12 independent FMA chains on Vector512/256/128, best of 200 repetitions of ~2 ms, one core,
            2 flops per lane per FMA; speed measures it before and after its rows and keeps the better (noise only
            lowers a peak). %peak in its table is GFLOP/s / (threads * the best width's peak).
          - --quick: 1 warm-up round of 0.05 s, 3 blocks of ~0.02 s (k >= 1): a smoke test, not a measurement.
          - The rows of a thread count share one process: models in the order listed below, batch 1 then 64.

        options:
          --filter <s>     only models whose name contains s: mnist_mlp, mnist_cnn, mlp_784_512_256_10, small_cnn,
                           sr_stack_256 (and, once it exists, sr_pretrained)
          --threads <t>    1, 2 or both (default both: the 1-thread rows, then the 2-thread rows)
          --quick          fewer, shorter blocks
        """;

    private static int Main(string[] args)
    {
        Options options;
        try
        {
            options = Options.Parse(args);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine("error: " + e.Message);
            Console.Error.WriteLine("run with --help for usage");
            return 2;
        }

        return options.Command switch
        {
            "help" => PrintHelp(),
            "make-weights" => WeightMaker.Run(options.Out ?? WeightMaker.DefaultDirectory, options.Check),
            "peak" => options.Child is { } t ? Child(t, PeakCommand.Run) : Pinning.RunChild(1, ["peak", "--child", "1"]),
            "kernels" => options.Child is { } t ? Child(t, () => KernelsCommand.Run(options.Quick)) : Pinning.RunChild(1, ["kernels", "--child", "1", .. options.Quick ? (string[])["--quick"] : []]),
            "bandwidth" => options.Child is { } t ? Child(t, BandwidthCommand.Run) : Pinning.RunChild(1, ["bandwidth", "--child", "1"]),
            "sr-accuracy" => SrAccuracyCommand.Run(options.Width),
            "ort-memory" => options.Child is { } t
                ? Child(t, () => OrtMemoryCommand.Run(t, options.Height, options.FrameWidth))
                : Math.Max(
                    Pinning.RunChild(1, ["ort-memory", "--child", "1", "--size", options.FrameWidth + "x" + options.Height]),
                    Pinning.RunChild(2, ["ort-memory", "--child", "2", "--size", options.FrameWidth + "x" + options.Height])),
            "conv3x3" => options.Child is { } t
                ? Child(t, () => Conv3x3Command.Run(options.Quick ? TimingSettings.Quick : TimingSettings.Default, options.Width))
                : Pinning.RunChild(1, ["conv3x3", "--child", "1", "--width", options.Width.ToString(), .. options.Quick ? new[] { "--quick" } : []]),
            _ => Speed(options),
        };
    }

    private static int PrintHelp()
    {
        Console.WriteLine(Help);
        return 0;
    }

    private static int Speed(Options options)
    {
        BenchModel[] models = [.. Catalog.All.Where(m => m.Name.Contains(options.Filter ?? string.Empty, StringComparison.OrdinalIgnoreCase))];
        if (models.Length == 0)
        {
            Console.Error.WriteLine("error: no model matches --filter " + options.Filter + "; models: " + string.Join(", ", Catalog.All.Select(m => m.Name)));
            return 2;
        }

        TimingSettings settings = options.Quick ? TimingSettings.Quick : TimingSettings.Default;
        if (options.Child is { } threads)
        {
            return Child(threads, () => SpeedCommand.Run(models, threads, settings, options.PrintPeak));
        }

        // The parent measures nothing itself: one pinned child per thread count, the first also printing the peak.
        int status = 0;
        for (int i = 0; i < options.Threads.Count; i++)
        {
            var arguments = new List<string> { "speed", "--child", options.Threads[i].ToString(CultureInfo.InvariantCulture) };
            arguments.AddRange(options.Filter is null ? [] : ["--filter", options.Filter]);
            arguments.AddRange(options.Quick ? ["--quick"] : []);
            arguments.AddRange(i == 0 ? ["--print-peak"] : []);
            status = Math.Max(status, Pinning.RunChild(options.Threads[i], arguments));
        }

        return status;
    }

    private static int Child(int threads, Func<int> measure)
    {
        Pinning.EnsureAffinity(threads);
        return measure();
    }
}

/// <summary>The parsed command line.</summary>
internal sealed record Options(string Command, string? Filter, IReadOnlyList<int> Threads, bool Quick, string? Out, bool Check, int? Child, bool PrintPeak)
{
    /// <summary>The widest vectors conv3x3 lets the kernels use.</summary>
    public Generated.VectorWidth Width { get; init; } = Generated.VectorWidth.Auto;

    /// <summary>The input width ort-memory runs the super-resolution network at.</summary>
    public int FrameWidth { get; init; } = 1280;

    /// <summary>The input height ort-memory runs it at.</summary>
    public int Height { get; init; } = 720;

    public static Options Parse(string[] args)
    {
        if (args.Length == 0 || args[0] is "--help" or "-h" or "help")
        {
            return new Options("help", null, [], false, null, false, null, false);
        }

        string command = args[0] is "speed" or "peak" or "kernels" or "bandwidth" or "make-weights" or "conv3x3" or "sr-accuracy" or "ort-memory" ? args[0] : throw new ArgumentException("unknown command '" + args[0] + "'");
        string? filter = null;
        IReadOnlyList<int> threads = [1, 2];
        bool quick = false;
        string? output = null;
        bool check = false;
        int? child = null;
        bool printPeak = false;
        Generated.VectorWidth width = Generated.VectorWidth.Auto;
        (int frameWidth, int height) = (1280, 720);
        for (int i = 1; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException(args[i] + " needs a value");
            switch (args[i])
            {
                case "--filter" when command == "speed":
                    filter = Value();
                    break;
                case "--threads" when command == "speed":
                    threads = Value() switch
                    {
                        "1" => [1],
                        "2" => [2],
                        "both" => [1, 2],
                        string other => throw new ArgumentException("--threads takes 1, 2 or both, not '" + other + "'"),
                    };
                    break;
                case "--quick" when command is "speed" or "kernels" or "conv3x3":
                    quick = true;
                    break;
                case "--width" when command is "conv3x3" or "sr-accuracy":
                    width = Enum.TryParse(Value(), ignoreCase: true, out Generated.VectorWidth w) && Enum.IsDefined(w) ? w
                        : throw new ArgumentException("--width takes auto, v512, v256, v128 or scalar");
                    break;
                case "--out" when command == "make-weights":
                    output = Value();
                    break;
                case "--check" when command == "make-weights":
                    check = true;
                    break;
                case "--size" when command == "ort-memory":
                    string[] size = Value().Split('x');
                    (frameWidth, height) = size.Length == 2 && int.TryParse(size[0], NumberStyles.None, CultureInfo.InvariantCulture, out int fw) && fw > 0
                        && int.TryParse(size[1], NumberStyles.None, CultureInfo.InvariantCulture, out int fh) && fh > 0
                        ? (fw, fh) : throw new ArgumentException("--size takes WIDTHxHEIGHT, e.g. 1280x720");
                    break;
                case "--child" when command is "speed" or "peak" or "kernels" or "bandwidth" or "conv3x3" or "ort-memory":
                    child = int.TryParse(Value(), NumberStyles.None, CultureInfo.InvariantCulture, out int t) && t > 0 ? t : throw new ArgumentException("--child takes a thread count");
                    break;
                case "--print-peak" when command == "speed":
                    printPeak = true;
                    break;
                case "--help" or "-h":
                    return new Options("help", null, [], false, null, false, null, false);
                default:
                    throw new ArgumentException("unknown option '" + args[i] + "' for " + command);
            }
        }

        return new Options(command, filter, threads, quick, output, check, child, printPeak) { Width = width, FrameWidth = frameWidth, Height = height };
    }
}
