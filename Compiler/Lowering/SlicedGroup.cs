using System.Collections.Generic;
using System.Linq;
using ModelCompiler.Diagnostics;
using ModelCompiler.Generated;
using ModelCompiler.IR;
using ModelCompiler.Ops;
using ModelCompiler.Spec;

namespace ModelCompiler.Lowering;

/// <summary>How a group member reads one of its inputs along the rows (see <see cref="RowSchedule"/>): a window of
/// <see cref="Span"/> rows every <see cref="Stride"/> rows from row −<see cref="Pad"/> (a convolution, a pooling; an
/// elementwise layer or a concat reads 1, 1, 0), or row r / <see cref="Factor"/> for an upsampling (Factor &gt; 1).
/// <see cref="Producer"/> is the member that computes the input, or -1 for a value from outside the group.
/// <see cref="Part"/> is, for an input read through a concat that is never built (see <see cref="SlicedGroup.Unbuilt"/>),
/// which of the concat's inputs this edge reads (the consumer's input <see cref="Input"/> is the concat), else -1.</summary>
public sealed record GroupEdge(int Consumer, int Input, int Producer, int Span, int Stride, int Pad, int Factor, int Part = -1);

/// <summary>A group of consecutive nodes that runs band by band down the image (<see cref="RowSchedule"/>): its
/// members in order with their plans (the same plans as unsliced, printed with the band's rows), how each reads its
/// inputs, each member's row quantum (a Winograd tile's side), and the default rows per step. Every member's output
/// but the last lives in a band of the scratch area; the last writes the group's output in the arena.</summary>
public sealed class SlicedGroup
{
    public SlicedGroup(
        GroupSpec spec, IReadOnlyList<Node> nodes, IReadOnlyList<LoweredNode> members, IReadOnlyList<GroupEdge> edges, IReadOnlyList<int> quanta, int rows)
    {
        Spec = spec;
        Nodes = nodes;
        Members = members;
        Edges = edges;
        Quanta = quanta;
        Rows = rows;
        Unbuilt = new HashSet<Node>(nodes.Where(n => !members.Any(m => m.Node == n)));
    }

    /// <summary>Every node of the group, in order: the <see cref="Members"/> and the <see cref="Unbuilt"/> concats.</summary>
    public IReadOnlyList<Node> Nodes { get; }

    /// <summary>Concats inside the group that are never built: every reader is a 1×1 convolution, which reads each
    /// channel from the concat's inputs where they are (a matrix product copies its input channels into a packed block
    /// anyway). They are not scheduled; their readers' edges go to the concat's inputs.</summary>
    public ISet<Node> Unbuilt { get; }

    public GroupSpec Spec { get; }

    public string Name => Spec.Name;

    public IReadOnlyList<LoweredNode> Members { get; }

    public IReadOnlyList<GroupEdge> Edges { get; }

    public IReadOnlyList<int> Quanta { get; }

    /// <summary>Rows of the group's output per step, unless changed at run time.</summary>
    public int Rows { get; }

    public Value Output => Members[Members.Count - 1].Node.Output;

    /// <summary>Whether <paramref name="value"/> is computed inside the group and lives only in its bands (or, for an
    /// unbuilt concat, nowhere).</summary>
    public bool IsInternal(Value value) => value != Output && value.Producer is { } p && Nodes.Contains(p);

    /// <summary>The schedule for an input of <paramref name="height"/> × <paramref name="width"/> at
    /// <paramref name="rows"/> rows per step.</summary>
    internal RowSchedule Schedule(long height, long width, int rows)
    {
        int[] Of(System.Func<Shape, Dim> dim) => Members.Select(m => (int)dim(m.Node.Output.Shape).Evaluate(height, width)).ToArray();
        return RowSchedule.Plan(
            Of(s => s.H), Of(s => s.W), Of(s => s.C), Quanta.ToArray(),
            Edges.Select(e => e.Consumer).ToArray(), Edges.Select(e => e.Producer).ToArray(), Edges.Select(e => e.Span).ToArray(),
            Edges.Select(e => e.Stride).ToArray(), Edges.Select(e => e.Pad).ToArray(), Edges.Select(e => e.Factor).ToArray(), rows);
    }

    /// <summary>The bands' floats at the default rows: at the fixed input size, or for an open one the most any height
    /// needs (the bands stop growing once the image is a few steps tall), as a formula in the width.</summary>
    public Dim PlannedFloats(Shape input)
    {
        if (input.IsConstant)
        {
            return Schedule(input.H.Value, input.W.Value, Rows).Floats;
        }

        // Every band is channels × rows × width: a formula in the width, its rows the most any height needs.
        IReadOnlyList<int> capacities = PlannedCapacities(input);
        Dim total = Dim.Zero;
        for (int m = 0; m < Members.Count - 1; m++)
        {
            Shape shape = Members[m].Node.Output.Shape;
            total += Dim.CeilDiv(shape.C * capacities[m] * shape.W, MemoryPlan.Alignment) * MemoryPlan.Alignment;
        }

        return total;
    }

