using System;
using Xunit;

namespace ModelCompiler.KernelTests.Infrastructure;

/// <summary>Element-by-element comparison with a relative tolerance. Each element's allowed error is
/// <c>tolerance * scale[i]</c>: the expected value's magnitude for elementwise results, the sum of the terms'
/// magnitudes for reductions (cancellation makes the result itself the wrong scale). The message names the
/// kernel, width and shape (<paramref name="what"/>), the index and both values.</summary>
internal static class Expect
{
    public static void Close(string what, ReadOnlySpan<double> expected, ReadOnlySpan<float> actual, double tolerance) =>
        Close(what, expected, actual, tolerance, expected);

    public static void Close(string what, ReadOnlySpan<double> expected, ReadOnlySpan<float> actual, double tolerance, ReadOnlySpan<double> scale)
    {
        Assert.True(expected.Length == actual.Length, $"{what}: {actual.Length} values, expected {expected.Length}");
        for (int i = 0; i < expected.Length; i++)
        {
            if (!IsClose(expected[i], actual[i], tolerance, scale[i]))
            {
                Assert.Fail($"{what}: element {i} is {actual[i]:R}, expected {expected[i]:R} (tolerance {tolerance:R} relative to {Math.Abs(scale[i]):R})");
            }
        }
    }

    public static void Close(string what, double expected, float actual, double tolerance, double scale)
    {
        if (!IsClose(expected, actual, tolerance, scale))
        {
            Assert.Fail($"{what}: {actual:R}, expected {expected:R} (tolerance {tolerance:R} relative to {Math.Abs(scale):R})");
        }
    }

    /// <summary>Bit-exact equality, for kernels that only move data.</summary>
    public static void Equal(string what, ReadOnlySpan<float> expected, ReadOnlySpan<float> actual)
    {
        Assert.True(expected.Length == actual.Length, $"{what}: {actual.Length} values, expected {expected.Length}");
        for (int i = 0; i < expected.Length; i++)
        {
            if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i]))
            {
                Assert.Fail($"{what}: element {i} is {actual[i]:R}, expected {expected[i]:R}");
            }
        }
    }

    /// <summary>NaN matches NaN; equal values (equal infinities included) always match.</summary>
    private static bool IsClose(double expected, float actual, double tolerance, double scale) =>
        double.IsNaN(expected) ? float.IsNaN(actual) : actual == expected || Math.Abs(actual - expected) <= tolerance * Math.Abs(scale);
}
