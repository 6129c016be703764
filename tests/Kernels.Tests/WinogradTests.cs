using System;
using System.Globalization;
using System.Linq;
using System.Runtime.InteropServices;
using ModelCompiler.Common;
using ModelCompiler.Generated;
using ModelCompiler.IR;
using ModelCompiler.KernelTests.Infrastructure;
using ModelCompiler.Weights;
using Xunit;

namespace ModelCompiler.KernelTests;

/// <summary>WinogradConv3x3 at every vector width, F(2×2) and F(4×4), against a direct 3×3 convolution in double
/// precision: images down to 1×1, sizes that are not multiples of the tile or of the block, blocks that span tile rows,
/// rows of more than 16 tiles (the permuting split and merge of whole vectors of tiles, then the rest),
/// no, symmetric, wide and asymmetric padding, channel counts that are not multiples of 6 or 16, with and without
/// bias, every activation, and block ranges that cover part of the image. The weights are the build's
/// (WeightProgramRunner packs the "winograd" layout). Outputs are guarded and prefilled with NaN, so an element the
/// kernel forgets or writes outside its range fails.</summary>
public class WinogradTests
{
    /// <summary>Relative to the largest sum of the terms' magnitudes (plus the result's) in the output's tile (see
    /// <see cref="Convolution.AssertMatches"/>). Winograd's transforms add and subtract (m+2)² partial products with
    /// factors up to 8 (F(4×4): Aᵀ's last row 1, −1, 8, −8) before the result emerges, so the rounding error is
    /// larger than a direct dot product's: the largest measured over these cases was 1.3e-6 for F(4×4) and 7.6e-8 for
    /// F(2×2); a wrong coefficient or a misplaced element is off by far more.</summary>
    private const double Tolerance = 1e-5;

    private const float Alpha = 0.125f;

    private static readonly ActivationKind[] Kinds = Enum.GetValues<ActivationKind>();

    /// <summary>Input channels c, output channels k, input height h and width w, padding p (all sides, or
    /// top,bottom,left,right), tile m and tiles per block t.</summary>
    private static readonly string[] Shapes =
    [
        "c1 k1 h1 w1 p1 m4 t16",
        "c1 k1 h1 w1 p1 m2 t3",
        "c3 k7 h5 w7 p1 m4 t16",
        "c3 k7 h5 w7 p1 m2 t16",
        "c16 k16 h9 w13 p0 m4 t32",
        "c5 k13 h8 w8 p1,0,2,1 m4 t8",
        "c5 k13 h8 w8 p0,2,1,0 m2 t7",
        "c7 k6 h17 w19 p1 m2 t64",
        "c2 k3 h3 w40 p1 m4 t5",
        "c17 k20 h6 w6 p2 m4 t24",
        "c6 k12 h35 w37 p1 m4 t64",
        "c4 k5 h4 w4 p0 m2 t1",
        "c3 k5 h6 w150 p1 m4 t64",
        "c3 k5 h6 w150 p1 m4 t20",
        "c3 k5 h5 w71 p1,1,0,2 m2 t48",
        "c16 k8 h32 w30 p1 m4 t64",
    ];

    public static TheoryData<string, string> ShapeCases
    {
        get
        {
            var data = new TheoryData<string, string>();
            foreach (string width in Matrix.Widths)
            {
                foreach (string shape in Shapes)
                {
                    data.Add(width, shape);
                }
            }

            return data;
        }
    }

    public static TheoryData<string> WidthCases => new(Matrix.Widths);

    [Theory]
    [MemberData(nameof(ShapeCases))]
    public void MatchesTheDirectConvolution(string width, string shape)
    {
        Case s = Case.Parse(shape);
        foreach (bool bias in new[] { true, false })
        {
            Check(s, width, bias, ActivationKind.None, 0, s.Blocks, "whole");
        }

        // Pieces of the block range, computed one after another into the same output: the whole image.
        if (s.Blocks >= 3)
        {
            var convolution = new Convolution(s, bias: true, seed: 9);
            Guarded y = Guarded.Output(s.OutChannels * s.OutH * s.OutW);
            foreach ((int start, int end) in new[] { (0, 1), (1, s.Blocks - 1), (s.Blocks - 1, s.Blocks) })
            {
                convolution.Run(y, ActivationKind.None, start, end, Matrix.Width(width));
            }

            convolution.AssertMatches(y, ActivationKind.None, 0, s.Blocks, $"Winograd {shape} width={width} in three pieces");
        }
    }

    [Theory]
    [MemberData(nameof(WidthCases))]
    public void AppliesEveryActivation(string width)
    {
        foreach (string shape in new[] { "c3 k7 h5 w7 p1 m4 t16", "c5 k8 h6 w9 p1 m2 t8" })
        {
            foreach (ActivationKind kind in Kinds)
            {
                Check(Case.Parse(shape), width, bias: true, kind, 0, Case.Parse(shape).Blocks, "activation");
            }
        }
    }

