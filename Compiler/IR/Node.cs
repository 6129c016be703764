using System.Collections.Generic;
using System.Linq;
using ModelCompiler.Ops;
using ModelCompiler.Spec;
using ModelCompiler.Weights;

namespace ModelCompiler.IR;

/// <summary>One operation of the graph. Starts as one declared layer; passes change its attributes, its weight
/// programs and its epilogue, and may merge other layers into it (a BatchNorm into a Conv2d's weights, an
/// activation into the epilogue). Its output type is always what its operator infers from its attributes and
/// input types (<see cref="Verifier"/> checks this after every pass).</summary>
public sealed class Node
{
    public Node(OpDefinition op, LayerSpec origin, IReadOnlyList<Value> inputs, TensorType output)
    {
        Op = op;
        Origin = origin;
        Attributes = origin.Attributes;
        Inputs = [.. inputs];
        Output = new Value(origin.Name, output, this);
    }

    public OpDefinition Op { get; }

    /// <summary>The declaration this node came from: the origin of every diagnostic about it, and the prefix of its tensors.</summary>
    public LayerSpec Origin { get; }

    public string Name => Origin.Name;

    /// <summary>The operator's attributes as the node computes them now (a pass may have changed the declared ones).</summary>
    public AttributeSet Attributes { get; set; }

    public List<Value> Inputs { get; }

    public Value Output { get; internal set; }

    public Epilogue Epilogue { get; set; } = Epilogue.None;

    /// <summary>The weight tensors this node reads, each with the program that makes it from the weights file.</summary>
    public List<NodeWeight> Weights { get; } = [];

    /// <summary>Layers merged into this node, in order, for reports and dumps.</summary>
    public List<LayerSpec> Fused { get; } = [];

    public IEnumerable<string> FusedLayers => Fused.Select(l => l.Name);

    public Value Input => Inputs[0];

    public NodeWeight? Weight(string role) => Weights.FirstOrDefault(w => w.Role == role);

    public override string ToString() => Name + " = " + Op.Name + "(" + string.Join(", ", Inputs.Select(v => v.Name)) + ") -> " + Output.Shape;
}
