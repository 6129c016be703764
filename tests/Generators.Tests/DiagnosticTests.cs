using System.Linq;
using Microsoft.CodeAnalysis;
using ModelCompiler.Generators.Tests.Infrastructure;
using Xunit;

namespace ModelCompiler.Generators.Tests;

/// <summary>One test per declaration diagnostic: its ID, its message, and the line it points at. None may
/// surface as a crash (CS8785) or leave the project uncompilable beyond the reported error.</summary>
public class DiagnosticTests
{
    private static Diagnostic Single(string source, string id)
    {
        GeneratorResult result = GeneratorHarness.Run(source);
        Assert.DoesNotContain(result.Output.GetDiagnostics(), d => d.Id == "CS8785");
        Diagnostic[] matches = result.GeneratorDiagnostics.Where(d => d.Id == id).ToArray();
        Assert.True(matches.Length == 1, $"expected one {id}, got: {string.Join("; ", result.GeneratorDiagnostics)}");
        return matches[0];
    }

    private static int Line(Diagnostic d) => d.Location.GetLineSpan().StartLinePosition.Line + 1;

    private static string Model(string layers, string head = "public partial class Net { }", string input = "[Input(1, 8, 8)]") => $"""
        using ModelCompiler;
        namespace Demo;
        [Model("w.safetensors")]
        {input}
        {layers}
        {head}
        """;

    [Fact]
    public void MC1001_ClassNotPartial()
    {
        Diagnostic d = Single(Model("[Flatten]", "public class Net { }"), "MC1001");
        Assert.Contains("'Demo.Net' must be declared 'partial'", d.GetMessage(), System.StringComparison.Ordinal);
        Assert.Equal(6, Line(d));
        Assert.Equal(DiagnosticSeverity.Error, d.Severity);
    }

    [Fact]
    public void MC1002_NestedClass()
    {
        Diagnostic d = Single("""
            using ModelCompiler;
            namespace Demo;
            public partial class Outer
            {
                [Model("w.safetensors")]
                [Input(4)]
                [Linear("fc", 4, 2)]
                public partial class Net { }
            }
            """, "MC1002");
        Assert.Contains("nested in 'Demo.Outer'", d.GetMessage(), System.StringComparison.Ordinal);
        Assert.Equal(8, Line(d));
    }