    /// <summary>The most rows each band holds at any height, at the default rows and an input width of 256 (the rows do
    /// not depend on it): the schedule of a tall image (eight steps and the whole group's halo four times over: its
    /// first step reaches furthest ahead, its middle steps are periodic), at four heights so that every phase of the
    /// Winograd tiles' rounding is seen, and of every small image (whose bands are cut short by the bottom).</summary>
    public IReadOnlyList<int> PlannedCapacities(Shape input)
    {
        var capacities = new int[Members.Count];
        long width = input.W.IsConstant ? input.W.Value : 256;
        int halo = Edges.Sum(e => e.Span + e.Factor) + 8;
        long tallest = (long)(8 * Rows) + (4 * halo);
        IEnumerable<long> heights = input.H.IsConstant
            ? [input.H.Value]
            : Enumerable.Range(1, 64).Select(h => (long)h).Concat([tallest - 3, tallest - 2, tallest - 1, tallest]);
        foreach (long height in heights)
        {
            RowSchedule schedule = Schedule(height, width, Rows);
            for (int m = 0; m < Members.Count; m++)
            {
                capacities[m] = System.Math.Max(capacities[m], schedule.Capacity[m]);
            }
        }

        return capacities;
    }
}

/// <summary>Resolves the declared groups to runs of nodes and checks that each can run band by band.</summary>
public static class Grouping
{
    /// <summary>Rows of the group's output per step when the declaration does not say: enough for the matrix products
    /// to run on wide tiles, few enough that a step's bands of a 64-channel layer 1,280 pixels wide stay within a few
    /// megabytes.</summary>
    public const int DefaultRows = 16;

