using System;
using System.Collections.Generic;
using System.Linq;
using ModelCompiler.IR;
using ModelCompiler.Ops;
using ModelCompiler.Spec;
using ModelCompiler.Tests.Helpers;
using Xunit;
using static ModelCompiler.Tests.Helpers.Specs;

namespace ModelCompiler.Tests.Ops;

/// <summary>Channel coupling of every operator: how each input's channels map onto the output's, as pruning will
/// read it (one map per input, offsets and factors as dims, formulas on open inputs). One table entry per
/// operator of <see cref="OpRegistry.All"/> at least.</summary>
public sealed class OpCouplingTests
{
    private static readonly Dim H = Dim.Height;
    private static readonly Dim W = Dim.Width;

    /// <summary>Per case: the operator, the input, the layers (the last one is the operator's) and its maps in input order.</summary>
    private static readonly Dictionary<string, (string Op, int[] Input, LayerSpec[] Layers, ChannelMap[] Maps)> Cases = new()
    {
        ["Linear"] = ("Linear", [12], [Specs.Linear("fc", 12, 7)], [ChannelMap.Independent]),
        ["Conv2d dense"] = ("Conv2d", [4, 6, 6], [Conv("conv", 4, 8, 3)], [ChannelMap.Independent]),
        ["Conv2d groups 2"] = ("Conv2d", [4, 6, 6], [Conv("conv", 4, 6, 3, groups: 2)], [ChannelMap.Independent]),
        ["Conv2d depthwise"] = ("Conv2d", [4, 6, 6], [Conv("conv", 4, 4, 3, groups: 4)], [ChannelMap.Identity]),
        ["Conv2d depthwise, open input"] = ("Conv2d", [4, -1, -1], [Conv("conv", 4, 4, 3, padding: 1, groups: 4)], [ChannelMap.Identity]),
        ["Conv2d depthwise multiplier 2"] = ("Conv2d", [3, 6, 6], [Conv("conv", 3, 6, 3, groups: 3)], [ChannelMap.Independent]),
        ["Conv2d 1 channel, groups 1"] = ("Conv2d", [1, 6, 6], [Conv("conv", 1, 1, 3)], [ChannelMap.Independent]),
        ["BatchNorm2d"] = ("BatchNorm2d", [4, 5, 5], [BatchNorm("bn", 4)], [ChannelMap.Identity]),
        ["ReLU"] = ("ReLU", [3, 4, 4], [Op("ReLU", "act")], [ChannelMap.Identity]),
        ["ReLU6"] = ("ReLU6", [3, 4, 4], [Op("ReLU6", "act")], [ChannelMap.Identity]),
        ["LeakyReLU"] = ("LeakyReLU", [3, 4, 4], [Specs.LeakyReLU("act", 0.1f)], [ChannelMap.Identity]),
        ["Sigmoid"] = ("Sigmoid", [6], [Op("Sigmoid", "act")], [ChannelMap.Identity]),
        ["Tanh"] = ("Tanh", [3, 4, 4], [Op("Tanh", "act")], [ChannelMap.Identity]),
        ["GELU"] = ("GELU", [3, 4, 4], [Op("GELU", "act")], [ChannelMap.Identity]),
        ["SiLU"] = ("SiLU", [3, 4, 4], [Op("SiLU", "act")], [ChannelMap.Identity]),
        ["HardSwish"] = ("HardSwish", [3, 4, 4], [Op("HardSwish", "act")], [ChannelMap.Identity]),
        ["MaxPool2d"] = ("MaxPool2d", [3, 4, 4], [MaxPool("pool", 2, 2)], [ChannelMap.Identity]),
        ["AvgPool2d"] = ("AvgPool2d", [3, 4, 4], [AvgPool("pool", 2, 2)], [ChannelMap.Identity]),
        ["GlobalAvgPool2d"] = ("GlobalAvgPool2d", [3, 4, 4], [Op("GlobalAvgPool2d", "gap")], [ChannelMap.Identity]),
        ["Flatten"] = ("Flatten", [3, 4, 5], [Op("Flatten", "flat")], [ChannelMap.Spread(20)]),
        ["Flatten, open input"] = ("Flatten", [3, -1, -1], [Op("Flatten", "flat")], [ChannelMap.Spread(H * W)]),
        ["Flatten of a flat input"] = ("Flatten", [3, 4, 5], [Op("Flatten", "f1"), Op("Flatten", "flat")], [ChannelMap.Identity]),
        ["Add"] = ("Add", [3, 4, 4], [Op("ReLU", "r"), Add("sum", "r", "input", "r")], [ChannelMap.Identity, ChannelMap.Identity, ChannelMap.Identity]),
        ["Concat"] = ("Concat", [3, 5, 5], [Conv("a", 3, 4, 1), Conv("b", 3, 2, 1).From("input"), Concat("cat", "a", "input", "b")],
            [ChannelMap.At(0), ChannelMap.At(4), ChannelMap.At(7)]),
        ["Concat of open flat inputs"] = ("Concat", [3, -1, -1], [Op("Flatten", "f1"), Conv("c", 3, 4, 1).From("input"), Op("Flatten", "f2"), Concat("cat", "f2", "f1")],
            [ChannelMap.At(0), ChannelMap.At(4 * H * W)]),
        ["Upsample"] = ("Upsample", [3, 4, 4], [Upsample("up", 2)], [ChannelMap.Identity]),
        ["PixelShuffle 2"] = ("PixelShuffle", [8, 4, 4], [PixelShuffle("ps", 2)], [ChannelMap.Gather(4)]),
        ["PixelShuffle 3"] = ("PixelShuffle", [18, 4, 4], [PixelShuffle("ps", 3)], [ChannelMap.Gather(9)]),
        ["Softmax"] = ("Softmax", [10], [Op("Softmax", "softmax")], [ChannelMap.Entangled]),
        ["Softmax over channels"] = ("Softmax", [5, 3, 3], [Op("Softmax", "softmax")], [ChannelMap.Entangled]),
    };

