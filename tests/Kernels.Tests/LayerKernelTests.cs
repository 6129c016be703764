using System;
using ModelCompiler.Generated;
using ModelCompiler.KernelTests.Infrastructure;
using Xunit;

namespace ModelCompiler.KernelTests;

/// <summary>The whole-layer kernels the kernel plans call (ConvolveRows, Linear, ScaleShiftChannels, Activation,
/// ActivateInPlace, Sum, Accumulate, Copy) at every vector width against plain references in double precision, with
/// every activation. Outputs are guarded and prefilled with NaN, so a kernel that writes outside its span or its
/// [start, end) range, or forgets an element inside it, fails.</summary>
public class LayerKernelTests
{
    /// <summary>Relative to the sum of the terms' magnitudes plus the result's (float accumulation, then a float activation).</summary>
    private const double Tolerance = 1e-5;

    private const float Alpha = 0.125f;

    /// <summary>A finite value no activation maps to itself, to show which elements an activation touched.</summary>
    private const float Untouched = -3.5f;

    private static readonly int[] Pixels = [0, 1, 3, 4, 5, 8, 9, 16, 17, 31, 33, 64, 65, 100];

    private static readonly ActivationKind[] Kinds = Enum.GetValues<ActivationKind>();

    /// <summary>(output channels, channels per group, depth) of a dense conv, a conv in 2 groups, a depthwise one.</summary>
    private static readonly (int Channels, int PerGroup, int Depth)[] Groupings = [(5, 5, 6), (6, 3, 4), (4, 1, 9)];

