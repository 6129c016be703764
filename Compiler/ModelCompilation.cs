using System.Collections.Generic;
using System.Linq;
using ModelCompiler.Diagnostics;
using ModelCompiler.IR;
using ModelCompiler.Manifest;
using ModelCompiler.Passes;
using ModelCompiler.Spec;
using ModelCompiler.Weights;

namespace ModelCompiler;

/// <summary>The result of compiling one model spec: the optimized graph, its weight layout and layout key,
/// or the diagnostics that stopped it. Both hosts (generator, weight linker) call this, so they agree on
/// the layout by construction.</summary>
public sealed class ModelCompilation
{
    private ModelCompilation(ModelSpec spec, Graph? graph, WeightLayout? layout, IReadOnlyList<DiagnosticInfo> diagnostics)
    {
        Spec = spec;
        Graph = graph;
        Layout = layout;
        Diagnostics = diagnostics;
    }

    public ModelSpec Spec { get; }

    /// <summary>The optimized graph; null when an error was reported.</summary>
    public Graph? Graph { get; }

    public WeightLayout? Layout { get; }

    public IReadOnlyList<DiagnosticInfo> Diagnostics { get; }

    public bool Succeeded => Graph is not null;

    public ulong LayoutHash => ModelManifest.LayoutHash(Spec);

    public static ModelCompilation Compile(ModelSpec spec)
    {
        (Graph? graph, IReadOnlyList<DiagnosticInfo> diagnostics) = GraphBuilder.Build(spec);
        if (graph is null || diagnostics.Any(d => d.Severity == Severity.Error))
        {
            return new ModelCompilation(spec, null, null, diagnostics);
        }

        PassPipeline.Run(graph);
        return new ModelCompilation(spec, graph, WeightLayout.Create(graph), diagnostics);
    }

    /// <summary>The declared graph without passes: what the reference interpreter runs, and what validation
    /// of the weights file checks against (every declared tensor, before folding).</summary>
    public static Graph? BuildUnoptimized(ModelSpec spec) => GraphBuilder.Build(spec).Graph;
}
