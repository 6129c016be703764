using System;
using ModelCompiler.Common;
using ModelCompiler.IR;
using ModelCompiler.Weights;

namespace ModelCompiler.KernelTests.Infrastructure;

/// <summary>Weights in a kernel's panel layout, packed by the build's own encoder (<see cref="WeightProgramRunner.Encode"/>),
/// so the kernel tests also check that what the build writes is what the kernels read.</summary>
internal static class Packing
{
    /// <summary>[rows, k] row-major packed as [ceil(rows / panelRows)][k][panelRows], the last panel zero-padded.</summary>
    public static float[] Panels(float[] values, int rows, int k, int panelRows)
    {
        var program = new Encode(new LoadTensor("w", EquatableArray.Create(rows, k)), DataType.F32, WeightLayouts.PanelOf(panelRows));
        byte[] bytes = WeightProgramRunner.Encode(program, values);
        float[] packed = new float[bytes.Length / sizeof(float)];
        Buffer.BlockCopy(bytes, 0, packed, 0, bytes.Length);
        return packed;
    }
}
