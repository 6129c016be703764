using System.Collections.Generic;
using System.Linq;
using ModelCompiler.Common;
using ModelCompiler.Diagnostics;
using ModelCompiler.IR;
using ModelCompiler.Lowering;
using ModelCompiler.Manifest;
using ModelCompiler.Options;
using ModelCompiler.Passes;
using ModelCompiler.Spec;
using ModelCompiler.Weights;

namespace ModelCompiler;

/// <summary>The result of compiling one model spec with its options: the optimized graph, the kernel plan of
/// every node, the memory plan, the weight layout and the layout key, or the diagnostics that stopped it. Both
/// hosts (generator, weight linker) call this with the same inputs, so they agree on everything by construction.</summary>
public sealed class ModelCompilation
{
    private ModelCompilation(ModelSpec spec, CompileOptions options, IReadOnlyList<DiagnosticInfo> diagnostics)
    {
        Spec = spec;
        Options = options;
        Diagnostics = diagnostics;
    }

    public ModelSpec Spec { get; }

    public CompileOptions Options { get; }

    /// <summary>The optimized graph; null when an error was reported.</summary>
    public Graph? Graph { get; private set; }

    public IReadOnlyList<PassResult> Passes { get; private set; } = [];

    /// <summary>Every node with its kernel plan, in execution order.</summary>
    public IReadOnlyList<LoweredNode> Lowered { get; private set; } = [];

    /// <summary>The groups of nodes that run band by band, in order.</summary>
    public IReadOnlyList<SlicedGroup> Groups { get; private set; } = [];

    public MemoryPlan? Memory { get; private set; }

    public WeightLayout? Layout { get; private set; }

    public IReadOnlyList<DiagnosticInfo> Diagnostics { get; }

    public bool Succeeded => Graph is not null;

    /// <summary>The layout key: a hash of the declaration and options (without source locations) and of every packed
    /// tensor's program and place. The generated loader refuses an artifact packed under another key.</summary>
    public ulong LayoutHash { get; private set; }

    public static ModelCompilation Compile(ModelSpec spec, CompileOptions? options = null)
    {
        options ??= CompileOptions.Default;
        (Graph? graph, IReadOnlyList<DiagnosticInfo> built) = GraphBuilder.Build(spec);
        var diagnostics = built.ToList();
        CheckPruning(spec, diagnostics);
        var result = new ModelCompilation(spec, options, diagnostics);
        if (graph is null || diagnostics.Any(d => d.Severity == Severity.Error))
        {
            return result;
        }

        foreach (string block in spec.RemovedBlocks)
        {
            if (ModelCompiler.Passes.RemoveBlocks.Validate(graph, block) is { } why)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.BlockNotRemovable, spec.WeightsLocation ?? spec.Location, spec.FullName, block, why));
            }
        }

        if (diagnostics.Any(d => d.Severity == Severity.Error))
        {
            return result;
        }

        IReadOnlyList<PassResult> passes = PassPipeline.Run(graph, PassPipeline.For(options.Plan));
        IReadOnlyList<(GroupSpec Spec, IReadOnlyList<Node> Nodes)> declared = Grouping.Resolve(graph, diagnostics);
        IReadOnlyList<LoweredNode> lowered = Lowerer.Lower(graph, options, diagnostics, new HashSet<Node>(declared.SelectMany(g => g.Nodes)));
        Lowerer.ApplyWeightEncodings(lowered);
        Verifier.Verify(graph, "lowering");
        var groups = declared.Select(g => Grouping.Plan(g.Spec, g.Nodes, lowered)).ToList();
        MemoryPlan memory = MemoryPlan.Create(graph, lowered, groups);
        if (memory.ActivationFloats.IsConstant && memory.ArenaFloats(1).Value > GraphBuilder.MaxElements)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MemoryTooLarge, spec.Location, spec.FullName,
                memory.ArenaFloats(1).Value, GraphBuilder.MaxElements));
        }

        if (diagnostics.Any(d => d.Severity == Severity.Error))
        {
            return result;
        }

        WeightLayout layout = WeightLayout.Create(graph);
        if (layout.Tensors.FirstOrDefault(t => t.Bytes > WeightLayout.ChunkBytes) is { } huge)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.WeightsTooLarge, spec.Location, spec.FullName, huge.Bytes, huge.Node, WeightLayout.ChunkBytes));
            return result;
        }

        result.Graph = graph;
        result.Passes = passes;
        result.Lowered = lowered;
        result.Groups = groups;
        result.Memory = memory;
        result.Layout = layout;
        result.LayoutHash = Hashing.Fnv1a64(ModelManifest.Write(spec, options, includeLocations: false) + "\n" + layout.Describe());
        return result;
    }

    /// <summary>The channel groups structured pruning shrank, each once (empty when nothing was pruned).</summary>
    public IReadOnlyList<ChannelGroup> ChannelGroups =>
        Graph?.Nodes.SelectMany(n => n.Weights).SelectMany(w => w.Program.Steps<SelectKept>())
            .SelectMany(s => s.Segments).Select(s => s.Group).OfType<ChannelGroup>().Distinct().ToList() ?? [];

    /// <summary>The same declaration and options compiled without any pruning (no ratio from [Model], the layers or the
    /// plan, no removed block): the network a refit reproduces and a report compares with.</summary>
    public ModelCompilation Unpruned() => Compile(
        Spec with
        {
            Pruning = PruneSpec.None,
            RemovedBlocks = EquatableArray<string>.Empty,
            Layers = Spec.Layers.Select(l => l with { PruneRatio = null }).ToEquatableArray(),
        },
        Options.WithoutPruning());

    /// <summary>MC1025 for a pruning ratio outside [0, 1) (on [Model] or a layer) or a multiple below 1.</summary>
    private static void CheckPruning(ModelSpec spec, List<DiagnosticInfo> diagnostics)
    {
        const string RatioFix = "give the fraction of channels to remove, from 0 (none) up to but not including 1, e.g. 0.5";
        PruneSpec pruning = spec.Pruning;
        if (!(pruning.Ratio >= 0 && pruning.Ratio < 1))
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.PruneOptionInvalid, spec.WeightsLocation ?? spec.Location,
                "Model '" + spec.FullName + "'", "PruneRatio", Number(pruning.Ratio), RatioFix));
        }

        if (pruning.Multiple < 1)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.PruneOptionInvalid, spec.WeightsLocation ?? spec.Location,
                "Model '" + spec.FullName + "'", "PruneMultiple", Number(pruning.Multiple), "kept channel counts are rounded up to a multiple of it: give 1 or more (default 8)"));
        }

        if (pruning.Reform && string.IsNullOrWhiteSpace(spec.CalibrationPath))
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ReformWithoutCalibration, spec.WeightsLocation ?? spec.Location,
                spec.FullName, string.Join(", ", spec.InputShape.Select(d => d < 0 ? "H" : d.ToString(System.Globalization.CultureInfo.InvariantCulture)))));
        }

        foreach (LayerSpec layer in spec.Layers)
        {
            if (layer.PruneRatio is double ratio && !(ratio >= 0 && ratio < 1))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.PruneOptionInvalid, layer.Location ?? spec.Location,
                    "Layer '" + layer.Name + "'", "PruneRatio", Number(ratio), RatioFix));
            }
        }
    }

    private static string Number(double value) => value.ToString("R", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The declared graph without passes: what the reference interpreter runs, and what validation
    /// of the weights file checks against (every declared tensor, before folding).</summary>
    public static Graph? BuildUnoptimized(ModelSpec spec) => GraphBuilder.Build(spec).Graph;
}
