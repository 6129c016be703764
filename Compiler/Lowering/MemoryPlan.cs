using System.Collections.Generic;
using System.Linq;
using ModelCompiler.IR;

namespace ModelCompiler.Lowering;

/// <summary>A region of the activation arena, in floats per sample (a chunk of n samples stores n contiguous
/// copies: sample s of a value at n·Offset + s·Length). A value placed inside another (a concat's input, written in
/// place) is <see cref="Length"/> floats at <see cref="Inner"/> within each sample of its container, whose samples
/// are <see cref="Stride"/> floats apart: sample s at n·Offset + s·Stride + Inner.</summary>
public sealed record ArenaSlot(Dim Offset, Dim Length)
{
    private readonly Dim? _stride;

    /// <summary>Floats from one sample to the next: the container's sample for a placed value, else the length.</summary>
    public Dim Stride { get => _stride ?? Length; init => _stride = value; }

    /// <summary>Where the value starts within each sample of its container (zero unless placed).</summary>
    public Dim Inner { get; init; } = Dim.Zero;

    /// <summary>Whether the value lies inside another's samples (its samples are not contiguous).</summary>
    public bool IsPlaced => !Stride.Equals(Length) || !Inner.Equals(Dim.Zero);
}

/// <summary>Live activation memory while one node runs, for the report's memory-over-layers chart.</summary>
public sealed record MemoryStep(Node Node, Dim LiveFloats, Dim ScratchFloats);

/// <summary>The static memory plan, computed from the kernel plans: every value gets a region of the activation
/// arena (values that are views, like Flatten's output, share their source's region), reused once the value is
/// dead; every plan's scratch gets a region of a scratch area shared by all nodes. With fixed sizes the arena is
/// packed first-fit by size; with an open height or width, values share slots (a slot is as large as its largest
/// value), so every offset and the total are formulas in H and W. This one plan is what the generated code
/// allocates, what the generated constants say, and what the summary and report show.</summary>
public sealed class MemoryPlan
{
    /// <summary>Offsets and sizes are multiples of this many floats (64 bytes).</summary>
    public const int Alignment = 16;

    private MemoryPlan(Dictionary<Value, ArenaSlot> values, Dictionary<(Node, string), ArenaSlot> scratch, Dim activationFloats,
        Dim scratchFloats, List<MemoryStep> timeline)
    {
        Values = values;
        Scratch = scratch;
        ActivationFloats = activationFloats;
        ScratchFloats = scratchFloats;
        Timeline = timeline;
    }

    public IReadOnlyDictionary<Value, ArenaSlot> Values { get; }

    /// <summary>Each plan's scratch buffers, as offsets into the scratch area (not scaled by the chunk).</summary>
    public IReadOnlyDictionary<(Node Node, string Buffer), ArenaSlot> Scratch { get; }

    /// <summary>Floats of activation arena per sample of a chunk.</summary>
    public Dim ActivationFloats { get; }

    /// <summary>Floats of the scratch area (one sample is computed at a time in it): the nodes' scratch, or a sliced
    /// group's bands at their default rows, whichever is larger.</summary>
    public Dim ScratchFloats { get; }

    /// <summary>Floats of the nodes' scratch alone (a sliced group's bands, which the generated code sizes for the rows
    /// per step it runs at, share the area).</summary>
    public Dim NodeScratchFloats { get; private init; } = Dim.Zero;

    /// <summary>Each sliced group's bands at its default rows per step.</summary>
    public IReadOnlyDictionary<SlicedGroup, Dim> GroupFloats { get; private init; } = new Dictionary<SlicedGroup, Dim>();

    /// <summary>Floats of the largest per-thread scratch (a tile buffer every computing thread keeps, outside the arena).</summary>
    public Dim ThreadScratchFloats { get; private init; } = Dim.Zero;

    /// <summary>Floats one thread holds to run one sample: its arena and its own scratch.</summary>
    public Dim PeakFloats => ActivationFloats + ScratchFloats + ThreadScratchFloats;

    public IReadOnlyList<MemoryStep> Timeline { get; }

    /// <summary>Floats a thread's arena holds for a chunk of <paramref name="chunk"/> samples: the activations of
    /// the chunk followed by the scratch area.</summary>
    public Dim ArenaFloats(Dim chunk) => (chunk * ActivationFloats) + ScratchFloats;

