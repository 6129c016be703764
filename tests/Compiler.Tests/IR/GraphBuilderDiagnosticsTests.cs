using System.Collections.Generic;
using System.Linq;
using ModelCompiler.Common;
using ModelCompiler.Diagnostics;
using ModelCompiler.IR;
using ModelCompiler.Spec;
using Xunit;
using static ModelCompiler.Tests.Helpers.Specs;

namespace ModelCompiler.Tests.IR;

/// <summary>Each declaration diagnostic: its ID, the names and values its message must show, and the location
/// of the attribute that declared the offending layer (or the model, for model-level problems).</summary>
public sealed class GraphBuilderDiagnosticsTests
{
    private static readonly SourceLocation ModelAt = new("Models/Net.cs", 10, 2);

    private static readonly SourceLocation LayerAt = new("Models/Net.cs", 14, 6);

    [Theory]
    [InlineData(new int[0])]
    [InlineData(new[] { 3, 4 })]
    [InlineData(new[] { 3, 0, 4 })]
    public void MC1003_MissingOrInvalidInputShape(int[] input)
    {
        DiagnosticInfo d = Single(Model(input, Op("ReLU", "relu")) with { Location = ModelAt });
        AssertDiagnostic(d, "MC1003", ModelAt, "'Tests.Net'", "[Input(");
    }

    [Fact]
    public void MC1004_NoLayers()
    {
        DiagnosticInfo d = Single(Model([4]) with { Location = ModelAt });
        AssertDiagnostic(d, "MC1004", ModelAt, "'Tests.Net'", "declares no layers");
    }

    [Theory]
    [InlineData("kernel 0", "kernel_size is 0", "at least 1")]
    [InlineData("negative padding", "padding is -1", "0 or more")]
    [InlineData("stride 0", "stride is 0", "at least 1")]
    [InlineData("dilation 0", "dilation is 0", "at least 1")]
    [InlineData("groups not dividing", "groups is 3", "in_channels (4) and out_channels (6) must both be divisible")]
    [InlineData("kernel larger than padded input", "kernel_size is 5x5", "larger than the padded input [N, 4, 3, 3]")]
    [InlineData("dilated kernel larger than input", "kernel_size is 3x3", "larger than the padded input [N, 4, 3, 3]")]
    [InlineData("pool padding over half the kernel", "padding is 2", "at most half the kernel size (3)")]
    [InlineData("pool kernel 0", "kernel_size is 0", "at least 1")]
    [InlineData("linear out 0", "out_features is 0", "at least 1")]
    [InlineData("batchnorm eps 0", "eps is 0", "positive finite")]
    [InlineData("leaky relu NaN slope", "negative_slope is NaN", "finite")]
    [InlineData("upsample factor 0", "scale_factor is 0", "at least 1")]
    [InlineData("pixel shuffle factor -2", "upscale_factor is -2", "at least 1")]
    public void MC1005_InvalidArgument(string @case, string what, string why)
    {
        LayerSpec layer = @case switch
        {
            "kernel 0" => Conv("bad", 4, 4, 0),
            "negative padding" => Conv("bad", 4, 4, 3, padding: -1),
            "stride 0" => Conv("bad", 4, 4, 3).With("stride", 1, 0),
            "dilation 0" => Conv("bad", 4, 4, 3, dilation: 0),
            "groups not dividing" => Conv("bad", 4, 6, 1, groups: 3),
            "kernel larger than padded input" => Conv("bad", 4, 4, 5),
            "dilated kernel larger than input" => Conv("bad", 4, 4, 3, dilation: 2),
            "pool padding over half the kernel" => MaxPool("bad", 3, 1, 2),
            "pool kernel 0" => AvgPool("bad", 0, 1),
            "linear out 0" => Linear("bad", 36, 0).From("flat"),
            "batchnorm eps 0" => BatchNorm("bad", 4, eps: 0),
            "leaky relu NaN slope" => LeakyReLU("bad", float.NaN),
            "upsample factor 0" => Upsample("bad", 0),
            "pixel shuffle factor -2" => PixelShuffle("bad", -2),
            _ => throw new System.ArgumentException(@case),
        };
        ModelSpec spec = Model([4, 3, 3], Op("Flatten", "flat"), (layer with { Location = LayerAt }).From(layer.Inputs.IsEmpty ? "input" : "flat"));

        DiagnosticInfo d = Single(spec);
        AssertDiagnostic(d, "MC1005", LayerAt, "Layer 'bad' (" + layer.Kind + ")", what, why);
    }

    [Fact]
    public void MC1005_NonSquarePair_ReportsEachBadDimension()
    {
        ModelSpec spec = Model([4, 3, 3], Conv("bad", 4, 4, 0).With("kernel_size", 0, -1) with { Location = LayerAt });
        IReadOnlyList<DiagnosticInfo> diagnostics = GraphBuilder.Build(spec).Diagnostics;
        Assert.Equal(["kernel_size is 0", "kernel_size is -1"], diagnostics.Select(d => d.Message.Split(": ")[1].Split(',')[0]));
        Assert.All(diagnostics, d => Assert.Equal(("MC1005", LayerAt), (d.Id, d.Location)));
    }

