using System.Linq;
using ModelCompiler.IR;
using ModelCompiler.Ops;

namespace ModelCompiler.Passes;

/// <summary>Moves an activation into the epilogue of the node that produces its input, when that node has no
/// other reader, so the activation runs while the output is still in cache.</summary>
public sealed class FuseActivation : IPass
{
    public string Name => "fuse-activation";

    public bool Run(Graph graph)
    {
        bool changed = false;
        foreach (Node act in graph.Nodes.Where(n => n.Op.IsActivation).ToList())
        {
            Node? producer = act.Input.Producer;
            if (producer is null || !producer.Op.TakesEpilogue || !producer.Epilogue.IsNone || producer.Output.Consumers.Count != 1)
            {
                continue;
            }

            producer.Epilogue = new Epilogue(((ActivationOp)act.Op).Of(act.Attributes));
            producer.Fused.Add(act.Origin);
            graph.ReplaceAllUses(act.Output, producer.Output);
            graph.Remove(act);
            changed = true;
        }

        return changed;
    }
}
