using System;
using System.IO;
using System.Linq;
using ModelCompiler.Tests.Helpers;
using ModelCompiler.Weights;
using Xunit;

namespace ModelCompiler.Tests.Weights;

/// <summary>The packed-weights artifact: write then read gives the same entries, data lands 64-byte aligned,
/// and any truncation or corruption of the checked parts is refused with <see cref="InvalidDataException"/>.</summary>
public sealed class WeightArtifactTests
{
    private static readonly ArtifactEntry[] Entries =
    [
        new("My.Models.Net", 0x0123456789abcdefUL, Bytes(new Rng(1).Uniform(37, -1, 1))),
        new("Empty", 42UL, []),
        new("Ünïcode.Model", ulong.MaxValue, Bytes(new Rng(2).Uniform(16, -100, 100)).Take(61).ToArray()),
    ];

    [Fact]
    public void RoundTrip()
    {
        var read = WeightArtifact.Read(WeightArtifact.Write(Entries));

        Assert.Equal(Entries.Length, read.Count);
        for (int i = 0; i < Entries.Length; i++)
        {
            Assert.Equal((Entries[i].Model, Entries[i].LayoutHash), (read[i].Model, read[i].LayoutHash));
            Assert.Equal(Entries[i].Data, read[i].Data);
        }
    }

    [Fact]
    public void RoundTrip_NoModels() => Assert.Empty(WeightArtifact.Read(WeightArtifact.Write([])));

    [Fact]
    public void Data_IsAlignedTo64Bytes()
    {
        byte[] bytes = WeightArtifact.Write(Entries);
        using var reader = new BinaryReader(new MemoryStream(bytes));
        reader.BaseStream.Position = 16;
        foreach (ArtifactEntry e in Entries)
        {
            int nameLength = reader.ReadUInt16();
            reader.BaseStream.Position += nameLength + 16;
            Assert.Equal(0, reader.ReadInt64() % 64);
            Assert.Equal(e.Data.Length, reader.ReadInt64());
        }
    }

    [Theory]
    [InlineData(0, "bad magic")]
    [InlineData(4, "format version")]
    [InlineData(8, "model count")]
    public void Read_RejectsBadHeaderFields(int offset, string message)
    {
        byte[] bytes = WeightArtifact.Write(Entries);
        bytes[offset] ^= 0x40;
        InvalidDataException e = Assert.Throws<InvalidDataException>(() => WeightArtifact.Read(bytes));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_RejectsCorruptedData()
    {
        byte[] bytes = WeightArtifact.Write(Entries);
        bytes[^1] ^= 1;
        InvalidDataException e = Assert.Throws<InvalidDataException>(() => WeightArtifact.Read(bytes));
        Assert.Contains("model 'Ünïcode.Model' data does not match its hash", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_RejectsEveryTruncation()
    {
        byte[] bytes = WeightArtifact.Write(Entries);
        for (int length = 0; length < bytes.Length; length++)
        {
            byte[] prefix = bytes[..length];
            InvalidDataException e = Assert.Throws<InvalidDataException>(() => WeightArtifact.Read(prefix));
            Assert.StartsWith("weights artifact is invalid: ", e.Message, StringComparison.Ordinal);
        }
    }

    /// <summary>Flipping any byte either is refused with InvalidDataException or leaves every returned model's data
    /// intact (padding, the reserved field, the layout hash and name, which the loader matches against its own, or a
    /// smaller model count, which the loader reports as a missing model): never wrong floats, never another exception.</summary>
    [Fact]
    public void Read_NeverReturnsCorruptedDataOrThrowsAnythingElse()
    {
        byte[] original = WeightArtifact.Write(Entries);
        for (int i = 0; i < original.Length; i++)
        {
            foreach (byte flip in new byte[] { 0x01, 0x80, 0xff })
            {
                byte[] bytes = (byte[])original.Clone();
                bytes[i] ^= flip;
                try
                {
                    var read = WeightArtifact.Read(bytes);
                    Assert.Equal(Entries.Select(e => e.Data).Take(read.Count), read.Select(e => e.Data));
                }
                catch (InvalidDataException)
                {
                }
            }
        }
    }

    private static byte[] Bytes(float[] values)
    {
        byte[] bytes = new byte[values.Length * 4];
        Buffer.BlockCopy(values, 0, bytes, 0, bytes.Length);
        return bytes;
    }
}
