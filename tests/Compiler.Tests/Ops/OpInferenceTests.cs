using System;
using System.Collections.Generic;
using System.Linq;
using ModelCompiler.Diagnostics;
using ModelCompiler.IR;
using ModelCompiler.Ops;
using ModelCompiler.Spec;
using ModelCompiler.Tests.Helpers;
using Xunit;
using static ModelCompiler.Tests.Helpers.Specs;

namespace ModelCompiler.Tests.Ops;

/// <summary>Type inference of every operator: the output shape for a fixed input, and for an input whose height and
/// width are open ([Input(C, -1, -1)]), where the shape is a formula in H and W, checked both as text and by
/// evaluation against a hand-written integer formula at many sizes. Each table has one entry per operator of
/// <see cref="OpRegistry.All"/>, which a test checks, so a new operator cannot go untested.</summary>
public sealed class OpInferenceTests
{
    private static readonly long[] Sizes = [1, 2, 3, 4, 5, 6, 7, 8, 9, 16, 17, 31, 32, 224, 225];

    private static readonly string[] Activations = ["ReLU", "ReLU6", "LeakyReLU", "Sigmoid", "Tanh", "GELU", "SiLU", "HardSwish"];

    private static LayerSpec Activation(string kind) => kind == "LeakyReLU" ? Specs.LeakyReLU("act", 0.2f) : Op(kind, "act");

    /// <summary>Per operator: the input, the layers (the last one is the operator's), the last layer's shape.</summary>
    private static readonly Dictionary<string, (int[] Input, LayerSpec[] Layers, string Shape)> Fixed = new Dictionary<string, (int[], LayerSpec[], string)>
    {
        ["Linear"] = ([12], [Specs.Linear("fc", 12, 7)], "[N, 7]"),

        // floor((11 + 2 - 3) / 2) + 1 = 6, floor((8 + 2 - 3) / 2) + 1 = 4.
        ["Conv2d"] = ([3, 11, 8], [Conv("conv", 3, 8, 3, stride: 2, padding: 1)], "[N, 8, 6, 4]"),
        ["BatchNorm2d"] = ([4, 5, 6], [BatchNorm("bn", 4)], "[N, 4, 5, 6]"),

        // floor((7 + 2 - 3) / 2) + 1 = 4, floor((8 + 2 - 3) / 2) + 1 = 4.
        ["MaxPool2d"] = ([3, 7, 8], [MaxPool("pool", 3, 2, 1)], "[N, 3, 4, 4]"),

        // floor((7 - 2) / 2) + 1 = 3, floor((8 - 2) / 2) + 1 = 4.
        ["AvgPool2d"] = ([3, 7, 8], [AvgPool("pool", 2, 2)], "[N, 3, 3, 4]"),
        ["GlobalAvgPool2d"] = ([5, 6, 7], [Op("GlobalAvgPool2d", "gap")], "[N, 5, 1, 1]"),
        ["Flatten"] = ([3, 4, 5], [Op("Flatten", "flat")], "[N, 60]"),
        ["Add"] = ([3, 5, 5], [Op("ReLU", "relu"), Add("sum", "relu", "input")], "[N, 3, 5, 5]"),
        ["Concat"] = ([3, 5, 6], [Conv("a", 3, 4, 1), Concat("cat", "a", "input")], "[N, 7, 5, 6]"),
        ["Upsample"] = ([2, 3, 4], [Upsample("up", 3)], "[N, 2, 9, 12]"),
        ["PixelShuffle"] = ([8, 3, 4], [PixelShuffle("ps", 2)], "[N, 2, 6, 8]"),
        ["Softmax"] = ([10], [Op("Softmax", "softmax")], "[N, 10]"),
    }.Concat(Activations.Select(a => KeyValuePair.Create(a, (new[] { 3, 4, 5 }, new[] { Activation(a) }, "[N, 3, 4, 5]"))))
        .ToDictionary(p => p.Key, p => p.Value);

