using System;
using System.Collections.Generic;
using System.Linq;
using ModelCompiler.Ops;

namespace ModelCompiler.IR;

/// <summary>Checks the invariants every pass must keep: each value produced once and read only after it is
/// produced, consumer lists consistent, the output produced by a node of the graph; every node's output type is
/// exactly what its operator infers from its attributes and inputs now; every weight tensor the operator reads is
/// there with the shape its attributes imply. A violation is a compiler bug, so it throws (the generator turns
/// that into MC0001).</summary>
public static class Verifier
{
    public static void Verify(Graph graph, string after)
    {
        var produced = new HashSet<Value> { graph.Input };
        foreach (Node node in graph.Nodes)
        {
            foreach (Value input in node.Inputs)
            {
                Check(produced.Contains(input), after, $"node '{node.Name}' reads '{input.Name}' before it is produced");
                Check(input.Consumers.Contains(node), after, $"'{input.Name}' does not list its consumer '{node.Name}'");
            }

            Check(ReferenceEquals(node.Output.Producer, node), after, $"output of '{node.Name}' names another producer");
            Check(produced.Add(node.Output), after, $"'{node.Output.Name}' is produced twice");
            CheckType(graph, node, after);
            CheckWeights(node, after);
        }

        Check(produced.Contains(graph.Output), after, "the graph output is not produced by any node");
        foreach (Value value in produced)
        {
            foreach (Node consumer in value.Consumers)
            {
                Check(graph.Nodes.Contains(consumer) && consumer.Inputs.Contains(value), after,
                    $"'{value.Name}' lists '{consumer.Name}', which does not read it");
            }
        }

        Check(graph.Nodes.Select(n => n.Name).Distinct(StringComparer.Ordinal).Count() == graph.Nodes.Count, after, "duplicate node names");
    }

    private static void CheckType(Graph graph, Node node, string after)
    {
        Shape? inferred;
        try
        {
            inferred = node.Op.InferShape(new InferenceContext(node.Origin, node.Attributes, node.Inputs, diagnostics: null, graph.Spec.Location));
        }
        catch (InvalidOperationException e)
        {
            throw new InvalidOperationException("IR verification failed after " + after + ": " + e.Message, e);
        }

        Check(inferred is not null && inferred.Equals(node.Output.Shape), after,
            $"'{node.Name}' has shape {node.Output.Shape}, but its operator infers {inferred}");
        Check(node.Output.Shape.IsConstant ? node.Output.Shape.Size.Value > 0 : true, after, $"'{node.Name}' has an empty shape");
    }

    private static void CheckWeights(Node node, string after)
    {
        IReadOnlyList<WeightShape> expected = node.Op.WeightShapes(node.Attributes);
        Check(node.Weights.Count == expected.Count, after,
            $"'{node.Name}' has weights ({string.Join(", ", node.Weights.Select(w => w.Role))}), its operator reads ({string.Join(", ", expected.Select(w => w.Role))})");
        foreach (WeightShape shape in expected)
        {
            Weights.NodeWeight? weight = node.Weight(shape.Role);
            Check(weight is not null && weight.Program.Shape.Select(d => (long)d).SequenceEqual(shape.Shape), after,
                $"'{node.Name}' {shape.Role} is [{(weight is null ? "missing" : string.Join(", ", weight.Program.Shape))}], its attributes need [{string.Join(", ", shape.Shape)}]");
        }
    }

    private static void Check(bool condition, string after, string message)
    {
        if (!condition)
        {
            throw new InvalidOperationException("IR verification failed after " + after + ": " + message);
        }
    }
}
