using System;
using System.Linq;
using Microsoft.CodeAnalysis;
using ModelCompiler.Emit;
using ModelCompiler.Generators.Tests.Infrastructure;
using Xunit;

namespace ModelCompiler.Generators.Tests;

/// <summary>After a declaration error the model's public surface is still generated (a placeholder whose Run
/// throws), so code that uses the model compiles and the only errors are the real ones, not one CS0117 per use.</summary>
public class PlaceholderTests
{
    private const string FixedUse = """

        internal static class Use
        {
            internal static float[] Call(float[] x)
            {
                float[] y = new float[Demo.Net.OutputSize * 2];
                Demo.Net.MaxThreads = 1;
                Demo.Net.Run(x, y, 2);
                return new float[Demo.Net.InputSize + Demo.Net.InputChannels + Demo.Net.OutputChannels + Demo.Net.ChunkSize
                    + (int)(Demo.Net.MacsPerSample + Demo.Net.WeightBytes + Demo.Net.PeakMemoryBytes + Demo.Net.MemoryBytes(2))];
            }
        }
        """;

    private const string OpenUse = """

        internal static class Use
        {
            internal static void Call(float[] x, float[] y) =>
                Demo.Net.Run(x, y, Demo.Net.OutputHeight(8), Demo.Net.OutputWidth(8) + (int)Demo.Net.PeakMemoryBytes(8, 8) + (int)Demo.Net.OutputSize(8, 8), batch: 1);
        }
        """;

    [Theory]
    [InlineData("[Input(1, 8, 8)]", "[Conv2d(\"conv\", 1, 0, 3)]", FixedUse, "MC1005")]
    [InlineData("[Input(1, 8, 8)]", "[Conv2d(\"conv\", 1, 4, 3)]\n[Linear(\"fc\", 10, 2)]", FixedUse, "MC1009")]
    [InlineData("[Input(1, 8, 8)]", "[Conv2d(\"conv\", 1, 4, 3, Input = \"nope\")]", FixedUse, "MC1006")]
    [InlineData("[Input(1, Dim.Any, Dim.Any)]", "[Conv2d(\"conv\", 2, 4, 3)]", OpenUse, "MC1008")]
    [InlineData("", "[ReLU]", FixedUse, "MC1003")]
    public void DeclarationError_IsTheOnlyError(string input, string layers, string use, string id)
    {
        GeneratorResult result = GeneratorHarness.Run($$"""
            using ModelCompiler;
            namespace Demo
            {
                [Model("w.safetensors")]
                {{input}}
                {{layers}}
                public static partial class Net { }
            }
            """ + use);

        Assert.Equal([id], result.GeneratorDiagnostics.Select(d => d.Id).Distinct());
        Assert.Empty(result.CompilationProblems);
        Assert.Contains("has no inference code", result.Sources["Demo.Net.g.cs"], StringComparison.Ordinal);
        Assert.DoesNotContain(result.Sources.Keys, k => k.StartsWith("ModelCompiler.Kernels", StringComparison.Ordinal));
    }

    [Fact]
    public void AttributeTheCompilerRejects_LeavesOnlyTheCompilersError()
    {
        GeneratorResult result = GeneratorHarness.Run("""
            using ModelCompiler;
            namespace Demo
            {
                [Model("w.safetensors")]
                [Input(1, 8, 8)]
                [Conv2d("conv", 1, "four", 3)]
                public static partial class Net { }
            }
            """ + FixedUse);

        Assert.Empty(result.GeneratorDiagnostics);
        Assert.Equal(["CS1503"], result.CompilationProblems.Select(d => d.Id));
    }

    [Theory]
    [InlineData("internal static int Run = 1;", "Run", 8)]
    [InlineData("internal static int InputSize => 3;", "InputSize", 8)]
    [InlineData("private static class GeneratedLayers { }", "GeneratedLayers", 8)]
    public void UserMemberWithAGeneratedName_IsMC1022AtTheMember(string member, string name, int line)
    {
        GeneratorResult result = GeneratorHarness.Run($$"""
            using ModelCompiler;
            namespace Demo;
            [Model("w.safetensors")]
            [Input(4)]
            [Linear("fc", 4, 2)]
            public static partial class Net
            {
                {{member}}
            }
            """);

        Diagnostic d = Assert.Single(result.GeneratorDiagnostics);
        Assert.Equal("MC1022", d.Id);
        Assert.Equal(line, d.Location.GetLineSpan().StartLinePosition.Line + 1);
        Assert.StartsWith("Model class 'Demo.Net' declares a member '" + name + "', but the generated code gives the class a member of that name; "
            + "rename yours (the generated members are InputSize, OutputSize, MacsPerSample,", d.GetMessage(), StringComparison.Ordinal);
        Assert.Empty(result.CompilationProblems);
    }

