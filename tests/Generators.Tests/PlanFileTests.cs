using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using ModelCompiler.Generators.Tests.Infrastructure;
using ModelCompiler.Interpreter;
using Xunit;

namespace ModelCompiler.Generators.Tests;

/// <summary>Plan files (*.mcplan additional files) reach the generator, change the compiled code, travel in the
/// manifest to the weight-linking task, re-run the compile only when they change, and every mistake in one is a
/// diagnostic at its line.</summary>
public sealed class PlanFileTests
{
    private const string Source = """
        using ModelCompiler;
        namespace Demo;
        [Model("w.safetensors")]
        [Input(4, 6, 6)]
        [Conv2d("conv1", 4, 8, 1)]
        [ReLU]
        [Conv2d("conv2", 8, 4, 3, Padding = 1)]
        public partial class Net { }
        """;

    private const string PlanPath = GeneratorHarness.ProjectDirectory + "plans/net.mcplan";

    [Fact]
    public void APlan_ChangesTheKernelPlan_AndTheCodeStillMatchesTheInterpreter()
    {
        const string plan = "# reviewed\nmodel Demo.Net\n  layer conv1 algorithm=im2col\n";
        GeneratorResult plain = GeneratorHarness.Run(Source);
        GeneratorResult planned = GeneratorHarness.Run(Source, "TestModels", (PlanPath, plan));
        Assert.Empty(planned.GeneratorDiagnostics);

        // Without the plan both convs are matrix products on packed weights (the 1x1 one on the input planes); with it,
        // conv1 is one weighted row sum per output channel, on the input.
        Assert.Equal(1, Count(plain.Sources["Demo.Net.g.cs"], "Kernels.PointwiseGemm("));
        Assert.Equal(1, Count(plain.Sources["Demo.Net.g.cs"], "Kernels.ConvRowsGemm("));
        Assert.Equal(0, Count(plain.Sources["Demo.Net.g.cs"], "Kernels.ConvolveRows("));
        Assert.Equal(0, Count(planned.Sources["Demo.Net.g.cs"], "Kernels.PointwiseGemm("));
        Assert.Equal(1, Count(planned.Sources["Demo.Net.g.cs"], "Kernels.ConvRowsGemm("));
        Assert.Equal(1, Count(planned.Sources["Demo.Net.g.cs"], "Kernels.ConvolveRows("));
        Assert.Contains("plan layer=conv1 line=3 algorithm=im2col", planned.Sources["Demo.Net.g.cs"], StringComparison.Ordinal);
        Assert.Contains("plan=plans/net.mcplan", planned.Sources["Demo.Net.g.cs"], StringComparison.Ordinal);

        var data = new TestData(5);
        using CompiledModel model = CompiledModel.Create(Source, "Demo.Net", spec => data.Tensors(spec), (PlanPath, plan));
        float[] input = data.Floats(2 * model.InputSize, -2f, 2f);
        float[] expected = ReferenceInterpreter.Run(ModelCompilation.BuildUnoptimized(model.Spec)!, n => model.Tensors[n], input, 2);
        GeneratedVsInterpreterTests.AssertClose(expected, model.Run(input, 2), "planned model");
        Assert.Equal("im2col", model.Compilation.Lowered.Single(l => l.Node.Name == "conv1").Plan.Algorithm);
    }

