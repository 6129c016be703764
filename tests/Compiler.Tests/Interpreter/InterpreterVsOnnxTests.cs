using System.Collections.Generic;
using ModelCompiler.Spec;
using ModelCompiler.Tests.Helpers;
using Xunit;
using static ModelCompiler.Tests.Helpers.Specs;

namespace ModelCompiler.Tests.Interpreter;

/// <summary>The reference interpreter's op semantics, confirmed by ONNX Runtime on the same weights and input:
/// one small random model per op and option, then whole networks (see <see cref="Differential"/> for the tolerance).</summary>
public sealed class InterpreterVsOnnxTests
{
    [Fact]
    public void Linear() => Differential.AssertMatchesOnnx(Model([12], Specs.Linear("fc", 12, 7)), batch: 3);

    [Fact]
    public void Linear_NoBias() => Differential.AssertMatchesOnnx(Model([12], Specs.Linear("fc", 12, 5, bias: false)));

    public static TheoryData<string> ConvCases => [.. Convs.Keys];

    private static readonly Dictionary<string, (int[] Input, LayerSpec Conv)> Convs = new()
    {
        ["3x3 padding 1"] = ([3, 7, 7], Conv("conv", 3, 4, 3, padding: 1)),
        ["1x1"] = ([5, 4, 3], Conv("conv", 5, 6, 1)),
        ["stride 2"] = ([3, 8, 9], Conv("conv", 3, 4, 3, stride: 2, padding: 1)),
        ["stride 2 no padding, odd size"] = ([2, 9, 7], Conv("conv", 2, 3, 3, stride: 2)),
        ["dilation 2"] = ([3, 9, 9], Conv("conv", 3, 4, 3, padding: 2, dilation: 2)),
        ["groups 2"] = ([4, 6, 6], Conv("conv", 4, 6, 3, padding: 1, groups: 2)),
        ["depthwise"] = ([4, 6, 5], Conv("conv", 4, 4, 3, padding: 1, groups: 4)),
        ["depthwise multiplier 2"] = ([3, 5, 5], Conv("conv", 3, 6, 3, stride: 2, padding: 1, groups: 3)),
        ["no bias"] = ([3, 6, 6], Conv("conv", 3, 5, 3, padding: 1, bias: false)),
        ["non-square kernel, stride, padding, dilation"] = ([3, 10, 11],
            Conv("conv", 3, 4, 3).With("kernel_size", 3, 5).With("stride", 1, 2).With("padding", 2, 2, 1, 1).With("dilation", 2, 1)),
        ["large padding"] = ([2, 4, 4], Conv("conv", 2, 3, 3, padding: 3)),

        // Per-side padding (ONNX pads [top, left, bottom, right]).
        ["per-side padding, top != bottom, left != right"] = ([3, 7, 8], Conv("conv", 3, 4, 3).With("padding", 0, 2, 1, 0)),
        ["per-side padding, stride 2"] = ([2, 8, 9], Conv("conv", 2, 3, 3, stride: 2).With("padding", 2, 0, 0, 1)),
        ["per-side padding, non-square kernel and stride"] = ([2, 9, 8],
            Conv("conv", 2, 3, 3).With("kernel_size", 2, 3).With("stride", 2, 1).With("padding", 1, 0, 0, 2)),

        // "same" (ONNX auto_pad SAME_UPPER: any odd padding after) and SAME_LOWER (before).
        ["same, stride 1, odd input"] = ([3, 7, 7], ConvSame("conv", 3, 4, 3)),
        ["same, stride 1, even kernel"] = ([3, 6, 7], ConvSame("conv", 3, 4, 4)),
        ["same, stride 2, even input"] = ([3, 8, 8], ConvSame("conv", 3, 4, 3, stride: 2)),
        ["same, stride 2, odd input"] = ([3, 9, 7], ConvSame("conv", 3, 4, 3, stride: 2)),
        ["same, stride 2, odd input, even kernel"] = ([2, 9, 7], ConvSame("conv", 2, 3, 4, stride: 2)),
        ["same_lower, stride 1, even kernel"] = ([3, 6, 7], ConvSame("conv", 3, 4, 4, lower: true)),
        ["same_lower, stride 2, even input"] = ([3, 8, 10], ConvSame("conv", 3, 4, 3, stride: 2, lower: true)),
        ["same_lower, stride 2, odd input"] = ([3, 9, 7], ConvSame("conv", 3, 4, 3, stride: 2, lower: true)),
        ["same_lower, stride 2, odd input, even kernel"] = ([2, 9, 7], ConvSame("conv", 2, 3, 4, stride: 2, lower: true)),
    };

    [Theory]
    [MemberData(nameof(ConvCases))]
    public void Conv2d(string name) => Differential.AssertMatchesOnnx(Model(Convs[name].Input, Convs[name].Conv));

    [Theory]
    [InlineData(1e-5f)]
    [InlineData(1e-3f)]
    public void BatchNorm2d(float eps) => Differential.AssertMatchesOnnx(Model([4, 5, 5], BatchNorm("bn", 4, eps)), batch: 3);

