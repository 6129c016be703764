using System.Collections.Generic;
using ModelCompiler.IR;

namespace ModelCompiler.Passes;

/// <summary>The named pass pipelines. Every pass is followed by the verifier.</summary>
public static class PassPipeline
{
    /// <summary>The FP32 pipeline: fold BatchNorm into convs, then fuse activations into producers.</summary>
    public static IReadOnlyList<IPass> Default { get; } = [new FoldBatchNorm(), new FuseActivation()];

    public static Graph Run(Graph graph, IReadOnlyList<IPass>? passes = null)
    {
        Verifier.Verify(graph, "build");
        foreach (IPass pass in passes ?? Default)
        {
            pass.Run(graph);
            Verifier.Verify(graph, pass.Name);
        }

        return graph;
    }
}