    /// <summary>A plan can ask for the direct convolution (stride 1, any taps): the generated code calls ConvDirect on the
    /// declared weights and still equals the interpreter, at every vector width.</summary>
    [Fact]
    public void APlan_CanChooseTheDirectConvolution()
    {
        const string plan = "model Demo.Net\n  layer conv1 algorithm=direct\n  layer conv2 algorithm=direct\n";
        GeneratorResult planned = GeneratorHarness.Run(Source, "TestModels", (PlanPath, plan));
        Assert.Empty(planned.GeneratorDiagnostics);
        Assert.Equal(2, Count(planned.Sources["Demo.Net.g.cs"], "Kernels.ConvDirect("));

        var data = new TestData(6);
        using CompiledModel model = CompiledModel.Create(Source, "Demo.Net", spec => data.Tensors(spec), (PlanPath, plan));
        float[] input = data.Floats(3 * model.InputSize, -2f, 2f);
        float[] expected = ReferenceInterpreter.Run(ModelCompilation.BuildUnoptimized(model.Spec)!, n => model.Tensors[n], input, 3);
        foreach (VectorWidthChoice width in new[] { VectorWidthChoice.Scalar, VectorWidthChoice.V128, VectorWidthChoice.V256, VectorWidthChoice.V512 })
        {
            GeneratedVsInterpreterTests.AssertClose(expected, model.Run(input, 3, width), "direct convolutions at " + width);
        }
    }

    [Fact]
    public void APlan_SwitchesConvolutionsBetweenWinogradAndGemm_AndBothMatchTheInterpreter()
    {
        // "big" (32 -> 16 channels, 8 x 8 tiles) is Winograd by default, "small" (16 -> 8) gemm; the plan swaps them.
        const string source = """
            using ModelCompiler;
            namespace Demo;
            [Model("w.safetensors")]
            [Input(32, 32, 30)]
            [Conv2d("big", 32, 16, 3, Padding = 1)]
            [ReLU]
            [Conv2d("small", 16, 8, 3, Padding = 1)]
            public partial class Net { }
            """;
        const string plan = "model Demo.Net\n  layer big algorithm=gemm\n  layer small algorithm=winograd\n";
        var data = new TestData(11);
        IReadOnlyDictionary<string, float[]>? tensors = null;
        using CompiledModel plain = CompiledModel.Create(source, "Demo.Net", spec => tensors ??= data.Tensors(spec));
        using CompiledModel planned = CompiledModel.Create(source, "Demo.Net", spec => tensors ??= data.Tensors(spec), (PlanPath, plan));
        Assert.Equal(["winograd", "gemm"], plain.Compilation.Lowered.Select(l => l.Plan.Algorithm));
        Assert.Equal(["gemm", "winograd"], planned.Compilation.Lowered.Select(l => l.Plan.Algorithm));

        float[] input = data.Floats(2 * plain.InputSize, -2f, 2f);
        float[] expected = ReferenceInterpreter.Run(ModelCompilation.BuildUnoptimized(plain.Spec)!, n => plain.Tensors[n], input, 2);
        GeneratedVsInterpreterTests.AssertClose(expected, plain.Run(input, 2), "Winograd by default");
        GeneratedVsInterpreterTests.AssertClose(expected, planned.Run(input, 2), "Winograd as planned");
    }

    [Fact]
    public void AChangedPlan_RecompilesTheModel_AnUnchangedOneDoesNot()
    {
        var compilation = GeneratorHarness.CreateCompilation("Incremental", Source);
        var first = new GeneratorHarness.InMemoryText(PlanPath, "model Demo.Net\n  layer conv1 algorithm=gemm\n");
        var again = new GeneratorHarness.InMemoryText(PlanPath, "model Demo.Net\n  layer conv1 algorithm=gemm\n");
        GeneratorDriver driver = GeneratorHarness.CreateDriver([first]).RunGenerators(compilation);

        // The same text saved again (a new file object, equal content): nothing recompiles.
        GeneratorDriver same = driver.ReplaceAdditionalText(first, again).RunGenerators(compilation);
        Assert.All(same.GetRunResult().Results.Single().TrackedSteps[TrackingNames.Generate].SelectMany(s => s.Outputs),
            o => Assert.True(o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, o.Reason.ToString()));

        GeneratorDriver changed = same.ReplaceAdditionalText(again, new GeneratorHarness.InMemoryText(PlanPath, "model Demo.Net\n  layer conv1 algorithm=im2col\n"))
            .RunGenerators(compilation);
        Assert.Contains(changed.GetRunResult().Results.Single().TrackedSteps[TrackingNames.Generate].SelectMany(s => s.Outputs),
            o => o.Reason == IncrementalStepRunReason.Modified);
    }