    /// <summary>The nodes of each declared group, in order (empty when the declaration is wrong; the diagnostics say why).</summary>
    public static IReadOnlyList<(GroupSpec Spec, IReadOnlyList<Node> Nodes)> Resolve(Graph graph, List<DiagnosticInfo> diagnostics)
    {
        var result = new List<(GroupSpec, IReadOnlyList<Node>)>();
        var taken = new Dictionary<Node, string>();
        foreach (GroupSpec spec in graph.Spec.Groups)
        {
            int first = Find(graph, spec.First), last = Find(graph, spec.Last);
            if (first < 0 || last < 0)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.GroupInvalid, spec.Location, spec.Name, graph.Spec.FullName,
                    "it names layer '" + (first < 0 ? spec.First : spec.Last) + "', which the model does not declare"
                    + (Common.Suggestions.Closest(first < 0 ? spec.First : spec.Last, graph.Spec.Layers.Select(l => l.Name)) is { } near ? " (did you mean '" + near + "'?)" : string.Empty)));
                continue;
            }

            if (last < first)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.GroupInvalid, spec.Location, spec.Name, graph.Spec.FullName,
                    "its last layer '" + spec.Last + "' comes before its first layer '" + spec.First + "'; name the first layer first"));
                continue;
            }

            List<Node> nodes = graph.Nodes.Skip(first).Take(last - first + 1).ToList();
            if (nodes.FirstOrDefault(taken.ContainsKey) is { } overlap)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.GroupInvalid, spec.Location, spec.Name, graph.Spec.FullName,
                    "its layer '" + overlap.Name + "' is already in group '" + taken[overlap] + "'; groups may not overlap"));
                continue;
            }

            if (Check(graph, spec, nodes, diagnostics))
            {
                foreach (Node node in nodes)
                {
                    taken[node] = spec.Name;
                }

                result.Add((spec, nodes));
            }
        }

        return result;
    }

    /// <summary>The group with each member's edges and row quantum, its plans as lowered (unplaced concats); a concat
    /// read only by 1×1 convolutions of the group is not built (<see cref="SlicedGroup.Unbuilt"/>).</summary>
    public static SlicedGroup Plan(GroupSpec spec, IReadOnlyList<Node> nodes, IReadOnlyList<LoweredNode> lowered)
    {
        var plans = nodes.ToDictionary(n => n, n => lowered.First(l => l.Node == n));
        var inside = new HashSet<Node>(nodes);
        var unbuilt = new HashSet<Node>(nodes.Where(n => n.Op.Name == "Concat" && n != nodes[nodes.Count - 1]
            && n.Output.Consumers.All(c => inside.Contains(c) && IsPointwiseProduct(plans[c].Plan))));
        var members = nodes.Where(n => !unbuilt.Contains(n)).Select(n => plans[n]).ToList();
        var index = new Dictionary<Node, int>();
        for (int i = 0; i < members.Count; i++)
        {
            index[members[i].Node] = i;
        }

        int ProducerOf(Value value) => value.Producer is { } p && index.TryGetValue(p, out int at) ? at : -1;
        var edges = new List<GroupEdge>();
        var quanta = new List<int>();
        for (int i = 0; i < members.Count; i++)
        {
            Node node = members[i].Node;
            quanta.Add(members[i].Plan.Algorithm == "winograd" ? Conv2dOp.WinogradTile : 1);
            for (int k = 0; k < node.Inputs.Count; k++)
            {
                Value input = node.Inputs[k];
                if (input.Producer is { } concat && unbuilt.Contains(concat))
                {
                    // Read through the concat: one identity edge per part (a 1×1 convolution reads row r for row r).
                    for (int part = 0; part < concat.Inputs.Count; part++)
                    {
                        edges.Add(new GroupEdge(i, k, ProducerOf(concat.Inputs[part]), 1, 1, 0, 1, part));
                    }

                    continue;
                }

                (int span, int stride, int pad, int factor) = RowWindow(node);
                edges.Add(new GroupEdge(i, k, ProducerOf(input), span, stride, pad, factor));
            }
        }

        int rows = spec.Rows > 0 ? spec.Rows : DefaultRows;
        return new SlicedGroup(spec, nodes, members, edges, quanta, rows);
    }

    /// <summary>A 1×1, stride-1, unpadded convolution's matrix product (it reads its input channel by channel).</summary>
    private static bool IsPointwiseProduct(KernelPlan plan) => plan.Calls.Count == 1 && plan.Calls[0].Kernel == "PointwiseGemm";

    /// <summary>The node whose layer (or one fused into it) is <paramref name="layer"/>: its index in the graph.</summary>
    private static int Find(Graph graph, string layer)
    {
        for (int i = 0; i < graph.Nodes.Count; i++)
        {
            if (graph.Nodes[i].Name == layer || graph.Nodes[i].Fused.Any(f => f.Name == layer))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Each member must be an image operator the bands support, and only the last member's output may be read
    /// after the group.</summary>
    private static bool Check(Graph graph, GroupSpec spec, List<Node> nodes, List<DiagnosticInfo> diagnostics)
    {
        var inside = new HashSet<Node>(nodes);
        foreach (Node node in nodes)
        {
            string? why = Unsupported(node);
            if (why is not null)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.GroupInvalid, spec.Location, spec.Name, graph.Spec.FullName,
                    "its layer '" + node.Name + "' (" + node.Op.Name + ") " + why + "; end the group before it or start it after"));
                return false;
            }

            if (node != nodes[nodes.Count - 1] && (node.Output == graph.Output || node.Output.Consumers.Any(c => !inside.Contains(c))))
            {
                string reader = node.Output == graph.Output ? "the model's output" : "layer '" + node.Output.Consumers.First(c => !inside.Contains(c)).Name + "'";
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.GroupInvalid, spec.Location, spec.Name, graph.Spec.FullName,
                    "the output of its layer '" + node.Name + "' is read by " + reader + " after the group, but only the group's last layer's output outlives the group; end the group at '" + node.Name + "' or extend it"));
                return false;
            }
        }

        return true;
    }

    /// <summary>Why a node cannot run on bands of rows, or null when it can.</summary>
    private static string? Unsupported(Node node)
    {
        if (node.Output.Shape.Rank != 3)
        {
            return "does not produce an image";
        }

        switch (node.Op.Name)
        {
            case "Conv2d":
            {
                AttributeSet a = node.Attributes;
                if (a.Int(Conv2dOp.Groups) != 1)
                {
                    return "is a grouped or depthwise convolution, which bands do not support yet";
                }

                (WindowAxis h, _) = Conv2dOp.Geometry(a, node.Input.Shape);
                return h.PadBefore.IsConstant ? null : "pads by an amount that depends on the open input height";
            }

            case "MaxPool2d":
            case "Add":
            case "Concat":
            case "Upsample":
            case "PixelShuffle":
                return null;
            default:
                return node.Op.IsActivation ? null : "is not an operator bands support (Conv2d, MaxPool2d, Add, Concat, activations, Upsample, PixelShuffle)";
        }
    }

    /// <summary>How <paramref name="node"/> reads its inputs' rows: (span, stride, pad, factor).</summary>
    private static (int Span, int Stride, int Pad, int Factor) RowWindow(Node node)
    {
        AttributeSet a = node.Attributes;
        switch (node.Op.Name)
        {
            case "Conv2d":
            {
                (WindowAxis h, _) = Conv2dOp.Geometry(a, node.Input.Shape);
                return ((int)h.Extent, h.Stride, (int)h.PadBefore.Value, 1);
            }

            case "MaxPool2d":
            {
                (WindowAxis h, _) = PoolOp.Geometry(a, node.Input.Shape);
                return ((int)h.Extent, h.Stride, (int)h.PadBefore.Value, 1);
            }

            case "Upsample":
                return (1, 1, 0, a.Int(UpsampleOp.ScaleFactor));
            case "PixelShuffle":
                return (1, 1, 0, a.Int(PixelShuffleOp.UpscaleFactor));
            default:
                return (1, 1, 0, 1);
        }
    }
}
