using System;
using ModelCompiler.Generated;
using ModelCompiler.KernelTests.Infrastructure;
using Xunit;

namespace ModelCompiler.KernelTests;

/// <summary>MaxPool2d, AvgPool2d and GlobalAvgPool (they take no vector width) against PyTorch's definitions,
/// with mixed-sign and all-negative inputs (padding must never win a max); MaxPool2d's paths (padded, unpadded, and
/// the vectorized 2×2 stride-2 one, on odd sizes and rows past its 4096-float limit) also with NaN (it propagates,
/// wherever it is in the window) and infinities.</summary>
public class PoolingTests
{
    private const double Tolerance = 1e-5;

    private static readonly string[] Windows =
    [
        "c1 h4 w4 k2x2 s2x2",
        "c2 h5 w7 k3x3 s2x2 p1x1",
        "c3 h6 w5 k3x2 s1x2 p1x0",
        "c1 h7 w7 k3x3 s3x3 p1x1",
        "c2 h3 w8 k2x4 s1x3 p1x2",
        "c1 h1 w1 k1x1",
        "c1 h9 w4 k5x3 s2x1 p2x1",
        "c2 h8 w8 k3x3 s1x1 p1x1",
    ];

    /// <summary>The 2×2 stride-2 fast path: odd heights and widths (the last row or column unused), rows with and
    /// without a vector part, a last vector overlapping the one before it (14, 9 and 6 outputs: eight and four at a step),
    /// exactly one vector (8 outputs), rows too short for a vector (3 outputs), the widest row it takes and one past it (the general loop).</summary>
    private static readonly string[] TwoByTwo =
    [
        "c1 h2 w2 k2x2 s2x2",
        "c3 h5 w9 k2x2 s2x2",
        "c2 h7 w17 k2x2 s2x2",
        "c2 h6 w33 k2x2 s2x2",
        "c1 h4 w4096 k2x2 s2x2",
        "c1 h3 w4099 k2x2 s2x2",
        "c2 h4 w28 k2x2 s2x2",
        "c1 h3 w13 k2x2 s2x2",
        "c1 h2 w6 k2x2 s2x2",
        "c1 h2 w16 k2x2 s2x2",
        "c1 h2 w18 k2x2 s2x2",
    ];

    public static TheoryData<string, bool> MaxCases => Cross([.. Windows, .. TwoByTwo], [false, true]);

    public static TheoryData<string> NaNCases => new([.. Windows, .. TwoByTwo]);

    public static TheoryData<string, bool> AvgCases => Cross(Windows, [false, true]);

    [Theory]
    [MemberData(nameof(MaxCases))]
    public void MaxPool2d(string shape, bool allNegative)
    {
        Window s = Window.Parse(shape);
        CheckMaxPool($"MaxPool2d {shape} allNegative={allNegative}", s, Input(s, allNegative));
    }

    /// <summary>NaN, +∞ and -∞ spread over the input (at every offset of the windows across the shapes): a window with a
    /// NaN gives NaN, else its largest value.</summary>
    [Theory]
    [MemberData(nameof(NaNCases))]
    public void MaxPool2d_PropagatesNaN_AndTakesInfinities(string shape)
    {
        Window s = Window.Parse(shape);
        float[] x = Input(s, allNegative: true);
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = i % 11 == 3 ? float.NaN : i % 13 == 7 ? float.PositiveInfinity : i % 5 == 1 ? float.NegativeInfinity : x[i];
        }

