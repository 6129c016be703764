using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using ModelCompiler.Generators.Tests.Infrastructure;
using Xunit;

namespace ModelCompiler.Generators.Tests;

/// <summary>Edits that do not change a model must not recompile it (ComputeSharp-style names: edit, expectation).</summary>
public class IncrementalityTests
{
    private const string Source = """
        using ModelCompiler;
        namespace Demo;
        [Model("w.safetensors")]
        [Input(1, 8, 8)]
        [Conv2d("conv1", 1, 4, 3, Padding = 1)]
        [BatchNorm2d("bn1", 4)]
        [ReLU]
        [Flatten]
        [Linear("fc", 256, 10)]
        public partial class Net { }
        """;

    private static (GeneratorRunResult First, GeneratorRunResult Second) RunTwice(System.Func<Compilation, Compilation> edit)
    {
        Compilation compilation = GeneratorHarness.CreateCompilation("Incremental", Source);
        GeneratorDriver driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
        GeneratorRunResult first = driver.GetRunResult().Results.Single();
        driver = driver.RunGenerators(edit(compilation));
        return (first, driver.GetRunResult().Results.Single());
    }

    [Fact]
    public void AddedUnrelatedFile_DoesNotRecompileModel()
    {
        (GeneratorRunResult first, GeneratorRunResult second) = RunTwice(c =>
            c.AddSyntaxTrees(CSharpSyntaxTree.ParseText("namespace Demo; internal static class Other { }", GeneratorHarness.ParseOptions, path: "/project/Other.cs")));
        Incrementality.AssertNoRoslynObjects(first);
        Incrementality.AssertAllCached(second);
        Assert.Contains(second.TrackedSteps[TrackingNames.Generate].SelectMany(s => s.Outputs), o => o.Reason == IncrementalStepRunReason.Cached);
    }

    [Fact]
    public void AddedComment_DoesNotModifyOutput()
    {
        (_, GeneratorRunResult second) = RunTwice(c =>
        {
            SyntaxTree tree = c.SyntaxTrees.First();
            SyntaxTree edited = tree.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From(tree.GetText().ToString() + "\n// a comment\n"));
            return c.ReplaceSyntaxTree(tree, edited);
        });

        // Parse re-runs on the edited file, but produces an equal model: everything after it is cached.
        Incrementality.AssertAllCached(second, TrackingNames.Parse);
    }

    [Fact]
    public void InsertedLineAboveModel_DoesNotRecompileIt()
    {
        (GeneratorRunResult first, GeneratorRunResult second) = RunTwice(c =>
        {
            SyntaxTree tree = c.SyntaxTrees.First();
            SyntaxTree edited = tree.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From("// a line above the model\n" + tree.GetText()));
            return c.ReplaceSyntaxTree(tree, edited);
        });

        // The declaration moved: parsing and the cheap last step (manifest with the new line numbers) run again,
        // the compile key is equal, so the expensive compile does not.
        Assert.All(second.TrackedSteps[TrackingNames.Generate].SelectMany(s => s.Outputs),
            o => Assert.True(o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, "Generate: " + o.Reason));
        Assert.Contains(second.TrackedSteps[TrackingNames.Output].SelectMany(s => s.Outputs), o => o.Reason == IncrementalStepRunReason.Modified);
        string Manifest(GeneratorRunResult run) => run.GeneratedSources.Single(s => s.HintName == "Demo.Net.g.cs").SourceText.ToString();
        Assert.Contains("line=5", Manifest(first), System.StringComparison.Ordinal);
        Assert.Contains("line=6", Manifest(second), System.StringComparison.Ordinal);
    }

    [Fact]
    public void ChangedLayer_RegeneratesModel()
    {
        (_, GeneratorRunResult second) = RunTwice(c =>
        {
            SyntaxTree tree = c.SyntaxTrees.First();
            SyntaxTree edited = tree.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From(tree.GetText().ToString().Replace("[ReLU]", "[ReLU6]", System.StringComparison.Ordinal)));
            return c.ReplaceSyntaxTree(tree, edited);
        });
        Assert.Contains(second.TrackedSteps[TrackingNames.Generate].SelectMany(s => s.Outputs), o => o.Reason == IncrementalStepRunReason.Modified);
    }

    [Fact]
    public void ChangedLayer_RegeneratesAVariantThatTakesTheLayers()
    {
        Compilation compilation = GeneratorHarness.CreateCompilation("Incremental",
            Source + "\n[Model(\"w.safetensors\", LayersOf = typeof(Net), PruneRatio = 0.5)]\npublic static partial class Variant { }\n");
        GeneratorDriver driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
        SyntaxTree tree = compilation.SyntaxTrees.First();
        driver = driver.RunGenerators(compilation.ReplaceSyntaxTree(tree,
            tree.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From(tree.GetText().ToString().Replace("[ReLU]", "[ReLU6]", System.StringComparison.Ordinal)))));

        string variant = driver.GetRunResult().Results.Single().GeneratedSources.Single(s => s.HintName == "Demo.Variant.g.cs").SourceText.ToString();
        Assert.Contains("ReLU6", variant, System.StringComparison.Ordinal);
    }
}
