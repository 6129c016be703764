using System.Collections.Generic;
using System.Linq;
using ModelCompiler.Common;
using ModelCompiler.Diagnostics;
using ModelCompiler.Interpreter;
using ModelCompiler.IR;
using ModelCompiler.Linking;
using ModelCompiler.Options;
using ModelCompiler.Ops;
using ModelCompiler.Spec;
using ModelCompiler.Tests.Helpers;
using ModelCompiler.Weights;
using Xunit;
using static ModelCompiler.Tests.Helpers.Specs;

namespace ModelCompiler.Tests.Passes;

/// <summary>Structured pruning (<see cref="ModelCompiler.Passes.Prune"/>): which channels are coupled, how many each
/// group keeps, and that a pruned network computes what the declared one does when the removed channels carried
/// nothing.</summary>
public sealed class PruneTests
{
    /// <summary>Networks.Cnn: a stem whose channels a residual Add shares with the block's second conv, a concat of the
    /// block and a side branch, a depthwise conv over the concat, a pointwise conv, global pooling, flatten and a head.</summary>
    private static ModelSpec Cnn(double ratio, int multiple = 1, string criterion = PruneCriteria.L1) =>
        Networks.Cnn with { Pruning = new PruneSpec { Ratio = ratio, Multiple = multiple, Criterion = criterion } };

    [Fact]
    public void CoupledChannels_ShrinkTogether_AndTheOutputKeepsItsShape()
    {
        Graph graph = Compiled(Cnn(0.5)).Graph!;

        // stem, block.conv2 and the Add share one group (8 -> 4); block.conv1 (8 -> 4) and side (4 -> 2) have their own;
        // the concat is 4 + 2 and the depthwise conv follows it; pw (16 -> 8) feeds the head through pooling and flatten.
        Assert.Equal((3, 4), Channels(graph, "stem"));
        Assert.Equal((4, 4), Channels(graph, "block.conv1"));
        Assert.Equal((4, 4), Channels(graph, "block.conv2"));
        Assert.Equal((4, 2), Channels(graph, "side"));
        Assert.Equal((6, 6), Channels(graph, "dw"));
        Assert.Equal(6, graph.Nodes.Single(n => n.Name == "dw").Attributes.Int(Conv2dOp.Groups));
        Assert.Equal((6, 8), Channels(graph, "pw"));
        Assert.Equal(8, graph.Nodes.Single(n => n.Name == "head").Attributes.Int(LinearOp.InFeatures));
        Assert.Equal(10, graph.Nodes.Single(n => n.Name == "head").Attributes.Int(LinearOp.OutFeatures));
        Assert.Equal(new Shape(10L), graph.Output.Shape);
    }

    [Fact]
    public void KeptCounts_RoundUpToTheMultiple_AndALayerRatioOverridesTheModels()
    {
        ModelSpec spec = Cnn(0.5, multiple: 4);
        LayerSpec[] layers = spec.Layers.ToArray();
        int pw = System.Array.FindIndex(layers, l => l.Name == "pw");
        layers[pw] = layers[pw] with { PruneRatio = 0.25 };
        Graph graph = Compiled(spec with { Layers = layers.ToEquatableArray() }).Graph!;

        Assert.Equal((3, 4), Channels(graph, "stem"));      // 8 * 0.5 = 4, a multiple of 4
        Assert.Equal((4, 4), Channels(graph, "side"));      // 4 * 0.5 = 2, rounded up to 4: not pruned
        Assert.Equal((8, 12), Channels(graph, "pw"));       // the concat of 4 and 4; its own ratio: 16 * 0.75 = 12
    }

    [Fact]
    public void PixelShuffleAndTheModelOutput_AreNeverPruned()
    {
        Graph graph = Compiled(Networks.Upsampling with { Pruning = new PruneSpec { Ratio = 0.5, Multiple = 1 } }).Graph!;

        // feat feeds a PixelShuffle, refine is added to the shuffle's output, out is the model's output.
        Assert.Equal((3, 16), Channels(graph, "feat"));
        Assert.Equal((4, 4), Channels(graph, "refine"));
        Assert.Equal((4, 3), Channels(graph, "out"));
    }

