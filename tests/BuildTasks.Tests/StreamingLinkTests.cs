using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using ModelCompiler.BuildTasks.Tests.TestSupport;
using ModelCompiler.Common;
using ModelCompiler.Linking;
using ModelCompiler.Weights;
using Xunit;

namespace ModelCompiler.BuildTasks.Tests;

/// <summary>The build's memory is bounded by the largest tensor, not by the weights' size: the check keeps no
/// tensor, the packer makes one packed tensor at a time and writes it before reading the next one's sources, and
/// the artifact writer streams each block into its file (past 2 GiB too) with the same bytes as in memory.</summary>
public sealed class StreamingLinkTests : IDisposable
{
    private readonly TempDirectory _project = new();

    private string WeightsPath => _project.File("weights/net.safetensors");

    public void Dispose() => _project.Dispose();

    [Fact]
    public void Check_PacksNothing_AndTheStreamedBlockIsTheOneLinkMakes()
    {
        Models.ConvNetWeights().WriteTo(WeightsPath);

        WeightLinkResult result = WeightLinker.Check(Models.ConvNet(), _project.Path);
        Assert.True(result.Succeeded);
        Assert.Null(result.Entry);

        ArtifactBlock block = WeightLinker.Block(result);
        using var streamed = new MemoryStream();
        ulong hash = block.Write(streamed);

        ArtifactEntry linked = WeightLinker.Link(Models.ConvNet(), _project.Path).Entry!;
        Assert.Equal(linked.Data, streamed.ToArray());
        Assert.Equal(linked.ContentHash, hash);
        Assert.Equal(linked.Data.LongLength, block.Length);
    }

    [Theory]
    [InlineData("deleted", "it changed while the build read it (Could not find file")]
    [InlineData("truncated", "it changed while the build read it (the header length")]
    [InlineData("a tensor gone", "it changed while the build read it (tensor 'fc.bias' is gone)")]
    [InlineData("a NaN", "it changed while the build read it (tensor 'fc.weight' now holds a non-finite value)")]
    public void AFileChangedBetweenCheckAndPacking_IsMC2008AtTheModelAttribute_NotPacked(string change, string message)
    {
        Models.ConvNetWeights().WriteTo(WeightsPath);
        WeightLinkResult result = WeightLinker.Check(Models.ConvNet(), _project.Path);
        Assert.True(result.Succeeded);
        switch (change)
        {
            case "deleted":
                File.Delete(WeightsPath);
                break;
            case "truncated":
                File.WriteAllBytes(WeightsPath, File.ReadAllBytes(WeightsPath)[..40]);
                break;
            case "a tensor gone":
                Models.ConvNetWeights().Without("fc.bias").WriteTo(WeightsPath);
                break;
            default:
                Models.ConvNetWeights().Without("fc.weight").F32("fc.weight", [3, 32], Enumerable.Repeat(float.NaN, 96).ToArray()).WriteTo(WeightsPath);
                break;
        }

        using var output = new MemoryStream();
        var e = Assert.Throws<WeightsChangedException>(() => WeightLinker.Block(result).Write(output));

        Assert.Equal("MC2008", e.Diagnostic.Id);
        Assert.Contains("Weights file '" + WeightsPath + "' cannot be read: " + message, e.Diagnostic.Message, StringComparison.Ordinal);
        Assert.EndsWith("; build again once it is written", e.Diagnostic.Message, StringComparison.Ordinal);
        Assert.Equal(Models.WeightsAttributeLocation, e.Diagnostic.Location);
    }

    [Fact]
    public void PackTo_WritesEachTensorBeforeReadingTheNextOnesSources()
    {
        Models.ConvNetWeights().WriteTo(WeightsPath);
        WeightLayout layout = WeightLinker.Check(Models.ConvNet(), _project.Path).Compilation.Layout!;
        using var file = new FileStream(WeightsPath, FileMode.Open, FileAccess.Read);
        SafetensorsFile weights = SafetensorsFile.Parse(file);
        var events = new List<string>();
        using var output = new RecordingStream(events);

        WeightLinker.PackTo(layout, name =>
        {
            events.Add("read " + name);
            return weights.ReadFloat32(name);
        }, output);

        // conv1 (bn1 folded in) first, then fc: fc's tensors are read only after conv1's bytes are written.
        int firstWrite = events.IndexOf("write");
        Assert.True(firstWrite > 0, string.Join(", ", events));
        Assert.DoesNotContain("read fc.weight", events.Take(firstWrite));
        Assert.Contains("read fc.weight", events.Skip(firstWrite));
        // Between two writes, a source tensor is read once, not once per use inside the packed tensor's program.
        foreach (string group in string.Join(",", events).Split("write"))
        {
            string[] names = group.Split(',', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(names.Distinct().Count(), names.Length);
        }

        Assert.Equal(layout.Tensors.Count, events.Count(e => e == "write"));
    }

    [Fact]
    public void Artifact_PastTwoGibibytes_HasLongOffsets_AndNoBlockInMemory()
    {
        // Two blocks of 1.5 GiB written to a stream that only counts: the writer never asks for their bytes at once.
        const long Large = 3L << 29;
        ArtifactBlock[] blocks =
        [
            new("Demo.First", 1, Large, output => Zeros(output, Large)),
            new("Demo.Second", 2, Large, output => Zeros(output, Large)),
            new("Demo.Small", 3, 4, output => Zeros(output, 4)),
        ];
        using var output = new CountingStream();

        WeightArtifact.Write(output, blocks);

        using var header = new BinaryReader(new MemoryStream(output.Head));
        header.ReadBytes(16);
        var offsets = new List<long>();
        for (int i = 0; i < blocks.Length; i++)
        {
            header.ReadBytes(header.ReadUInt16() + 16);
            offsets.Add(header.ReadInt64());
            Assert.Equal(blocks[i].Length, header.ReadInt64());
        }

        // The table (16 + 3 entries of 2 + name + 32 bytes = 149) rounds up to 192.
        Assert.Equal([192, 192 + Large, 192 + (2 * Large)], offsets);
        Assert.Equal(192 + (2 * Large) + 4, output.Length);
    }

    private static ulong Zeros(Stream output, long count)
    {
        byte[] chunk = new byte[1 << 20];
        for (long left = count; left > 0; left -= chunk.Length)
        {
            output.Write(chunk, 0, (int)Math.Min(left, chunk.Length));
        }

        return 0;
    }

    /// <summary>Logs "write" for each write (other than the zero padding between tensors) into a memory stream.</summary>
    private sealed class RecordingStream(List<string> events) : MemoryStream
    {
        public override void Write(byte[] buffer, int offset, int count)
        {
            if (buffer.Skip(offset).Take(count).Any(b => b != 0))
            {
                events.Add("write");
            }

            base.Write(buffer, offset, count);
        }
    }

    /// <summary>A seekable stream that keeps only its first 4 KB (the artifact's header and table) and its length.</summary>
    private sealed class CountingStream : Stream
    {
        private long _length;

        public byte[] Head { get; } = new byte[4096];

        public override bool CanRead => false;

        public override bool CanSeek => true;

        public override bool CanWrite => true;

        public override long Length => _length;

        public override long Position { get; set; }

        public override void Write(byte[] buffer, int offset, int count)
        {
            for (int i = 0; i < count && Position + i < Head.Length; i++)
            {
                Head[Position + i] = buffer[offset + i];
            }

            Position += count;
            _length = Math.Max(_length, Position);
        }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => Position = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => Position + offset,
            _ => _length + offset,
        };

        public override void SetLength(long value) => _length = value;
    }
}
