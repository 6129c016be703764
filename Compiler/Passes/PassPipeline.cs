using System.Collections.Generic;
using ModelCompiler.IR;

namespace ModelCompiler.Passes;

/// <summary>What one pass did: its name and whether it changed the graph.</summary>
public sealed record PassResult(string Pass, bool Changed);

/// <summary>The named pass pipelines. After every pass that changed the graph, types are re-inferred and the
/// verifier runs; the log says which passes changed what.</summary>
public static class PassPipeline
{
    /// <summary>The FP32 pipeline: remove the residual blocks the declaration names, fold BatchNorm into convs, prune the
    /// channels the declaration asks to (the folded weights rank them), mark what pruning changed for a refit when the
    /// declaration asks for one, then fuse activations into producers.</summary>
    public static IReadOnlyList<IPass> Default { get; } = For(Options.ModelPlan.Empty);

    /// <summary>The FP32 pipeline with a plan file's per-layer pruning ratios.</summary>
    public static IReadOnlyList<IPass> For(Options.ModelPlan plan) =>
        [new RemoveBlocks(), new FoldBatchNorm(), new Prune(plan), new MarkReformed(), new FuseActivation()];

    public static IReadOnlyList<PassResult> Run(Graph graph, IReadOnlyList<IPass>? passes = null)
    {
        Verifier.Verify(graph, "build");
        var log = new List<PassResult>();
        foreach (IPass pass in passes ?? Default)
        {
            bool changed = pass.Run(graph);
            log.Add(new PassResult(pass.Name, changed));
            if (changed)
            {
                graph.InferTypes();
                Verifier.Verify(graph, pass.Name);
            }
        }

        return log;
    }
}
