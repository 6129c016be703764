using System;
using System.Runtime.Intrinsics;
using ModelCompiler.Generated;
using Xunit;

namespace ModelCompiler.KernelTests.Infrastructure;

/// <summary>The test matrix: every vector width a kernel can be asked for, and lengths that end in every tail
/// of every width (0, below and at each vector length, one past, odd sizes, long).</summary>
internal static class Matrix
{
    public static readonly int[] Lengths = [0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 47, 63, 64, 65, 100, 257, 1000];

    /// <summary>Scalar, V128, V256, V512 (only where Vector512 is hardware-accelerated: elsewhere it is a
    /// software fallback, not the path a user gets) and Auto, passed to the kernel unresolved.</summary>
    public static string[] Widths { get; } = Vector512.IsHardwareAccelerated
        ? [nameof(VectorWidth.Scalar), nameof(VectorWidth.V128), nameof(VectorWidth.V256), nameof(VectorWidth.V512), nameof(VectorWidth.Auto)]
        : [nameof(VectorWidth.Scalar), nameof(VectorWidth.V128), nameof(VectorWidth.V256), nameof(VectorWidth.Auto)];

    /// <summary>Every width with every length; theory parameters are (width name, length).</summary>
    public static TheoryData<string, int> WidthsByLength()
    {
        var data = new TheoryData<string, int>();
        foreach (string width in Widths)
        {
            foreach (int length in Lengths)
            {
                data.Add(width, length);
            }
        }

        return data;
    }

    public static VectorWidth Width(string name) => Enum.Parse<VectorWidth>(name);
}
