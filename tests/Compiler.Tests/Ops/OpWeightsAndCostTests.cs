using System;
using System.Collections.Generic;
using System.Linq;
using ModelCompiler.Common;
using ModelCompiler.IR;
using ModelCompiler.Ops;
using ModelCompiler.Spec;
using ModelCompiler.Tests.Helpers;
using ModelCompiler.Weights;
using Xunit;
using static ModelCompiler.Tests.Helpers.Specs;

namespace ModelCompiler.Tests.Ops;

/// <summary>What every operator says about its weights (the canonical shapes the verifier checks, the programs a
/// declared layer starts with, named <c>{prefix}.weight</c> and so on) and its cost (multiply-accumulates,
/// parameters and activation bytes per sample; formulas on open inputs), against hand-computed values.</summary>
public sealed class OpWeightsAndCostTests
{
    private static readonly string[] WeightlessOperators =
        ["ReLU", "ReLU6", "LeakyReLU", "Sigmoid", "Tanh", "GELU", "SiLU", "HardSwish", "MaxPool2d", "AvgPool2d", "GlobalAvgPool2d", "Flatten", "Add", "Concat", "Upsample", "PixelShuffle", "Softmax"];

    [Fact]
    public void OperatorsWithWeights_AreLinearConvAndBatchNorm()
    {
        Assert.Equal(
            OpRegistry.All.Select(o => o.Name).OrderBy(n => n, StringComparer.Ordinal),
            WeightlessOperators.Concat(["Linear", "Conv2d", "BatchNorm2d"]).OrderBy(n => n, StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Weightless))]
    public void WeightlessOperators_DeclareNoWeights(string op)
    {
        OpDefinition definition = OpRegistry.Get(op);
        LayerSpec layer = Layer(op, "layer", []);
        Assert.Empty(definition.WeightShapes(layer.Attributes));
        Assert.Empty(definition.DeclaredWeights(layer));
    }

    public static TheoryData<string> Weightless => new(WeightlessOperators);

    [Theory]
    [InlineData(true, "weight [7, 12]; bias [7]")]
    [InlineData(false, "weight [7, 12]")]
    public void Linear_WeightShapes(bool bias, string expected) =>
        Assert.Equal(expected, Text(OpRegistry.Get("Linear").WeightShapes(Specs.Linear("fc", 12, 7, bias).Attributes)));

    [Theory]
    [InlineData(1, true, "weight [6, 4, 3, 5]; bias [6]")]
    [InlineData(2, true, "weight [6, 2, 3, 5]; bias [6]")]
    [InlineData(2, false, "weight [6, 2, 3, 5]")]
    public void Conv2d_WeightShapes(int groups, bool bias, string expected)
    {
        LayerSpec conv = Conv("conv", 4, 6, 3, groups: groups, bias: bias).With("kernel_size", 3, 5);
        Assert.Equal(expected, Text(OpRegistry.Get("Conv2d").WeightShapes(conv.Attributes)));
    }

    [Fact]
    public void Conv2d_Depthwise_HasOneInputChannelPerFilter() =>
        Assert.Equal("weight [8, 1, 3, 3]; bias [8]", Text(OpRegistry.Get("Conv2d").WeightShapes(Conv("dw", 8, 8, 3, groups: 8).Attributes)));

    [Fact]
    public void BatchNorm2d_WeightShapes_AreTheFoldedScaleAndShift() =>
        Assert.Equal("scale [5]; shift [5]", Text(OpRegistry.Get("BatchNorm2d").WeightShapes(BatchNorm("bn", 5).Attributes)));

