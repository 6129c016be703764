using System.Collections.Generic;
using ModelCompiler.Spec;

namespace ModelCompiler.IR;

/// <summary>One operation of the graph. Starts as one declared layer; passes may fold other layers into it
/// (a BatchNorm into a Conv2d, an activation into its producer).</summary>
public sealed class Node
{
    public Node(LayerSpec spec, IReadOnlyList<Value> inputs, Shape outputShape)
    {
        Spec = spec;
        Inputs = [.. inputs];
        Output = new Value(spec.Name, outputShape, this);
    }

    public LayerSpec Spec { get; }

    public OpKind Op => Spec.Kind;

    public string Name => Spec.Name;

    public List<Value> Inputs { get; }

    public Value Output { get; internal set; }

    /// <summary>Activation fused into this node's epilogue.</summary>
    public Activation Activation { get; internal set; }

    /// <summary>A BatchNorm2d folded into this Conv2d (its weights are folded at weight-linking time).</summary>
    public LayerSpec? FoldedBatchNorm { get; internal set; }

    /// <summary>Names of layers merged into this node, in order, for reports and dumps.</summary>
    public List<string> FusedLayers { get; } = [];

    public Value Input => Inputs[0];

    public override string ToString() => Name + " = " + Op + "(" + string.Join(", ", Inputs.ConvertAll(v => v.Name)) + ") -> " + Output.Shape;
}
