using System.Linq;
using ModelCompiler.IR;
using ModelCompiler.Spec;

namespace ModelCompiler.Passes;

/// <summary>Moves an activation into the epilogue of the node that produces its input, when that node has no
/// other reader, so the activation runs while the output row is still in cache.</summary>
public sealed class FuseActivation : IPass
{
    public string Name => "fuse-activation";

    public bool Run(Graph graph)
    {
        bool changed = false;
        foreach (Node act in graph.Nodes.Where(n => n.Op.IsActivation()).ToList())
        {
            Node? producer = act.Input.Producer;
            if (producer is null || !CanTakeEpilogue(producer.Op) || !producer.Activation.IsNone
                || producer.Output.Consumers.Count != 1)
            {
                continue;
            }

            producer.Activation = new Activation(act.Op, act.Spec.Alpha);
            producer.FusedLayers.Add(act.Name);
            graph.ReplaceAllUses(act.Output, producer.Output);
            graph.Remove(act);
            changed = true;
        }

        return changed;
    }

    private static bool CanTakeEpilogue(OpKind op) => op is OpKind.Conv2d or OpKind.Linear or OpKind.BatchNorm2d or OpKind.Add;
}
