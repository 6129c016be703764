using ModelCompiler.Spec;

namespace ModelCompiler.IR;

/// <summary>Static per-node costs for reports and the summary table. (The roofline latency model with a
/// measured device profile comes later; this counts work and bytes exactly.)</summary>
public static class CostModel
{
    /// <summary>Multiply-accumulates per sample.</summary>
    public static long Macs(Node node)
    {
        LayerSpec s = node.Spec;
        Shape o = node.Output.Shape;
        return node.Op switch
        {
            OpKind.Linear => (long)s.InFeatures * s.OutFeatures,
            OpKind.Conv2d => (long)o.Size * (s.InFeatures / s.Groups) * s.KernelH * s.KernelW,
            _ => 0,
        };
    }

    /// <summary>Learned parameters as declared (before BatchNorm folding), per node including folded layers.</summary>
    public static long Parameters(Node node)
    {
        LayerSpec s = node.Spec;
        long own = node.Op switch
        {
            OpKind.Linear => ((long)s.InFeatures * s.OutFeatures) + (s.Bias ? s.OutFeatures : 0),
            OpKind.Conv2d => ((long)s.OutFeatures * (s.InFeatures / s.Groups) * s.KernelH * s.KernelW) + (s.Bias ? s.OutFeatures : 0),
            OpKind.BatchNorm2d => 2L * s.InFeatures,
            _ => 0,
        };
        return own + (node.FoldedBatchNorm is { } bn ? 2L * bn.InFeatures : 0);
    }
}
