using ModelCompiler.IR;
using ModelCompiler.Options;

namespace ModelCompiler.Lowering;

/// <summary>What lowering a node may consult besides the node: the compile options (device profile, plan-file
/// overrides) and the thresholds that decide parallel splits.</summary>
public sealed class LoweringContext
{
    public LoweringContext(CompileOptions options)
    {
        Options = options;
    }

    public CompileOptions Options { get; }

    /// <summary>A node doing at least this many multiply-accumulates per sample splits its work across threads
    /// when the batch is too small to parallelize over samples.</summary>
    public long ParallelMacs => Options.Device.ParallelNodeMacs;

    /// <summary>The same for a fully connected layer, whose weights streamed at batch 1 gain from two cores' caches.</summary>
    public long ParallelLinearMacs => Options.Device.ParallelLinearMacs;

    /// <summary>The algorithm the plan file forces for <paramref name="node"/>, if any.</summary>
    public string? ForcedAlgorithm(Node node) => Options.Plan.Find(node.Name)?.Algorithm;

}
