using System;
using System.IO;
using ModelCompiler.Generators.Tests.Infrastructure;
using ModelCompiler.Weights;
using Xunit;

namespace ModelCompiler.Generators.Tests;

/// <summary>The generated loader refuses an artifact it cannot trust, and says why and what to do.</summary>
public class WeightLoaderTests
{
    private const string Source = """
        using ModelCompiler;
        namespace Demo;
        [Model("w.safetensors")]
        [Input(4)]
        [Linear("fc", 4, 3)]
        internal static partial class Net { }
        """;

    private static CompiledModel Create() => CompiledModel.Create(Source, "Demo.Net", spec => new TestData(3).Tensors(spec));

    [Fact]
    public void MissingArtifact_ThrowsFileNotFound_NamingThePathAndTheFix()
    {
        using CompiledModel model = Create();
        File.Delete(model.ArtifactPath);
        var e = Assert.Throws<FileNotFoundException>(() => model.Run(new float[4], 1));
        Assert.Contains(model.ArtifactPath, e.Message, StringComparison.Ordinal);
        Assert.Contains("deploy it with the application", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void StaleArtifact_FromAnotherDeclaration_IsRefused()
    {
        using CompiledModel model = Create();
        File.WriteAllBytes(model.ArtifactPath, WeightArtifact.Write([new ArtifactEntry("Demo.Net", 0xdeadbeefUL, new float[16 + 3])]));
        var e = Assert.Throws<InvalidDataException>(() => model.Run(new float[4], 1));
        Assert.Contains("another declaration of model 'Demo.Net'", e.Message, StringComparison.Ordinal);
        Assert.Contains("rebuild the project", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ArtifactOfAnotherModel_IsRefused()
    {
        using CompiledModel model = Create();
        File.WriteAllBytes(model.ArtifactPath, WeightArtifact.Write([new ArtifactEntry("Other.Model", 1, [1f])]));
        var e = Assert.Throws<InvalidDataException>(() => model.Run(new float[4], 1));
        Assert.Contains("holds no weights for model 'Demo.Net'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CorruptedArtifact_FailsItsContentHash()
    {
        using CompiledModel model = Create();
        byte[] bytes = File.ReadAllBytes(model.ArtifactPath);
        bytes[^1] ^= 0x40;
        File.WriteAllBytes(model.ArtifactPath, bytes);
        var e = Assert.Throws<InvalidDataException>(() => model.Run(new float[4], 1));
        Assert.Contains("do not match their hash", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TruncatedArtifact_IsRefused()
    {
        using CompiledModel model = Create();
        byte[] bytes = File.ReadAllBytes(model.ArtifactPath);
        File.WriteAllBytes(model.ArtifactPath, bytes[..(bytes.Length - 8)]);
        var e = Assert.Throws<InvalidDataException>(() => model.Run(new float[4], 1));
        Assert.Contains("truncated or stale", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ArtifactOfAnotherFormatVersion_IsRefused()
    {
        using CompiledModel model = Create();
        byte[] bytes = File.ReadAllBytes(model.ArtifactPath);
        bytes[4] = 2;
        File.WriteAllBytes(model.ArtifactPath, bytes);
        var e = Assert.Throws<InvalidDataException>(() => model.Run(new float[4], 1));
        Assert.Contains("format version 2, this code reads version 1", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NotAnArtifact_IsRefused()
    {
        using CompiledModel model = Create();
        File.WriteAllText(model.ArtifactPath, "version https://git-lfs.github.com/spec/v1\n");
        var e = Assert.Throws<InvalidDataException>(() => model.Run(new float[4], 1));
        Assert.Contains("not a ModelCompiler weights artifact", e.Message, StringComparison.Ordinal);
    }
}
