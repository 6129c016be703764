using System;
using System.IO;
using ModelCompiler.Generators.Tests.Infrastructure;
using ModelCompiler.Weights;
using Xunit;

namespace ModelCompiler.Generators.Tests;

/// <summary>The generated loader through a generated model: the assembly name substituted into the emitted weight
/// store finds the artifact, and the model passes its own layout hash. Every other error path of the loader is
/// tested directly, without a generator run, in tests/Kernels.Tests (WeightStoreTests).</summary>
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
        File.WriteAllBytes(model.ArtifactPath, WeightArtifact.Write([new ArtifactEntry("Demo.Net", 0xdeadbeefUL, new byte[128])]));
        var e = Assert.Throws<InvalidDataException>(() => model.Run(new float[4], 1));
        Assert.Contains("another declaration of model 'Demo.Net'", e.Message, StringComparison.Ordinal);
        Assert.Contains("rebuild the project", e.Message, StringComparison.Ordinal);
    }
}
