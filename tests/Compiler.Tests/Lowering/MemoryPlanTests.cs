using System;
using System.Collections.Generic;
using System.Linq;
using ModelCompiler.IR;
using ModelCompiler.Lowering;
using ModelCompiler.Spec;
using ModelCompiler.Tests.Helpers;
using Xunit;
using static ModelCompiler.Tests.Helpers.Specs;

namespace ModelCompiler.Tests.Lowering;

/// <summary>The static memory plan on small declared graphs, with offsets and totals worked out by hand (first fit in
/// birth order, 16-float alignment): reuse along a chain, a residual that blocks reuse, a concat of three producers,
/// a Flatten view sharing its source's buffer, im2col scratch kept apart from activations; and, for an open input
/// size, a formula arena whose slots never overlap while live, checked at concrete sizes against lifetimes computed
/// here from the graph.</summary>
public sealed class MemoryPlanTests
{
    [Fact]
    public void Chain_PingPongsBetweenTwoPlaces()
    {
        (Graph graph, MemoryPlan plan) = Plan(Model([16],
            Specs.Linear("fc1", 16, 16), Specs.Linear("fc2", 16, 16), Specs.Linear("fc3", 16, 16), Specs.Linear("fc4", 16, 16)));

        // fc2 takes the dead input's place, fc3 the dead fc1's, fc4 the input's again.
        Assert.Equal([0L, 16, 0, 16, 0], Offsets(graph, plan, "input", "fc1", "fc2", "fc3", "fc4"));
        Assert.Equal(32, plan.ActivationFloats.Value);
        Assert.Equal([32L, 32, 32, 32], plan.Timeline.Select(s => s.LiveFloats.Value));
        Assert.Equal(0, plan.ScratchFloats.Value);
    }

    [Fact]
    public void Residual_KeepsTheSkippedValueLive()
    {
        (Graph graph, MemoryPlan plan) = Plan(Model([16],
            Specs.Linear("fc1", 16, 16), Specs.Linear("fc2", 16, 16), Specs.Linear("fc3", 16, 16), Add("sum", "fc3", "fc1")));

        // fc1 is read by sum, so fc3 cannot take its place (as it does in a chain): it goes after it.
        Assert.Equal([0L, 16, 0, 32, 0], Offsets(graph, plan, "input", "fc1", "fc2", "fc3", "sum"));
        Assert.Equal(48, plan.ActivationFloats.Value);
        Assert.Equal([32L, 32, 48, 48], plan.Timeline.Select(s => s.LiveFloats.Value));
    }

    [Fact]
    public void Concat_OfThreeProducers()
    {
        // input [3, 4, 4] = 48 floats read by three 1x1 convs of 32 floats each, concatenated into 96.
        (Graph graph, MemoryPlan plan) = Plan(Model([3, 4, 4],
            Conv("a", 3, 2, 1), Conv("b", 3, 2, 1).From("input"), Conv("c", 3, 2, 1).From("input"), Concat("cat", "a", "b", "c")));

        // a, b and c are written straight into their slices of cat (no copies): cat's 96 floats are live from a on,
        // after the input's 48; the concat itself computes nothing.
        Assert.Equal([0L, 48, 48, 48, 48], Offsets(graph, plan, "input", "a", "b", "c", "cat"));
        Assert.Equal([0L, 32, 64, 0], new[] { "a", "b", "c", "cat" }.Select(n => plan.Values[graph.Node(n).Output].Inner.Value));
        Assert.Equal([96L, 96, 96, 96], new[] { "a", "b", "c", "cat" }.Select(n => plan.Values[graph.Node(n).Output].Stride.Value));
        Assert.Equal([32L, 32, 32, 96], new[] { "a", "b", "c", "cat" }.Select(n => plan.Values[graph.Node(n).Output].Length.Value));
        Assert.Equal(144, plan.ActivationFloats.Value);
        Assert.Equal([144L, 144, 144, 96], plan.Timeline.Select(s => s.LiveFloats.Value));
        Assert.Empty(plan.Scratch);
    }

