using System;
using System.Linq;
using ModelCompiler.Common;
using ModelCompiler.Manifest;
using ModelCompiler.Spec;
using ModelCompiler.Tests.Helpers;
using Xunit;
using static ModelCompiler.Tests.Helpers.Specs;

namespace ModelCompiler.Tests.Manifest;

/// <summary>The manifest is the exact spec as text: write then read gives an equal <see cref="ModelSpec"/>,
/// whatever characters names hold; the layout hash ignores source locations and nothing else.</summary>
public sealed class ModelManifestTests
{
    private static readonly ModelSpec Awkward = new()
    {
        Namespace = "My.Models",
        ClassName = "Net",
        Accessibility = "public",
        WeightsPath = "weights dir/model, v2 = final%.safetensors",
        InputShape = EquatableArray.Create(3, 8, 8),
        Location = new SourceLocation("src dir/Net, copy.cs", 12, 5),
        Layers = EquatableArray.Create(
            Conv("conv 1, first", 3, 8, 3, stride: 2, padding: 1, dilation: 1, groups: 1, bias: false) with
            {
                KernelW = 5, PaddingW = 2, DilationH = 2, WeightPrefix = "backbone.layers=0 %20 ,x",
                Location = new SourceLocation("src dir/Net, copy.cs", 14, 6),
            },
            BatchNorm("bn\t2", 8, eps: 1e-3f),
            LeakyReLU("a=b", -0.0625f),
            AvgPool("pool%", 3, 2, 1, countIncludePad: false),
            Op(OpKind.ReLU, "side,branch", "conv 1, first"),
            Concat("cat", "pool%", "side,branch", "a=b") with { Location = new SourceLocation("Net.cs", 20, 6) },
            Op(OpKind.PixelShuffle, "ps\r\nx") with { Factor = 2 },
            Op(OpKind.GELU, "ü → é")),
    };

    [Fact]
    public void RoundTrip_AwkwardNamesAndEveryField() => Assert.Equal(Awkward, ModelManifest.Read(ModelManifest.Write(Awkward)));

    [Fact]
    public void RoundTrip_GlobalNamespaceAndNoLocations()
    {
        ModelSpec spec = Networks.Cnn with { Namespace = string.Empty };
        Assert.Equal(spec, ModelManifest.Read(ModelManifest.Write(spec)));
    }

    [Fact]
    public void WrittenText_IsOneRecordPerLine()
    {
        string text = ModelManifest.Write(Awkward);
        Assert.Equal(2 + Awkward.Layers.Count, text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.DoesNotContain('\r', text);
        Assert.DoesNotContain('\t', text);
    }

    [Fact]
    public void WithoutLocations_ReadsBackWithoutLocations()
    {
        ModelSpec read = ModelManifest.Read(ModelManifest.Write(Awkward, includeLocations: false));
        Assert.Null(read.Location);
        Assert.All(read.Layers, l => Assert.Null(l.Location));
        Assert.Equal(Awkward with { Location = null, Layers = Awkward.Layers.ToArray().Select(l => l with { Location = null }).ToEquatableArray() }, read);
    }

    [Fact]
    public void LayoutHash_IgnoresLocationsButNotDeclarations()
    {
        ModelSpec moved = Awkward with { Location = new SourceLocation("elsewhere.cs", 1, 1) };
        ModelSpec changed = Awkward with { Layers = Awkward.Layers.ToArray().Select((l, i) => i == 1 ? l with { Epsilon = 1e-5f } : l).ToEquatableArray() };

        Assert.Equal(ModelManifest.LayoutHash(Awkward), ModelManifest.LayoutHash(moved));
        Assert.NotEqual(ModelManifest.LayoutHash(Awkward), ModelManifest.LayoutHash(changed));
    }

    [Theory]
    [InlineData("something else\nmodel a=b\n", "not a ModelCompiler manifest")]
    [InlineData("modelcompiler-manifest 999\nmodel a=b\n", "not a ModelCompiler manifest of version 1")]
    [InlineData("modelcompiler-manifest 1\nmodel namespace=a class=b access=c weights=d\n", "missing field 'input'")]
    [InlineData("modelcompiler-manifest 1\nmodel input=1\nlayer kind=ReLU name=r\n", "missing field 'kernel'")]
    [InlineData("modelcompiler-manifest 1\nlayer kind=ReLU\n", "expected a 'model' line")]
    public void Read_RejectsMalformedText(string text, string message)
    {
        FormatException e = Assert.Throws<FormatException>(() => ModelManifest.Read(text));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }
}