    [Fact]
    public void PruningChannelsThatCarryNothing_LeavesTheFunctionUnchanged()
    {
        ModelSpec spec = Cnn(0.5);
        ModelCompilation pruned = Compiled(spec);
        Differential.Case c = Differential.Prepare(Networks.Cnn, seed: 11, batch: 3, inputLow: -3, inputHigh: 3);

        // In every pruned group, zero the weights of the channels with the highest indices in every tensor coupled to
        // them (the producers' filters and the readers' input columns): they then rank last and are the ones removed.
        IReadOnlyList<ChannelGroup> groups = pruned.ChannelGroups;
        Assert.Equal(4, groups.Count);
        foreach (ChannelGroup group in groups)
        {
            foreach (ImportanceSource source in group.Sources)
            {
                LoadTensor load = source.X.Sources.Single(l => l.Shape.Count > 1);
                ZeroChannels(c.Tensors[load.Name], load.Shape.ToArray(), source, first: group.Keep, group.Size);
            }
        }

        float[] declared = c.Interpret();
        float[] interpreted = c.Interpret(pruned.Graph);
        float[] packed = ReferenceInterpreter.RunPacked(pruned.Graph!, pruned.Layout!,
            WeightLinker.Pack(pruned.Layout!, name => c.Tensors[name]), c.Input, c.Batch);

        Differential.AssertClose(declared, interpreted, "pruned graph vs declared graph");
        Differential.AssertClose(declared, packed, "pruned packed weights vs declared graph");
        Assert.True(pruned.Layout!.TensorBytes < ModelCompilation.Compile(Networks.Cnn).Layout!.TensorBytes / 2);
    }

    [Theory]
    [InlineData(PruneCriteria.L1)]
    [InlineData(PruneCriteria.L2)]
    public void KeptChannels_AreTheMostImportant_MostImportantFirst(string criterion)
    {
        ModelSpec spec = Model([2, 4, 4], Conv("a", 2, 4, 1), Op("ReLU", "relu"), Conv("b", 4, 3, 1)) with
        {
            Pruning = new PruneSpec { Ratio = 0.5, Multiple = 1, Criterion = criterion },
        };
        // Filters of a: channel 2 largest, then 0; b's input columns alike (so both sources agree).
        float[] aWeight = [0.1f, 0.1f, 0.01f, 0.01f, 0.5f, 0.5f, 0.02f, 0.02f];
        float[] bWeight = [0.2f, 0.01f, 0.9f, 0.02f, 0.2f, 0.01f, 0.9f, 0.02f, 0.2f, 0.01f, 0.9f, 0.02f];
        var tensors = new Dictionary<string, float[]>
        {
            ["a.weight"] = aWeight, ["a.bias"] = [1, 2, 3, 4], ["b.weight"] = bWeight, ["b.bias"] = [0, 0, 0],
        };
        ModelCompilation compilation = Compiled(spec);
        PackedTensor a = compilation.Layout!.Find("a", "bias")!;

        float[] bias = WeightProgramRunner.EvaluateFloats(a.Program, name => tensors[name]);

        Assert.Equal([3f, 1f], bias);
    }

