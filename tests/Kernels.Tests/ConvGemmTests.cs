using System;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Linq;
using System.Runtime.ExceptionServices;
using System.Threading;
using ModelCompiler.Generated;
using ModelCompiler.KernelTests.Infrastructure;
using ModelCompiler.Ops;
using Xunit;

namespace ModelCompiler.KernelTests;

/// <summary>The convolutions as packed GEMM (PointwiseGemm, ConvRowsGemm, ConvGemm) at every vector width against a
/// double-precision convolution: kernels 1×1 to 5×5 and 1×3, padding 0 to 2 and asymmetric, dilation, strides, output
/// widths that are not multiples of 16, tiles of one row or pixel block up to more than the output, channel panel ranges
/// (the other channels keep their values), every activation; and the tile buffer each call takes from the build's
/// memory plan: exactly the planned size works (on a thread whose buffer is that size), one float less is refused.
/// The tile buffer is filled with NaN before every call, so a kernel that reads what it did not write there fails.</summary>
public class ConvGemmTests
{
    /// <summary>Relative to the sum of the terms' magnitudes plus the result's.</summary>
    private const double Tolerance = 1e-5;

    private const float Alpha = 0.125f;

    /// <summary>What y holds before the call: a finite value no activation maps to itself.</summary>
    private const float Untouched = -3.5f;

    private const int PanelRows = Kernels.GemmPanelRows;

    /// <summary>Output channels of most cases: three panels (6, 6, 1).</summary>
    private const int OutChannels = 13;

    /// <summary>Stride 1 (ConvRowsGemm). "e" is the padding after (bottom x right) where it differs from "p".</summary>
    private static readonly string[] RowsShapes =
    [
        "c3 h7 w9 k3x3 p1x1",
        "c2 h6 w20 k5x5 p2x2",
        "c4 h5 w17 k1x3 p0x1",
        "c2 h9 w9 k3x3 p2x2 d2x2",
        "c3 h8 w11 k3x3",
        "c2 h7 w10 k3x3 p1x0 e0x2",
        "c1 h4 w33 k2x2 p0x0 e1x1",
        "c2 h6 w6 k3x1 p2x0 e0x0",
        "c5 h3 w3 k1x1 p1x1",
        "c2 h1 w5 k3x3 p1x1",
        "c3 h5 w5 k5x5",
        "c1 h5 w40 k1x5 p0x2 d1x3",
    ];

    /// <summary>Any stride (ConvGemm): strided ones, then stride 1 with the output as wide as the input (the shifted-copy
    /// im2col, taps further left or right than the input is wide included), then stride 1 narrower.</summary>
    private static readonly string[] StridedShapes =
    [
        "c3 h9 w9 k3x3 s2x2 p1x1",
        "c2 h8 w7 k3x3 s2x2",
        "c2 h11 w10 k5x5 s2x2 p2x2",
        "c1 h8 w9 k1x3 s1x2 p0x1",
        "c2 h9 w9 k3x3 s2x2 p2x2 d2x2",
        "c2 h7 w10 k3x3 s2x2 p1x0 e0x2",
        "c3 h6 w6 k1x1 s2x2",
        "c2 h5 w35 k3x3 s2x1 p1x1",
        "c2 h5 w6 k3x3 p1x1",
        "c2 h6 w7 k5x5 p2x2",
        "c1 h7 w7 k3x3 p2x2 d2x2",
        "c2 h6 w5 k3x3 p0x1",
        "c1 h5 w2 k3x5 p1x2",
        "c2 h4 w1 k3x3 p1x1",
        "c2 h6 w9 k2x3 p0x1 e1x1",
        "c2 h6 w9 k3x3 p1x0",
    ];

    private static readonly (int Channels, int OutChannels)[] PointwiseChannels = [(1, 1), (3, 7), (9, 13)];

    private static readonly int[] PointwisePixels = [1, 17, 100, 130];

    public static TheoryData<string, string> RowsCases => Cross(Matrix.Widths, RowsShapes);

    public static TheoryData<string, string> StridedCases => Cross(Matrix.Widths, StridedShapes);

    public static TheoryData<string, int> PointwiseCases
    {
        get
        {
            var data = new TheoryData<string, int>();
            foreach (string width in Matrix.Widths)
            {
                foreach (int pixels in PointwisePixels)
                {
                    data.Add(width, pixels);
                }
            }

            return data;
        }
    }

