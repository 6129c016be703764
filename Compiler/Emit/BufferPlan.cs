using System.Collections.Generic;
using System.Linq;
using ModelCompiler.IR;
using ModelCompiler.Spec;

namespace ModelCompiler.Emit;

/// <summary>A region of the per-sample activation arena.</summary>
public sealed record ArenaSlot(int Offset, int Length);

/// <summary>The static memory plan for one sample: every value and every node's scratch space gets a fixed
/// offset in one float arena, reusing space once a value is dead (greedy first fit in execution order).
/// The arena is allocated once per thread and reused by every call.</summary>
public sealed class BufferPlan
{
    private const int Alignment = 16;

    private BufferPlan(Dictionary<Value, ArenaSlot> values, Dictionary<Node, ArenaSlot> scratch, int size)
    {
        Values = values;
        Scratch = scratch;
        Size = size;
    }

    public IReadOnlyDictionary<Value, ArenaSlot> Values { get; }

    public IReadOnlyDictionary<Node, ArenaSlot> Scratch { get; }

    /// <summary>Floats per sample: the peak of live activations plus scratch.</summary>
    public int Size { get; }

    /// <summary>Scratch floats a node needs beside its input and output (im2col columns for convs).</summary>
    public static int ScratchLength(Node node)
    {
        if (node.Op != OpKind.Conv2d || IsPointwise(node.Spec))
        {
            return 0;
        }

        // All groups are unfolded at once: group g's rows follow group g-1's.
        LayerSpec s = node.Spec;
        Shape o = node.Output.Shape;
        return s.InFeatures * s.KernelH * s.KernelW * o.H * o.W;
    }

    /// <summary>A 1×1, stride 1, unpadded conv reads its input as the column matrix directly.</summary>
    public static bool IsPointwise(LayerSpec s) => s.KernelH == 1 && s.KernelW == 1 && s.StrideH == 1 && s.StrideW == 1
        && s.PaddingH == 0 && s.PaddingW == 0;

    public static BufferPlan Create(Graph graph)
    {
        // Liveness in node indices: the input is live from -1; a value dies after its last reader;
        // the output lives to the end.
        var lastUse = new Dictionary<Value, int>();
        var birth = new Dictionary<Value, int> { [graph.Input] = -1 };
        for (int i = 0; i < graph.Nodes.Count; i++)
        {
            Node node = graph.Nodes[i];
            birth[node.Output] = i;
            foreach (Value v in node.Inputs)
            {
                lastUse[v] = i;
            }
        }

        lastUse[graph.Output] = graph.Nodes.Count;
        var live = new List<(int Start, int End, int Death)>();
        var values = new Dictionary<Value, ArenaSlot>();
        var scratch = new Dictionary<Node, ArenaSlot>();
        int size = 0;

        int Place(int length, int born, int death)
        {
            live.RemoveAll(r => r.Death < born);
            int offset = 0;
            foreach ((int start, int end, int _) in live.OrderBy(r => r.Start))
            {
                if (offset + length <= start)
                {
                    break;
                }

                offset = System.Math.Max(offset, Align(end));
            }

            live.Add((offset, offset + length, death));
            size = System.Math.Max(size, Align(offset + length));
            return offset;
        }

        values[graph.Input] = new ArenaSlot(Place(graph.Input.Shape.Size, -1, lastUse.TryGetValue(graph.Input, out int d) ? d : -1), graph.Input.Shape.Size);
        for (int i = 0; i < graph.Nodes.Count; i++)
        {
            Node node = graph.Nodes[i];
            int scratchLength = ScratchLength(node);
            if (scratchLength > 0)
            {
                scratch[node] = new ArenaSlot(Place(scratchLength, i, i), scratchLength);
            }

            Value output = node.Output;
            int death = lastUse.TryGetValue(output, out int last) ? last : i;
            values[output] = new ArenaSlot(Place(output.Shape.Size, i, death), output.Shape.Size);
        }

        return new BufferPlan(values, scratch, size);
    }

    private static int Align(int offset) => (offset + Alignment - 1) / Alignment * Alignment;
}
