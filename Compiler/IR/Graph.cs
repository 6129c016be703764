using System.Collections.Generic;
using System.Globalization;
using System.Text;
using ModelCompiler.Spec;

namespace ModelCompiler.IR;

/// <summary>A model as a dataflow graph in execution order (declaration order is a valid topological order,
/// because a layer may only read earlier layers).</summary>
public sealed class Graph
{
    public Graph(ModelSpec spec, Value input)
    {
        Spec = spec;
        Input = input;
    }

    public ModelSpec Spec { get; }

    public Value Input { get; }

    public List<Node> Nodes { get; } = [];

    /// <summary>The model output (the last declared layer's output; passes keep it pointing at its producer).</summary>
    public Value Output { get; set; } = null!;

    /// <summary>Makes every reader of <paramref name="old"/> read <paramref name="replacement"/> instead.</summary>
    public void ReplaceAllUses(Value old, Value replacement)
    {
        foreach (Node consumer in old.Consumers)
        {
            for (int i = 0; i < consumer.Inputs.Count; i++)
            {
                if (ReferenceEquals(consumer.Inputs[i], old))
                {
                    consumer.Inputs[i] = replacement;
                }
            }

            replacement.Consumers.Add(consumer);
        }

        old.Consumers.Clear();
        if (ReferenceEquals(Output, old))
        {
            Output = replacement;
        }
    }

    /// <summary>Removes a node whose output nobody reads any more.</summary>
    public void Remove(Node node)
    {
        foreach (Value input in node.Inputs)
        {
            input.Consumers.Remove(node);
        }

        Nodes.Remove(node);
    }

    /// <summary>A readable dump, one node a line, for snapshots and debugging.</summary>
    public string Dump()
    {
        var text = new StringBuilder();
        text.Append("input ").Append(Input.Shape).AppendLine();
        foreach (Node node in Nodes)
        {
            text.Append(node.Name).Append(" = ").Append(node.Op);
            if (node.FoldedBatchNorm is { } bn)
            {
                text.Append("+BatchNorm2d(").Append(bn.Name).Append(')');
            }

            if (!node.Activation.IsNone)
            {
                text.Append('+').Append(node.Activation);
            }

            text.Append('(').Append(string.Join(", ", node.Inputs.ConvertAll(v => v.Name))).Append(") -> ")
                .Append(node.Output.Shape).AppendLine();
        }

        text.Append("output ").Append(Output.Name).Append(' ').Append(Output.Shape.ToString()).AppendLine();
        return text.ToString();
    }

    public override string ToString() => string.Format(CultureInfo.InvariantCulture, "{0} ({1} nodes)", Spec.FullName, Nodes.Count);
}
