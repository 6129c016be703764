using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Runtime.InteropServices;
using ModelCompiler.Common;
using ModelCompiler.Generated;
using ModelCompiler.Lowering;
using ModelCompiler.Ops;
using ModelCompiler.Options;
using ModelCompiler.Spec;
using ModelCompiler.Weights;

namespace ModelCompiler.Benchmarks;

/// <summary>The <c>conv3x3</c> measurement inside one pinned child process: for each layer shape of a fixed list (3×3,
/// stride 1, padding 1, bias, ReLU, one sample), the two kernels a 3×3 convolution can be lowered to, called exactly as
/// the lowering sets them up (forced by a plan each way): ConvRowsGemm ("gemm") and WinogradConv3x3 ("winograd",
/// F(4×4, 3×3)), interleaved; then Winograd's F(4×4) against F(2×2) (the same call with 2×2 tiles and their weights),
/// interleaved; each one's error against a float64 direct convolution; and the algorithm the lowering picks by
/// default. It is the measurement behind Conv2dOp's Winograd threshold (docs/benchmarks.md). Like OnnxModels.cs, it
/// uses compiler internals (the spec, the lowering, the weight programs).</summary>
internal static class Conv3x3Command
{
    /// <summary>(input channels, output channels, height and width): the SR stack's and ESRGAN's layers, and shapes
    /// around the threshold.</summary>
    private static readonly (int In, int Out, int Size)[] Shapes =
    [
        (64, 64, 256), (64, 32, 256), (32, 12, 256), (16, 8, 256), (12, 3, 256), (3, 64, 256), (64, 64, 128), (12, 32, 128),
        (128, 128, 32), (64, 64, 64), (64, 64, 32), (64, 64, 28), (64, 64, 16), (64, 64, 14), (64, 64, 8),
        (32, 32, 56), (32, 32, 32), (32, 32, 28), (32, 32, 16), (32, 32, 14), (32, 16, 64),
        (16, 16, 128), (16, 16, 64), (16, 16, 32), (16, 16, 28), (16, 32, 28), (16, 32, 14), (16, 16, 14),
        (12, 12, 64), (8, 16, 64), (8, 8, 64), (8, 8, 28), (16, 1, 256), (8, 1, 64), (1, 32, 28),
    ];

    private sealed record Row(
        int In, int Out, int Size, string Lowered, PairTiming Timing, PairTiming Tiles, double GemmError, double WinogradError, double F2Error)
    {
        public double Flops => 2.0 * 9 * In * Out * Size * Size;
    }

    public static int Run(TimingSettings settings, VectorWidth width)
    {
        width = Kernels.Resolve(width);
        string loadBefore = SpeedCommand.LoadAverage();
        var rows = new List<Row>();
        foreach ((int inC, int outC, int size) in Shapes)
        {
            var gemm = new Layer(inC, outC, size, "gemm", width);
            var winograd = new Layer(inC, outC, size, "winograd", width);
            var f2 = new Layer(inC, outC, size, "winograd", width, tile: 2);
            GC.Collect();
            PairTiming timing = Timing.Interleaved(gemm.Run, winograd.Run, settings);
            PairTiming tiles = Timing.Interleaved(winograd.Run, f2.Run, settings);
            double[] exact = gemm.Direct();
            var row = new Row(inC, outC, size, Layer.DefaultAlgorithm(inC, outC, size), timing, tiles, gemm.Error(exact), winograd.Error(exact), f2.Error(exact));
            rows.Add(row);
            Console.WriteLine(FormattableString.Invariant(
                $"result: conv3x3={inC}x{outC}x{size}x{size} width={width} gemm_us={timing.OursSeconds * 1e6:F2} winograd_us={timing.OrtSeconds * 1e6:F2} speedup={timing.OursSeconds / timing.OrtSeconds:F3} lowering={row.Lowered} f2_over_f4={tiles.OrtSeconds / tiles.OursSeconds:F3} gemm_rel_err={row.GemmError:G3} winograd_rel_err={row.WinogradError:G3} f2_rel_err={row.F2Error:G3}"));
        }

        Console.WriteLine();
        Console.WriteLine(FormattableString.Invariant($"threads=1 width={width}: {settings.Describe()}; load average before: {loadBefore}, after: {SpeedCommand.LoadAverage()}"));
        Console.WriteLine("in -> out   size      gemm µs  winograd µs  gemm/winograd  gemm GF/s  winograd GF/s*  lowering  F(2)/F(4) time  gemm err  F(4) err  F(2) err");
        foreach (Row r in rows)
        {
            Console.WriteLine(FormattableString.Invariant(
                $"{r.In,3} -> {r.Out,-4} {r.Size,4}² {r.Timing.OursSeconds * 1e6,12:F1} {r.Timing.OrtSeconds * 1e6,12:F1} {r.Timing.OursSeconds / r.Timing.OrtSeconds,14:F2} {r.Flops / r.Timing.OursSeconds / 1e9,10:F1} {r.Flops / r.Timing.OrtSeconds / 1e9,14:F1}  {r.Lowered,-8}  {r.Tiles.OrtSeconds / r.Tiles.OursSeconds,14:F2}  {r.GemmError,8:G2}  {r.WinogradError,8:G2}  {r.F2Error,8:G2}"));
        }

        Console.WriteLine("* the direct convolution's flops (2 · 9 · in · out · pixels) over Winograd's time; errors are max |y − exact| / max |exact|.");
        return 0;
    }

