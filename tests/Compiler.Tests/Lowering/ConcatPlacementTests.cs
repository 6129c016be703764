using System.Collections.Generic;
using System.Linq;
using ModelCompiler.IR;
using ModelCompiler.Lowering;
using ModelCompiler.Spec;
using ModelCompiler.Tests.Helpers;
using Xunit;
using static ModelCompiler.Tests.Helpers.Specs;

namespace ModelCompiler.Tests.Lowering;

/// <summary>Concat inputs written in place by their producers: which inputs qualify (one sample at a time on both
/// sides, no views, not the model's input or output, the last concat that reads them), that a placement is kept only
/// when the arena does not grow, and how the plan and the memory plan show it.</summary>
public sealed class ConcatPlacementTests
{
    [Fact]
    public void ResidualDenseBlocks_WriteTheBlockConvsInPlace_WithoutGrowingTheArena()
    {
        // Two blocks of a residual dense network: each block's conv output and the block input are concatenated, fused
        // by a 1x1 conv and added to the block input; the block outputs are concatenated once more at the end.
        (Graph graph, IReadOnlyList<LoweredNode> lowered, MemoryPlan plan) = Plan(Model([3, 8, 8],
            Conv("f0", 3, 8, 3, padding: 1),
            Conv("f1", 8, 8, 3, padding: 1), Concat("cat1", "f0", "f1"), Conv("lff1", 16, 8, 1), Add("lrl1", "lff1", "f0"),
            Conv("f2", 8, 8, 3, padding: 1), Concat("cat2", "lrl1", "f2"), Conv("lff2", 16, 8, 1), Add("lrl2", "lff2", "lrl1"),
            Concat("gcat", "lrl1", "lrl2"), Conv("gff", 16, 3, 1)));

        // Each block's conv output is read only by its concat: it goes in place, the concat copies only the block input.
        // (Placing a block input too would keep the 16-channel concat live until the residual add reads it: the arena
        // would grow, so it stays a copy.)
        Assert.Equal([1], Placed(lowered, "cat1"));
        Assert.Equal([1], Placed(lowered, "cat2"));
        Assert.Equal("copy", Lowered(lowered, "cat1").Algorithm);
        Assert.Equal(0, Assert.Single(Lowered(lowered, "cat1").Calls).Args.OfType<InputArg>().Single().Index);
        AssertPlacedIn(graph, plan, "f1", "cat1", inner: 512);
        AssertPlacedIn(graph, plan, "f2", "cat2", inner: 512);
        Assert.True(plan.ActivationFloats.Value <= Copying(graph).ActivationFloats.Value);
    }

    [Fact]
    public void AConcatWhoseInputsAreAllPlaced_ComputesNothing()
    {
        // input [3, 4, 4] read by three 1x1 convs, concatenated: each conv writes its slice, the concat is empty.
        (Graph graph, IReadOnlyList<LoweredNode> lowered, MemoryPlan plan) = Plan(Model([3, 4, 4],
            Conv("a", 3, 2, 1), Conv("b", 3, 2, 1).From("input"), Conv("c", 3, 2, 1).From("input"), Concat("cat", "a", "b", "c")));

        Assert.Equal([0, 1, 2], Placed(lowered, "cat"));
        Assert.Equal("in-place", Lowered(lowered, "cat").Algorithm);
        Assert.Empty(Lowered(lowered, "cat").Calls);
        AssertPlacedIn(graph, plan, "c", "cat", inner: 64);
        Assert.Equal(144, plan.ActivationFloats.Value);
        Assert.Equal(240, Copying(graph).ActivationFloats.Value);
    }