    /// <param name="graph">The graph.</param>
    /// <param name="lowered">Every node's plan.</param>
    /// <param name="groups">The sliced groups: the values inside one live only in its bands (in the scratch area), its
    /// inputs stay live while it runs, and its output from its first member on.</param>
    /// <returns>The plan.</returns>
    public static MemoryPlan Create(Graph graph, IReadOnlyList<LoweredNode> lowered, IReadOnlyList<SlicedGroup>? groups = null)
    {
        groups ??= [];
        var plans = lowered.ToDictionary(l => l.Node, l => l.Plan);
        var groupOf = new Dictionary<Node, SlicedGroup>();
        foreach (SlicedGroup group in groups)
        {
            foreach (Node member in group.Nodes)
            {
                groupOf[member] = group;
            }
        }

        bool Banded(Value value) => value.Producer is { } p && groupOf.TryGetValue(p, out SlicedGroup? g) && g.IsInternal(value);

        // A concat input written in place lives in the concat's buffer, at its channel offset.
        var placed = new Dictionary<Value, (Value Container, Dim Inner)>();
        foreach (Node node in graph.Nodes)
        {
            foreach (int i in plans[node].InPlaceInputs)
            {
                placed[node.Inputs[i]] = (node.Output, Dim.Sum(node.Inputs.Take(i).Select(v => v.Shape.Size)));
            }
        }

        // A view shares its source's buffer: resolve every value to the value that owns its buffer.
        var owner = new Dictionary<Value, Value> { [graph.Input] = graph.Input };
        foreach (Node node in graph.Nodes)
        {
            owner[node.Output] = placed.TryGetValue(node.Output, out var place) ? place.Container
                : plans[node].OutputAliasesInput ? owner[node.Input] : node.Output;
        }

        // Liveness in node indices: the input is live from -1; a buffer dies after the last reader of any of its
        // views; the output lives to the end.
        var birth = new Dictionary<Value, int> { [graph.Input] = -1 };
        var death = new Dictionary<Value, int> { [graph.Input] = -1 };
        for (int i = 0; i < graph.Nodes.Count; i++)
        {
            Node node = graph.Nodes[i];
            Value buffer = owner[node.Output];

            // A group's output is written step by step while the group runs, its inputs read until its last step.
            int first = i, last = i;
            if (groupOf.TryGetValue(node, out SlicedGroup? group))
            {
                first = graph.Nodes.IndexOf(group.Nodes[0]);
                last = graph.Nodes.IndexOf(group.Nodes[group.Nodes.Count - 1]);
            }

            if (!Banded(buffer))
            {
                if (!birth.ContainsKey(buffer))
                {
                    birth[buffer] = first;
                }

                death[buffer] = System.Math.Max(death.TryGetValue(buffer, out int d) ? d : i, i);
            }

            foreach (Value input in node.Inputs.Where(v => !Banded(owner[v])))
            {
                death[owner[input]] = System.Math.Max(death[owner[input]], last);
            }
        }

        death[owner[graph.Output]] = graph.Nodes.Count;
        List<Value> buffers = birth.Keys.OrderBy(v => birth[v]).ToList();
        bool open = graph.HasOpenSize;
        (Dictionary<Value, ArenaSlot> slots, Dim activation) = open ? ShareSlots(buffers, birth, death) : FirstFit(buffers, birth, death);

        var values = new Dictionary<Value, ArenaSlot>();
        foreach (KeyValuePair<Value, Value> pair in owner.Where(p => !Banded(p.Value)))
        {
            ArenaSlot slot = slots[pair.Value] with { Length = pair.Key.Shape.Size };
            values[pair.Key] = placed.TryGetValue(pair.Key, out var place) ? slot with { Stride = place.Container.Shape.Size, Inner = place.Inner } : slot;
        }

        var scratch = new Dictionary<(Node, string), ArenaSlot>();
        var scratchSizes = new List<Dim>();
        var threadSizes = new List<Dim>();
        var timeline = new List<MemoryStep>();
        var groupFloats = new Dictionary<SlicedGroup, Dim>();
        for (int i = 0; i < graph.Nodes.Count; i++)
        {
            Node node = graph.Nodes[i];
            Dim offset = Dim.Zero, own = Dim.Zero;
            foreach (ScratchBuffer buffer in plans[node].Scratch)
            {
                if (buffer.PerThread)
                {
                    own += buffer.Floats;
                    continue;
                }

                scratch[(node, buffer.Name)] = new ArenaSlot(offset, buffer.Floats);
                offset = Align(offset + buffer.Floats);
            }

            if (!offset.Equals(Dim.Zero))
            {
                scratchSizes.Add(offset);
            }

            if (!own.Equals(Dim.Zero))
            {
                threadSizes.Add(own);
            }

            Dim live = Dim.Sum(buffers.Where(b => birth[b] <= i && death[b] >= i).Select(b => b.Shape.Size));
            Dim bands = Dim.Zero;
            if (groupOf.TryGetValue(node, out SlicedGroup? banding))
            {
                bands = groupFloats.TryGetValue(banding, out Dim? planned) ? planned : groupFloats[banding] = banding.PlannedFloats(graph.Input.Shape);
            }

            timeline.Add(new MemoryStep(node, live, (offset.Equals(Dim.Zero) ? bands : bands.Equals(Dim.Zero) ? offset : Dim.Max(offset, bands)) + own));
        }

        Dim nodeScratch = scratchSizes.Count == 0 ? Dim.Zero : scratchSizes.Aggregate(Dim.Max);
        Dim scratchFloats = groupFloats.Values.Aggregate(nodeScratch, Dim.Max);
        Dim threadFloats = threadSizes.Count == 0 ? Dim.Zero : threadSizes.Aggregate(Dim.Max);
        return new MemoryPlan(values, scratch, activation, scratchFloats, timeline)
        {
            ThreadScratchFloats = threadFloats, NodeScratchFloats = nodeScratch, GroupFloats = groupFloats,
        };
    }

