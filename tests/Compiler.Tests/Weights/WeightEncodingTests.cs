using System;
using System.Collections.Generic;
using System.Linq;
using ModelCompiler.Common;
using ModelCompiler.IR;
using ModelCompiler.Tests.Helpers;
using ModelCompiler.Weights;
using Xunit;

namespace ModelCompiler.Tests.Weights;

/// <summary>The weight-program steps the kernels to come use: channel selection, prepacking into a panel layout,
/// F16/BF16 and 2..8-bit quantization with per-row scales. Each is checked against values computed here by hand,
/// and packing then decoding (what the interpreter reads) against the canonical tensor.</summary>
public sealed class WeightEncodingTests
{
    // A [3, 2, 2] tensor: element [r, i, j] = 100 r + 10 i + j.
    private static readonly float[] Source = [0, 1, 10, 11, 100, 101, 110, 111, 200, 201, 210, 211];

    private static readonly LoadTensor Load = new("t.weight", EquatableArray.Create(3, 2, 2));

    private static float[] Tensor(string name) => name == "t.weight" ? Source : throw new KeyNotFoundException(name);

    [Fact]
    public void SelectChannels_AlongEachAxis_InTheGivenOrder()
    {
        Assert.Equal([200, 201, 210, 211, 0, 1, 10, 11], Evaluate(new SelectChannels(Load, 0, EquatableArray.Create(2, 0))));
        Assert.Equal([10, 11, 110, 111, 210, 211], Evaluate(new SelectChannels(Load, 1, EquatableArray.Create(1))));
        Assert.Equal([1, 0, 11, 10, 101, 100, 111, 110, 201, 200, 211, 210], Evaluate(new SelectChannels(Load, 2, EquatableArray.Create(1, 0))));
        Assert.Equal(EquatableArray.Create(2, 2, 2), new SelectChannels(Load, 0, EquatableArray.Create(2, 0)).Shape);
    }