    public static TheoryData<string> CaseNames => [.. Cases.Keys];

    [Fact]
    public void EveryOperator_HasACase()
    {
        Assert.Equal(
            OpRegistry.All.Select(o => o.Name).OrderBy(n => n, StringComparer.Ordinal),
            Cases.Values.Select(c => c.Op).Distinct().OrderBy(n => n, StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Coupling(string name)
    {
        (string op, int[] input, LayerSpec[] layers, ChannelMap[] maps) = Cases[name];
        Node node = Graphs.Build(Model(input, layers)).Nodes[^1];
        Assert.Equal(op, node.Op.Name);
        IReadOnlyList<ChannelMap> actual = node.Op.Coupling(node.Attributes, node.Inputs.Select(v => v.Shape).ToList());
        Assert.Equal(node.Inputs.Count, actual.Count);
        Assert.Equal(maps, actual);
    }

    [Fact]
    public void Maps_CarryTheirOffsetAndFactor()
    {
        Assert.Equal((ChannelRelation.Offset, "4*H*W", "1"), Parts(ChannelMap.At(4 * H * W)));
        Assert.Equal((ChannelRelation.Spread, "0", "H*W"), Parts(ChannelMap.Spread(H * W)));
        Assert.Equal((ChannelRelation.Gather, "0", "9"), Parts(ChannelMap.Gather(9)));
        Assert.Equal((ChannelRelation.Identity, "0", "1"), Parts(ChannelMap.Identity));
        Assert.NotEqual(ChannelMap.At(3), ChannelMap.At(4));
        Assert.NotEqual(ChannelMap.Spread(4), ChannelMap.Gather(4));

        static (ChannelRelation, string, string) Parts(ChannelMap m) => (m.Relation, m.Offset.ToString(), m.Factor.ToString());
    }

    [Fact]
    public void Maps_PrintReadably()
    {
        Assert.Equal(
            ["offset 7", "spread xH*W", "gather /4", "identity", "independent", "entangled"],
            new[] { ChannelMap.At(7), ChannelMap.Spread(H * W), ChannelMap.Gather(4), ChannelMap.Identity, ChannelMap.Independent, ChannelMap.Entangled }
                .Select(m => m.ToString()));
    }

    /// <summary>The maps of the flatten-to-linear and concat chain of a small CNN agree with the channel arithmetic:
    /// concat channel k of input i is (channels before i) + k, flatten channel c spreads over c·H·W.. (c+1)·H·W.</summary>
    [Fact]
    public void Maps_FollowTheShapes()
    {
        Graph graph = Graphs.Build(Model([2, 3, 3],
            Conv("a", 2, 5, 1), Conv("b", 2, 3, 1).From("input"), Concat("cat", "b", "a", "input"), Op("Flatten", "flat"), Specs.Linear("fc", 90, 4)));
        Node cat = graph.Node("cat");
        IReadOnlyList<ChannelMap> maps = cat.Op.Coupling(cat.Attributes, cat.Inputs.Select(v => v.Shape).ToList());
        Assert.Equal([0L, 3, 8], maps.Select(m => m.Offset.Value));
        Assert.Equal(10, cat.Output.Shape.C.Value);

        Node flat = graph.Node("flat");
        ChannelMap spread = Assert.Single(flat.Op.Coupling(flat.Attributes, [cat.Output.Shape]));
        Assert.Equal(9, spread.Factor.Value);
        Assert.Equal(90, flat.Output.Shape[0].Value);
    }
}
