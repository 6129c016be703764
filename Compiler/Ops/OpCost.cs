using ModelCompiler.IR;

namespace ModelCompiler.Ops;

/// <summary>What one node costs per sample: multiply-accumulates, learned parameters as declared, and the bytes of
/// activations it reads and writes (weight bytes come from its packed tensors). Open input sizes make the
/// per-sample figures formulas.</summary>
public sealed record OpCost(Dim Macs, long Parameters, Dim BytesRead, Dim BytesWritten)
{
    /// <summary>An operator with no arithmetic to speak of: it reads its inputs and writes its output once.</summary>
    public static OpCost Traffic(Node node) =>
        new(Dim.Zero, 0, Dim.Sum(System.Linq.Enumerable.Select(node.Inputs, v => v.Type.Bytes)), node.Output.Type.Bytes);
}
