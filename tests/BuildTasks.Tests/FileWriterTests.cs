using System;
using System.IO;
using System.Linq;
using ModelCompiler.BuildTasks.Tests.TestSupport;
using Xunit;

namespace ModelCompiler.BuildTasks.Tests;

public sealed class FileWriterTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void SameContent_IsNotRewritten()
    {
        string path = _dir.File("sub/a.bin");
        Assert.True(FileWriter.WriteBytesAtomically(path, [1, 2, 3]));
        DateTime old = DateTime.UtcNow.AddHours(-1);
        File.SetLastWriteTimeUtc(path, old);

        Assert.False(FileWriter.WriteBytesAtomically(path, [1, 2, 3]));
        Assert.Equal(old, File.GetLastWriteTimeUtc(path));

        Assert.True(FileWriter.WriteBytesAtomically(path, [1, 2, 4]));
        Assert.Equal([1, 2, 4], File.ReadAllBytes(path));
        Assert.Equal(new[] { "a.bin" }, Directory.GetFiles(_dir.File("sub")).Select(f => Path.GetFileName(f)));
    }

    [Fact]
    public void FailedReplace_LeavesTheOldFileAndNoTemporary()
    {
        // The destination is a directory: the final rename fails after the temporary file was written.
        string path = _dir.File("dir.bin");
        Directory.CreateDirectory(path);

        Assert.ThrowsAny<IOException>(() => FileWriter.WriteBytesAtomically(path, [1]));
        Assert.True(Directory.Exists(path));
        Assert.Equal(new[] { "dir.bin" }, Directory.GetFileSystemEntries(_dir.Path).Select(f => Path.GetFileName(f)));
    }
}
