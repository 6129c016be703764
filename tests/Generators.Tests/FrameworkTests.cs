using System;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using ModelCompiler.Generators.Tests.Infrastructure;
using Xunit;

namespace ModelCompiler.Generators.Tests;

/// <summary>The run-time kernels call .NET 9 SIMD APIs: a project whose framework lacks them gets MC1021 at the model,
/// naming what is missing and what to set, and one on a current framework gets nothing.</summary>
public class FrameworkTests
{
    private const string Model = """
        using ModelCompiler;
        namespace Demo;
        [Model("weights/net.safetensors")]
        [Input(4)]
        [Linear("fc", 4, 2)]
        public partial class Net { }
        """;

    [Fact]
    public void AFrameworkWithoutTheKernelsApis_GetsMC1021_AtTheModel()
    {
        // A core library whose Vector128 has no FusedMultiplyAdd, as .NET 8's does not.
        MetadataReference oldCore = CSharpCompilation.Create(
                "System.Runtime",
                [CSharpSyntaxTree.ParseText("namespace System { public class Object { } public struct Void { } public class ValueType { } public class Attribute { } public abstract class Enum : ValueType { } public struct Int32 { } public struct Boolean { } public class String { } public struct Single { } }\nnamespace System.Runtime.Intrinsics { public static class Vector128 { } }")],
                options: new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary))
            .ToMetadataReference();
        CSharpCompilation compilation = CSharpCompilation.Create(
            "OldFramework",
            [CSharpSyntaxTree.ParseText(Model, GeneratorHarness.ParseOptions, path: GeneratorHarness.ProjectDirectory + "Model.cs")],
            [oldCore],
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));

        GeneratorHarness.CreateDriver().RunGeneratorsAndUpdateCompilation(compilation, out _, out ImmutableArray<Diagnostic> diagnostics);

        Diagnostic d = Assert.Single(diagnostics, d => d.Id == "MC1021");
        Assert.Equal(DiagnosticSeverity.Error, d.Severity);
        Assert.Equal("The generated inference code needs .NET 9 or later (its kernels call System.Runtime.Intrinsics.Vector128.FusedMultiplyAdd, "
            + "which 'System.Runtime 0.0.0.0' does not have); set <TargetFramework> to net9.0 or later (net10.0 is the tested one)", d.GetMessage());
        Assert.Equal(GeneratorHarness.ProjectDirectory + "Model.cs", d.Location.GetLineSpan().Path);
    }

    [Fact]
    public void TheCurrentFramework_GetsNoMC1021()
    {
        GeneratorResult result = GeneratorHarness.Run(Model);
        Assert.DoesNotContain(result.GeneratorDiagnostics, d => d.Id == "MC1021");
        Assert.Contains(result.Sources.Keys, k => k.StartsWith("Demo.Net", StringComparison.Ordinal));
    }
}
