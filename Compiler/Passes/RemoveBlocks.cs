using System.Collections.Generic;
using System.Linq;
using ModelCompiler.IR;
using ModelCompiler.Ops;

namespace ModelCompiler.Passes;

/// <summary>Depth pruning (as Shortened LLaMA and BK-SDM remove whole blocks): each residual Add the declaration names in
/// RemoveBlocks passes its skip input through instead, and every layer left without a reader (the block's branch) is
/// dropped. The skip input is the one the other input is computed from; <see cref="Validate"/> has checked that one is.</summary>
public sealed class RemoveBlocks : IPass
{
    public string Name => "remove-blocks";

    public bool Run(Graph graph)
    {
        bool changed = false;
        foreach (string name in graph.Spec.RemovedBlocks)
        {
            Node? add = graph.Nodes.FirstOrDefault(n => n.Name == name);
            if (add is null || Skip(add) is not { } skip)
            {
                continue;
            }

            graph.ReplaceAllUses(add.Output, skip);
            graph.Remove(add);
            changed = true;
        }

        for (bool removed = changed; removed;)
        {
            removed = false;
            foreach (Node node in graph.Nodes.Where(n => n.Output.Consumers.Count == 0 && !ReferenceEquals(n.Output, graph.Output)).Reverse().ToList())
            {
                graph.Remove(node);
                removed = true;
            }
        }

        return changed;
    }

    /// <summary>Why the layer named <paramref name="name"/> cannot close a removable block, or null when it can.</summary>
    public static string? Validate(Graph declared, string name)
    {
        Node? add = declared.Nodes.FirstOrDefault(n => n.Name == name);
        return add is null ? "the model has no layer '" + name + "'"
            : add.Op is not AddOp || add.Inputs.Count != 2 ? "'" + name + "' is a " + add.Op.Name + " of " + add.Inputs.Count + " inputs, not the Add of a block's output and its input"
            : Skip(add) is null ? "neither input of '" + name + "' is computed from the other, so neither is the block's input"
            : null;
    }

    /// <summary>The input of a two-input Add that its other input is computed from (the block's input).</summary>
    private static Value? Skip(Node add)
    {
        if (add.Inputs.Count != 2)
        {
            return null;
        }

        bool firstFeedsSecond = Reaches(add.Inputs[0], add.Inputs[1]), secondFeedsFirst = Reaches(add.Inputs[1], add.Inputs[0]);
        return firstFeedsSecond == secondFeedsFirst ? null : firstFeedsSecond ? add.Inputs[0] : add.Inputs[1];
    }

    /// <summary>Whether <paramref name="target"/> is computed from <paramref name="source"/>.</summary>
    private static bool Reaches(Value source, Value target)
    {
        var seen = new HashSet<Value>();
        var stack = new Stack<Value>([target]);
        while (stack.Count > 0)
        {
            Value v = stack.Pop();
            if (ReferenceEquals(v, source))
            {
                return true;
            }

            if (v.Producer is { } producer && seen.Add(v))
            {
                foreach (Value input in producer.Inputs)
                {
                    stack.Push(input);
                }
            }
        }

        return false;
    }
}