    public static TheoryData<string, int, int, bool> ConvolveRowsCases
    {
        get
        {
            var data = new TheoryData<string, int, int, bool>();
            foreach (string width in Matrix.Widths)
            {
                for (int grouping = 0; grouping < Groupings.Length; grouping++)
                {
                    foreach (int pixels in Pixels)
                    {
                        data.Add(width, grouping, pixels, true);
                        data.Add(width, grouping, pixels, false);
                    }
                }
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(ConvolveRowsCases))]
    public void ConvolveRows(string width, int grouping, int pixels, bool bias)
    {
        (int channels, int perGroup, int depth) = Groupings[grouping];
        int groups = channels / perGroup;
        var random = new Seeded(1000 + (ulong)((grouping * 1000) + pixels));
        var columns = new Guarded(random.Floats(groups * depth * pixels));
        var weight = new Guarded(random.Floats(channels * depth));
        var biases = new Guarded(bias ? random.Floats(channels) : []);

        foreach ((int start, int end) in new[] { (0, channels), (1, channels - 1), (2, 3), (channels - 1, channels), (2, 2) })
        {
            foreach (ActivationKind kind in Kinds)
            {
                Guarded y = Guarded.Output(channels * pixels);
                string what = $"ConvolveRows {kind} width={width} channels={channels} groups={groups} depth={depth} pixels={pixels} bias={bias} [{start}, {end})";

                Kernels.ConvolveRows(columns.Span, weight.Span, biases.Span, y.Span, depth, pixels, perGroup, kind, Alpha, start, end, Matrix.Width(width));

                double[] expected = new double[(end - start) * pixels], scale = new double[expected.Length];
                for (int c = start; c < end; c++)
                {
                    int g = c / perGroup;
                    for (int p = 0; p < pixels; p++)
                    {
                        double sum = bias ? biases.Span[c] : 0, magnitude = Math.Abs(sum);
                        for (int k = 0; k < depth; k++)
                        {
                            double term = (double)weight.Span[(c * depth) + k] * columns.Span[(((g * depth) + k) * pixels) + p];
                            sum += term;
                            magnitude += Math.Abs(term);
                        }

                        int i = ((c - start) * pixels) + p;
                        expected[i] = ActivationReference.Apply(kind, sum, Alpha);
                        scale[i] = magnitude + Math.Abs(expected[i]);
                    }
                }

                Expect.Close(what, expected, y.Span.Slice(start * pixels, (end - start) * pixels), Tolerance, scale);
                AssertAllNaN(what + " (channels before start)", y.Span[..(start * pixels)]);
                AssertAllNaN(what + " (channels from end)", y.Span[(end * pixels)..]);
                y.AssertGuardsIntact(what);
            }
        }
    }

    public static TheoryData<string, int, int, bool> LinearCases
    {
        get
        {
            var data = new TheoryData<string, int, int, bool>();
            foreach (string width in Matrix.Widths)
            {
                foreach (int batch in new[] { 1, 3 })
                {
                    foreach (int inFeatures in Matrix.Lengths)
                    {
                        data.Add(width, batch, inFeatures, true);
                        data.Add(width, batch, inFeatures, false);
                    }
                }
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(LinearCases))]
    public void Linear(string width, int batch, int inFeatures, bool bias)
    {
        const int OutFeatures = 7;
        var random = new Seeded(2000 + (ulong)((batch * 1000) + inFeatures));
        var x = new Guarded(random.Floats(batch * inFeatures, -2f, 2f));
        var weight = new Guarded(random.Floats(OutFeatures * inFeatures));
        var biases = new Guarded(bias ? random.Floats(OutFeatures) : []);

        foreach ((int start, int end) in new[] { (0, OutFeatures), (2, 5), (6, 7), (3, 3) })
        {
            foreach (ActivationKind kind in Kinds)
            {
                Guarded y = Guarded.Output(batch * OutFeatures);
                string what = $"Linear {kind} width={width} batch={batch} in={inFeatures} out={OutFeatures} bias={bias} [{start}, {end})";

                Kernels.Linear(x.Span, weight.Span, biases.Span, y.Span, batch, inFeatures, OutFeatures, kind, Alpha, start, end, Matrix.Width(width));

                for (int n = 0; n < batch; n++)
                {
                    double[] expected = new double[end - start], scale = new double[end - start];
                    for (int o = start; o < end; o++)
                    {
                        double sum = bias ? biases.Span[o] : 0, magnitude = Math.Abs(sum);
                        for (int i = 0; i < inFeatures; i++)
                        {
                            double term = (double)weight.Span[(o * inFeatures) + i] * x.Span[(n * inFeatures) + i];
                            sum += term;
                            magnitude += Math.Abs(term);
                        }

                        expected[o - start] = ActivationReference.Apply(kind, sum, Alpha);
                        scale[o - start] = magnitude + Math.Abs(expected[o - start]);
                    }

                    Span<float> row = y.Span.Slice(n * OutFeatures, OutFeatures);
                    Expect.Close(what + $" sample {n}", expected, row[start..end], Tolerance, scale);
                    AssertAllNaN(what + $" sample {n} (before start)", row[..start]);
                    AssertAllNaN(what + $" sample {n} (from end)", row[end..]);
                }

                y.AssertGuardsIntact(what);
            }
        }
    }

    /// <summary>Features outside [start, end) keep their values: another worker owns them, and the activation must not
    /// run over them a second time.</summary>
    [Theory]
    [MemberData(nameof(WidthCases))]
    public void Linear_ActivatesOnlyItsRange(string width)
    {
        const int Batch = 3, In = 9, Out = 8, Start = 2, End = 6;
        var random = new Seeded(2500);
        float[] x = random.Floats(Batch * In), weight = random.Floats(Out * In), bias = random.Floats(Out);
        foreach (ActivationKind kind in Kinds)
        {
            if (kind == ActivationKind.None)
            {
                continue;
            }

            float[] y = new float[Batch * Out];
            y.AsSpan().Fill(Untouched);

            Kernels.Linear(x, weight, bias, y, Batch, In, Out, kind, Alpha, Start, End, Matrix.Width(width));

            for (int n = 0; n < Batch; n++)
            {
                for (int o = 0; o < Out; o++)
                {
                    bool inside = o >= Start && o < End;
                    Assert.True(inside != (y[(n * Out) + o] == Untouched), $"Linear {kind} width={width}: sample {n} feature {o} is {y[(n * Out) + o]}");
                }
            }
        }
    }

    /// <summary>Channels outside [start, end) keep their values, as for Linear.</summary>
    [Theory]
    [MemberData(nameof(WidthCases))]
    public void ConvolveRows_ActivatesOnlyItsRange(string width)
    {
        const int Channels = 6, Depth = 5, PixelCount = 19, Start = 1, End = 4;
        var random = new Seeded(1500);
        float[] columns = random.Floats(Depth * PixelCount), weight = random.Floats(Channels * Depth), bias = random.Floats(Channels);
        foreach (ActivationKind kind in Kinds)
        {
            if (kind == ActivationKind.None)
            {
                continue;
            }

            float[] y = new float[Channels * PixelCount];
            y.AsSpan().Fill(Untouched);

            Kernels.ConvolveRows(columns, weight, bias, y, Depth, PixelCount, Channels, kind, Alpha, Start, End, Matrix.Width(width));

            for (int i = 0; i < y.Length; i++)
            {
                bool inside = i / PixelCount >= Start && i / PixelCount < End;
                Assert.True(inside != (y[i] == Untouched), $"ConvolveRows {kind} width={width}: element {i} is {y[i]}");
            }
        }
    }

    public static TheoryData<string> WidthCases => new(Matrix.Widths);

    public static TheoryData<string, int> Cases => Matrix.WidthsByLength();

    [Theory]
    [MemberData(nameof(Cases))]
    public void ScaleShiftChannels(string width, int plane)
    {
        const int Channels = 3;
        var random = new Seeded(3000 + (ulong)plane);
        var x = new Guarded(random.Floats(Channels * plane, -4f, 4f));
        var scales = new Guarded(random.Floats(Channels, -2f, 2f));
        var shifts = new Guarded(random.Floats(Channels));
        foreach (ActivationKind kind in Kinds)
        {
            Guarded y = Guarded.Output(Channels * plane);
            string what = $"ScaleShiftChannels {kind} width={width} channels={Channels} plane={plane}";

            Kernels.ScaleShiftChannels(x.Span, scales.Span, shifts.Span, y.Span, Channels, plane, kind, Alpha, Matrix.Width(width));

            double[] expected = new double[Channels * plane], scale = new double[expected.Length];
            for (int c = 0; c < Channels; c++)
            {
                for (int p = 0; p < plane; p++)
                {
                    int i = (c * plane) + p;
                    double product = (double)x.Span[i] * scales.Span[c];
                    expected[i] = ActivationReference.Apply(kind, product + shifts.Span[c], Alpha);
                    scale[i] = Math.Abs(product) + Math.Abs(shifts.Span[c]) + Math.Abs(expected[i]);
                }
            }

            Expect.Close(what, expected, y.Span, Tolerance, scale);
            y.AssertGuardsIntact(what);
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Activation(string width, int length)
    {
        var random = new Seeded(4000 + (ulong)length);
        float[] source = random.Floats(length + 3, -6f, 6f);
        var x = new Guarded(source);
        foreach (ActivationKind kind in Kinds)
        {
            Guarded y = Guarded.Output(length);
            string what = $"Activation {kind} width={width} length={length}";

            // x is longer than y: only y's length is read.
            Kernels.Activation(x.Span, y.Span, kind, Alpha, Matrix.Width(width));

            double[] expected = new double[length];
            for (int i = 0; i < length; i++)
            {
                expected[i] = ActivationReference.Apply(kind, source[i], Alpha);
            }

            Expect.Close(what, expected, y.Span, 1e-6);
            Expect.Equal(what + " (input unchanged)", source, x.Span);
            y.AssertGuardsIntact(what);
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ActivateInPlace(string width, int length)
    {
        var random = new Seeded(5000 + (ulong)length);
        float[] source = random.Floats(length, -6f, 6f);
        foreach (ActivationKind kind in Kinds)
        {
            var y = new Guarded(source);
            string what = $"ActivateInPlace {kind} width={width} length={length}";

            Kernels.ActivateInPlace(y.Span, kind, Alpha, Matrix.Width(width));

            double[] expected = new double[length];
            for (int i = 0; i < length; i++)
            {
                expected[i] = ActivationReference.Apply(kind, source[i], Alpha);
            }

            Expect.Close(what, expected, y.Span, 1e-6);
            y.AssertGuardsIntact(what);
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Sum(string width, int length)
    {
        var random = new Seeded(6000 + (ulong)length);
        float[] a = random.Floats(length), b = random.Floats(length + 2);
        Guarded y = Guarded.Output(length);
        string what = $"Sum width={width} length={length}";

        Kernels.Sum(new Guarded(a).Span, new Guarded(b).Span, y.Span, Matrix.Width(width));

        double[] expected = new double[length], scale = new double[length];
        for (int i = 0; i < length; i++)
        {
            expected[i] = (double)a[i] + b[i];
            scale[i] = Math.Abs(a[i]) + Math.Abs(b[i]);
        }

        Expect.Close(what, expected, y.Span, 1e-6, scale);
        y.AssertGuardsIntact(what);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Accumulate(string width, int length)
    {
        var random = new Seeded(7000 + (ulong)length);
        float[] x = random.Floats(length), y0 = random.Floats(length);
        var x0 = new Guarded(x);
        var y = new Guarded(y0);
        string what = $"Accumulate width={width} length={length}";

        // Twice: y0 + x + x.
        Kernels.Accumulate(x0.Span, y.Span, Matrix.Width(width));
        Kernels.Accumulate(x0.Span, y.Span, Matrix.Width(width));

        double[] expected = new double[length], scale = new double[length];
        for (int i = 0; i < length; i++)
        {
            expected[i] = (double)y0[i] + x[i] + x[i];
            scale[i] = Math.Abs(y0[i]) + (2 * Math.Abs(x[i]));
        }

        Expect.Close(what, expected, y.Span, 1e-6, scale);
        Expect.Equal(what + " (x unchanged)", x, x0.Span);
        y.AssertGuardsIntact(what);
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Copy(int length)
    {
        float[] x = new Seeded(8000 + (ulong)length).Floats(length + 5);
        Guarded y = Guarded.Output(length);
        string what = $"Copy length={length}";

        Kernels.Copy(new Guarded(x).Span, y.Span);

        Expect.Equal(what, x.AsSpan(0, length), y.Span);
        y.AssertGuardsIntact(what);
    }

    /// <summary>Copy into the slice of each sample's output a concatenation gives one input.</summary>
    [Fact]
    public void Copy_IntoASliceOfALargerOutput()
    {
        float[] a = [1, 2, 3], b = [4, 5];
        Guarded y = Guarded.Output(5);

        Kernels.Copy(a, y.Span[..3]);
        Kernels.Copy(b, y.Span[3..]);

        Expect.Equal("Copy into slices", new float[] { 1, 2, 3, 4, 5 }, y.Span);
        y.AssertGuardsIntact("Copy into slices");
    }

    public static TheoryData<int> Lengths => new(Matrix.Lengths);

    private static void AssertAllNaN(string what, ReadOnlySpan<float> values)
    {
        for (int i = 0; i < values.Length; i++)
        {
            Assert.True(float.IsNaN(values[i]), $"{what}: element {i} was written ({values[i]})");
        }
    }
}
