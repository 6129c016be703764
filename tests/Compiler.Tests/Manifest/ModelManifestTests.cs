using System;
using System.Linq;
using ModelCompiler.Common;
using ModelCompiler.Manifest;
using ModelCompiler.Options;
using ModelCompiler.Spec;
using ModelCompiler.Tests.Helpers;
using Xunit;
using static ModelCompiler.Tests.Helpers.Specs;

namespace ModelCompiler.Tests.Manifest;

/// <summary>The manifest is the exact spec as text: write then read gives an equal <see cref="ModelSpec"/>,
/// whatever characters names hold; the layout hash ignores source locations and nothing else.</summary>
public sealed class ModelManifestTests
{
    private const string Options = "options backend=cpu device=d parallel-node-macs=1 parallel-batch-macs=1 chunk-bytes=1 plan=\n";

    private static readonly ModelSpec Awkward = new()
    {
        Namespace = "My.Models",
        ClassName = "Net",
        Accessibility = "public",
        WeightsPath = "weights dir/model, v2 = final%.safetensors",
        InputShape = EquatableArray.Create(3, 8, 8),
        Location = new SourceLocation("src dir/Net, copy.cs", 12, 5),
        Layers = EquatableArray.Create(
            Conv("conv 1, first", 3, 8, 3, stride: 2, padding: 1, dilation: 1, groups: 1, bias: false)
                .With("kernel_size", 3, 5).With("padding", 1, 1, 2, 2).With("dilation", 2, 1) with
            {
                WeightPrefix = "backbone.layers=0 %20 ,x",
                Location = new SourceLocation("src dir/Net, copy.cs", 14, 6),
            },
            BatchNorm("bn\t2", 8, eps: 1e-3f),
            LeakyReLU("a=b", -0.0625f),
            AvgPool("pool%", 3, 2, 1, countIncludePad: false),
            Op("ReLU", "side,branch", "conv 1, first"),
            Concat("cat", "pool%", "side,branch", "a=b") with { Location = new SourceLocation("Net.cs", 20, 6) },
            Specs.PixelShuffle("ps\r\nx", 2),
            ConvSame("same lower", 8, 8, 3, stride: 2, lower: true),
            Op("GELU", "ü → é")),
    };

    [Fact]
    public void RoundTrip_AwkwardNamesAndEveryField() => Assert.Equal(Awkward, ModelManifest.Read(ModelManifest.Write(Awkward)).Spec);

    [Fact]
    public void RoundTrip_Options()
    {
        var options = new CompileOptions
        {
            Backend = "cpu",
            Device = new DeviceProfile { Name = "bench box", ParallelNodeMacs = 123, ParallelBatchMacs = 456, ChunkBytes = 789 },
            Plan = new ModelPlan("My.Models.Net", EquatableArray.Create(new LayerPlan("conv 1, first", "im2col", 3), new LayerPlan("a=b", null, 4)), "plans/net, v2.mcplan"),
        };
        ManifestModel read = ModelManifest.Read(ModelManifest.Write(Awkward, options));
        Assert.Equal(Awkward, read.Spec);
        Assert.Equal(options, read.Options);
    }

    [Fact]
    public void RoundTrip_GlobalNamespaceAndNoLocations()
    {
        ModelSpec spec = Networks.Cnn with { Namespace = string.Empty };
        Assert.Equal(spec, ModelManifest.Read(ModelManifest.Write(spec)).Spec);
    }

    [Fact]
    public void WrittenText_IsOneRecordPerLine()
    {
        string text = ModelManifest.Write(Awkward);
        Assert.Equal(3 + Awkward.Layers.Count, text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.DoesNotContain('\r', text);
        Assert.DoesNotContain('\t', text);
    }

    [Fact]
    public void WithoutLocations_ReadsBackWithoutLocations()
    {
        ModelSpec read = ModelManifest.Read(ModelManifest.Write(Awkward, includeLocations: false)).Spec;
        Assert.Null(read.Location);
        Assert.All(read.Layers, l => Assert.Null(l.Location));
        Assert.Equal(Awkward with { Location = null, Layers = Awkward.Layers.ToArray().Select(l => l with { Location = null }).ToEquatableArray() }, read);
    }

    [Fact]
    public void DeclarationHash_IgnoresLocationsButNotDeclarationsOrOptions()
    {
        ModelSpec moved = Awkward with { Location = new SourceLocation("elsewhere.cs", 1, 1) };
        ModelSpec changed = Awkward with { Layers = Awkward.Layers.ToArray().Select((l, i) => i == 1 ? l.WithFloat("eps", 1e-5f) : l).ToEquatableArray() };
        CompileOptions planned = CompileOptions.Default with { Plan = new ModelPlan("My.Models.Net", EquatableArray.Create(new LayerPlan("conv 1, first", "im2col", 1)), "p.mcplan") };

        ulong hash = ModelManifest.DeclarationHash(Awkward, CompileOptions.Default);
        Assert.Equal(hash, ModelManifest.DeclarationHash(moved, CompileOptions.Default));
        Assert.NotEqual(hash, ModelManifest.DeclarationHash(changed, CompileOptions.Default));
        Assert.NotEqual(hash, ModelManifest.DeclarationHash(Awkward, planned));
    }

    [Fact]
    public void LayoutHash_CoversTheWeightPrograms()
    {
        // The same declaration with and without a BatchNorm after the conv packs different tensors into the same
        // sizes: the layout hash tells them apart, so the loader refuses the other's bytes.
        ModelSpec plain = Model([3, 6, 6], Conv("conv", 3, 4, 3, bias: true));
        ModelSpec folded = Model([3, 6, 6], Conv("conv", 3, 4, 3, bias: true), BatchNorm("bn", 4));
        Assert.Equal(ModelCompilation.Compile(plain).Layout!.TotalBytes, ModelCompilation.Compile(folded).Layout!.TotalBytes);
        Assert.NotEqual(ModelCompilation.Compile(plain).LayoutHash, ModelCompilation.Compile(folded).LayoutHash);
        Assert.Equal(ModelCompilation.Compile(folded).LayoutHash, ModelCompilation.Compile(folded with { Location = new SourceLocation("x.cs", 9, 9) }).LayoutHash);
    }

    [Theory]
    [InlineData("something else\nmodel a=b\n", "not a ModelCompiler manifest")]
    [InlineData("modelcompiler-manifest 999\nmodel a=b\noptions\n", "not a ModelCompiler manifest of version 2")]
    [InlineData("modelcompiler-manifest 2\nmodel namespace=a class=b access=c weights=d\n" + Options, "missing field 'input'")]
    [InlineData("modelcompiler-manifest 2\nmodel namespace=a class=b access=c weights=d input=1\nlayer kind=ReLU\n" + Options, "missing field 'name'")]
    [InlineData("modelcompiler-manifest 2\nmodel namespace=a class=b access=c weights=d input=1\nlayer kind=Conv2d name=c a.groups=x:1\n" + Options, "malformed attribute value 'x:1'")]
    [InlineData("modelcompiler-manifest 2\nmodel namespace=a class=b access=c weights=d input=1\nlayer kind=ReLU name=r\n", "the 'options' line is missing")]
    [InlineData("modelcompiler-manifest 2\nlayer kind=ReLU\noptions\n", "expected a 'model' line")]
    public void Read_RejectsMalformedText(string text, string message)
    {
        FormatException e = Assert.Throws<FormatException>(() => ModelManifest.Read(text));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }
}
