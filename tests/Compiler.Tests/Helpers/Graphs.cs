using System;
using System.Collections.Generic;
using System.Linq;
using ModelCompiler.Diagnostics;
using ModelCompiler.IR;
using ModelCompiler.Lowering;
using ModelCompiler.Options;
using ModelCompiler.Spec;
using Xunit;

namespace ModelCompiler.Tests.Helpers;

/// <summary>Declared graphs for unit tests of the IR, operators and plans: built without passes, asserting that the
/// spec builds without errors, with nodes found by name.</summary>
internal static class Graphs
{
    public static Graph Build(ModelSpec spec)
    {
        (Graph? graph, IReadOnlyList<DiagnosticInfo> diagnostics) = GraphBuilder.Build(spec);
        Assert.True(graph is not null, "the spec does not build: " + string.Join("; ", diagnostics));
        return graph!;
    }

    public static Node Node(this Graph graph, string name) =>
        graph.Nodes.SingleOrDefault(n => n.Name == name) ?? throw new ArgumentException("no node '" + name + "' in " + graph.Dump(), nameof(name));

    /// <summary>Every node lowered with the default options (no plan file), as the compiler does after its passes.</summary>
    public static IReadOnlyList<LoweredNode> Lower(Graph graph)
    {
        var diagnostics = new List<DiagnosticInfo>();
        IReadOnlyList<LoweredNode> lowered = Lowerer.Lower(graph, CompileOptions.Default, diagnostics);
        Assert.Empty(diagnostics);
        return lowered;
    }

    /// <summary>The error diagnostics of a spec that does not build.</summary>
    public static IReadOnlyList<DiagnosticInfo> Errors(ModelSpec spec)
    {
        (Graph? graph, IReadOnlyList<DiagnosticInfo> diagnostics) = GraphBuilder.Build(spec);
        Assert.Null(graph);
        return diagnostics.Where(d => d.Severity == Severity.Error).ToList();
    }
}
