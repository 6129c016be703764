using System;
using System.IO;
using ModelCompiler.BuildTasks.Tests.TestSupport;
using ModelCompiler.Manifest;
using Xunit;

namespace ModelCompiler.BuildTasks.Tests;

public sealed class ManifestReaderTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void ReadsOnlyModelManifests_Exactly()
    {
        string manifest = ModelManifest.Write(Models.ConvNet() with { WeightsPath = "wéights dir/ünï cödé.safetensors" });
        string path = TestAssembly.WriteMetadata(_dir.File("A.dll"),
            ("RepositoryUrl", "https://example.invalid"),
            ("ModelCompiler.Model:Demo.Net", manifest),
            ("ModelCompiler.Modelx", "not ours"));

        EmbeddedManifest found = Assert.Single(ManifestReader.Read(path));

        Assert.Equal("Demo.Net", found.Model);
        Assert.Equal(manifest, found.Text);
        Assert.Equal("wéights dir/ünï cödé.safetensors", ModelManifest.Read(found.Text).Spec.WeightsPath);
    }

    [Fact]
    public void DoesNotKeepTheAssemblyOpen()
    {
        string path = TestAssembly.Write(_dir.File("A.dll"), Models.ConvNet());

        ManifestReader.Read(path);
        File.Delete(path);
        TestAssembly.Write(path, Models.ConvNet());
        using (new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite))
        {
            // The compiler (or an IDE) may still hold the assembly open for writing.
            Assert.Single(ManifestReader.Read(path));
        }
    }

    [Fact]
    public void NotAnAssembly_IsBadImageFormat()
    {
        File.WriteAllBytes(_dir.File("x.dll"), [1, 2, 3]);

        Assert.Throws<BadImageFormatException>(() => ManifestReader.Read(_dir.File("x.dll")));
    }
}
