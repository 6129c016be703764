using System.Linq;
using ModelCompiler.Generators.Tests.Infrastructure;
using Xunit;

namespace ModelCompiler.Generators.Tests;

/// <summary>End-to-end generator snapshots: attributes in, every generated file out, compiled warning-free.</summary>
public class GeneratorSnapshotTests
{
    [Fact]
    public void ResidualCnn()
    {
        const string source = """
            using ModelCompiler;

            namespace Demo.Vision;

            [Model("weights/residual.safetensors")]
            [Input(3, 16, 16)]
            [Conv2d("stem", 3, 8, 3, Padding = 1, Bias = false)]
            [BatchNorm2d("stem_bn", 8)]
            [ReLU]
            [Conv2d("dw", 8, 8, 3, Padding = 1, Groups = 8)]
            [ReLU6]
            [Conv2d("pw", 8, 8, 1)]
            [Add("relu1", "pw", Name = "residual")]
            [Concat("residual", "relu1", Name = "cat")]
            [AvgPool2d(2)]
            [Upsample(2)]
            [Conv2d("head", 16, 16, 1)]
            [PixelShuffle(2)]
            [GlobalAvgPool2d]
            [Flatten]
            [Linear("fc", 4, 3)]
            [Softmax]
            public partial class ResidualCnn { }
            """;
        GeneratorResult result = GeneratorHarness.Run(source);
        Assert.Empty(result.GeneratorDiagnostics);
        Assert.Empty(result.CompilationProblems);
        foreach ((string hint, string text) in result.Sources.OrderBy(s => s.Key, System.StringComparer.Ordinal)
            .Where(s => s.Key.StartsWith("Demo.", System.StringComparison.Ordinal)))
        {
            Snapshot.Verify(text, hint[..^3]);
        }

        // The run-time files are the embedded Compiler/Runtime sources (RuntimeSourceTests), not snapshots.
        Assert.Equal(
            new[] { "Demo.Vision.ResidualCnn.g.cs", "ModelCompiler.Attributes.g.cs" }
                .Concat(ModelCompiler.Emit.RuntimeSource.Files.Select(ModelCompiler.Emit.RuntimeSource.HintName))
                .OrderBy(k => k, System.StringComparer.Ordinal),
            result.Sources.Keys.OrderBy(k => k, System.StringComparer.Ordinal));
    }

    [Fact]
    public void OpenInputSize()
    {
        const string source = """
            using ModelCompiler;

            namespace Demo.Vision;

            [Model("weights/upscaler.safetensors")]
            [Input(3, Dim.Any, Dim.Any)]
            [Conv2d("feat", 3, 8, 3, Padding = 1)]
            [ReLU]
            [Conv2d("down", 8, 8, 3, Stride = 2, PaddingMode = PaddingMode.Same)]
            [Conv2d("up", 8, 12, 3, Padding = 1)]
            [PixelShuffle(2)]
            public partial class Upscaler { }
            """;
        GeneratorResult result = GeneratorHarness.Run(source);
        Assert.Empty(result.GeneratorDiagnostics);
        Assert.Empty(result.CompilationProblems);
        Snapshot.Verify(result.Sources["Demo.Vision.Upscaler.g.cs"], "Demo.Vision.Upscaler.g");
    }

    [Fact]
    public void LineBreaksInNames_StillGiveValidCode()
    {
        // A newline or U+2028 in a layer name or the weights path must not end a doc-comment or string-literal line.
        const string source = """
            using ModelCompiler;
            namespace Demo;
            [Model("weights/a\u2028b.safetensors")]
            [Input(4)]
            [Linear("fc\nhead", 4, 2)]
            [ReLU(Name = "act\u2028ivation")]
            public partial class Odd { }
            """;
        GeneratorResult result = GeneratorHarness.Run(source);
        Assert.Empty(result.GeneratorDiagnostics);
        Assert.Empty(result.CompilationProblems);
        Assert.Contains("Demo.Odd.g.cs", result.Sources.Keys);
    }

    [Fact]
    public void NoModel_EmitsOnlyAttributes()
    {
        GeneratorResult result = GeneratorHarness.Run("namespace Demo; internal class Plain { }");
        Assert.Equal(["ModelCompiler.Attributes.g.cs"], result.Sources.Keys);
        Assert.Empty(result.CompilationProblems);
    }

    [Fact]
    public void SameInput_GeneratesIdenticalSource()
    {
        const string source = """
            using ModelCompiler;
            [Model("w.safetensors")]
            [Input(4)]
            [Linear("fc", 4, 2)]
            internal partial class GlobalNamespaceModel { }
            """;
        Assert.Equal(GeneratorHarness.Run(source).Sources, GeneratorHarness.Run(source).Sources);
    }
}
