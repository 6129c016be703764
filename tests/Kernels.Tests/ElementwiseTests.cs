using System;
using ModelCompiler.Generated;
using ModelCompiler.KernelTests.Infrastructure;
using Xunit;

namespace ModelCompiler.KernelTests;

/// <summary>MultiplyAdd, Add and ScaleShift at every width and tail length against float references in the same
/// operation order (so any difference is a kernel bug, not rounding).</summary>
public class ElementwiseTests
{
    private const double Tolerance = 1e-6;

    public static TheoryData<string, int> Cases => Matrix.WidthsByLength();

    [Theory]
    [MemberData(nameof(Cases))]
    public void MultiplyAdd(string width, int length)
    {
        var random = new Seeded(100 + (ulong)length);
        float[] x = random.Floats(length), y0 = random.Floats(length);
        float a = random.Next(-2f, 2f);
        var xs = new Guarded(x);
        var ys = new Guarded(y0);
        string what = $"MultiplyAdd width={width} length={length}";

        Kernels.MultiplyAdd(xs.Span, a, ys.Span, Matrix.Width(width));

        double[] expected = new double[length], scale = new double[length];
        for (int i = 0; i < length; i++)
        {
            expected[i] = y0[i] + (x[i] * a);
            scale[i] = Math.Abs(y0[i]) + Math.Abs(x[i] * a);
        }

        Expect.Close(what, expected, ys.Span, Tolerance, scale);
        ys.AssertGuardsIntact(what);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void MultiplyAdd_ReadsOnlyTheOutputsLength_OfALongerInput(string width, int length)
    {
        var random = new Seeded(200 + (ulong)length);
        float[] x = random.Floats(length + 5);
        var ys = new Guarded(new float[length]);
        string what = $"MultiplyAdd (longer x) width={width} length={length}";

        Kernels.MultiplyAdd(x, 3f, ys.Span, Matrix.Width(width));

        double[] expected = new double[length];
        for (int i = 0; i < length; i++)
        {
            expected[i] = x[i] * 3f;
        }

        Expect.Close(what, expected, ys.Span, Tolerance);
        ys.AssertGuardsIntact(what);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Add(string width, int length)
    {
        var random = new Seeded(300 + (ulong)length);
        float[] a = random.Floats(length), b = random.Floats(length);
        Guarded y = Guarded.Output(length);
        string what = $"Add width={width} length={length}";

        Kernels.Add(new Guarded(a).Span, new Guarded(b).Span, y.Span, Matrix.Width(width));

        double[] expected = new double[length], scale = new double[length];
        for (int i = 0; i < length; i++)
        {
            expected[i] = a[i] + b[i];
            scale[i] = Math.Abs(a[i]) + Math.Abs(b[i]);
        }

        Expect.Close(what, expected, y.Span, Tolerance, scale);
        y.AssertGuardsIntact(what);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Add_InPlace(string width, int length)
    {
        var random = new Seeded(350 + (ulong)length);
        float[] a = random.Floats(length), b = random.Floats(length);
        var y = new Guarded(a);
        string what = $"Add (in place) width={width} length={length}";

        Kernels.Add(y.Span, b, y.Span, Matrix.Width(width));

        double[] expected = new double[length], scale = new double[length];
        for (int i = 0; i < length; i++)
        {
            expected[i] = a[i] + b[i];
            scale[i] = Math.Abs(a[i]) + Math.Abs(b[i]);
        }

        Expect.Close(what, expected, y.Span, Tolerance, scale);
        y.AssertGuardsIntact(what);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ScaleShift(string width, int length)
    {
        var random = new Seeded(400 + (ulong)length);
        float[] x = random.Floats(length);
        float scaleBy = random.Next(-3f, 3f), shift = random.Next(-1f, 1f);
        Guarded y = Guarded.Output(length);
        string what = $"ScaleShift width={width} length={length}";

        Kernels.ScaleShift(new Guarded(x).Span, scaleBy, shift, y.Span, Matrix.Width(width));

        double[] expected = new double[length], scale = new double[length];
        for (int i = 0; i < length; i++)
        {
            expected[i] = shift + (x[i] * scaleBy);
            scale[i] = Math.Abs(shift) + Math.Abs(x[i] * scaleBy);
        }

        Expect.Close(what, expected, y.Span, Tolerance, scale);
        y.AssertGuardsIntact(what);
    }

    [Theory]
    [MemberData(nameof(ShortInputs))]
    public void ShorterInput_IsRefused(string width)
    {
        VectorWidth w = Matrix.Width(width);
        Assert.Throws<ArgumentException>("x", () => Kernels.MultiplyAdd(new float[3], 1f, new float[4], w));
        Assert.Throws<ArgumentException>("a", () => Kernels.Add(new float[3], new float[4], new float[4], w));
        Assert.Throws<ArgumentException>("a", () => Kernels.Add(new float[4], new float[3], new float[4], w));
    }

    public static TheoryData<string> ShortInputs => new(Matrix.Widths);
}