    [Fact]
    public void MC1002_GenericClass()
    {
        Diagnostic d = Single(Model("[Flatten]", "public partial class Net<T> { }"), "MC1002");
        Assert.Contains("is generic", d.GetMessage(), System.StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("public partial record Net { }", "a record")]
    [InlineData("public partial struct Net { }", "a struct")]
    public void MC1002_RecordOrStruct(string declaration, string kind)
    {
        Diagnostic d = Single(Model("[Flatten]", declaration), "MC1002");
        Assert.Contains("'Demo.Net' is " + kind, d.GetMessage(), System.StringComparison.Ordinal);
    }

    [Fact]
    public void MC1011_ModelOnTwoPartialDeclarations()
    {
        GeneratorResult result = GeneratorHarness.Run(Model("[Flatten]") + "\n[Model(\"other.safetensors\")]\npublic partial class Net { }\n");
        Assert.Contains(result.GeneratorDiagnostics, d => d.Id == "MC1011" && d.GetMessage().Contains("'Demo.Net'", System.StringComparison.Ordinal));
        Assert.Contains(result.Output.GetDiagnostics(), d => d.Id == "CS0579");
    }

    [Fact]
    public void MC1024_GroupWhoseInnerValueIsReadAfterIt()
    {
        Diagnostic d = Single(Model("[Group(\"stem\", \"wide\")]\n[Conv2d(\"stem\", 1, 4, 3, Padding = 1)]\n[Conv2d(\"wide\", 4, 4, 3, Padding = 1)]\n[Add(\"wide\", \"stem\", Name = \"residual\")]"), "MC1024");
        Assert.Equal("Group 'group1' of model 'Demo.Net' cannot run band by band: the output of its layer 'stem' is read by layer 'residual' after the group, but only the group's last layer's output outlives the group; end the group at 'stem' or extend it", d.GetMessage());
        Assert.Equal(5, Line(d));
    }

    [Theory]
    [InlineData("[Group(\"stem\", \"stm\")]", "it names layer 'stm', which the model does not declare (did you mean 'stem'?)")]
    [InlineData("[Group(\"pool\", \"stem\")]", "its last layer 'stem' comes before its first layer 'pool'; name the first layer first")]
    [InlineData("[Group(\"stem\", \"gap\")]", "its layer 'avg' (AvgPool2d) is not an operator bands support (Conv2d, MaxPool2d, Add, Concat, activations, Upsample, PixelShuffle); end the group before it or start it after")]
    [InlineData("[Group(\"stem\", \"pool\")]\n[Group(\"pool\", \"avg\")]", "its layer 'pool' is already in group 'group1'; groups may not overlap")]
    public void MC1024_GroupThatCannotRunByBands(string groups, string why)
    {
        Diagnostic d = Single(Model(groups + "\n[Conv2d(\"stem\", 1, 4, 3, Padding = 1)]\n[MaxPool2d(2, Name = \"pool\")]\n[AvgPool2d(2, Name = \"avg\")]\n[GlobalAvgPool2d(Name = \"gap\")]"), "MC1024");
        Assert.EndsWith("cannot run band by band: " + why, d.GetMessage(), System.StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[Input(1, 8, 8)]\n", "declares an input or layers of its own; declare them on one of the two classes")]
    [InlineData("", "names 'Demo.Empty', which declares no layers", "Empty")]
    public void MC1028_LayersOfThatCannotBeUsed(string own, string why, string source = "Net")
    {
        Diagnostic d = Single(Model("[ReLU]") + "\n[Model(\"w.safetensors\")]\ninternal static partial class Empty { }\n"
            + "[Model(\"w.safetensors\", LayersOf = typeof(" + source + "), PruneRatio = 0.5)]\n" + own + "internal static partial class Variant { }", "MC1028");
        Assert.Equal("Model 'Demo.Variant' takes its layers from another class (LayersOf) but " + why, d.GetMessage());
    }

    [Fact]
    public void MC1028_LayersOfAClassInAnotherFile()
    {
        Compilation two = GeneratorHarness.CreateCompilation("TestModels", Model("[ReLU]"),
            "using ModelCompiler;\nnamespace Demo;\n[Model(\"w.safetensors\", LayersOf = typeof(Net))]\ninternal static partial class Variant { }\n");
        GeneratorHarness.CreateDriver().RunGeneratorsAndUpdateCompilation(two, out _, out System.Collections.Immutable.ImmutableArray<Diagnostic> diagnostics);

        Assert.Equal("Model 'Demo.Variant' takes its layers from another class (LayersOf) but names 'Demo.Net', declared in another file; declare the variant "
            + "in the network's file (a model is regenerated when its own file changes)", Assert.Single(diagnostics, d => d.Id == "MC1028").GetMessage());
    }

    [Fact]
    public void LayersOf_CompilesTheOtherClassesLayers_WithItsOwnOptions()
    {
        GeneratorResult result = GeneratorHarness.Run(Model("[Conv2d(\"conv\", 1, 16, 3, Padding = 1)]\n[ReLU]\n[Conv2d(\"out\", 16, 2, 1)]")
            + "\n[Model(\"w.safetensors\", LayersOf = typeof(Net), PruneRatio = 0.5)]\npublic static partial class Pruned { }");

        Assert.Empty(result.GeneratorDiagnostics);
        Assert.Empty(result.CompilationProblems);
        string pruned = result.Sources["Demo.Pruned.g.cs"];
        Assert.Contains("out_channels=8", pruned, System.StringComparison.Ordinal);
        Assert.Contains("out_channels=16", result.Sources["Demo.Net.g.cs"], System.StringComparison.Ordinal);
    }

    [Fact]
    public void MC1015_InputOnAdd_IsNotSupported()
    {
        Diagnostic d = Single(Model("[ReLU]\n[Add(\"relu1\", \"input\", Input = \"relu1\")]"), "MC1015");
        Assert.Equal("Layer 'add1' (Add) does not support Input; name the layers it combines as its arguments instead, e.g. [Add(\"a\", \"b\")]", d.GetMessage());
        Assert.Equal(6, Line(d));
    }

    [Fact]
    public void MC1003_MissingInput()
    {
        Diagnostic d = Single(Model("[Flatten]", input: string.Empty), "MC1003");
        Assert.Contains("has no valid [Input] attribute", d.GetMessage(), System.StringComparison.Ordinal);
    }

    [Fact]
    public void MC1003_InputWithBadRank()
    {
        Diagnostic d = Single(Model("[Flatten]", input: "[Input(1, 8)]"), "MC1003");
        Assert.Equal(4, Line(d));
    }

    [Fact]
    public void MC1004_NoLayers()
    {
        Diagnostic d = Single(Model(string.Empty), "MC1004");
        Assert.Contains("declares no layers", d.GetMessage(), System.StringComparison.Ordinal);
    }

    [Fact]
    public void MC1005_KernelZero()
    {
        Diagnostic d = Single(Model("[Conv2d(\"conv1\", 1, 4, 0)]"), "MC1005");
        Assert.Equal("Layer 'conv1' (Conv2d): kernel_size is 0, but it must be at least 1", d.GetMessage());
        Assert.Equal(5, Line(d));
    }

    [Fact]
    public void MC1005_GroupsDoNotDivide()
    {
        Diagnostic d = Single(Model("[Conv2d(\"conv1\", 1, 4, 3, Groups = 3)]"), "MC1005");
        Assert.Contains("must both be divisible by it", d.GetMessage(), System.StringComparison.Ordinal);
    }

    [Fact]
    public void MC1006_UnknownInput()
    {
        Diagnostic d = Single(Model("[Conv2d(\"conv1\", 1, 4, 3, Padding = 1)]\n[Add(\"conv1\", \"conv9\")]"), "MC1006");
        Assert.Equal("Layer 'add1' reads 'conv9', but no layer of that name is declared before it (did you mean 'conv1'?); inputs must name an earlier layer or 'input'", d.GetMessage());
        Assert.Equal(6, Line(d));
    }

    [Fact]
    public void MC1005_EmptyLayerName_AtItsAttribute()
    {
        Diagnostic d = Single(Model("[Conv2d(\"\", 1, 4, 3)]"), "MC1005");
        Assert.StartsWith("Layer '' (Conv2d): the name is empty, but a layer needs a name", d.GetMessage(), System.StringComparison.Ordinal);
        Assert.Equal(5, Line(d));
    }

    [Fact]
    public void MC1007_DuplicateName()
    {
        Diagnostic d = Single(Model("[ReLU(Name = \"a\")]\n[ReLU(Name = \"a\")]"), "MC1007");
        Assert.Equal(6, Line(d));
    }

    [Fact]
    public void MC1005_LayerNamedInput_IsReserved()
    {
        Diagnostic d = Single(Model("[ReLU(Name = \"input\")]"), "MC1005");
        Assert.Contains("reserved for the model input", d.GetMessage(), System.StringComparison.Ordinal);
    }

    [Fact]
    public void LayerReadingAFailedLayer_ReportsOnlyTheFirstError()
    {
        GeneratorResult result = GeneratorHarness.Run(Model("[Conv2d(\"conv1\", 3, 4, 3)]\n[Add(\"conv1\", \"input\")]"));
        Assert.Equal(["MC1008"], result.GeneratorDiagnostics.Select(d => d.Id));
    }

    [Fact]
    public void MC1008_ShapeMismatch_NamesBothShapes()
    {
        Diagnostic d = Single(Model("[Conv2d(\"conv1\", 1, 4, 3, Padding = 1)]\n[Flatten]\n[Linear(\"fc\", 100, 10)]"), "MC1008");
        Assert.Equal("Layer 'fc' (Linear) expects [N, 100] from 'flatten1', but 'flatten1' produces [N, 256]; fix the layer's in_features or the layer that feeds it", d.GetMessage());
        Assert.Equal(7, Line(d));
    }

    [Fact]
    public void MC1009_LinearOnImage()
    {
        Diagnostic d = Single(Model("[Linear(\"fc\", 64, 10)]"), "MC1009");
        Assert.Contains("[Flatten] turns [N, C, H, W] into [N, C * H * W]", d.GetMessage(), System.StringComparison.Ordinal);
    }

    [Fact]
    public void MC1010_AddWithOneInput()
    {
        Diagnostic d = Single(Model("[Add(\"input\")]"), "MC1010");
        Assert.Equal("Layer 'add1' (Add) takes 2 or more input(s), but 1 given", d.GetMessage());
    }

    [Fact]
    public void MC1012_EmptyWeightsPath()
    {
        Diagnostic d = Single("""
            using ModelCompiler;
            [Model("")]
            [Input(4)]
            [Linear("fc", 4, 2)]
            public partial class Net { }
            """, "MC1012");
        Assert.Equal(2, Line(d));
    }

    [Fact]
    public void MC1013_UnusedLayerIsAWarning()
    {
        GeneratorResult result = GeneratorHarness.Run(Model("[Conv2d(\"a\", 1, 4, 3, Padding = 1)]\n[Conv2d(\"b\", 1, 4, 3, Padding = 1, Input = \"input\")]"));
        Diagnostic d = Assert.Single(result.GeneratorDiagnostics, x => x.Id == "MC1013");
        Assert.Equal(DiagnosticSeverity.Warning, d.Severity);
        Assert.Contains("'a'", d.GetMessage(), System.StringComparison.Ordinal);
        Assert.Contains(result.Sources.Keys, k => k == "Demo.Net.g.cs");
    }

    [Fact]
    public void MC1014_LayersOnTwoDeclarations()
    {
        GeneratorResult result = GeneratorHarness.Run(Model("[Flatten]"));
        Assert.Empty(result.GeneratorDiagnostics);
        Compilation two = GeneratorHarness.CreateCompilation("Two", Model("[Flatten]"), "namespace Demo; [ModelCompiler.ReLU] public partial class Net { }");
        Microsoft.CodeAnalysis.GeneratorDriver driver = GeneratorHarness.CreateDriver().RunGenerators(two);
        Assert.Contains(driver.GetRunResult().Diagnostics, d => d.Id == "MC1014");
    }

    [Fact]
    public void MC0001_ExceptionInGenerator_BecomesDiagnostic()
    {
        ModelGenerator.BeforeCompile = _ => throw new System.InvalidOperationException("injected failure");
        try
        {
            Diagnostic d = Single(Model("[Flatten]"), "MC0001");
            Assert.Contains("InvalidOperationException: injected failure", d.GetMessage(), System.StringComparison.Ordinal);
            Assert.Equal(6, Line(d));
        }
        finally
        {
            ModelGenerator.BeforeCompile = null;
        }
    }

    [Fact]
    public void MC0001_InjectedFailure_StaysInTheTestThatInjectedIt()
    {
        // Tests run in parallel: a generator run outside this execution context must not see the hook.
        ModelGenerator.BeforeCompile = _ => throw new System.InvalidOperationException("injected failure");
        try
        {
            GeneratorResult? elsewhere = null;
            System.Threading.Thread thread;
            using (System.Threading.ExecutionContext.SuppressFlow())
            {
                thread = new System.Threading.Thread(() => elsewhere = GeneratorHarness.Run(Model("[Flatten]")));
                thread.Start();
            }

            thread.Join();
            Assert.NotNull(elsewhere);
            Assert.DoesNotContain(elsewhere.GeneratorDiagnostics, d => d.Id == "MC0001");
        }
        finally
        {
            ModelGenerator.BeforeCompile = null;
        }
    }

    [Fact]
    public void BrokenAttributeArguments_LeaveOnlyCompilerErrors()
    {
        GeneratorResult result = GeneratorHarness.Run(Model("[Conv2d(\"conv1\", 1, \"four\", 3)]"));
        Assert.Empty(result.GeneratorDiagnostics);
        Assert.Contains(result.Output.GetDiagnostics(), d => d.Id == "CS1503");
    }
}
