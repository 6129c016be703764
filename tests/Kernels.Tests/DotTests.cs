using System;
using ModelCompiler.Generated;
using ModelCompiler.KernelTests.Infrastructure;
using Xunit;

namespace ModelCompiler.KernelTests;

/// <summary>Dot at every width and tail length against a double-precision sum, within 1e-5 of the sum of the
/// products' magnitudes.</summary>
public class DotTests
{
    private const double Tolerance = 1e-5;

    public static TheoryData<string, int> Cases => Matrix.WidthsByLength();

    [Theory]
    [MemberData(nameof(Cases))]
    public void Dot(string width, int length)
    {
        var random = new Seeded(500 + (ulong)length);
        float[] a = random.Floats(length), b = random.Floats(length, -4f, 4f);

        float actual = Kernels.Dot(new Guarded(a).Span, new Guarded(b).Span, Matrix.Width(width));

        double expected = 0, magnitude = 0;
        for (int i = 0; i < length; i++)
        {
            expected += (double)a[i] * b[i];
            magnitude += Math.Abs((double)a[i] * b[i]);
        }

        Expect.Close($"Dot width={width} length={length}", expected, actual, Tolerance, magnitude);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Dot_OfOnes_IsExactlyTheLength(string width, int length)
    {
        float[] ones = new float[length];
        ones.AsSpan().Fill(1f);

        float actual = Kernels.Dot(ones, ones, Matrix.Width(width));

        Assert.True(actual == length, $"Dot (ones) width={width} length={length}: {actual}");
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void DifferentLengths_AreRefused(string width) =>
        Assert.Throws<ArgumentException>("b", () => Kernels.Dot(new float[4], new float[5], Matrix.Width(width)));

    [Fact]
    public void UnresolvedAuto_RunsTheScalarPath()
    {
        // The kernels compare widths with >=, so Auto (0) passed without Kernels.Resolve is the scalar loop;
        // the generated Run resolves first. The scalar loop's summation order is observable in the rounding.
        float[] a = new Seeded(7).Floats(1000), b = new Seeded(8).Floats(1000);
        float auto = Kernels.Dot(a, b, VectorWidth.Auto);
        float scalar = Kernels.Dot(a, b, VectorWidth.Scalar);
        Assert.True(BitConverter.SingleToInt32Bits(auto) == BitConverter.SingleToInt32Bits(scalar), $"Dot width=Auto length=1000: {auto:R}, scalar gives {scalar:R}");
    }

    public static TheoryData<string> Widths => new(Matrix.Widths);
}
