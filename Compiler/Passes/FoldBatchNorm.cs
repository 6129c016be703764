using System.Linq;
using ModelCompiler.Common;
using ModelCompiler.IR;
using ModelCompiler.Ops;
using ModelCompiler.Weights;

namespace ModelCompiler.Passes;

/// <summary>Folds a BatchNorm2d into the Conv2d that feeds it when the conv has no other reader: the conv's
/// weight program scales each output channel's filter by gamma / sqrt(var + eps), and its bias becomes
/// (b - mean) * scale + beta (a convolution declared without a bias gets one). The weight-linking task runs the
/// programs, so the arithmetic happens once, at build time, in double precision.</summary>
public sealed class FoldBatchNorm : IPass
{
    public string Name => "fold-batchnorm";

    public bool Run(Graph graph)
    {
        bool changed = false;
        foreach (Node bn in graph.Nodes.Where(n => n.Op is BatchNorm2dOp).ToList())
        {
            Node? conv = bn.Input.Producer;
            if (conv is null || conv.Op is not Conv2dOp || !conv.Epilogue.IsNone || conv.Output.Consumers.Count != 1)
            {
                continue;
            }

            (WeightExpr scale, WeightExpr shift) = BatchNorm2dOp.Affine(bn.Origin);
            NodeWeight weight = conv.Weight("weight")!;
            WeightExpr bias = conv.Weight("bias")?.Program.X ?? new ZeroTensor(weight.Program.Shape.Take(1).ToEquatableArray());
            conv.Weights.Clear();
            conv.Weights.Add(new NodeWeight("weight", weight.Program with { X = new ScaleRows(weight.Program.X, scale, null) }));
            conv.Weights.Add(new NodeWeight("bias", Encode.Float32(new ScaleRows(bias, scale, shift))));
            conv.Attributes = conv.Attributes.With(Conv2dOp.Bias, true);
            conv.Fused.Add(bn.Origin);
            graph.ReplaceAllUses(bn.Output, conv.Output);
            graph.Remove(bn);
            changed = true;
        }

        return changed;
    }
}