    [Theory]
    [MemberData(nameof(WidthCases))]
    public void ComputesOnlyItsBlocks(string width)
    {
        // 7 × 9 output, 4 × 5 tiles of 2×2 in blocks of 3: blocks span tile rows and the last one is partial.
        Case s = Case.Parse("c4 k7 h7 w9 p1 m2 t3");
        Assert.Equal(7, s.Blocks);
        foreach ((int start, int end) in new[] { (0, 1), (2, 5), (6, 7), (3, 3) })
        {
            Check(s, width, bias: true, ActivationKind.ReLU, start, end, "range");
        }
    }

    [Fact]
    public void RefusesAScratchSmallerThanTheBlockNeeds()
    {
        Case s = Case.Parse("c3 k7 h5 w7 p1 m4 t16");
        var convolution = new Convolution(s, bias: false, seed: 1);
        int planned = (int)Kernels.WinogradScratchFloats(s.Channels, s.OutChannels, s.Tile, s.BlockTiles);
        ArgumentException e = Assert.Throws<ArgumentException>(() => convolution.Run(Guarded.Output(s.OutChannels * s.OutH * s.OutW), ActivationKind.None, 0, s.Blocks, VectorWidth.Auto, planned - 1));
        Assert.Equal("scratchFloats", e.ParamName);
    }

    [Theory]
    [InlineData(64, 64, 64)]
    [InlineData(32, 17, 48)]
    [InlineData(128, 128, 32)]
    [InlineData(3, 5, 16)]
    [InlineData(17, 3, 20)]
    public void TheBuildPlansTheScratchTheKernelNeeds(int channels, int outChannels, int blockTiles) =>
        Assert.Equal(
            Kernels.WinogradScratchFloats(channels, outChannels, Ops.Conv2dOp.WinogradTile, blockTiles),
            Ops.Conv2dOp.WinogradScratchFloats(channels, outChannels, blockTiles));

    [Fact]
    public void RefusesTilesOtherThanTwoAndFour()
    {
        Case s = Case.Parse("c3 k7 h5 w7 p1 m4 t16") with { Tile = 3 };
        var convolution = new Convolution(s with { Tile = 4 }, bias: false, seed: 1);
        Assert.Throws<ArgumentOutOfRangeException>(() => Kernels.WinogradConv3x3(
            convolution.X.Span, convolution.Weight.Span, default, new float[s.OutChannels * s.OutH * s.OutW], s.Channels, s.Height, s.Width,
            s.OutChannels, s.PadTop, s.PadLeft, s.OutH, s.OutW, s.Tile, s.BlockTiles, 1 << 20, ActivationKind.None, 0f, 0, 1, VectorWidth.Auto));
    }

    private static void Check(Case s, string width, bool bias, ActivationKind kind, int start, int end, string label)
    {
        var convolution = new Convolution(s, bias, seed: (ulong)(s.Channels * 1000) + (ulong)s.OutChannels + (ulong)s.Height);
        Guarded y = Guarded.Output(s.OutChannels * s.OutH * s.OutW);
        convolution.Run(y, kind, start, end, Matrix.Width(width));
        convolution.AssertMatches(y, kind, start, end, $"Winograd {label} {s.Text} width={width} bias={bias} {kind} [{start}, {end})");
    }

    /// <summary>A test shape (<see cref="Shapes"/>) and the sizes that follow from it.</summary>
    private sealed record Case(string Text, int Channels, int OutChannels, int Height, int Width, int PadTop, int PadBottom, int PadLeft, int PadRight, int Tile, int BlockTiles)
    {
        public int OutH => Height + PadTop + PadBottom - 2;

        public int OutW => Width + PadLeft + PadRight - 2;

        public int TilesW => (OutW + Tile - 1) / Tile;

        public int Tiles => ((OutH + Tile - 1) / Tile) * TilesW;

        public int Blocks => (Tiles + BlockTiles - 1) / BlockTiles;

        public static Case Parse(string text)
        {
            int c = 1, k = 1, h = 1, w = 1, m = 4, t = 16;
            int[] p = [0, 0, 0, 0];
            foreach (string part in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                string value = part[1..];
                switch (part[0])
                {
                    case 'c': c = Int(value); break;
                    case 'k': k = Int(value); break;
                    case 'h': h = Int(value); break;
                    case 'w': w = Int(value); break;
                    case 'm': m = Int(value); break;
                    case 't': t = Int(value); break;
                    case 'p':
                        int[] sides = value.Split(',').Select(Int).ToArray();
                        p = sides.Length == 1 ? [sides[0], sides[0], sides[0], sides[0]] : sides;
                        break;
                    default: throw new FormatException("unknown part '" + part + "' in '" + text + "'");
                }
            }

            return new Case(text, c, k, h, w, p[0], p[1], p[2], p[3], m, t);
        }

        private static int Int(string text) => int.Parse(text, CultureInfo.InvariantCulture);
    }