        CheckMaxPool($"MaxPool2d {shape} with NaN and infinities", s, x);
    }

    /// <summary>The 2×2 fast path with one NaN at each of the four places of every other window, along a row with a
    /// vector part (its two input rows' maximum) and a tail.</summary>
    [Fact]
    public void MaxPool2d_TwoByTwo_PropagatesNaNFromEveryPlaceOfTheWindow()
    {
        Window s = Window.Parse("c2 h4 w42 k2x2 s2x2");
        for (int place = 0; place < 4; place++)
        {
            float[] x = Input(s, allNegative: false);
            for (int c = 0; c < s.Channels; c++)
            {
                for (int oh = 0; oh < s.OutH; oh++)
                {
                    for (int ow = (oh + c) % 2; ow < s.OutW; ow += 2)
                    {
                        x[(((c * s.Height) + (2 * oh) + (place / 2)) * s.Width) + (2 * ow) + (place % 2)] = float.NaN;
                    }
                }
            }

            CheckMaxPool($"MaxPool2d {s} with NaN at place {place} of every other window", s, x);
        }
    }

    [Fact]
    public void MaxPool2d_PropagatesNaN()
    {
        float[] x = [1f, float.NaN, 3f, 4f];
        float[] y = new float[1];
        Kernels.MaxPool2d(x, y, 1, 2, 2, 2, 2, 2, 2, 0, 0, 1, 1);
        Assert.True(float.IsNaN(y[0]), $"MaxPool2d with a NaN in the window: {y[0]}");
    }

    [Theory]
    [MemberData(nameof(AvgCases))]
    public void AvgPool2d(string shape, bool countIncludePad)
    {
        Window s = Window.Parse(shape);
        float[] x = Input(s, allNegative: false);
        Guarded y = Guarded.Output(s.Channels * s.OutH * s.OutW);

        Kernels.AvgPool2d(new Guarded(x).Span, y.Span, s.Channels, s.Height, s.Width, s.KernelH, s.KernelW, s.StrideH, s.StrideW, s.PadH, s.PadW, s.OutH, s.OutW, countIncludePad);

        double[] expected = new double[y.Length], scale = new double[y.Length];
        ForEachOutput(s, (o, c, oh, ow) =>
        {
            double sum = 0, magnitude = 0;
            int inside = 0;
            ForEachInside(s, oh, ow, (ih, iw) =>
            {
                float v = x[(((c * s.Height) + ih) * s.Width) + iw];
                sum += v;
                magnitude += Math.Abs(v);
                inside++;
            });

            // count_include_pad divides by the window clipped to the padded input, else by the real elements.
            int divisor = countIncludePad ? WindowInPaddedInput(s, oh, ow) : inside;
            expected[o] = sum / divisor;
            scale[o] = magnitude / divisor;
        });

        string what = $"AvgPool2d {shape} countIncludePad={countIncludePad}";
        Expect.Close(what, expected, y.Span, Tolerance, scale);
        y.AssertGuardsIntact(what);
    }

    public static TheoryData<int, int> GlobalCases
    {
        get
        {
            var data = new TheoryData<int, int>();
            foreach (int channels in (int[])[1, 3])
            {
                foreach (int plane in Matrix.Lengths)
                {
                    if (plane > 0)
                    {
                        data.Add(channels, plane);
                    }
                }
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(GlobalCases))]
    public void GlobalAvgPool(int channels, int planeSize)
    {
        float[] x = new Seeded(800 + (ulong)planeSize).Floats(channels * planeSize, -1f, 3f);
        Guarded y = Guarded.Output(channels);

        Kernels.GlobalAvgPool(new Guarded(x).Span, y.Span, channels, planeSize);

        double[] expected = new double[channels], scale = new double[channels];
        for (int c = 0; c < channels; c++)
        {
            for (int i = 0; i < planeSize; i++)
            {
                expected[c] += x[(c * planeSize) + i] / (double)planeSize;
                scale[c] += Math.Abs(x[(c * planeSize) + i]) / (double)planeSize;
            }
        }

        string what = $"GlobalAvgPool channels={channels} planeSize={planeSize}";
        Expect.Close(what, expected, y.Span, Tolerance, scale);
        y.AssertGuardsIntact(what);
    }

    /// <summary>MaxPool2d on <paramref name="x"/> against the maximum of each window's elements inside the input (NaN
    /// if one is NaN), exactly.</summary>
    private static void CheckMaxPool(string what, Window s, float[] x)
    {
        Guarded y = Guarded.Output(s.Channels * s.OutH * s.OutW);

        Kernels.MaxPool2d(new Guarded(x).Span, y.Span, s.Channels, s.Height, s.Width, s.KernelH, s.KernelW, s.StrideH, s.StrideW, s.PadH, s.PadW, s.OutH, s.OutW);

        double[] expected = new double[y.Length];
        ForEachOutput(s, (o, c, oh, ow) =>
        {
            // Math.Max returns NaN when either argument is NaN.
            double max = double.NegativeInfinity;
            ForEachInside(s, oh, ow, (ih, iw) => max = Math.Max(max, x[(((c * s.Height) + ih) * s.Width) + iw]));
            expected[o] = max;
        });

        Expect.Close(what, expected, y.Span, 0);
        y.AssertGuardsIntact(what);
    }

    private static float[] Input(Window s, bool allNegative) =>
        new Seeded(900).Floats(s.Channels * s.Height * s.Width, allNegative ? -3f : -1f, allNegative ? -1f : 1f);

    private static void ForEachOutput(Window s, Action<int, int, int, int> body)
    {
        for (int c = 0, o = 0; c < s.Channels; c++)
        {
            for (int oh = 0; oh < s.OutH; oh++)
            {
                for (int ow = 0; ow < s.OutW; ow++, o++)
                {
                    body(o, c, oh, ow);
                }
            }
        }
    }

    private static void ForEachInside(Window s, int oh, int ow, Action<int, int> body)
    {
        for (int kh = 0; kh < s.KernelH; kh++)
        {
            for (int kw = 0; kw < s.KernelW; kw++)
            {
                int ih = (oh * s.StrideH) - s.PadH + kh, iw = (ow * s.StrideW) - s.PadW + kw;
                if (ih >= 0 && ih < s.Height && iw >= 0 && iw < s.Width)
                {
                    body(ih, iw);
                }
            }
        }
    }

    private static int WindowInPaddedInput(Window s, int oh, int ow)
    {
        int count = 0;
        for (int kh = 0; kh < s.KernelH; kh++)
        {
            for (int kw = 0; kw < s.KernelW; kw++)
            {
                int ih = (oh * s.StrideH) - s.PadH + kh, iw = (ow * s.StrideW) - s.PadW + kw;
                if (ih >= -s.PadH && ih < s.Height + s.PadH && iw >= -s.PadW && iw < s.Width + s.PadW)
                {
                    count++;
                }
            }
        }

        return count;
    }

    private static TheoryData<string, bool> Cross(string[] shapes, bool[] flags)
    {
        var data = new TheoryData<string, bool>();
        foreach (string shape in shapes)
        {
            foreach (bool flag in flags)
            {
                data.Add(shape, flag);
            }
        }

        return data;
    }
}