    public static TheoryData<string, string, string> ActivationCases
    {
        get
        {
            var data = new TheoryData<string, string, string>();
            foreach (string kernel in new[] { nameof(Kernels.PointwiseGemm), nameof(Kernels.ConvRowsGemm), nameof(Kernels.ConvGemm), nameof(Kernels.ConvDirect) })
            {
                foreach (string width in Matrix.Widths)
                {
                    foreach (ActivationKind kind in Enum.GetValues<ActivationKind>())
                    {
                        data.Add(kernel, width, kind.ToString());
                    }
                }
            }

            return data;
        }
    }

    public static TheoryData<string> Kernels3 => new(nameof(Kernels.PointwiseGemm), nameof(Kernels.ConvRowsGemm), nameof(Kernels.ConvGemm), nameof(Kernels.ConvDirect));

    [Theory]
    [MemberData(nameof(PointwiseCases))]
    public void PointwiseGemm_IsTheConvolution(string width, int pixels)
    {
        foreach ((int channels, int outChannels) in PointwiseChannels)
        {
            var g = new Geometry(channels, 1, pixels, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1);
            var conv = new Conv(g, outChannels, 4000 + (ulong)((pixels * 100) + channels), bias: true);
            foreach (int tilePixels in new[] { 5, 16, BuildTilePixels(g), pixels }.Distinct())
            {
                foreach ((int start, int end) in Ranges(outChannels))
                {
                    string what = $"PointwiseGemm width={width} channels={channels} outChannels={outChannels} pixels={pixels} tilePixels={tilePixels} panels [{start}, {end})";
                    conv.Check(what, ActivationKind.None, start, end, y => conv.Pointwise(y, tilePixels, PointwiseScratch(g, tilePixels), ActivationKind.None, start, end, Matrix.Width(width)));
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(RowsCases))]
    public void ConvRowsGemm_IsTheConvolution(string width, string shape)
    {
        Geometry g = Geometry.Parse(shape);
        var conv = new Conv(g, OutChannels, 4100 + (ulong)Array.IndexOf(RowsShapes, shape), bias: true);
        foreach (int tileRows in new[] { 1, 2, BuildTileRows(g, OutChannels), g.OutH + 3 }.Distinct())
        {
            foreach ((int start, int end) in Ranges(OutChannels))
            {
                string what = $"ConvRowsGemm width={width} {shape} (out {g.OutH}x{g.OutW}) tileRows={tileRows} panels [{start}, {end})";
                conv.Check(what, ActivationKind.None, start, end, y => conv.Rows(y, tileRows, RowsScratch(g, OutChannels, tileRows), ActivationKind.None, start, end, Matrix.Width(width)));
            }
        }
    }

    [Theory]
    [MemberData(nameof(StridedCases))]
    public void ConvGemm_IsTheConvolution(string width, string shape)
    {
        Geometry g = Geometry.Parse(shape);
        var conv = new Conv(g, OutChannels, 4200 + (ulong)Array.IndexOf(StridedShapes, shape), bias: true);
        foreach (int tilePixels in new[] { 5, 16, BuildTilePixels(g) }.Distinct())
        {
            foreach ((int start, int end) in Ranges(OutChannels))
            {
                string what = $"ConvGemm width={width} {shape} (out {g.OutH}x{g.OutW}) tilePixels={tilePixels} panels [{start}, {end})";
                conv.Check(what, ActivationKind.None, start, end, y => conv.Strided(y, tilePixels, StridedScratch(g, tilePixels), ActivationKind.None, start, end, Matrix.Width(width)));
            }
        }
    }

    /// <summary>The direct convolution on the stride-1 shapes (rows narrower and wider than every vector, pieces of one
    /// to four vectors), with tiles of 1, 2 and more rows than the output, over blocks of four channels.</summary>
    [Theory]
    [MemberData(nameof(RowsCases))]
    public void ConvDirect_IsTheConvolution(string width, string shape)
    {
        Geometry g = Geometry.Parse(shape);
        var conv = new Conv(g, OutChannels, 4400 + (ulong)Array.IndexOf(RowsShapes, shape), bias: true);
        foreach (int tileRows in new[] { 1, 2, g.OutH + 3 })
        {
            foreach ((int start, int end) in Ranges(OutChannels, Kernels.DirectBlockChannels))
            {
                string what = $"ConvDirect width={width} {shape} (out {g.OutH}x{g.OutW}) tileRows={tileRows} blocks [{start}, {end})";
                conv.Check(what, ActivationKind.None, start, end, y => conv.Direct(y, tileRows, DirectScratch(g, tileRows), ActivationKind.None, start, end, Matrix.Width(width)),
                    Kernels.DirectBlockChannels);
            }
        }
    }

    /// <summary>Rows of 16 to 200 pixels: whole pieces of four vectors at every width, then the vectors that remain.</summary>
    [Theory]
    [InlineData("V512", 16)]
    [InlineData("V512", 65)]
    [InlineData("V512", 200)]
    [InlineData("V256", 33)]
    [InlineData("V256", 200)]
    [InlineData("V128", 17)]
    [InlineData("V128", 50)]
    public void ConvDirect_WideRows(string width, int imageWidth)
    {
        if (!Matrix.Widths.Contains(width))
        {
            return;
        }

        Geometry g = Geometry.Parse($"c3 h4 w{imageWidth} k3x3 p1x1");
        var conv = new Conv(g, 6, 4450 + (ulong)imageWidth, bias: true);
        conv.Check($"ConvDirect width={width} w{imageWidth}", ActivationKind.None, 0, 2,
            y => conv.Direct(y, 3, DirectScratch(g, 3), ActivationKind.None, 0, 2, Matrix.Width(width)), Kernels.DirectBlockChannels);
    }

    /// <summary>Bias (or none) and activation, for the whole layer and for one panel (the activation must not run over
    /// the other channels).</summary>
    [Theory]
    [MemberData(nameof(ActivationCases))]
    public void ConvKernels_ApplyTheActivation(string kernel, string width, string kind)
    {
        ActivationKind activation = Enum.Parse<ActivationKind>(kind);
        VectorWidth w = Matrix.Width(width);
        Geometry g = kernel switch
        {
            nameof(Kernels.PointwiseGemm) => Geometry.Parse("c4 h5 w7"),
            nameof(Kernels.ConvRowsGemm) or nameof(Kernels.ConvDirect) => Geometry.Parse("c3 h6 w19 k3x3 p1x1"),
            _ => Geometry.Parse("c3 h9 w11 k3x3 s2x2 p1x1"),
        };

        foreach (bool bias in new[] { true, false })
        {
            // Inputs in [-2, 2]: sums reach past ReLU6's 6 and HardSwish's ±3.
            var conv = new Conv(g, 7, 4300, bias, inputRange: 2f);
            foreach ((int start, int end) in new[] { (0, 2), (1, 2) })
            {
                string what = $"{kernel} {kind} width={width} bias={bias} panels [{start}, {end})";
                conv.Check(what, activation, start, end, y =>
                {
                    switch (kernel)
                    {
                        case nameof(Kernels.PointwiseGemm):
                            conv.Pointwise(y, 16, PointwiseScratch(g, 16), activation, start, end, w);
                            break;
                        case nameof(Kernels.ConvRowsGemm):
                            conv.Rows(y, 4, RowsScratch(g, 7, 4), activation, start, end, w);
                            break;
                        case nameof(Kernels.ConvDirect):
                            conv.Direct(y, 4, DirectScratch(g, 4), activation, start, end, w);
                            break;
                        default:
                            conv.Strided(y, 7, StridedScratch(g, 7), activation, start, end, w);
                            break;
                    }
                }, kernel == nameof(Kernels.ConvDirect) ? Kernels.DirectBlockChannels : PanelRows);
            }
        }
    }

    /// <summary>The scratch size the build plans (Conv2dOp.LowerGemm) is enough, exactly: on a fresh thread the tile
    /// buffer is that size, so a kernel that used more would fail; one float less is refused before anything is
    /// computed.</summary>
    [Theory]
    [MemberData(nameof(Kernels3))]
    public void Scratch_ThePlannedSizeIsExactlyEnough(string kernel)
    {
        VectorWidth w = Kernels.Resolve(VectorWidth.Auto);
        Geometry g = kernel switch
        {
            nameof(Kernels.PointwiseGemm) => Geometry.Parse("c5 h6 w13"),
            nameof(Kernels.ConvRowsGemm) or nameof(Kernels.ConvDirect) => Geometry.Parse("c3 h7 w10 k3x3 p1x1 d2x1"),
            _ => Geometry.Parse("c3 h9 w9 k3x3 s2x2 p1x1"),
        };

        int planned = kernel switch
        {
            nameof(Kernels.PointwiseGemm) => PointwiseScratch(g, 32),
            nameof(Kernels.ConvRowsGemm) => RowsScratch(g, 11, 3),
            nameof(Kernels.ConvDirect) => DirectScratch(g, 3),
            _ => StridedScratch(g, 7),
        };

        void Call(Conv conv, Guarded y, int scratch)
        {
            switch (kernel)
            {
                case nameof(Kernels.PointwiseGemm):
                    conv.Pointwise(y, 32, scratch, ActivationKind.None, 0, 2, w);
                    break;
                case nameof(Kernels.ConvRowsGemm):
                    conv.Rows(y, 3, scratch, ActivationKind.None, 0, 2, w);
                    break;
                case nameof(Kernels.ConvDirect):
                    conv.Direct(y, 3, scratch, ActivationKind.None, 0, 2, w);
                    break;
                default:
                    conv.Strided(y, 7, scratch, ActivationKind.None, 0, 2, w);
                    break;
            }
        }

        var conv = new Conv(g, 11, 4400, bias: true);
        conv.Check($"{kernel} with exactly the planned scratch ({planned} floats)", ActivationKind.None, 0, 2, y => OnFreshThread(() => Call(conv, y, planned)),
            kernel == nameof(Kernels.ConvDirect) ? Kernels.DirectBlockChannels : PanelRows);
        Assert.Throws<ArgumentException>("scratchFloats", () => Call(conv, Guarded.Output(11 * g.OutH * g.OutW), planned - 1));
    }

    /// <summary>Conv2dOp.LowerGemm's tile for the pointwise and strided kernels: TilePixels(depth), at most the pixels.</summary>
    private static int BuildTilePixels(Geometry g) => (int)Math.Min(g.OutH * g.OutW, Conv2dOp.TilePixels(g.Depth));

    private static int PointwiseScratch(Geometry g, int tilePixels) => (tilePixels * g.Depth) + g.Depth;

    private static int StridedScratch(Geometry g, int tilePixels) => (tilePixels * g.Depth) + g.Depth;

    /// <summary>Conv2dOp.LowerGemm's output rows per tile for a stride-1 convolution of fixed size.</summary>
    private static int BuildTileRows(Geometry g, int outChannels)
    {
        int padded = g.OutW + ((g.KernelW - 1) * g.DilationW), halo = (g.KernelH - 1) * g.DilationH;
        return Math.Max(1, Math.Min(g.OutH, (Conv2dOp.TileFloats - (g.Channels * halo * padded)) / Math.Max(1, (g.Channels + outChannels) * padded)));
    }

    /// <summary>Conv2dOp.LowerGemm's scratch for ConvRowsGemm: the padded input rows (rounded up to 16 floats, so the
    /// product is aligned), the product, the offsets.</summary>
    private static int RowsScratch(Geometry g, int outChannels, int tileRows)
    {
        int padded = g.OutW + ((g.KernelW - 1) * g.DilationW), halo = (g.KernelH - 1) * g.DilationH;
        int columns = (tileRows * padded + 15) / 16 * 16;
        int rows = ((g.Channels * (tileRows + halo) * padded) + columns + padded + 16 + 15) / 16 * 16;
        return rows + (outChannels * columns) + g.Depth;
    }

    /// <summary>Conv2dOp's scratch for ConvDirect: the padded input rows of a tile.</summary>
    private static int DirectScratch(Geometry g, int tileRows) =>
        g.Channels * (tileRows + ((g.KernelH - 1) * g.DilationH)) * (g.OutW + ((g.KernelW - 1) * g.DilationW));

    private static (int Start, int End)[] Ranges(int outChannels, int unit = PanelRows)
    {
        int panels = (outChannels + unit - 1) / unit;
        return panels > 1 ? [(0, panels), (1, 2), (panels - 1, panels)] : [(0, panels)];
    }

    /// <summary>Runs <paramref name="action"/> on a new thread (whose tile buffer starts empty) and rethrows what it threw.</summary>
    [SuppressMessage("Design", "CA1031:Do not catch general exception types", Justification = "Rethrown on the test's thread.")]
    private static void OnFreshThread(Action action)
    {
        Exception? error = null;
        var thread = new Thread(() =>
        {
            try
            {
                action();
            }
            catch (Exception e)
            {
                error = e;
            }
        });
        thread.Start();
        thread.Join();
        if (error is not null)
        {
            ExceptionDispatchInfo.Capture(error).Throw();
        }
    }

    private static TheoryData<string, string> Cross(string[] widths, string[] shapes)
    {
        var data = new TheoryData<string, string>();
        foreach (string width in widths)
        {
            foreach (string shape in shapes)
            {
                data.Add(width, shape);
            }
        }

        return data;
    }

    /// <summary>A convolution's geometry: <see cref="Window"/>'s text, plus "e" for the padding after (bottom x right)
    /// where it differs from the padding before ("p"). Output sizes use the floor formula with both paddings.</summary>
    private sealed record Geometry(
        int Channels, int Height, int Width, int KernelH, int KernelW, int StrideH, int StrideW,
        int PadTop, int PadLeft, int PadBottom, int PadRight, int DilationH, int DilationW)
    {
        public int OutH => ((Height + PadTop + PadBottom - (DilationH * (KernelH - 1)) - 1) / StrideH) + 1;

        public int OutW => ((Width + PadLeft + PadRight - (DilationW * (KernelW - 1)) - 1) / StrideW) + 1;

        public int Depth => Channels * KernelH * KernelW;

        public static Geometry Parse(string text)
        {
            string[] parts = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            Window w = Window.Parse(string.Join(' ', parts.Where(p => p[0] != 'e')));
            string? after = parts.FirstOrDefault(p => p[0] == 'e');
            (int bottom, int right) = (w.PadH, w.PadW);
            if (after is not null)
            {
                string[] pair = after[1..].Split('x');
                (bottom, right) = (int.Parse(pair[0], CultureInfo.InvariantCulture), int.Parse(pair[1], CultureInfo.InvariantCulture));
            }

            return new Geometry(w.Channels, w.Height, w.Width, w.KernelH, w.KernelW, w.StrideH, w.StrideW, w.PadH, w.PadW, bottom, right, w.DilationH, w.DilationW);
        }
    }

    /// <summary>One layer: input, weights (canonical [out, depth] and packed in panels of 6 by the build's encoder),
    /// bias; the three kernels on it, and the check of their output against the double-precision convolution.</summary>
    private sealed class Conv
    {
        private readonly Geometry _g;
        private readonly int _outChannels;
        private readonly float[] _x, _weight;
        private readonly Guarded _input, _packed, _dense, _bias;

        public Conv(Geometry g, int outChannels, ulong seed, bool bias, float inputRange = 1f)
        {
            var random = new Seeded(seed);
            (_g, _outChannels) = (g, outChannels);
            _x = random.Floats(g.Channels * g.Height * g.Width, -inputRange, inputRange);
            _weight = random.Floats(outChannels * g.Depth);
            _input = new Guarded(_x);
            _packed = new Guarded(Packing.Panels(_weight, outChannels, g.Depth, PanelRows));
            _dense = new Guarded(_weight);
            _bias = new Guarded(bias ? random.Floats(outChannels) : []);
        }

        public void Pointwise(Guarded y, int tilePixels, int scratch, ActivationKind kind, int start, int end, VectorWidth width)
        {
            Poison(scratch);
            Kernels.PointwiseGemm(
                _input.Span, _packed.Span, _bias.Span, y.Span, _g.Channels, _outChannels, _g.Height * _g.Width, tilePixels, scratch,
                kind, Alpha, start, end, width);
        }

        public void Rows(Guarded y, int tileRows, int scratch, ActivationKind kind, int start, int end, VectorWidth width)
        {
            Poison(scratch);
            Kernels.ConvRowsGemm(
                _input.Span, _packed.Span, _bias.Span, y.Span, _g.Channels, _g.Height, _g.Width, _outChannels, _g.KernelH, _g.KernelW,
                _g.PadTop, _g.PadLeft, _g.DilationH, _g.DilationW, _g.OutH, _g.OutW, tileRows, scratch, kind, Alpha, start, end, width);
        }

        public void Direct(Guarded y, int tileRows, int scratch, ActivationKind kind, int start, int end, VectorWidth width)
        {
            Poison(scratch);
            Kernels.ConvDirect(
                _input.Span, _dense.Span, _bias.Span, y.Span, _g.Channels, _g.Height, _g.Width, _outChannels, _g.KernelH, _g.KernelW,
                _g.PadTop, _g.PadLeft, _g.DilationH, _g.DilationW, _g.OutH, _g.OutW, tileRows, scratch, kind, Alpha, start, end, width);
        }

        public void Strided(Guarded y, int tilePixels, int scratch, ActivationKind kind, int start, int end, VectorWidth width)
        {
            Poison(scratch);
            Kernels.ConvGemm(
                _input.Span, _packed.Span, _bias.Span, y.Span, _g.Channels, _g.Height, _g.Width, _outChannels, _g.KernelH, _g.KernelW,
                _g.StrideH, _g.StrideW, _g.PadTop, _g.PadLeft, _g.DilationH, _g.DilationW, _g.OutH, _g.OutW, tilePixels, scratch,
                kind, Alpha, start, end, width);
        }

        /// <summary>Runs <paramref name="call"/> on a fresh output and checks the channels of the panels [start, end)
        /// against the convolution; the other channels and the guards keep their values.</summary>
        public void Check(string what, ActivationKind kind, int start, int end, Action<Guarded> call, int unit = PanelRows)
        {
            int pixels = _g.OutH * _g.OutW;
            float[] initial = new float[_outChannels * pixels];
            initial.AsSpan().Fill(Untouched);
            var y = new Guarded(initial);

            call(y);

            int first = Math.Min(_outChannels, start * unit), last = Math.Min(_outChannels, end * unit);
            double[] expected = new double[pixels], scale = new double[pixels];
            for (int o = 0; o < _outChannels; o++)
            {
                Span<float> plane = y.Span.Slice(o * pixels, pixels);
                if (o < first || o >= last)
                {
                    for (int i = 0; i < pixels; i++)
                    {
                        Assert.True(plane[i] == Untouched, $"{what}: channel {o} (outside the panels) pixel {i} is {plane[i]:R}, should be untouched");
                    }

                    continue;
                }

                Reference(o, kind, expected, scale);
                Expect.Close($"{what}: channel {o}", expected, plane, Tolerance, scale);
            }

            y.AssertGuardsIntact(what);
        }

        /// <summary>Channel <paramref name="o"/> of activation(conv(x) + bias) in double precision.</summary>
        private void Reference(int o, ActivationKind kind, double[] expected, double[] scale)
        {
            Geometry g = _g;
            for (int oh = 0; oh < g.OutH; oh++)
            {
                for (int ow = 0; ow < g.OutW; ow++)
                {
                    double sum = _bias.Length == 0 ? 0 : _bias.Span[o], magnitude = Math.Abs(sum);
                    for (int c = 0; c < g.Channels; c++)
                    {
                        for (int kh = 0; kh < g.KernelH; kh++)
                        {
                            int ih = (oh * g.StrideH) - g.PadTop + (kh * g.DilationH);
                            for (int kw = 0; kw < g.KernelW; kw++)
                            {
                                int iw = (ow * g.StrideW) - g.PadLeft + (kw * g.DilationW);
                                if (ih >= 0 && ih < g.Height && iw >= 0 && iw < g.Width)
                                {
                                    double term = (double)_weight[(o * g.Depth) + (((c * g.KernelH) + kh) * g.KernelW) + kw] * _x[(((c * g.Height) + ih) * g.Width) + iw];
                                    sum += term;
                                    magnitude += Math.Abs(term);
                                }
                            }
                        }
                    }

                    int i = (oh * g.OutW) + ow;
                    expected[i] = ActivationReference.Apply(kind, sum, Alpha);
                    scale[i] = magnitude + Math.Abs(expected[i]);
                }
            }
        }

        /// <summary>This thread's tile buffer filled with NaN: whatever a kernel reads there without writing it first
        /// turns its output into NaN.</summary>
        private static void Poison(int scratch) => Kernels.TileBuffer(scratch).Fill(float.NaN);
    }
}