    [Theory]
    [InlineData("ReLU")]
    [InlineData("ReLU6")]
    [InlineData("Sigmoid")]
    [InlineData("Tanh")]
    [InlineData("GELU")]
    [InlineData("SiLU")]
    [InlineData("HardSwish")]
    public void Activation(string kind) =>
        Differential.AssertMatchesOnnx(Model([3, 4, 5], Op(kind, "act")), inputLow: -8, inputHigh: 8);

    [Theory]
    [InlineData(0.01f)]
    [InlineData(0.2f)]
    [InlineData(-0.5f)]
    public void LeakyReLU(float alpha) =>
        Differential.AssertMatchesOnnx(Model([24], Specs.LeakyReLU("act", alpha)), inputLow: -8, inputHigh: 8);

    [Fact]
    public void Activation_AfterLinear_OnRank1() =>
        Differential.AssertMatchesOnnx(Model([10], Specs.Linear("fc", 10, 16), Op("GELU", "gelu")), batch: 3, inputLow: -6, inputHigh: 6);

    [Theory]
    [InlineData(2, 2, 0)]
    [InlineData(3, 2, 1)]
    [InlineData(3, 1, 1)]
    [InlineData(2, 1, 1)]
    public void MaxPool2d(int kernel, int stride, int padding) =>
        Differential.AssertMatchesOnnx(Model([3, 7, 8], MaxPool("pool", kernel, stride, padding)));

    [Fact]
    public void MaxPool2d_PaddingIsMinusInfinity() =>
        Differential.AssertMatchesOnnx(Model([2, 5, 5], MaxPool("pool", 3, 2, 1)), inputLow: -3, inputHigh: -1);

    [Fact]
    public void MaxPool2d_NonSquare() =>
        Differential.AssertMatchesOnnx(Model([2, 7, 6], MaxPool("pool", 3, 2, 1).With("kernel_size", 3, 2).With("stride", 2, 1).With("padding", 1, 1, 0, 0)));

    [Theory]
    [InlineData(2, 2, 0, true)]
    [InlineData(3, 2, 1, true)]
    [InlineData(3, 2, 1, false)]
    [InlineData(3, 1, 1, false)]
    public void AvgPool2d(int kernel, int stride, int padding, bool countIncludePad) =>
        Differential.AssertMatchesOnnx(Model([3, 7, 8], AvgPool("pool", kernel, stride, padding, countIncludePad)));

    [Fact]
    public void AvgPool2d_NonSquare() =>
        Differential.AssertMatchesOnnx(Model([2, 6, 7], AvgPool("pool", 2, 1, 1, countIncludePad: false).With("kernel_size", 2, 3).With("stride", 1, 2)));

    [Fact]
    public void GlobalAvgPool2d() => Differential.AssertMatchesOnnx(Model([5, 6, 7], Op("GlobalAvgPool2d", "gap")), batch: 3);

    [Fact]
    public void Flatten_ThenLinear() =>
        Differential.AssertMatchesOnnx(Model([3, 4, 5], Op("Flatten", "flat"), Specs.Linear("fc", 60, 6)));

    [Fact]
    public void Add_TwoInputs() => Differential.AssertMatchesOnnx(Model([3, 5, 5],
        Conv("a", 3, 4, 3, padding: 1), Conv("b", 3, 4, 1).From("input"), Add("sum", "a", "b")));

    [Fact]
    public void Add_ThreeInputs() => Differential.AssertMatchesOnnx(Model([3, 5, 5],
        Conv("a", 3, 3, 3, padding: 1), Conv("b", 3, 3, 1).From("input"), Add("sum", "a", "b", "input")));

    [Fact]
    public void Concat_Channels() => Differential.AssertMatchesOnnx(Model([3, 5, 6],
        Conv("a", 3, 4, 3, padding: 1), Conv("b", 3, 2, 1).From("input"), Concat("cat", "a", "input", "b")));

    [Fact]
    public void Concat_Features() => Differential.AssertMatchesOnnx(Model([8],
        Specs.Linear("a", 8, 5), Specs.Linear("b", 8, 3).From("input"), Concat("cat", "b", "a", "input")), batch: 3);

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void Upsample_Nearest(int factor) => Differential.AssertMatchesOnnx(Model([2, 3, 4], Upsample("up", factor)));

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void PixelShuffle(int factor) =>
        Differential.AssertMatchesOnnx(Model([2 * factor * factor, 3, 4], Specs.PixelShuffle("shuffle", factor)));

    [Fact]
    public void Softmax_Features() =>
        Differential.AssertMatchesOnnx(Model([10], Specs.Linear("fc", 10, 7), Op("Softmax", "softmax")), batch: 3, inputLow: -8, inputHigh: 8);

    [Fact]
    public void Softmax_ChannelsPerPixel() =>
        Differential.AssertMatchesOnnx(Model([5, 3, 4], Op("Softmax", "softmax")), inputLow: -6, inputHigh: 6);

    [Fact]
    public void Network_Mlp() => Differential.AssertMatchesOnnx(Networks.Mlp, batch: 3);

    [Fact]
    public void Network_CnnWithBatchNormResidualConcatPoolingAndHead() => Differential.AssertMatchesOnnx(Networks.Cnn);

    [Fact]
    public void Network_UpsamplingAndPixelShuffle() => Differential.AssertMatchesOnnx(Networks.Upsampling);
}