    /// <summary>One 3×3, padding 1 convolution with bias and ReLU, lowered with one algorithm: its input and weights,
    /// the packed weights of its plan, and the kernel call its plan prints.</summary>
    internal sealed class Layer
    {
        private readonly float[] _x;
        private readonly float[] _weight;
        private readonly float[] _bias;
        private readonly float[] _packed;
        private readonly float[] _y;
        private readonly KernelCall _call;
        private readonly Dictionary<string, int> _dims;
        private readonly VectorWidth _width;

        /// <summary>Seeded input uniform in [0, 1) and weights (He-uniform, as make-weights writes them).</summary>
        /// <param name="tile">Winograd's F(2×2) instead of the lowering's F(4×4): its weights, tiles and buffer, the
        /// lowering's blocks of tiles.</param>
        public Layer(int inC, int outC, int size, string algorithm, VectorWidth width, int? tile = null)
            : this(inC, outC, size, Seeded(inC, outC, size), algorithm, width, tile)
        {
        }

        /// <summary>The given input [inC, size, size], weight [outC, inC, 3, 3] and bias [outC].</summary>
        public Layer(int inC, int outC, int size, (float[] X, float[] Weight, float[] Bias) data, string algorithm, VectorWidth width, int? tile = null)
        {
            (_x, _weight, _bias) = data;
            _y = new float[outC * size * size];
            _width = width;

            ModelCompilation compiled = ModelCompilation.Compile(Spec(inC, outC, size), new CompileOptions
            {
                Plan = new ModelPlan("Bench.Conv", EquatableArray.Create(new LayerPlan("conv", algorithm, 1)), "conv3x3.mcplan"),
            });
            LoweredNode lowered = compiled.Lowered.Single();
            if (lowered.Plan.Algorithm != algorithm)
            {
                throw new InvalidOperationException("the plan asked for " + algorithm + ", the lowering gave " + lowered.Plan.Algorithm);
            }

            _call = lowered.Plan.Calls.Single();
            _dims = _call.Args.OfType<DimArg>().ToDictionary(a => a.Name, a => checked((int)a.Value.Value), StringComparer.Ordinal);
            _dims["end"] = checked((int)_call.Range!.Count.Value);
            Encode program = compiled.Layout!.Find("conv", "weight")!.Program;
            if (tile is { } m)
            {
                program = program with { Layout = WeightLayouts.WinogradOf(m, Conv2dOp.GemmPanelRows) };
                int tiles = ((size + m - 1) / m) * ((size + m - 1) / m);
                _dims["tileSize"] = m;
                _dims["end"] = (tiles + _dims["blockTiles"] - 1) / _dims["blockTiles"];
                _dims["scratchFloats"] = checked((int)Kernels.WinogradScratchFloats(inC, outC, m, _dims["blockTiles"]));
            }

            _packed = MemoryMarshal.Cast<byte, float>(WeightProgramRunner.Pack(program, _ => _weight)).ToArray();
        }

