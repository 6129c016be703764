using System;
using System.IO;
using System.IO.Hashing;
using System.Linq;
using System.Text;
using ModelCompiler.BuildTasks.Tests.TestSupport;
using Xunit;

namespace ModelCompiler.BuildTasks.Tests;

/// <summary>The weights fingerprint is XXH64 (seed 0): the published vectors, System.IO.Hashing's XxHash64 as an
/// independent oracle at every tail length and across chunk boundaries, and the changes it must notice.</summary>
public sealed class WeightsFingerprintTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("", 0xEF46DB3751D8E999UL)]
    [InlineData("a", 0xD24EC4F1A98C6E5BUL)]
    [InlineData("abc", 0x44BC2CF5AD770999UL)]
    public void KnownVectors(string text, ulong expected) =>
        Assert.Equal(expected, WeightsFingerprint.OfBytes(Encoding.ASCII.GetBytes(text)));

    [Theory]
    [InlineData(32)]
    [InlineData(96)]
    [InlineData(WeightsFingerprint.ChunkBytes)]
    public void IsXxHash64_AtEveryTailLength_AndAcrossChunks(int chunkBytes)
    {
        foreach (int length in Enumerable.Range(0, 300).Concat([4095, 4096, 4097, 100_003]))
        {
            byte[] data = Bytes(length, seed: length);
            ulong expected = XxHash64.HashToUInt64(data);
            Assert.Equal(expected, WeightsFingerprint.OfBytes(data));
            Assert.Equal(expected, WeightsFingerprint.OfStream(new MemoryStream(data), chunkBytes));
        }
    }

    [Fact]
    public void OfFile_ReadsEveryChunk_AndTheShortLastOne()
    {
        byte[] data = Bytes(2 * WeightsFingerprint.ChunkBytes + 45, seed: 1);
        string path = _dir.File("weights.safetensors");
        File.WriteAllBytes(path, data);

        Assert.Equal(XxHash64.HashToUInt64(data), WeightsFingerprint.OfFile(path));
    }

    [Fact]
    public void ShortReads_HashTheSameBytes()
    {
        byte[] data = Bytes(1000, seed: 2);

        Assert.Equal(WeightsFingerprint.OfBytes(data), WeightsFingerprint.OfStream(new TrickleStream(data, 7), chunkBytes: 64));
    }

    [Fact]
    public void OneByteChangedAnywhere_ChangesIt()
    {
        // Three whole 64-byte chunks and a partial one: every position of every lane, stripe and the tail.
        byte[] data = Bytes(3 * 64 + 29, seed: 3);
        ulong original = WeightsFingerprint.OfStream(new MemoryStream(data), chunkBytes: 64);
        for (int i = 0; i < data.Length; i++)
        {
            byte[] changed = (byte[])data.Clone();
            changed[i] ^= 0x01;
            Assert.NotEqual(original, WeightsFingerprint.OfStream(new MemoryStream(changed), chunkBytes: 64));
        }
    }

    [Fact]
    public void LengthMatters_TrailingZerosIncluded()
    {
        ulong[] zeros = Enumerable.Range(0, 130).Select(n => WeightsFingerprint.OfBytes(new byte[n])).ToArray();

        Assert.Equal(zeros.Length, zeros.Distinct().Count());
    }

    private static byte[] Bytes(int length, int seed)
    {
        byte[] data = new byte[length];
        new Random(seed).NextBytes(data);
        return data;
    }

    /// <summary>Returns at most a few bytes per Read, as a pipe or a network share may.</summary>
    private sealed class TrickleStream(byte[] data, int most) : MemoryStream(data)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, most));
    }
}