    /// <summary>Per operator, on an open input: the last layer's shape as text and its dimensions by hand at (h, w).</summary>
    private static readonly Dictionary<string, (int[] Input, LayerSpec[] Layers, string Shape, Func<long, long, long[]> Dims)> Open =
        new Dictionary<string, (int[], LayerSpec[], string, Func<long, long, long[]>)>
        {
            // Global pooling makes the open sizes constant again, so a Linear can follow.
            ["Linear"] = ([3, -1, -1], [Op("GlobalAvgPool2d", "gap"), Op("Flatten", "flat"), Specs.Linear("fc", 3, 5)], "[N, 5]", (h, w) => [5]),
            ["Conv2d"] = ([3, -1, -1], [ConvSame("conv", 3, 8, 3, stride: 2)], "[N, 8, floor((H + 1) / 2), floor((W + 1) / 2)]",
                (h, w) => [8, Ceil(h, 2), Ceil(w, 2)]),
            ["BatchNorm2d"] = ([4, -1, -1], [BatchNorm("bn", 4)], "[N, 4, H, W]", (h, w) => [4, h, w]),
            ["MaxPool2d"] = ([3, -1, -1], [MaxPool("pool", 2, 2)], "[N, 3, floor((H) / 2), floor((W) / 2)]",
                (h, w) => [3, Floor(h - 2, 2) + 1, Floor(w - 2, 2) + 1]),
            ["AvgPool2d"] = ([3, -1, -1], [AvgPool("pool", 3, 2, 1)], "[N, 3, floor((H + 1) / 2), floor((W + 1) / 2)]",
                (h, w) => [3, Floor(h - 1, 2) + 1, Floor(w - 1, 2) + 1]),
            ["GlobalAvgPool2d"] = ([3, -1, -1], [Op("GlobalAvgPool2d", "gap")], "[N, 3, 1, 1]", (h, w) => [3, 1, 1]),
            ["Flatten"] = ([3, -1, -1], [Op("Flatten", "flat")], "[N, 3*H*W]", (h, w) => [3 * h * w]),
            ["Add"] = ([3, -1, -1], [Conv("c", 3, 3, 3, padding: 1), Add("sum", "c", "input")], "[N, 3, H, W]", (h, w) => [3, h, w]),
            ["Concat"] = ([3, -1, -1], [ConvSame("a", 3, 4, 3), Conv("b", 3, 2, 3, padding: 1).From("input"), Concat("cat", "a", "input", "b")],
                "[N, 9, H, W]", (h, w) => [9, h, w]),
            ["Upsample"] = ([3, -1, -1], [Upsample("up", 2)], "[N, 3, 2*H, 2*W]", (h, w) => [3, 2 * h, 2 * w]),
            ["PixelShuffle"] = ([18, -1, -1], [PixelShuffle("ps", 3)], "[N, 2, 3*H, 3*W]", (h, w) => [2, 3 * h, 3 * w]),
            ["Softmax"] = ([5, -1, -1], [Op("Softmax", "softmax")], "[N, 5, H, W]", (h, w) => [5, h, w]),
        }.Concat(Activations.Select(a => KeyValuePair.Create(a, (new[] { 3, -1, -1 }, new[] { Activation(a) }, "[N, 3, H, W]", (Func<long, long, long[]>)((h, w) => [3, h, w])))))
            .ToDictionary(p => p.Key, p => p.Value);

    public static TheoryData<string> FixedCases => [.. Fixed.Keys];

    public static TheoryData<string> OpenCases => [.. Open.Keys];