    /// <summary>Seeded input, weights (canonical and packed as the build packs them) and bias for one case.</summary>
    private sealed class Convolution
    {
        private readonly Case _s;
        private readonly float[] _w;

        public Convolution(Case s, bool bias, ulong seed)
        {
            _s = s;
            var random = new Seeded(seed);
            X = new Guarded(random.Floats(s.Channels * s.Height * s.Width));
            _w = random.Floats(s.OutChannels * s.Channels * 9, -0.5f, 0.5f);
            Bias = new Guarded(bias ? random.Floats(s.OutChannels) : []);
            var program = new Encode(new LoadTensor("w", EquatableArray.Create(s.OutChannels, s.Channels, 3, 3)), DataType.F32, WeightLayouts.WinogradOf(s.Tile, Kernels.GemmPanelRows));
            Weight = new Guarded(MemoryMarshal.Cast<byte, float>(WeightProgramRunner.Pack(program, _ => _w)));
        }

        public Guarded X { get; }

        public Guarded Weight { get; }

        public Guarded Bias { get; }

        public void Run(Guarded y, ActivationKind kind, int start, int end, VectorWidth width, int? scratchFloats = null) =>
            Kernels.WinogradConv3x3(
                X.Span, Weight.Span, Bias.Span, y.Span, _s.Channels, _s.Height, _s.Width, _s.OutChannels, _s.PadTop, _s.PadLeft, _s.OutH, _s.OutW,
                _s.Tile, _s.BlockTiles, scratchFloats ?? (int)Kernels.WinogradScratchFloats(_s.Channels, _s.OutChannels, _s.Tile, _s.BlockTiles),
                kind, Alpha, start, end, width);

        /// <summary>Every output pixel of the tiles of blocks [start, end) against the direct convolution; every other
        /// pixel still NaN.</summary>
        public void AssertMatches(Guarded y, ActivationKind kind, int start, int end, string what)
        {
            Case s = _s;
            int plane = s.OutH * s.OutW;
            double[] expected = new double[s.OutChannels * plane], scale = new double[expected.Length];
            float[] actual = y.ToArray();
            for (int k = 0; k < s.OutChannels; k++)
            {
                for (int oy = 0; oy < s.OutH; oy++)
                {
                    for (int ox = 0; ox < s.OutW; ox++)
                    {
                        int i = (k * plane) + (oy * s.OutW) + ox;
                        int block = (((oy / s.Tile) * s.TilesW) + (ox / s.Tile)) / s.BlockTiles;
                        if (block < start || block >= end)
                        {
                            Assert.True(float.IsNaN(actual[i]), $"{what}: element {i} (channel {k}, row {oy}, column {ox}) of block {block} was written");
                            expected[i] = double.NaN;
                            continue;
                        }

                        double sum = Bias.Length == 0 ? 0 : Bias.Span[k], magnitude = Math.Abs(sum);
                        for (int c = 0; c < s.Channels; c++)
                        {
                            for (int ky = 0; ky < 3; ky++)
                            {
                                int iy = oy - s.PadTop + ky;
                                for (int kx = 0; kx < 3; kx++)
                                {
                                    int ix = ox - s.PadLeft + kx;
                                    if (iy >= 0 && iy < s.Height && ix >= 0 && ix < s.Width)
                                    {
                                        double term = (double)_w[(((k * s.Channels) + c) * 9) + (ky * 3) + kx] * X.Span[(((c * s.Height) + iy) * s.Width) + ix];
                                        sum += term;
                                        magnitude += Math.Abs(term);
                                    }
                                }
                            }
                        }

                        expected[i] = ActivationReference.Apply(kind, sum, Alpha);
                        scale[i] = magnitude + Math.Abs(expected[i]);
                    }
                }
            }

            // A tile's outputs come out of one transform of products that mix its whole (m+2)² input window, so each
            // output's rounding error scales with the largest magnitude in its tile, not with its own.
            double[] own = (double[])scale.Clone();
            for (int k = 0; k < s.OutChannels; k++)
            {
                for (int oy = 0; oy < s.OutH; oy++)
                {
                    for (int ox = 0; ox < s.OutW; ox++)
                    {
                        int y0 = oy / s.Tile * s.Tile, x0 = ox / s.Tile * s.Tile;
                        for (int ty = y0; ty < Math.Min(y0 + s.Tile, s.OutH); ty++)
                        {
                            for (int tx = x0; tx < Math.Min(x0 + s.Tile, s.OutW); tx++)
                            {
                                scale[(k * plane) + (oy * s.OutW) + ox] = Math.Max(scale[(k * plane) + (oy * s.OutW) + ox], own[(k * plane) + (ty * s.OutW) + tx]);
                            }
                        }
                    }
                }
            }

            Expect.Close(what, expected, actual, Tolerance, scale);
            y.AssertGuardsIntact(what);
        }
    }
}
