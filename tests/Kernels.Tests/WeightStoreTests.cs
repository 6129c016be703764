using System;
using System.IO;
using ModelCompiler.Emit;
using ModelCompiler.Generated;
using ModelCompiler.KernelTests.Infrastructure;
using ModelCompiler.Weights;
using ModelCompiler.Common;
using Xunit;

namespace ModelCompiler.KernelTests;

/// <summary>The weight store as it ships (Compiler/Runtime/WeightStore.cs, with its placeholder assembly name)
/// against artifacts written by the Compiler's <see cref="WeightArtifact.Write"/>: the happy path and every way
/// it refuses a file, with the reason and the fix in the message. Each test points the store at its own file
/// (tests of one class run one at a time).</summary>
public sealed class WeightStoreTests : IDisposable
{
    private const ulong LayoutA = 0x0123456789abcdefUL, LayoutB = 0xfedcba9876543210UL;
    private const string PathKey = "ModelCompiler.WeightsPath:" + RuntimeSource.PlaceholderAssemblyName;
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "modelcompiler-kernels-tests", Guid.NewGuid().ToString("N"));
    // Weight blocks as the linker writes them: typed little-endian bytes (here 37 and 64 floats, and an odd length).
    private readonly byte[] _a = Bytes(new Seeded(1).Floats(37)), _b = Bytes(new Seeded(2).Floats(64))[..253];

    public WeightStoreTests()
    {
        Directory.CreateDirectory(_directory);
        ArtifactPath = Path.Combine(_directory, WeightArtifact.FileName(RuntimeSource.PlaceholderAssemblyName));
        AppContext.SetData(PathKey, ArtifactPath);
    }

    private string ArtifactPath { get; }

    [Fact]
    public void Load_ReturnsEachModelsFloats()
    {
        Write(WeightArtifact.Write([new ArtifactEntry("Demo.A", LayoutA, _a), new ArtifactEntry("Demo.B", LayoutB, _b)]));

        Assert.Equal(_b, WeightStore.Load("Demo.B", LayoutB, _b.Length).Span.ToArray());
        Assert.Equal(_a, WeightStore.Load("Demo.A", LayoutA, _a.Length).Span.ToArray());
    }

    [Fact]
    public void Load_ReadsOnlyTheModelsBlock_IntoItsOneCopy()
    {
        // A 16 MB model beside a small one: loading the small one reads neither the other's block nor the whole
        // file; loading the large one allocates its block once (the weights are resident once, not file + block).
        byte[] large = Bytes(new Seeded(3).Floats(4 << 20));
        Write(WeightArtifact.Write([new ArtifactEntry("Demo.A", LayoutA, _a), new ArtifactEntry("Demo.Large", LayoutB, large)]));

        long before = GC.GetAllocatedBytesForCurrentThread();
        WeightBlock small = WeightStore.Load("Demo.A", LayoutA, _a.Length);
        long smallAllocated = GC.GetAllocatedBytesForCurrentThread() - before;
        before = GC.GetAllocatedBytesForCurrentThread();
        WeightBlock block = WeightStore.Load("Demo.Large", LayoutB, large.Length);
        long largeAllocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(_a, small.Span.ToArray());
        Assert.True(block.Span.SequenceEqual(large));
        Assert.InRange(smallAllocated, 0, 256 << 10);
        Assert.InRange(largeAllocated, large.Length, large.Length + (256 << 10));
    }

    [Fact]
    public void Load_ReadsTheFileAtEachCall_SoADeployedFixIsSeen()
    {
        Write(WeightArtifact.Write([new ArtifactEntry("Demo.A", LayoutA, _b[..148])]));
        Assert.NotEqual(_a, WeightStore.Load("Demo.A", LayoutA, _a.Length).Span.ToArray());
        Write(WeightArtifact.Write([new ArtifactEntry("Demo.A", LayoutA, _a)]));

        Assert.Equal(_a, WeightStore.Load("Demo.A", LayoutA, _a.Length).Span.ToArray());
    }

    [Fact]
    public void AModelPastTwoGibibytes_IsLoaded()
    {
        // A 2.5 GiB block of zeros before Demo.A, in a stream that stores only the pages written with other bytes.
        const long Zeros = 5L << 29;
        using var stream = new SparseStream();
        WeightArtifact.Write(stream, [
            new ArtifactBlock("Demo.Zeros", LayoutB, Zeros, output =>
            {
                output.Position += Zeros;
                return 0;
            }),
            ArtifactBlock.From(new ArtifactEntry("Demo.A", LayoutA, _a)),
        ]);
        Assert.True(stream.Length > Zeros);

        stream.Position = 0;
        Assert.Equal(_a, WeightStore.Load(stream, "big.mcweights", "Demo.A", LayoutA, _a.Length).Span.ToArray());
    }

    [Fact]
    public void AModelWhoseOwnBlockPassesTwoGibibytes_IsLoaded_AndReadAtLongOffsets()
    {
        // A 2.5 GiB block of zeros but for eight floats just past 2 GiB (in its third 1 GiB array) and eight at 1.5 GiB (in
        // its second, at an offset an int holds), from a sparse stream.
        const long Length = 5L << 29, At = (2L << 30) + 64;
        const int Middle = 3 << 29;
        float[] values = [1.5f, -2f, 3.25f, 4f, -5.5f, 6f, 7f, 8.125f];
        byte[] bytes = new byte[values.Length * 4];
        Buffer.BlockCopy(values, 0, bytes, 0, bytes.Length);
        ulong hash = Zeros(Hashing.Fnv1a64([]), Middle);
        hash = Zeros(Hashing.Fnv1a64(bytes, hash), At - Middle - bytes.Length);
        hash = Zeros(Hashing.Fnv1a64(bytes, hash), Length - At - bytes.Length);
        using var stream = new SparseStream();
        WeightArtifact.Write(stream, [new ArtifactBlock("Demo.Big", LayoutA, Length, output =>
        {
            output.Position += Middle;
            output.Write(bytes);
            output.Position += At - Middle - bytes.Length;
            output.Write(bytes);
            output.Position += Length - At - bytes.Length - 1;
            output.WriteByte(0);   // the block's last byte, so the stream has its length
            return hash;
        })]);

        stream.Position = 0;
        WeightBlock block = WeightStore.Load(stream, "big.mcweights", "Demo.Big", LayoutA, Length);

        Assert.Equal(Length, block.Length);
        Assert.Equal(3, block.ChunkCount);
        Assert.Equal(values, block.F32(At, values.Length).ToArray());
        Assert.Equal(values, block.F32(Middle, values.Length).ToArray());
        Assert.Equal(new float[4], block.F32(At - 16, 4).ToArray());
        Assert.Throws<InvalidOperationException>(() => block.Span.Length);
    }

    /// <summary>FNV-1a 64 continued over <paramref name="count"/> zero bytes: each multiplies by the prime.</summary>
    private static ulong Zeros(ulong hash, long count)
    {
        ulong factor = 1099511628211UL, result = hash;
        for (long n = count; n > 0; n >>= 1, factor *= factor)
        {
            result = (n & 1) != 0 ? result * factor : result;
        }

        return result;
    }

    [Fact]
    public void ADirectory_IsRefused_SayingSo()
    {
        Directory.CreateDirectory(ArtifactPath);
        AssertRefused("it is a directory; set '" + PathKey + "' to the .mcweights file itself", () => WeightStore.Load("Demo.A", LayoutA, _a.Length));
    }

    [Fact]
    public void ArtifactPath_IsTheAppContextData_ElseTheFileBesideTheApplication()
    {
        Assert.Equal(ArtifactPath, WeightStore.ArtifactPath);
        AppContext.SetData(PathKey, null);
        Assert.Equal(Path.Combine(AppContext.BaseDirectory, "ModelCompiler.Placeholder.Assembly.mcweights"), WeightStore.ArtifactPath);
    }

    [Fact]
    public void MissingFile_ThrowsFileNotFound_NamingThePathAndBothFixes()
    {
        var e = Assert.Throws<FileNotFoundException>(() => WeightStore.Load("Demo.A", LayoutA, _a.Length));
        Assert.Equal(ArtifactPath, e.FileName);
        Assert.Contains("'" + ArtifactPath + "' was not found", e.Message, StringComparison.Ordinal);
        Assert.Contains("deploy it with the application", e.Message, StringComparison.Ordinal);
        Assert.Contains("'" + PathKey + "'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingDirectory_ThrowsFileNotFound()
    {
        AppContext.SetData(PathKey, Path.Combine(_directory, "absent", "x.mcweights"));
        Assert.Throws<FileNotFoundException>(() => WeightStore.Load("Demo.A", LayoutA, _a.Length));
    }

    [Theory]
    [InlineData("version https://git-lfs.github.com/spec/v1\n")]
    [InlineData("MCWT")]
    [InlineData("")]
    public void NotAnArtifact_IsRefused(string content)
    {
        File.WriteAllText(ArtifactPath, content);
        AssertRefused("not a ModelCompiler weights artifact", () => WeightStore.Load("Demo.A", LayoutA, _a.Length));
    }

    [Fact]
    public void NotAnArtifact_IsNotCached()
    {
        File.WriteAllText(ArtifactPath, "not yet");
        Assert.Throws<InvalidDataException>(() => WeightStore.Load("Demo.A", LayoutA, _a.Length));
        Write(WeightArtifact.Write([new ArtifactEntry("Demo.A", LayoutA, _a)]));

        Assert.Equal(_a, WeightStore.Load("Demo.A", LayoutA, _a.Length).Span.ToArray());
    }

    [Fact]
    public void AnotherFormatVersion_IsRefused()
    {
        byte[] bytes = WeightArtifact.Write([new ArtifactEntry("Demo.A", LayoutA, _a)]);
        bytes[4] = 3;
        Write(bytes);
        AssertRefused("format version 3, this code reads version 2; rebuild the project", () => WeightStore.Load("Demo.A", LayoutA, _a.Length));
    }

    [Fact]
    public void WrongLayoutHash_IsRefusedAsStale()
    {
        Write(WeightArtifact.Write([new ArtifactEntry("Demo.A", LayoutA, _a)]));
        InvalidDataException e = AssertRefused("another declaration of model 'Demo.A'", () => WeightStore.Load("Demo.A", LayoutB, _a.Length));
        Assert.Contains("layout 0123456789abcdef, the code expects fedcba9876543210", e.Message, StringComparison.Ordinal);
        Assert.Contains("rebuild the project and deploy the new artifact", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ModelNotInTheArtifact_IsRefused()
    {
        Write(WeightArtifact.Write([new ArtifactEntry("Demo.A", LayoutA, _a)]));
        AssertRefused("holds no weights for model 'Demo.B'", () => WeightStore.Load("Demo.B", LayoutB, _b.Length));
    }

    [Fact]
    public void OtherBlockSize_IsRefusedAsStale()
    {
        Write(WeightArtifact.Write([new ArtifactEntry("Demo.A", LayoutA, _a)]));
        AssertRefused("model 'Demo.A' has a weight block of 148 bytes, the code expects 152; the file is stale", () => WeightStore.Load("Demo.A", LayoutA, 152));
    }

    [Fact]
    public void TruncatedData_IsRefused()
    {
        byte[] bytes = WeightArtifact.Write([new ArtifactEntry("Demo.A", LayoutA, _a)]);
        Write(bytes[..^4]);
        AssertRefused("lies beyond the end of the", () => WeightStore.Load("Demo.A", LayoutA, _a.Length));
    }

    [Fact]
    public void CorruptedData_FailsTheContentHash_AndOnlyForThatModel()
    {
        byte[] bytes = WeightArtifact.Write([new ArtifactEntry("Demo.A", LayoutA, _a), new ArtifactEntry("Demo.B", LayoutB, _b)]);
        bytes[^1] ^= 0x40;
        Write(bytes);

        AssertRefused("the weights of model 'Demo.B' do not match their hash", () => WeightStore.Load("Demo.B", LayoutB, _b.Length));
        Assert.Equal(_a, WeightStore.Load("Demo.A", LayoutA, _a.Length).Span.ToArray());
    }

    /// <summary>Seeded mutations of a valid artifact (one byte changed, or cut short): the store returns the exact
    /// floats or refuses the file with <see cref="InvalidDataException"/>; never another exception.</summary>
    [Fact]
    public void MutatedArtifacts_AreReadExactly_OrRefused()
    {
        byte[] valid = WeightArtifact.Write([new ArtifactEntry("Demo.A", LayoutA, _a), new ArtifactEntry("Demo.B", LayoutB, _b)]);
        var random = new Seeded(42);
        for (int round = 0; round < 400; round++)
        {
            byte[] bytes = (byte[])valid.Clone();
            int at = (int)random.Next(0, bytes.Length);
            if (round % 4 == 3)
            {
                bytes = bytes[..at];
            }
            else
            {
                bytes[at] ^= (byte)(1 + (int)random.Next(0, 255));
            }

            Write(bytes);
            try
            {
                WeightBlock b = WeightStore.Load("Demo.B", LayoutB, _b.Length);
                Assert.Equal(_b, b.Span.ToArray());
            }
            catch (InvalidDataException)
            {
                // Refused: the expected outcome for most mutations.
            }
        }
    }

    public void Dispose()
    {
        AppContext.SetData(PathKey, null);
        Directory.Delete(_directory, recursive: true);
    }

    private static InvalidDataException AssertRefused(string reason, Action load)
    {
        var e = Assert.Throws<InvalidDataException>(load);
        Assert.Contains("cannot be used: ", e.Message, StringComparison.Ordinal);
        Assert.Contains(reason, e.Message, StringComparison.Ordinal);
        return e;
    }

    private void Write(byte[] bytes) => File.WriteAllBytes(ArtifactPath, bytes);

    private static byte[] Bytes(float[] values)
    {
        byte[] bytes = new byte[values.Length * 4];
        Buffer.BlockCopy(values, 0, bytes, 0, bytes.Length);
        return bytes;
    }

    /// <summary>A seekable stream of any length that keeps only the 64 KB pages written to (reads elsewhere give zeros).</summary>
    private sealed class SparseStream : Stream
    {
        private const int Page = 1 << 16;
        private readonly System.Collections.Generic.Dictionary<long, byte[]> _pages = [];
        private long _length;

        public override bool CanRead => true;

        public override bool CanSeek => true;

        public override bool CanWrite => true;

        public override long Length => _length;

        public override long Position { get; set; }

        public override int Read(byte[] buffer, int offset, int count)
        {
            int n = (int)Math.Max(0, Math.Min(count, _length - Position));
            for (int i = 0; i < n; i++, Position++)
            {
                buffer[offset + i] = _pages.TryGetValue(Position / Page, out byte[]? page) ? page[Position % Page] : (byte)0;
            }

            return n;
        }

        public override void Write(byte[] buffer, int offset, int count)
        {
            for (int i = 0; i < count; i++, Position++)
            {
                if (!_pages.TryGetValue(Position / Page, out byte[]? page))
                {
                    _pages[Position / Page] = page = new byte[Page];
                }

                page[Position % Page] = buffer[offset + i];
            }

            _length = Math.Max(_length, Position);
        }

        public override long Seek(long offset, SeekOrigin origin) => Position = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => Position + offset,
            _ => _length + offset,
        };

        public override void SetLength(long value) => _length = value;

        public override void Flush()
        {
        }
    }
}