    [Fact]
    public void RatioOutOfRange_IsMC1025_AtTheModelOrTheLayer()
    {
        ModelSpec spec = Cnn(1.0);
        LayerSpec[] layers = spec.Layers.ToArray();
        layers[0] = layers[0] with { PruneRatio = -0.1, Location = new SourceLocation("Net.cs", 7, 1) };
        ModelCompilation compilation = ModelCompilation.Compile(spec with
        {
            Layers = layers.ToEquatableArray(),
            WeightsLocation = new SourceLocation("Net.cs", 3, 1),
            Pruning = spec.Pruning with { Multiple = 0 },
        });

        Assert.False(compilation.Succeeded);
        DiagnosticInfo[] mc1025 = compilation.Diagnostics.Where(d => d.Id == "MC1025").ToArray();
        Assert.Equal(3, mc1025.Length);
        Assert.Equal("Model 'Tests.Net': PruneRatio = 1 is out of range; give the fraction of channels to remove, from 0 (none) up to but not including 1, e.g. 0.5", mc1025[0].Message);
        Assert.Equal(3, mc1025[0].Location!.Line);
        Assert.Contains("PruneMultiple = 0", mc1025[1].Message);
        Assert.Equal("Layer 'stem': PruneRatio = -0.1 is out of range; give the fraction of channels to remove, from 0 (none) up to but not including 1, e.g. 0.5", mc1025[2].Message);
        Assert.Equal(7, mc1025[2].Location!.Line);
    }

    [Fact]
    public void PlanRatios_OverrideTheModels_ButNotALayersOwn()
    {
        (IReadOnlyList<ModelPlan> plans, IReadOnlyList<PlanError> errors) = PlanFile.Parse("net.mcplan",
            "model Tests.Net\n  layer stem prune=0.75\n  layer side prune=0.5\n  layer pw prune=1\n");
        ModelSpec spec = Cnn(0.25);
        LayerSpec[] layers = spec.Layers.ToArray();
        int side = System.Array.FindIndex(layers, l => l.Name == "side");
        layers[side] = layers[side] with { PruneRatio = 0 };
        Graph graph = ModelCompilation.Compile(spec with { Layers = layers.ToEquatableArray() }, CompileOptions.Default with { Plan = plans[0] }).Graph!;

        Assert.Equal("prune=1 is not a fraction in [0, 1); give the fraction of the layer's output channels to remove, e.g. prune=0.5", Assert.Single(errors).Message);
        Assert.Equal((3, 2), Channels(graph, "stem"));      // the plan's 0.75
        Assert.Equal((2, 4), Channels(graph, "side"));      // its own 0 wins over the plan
        Assert.Equal((6, 12), Channels(graph, "pw"));       // the model's 0.25
    }

    [Fact]
    public void NoRatio_ChangesNothing()
    {
        ModelCompilation plain = ModelCompilation.Compile(Networks.Cnn);
        ModelCompilation zero = ModelCompilation.Compile(Cnn(0));

        Assert.Equal(plain.Layout!.Describe(), zero.Layout!.Describe());
        Assert.Contains(zero.Passes, p => p.Pass == "prune" && !p.Changed);
    }

    private static ModelCompilation Compiled(ModelSpec spec)
    {
        ModelCompilation compilation = ModelCompilation.Compile(spec);
        Assert.True(compilation.Succeeded, string.Join("\n", compilation.Diagnostics));
        return compilation;
    }

    private static (int In, int Out) Channels(Graph graph, string name)
    {
        Node node = graph.Nodes.Single(n => n.Name == name);
        return (node.Attributes.Int(Conv2dOp.InChannels), node.Attributes.Int(Conv2dOp.OutChannels));
    }

    /// <summary>Zeros the group's channels [first, size) of <paramref name="source"/>'s axis in <paramref name="tensor"/>.</summary>
    private static void ZeroChannels(float[] tensor, int[] shape, ImportanceSource source, int first, int size)
    {
        int outer = shape.Take(source.Axis).Aggregate(1, (p, d) => p * d);
        int inner = shape.Skip(source.Axis + 1).Aggregate(1, (p, d) => p * d);
        for (int o = 0; o < outer; o++)
        {
            for (int ch = first; ch < size; ch++)
            {
                for (int r = 0; r < source.Repeat; r++)
                {
                    int index = source.Offset + (ch * source.Repeat) + r;
                    System.Array.Clear(tensor, ((o * shape[source.Axis]) + index) * inner, inner);
                }
            }
        }
    }
}