    [Fact]
    public void APlacementThatWouldGrowTheArena_StaysACopy()
    {
        // A U-Net-like skip: e is concatenated with u, which comes after two large intermediates. Placing e would keep the
        // concat's buffer live through d1 and d2; placing u needs the whole concat where u alone fits in d1's old place.
        (Graph graph, IReadOnlyList<LoweredNode> lowered, MemoryPlan plan) = Plan(Model([1, 8, 8],
            Conv("e", 1, 4, 3, padding: 1), Conv("d1", 4, 32, 3, padding: 1), Conv("d2", 32, 32, 3, padding: 1),
            Conv("u", 32, 32, 3, padding: 1), Concat("cat", "e", "u"), Conv("head", 36, 2, 1)));

        Assert.Empty(Placed(lowered, "cat"));
        Assert.Equal(2, Lowered(lowered, "cat").Calls.Count);
        Assert.Equal(Copying(graph).ActivationFloats, plan.ActivationFloats);
    }

    [Fact]
    public void ValuesReadAsAWholeChunk_OrAsAView_OrTheModelsInputAndOutput_AreNotPlaced()
    {
        // a is flattened into a linear layer (a chunk-wide call reads it contiguously); the input is the input; out is the
        // model's output, read by nothing else.
        (Graph graph, IReadOnlyList<LoweredNode> lowered, _) = Plan(Model([2, 4, 4],
            Conv("a", 2, 2, 1), Op("Flatten", "flat").From("a"), Specs.Linear("fc", 32, 32), Conv("b", 2, 2, 1).From("input"),
            Concat("cat", "input", "a", "b")));

        Assert.Equal([2], Placed(lowered, "cat"));
        Assert.Equal(graph.Output, graph.Node("cat").Output);
    }

    [Fact]
    public void AnOpenSizeModel_PlacesConcatInputs_ComparingArenasAtTheReferenceSize()
    {
        (Graph graph, IReadOnlyList<LoweredNode> lowered, MemoryPlan plan) = Plan(Model([3, -1, -1],
            Conv("stem", 3, 8, 3, padding: 1), Conv("side", 8, 4, 1), Concat("cat", "stem", "side"), Conv("head", 12, 3, 1)));

        Assert.Equal([0, 1], Placed(lowered, "cat"));
        ArenaSlot side = plan.Values[graph.Node("side").Output];
        Assert.Equal("8*H*W", side.Inner.ToString());
        Assert.Equal("12*H*W", side.Stride.ToString());
        Assert.Equal(256, ConcatPlacement.ReferenceSize);
    }

    private static void AssertPlacedIn(Graph graph, MemoryPlan plan, string value, string concat, long inner)
    {
        ArenaSlot slot = plan.Values[graph.Node(value).Output], container = plan.Values[graph.Node(concat).Output];
        Assert.True(slot.IsPlaced, value + " is not placed");
        Assert.Equal(container.Offset, slot.Offset);
        Assert.Equal(container.Length, slot.Stride);
        Assert.Equal(inner, slot.Inner.Value);
        Assert.Equal(graph.Node(value).Output.Shape.Size, slot.Length);
    }

    /// <summary>The memory plan with every concat copying (the plans before placement).</summary>
    private static MemoryPlan Copying(Graph graph)
    {
        var context = new LoweringContext(Options.CompileOptions.Default);
        return MemoryPlan.Create(graph, graph.Nodes.Select(n => new LoweredNode(n, n.Op.Lower(n, context))).ToList());
    }

    private static KernelPlan Lowered(IReadOnlyList<LoweredNode> lowered, string node) => lowered.Single(l => l.Node.Name == node).Plan;

    private static int[] Placed(IReadOnlyList<LoweredNode> lowered, string concat) => [.. Lowered(lowered, concat).InPlaceInputs];

    private static (Graph Graph, IReadOnlyList<LoweredNode> Lowered, MemoryPlan Plan) Plan(ModelSpec spec)
    {
        Graph graph = Graphs.Build(spec);
        IReadOnlyList<LoweredNode> lowered = Graphs.Lower(graph);
        return (graph, lowered, MemoryPlan.Create(graph, lowered));
    }
}
