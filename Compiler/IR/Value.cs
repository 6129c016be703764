using System.Collections.Generic;

namespace ModelCompiler.IR;

/// <summary>A tensor flowing between nodes: produced exactly once (by a node, or the model input).</summary>
public sealed class Value
{
    public Value(string name, TensorType type, Node? producer)
    {
        Name = name;
        Type = type;
        Producer = producer;
    }

    /// <summary>"input" for the model input, otherwise the producing layer's name.</summary>
    public string Name { get; }

    /// <summary>Element type, per-sample shape and layout; re-inferred after every pass.</summary>
    public TensorType Type { get; internal set; }

    public Shape Shape => Type.Shape;

    /// <summary>Null for the model input.</summary>
    public Node? Producer { get; internal set; }

    public List<Node> Consumers { get; } = [];

    public override string ToString() => Name + " " + Shape;
}