    [Fact]
    public void EveryOperator_HasAFixedAndAnOpenCase()
    {
        string[] operators = OpRegistry.All.Select(o => o.Name).OrderBy(n => n, StringComparer.Ordinal).ToArray();
        Assert.Equal(operators, Fixed.Keys.OrderBy(n => n, StringComparer.Ordinal));
        Assert.Equal(operators, Open.Keys.OrderBy(n => n, StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(FixedCases))]
    public void FixedInput(string op)
    {
        (int[] input, LayerSpec[] layers, string shape) = Fixed[op];
        Node node = Graphs.Build(Model(input, layers)).Nodes[^1];
        Assert.Equal(op, node.Op.Name);
        Assert.Equal(shape, node.Output.Shape.ToString());
        Assert.True(node.Output.Shape.IsConstant);
    }

    [Theory]
    [MemberData(nameof(OpenCases))]
    public void OpenInput(string op)
    {
        (int[] input, LayerSpec[] layers, string shape, Func<long, long, long[]> dims) = Open[op];
        Graph graph = Graphs.Build(Model(input, layers));
        Node node = graph.Nodes[^1];
        Assert.Equal(op, node.Op.Name);
        Assert.True(graph.HasOpenSize);
        Assert.Equal(shape, node.Output.Shape.ToString());
        foreach (long h in Sizes)
        {
            foreach (long w in Sizes)
            {
                Assert.Equal(dims(h, w), node.Output.Shape.Evaluate(h, w));
            }
        }
    }

    /// <summary>Convolution geometry on open inputs: explicit padding gives floor((H + top + bottom - extent) / stride) + 1
    /// per axis, "same" gives ceil(H / stride) whatever the kernel.</summary>
    [Theory]
    [InlineData("k3 s1 p1", "[N, 4, H, W]")]
    [InlineData("k3 s2 p1", "[N, 4, floor((H + 1) / 2), floor((W + 1) / 2)]")]
    [InlineData("k3 s2 p0", "[N, 4, floor((H + 1) / 2) - 1, floor((W + 1) / 2) - 1]")]
    [InlineData("k3 d2 p0", "[N, 4, H - 4, W - 4]")]
    [InlineData("k3 s2 top0 bottom2 left1 right0", "[N, 4, floor((H + 1) / 2), floor((W) / 2)]")]
    [InlineData("k3x5 s1x2 top2 bottom0 left0 right3", "[N, 4, H, floor((W) / 2)]")]
    [InlineData("k4 s2 p0", "[N, 4, floor((H) / 2) - 1, floor((W) / 2) - 1]")]
    [InlineData("k2 s2 p0", "[N, 4, floor((H) / 2), floor((W) / 2)]")]
    [InlineData("same k3 s1", "[N, 4, H, W]")]
    [InlineData("same k4 s1", "[N, 4, H, W]")]
    [InlineData("same k3 s2", "[N, 4, floor((H + 1) / 2), floor((W + 1) / 2)]")]
    [InlineData("same_lower k5 s3", "[N, 4, floor((H + 2) / 3), floor((W + 2) / 3)]")]
    public void Conv2d_OnOpenInput(string geometry, string shape)
    {
        (LayerSpec conv, Func<long, long, long[]> dims) = ConvGeometries[geometry];
        Node node = Graphs.Build(Model([2, -1, -1], conv)).Nodes[^1];
        Assert.Equal(shape, node.Output.Shape.ToString());
        foreach (long h in Sizes.Where(s => s >= 5))
        {
            foreach (long w in Sizes.Where(s => s >= 5))
            {
                Assert.Equal(dims(h, w), node.Output.Shape.Evaluate(h, w));
            }
        }
    }

    private static readonly Dictionary<string, (LayerSpec Conv, Func<long, long, long[]> Dims)> ConvGeometries = new()
    {
        ["k3 s1 p1"] = (Conv("conv", 2, 4, 3, padding: 1), (h, w) => [4, h, w]),
        ["k3 s2 p1"] = (Conv("conv", 2, 4, 3, stride: 2, padding: 1), (h, w) => [4, Explicit(h, 3, 2, 1, 1, 1), Explicit(w, 3, 2, 1, 1, 1)]),
        ["k3 s2 p0"] = (Conv("conv", 2, 4, 3, stride: 2), (h, w) => [4, Explicit(h, 3, 2, 1, 0, 0), Explicit(w, 3, 2, 1, 0, 0)]),
        ["k3 d2 p0"] = (Conv("conv", 2, 4, 3, dilation: 2), (h, w) => [4, Explicit(h, 3, 1, 2, 0, 0), Explicit(w, 3, 1, 2, 0, 0)]),
        ["k3 s2 top0 bottom2 left1 right0"] = (Conv("conv", 2, 4, 3, stride: 2).With("padding", 0, 2, 1, 0),
            (h, w) => [4, Explicit(h, 3, 2, 1, 0, 2), Explicit(w, 3, 2, 1, 1, 0)]),
        ["k3x5 s1x2 top2 bottom0 left0 right3"] = (Conv("conv", 2, 4, 3).With("kernel_size", 3, 5).With("stride", 1, 2).With("padding", 2, 0, 0, 3),
            (h, w) => [4, Explicit(h, 3, 1, 1, 2, 0), Explicit(w, 5, 2, 1, 0, 3)]),
        ["k4 s2 p0"] = (Conv("conv", 2, 4, 4, stride: 2), (h, w) => [4, Explicit(h, 4, 2, 1, 0, 0), Explicit(w, 4, 2, 1, 0, 0)]),
        ["k2 s2 p0"] = (Conv("conv", 2, 4, 2, stride: 2), (h, w) => [4, h / 2, w / 2]),
        ["same k3 s1"] = (ConvSame("conv", 2, 4, 3), (h, w) => [4, h, w]),
        ["same k4 s1"] = (ConvSame("conv", 2, 4, 4), (h, w) => [4, h, w]),
        ["same k3 s2"] = (ConvSame("conv", 2, 4, 3, stride: 2), (h, w) => [4, Ceil(h, 2), Ceil(w, 2)]),
        ["same_lower k5 s3"] = (ConvSame("conv", 2, 4, 5, stride: 3, lower: true), (h, w) => [4, Ceil(h, 3), Ceil(w, 3)]),
    };

    [Fact]
    public void Concat_OfOpenRank1Shapes_AddsTheFormulas()
    {
        Graph graph = Graphs.Build(Model([3, -1, -1],
            Op("Flatten", "f1"), Conv("c", 3, 4, 1).From("input"), Op("Flatten", "f2"), Concat("cat", "f1", "f2")));
        Assert.Equal("[N, 7*H*W]", graph.Node("cat").Output.Shape.ToString());
    }

    [Fact]
    public void Concat_OfOpenShapesThatDiffer_IsMC1008()
    {
        // ceil(H / 2) from the "same" conv, floor((H - 2) / 2) + 1 from the pool: equal for even H only, so refused.
        DiagnosticInfo d = Assert.Single(Graphs.Errors(Model([3, -1, -1],
            ConvSame("a", 3, 4, 3, stride: 2), MaxPool("p", 2, 2).From("input"), Concat("cat", "a", "p"))));
        Assert.Equal("MC1008", d.Id);
        Assert.Contains("expects [N, *, floor((H + 1) / 2), floor((W + 1) / 2)] (like 'a') from 'p'", d.Message, StringComparison.Ordinal);
        Assert.Contains("'p' produces [N, 3, floor((H) / 2), floor((W) / 2)]", d.Message, StringComparison.Ordinal);
    }

    /// <summary>A "same" stride-2 convolution and a stride-2 convolution with padding 1 give ceil(H / 2) rows at every
    /// H, so adding them on an open input is valid and must build (their formulas must compare equal).</summary>
    [Fact]
    public void Add_OfEqualOpenShapesWrittenDifferently_Builds()
    {
        Graph graph = Graphs.Build(Model([3, -1, -1],
            ConvSame("a", 3, 4, 3, stride: 2), Conv("b", 3, 4, 3, stride: 2, padding: 1).From("input"), MaxPool("p", 2, 2).From("input"),
            Conv("c", 3, 4, 2, stride: 2).From("input"), Add("sum", "a", "b"), Concat("cat", "p", "c")));
        Assert.Equal("[N, 4, floor((H + 1) / 2), floor((W + 1) / 2)]", graph.Node("sum").Output.Shape.ToString());
        Assert.Equal("[N, 7, floor((H) / 2), floor((W) / 2)]", graph.Node("cat").Output.Shape.ToString());
    }

    [Fact]
    public void Linear_AfterFlattenOfAnOpenShape_IsMC1008()
    {
        DiagnosticInfo d = Assert.Single(Graphs.Errors(Model([3, -1, -1], Op("Flatten", "flat"), Specs.Linear("fc", 12, 4))));
        Assert.Equal("MC1008", d.Id);
        Assert.Equal(
            "Layer 'fc' (Linear) expects [N, 12] from 'flat', but 'flat' produces [N, 3*H*W]; fix the layer's in_features or the layer that feeds it",
            d.Message);
    }

    [Fact]
    public void Add_OfOpenShapesThatDiffer_IsMC1008()
    {
        DiagnosticInfo d = Assert.Single(Graphs.Errors(Model([3, -1, -1], Upsample("up", 2), Add("sum", "up", "input"))));
        Assert.Equal("MC1008", d.Id);
        Assert.Contains("expects [N, 3, 2*H, 2*W] (the shape of 'up') from 'input', but 'input' produces [N, 3, H, W]", d.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SamePadding_WithExplicitPadding_IsMC1005()
    {
        LayerSpec conv = ConvSame("conv", 3, 4, 3).With("padding", 1, 1, 1, 1);
        DiagnosticInfo d = Assert.Single(Graphs.Errors(Model([3, 8, 8], conv)));
        Assert.Equal("MC1005", d.Id);
        Assert.Contains("padding_mode is same, but explicit padding cannot be combined with it", d.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Geometry_SplitsSamePaddingAsTensorFlowAndOnnxDo()
    {
        // Input 8, kernel 3, stride 2: output 4, total padding (4 - 1) * 2 + 3 - 8 = 1: SAME_UPPER puts it after, SAME_LOWER before.
        AttributeSet upper = ConvSame("conv", 1, 1, 3, stride: 2).Attributes;
        AttributeSet lower = ConvSame("conv", 1, 1, 3, stride: 2, lower: true).Attributes;
        (WindowAxis h, WindowAxis w) = Conv2dOp.Geometry(upper, new Shape(1, 8, 7));
        Assert.Equal((0L, 1L, 4L), (h.PadBefore.Value, h.PadAfter.Value, h.Output.Value));

        // Input 7: output 4, total (4 - 1) * 2 + 3 - 7 = 2, one each side.
        Assert.Equal((1L, 1L, 4L), (w.PadBefore.Value, w.PadAfter.Value, w.Output.Value));
        (h, w) = Conv2dOp.Geometry(lower, new Shape(1, 8, 7));
        Assert.Equal((1L, 0L, 4L), (h.PadBefore.Value, h.PadAfter.Value, h.Output.Value));
        Assert.Equal((1L, 1L, 4L), (w.PadBefore.Value, w.PadAfter.Value, w.Output.Value));

        // Open: the split evaluates to the same per-side pads at every size.
        (WindowAxis open, _) = Conv2dOp.Geometry(lower, new Shape(1, Dim.Height, Dim.Width));
        (WindowAxis openUpper, _) = Conv2dOp.Geometry(upper, new Shape(1, Dim.Height, Dim.Width));
        foreach (long size in Sizes)
        {
            long total = Math.Max(((Ceil(size, 2) - 1) * 2) + 3 - size, 0);
            Assert.Equal(((total + 1) / 2, total / 2), (open.PadBefore.Evaluate(size, 1), open.PadAfter.Evaluate(size, 1)));
            Assert.Equal((total / 2, (total + 1) / 2), (openUpper.PadBefore.Evaluate(size, 1), openUpper.PadAfter.Evaluate(size, 1)));
        }
    }

    /// <summary>floor((size + before + after - dilation * (kernel - 1) - 1) / stride) + 1, rounding down for negative numerators.</summary>
    private static long Explicit(long size, int kernel, int stride, int dilation, int before, int after) =>
        Floor(size + before + after - (dilation * (kernel - 1)) - 1, stride) + 1;

    private static long Floor(long a, long b) => (long)Math.Floor(a / (double)b);

    private static long Ceil(long a, long b) => (long)Math.Ceiling(a / (double)b);
}