    [Fact]
    public void Offsets_AreAlignedTo16Floats_AndLengthsAreTheValuesSizes()
    {
        (Graph graph, MemoryPlan plan) = Plan(Model([5], Specs.Linear("fc1", 5, 7), Specs.Linear("fc2", 7, 3)));

        Assert.Equal([0L, 16, 0], Offsets(graph, plan, "input", "fc1", "fc2"));
        Assert.Equal([5L, 7, 3], new[] { graph.Input, graph.Node("fc1").Output, graph.Node("fc2").Output }.Select(v => plan.Values[v].Length.Value));
        Assert.Equal(32, plan.ActivationFloats.Value);
        Assert.Equal([12L, 10], plan.Timeline.Select(s => s.LiveFloats.Value));
        Assert.Equal(16, MemoryPlan.Alignment);
    }

    [Fact]
    public void Flatten_SharesItsSourcesBuffer_UntilTheViewsLastReader()
    {
        (Graph graph, MemoryPlan plan) = Plan(Model([1, 4, 4],
            Conv("c", 1, 2, 1), Op("Flatten", "f"), Specs.Linear("fc", 32, 48), Specs.Linear("fc2", 48, 16)));

        ArenaSlot c = plan.Values[graph.Node("c").Output], f = plan.Values[graph.Node("f").Output];
        Assert.Equal((16L, 32L), (c.Offset.Value, c.Length.Value));
        Assert.Equal((16L, 32L), (f.Offset.Value, f.Length.Value));

        // c is read through f by fc (node 2), so fc cannot start at 0 (where it would overlap c's [16, 48)).
        Assert.Equal([0L, 16, 16, 48, 0], Offsets(graph, plan, "input", "c", "f", "fc", "fc2"));
        Assert.Equal(96, plan.ActivationFloats.Value);

        // A view adds no floats: while f is computed only c's 32 are live.
        Assert.Equal([48L, 32, 80, 64], plan.Timeline.Select(s => s.LiveFloats.Value));
        Assert.Equal(["c", "f", "fc", "fc2"], plan.Timeline.Select(s => s.Node.Name));
    }

    [Fact]
    public void Im2ColScratch_IsCountedApartFromActivations()
    {
        // A grouped 3x3 conv (im2col), padding 1, on [2, 5, 5]: columns of 2 * 9 = 18 rows by 25 pixels = 450 floats.
        (Graph graph, MemoryPlan plan) = Plan(Model([2, 5, 5], Conv("conv", 2, 4, 3, padding: 1, groups: 2)));
        Node conv = graph.Node("conv");

        Assert.Equal((0L, 450L), (plan.Scratch[(conv, "columns")].Offset.Value, plan.Scratch[(conv, "columns")].Length.Value));
        Assert.Equal(464, plan.ScratchFloats.Value);

        // input 50 floats at 0, conv 100 floats at 64.
        Assert.Equal([0L, 64], Offsets(graph, plan, "input", "conv"));
        Assert.Equal(176, plan.ActivationFloats.Value);
        MemoryStep step = Assert.Single(plan.Timeline);
        Assert.Equal((150L, 464L), (step.LiveFloats.Value, step.ScratchFloats.Value));

        // A chunk of 2 samples: two copies of the activations, one scratch area.
        Assert.Equal((2 * 176) + 464, plan.ArenaFloats(2).Value);
    }

    [Fact]
    public void Scratch_IsOneAreaSizedForTheLargestNode()
    {
        // c1: 18 x 25 = 450 floats (464 aligned); c2 is 1x1, no scratch; c3: 36 x 25 = 900 (912 aligned).
        (Graph graph, MemoryPlan plan) = Plan(Model([2, 5, 5],
            Conv("c1", 2, 4, 3, padding: 1, groups: 2), Conv("c2", 4, 4, 1, groups: 2), Conv("c3", 4, 4, 3, padding: 1, groups: 2)));

        Assert.Equal(912, plan.ScratchFloats.Value);
        Assert.Equal([464L, 0, 912], plan.Timeline.Select(s => s.ScratchFloats.Value));
        Assert.Equal(["c1", "c3"], plan.Scratch.Keys.Select(k => k.Node.Name).OrderBy(n => n, StringComparer.Ordinal));
        Assert.Equal(0, plan.Scratch[(graph.Node("c3"), "columns")].Offset.Value);
        Assert.Equal(900, plan.Scratch[(graph.Node("c3"), "columns")].Length.Value);
    }

