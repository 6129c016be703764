using System.Collections.Generic;
using System.Linq;
using ModelCompiler.Common;
using ModelCompiler.IR;
using ModelCompiler.Lowering;
using ModelCompiler.Ops;
using ModelCompiler.Options;
using ModelCompiler.Spec;
using ModelCompiler.Weights;
using Xunit;
using static ModelCompiler.Tests.Helpers.Specs;

namespace ModelCompiler.Tests.Lowering;

/// <summary>Which convolutions Winograd computes: a 3×3 stride-1 undilated convolution without groups may (its
/// algorithms list "winograd"), and does by default from 32 input channels, 16 output channels and 1,024 tiles ×
/// input channels; nothing else may. The plan then calls WinogradConv3x3 over blocks of tiles, with the weights in the
/// winograd layout (part of the layout hash) and a per-thread buffer of the size the kernel checks; a plan file
/// chooses either way.</summary>
public sealed class WinogradLoweringTests
{
    [Fact]
    public void ALargeConvolution_IsWinograd_WithItsLayoutBlocksAndBuffer()
    {
        // 64 → 64 at 64×64: 16 × 16 = 256 tiles of 4×4, in blocks of 64 (36 · 128 floats per tile fit 64 in 1.25 MB).
        ModelCompilation compilation = ModelCompilation.Compile(Model([64, 64, 64], Conv("conv", 64, 64, 3, padding: 1), Op("ReLU", "relu")));
        LoweredNode conv = Single(compilation, "conv");

        Assert.Equal(["winograd", "gemm", "direct", "im2col"], conv.Node.Op.Algorithms(conv.Node));
        Assert.Equal("winograd", conv.Plan.Algorithm);
        KernelCall call = Assert.Single(conv.Plan.Calls);
        Assert.Equal("WinogradConv3x3", call.Kernel);
        Assert.Equal(("blocks", 4L), (call.Range!.Axis, call.Range.Count.Value));
        Assert.Equal(64, Dim(call, "blockTiles"));
        Assert.Equal(4, Dim(call, "tileSize"));
        Assert.Equal("ReLU", call.Args.OfType<ActivationArg>().Single().Activation!.Kind);

        ScratchBuffer tile = Assert.Single(conv.Plan.Scratch);
        Assert.True(tile.PerThread);
        Assert.Equal(Conv2dOp.WinogradScratchFloats(64, 64, 64), tile.Floats.Value);
        Assert.Equal(tile.Floats.Value, Dim(call, "scratchFloats"));
        Assert.Equal(tile.Floats.Value, compilation.Memory!.ThreadScratchFloats.Value);

        PackedTensor weight = compilation.Layout!.Find("conv", "weight")!;
        Assert.Equal(WeightLayouts.WinogradOf(4, 6), weight.Program.Layout);
        Assert.Equal(36L * 66 * 64 * 4, weight.Bytes);
        Assert.Contains("winograd(4,6)", compilation.Layout.Describe(), System.StringComparison.Ordinal);
        Assert.Equal(TensorLayout.Dense, compilation.Layout.Find("conv", "bias")!.Program.Layout);
    }

    [Theory]
    [InlineData(16, 16, 64)] // too few input channels
    [InlineData(64, 8, 64)] // too few output channels
    [InlineData(64, 64, 12)] // too few tiles: 9 × 64 = 576 tile-channels
    [InlineData(1, 32, 28)] // MNIST's first convolution
    public void AnEligibleConvolutionBelowTheThreshold_IsGemm_WithWinogradOnOffer(int inC, int outC, int size)
    {
        ModelCompilation compilation = ModelCompilation.Compile(Model([inC, size, size], Conv("conv", inC, outC, 3, padding: 1)));
        LoweredNode conv = Single(compilation, "conv");

        Assert.Equal(["gemm", "winograd", "direct", "im2col"], conv.Node.Op.Algorithms(conv.Node));
        Assert.Equal("gemm", conv.Plan.Algorithm);
        Assert.Equal(WeightLayouts.PanelOf(6), compilation.Layout!.Find("conv", "weight")!.Program.Layout);
    }

