using System.Collections.Generic;
using System.Linq;
using ModelCompiler.IR;
using ModelCompiler.Ops;
using ModelCompiler.Weights;

namespace ModelCompiler.Passes;

/// <summary>With [Model]'s Reform, marks the weights and bias of every layer whose input pruning changed for a refit on
/// the calibration inputs (<see cref="Linking.Reformation"/>): a layer that reads pruned channels through its weights'
/// input axis, and every dense Conv2d or Linear after a removed block. Only the values change, so the code does not.</summary>
public sealed class MarkReformed : IPass
{
    public string Name => "mark-reformed";

    public bool Run(Graph graph)
    {
        if (!graph.Spec.Pruning.Reform)
        {
            return false;
        }

        HashSet<string> afterRemovedBlock = AfterRemovedBlocks(graph);
        bool changed = false;
        foreach (Node node in graph.Nodes)
        {
            IReadOnlyList<PrunedAxes>? axes = node.Op.PruneAxes(node.Attributes);
            if (axes?.FirstOrDefault(a => a.Role == "weight") is not { Input: int input } || node.Weight("weight") is not { } weight)
            {
                continue;
            }

            bool readsPruned = weight.Program.Steps<SelectKept>().Any(s => s.Axis == input && s.Segments.Any(g => g.Group is not null));
            if (!readsPruned && !afterRemovedBlock.Contains(node.Name))
            {
                continue;
            }

            var weights = node.Weights.ToList();
            node.Weights.Clear();
            foreach (NodeWeight w in weights)
            {
                node.Weights.Add(w.Role is "weight" or "bias" ? w with { Program = w.Program with { X = new Reformed(node.Name, w.Role, w.Program.X) } } : w);
            }

            changed = true;
        }

        return changed;
    }

    /// <summary>The layers computed from a removed block's output in the declared network.</summary>
    private static HashSet<string> AfterRemovedBlocks(Graph graph)
    {
        var names = new HashSet<string>(System.StringComparer.Ordinal);
        if (graph.Spec.RemovedBlocks.IsEmpty || ModelCompilation.BuildUnoptimized(graph.Spec) is not { } declared)
        {
            return names;
        }

        var stack = new Stack<Node>(declared.Nodes.Where(n => graph.Spec.RemovedBlocks.Contains(n.Name)));
        while (stack.Count > 0)
        {
            foreach (Node consumer in stack.Pop().Output.Consumers)
            {
                if (names.Add(consumer.Name))
                {
                    stack.Push(consumer);
                }
            }
        }

        return names;
    }
}