    [Fact]
    public void Linear_DeclaredWeights_LoadPrefixedTensorsAsF32()
    {
        LayerSpec fc = Specs.Linear("fc", 12, 7) with { WeightPrefix = "head.0" };
        IReadOnlyList<NodeWeight> weights = OpRegistry.Get("Linear").DeclaredWeights(fc);
        Assert.Equal(
            [
                new NodeWeight("weight", new Encode(new LoadTensor("head.0.weight", EquatableArray.Create(7, 12)), DataType.F32, TensorLayout.Dense)),
                new NodeWeight("bias", new Encode(new LoadTensor("head.0.bias", EquatableArray.Create(7)), DataType.F32, TensorLayout.Dense)),
            ],
            weights);
        Assert.Equal("encode(load(head.0.weight [7,12]), f32, dense)", weights[0].Program.ToString());
    }

    [Fact]
    public void Conv2d_DeclaredWeights_WithoutBias_LoadOnlyTheWeight()
    {
        IReadOnlyList<NodeWeight> weights = OpRegistry.Get("Conv2d").DeclaredWeights(Conv("stem", 3, 8, 3, groups: 1, bias: false));
        NodeWeight weight = Assert.Single(weights);
        Assert.Equal(new NodeWeight("weight", new Encode(new LoadTensor("stem.weight", EquatableArray.Create(8, 3, 3, 3)), DataType.F32, TensorLayout.Dense)), weight);
        Assert.Equal(8 * 3 * 3 * 3 * 4, weight.Program.Bytes);
    }

    [Fact]
    public void BatchNorm2d_DeclaredWeights_ComputeScaleAndShiftFromTheFourTensors()
    {
        IReadOnlyList<NodeWeight> weights = OpRegistry.Get("BatchNorm2d").DeclaredWeights(BatchNorm("bn", 4, eps: 1e-3f) with { WeightPrefix = "features.1" });
        EquatableArray<int> shape = EquatableArray.Create(4);
        var scale = new BatchNormScale(new LoadTensor("features.1.weight", shape), new LoadTensor("features.1.running_var", shape), 1e-3f);
        var shift = new BatchNormShift(new LoadTensor("features.1.bias", shape), new LoadTensor("features.1.running_mean", shape), scale);
        Assert.Equal([new NodeWeight("scale", Encode.Float32(scale)), new NodeWeight("shift", Encode.Float32(shift))], weights);
        Assert.Equal(
            "encode(bn_scale(load(features.1.weight [4]), load(features.1.running_var [4]), eps=0.001), f32, dense)",
            weights[0].Program.ToString());
    }

    [Fact]
    public void DeclaredWeights_HaveTheShapesOfWeightShapes()
    {
        foreach (LayerSpec layer in new[] { Specs.Linear("fc", 9, 2), Conv("conv", 4, 6, 3, groups: 2), Conv("c", 2, 2, 1, bias: false), BatchNorm("bn", 3) })
        {
            OpDefinition op = OpRegistry.Get(layer.Kind);
            Assert.Equal(Text(op.WeightShapes(layer.Attributes)), string.Join("; ", op.DeclaredWeights(layer).Select(w => w.Role + " [" + string.Join(", ", w.Program.Shape) + "]")));
        }
    }

