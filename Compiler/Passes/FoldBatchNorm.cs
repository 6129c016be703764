using System.Linq;
using ModelCompiler.IR;
using ModelCompiler.Spec;

namespace ModelCompiler.Passes;

/// <summary>Folds a BatchNorm2d into the Conv2d that feeds it when the conv has no other reader:
/// w' = w * gamma / sqrt(var + eps), b' = (b - mean) * gamma / sqrt(var + eps) + beta. The IR records the fold;
/// the weight packer applies the same arithmetic to the tensors.</summary>
public sealed class FoldBatchNorm : IPass
{
    public string Name => "fold-batchnorm";

    public bool Run(Graph graph)
    {
        bool changed = false;
        foreach (Node bn in graph.Nodes.Where(n => n.Op == OpKind.BatchNorm2d).ToList())
        {
            Node? conv = bn.Input.Producer;
            if (conv is null || conv.Op != OpKind.Conv2d || conv.FoldedBatchNorm is not null
                || !conv.Activation.IsNone || conv.Output.Consumers.Count != 1)
            {
                continue;
            }

            conv.FoldedBatchNorm = bn.Spec;
            conv.FusedLayers.Add(bn.Name);
            graph.ReplaceAllUses(bn.Output, conv.Output);
            graph.Remove(bn);
            changed = true;
        }

        return changed;
    }
}
