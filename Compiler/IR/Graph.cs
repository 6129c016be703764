using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using ModelCompiler.Ops;
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

    /// <summary>Whether the input height or width is chosen at run time.</summary>
    public bool HasOpenSize => !Input.Shape.IsConstant;

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

    /// <summary>Re-infers every node's output type from its operator, attributes and inputs, in order: what a pass
    /// that changed attributes (a channel count, a padding) calls before the verifier runs.</summary>
    public void InferTypes()
    {
        foreach (Node node in Nodes)
        {
            var context = new InferenceContext(node.Origin, node.Attributes, node.Inputs, diagnostics: null, Spec.Location);
            Shape shape = node.Op.InferShape(context)!;
            node.Output.Type = node.Output.Type with { Shape = shape };
        }
    }

    /// <summary>A readable dump, one node a line, for snapshots and debugging.</summary>
    public string Dump()
    {
        var text = new StringBuilder();
        text.Append("input ").Append(Input.Shape).AppendLine();
        foreach (Node node in Nodes)
        {
            text.Append(node.Name).Append(" = ").Append(node.Op.Name);
            foreach (LayerSpec fused in node.Fused)
            {
                text.Append('+').Append(fused.Kind).Append('(').Append(fused.Name).Append(')');
            }

            text.Append('(').Append(string.Join(", ", node.Inputs.Select(v => v.Name))).Append(") -> ")
                .Append(node.Output.Shape).AppendLine();
        }

        text.Append("output ").Append(Output.Name).Append(' ').Append(Output.Shape.ToString()).AppendLine();
        return text.ToString();
    }

    public override string ToString() => string.Format(CultureInfo.InvariantCulture, "{0} ({1} nodes)", Spec.FullName, Nodes.Count);
}
