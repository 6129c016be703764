using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using ModelCompiler.Generators.Tests.Infrastructure;
using Xunit;

namespace ModelCompiler.Generators.Tests;

/// <summary>Every legal C# name for a model's namespace and class yields valid file names and code: keywords used as
/// names (written with '@'), Unicode and escaped identifiers, names that differ only in case, and names of the fixed
/// files. Any of them used to drop the whole project's generated code (CS8785) or print invalid C#.</summary>
public class NamingTests
{
    private static readonly Dictionary<string, float[]> Tensors = new()
    {
        ["fc.weight"] = [1, 2, 3, -1, -2, -3],
        ["fc.bias"] = [0.5f, 0.25f],
    };

    private static string Model(string ns, string declaration) => $$"""
        using ModelCompiler;
        {{ns}}
        [Model("w.safetensors")]
        [Input(3)]
        [Linear("fc", 3, 2)]
        {{declaration}}
        """;

    [Theory]
    [InlineData("namespace Contoso.@internal;", "public static partial class Net { }", "Contoso.internal.Net")]
    [InlineData("namespace Contoso;", "public static partial class @event { }", "Contoso.event")]
    [InlineData("namespace Contoso;", "internal static partial class @record { }", "Contoso.record")]
    [InlineData("namespace @class.@var;", "internal static partial class @file { }", "class.var.file")]
    [InlineData("namespace Контора;", "internal static partial class Модель { }", "Контора.Модель")]
    [InlineData("namespace Contoso;", "internal static partial class \\u0041bc { }", "Contoso.Abc")]
    [InlineData("", "internal static partial class Net { }", "Net")]
    [InlineData("namespace ModelCompiler;", "internal static partial class Kernels { }", "ModelCompiler.Kernels")]
    public void AnyLegalName_GeneratesCodeThatCompilesAndRuns(string ns, string declaration, string fullName)
    {
        using CompiledModel model = CompiledModel.Create(Model(ns, declaration), fullName, Tensors);

        Assert.Equal(fullName, model.Spec.FullName);
        Assert.Equal(new[] { 6.5f, -5.75f }, model.Run([1, 1, 1], batch: 1));
    }

    [Fact]
    public void ModelsWhoseNamesDifferOnlyInCase_GetTheirOwnFiles()
    {
        GeneratorResult result = GeneratorHarness.Run(Model("namespace Demo;", "internal static partial class Net { }")
            + "\n[Model(\"w.safetensors\")]\n[Input(3)]\n[Linear(\"fc\", 3, 2)]\ninternal static partial class NET { }\n");

        Assert.DoesNotContain(result.Output.GetDiagnostics(), d => d.Id == "CS8785");
        Assert.Empty(result.GeneratorDiagnostics);
        Assert.Empty(result.CompilationProblems);
        Assert.Contains("Demo.NET-1.g.cs", result.Sources.Keys);
        Assert.Contains("Demo.Net-2.g.cs", result.Sources.Keys);
    }

    [Fact]
    public void ModelNamedLikeARuntimeFile_DoesNotTakeItsFileName()
    {
        GeneratorResult result = GeneratorHarness.Run(Model("namespace ModelCompiler;", "internal static partial class Kernels { }"));

        Assert.Equal("ModelCompiler.Kernels-1.g.cs", result.Sources.Keys.Single(k => result.Sources[k].Contains("from the attributes on ModelCompiler.Kernels.", System.StringComparison.Ordinal)));
        Assert.Contains("ModelCompiler.Kernels.g.cs", result.Sources.Keys);
    }
}