        private static (float[] X, float[] Weight, float[] Bias) Seeded(int inC, int outC, int size)
        {
            var random = new SplitMix64((ulong)((inC * 1000) + outC + size));
            float[] x = random.Floats(inC * size * size);
            float bound = MathF.Sqrt(6f / (inC * 9)), biasBound = 1f / MathF.Sqrt(inC * 9);
            float[] weight = random.Floats(outC * inC * 9).Select(v => ((2 * v) - 1) * bound).ToArray();
            float[] bias = random.Floats(outC).Select(v => ((2 * v) - 1) * biasBound).ToArray();
            return (x, weight, bias);
        }

        /// <summary>The algorithm the lowering picks without a plan.</summary>
        public static string DefaultAlgorithm(int inC, int outC, int size) =>
            ModelCompilation.Compile(Spec(inC, outC, size)).Lowered.Single().Plan.Algorithm;

        /// <summary>The call as the generated code makes it (bias, ReLU, the whole range on this thread).</summary>
        public void Run()
        {
            if (_call.Kernel == "WinogradConv3x3")
            {
                Kernels.WinogradConv3x3(
                    _x, _packed, _bias, _y, D("channels"), D("height"), D("width"), D("outChannels"), D("padTop"), D("padLeft"), D("outH"), D("outW"),
                    D("tileSize"), D("blockTiles"), D("scratchFloats"), ActivationKind.ReLU, 0f, 0, D("end"), _width);
            }
            else
            {
                Kernels.ConvRowsGemm(
                    _x, _packed, _bias, _y, D("channels"), D("height"), D("width"), D("outChannels"), D("kernelH"), D("kernelW"), D("padTop"), D("padLeft"),
                    D("dilationH"), D("dilationW"), D("outH"), D("outW"), D("tileRows"), D("scratchFloats"), ActivationKind.ReLU, 0f, 0, D("end"), _width);
            }
        }

        /// <summary>The layer in double precision, directly (zero padding 1, bias, ReLU).</summary>
        public double[] Direct()
        {
            int inC = D("channels"), outC = D("outChannels"), h = D("height"), w = D("width");
            double[] y = new double[outC * h * w];
            double[] row = new double[w];
            for (int o = 0; o < outC; o++)
            {
                for (int oy = 0; oy < h; oy++)
                {
                    Array.Fill(row, _bias[o]);
                    for (int i = 0; i < inC; i++)
                    {
                        for (int ky = 0; ky < 3; ky++)
                        {
                            int iy = oy - 1 + ky;
                            if (iy < 0 || iy >= h)
                            {
                                continue;
                            }

                            for (int kx = 0; kx < 3; kx++)
                            {
                                double g = _weight[(((o * inC) + i) * 9) + (ky * 3) + kx];
                                int from = (((i * h) + iy) * w) - 1 + kx;
                                for (int ox = Math.Max(0, 1 - kx); ox < Math.Min(w, w + 1 - kx); ox++)
                                {
                                    row[ox] += g * _x[from + ox];
                                }
                            }
                        }
                    }

                    for (int ox = 0; ox < w; ox++)
                    {
                        y[(((o * h) + oy) * w) + ox] = Math.Max(0, row[ox]);
                    }
                }
            }

            return y;
        }

        /// <summary>max |y − exact| / max |exact| of the last run.</summary>
        public double Error(double[] exact)
        {
            Run();
            double worst = 0, scale = 0;
            for (int i = 0; i < exact.Length; i++)
            {
                worst = Math.Max(worst, Math.Abs(_y[i] - exact[i]));
                scale = Math.Max(scale, Math.Abs(exact[i]));
            }

            return worst / scale;
        }

        private static ModelSpec Spec(int inC, int outC, int size) => new()
        {
            Namespace = "Bench",
            ClassName = "Conv",
            WeightsPath = "conv.safetensors",
            InputShape = EquatableArray.Create(inC, size, size),
            Layers = EquatableArray.Create(
                Declare("Conv2d", "conv", ("inChannels", inC), ("outChannels", outC), ("kernelSize", 3), ("Padding", 1)),
                Declare("ReLU", "relu")),
        };

        private static LayerSpec Declare(string kind, string name, params (string Name, object? Value)[] arguments) => new()
        {
            Kind = kind,
            Name = name,
            Attributes = OpRegistry.Find(kind)!.Declare(new DeclaredArguments(arguments.Select(a => new KeyValuePair<string, object?>(a.Name, a.Value)))),
        };

        private int D(string name) => _dims[name];
    }
}
