using System;
using System.Linq;
using Microsoft.CodeAnalysis;
using ModelCompiler.Generators.Tests.Infrastructure;
using ModelCompiler.Interpreter;
using Xunit;

namespace ModelCompiler.Generators.Tests;

/// <summary>Sizes are 64-bit wherever dimensions multiply: a full-HD convolution builds and runs, and a declaration
/// too large for .NET to index is a diagnostic at the attribute, never code that does not compile.</summary>
public sealed class LargeSizeTests
{
    [Fact]
    public void AConvAt1920x1080_BuildsAndMatchesTheInterpreter()
    {
        const string source = """
            using ModelCompiler;
            namespace Large;
            [Model("hd.safetensors")]
            [Input(3, 1080, 1920)]
            [Conv2d("conv", 3, 4, 3, Padding = 1)]
            [ReLU]
            public partial class Hd { }
            """;
        var data = new TestData(1080);
        using CompiledModel model = CompiledModel.Create(source, "Large.Hd", spec => data.Tensors(spec));
        float[] input = data.Floats(model.InputSize, -1f, 1f);
        float[] expected = ReferenceInterpreter.Run(ModelCompilation.BuildUnoptimized(model.Spec)!, n => model.Tensors[n], input, 1);
        GeneratedVsInterpreterTests.AssertClose(expected, model.Run(input, 1), "1920x1080 conv");
    }

    [Fact]
    public void MC1016_ATensorTooLargeToIndex_IsReportedAtItsLayer()
    {
        GeneratorResult result = GeneratorHarness.Run("""
            using ModelCompiler;
            namespace Large;
            [Model("w.safetensors")]
            [Input(3, 20000, 20000)]
            [Conv2d("conv", 3, 64, 3, Padding = 1)]
            internal partial class Net { }
            """);
        Diagnostic d = Assert.Single(result.GeneratorDiagnostics);
        Assert.Equal("MC1016", d.Id);
        Assert.Equal("Layer 'conv' (Conv2d) produces [N, 64, 20000, 20000], 25600000000 elements per sample, more than .NET can index (2147483647); "
            + "declare a smaller input size, or leave it open ([Input(C, Dim.Any, Dim.Any)]) and run smaller tiles", d.GetMessage());
        Assert.Equal(4, d.Location.GetLineSpan().StartLinePosition.Line);
        Assert.Empty(result.CompilationProblems);
    }

    [Fact]
    public void MC1016_ASizeBeyond64Bits_IsReportedToo()
    {
        GeneratorResult result = GeneratorHarness.Run("""
            using ModelCompiler;
            namespace Large;
            [Model("w.safetensors")]
            [Input(2000000000, 2000000000, 2000000000)]
            [ReLU]
            internal partial class Net { }
            """);
        Diagnostic d = Assert.Single(result.GeneratorDiagnostics);
        Assert.Equal("MC1016", d.Id);
        Assert.Contains("more than 2^63", d.GetMessage(), StringComparison.Ordinal);
        Assert.Empty(result.CompilationProblems);
    }

    [Fact]
    public void MC1017_AMemoryPlanTooLargeToIndex_IsReportedAtTheModel()
    {
        GeneratorResult result = GeneratorHarness.Run("""
            using ModelCompiler;
            namespace Large;
            [Model("w.safetensors")]
            [Input(3, 16384, 16384)]
            [Conv2d("a", 3, 7, 3, Padding = 1)]
            [Conv2d("b", 7, 7, 3, Padding = 1)]
            internal partial class Net { }
            """);
        Diagnostic d = Assert.Single(result.GeneratorDiagnostics);
        Assert.Equal("MC1017", d.Id);
        // The input (805,306,368 floats) and a's output (1,879,048,192) are live together, then a's and b's outputs (b
        // placed after a: the input's place is too small). The convolutions' tiles are each thread's own, not the arena's.
        Assert.Equal("Model 'Large.Net' needs 4563402752 floats of memory per sample (activations and the largest layer's scratch), "
            + "more than one .NET array holds (2147483647); declare a smaller input size, or leave it open ([Input(C, Dim.Any, Dim.Any)]) and run smaller tiles", d.GetMessage());
        Assert.Equal(6, d.Location.GetLineSpan().StartLinePosition.Line);
        Assert.Empty(result.CompilationProblems);
    }

    [Fact]
    public void MC1023_ATensorPastOneGibibyte_IsReportedAtTheModel_NotCodeThatDoesNotCompile()
    {
        // 32768 x 16384 floats: 2 GiB in one tensor, more than one array of the run-time weight block holds.
        GeneratorResult result = GeneratorHarness.Run("""
            using ModelCompiler;
            namespace Large;
            [Model("w.safetensors")]
            [Input(16384)]
            [Linear("fc", 16384, 32768)]
            internal partial class Net { }
            """);
        Diagnostic d = Assert.Single(result.GeneratorDiagnostics);
        Assert.Equal("MC1023", d.Id);
        Assert.Equal("Model 'Large.Net' packs 2147483648 bytes of weights in one tensor of layer 'fc', more than one tensor may hold (1073741824); "
            + "split the layer, e.g. a Linear into two with half the outputs each, joined by a Concat", d.GetMessage());
        Assert.Equal(5, d.Location.GetLineSpan().StartLinePosition.Line);
        Assert.Empty(result.CompilationProblems);
    }

    [Fact]
    public void AModelPastTwoGibibytes_Compiles_WithLongOffsets()
    {
        // 1 GiB + 1 GiB + 512 MiB of weights in one model.
        GeneratorResult result = GeneratorHarness.Run("""
            using ModelCompiler;
            namespace Large;
            [Model("w.safetensors")]
            [Input(16384)]
            [Linear("fc1", 16384, 16384)]
            [Linear("fc2", 16384, 16384)]
            [Linear("fc3", 16384, 8192)]
            internal partial class Net { }
            """);
        Assert.Empty(result.GeneratorDiagnostics);
        Assert.Empty(result.CompilationProblems);
        string code = result.Sources["Large.Net.g.cs"];
        Assert.Contains("private const long WeightBytes = ", code, System.StringComparison.Ordinal);
        Assert.Contains("private const long Weight = 2147483648;", code, System.StringComparison.Ordinal);
    }
}