    [Fact]
    public void TheThreshold_IsAtItsBoundary()
    {
        // 32 input channels need 32 tiles: a 24×24 output has 6 × 6 = 36, a 24×20 one 6 × 5 = 30.
        Assert.Equal("winograd", Single(ModelCompilation.Compile(Model([32, 24, 24], Conv("conv", 32, 16, 3, padding: 1))), "conv").Plan.Algorithm);
        Assert.Equal("gemm", Single(ModelCompilation.Compile(Model([32, 24, 20], Conv("conv", 32, 16, 3, padding: 1))), "conv").Plan.Algorithm);
        Assert.Equal("gemm", Single(ModelCompilation.Compile(Model([31, 64, 64], Conv("conv", 31, 16, 3, padding: 1))), "conv").Plan.Algorithm);
        Assert.Equal("gemm", Single(ModelCompilation.Compile(Model([32, 64, 64], Conv("conv", 32, 15, 3, padding: 1))), "conv").Plan.Algorithm);
    }

    public static TheoryData<string> Ineligible => new() { "stride2", "dilation2", "kernel5", "kernel1", "groups2", "kernel3x1" };

    [Theory]
    [MemberData(nameof(Ineligible))]
    public void OtherConvolutions_CannotBeWinograd(string which)
    {
        LayerSpec layer = which switch
        {
            "stride2" => Conv("conv", 64, 64, 3, stride: 2, padding: 1),
            "dilation2" => Conv("conv", 64, 64, 3, padding: 2, dilation: 2),
            "kernel5" => Conv("conv", 64, 64, 5, padding: 2),
            "kernel1" => Conv("conv", 64, 64, 1),
            "groups2" => Conv("conv", 64, 64, 3, padding: 1, groups: 2),
            _ => Conv("conv", 64, 64, 3, padding: 1).With(Conv2dOp.KernelSize, 3, 1).With(Conv2dOp.Padding, 1, 1, 0, 0),
        };
        ModelCompilation compilation = ModelCompilation.Compile(Model([64, 64, 64], layer));
        LoweredNode conv = Single(compilation, "conv");

        Assert.DoesNotContain("winograd", conv.Node.Op.Algorithms(conv.Node));
        Assert.NotEqual("winograd", conv.Plan.Algorithm);
        Assert.DoesNotContain(conv.Plan.Calls, c => c.Kernel == "WinogradConv3x3");
    }

    [Fact]
    public void APlanFile_ForcesGemm_OrWinograd()
    {
        ModelSpec spec = Model([64, 64, 64], Conv("big", 64, 64, 3, padding: 1), Conv("small", 64, 8, 3, padding: 1));
        ModelCompilation plain = ModelCompilation.Compile(spec);
        ModelCompilation planned = ModelCompilation.Compile(spec, new CompileOptions
        {
            Plan = new ModelPlan("Tests.Net", EquatableArray.Create(new LayerPlan("big", "gemm", 2), new LayerPlan("small", "winograd", 3)), "net.mcplan"),
        });
        Assert.Empty(planned.Diagnostics);

        Assert.Equal(("winograd", "gemm"), (Single(plain, "big").Plan.Algorithm, Single(plain, "small").Plan.Algorithm));
        Assert.Equal(("gemm", "winograd"), (Single(planned, "big").Plan.Algorithm, Single(planned, "small").Plan.Algorithm));
        Assert.Equal("ConvRowsGemm", Single(planned, "big").Plan.Calls.Single().Kernel);
        Assert.Equal(WeightLayouts.PanelOf(6), planned.Layout!.Find("big", "weight")!.Program.Layout);
        Assert.Equal(WeightLayouts.WinogradOf(4, 6), planned.Layout.Find("small", "weight")!.Program.Layout);
        Assert.NotEqual(plain.LayoutHash, planned.LayoutHash);
    }

    [Fact]
    public void AnOpenInputSize_IsDecidedByTheChannels_AndCountsBlocksAsAFormula()
    {
        ModelCompilation compilation = ModelCompilation.Compile(Model([64, -1, -1], Conv("conv", 64, 32, 3, padding: 1)));
        LoweredNode conv = Single(compilation, "conv");
        KernelCall call = conv.Plan.Calls.Single();

        Assert.Equal("winograd", conv.Plan.Algorithm);
        Assert.False(call.Range!.Count.IsConstant);
        Assert.Equal(64, Dim(call, "blockTiles"));

        // 100 × 37: 25 × 10 = 250 tiles, 4 blocks of 64; 3 × 3: one tile, one block.
        Assert.Equal(4, call.Range.Count.Evaluate(100, 37));
        Assert.Equal(1, call.Range.Count.Evaluate(3, 3));
    }

    private static LoweredNode Single(ModelCompilation compilation, string node)
    {
        Assert.True(compilation.Succeeded, string.Join("; ", compilation.Diagnostics));
        return compilation.Lowered.Single(l => l.Node.Name == node);
    }

    private static long Dim(KernelCall call, string name) => call.Args.OfType<DimArg>().Single(a => a.Name == name).Value.Value;
}
