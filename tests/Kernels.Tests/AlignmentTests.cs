using System;
using ModelCompiler.Generated;
using Xunit;

namespace ModelCompiler.KernelTests;

/// <summary>The buffers full-width vector loads read: a model's weight block and a thread's tile buffer start on a
/// 64-byte boundary whatever the size asked for, keep their contents, and (tile buffers) grow without moving what a
/// smaller request already got.</summary>
public sealed class AlignmentTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(63)]
    [InlineData(64)]
    [InlineData(1000)]
    public unsafe void WeightBlock_StartsOnA64ByteBoundary_AndHoldsTheBytes(int length)
    {
        byte[] data = new byte[length];
        for (int i = 0; i < length; i++)
        {
            data[i] = (byte)((i * 37) + 11);
        }

        for (int attempt = 0; attempt < 8; attempt++)
        {
            var block = new WeightBlock(data);
            fixed (byte* start = block.Span)
            {
                Assert.True(length == 0 || (long)start % 64 == 0, $"a {length}-byte block starts at {(long)start % 64} bytes past a cache line");
            }

            Assert.Equal(data, block.Span.ToArray());
            Assert.Equal(length, block.Length);
        }
    }

    [Fact]
    public void WeightBlock_F32_ReadsLittleEndianFloatsAtAByteOffset()
    {
        byte[] data = new byte[72];
        BitConverter.TryWriteBytes(data.AsSpan(64), 1.5f);
        BitConverter.TryWriteBytes(data.AsSpan(68), -2f);
        var block = new WeightBlock(data);

        Assert.Equal([1.5f, -2f], block.F32(64, 2).ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => block.F32(68, 2).ToArray());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(17)]
    [InlineData(100_000)]
    public unsafe void TileBuffer_StartsOnA64ByteBoundary(int floats)
    {
        Span<float> tile = Kernels.TileBuffer(floats);
        fixed (float* start = tile)
        {
            Assert.Equal(0, (long)start % 64);
        }

        Assert.Equal(floats, tile.Length);
    }

    [Fact]
    public void TileBuffer_IsReusedWhileLargeEnough()
    {
        Span<float> large = Kernels.TileBuffer(300_000);
        large[5] = 42f;
        Span<float> small = Kernels.TileBuffer(10);

        Assert.Equal(42f, small[5]);
    }
}