    [Fact]
    public void GemmTiles_ArePerThreadScratch_OutsideTheArena()
    {
        // A stride-1 3x3 conv without groups: a tile of 5 output rows over the padded width 7. Its buffer holds the
        // 18 B-row offsets, 2 channels x (5 + 2) rows x 7 of padded input, the product's 48 columns plus 7 + 16 slack,
        // rounded up to a multiple of 16 so the product is aligned (169 -> 176), and 4 x 48 floats of product:
        // 18 + 176 + 192 = 386 floats. The arena holds only the activations.
        (Graph graph, MemoryPlan plan) = Plan(Model([2, 5, 5], Conv("conv", 2, 4, 3, padding: 1)));
        Assert.Equal(386, plan.ThreadScratchFloats.Value);
        Assert.Equal(0, plan.ScratchFloats.Value);
        Assert.Empty(plan.Scratch);
        Assert.Equal(176, plan.ActivationFloats.Value);
        Assert.Equal(176 + 386, plan.PeakFloats.Value);
        Assert.Equal(386, Assert.Single(plan.Timeline).ScratchFloats.Value);
    }

    /// <summary>An open-size model: the arena is a formula; at concrete sizes it holds the largest live set, every
    /// slot is aligned and inside it, and no two buffers that are live at the same node overlap.</summary>
    [Fact]
    public void OpenSize_SlotsNeverOverlapWhileLive()
    {
        (Graph graph, MemoryPlan plan) = Plan(Model([3, -1, -1],
            ConvSame("stem", 3, 8, 3, stride: 2), Op("ReLU", "relu"),
            Conv("c2", 8, 8, 3, padding: 1), Add("sum", "c2", "relu"),
            Upsample("up", 2), Conv("pw", 8, 4, 1), Concat("cat", "pw", "up"),
            Conv("head", 12, 2, 3, padding: 1).From("cat"), Op("Flatten", "flat").From("cat"), Op("Sigmoid", "sig").From("flat"),
            Op("Flatten", "flat2").From("head"), Concat("out", "sig", "flat2")));

        Assert.False(plan.ActivationFloats.IsConstant);
        Assert.Equal(plan.Values[graph.Node("cat").Output].Offset, plan.Values[graph.Node("flat").Output].Offset);
        Assert.Equal(plan.Values[graph.Node("head").Output].Offset, plan.Values[graph.Node("flat2").Output].Offset);

        Lifetimes lifetimes = Lifetimes.Of(graph, plan);
        foreach ((long h, long w) in new[] { (1L, 1L), (7L, 9L), (32L, 32L), (224L, 161L) })
        {
            string at = " at " + h + "x" + w;
            long arena = plan.ActivationFloats.Evaluate(h, w);
            long Size(Value v) => v.Shape.Size.Evaluate(h, w);
            long Offset(Value v) => plan.Values[v].Offset.Evaluate(h, w);

            for (int i = 0; i < graph.Nodes.Count; i++)
            {
                long live = lifetimes.LiveAt(i).Sum(Size);
                Assert.True(arena >= live, "arena " + arena + " < live " + live + " at node " + graph.Nodes[i].Name + at);
                Assert.Equal(live, plan.Timeline[i].LiveFloats.Evaluate(h, w));
            }

            foreach (Value v in lifetimes.Buffers)
            {
                // Open sizes are not rounded to 16 floats (a formula full of roundings helps nobody; the arena itself is not 64-byte aligned).
                Assert.True(Offset(v) >= 0 && Offset(v) + Size(v) <= arena, v.Name + " [" + Offset(v) + ", " + (Offset(v) + Size(v)) + ") outside " + arena + at);
                Assert.Equal(Size(v), plan.Values[v].Length.Evaluate(h, w));
            }

            foreach (Value a in lifetimes.Buffers)
            {
                foreach (Value b in lifetimes.Buffers.Where(b => b != a && lifetimes.Overlap(a, b)))
                {
                    bool disjoint = Offset(a) + Size(a) <= Offset(b) || Offset(b) + Size(b) <= Offset(a);
                    Assert.True(disjoint, a.Name + " [" + Offset(a) + ", " + (Offset(a) + Size(a)) + ") and " + b.Name + " [" + Offset(b) + ", "
                        + (Offset(b) + Size(b)) + ") are live together and overlap" + at);
                }
            }

            // Every conv here is a GEMM on its threads' own tiles: no arena scratch. c2 (8 -> 8, 3x3, stride 1 at
            // ceil(h / 2) x ceil(w / 2)) takes 2 output rows a tile over the padded width ceil(w / 2) + 2: 72 offsets,
            // 8 x 4 padded rows, the product's columns twice (once as slack) and 8 rows of them, and padded + 16 slack.
            long padded = ((w + 1) / 2) + 2, columns = ((2 * padded) + 15) / 16 * 16;
            Assert.Equal(0, plan.ScratchFloats.Evaluate(h, w));
            Assert.True(plan.ThreadScratchFloats.Evaluate(h, w) >= 72 + (8 * 4 * padded) + columns + padded + 16 + (8 * columns), "c2's tile" + at);
        }
    }