    [Fact]
    public void MC1006_UnknownInput()
    {
        DiagnosticInfo d = Single(Model([4], Linear("fc", 4, 4), Add("sum", "fc", "fcc") with { Location = LayerAt }));
        AssertDiagnostic(d, "MC1006", LayerAt, "Layer 'sum' reads 'fcc'", "earlier layer or 'input'");
    }

    [Fact]
    public void MC1006_ReadingALaterLayer()
    {
        DiagnosticInfo d = Single(Model([4], Linear("a", 4, 4).From("b") with { Location = LayerAt }, Linear("b", 4, 4)));
        AssertDiagnostic(d, "MC1006", LayerAt, "Layer 'a' reads 'b'", "('b' is declared after it; layers run in declaration order)");
    }

    [Theory]
    [InlineData("UPN1", "UPN_1")]
    [InlineData("F_1_1_Relu", "F_1_1_relu")]
    [InlineData("conv1", "Conv1")]
    public void MC1006_ANameOneEditAway_IsSuggested(string declared, string read)
    {
        DiagnosticInfo d = Single(Model([4], Linear(declared, 4, 4), Linear("fc", 4, 4).From(read) with { Location = LayerAt }));
        Assert.Equal("Layer 'fc' reads '" + read + "', but no layer of that name is declared before it (did you mean '" + declared
            + "'?); inputs must name an earlier layer or 'input'", d.Message);
    }

    [Fact]
    public void MC1006_NothingNear_NoSuggestion()
    {
        DiagnosticInfo d = Single(Model([4], Linear("encoder", 4, 4), Linear("fc", 4, 4).From("x") with { Location = LayerAt }));
        Assert.Equal("Layer 'fc' reads 'x', but no layer of that name is declared before it; inputs must name an earlier layer or 'input'", d.Message);
    }

    [Theory]
    [InlineData("", "the name is empty")]
    [InlineData("  ", "the name is blank")]
    public void MC1005_EmptyLayerName_IsRefusedAtItsAttribute(string name, string what)
    {
        DiagnosticInfo d = Single(Model([4], Linear(name, 4, 4) with { Location = LayerAt }));
        AssertDiagnostic(d, "MC1005", LayerAt, "Layer '" + name + "' (Linear): " + what, "a layer needs a name");
    }

    [Fact]
    public void MC1005_EmptyWeightPrefix_IsRefusedAtItsAttribute()
    {
        DiagnosticInfo d = Single(Model([4], Linear("fc", 4, 4) with { WeightPrefix = string.Empty, Location = LayerAt }));
        AssertDiagnostic(d, "MC1005", LayerAt, "Layer 'fc' (Linear): WeightPrefix is empty", "set it to the state_dict prefix");
    }

    [Fact]
    public void MC1007_DuplicateLayerName()
    {
        DiagnosticInfo d = Single(Model([4], Linear("fc", 4, 4), Linear("fc", 4, 4) with { Location = LayerAt }));
        AssertDiagnostic(d, "MC1007", LayerAt, "Layer name 'fc'", "'Tests.Net'");
    }

    [Theory]
    [InlineData("linear in_features", "Layer 'bad' (Linear) expects [N, 10] from 'flat', but 'flat' produces [N, 12]", "in_features")]
    [InlineData("conv in_channels", "Layer 'bad' (Conv2d) expects [N, 4, H, W] from 'input', but 'input' produces [N, 3, 2, 2]", "in_channels")]
    [InlineData("batchnorm features", "Layer 'bad' (BatchNorm2d) expects [N, 5, H, W] from 'input', but 'input' produces [N, 3, 2, 2]", "num_features")]
    [InlineData("add shapes", "expects [N, 3, 2, 2] (the shape of 'input') from 'pool', but 'pool' produces [N, 3, 1, 1]", "inputs")]
    [InlineData("concat spatial size", "expects [N, *, 2, 2] (like 'input') from 'pool', but 'pool' produces [N, 3, 1, 1]", "inputs")]
    [InlineData("concat rank", "expects [N, *, 2, 2] (like 'input') from 'flat', but 'flat' produces [N, 12]", "inputs")]
    [InlineData("pixel shuffle channels", "expects channels divisible by 4 from 'input', but 'input' produces [N, 3, 2, 2]", "upscale_factor")]
    public void MC1008_ShapeMismatch(string @case, string message, string field)
    {
        LayerSpec layer = @case switch
        {
            "linear in_features" => Linear("bad", 10, 2).From("flat"),
            "conv in_channels" => Conv("bad", 4, 2, 1).From("input"),
            "batchnorm features" => BatchNorm("bad", 5).From("input"),
            "add shapes" => Add("bad", "input", "pool"),
            "concat spatial size" => Concat("bad", "input", "pool"),
            "concat rank" => Concat("bad", "input", "flat"),
            "pixel shuffle channels" => PixelShuffle("bad", 2, "input"),
            _ => throw new System.ArgumentException(@case),
        };
        ModelSpec spec = Model([3, 2, 2],
            MaxPool("pool", 2, 2), Op("Flatten", "flat").From("input"), Add("use", "pool", "pool"), Op("ReLU", "use2").From("flat"),
            layer with { Location = LayerAt });

        DiagnosticInfo d = Assert.Single(Errors(spec));
        AssertDiagnostic(d, "MC1008", LayerAt, message, "fix the layer's " + field);
    }