    /// <summary>Per case: the spec, the node, and its cost: MACs, parameters, bytes read, bytes written (text; formulas on open inputs).</summary>
    private static readonly Dictionary<string, (ModelSpec Spec, string Node, string Macs, long Parameters, string Read, string Written)> Costs = new()
    {
        // out [8, 10, 10] = 800 outputs, each 3 * 3 * 3 = 27 MACs; parameters 8 * 27 + 8; read 3 * 100 * 4 bytes.
        ["conv"] = (Model([3, 10, 10], Conv("conv", 3, 8, 3, padding: 1)), "conv", "21600", 224, "1200", "3200"),

        // out [6, 6, 6] = 216 outputs, each (4 / 2) * 9 = 18 MACs; parameters 6 * 2 * 9 + 6.
        ["conv groups 2"] = (Model([4, 6, 6], Conv("conv", 4, 6, 3, padding: 1, groups: 2)), "conv", "3888", 114, "576", "864"),

        // out [4, 3, 3] (stride 2, no padding, 7x7): 36 outputs, each 4 * 2 * 2 = 16 MACs; no bias.
        ["conv stride 2 no bias"] = (Model([4, 7, 7], Conv("conv", 4, 4, 2, stride: 2, bias: false)), "conv", "576", 64, "784", "144"),
        ["conv same stride 2, open"] = (Model([3, -1, -1], ConvSame("conv", 3, 8, 3, stride: 2)), "conv",
            "216*floor((H + 1) / 2)*floor((W + 1) / 2)", 224, "12*H*W", "32*floor((H + 1) / 2)*floor((W + 1) / 2)"),
        ["linear"] = (Model([12], Specs.Linear("fc", 12, 7)), "fc", "84", 91, "48", "28"),
        ["linear no bias"] = (Model([12], Specs.Linear("fc", 12, 7, bias: false)), "fc", "84", 84, "48", "28"),
        ["batchnorm"] = (Model([4, 5, 5], BatchNorm("bn", 4)), "bn", "0", 8, "400", "400"),
        ["batchnorm open"] = (Model([4, -1, -1], BatchNorm("bn", 4)), "bn", "0", 8, "16*H*W", "16*H*W"),
        ["relu"] = (Model([3, 4, 5], Op("ReLU", "relu")), "relu", "0", 0, "240", "240"),
        ["add of three"] = (Model([3, 4, 5], Op("ReLU", "r"), Add("sum", "r", "input", "r")), "sum", "0", 0, "720", "240"),
        ["add open"] = (Model([3, -1, -1], Op("ReLU", "r"), Add("sum", "r", "input")), "sum", "0", 0, "24*H*W", "12*H*W"),
        ["concat"] = (Model([3, 4, 5], Conv("a", 3, 2, 1), Concat("cat", "a", "input")), "cat", "0", 0, "400", "400"),
        ["flatten is a view"] = (Model([3, 4, 5], Op("Flatten", "flat")), "flat", "0", 0, "0", "0"),
        ["max pool"] = (Model([3, 8, 8], MaxPool("pool", 2, 2)), "pool", "0", 0, "768", "192"),
        ["global pool open"] = (Model([3, -1, -1], Op("GlobalAvgPool2d", "gap")), "gap", "0", 0, "12*H*W", "12"),
        ["upsample open"] = (Model([3, -1, -1], Upsample("up", 2)), "up", "0", 0, "12*H*W", "48*H*W"),
        ["pixel shuffle"] = (Model([8, 2, 3], PixelShuffle("ps", 2)), "ps", "0", 0, "192", "192"),
        ["softmax"] = (Model([10], Op("Softmax", "softmax")), "softmax", "0", 0, "40", "40"),
    };

    public static TheoryData<string> CostCases => [.. Costs.Keys];

    [Theory]
    [MemberData(nameof(CostCases))]
    public void Cost(string name)
    {
        (ModelSpec spec, string node, string macs, long parameters, string read, string written) = Costs[name];
        Node n = Graphs.Build(spec).Node(node);
        OpCost cost = n.Op.Cost(n);
        Assert.Equal((macs, parameters, read, written), (cost.Macs.ToString(), cost.Parameters, cost.BytesRead.ToString(), cost.BytesWritten.ToString()));
    }

    [Fact]
    public void Cost_OfAnOpenConv_EvaluatesToTheHandCount()
    {
        Node conv = Graphs.Build(Model([3, -1, -1], ConvSame("conv", 3, 8, 3, stride: 2))).Node("conv");
        Dim macs = conv.Op.Cost(conv).Macs;
        foreach ((long h, long w) in new[] { (1L, 1L), (7L, 8L), (224L, 224L), (1080L, 1920L), (33L, 2L) })
        {
            long outH = (h + 1) / 2, outW = (w + 1) / 2;
            Assert.Equal(8 * outH * outW * 3 * 3 * 3, macs.Evaluate(h, w));
        }
    }

    private static string Text(IReadOnlyList<WeightShape> shapes) => string.Join("; ", shapes.Select(s => s.Role + " [" + string.Join(", ", s.Shape) + "]"));
}
