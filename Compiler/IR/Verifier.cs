using System;
using System.Collections.Generic;
using System.Linq;

namespace ModelCompiler.IR;

/// <summary>Checks the invariants every pass must keep: each value produced once, read only after it is
/// produced, consumer lists consistent, the output produced by a node of the graph. A violation is a
/// compiler bug, so it throws (the generator turns that into MC0001).</summary>
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
            Check(node.Output.Shape.Size > 0, after, $"'{node.Name}' has an empty shape");
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

    private static void Check(bool condition, string after, string message)
    {
        if (!condition)
        {
            throw new InvalidOperationException("IR verification failed after " + after + ": " + message);
        }
    }
}