    [Fact]
    public void SelectChannels_OutsideTheAxis_IsRefused()
    {
        ArgumentException e = Assert.Throws<ArgumentException>(() => Evaluate(new SelectChannels(Load, 0, EquatableArray.Create(3))));
        Assert.Contains("channel 3 is outside axis 0 of size 3", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Panel_LaysRowsOutInBlocksOfMr_ZeroPadded_AndDecodesExactly()
    {
        // Rows 0..2 with K = 4, mr = 2: panel 0 holds rows 0 and 1 interleaved per k, panel 1 row 2 and a zero row.
        var program = new Encode(Load, DataType.F32, WeightLayouts.PanelOf(2));
        byte[] packed = WeightProgramRunner.Pack(program, Tensor);
        Assert.Equal(2 * 4 * 2 * 4, program.Bytes);
        Assert.Equal([0, 100, 1, 101, 10, 110, 11, 111, 200, 0, 201, 0, 210, 0, 211, 0], Floats(packed));
        Assert.Equal(Source, WeightProgramRunner.Decode(program, packed, 0));
    }

    [Theory]
    [InlineData("F16")]
    [InlineData("BF16")]
    public void HalfPrecision_DecodesToTheRoundedValues(string type)
    {
        DataType dataType = type == "F16" ? DataType.F16 : DataType.BF16;
        float[] values = [1f, -2.5f, 65504f, 1e-3f, 3.14159f, 0f];
        var program = new Encode(new LoadTensor("v", EquatableArray.Create(6)), dataType, TensorLayout.Dense);
        byte[] packed = WeightProgramRunner.Pack(program, _ => values);
        Assert.Equal(12, packed.Length);
        float[] expected = values.Select(v => type == "F16"
            ? SafetensorsFile.HalfToSingle(SafetensorsWriter.SingleToHalf(v))
            : BitConverter.ToSingle(BitConverter.GetBytes(SafetensorsWriter.SingleToBFloat16(v) << 16), 0)).ToArray();
        Assert.Equal(expected, WeightProgramRunner.Decode(program, packed, 0));
        Assert.Equal(3.140625f, WeightProgramRunner.Decode(program, packed, 0)[4], type == "F16" ? 0.002f : 0.02f);
    }

    [Theory]
    [InlineData(8)]
    [InlineData(7)]
    [InlineData(5)]
    [InlineData(4)]
    [InlineData(3)]
    [InlineData(2)]
    public void RowScaled_PacksBitsTightly_AndRoundTripsWithinHalfAStep(int bits)
    {
        var rng = new Rng((ulong)bits);
        float[] values = rng.Uniform(5 * 13, -2, 2);
        values[13] = 0;
        for (int j = 0; j < 13; j++)
        {
            values[(4 * 13) + j] = 0; // an all-zero row keeps scale 1 and decodes to zeros
        }

        DataType type = bits == 8 ? DataType.I8 : DataType.Packed(bits);
        var program = new Encode(new LoadTensor("w", EquatableArray.Create(5, 13)), type, WeightLayouts.RowScaledLayout);
        byte[] packed = WeightProgramRunner.Pack(program, _ => values);

        // Five float scales, then five rows of 13 values at `bits` bits, each row rounded up to whole bytes.
        Assert.Equal((5 * 4) + (5 * (((13 * bits) + 7) / 8)), program.Bytes);
        Assert.Equal(program.Bytes, packed.Length);
        float[] decoded = WeightProgramRunner.Decode(program, packed, 0);
        int qmax = (1 << (bits - 1)) - 1;
        for (int r = 0; r < 5; r++)
        {
            float max = Enumerable.Range(0, 13).Max(j => Math.Abs(values[(r * 13) + j]));
            float step = max == 0 ? 1 : max / qmax;
            Assert.Equal(step, BitConverter.ToSingle(packed, 4 * r));
            for (int j = 0; j < 13; j++)
            {
                float v = values[(r * 13) + j], d = decoded[(r * 13) + j];
                Assert.True(Math.Abs(v - d) <= (step / 2) + 1e-6f, $"{bits} bits, row {r}, element {j}: {v} decoded as {d} (step {step})");
                Assert.Equal(Math.Round(d / step), d / step, 4); // on the grid
            }
        }

        Assert.All(decoded.Skip(4 * 13), d => Assert.Equal(0f, d));
    }

    [Fact]
    public void RowScaled_FourBits_HandPacked()
    {
        // One row [7, -7, 1, 0] at 4 bits: scale 1, nibbles 7, -7 (0b1001), 1, 0, least significant first.
        var program = new Encode(new LoadTensor("w", EquatableArray.Create(1, 4)), DataType.Packed(4), WeightLayouts.RowScaledLayout);
        byte[] packed = WeightProgramRunner.Pack(program, _ => [7f, -7f, 1f, 0f]);
        Assert.Equal([.. BitConverter.GetBytes(1f), 0x97, 0x01], packed);
        Assert.Equal([7f, -7f, 1f, 0f], WeightProgramRunner.Decode(program, packed, 0));
    }

    [Fact]
    public void Decode_ReadsAtTheTensorsOffsetInTheBlock()
    {
        var program = new Encode(Load, DataType.F32, WeightLayouts.PanelOf(4));
        byte[] block = new byte[64 + program.Bytes];
        WeightProgramRunner.Pack(program, Tensor).CopyTo(block, 64);
        Assert.Equal(Source, WeightProgramRunner.Decode(program, block, 64));
    }

    [Fact]
    public void EncodingsChangeTheLayoutDescription()
    {
        var dense = Encode.Float32(Load);
        var panel = new Encode(Load, DataType.F32, WeightLayouts.PanelOf(4));
        Assert.NotEqual(dense.ToString(), panel.ToString());
        Assert.Contains("panel(4)", panel.ToString(), StringComparison.Ordinal);
        Assert.NotEqual(dense, panel);
    }

    private static float[] Evaluate(WeightExpr expr) => WeightProgramRunner.Evaluate(expr, Tensor).Select(v => (float)v).ToArray();

    private static float[] Floats(byte[] bytes)
    {
        float[] values = new float[bytes.Length / 4];
        Buffer.BlockCopy(bytes, 0, values, 0, bytes.Length);
        return values;
    }
}
