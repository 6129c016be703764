using System.Collections.Generic;

namespace ModelCompiler.IR;

/// <summary>A tensor flowing between nodes: produced exactly once (by a node, or the model input).</summary>
public sealed class Value
{
    public Value(string name, Shape shape, Node? producer)
    {
        Name = name;
        Shape = shape;
        Producer = producer;
    }

    /// <summary>"input" for the model input, otherwise the producing layer's name.</summary>
    public string Name { get; }

    public Shape Shape { get; }

    /// <summary>Null for the model input.</summary>
    public Node? Producer { get; internal set; }

    public List<Node> Consumers { get; } = [];

    public override string ToString() => Name + " " + Shape;
}