    [Theory]
    [InlineData("linear on image", "Layer 'bad' (Linear) needs a flat [N, features] input, but 'input' produces [N, 3, 2, 2]")]
    [InlineData("conv on vector", "Layer 'bad' (Conv2d) needs a [N, C, H, W] input, but 'flat' produces [N, 12]")]
    [InlineData("pool on vector", "Layer 'bad' (MaxPool2d) needs a [N, C, H, W] input, but 'flat' produces [N, 12]")]
    [InlineData("global pool on vector", "Layer 'bad' (GlobalAvgPool2d) needs a [N, C, H, W] input, but 'flat' produces [N, 12]")]
    public void MC1009_WrongInputRank(string @case, string message)
    {
        LayerSpec layer = @case switch
        {
            "linear on image" => Linear("bad", 12, 2).From("input"),
            "conv on vector" => Conv("bad", 12, 2, 1).From("flat"),
            "pool on vector" => MaxPool("bad", 2, 2).From("flat"),
            "global pool on vector" => Op("GlobalAvgPool2d", "bad", "flat"),
            _ => throw new System.ArgumentException(@case),
        };
        DiagnosticInfo d = Assert.Single(Errors(Model([3, 2, 2], Op("Flatten", "flat"), layer with { Location = LayerAt })));
        AssertDiagnostic(d, "MC1009", LayerAt, message, "[Flatten]");
    }

    [Theory]
    [InlineData("Add", new string[0], "takes 2 or more input(s), but 0 given")]
    [InlineData("Concat", new[] { "input" }, "takes 2 or more input(s), but 1 given")]
    [InlineData("ReLU", new[] { "input", "input" }, "takes 1 input(s), but 2 given")]
    public void MC1010_InputCount(string kind, string[] inputs, string fragment)
    {
        DiagnosticInfo d = Single(Model([4], Op(kind, "bad", inputs) with { Location = LayerAt }));
        AssertDiagnostic(d, "MC1010", LayerAt, "Layer 'bad' (" + kind + ")", fragment);
    }

    [Fact]
    public void MC1013_UnusedLayer_IsAWarningAndTheGraphStillBuilds()
    {
        ModelSpec spec = Model([4], Linear("dead", 4, 2) with { Location = LayerAt }, Linear("fc", 4, 3).From("input"));
        (Graph? graph, IReadOnlyList<DiagnosticInfo> diagnostics) = GraphBuilder.Build(spec);

        Assert.NotNull(graph);
        DiagnosticInfo d = Assert.Single(diagnostics);
        Assert.Equal(Severity.Warning, d.Severity);
        AssertDiagnostic(d, "MC1013", LayerAt, "layer 'dead' is never read");
    }

    [Fact]
    public void LayerWithoutLocation_ReportsAtTheModel()
    {
        DiagnosticInfo d = Single(Model([4], Linear("fc", 5, 2)) with { Location = ModelAt });
        AssertDiagnostic(d, "MC1008", ModelAt, "'fc'");
    }

    [Fact]
    public void AnErrorDoesNotCascadeIntoTheLayersAfterIt()
    {
        ModelSpec spec = Model([4], Linear("bad", 5, 2) with { Location = LayerAt }, Op("ReLU", "relu"), Linear("fc", 2, 2));
        DiagnosticInfo d = Single(spec);
        Assert.Equal("MC1008", d.Id);
    }

    private static DiagnosticInfo Single(ModelSpec spec)
    {
        (Graph? graph, IReadOnlyList<DiagnosticInfo> diagnostics) = GraphBuilder.Build(spec);
        Assert.Null(graph);
        return Assert.Single(diagnostics);
    }

    private static IEnumerable<DiagnosticInfo> Errors(ModelSpec spec)
    {
        (Graph? graph, IReadOnlyList<DiagnosticInfo> diagnostics) = GraphBuilder.Build(spec);
        Assert.Null(graph);
        return diagnostics.Where(d => d.Severity == Severity.Error);
    }

    private static void AssertDiagnostic(DiagnosticInfo d, string id, SourceLocation location, params string[] fragments)
    {
        Assert.Equal(id, d.Id);
        Assert.Equal(location, d.Location);
        foreach (string fragment in fragments)
        {
            Assert.Contains(fragment, d.Message, System.StringComparison.Ordinal);
        }
    }
}