    /// <summary>Fixed sizes: each buffer, in birth order, at the lowest offset where it overlaps no live buffer.</summary>
    private static (Dictionary<Value, ArenaSlot> Slots, Dim Total) FirstFit(List<Value> buffers, Dictionary<Value, int> birth, Dictionary<Value, int> death)
    {
        var placed = new Dictionary<Value, ArenaSlot>();
        long total = 0;
        foreach (Value buffer in buffers)
        {
            long length = buffer.Shape.Size.Value;
            long offset = 0;
            foreach ((long start, long end) in placed
                .Where(p => death[p.Key] >= birth[buffer])
                .Select(p => (p.Value.Offset.Value, p.Value.Offset.Value + p.Value.Length.Value))
                .OrderBy(r => r.Item1))
            {
                if (offset + length <= start)
                {
                    break;
                }

                offset = System.Math.Max(offset, Align(end));
            }

            placed[buffer] = new ArenaSlot(offset, length);
            total = System.Math.Max(total, Align(offset + length));
        }

        return (placed, total);
    }

    /// <summary>Open sizes: buffers share slots (a slot is reused once its buffer is dead, preferring a slot of
    /// the same or a comparable size); a slot is as large as its largest buffer and slots lie one after another.</summary>
    private static (Dictionary<Value, ArenaSlot> Slots, Dim Total) ShareSlots(List<Value> buffers, Dictionary<Value, int> birth, Dictionary<Value, int> death)
    {
        var slots = new List<(Dim Size, List<Value> Members)>();
        foreach (Value buffer in buffers)
        {
            Dim size = buffer.Shape.Size;
            int chosen = -1;
            int rank = int.MaxValue;
            for (int k = 0; k < slots.Count; k++)
            {
                if (slots[k].Members.Any(m => death[m] >= birth[buffer]))
                {
                    continue;
                }

                int r = slots[k].Size.Equals(size) ? 0 : (Dim.Max(slots[k].Size, size).Equals(slots[k].Size) ? 1 : Comparable(slots[k].Size, size) ? 2 : 3);
                if (r < rank)
                {
                    (chosen, rank) = (k, r);
                }
            }

            if (chosen < 0)
            {
                slots.Add((size, [buffer]));
            }
            else
            {
                slots[chosen].Members.Add(buffer);
                slots[chosen] = (Dim.Max(slots[chosen].Size, size), slots[chosen].Members);
            }
        }

        var placed = new Dictionary<Value, ArenaSlot>();
        Dim offset = Dim.Zero;
        foreach ((Dim size, List<Value> members) in slots)
        {
            foreach (Value member in members)
            {
                placed[member] = new ArenaSlot(offset, size);
            }

            offset = Align(offset + size);
        }

        return (placed, offset);
    }

    /// <summary>Whether max(a, b) is one of them (not a new max atom).</summary>
    private static bool Comparable(Dim a, Dim b)
    {
        Dim max = Dim.Max(a, b);
        return max.Equals(a) || max.Equals(b);
    }

    /// <summary>Rounded up to <see cref="Alignment"/>; an open size stays as it is unless rounding keeps it a plain
    /// formula (alignment only helps vector loads, and a formula full of roundings helps nobody).</summary>
    private static Dim Align(Dim floats)
    {
        Dim aligned = Dim.CeilDiv(floats, Alignment) * Alignment;
        return floats.IsConstant || aligned.Equals(floats) ? aligned : floats;
    }

    private static long Align(long floats) => (floats + Alignment - 1) / Alignment * Alignment;
}