    [Fact]
    public void UserMemberNamedLikeAGroupsMember_IsMC1022InAModelWithAGroup()
    {
        GeneratorResult result = GeneratorHarness.Run("""
            using ModelCompiler;
            namespace Demo;
            [Model("w.safetensors")]
            [Input(1, Dim.Any, Dim.Any)]
            [Group("a", "b")]
            [Conv2d("a", 1, 4, 3, Padding = 1)]
            [Conv2d("b", 4, 4, 3, Padding = 1)]
            public static partial class Net
            {
                internal static int SliceRows => 3;
            }
            """);

        Diagnostic d = Assert.Single(result.GeneratorDiagnostics);
        Assert.Equal("MC1022", d.Id);
        Assert.Contains("declares a member 'SliceRows'", d.GetMessage(), StringComparison.Ordinal);
        Assert.Contains("MaxThreads, SliceRows, FitPeakMemory, Run, GeneratedLayers)", d.GetMessage(), StringComparison.Ordinal);
        Assert.Empty(result.CompilationProblems);
    }

    [Fact]
    public void UserMemberNamedLikeAMemberThisModelDoesNotHave_IsFine()
    {
        // A vector-output model has no OutputHeight; the user may.
        GeneratorResult result = GeneratorHarness.Run("""
            using ModelCompiler;
            namespace Demo;
            [Model("w.safetensors")]
            [Input(4)]
            [Linear("fc", 4, 2)]
            public static partial class Net
            {
                internal static int OutputHeight => 1;
            }
            """);

        Assert.Empty(result.GeneratorDiagnostics);
        Assert.Empty(result.CompilationProblems);
        Assert.Contains("Demo.Net.g.cs", result.Sources.Keys);
        Assert.DoesNotContain("has no inference code", result.Sources["Demo.Net.g.cs"], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[Input(3, 8, 8)]\n[Conv2d(\"conv\", 3, 4, 3)]", false, 3)]
    [InlineData("[Input(12)]\n[Linear(\"fc\", 12, 2)]", false, 1)]
    [InlineData("[Input(3, Dim.Any, Dim.Any)]\n[Conv2d(\"conv\", 3, 4, 3)]", true, 3)]
    public void Placeholder_HasEveryPublicMemberOfTheRealCode_WithTheSameSignature(string declaration, bool open, int inputRank)
    {
        GeneratorResult real = GeneratorHarness.Run("using ModelCompiler;\nnamespace Demo;\n[Model(\"w.safetensors\")]\n" + declaration + "\npublic static partial class Net { }\n");
        Assert.Empty(real.GeneratorDiagnostics);
        GeneratorResult placeholder = GeneratorHarness.Run(PlaceholderEmitter.File("Demo", "Net", open, inputRank, new System.Collections.Generic.HashSet<string>())
            .Replace("partial class Net", "public static partial class Net", StringComparison.Ordinal));
        Assert.Empty(placeholder.CompilationProblems);

        string[] Signatures(GeneratorResult r, string type) => r.Output.GetTypeByMetadataName(type)!.GetMembers()
            .Where(m => m.DeclaredAccessibility == Accessibility.Public && !m.IsImplicitlyDeclared && m is not IMethodSymbol { AssociatedSymbol: not null })
            .Select(m => m.ToDisplayString(SymbolDisplayFormat.CSharpErrorMessageFormat).Replace(type, "Net", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal).ToArray();
        string[] expected = Signatures(real, "Demo.Net");
        Assert.Subset(Signatures(placeholder, "Demo.Net").ToHashSet(), expected.ToHashSet());
        Assert.Equal(
            ModelEmitter.MemberNames(open, inputRank, 3).Where(n => n != ModelEmitter.ImplementationClass).Order(StringComparer.Ordinal),
            Signatures(placeholder, "Demo.Net").Select(s => s.Split('(')[0].Split('.')[^1]).Distinct().Order(StringComparer.Ordinal));
        Assert.Equal(
            ModelEmitter.MemberNames(open, inputRank, open ? 3 : inputRank).Where(n => n != ModelEmitter.ImplementationClass).Order(StringComparer.Ordinal),
            expected.Select(s => s.Split('(')[0].Split('.')[^1]).Distinct().Order(StringComparer.Ordinal));
    }
}