    [Fact]
    public void MC1018_UnreadableLine_PointsAtThePlanLine()
    {
        Diagnostic d = Single("model Demo.Net\n  layer conv1 algoritm=im2col\n", "MC1018");
        Assert.Equal("Plan file 'plans/net.mcplan' line 2: unknown option 'algoritm=im2col'; a layer line takes algorithm=<name>, prune=<fraction> and sensitivity=<curve>", d.GetMessage());
        Assert.Equal((PlanPath, 1), (d.Location.GetLineSpan().Path, d.Location.GetLineSpan().StartLinePosition.Line));
    }

    [Fact]
    public void MC1018_LayerBeforeModel()
    {
        Diagnostic d = Single("layer conv1 algorithm=im2col\n", "MC1018");
        Assert.Contains("a 'layer' line before any 'model' line", d.GetMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public void MC1019_UnknownLayer_SuggestsTheClosestName()
    {
        Diagnostic d = Single("model Demo.Net\n\n  layer conv_1 algorithm=im2col\n", "MC1019");
        Assert.Equal("Plan file 'plans/net.mcplan' line 3 names layer 'conv_1', but model 'Demo.Net' declares no such layer (did you mean 'conv1'?); fix the plan or regenerate it for the current declaration", d.GetMessage());
        Assert.Equal(2, d.Location.GetLineSpan().StartLinePosition.Line);
    }

    [Fact]
    public void MC1020_AlgorithmTheLayerDoesNotHave_ListsTheOnesItHas()
    {
        // conv1 is 1x1: no Winograd; conv2 is 3x3 (Winograd on offer, gemm first at 8 channels); no layer has "fft".
        Diagnostic d = Single("model Demo.Net\n  layer conv1 algorithm=winograd\n", "MC1020");
        Assert.Equal("Plan file 'plans/net.mcplan' line 2 asks layer 'conv1' (Conv2d) for algorithm 'winograd'; this layer can use: gemm, direct, im2col", d.GetMessage());
        d = Single("model Demo.Net\n  layer conv2 algorithm=fft\n", "MC1020");
        Assert.Equal("Plan file 'plans/net.mcplan' line 2 asks layer 'conv2' (Conv2d) for algorithm 'fft'; this layer can use: gemm, winograd, direct, im2col", d.GetMessage());
    }

    [Fact]
    public void MC1020_AlgorithmOnAFusedLayer_NamesTheLayerToPutItOn()
    {
        Diagnostic d = Single("model Demo.Net\n  layer relu1 algorithm=im2col\n", "MC1020");
        Assert.Contains("none of its own: it is fused into 'conv1'; put the algorithm on that layer", d.GetMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public void APlanForAnotherModel_ChangesNothing()
    {
        GeneratorResult planned = GeneratorHarness.Run(Source, "TestModels", (PlanPath, "model Demo.Other\n  layer conv1 algorithm=im2col\n"));
        Assert.Empty(planned.GeneratorDiagnostics);
        Assert.Equal(GeneratorHarness.Run(Source).Sources["Demo.Net.g.cs"], planned.Sources["Demo.Net.g.cs"]);
    }

    private static Diagnostic Single(string plan, string id)
    {
        GeneratorResult result = GeneratorHarness.Run(Source, "TestModels", (PlanPath, plan));
        Diagnostic[] matches = result.GeneratorDiagnostics.Where(d => d.Id == id).ToArray();
        Assert.True(matches.Length == 1, $"expected one {id}, got: {string.Join("; ", result.GeneratorDiagnostics)}");
        return matches[0];
    }

    private static int Count(string text, string what) => (text.Length - text.Replace(what, string.Empty, StringComparison.Ordinal).Length) / what.Length;
}
