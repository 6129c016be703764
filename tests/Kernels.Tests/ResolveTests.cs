using System.Runtime.Intrinsics;
using ModelCompiler.Generated;
using Xunit;

namespace ModelCompiler.KernelTests;

/// <summary>Kernels.Resolve: the width the generated Run passes to every kernel.</summary>
public class ResolveTests
{
    [Fact]
    public void Auto_IsTheWidestAcceleratedWidth()
    {
        VectorWidth expected = Vector512.IsHardwareAccelerated ? VectorWidth.V512
            : Vector256.IsHardwareAccelerated ? VectorWidth.V256
            : Vector128.IsHardwareAccelerated ? VectorWidth.V128
            : VectorWidth.Scalar;
        Assert.Equal(expected, Kernels.Resolve(VectorWidth.Auto));
    }

    [Theory]
    [InlineData(nameof(VectorWidth.Scalar))]
    [InlineData(nameof(VectorWidth.V128))]
    [InlineData(nameof(VectorWidth.V256))]
    [InlineData(nameof(VectorWidth.V512))]
    public void AForcedWidth_IsKept(string width)
    {
        VectorWidth w = System.Enum.Parse<VectorWidth>(width);
        Assert.Equal(w, Kernels.Resolve(w));
    }
}