    [Fact]
    public void Compilation_PlansTheOptimizedGraph()
    {
        // conv+bn+relu become one node: the plan has no places for the folded values.
        ModelCompilation compilation = ModelCompilation.Compile(Model([2, 4, 4], Conv("conv", 2, 4, 1), BatchNorm("bn", 4), Op("ReLU", "relu")));
        MemoryPlan plan = compilation.Memory!;
        Assert.Equal(["conv"], plan.Timeline.Select(s => s.Node.Name));
        Assert.Equal(2, plan.Values.Count);
        Assert.Equal(32 + 64, plan.ActivationFloats.Value);
    }

    private static long Align(long floats) => (floats + 15) / 16 * 16;

    private static (Graph Graph, MemoryPlan Plan) Plan(ModelSpec spec)
    {
        Graph graph = Graphs.Build(spec);
        return (graph, MemoryPlan.Create(graph, Graphs.Lower(graph)));
    }

    private static long[] Offsets(Graph graph, MemoryPlan plan, params string[] values) =>
        values.Select(v => plan.Values[v == "input" ? graph.Input : graph.Node(v).Output].Offset.Value).ToArray();

    /// <summary>Buffer lifetimes from first principles: a Flatten's output is its input's buffer; a buffer is live from
    /// the node that produces it (the input from before the first node) to the last node that reads it or any view of
    /// it; the model output to the end.</summary>
    private sealed class Lifetimes
    {
        private readonly Dictionary<Value, (int Birth, int Death)> _span = [];

        public IEnumerable<Value> Buffers => _span.Keys;

        /// <summary>Buffers and their lifetimes as the memory plan should see them: a Flatten is a view of its input, and
        /// a value the plan placed in a concat (its samples are not contiguous) lives in that concat's buffer.</summary>
        public static Lifetimes Of(Graph graph, MemoryPlan plan)
        {
            var owner = new Dictionary<Value, Value> { [graph.Input] = graph.Input };
            var lifetimes = new Lifetimes();
            lifetimes._span[graph.Input] = (-1, -1);
            for (int i = 0; i < graph.Nodes.Count; i++)
            {
                Node node = graph.Nodes[i];
                Node? container = plan.Values[node.Output].IsPlaced ? graph.Nodes.Single(n => n.Op.Name == "Concat" && n.Inputs.Contains(node.Output)
                    && plan.Values[n.Output].Offset.Equals(plan.Values[node.Output].Offset)) : null;
                owner[node.Output] = container?.Output ?? (node.Op.Name == "Flatten" ? owner[node.Input] : node.Output);
                foreach (Value input in node.Inputs)
                {
                    lifetimes.Extend(owner[input], i);
                }

                if (!lifetimes._span.ContainsKey(owner[node.Output]))
                {
                    lifetimes._span[owner[node.Output]] = (i, i);
                }
            }

            lifetimes.Extend(owner[graph.Output], graph.Nodes.Count);
            return lifetimes;
        }

        public IEnumerable<Value> LiveAt(int node) => _span.Where(p => p.Value.Birth <= node && node <= p.Value.Death).Select(p => p.Key);

        public bool Overlap(Value a, Value b) => _span[a].Birth <= _span[b].Death && _span[b].Birth <= _span[a].Death;

        private void Extend(Value buffer, int node) => _span[buffer] = (_span[buffer].Birth, Math.Max(_span[buffer].Death, node));
    }
}
