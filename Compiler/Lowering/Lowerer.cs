using System.Collections.Generic;
using System.Linq;
using ModelCompiler.Common;
using ModelCompiler.Diagnostics;
using ModelCompiler.IR;
using ModelCompiler.Options;
using ModelCompiler.Spec;
using ModelCompiler.Weights;

namespace ModelCompiler.Lowering;

/// <summary>A node and the plan that computes it.</summary>
public sealed record LoweredNode(Node Node, KernelPlan Plan);

/// <summary>Lowers every node of an optimized graph to its kernel plan (each operator decides its own, consulting
/// the options), after checking that the plan file's layer entries name layers and algorithms that exist; then lets
/// producers write concat inputs in place where that saves memory (<see cref="ConcatPlacement"/>).</summary>
public static class Lowerer
{
    public static IReadOnlyList<LoweredNode> Lower(Graph graph, CompileOptions options, List<DiagnosticInfo> diagnostics, ISet<Node>? banded = null)
    {
        CheckPlan(graph, options.Plan, diagnostics);
        var context = new LoweringContext(options);
        return ConcatPlacement.Apply(graph, graph.Nodes.Select(n => new LoweredNode(n, n.Op.Lower(n, context))).ToList(), banded);
    }

    /// <summary>Gives each node's weight programs the encodings its plan's kernels read (a GEMM's panel layout):
    /// the prepack step of the weight program, decided by the lowering.</summary>
    public static void ApplyWeightEncodings(IReadOnlyList<LoweredNode> lowered)
    {
        foreach (LoweredNode l in lowered)
        {
            foreach (WeightEncoding encoding in l.Plan.Weights)
            {
                int index = l.Node.Weights.FindIndex(w => w.Role == encoding.Role);
                if (index >= 0)
                {
                    NodeWeight weight = l.Node.Weights[index];
                    l.Node.Weights[index] = weight with { Program = weight.Program with { DataType = encoding.DataType, Layout = encoding.Layout } };
                }
            }
        }
    }

    private static void CheckPlan(Graph graph, ModelPlan plan, List<DiagnosticInfo> diagnostics)
    {
        foreach (LayerPlan entry in plan.Layers)
        {
            Node? node = graph.Nodes.FirstOrDefault(n => n.Name == entry.Layer);
            LayerSpec? declared = graph.Spec.Layers.FirstOrDefault(l => l.Name == entry.Layer);
            SourceLocation location = new(plan.File, entry.Line, 1);
            if (declared is null)
            {
                string? near = Suggestions.Closest(entry.Layer, graph.Spec.Layers.Select(l => l.Name));
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.PlanLayerUnknown, location, plan.File, entry.Line, entry.Layer,
                    graph.Spec.FullName, near is null ? string.Empty : " (did you mean '" + near + "'?)"));
                continue;
            }

            if (entry.Algorithm is null)
            {
                continue;
            }

            if (node is null)
            {
                Node? owner = graph.Nodes.FirstOrDefault(n => n.Fused.Any(f => f.Name == entry.Layer));
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.PlanAlgorithmUnknown, location, plan.File, entry.Line, entry.Layer,
                    declared.Kind, entry.Algorithm, owner is null
                        ? "none: the layer is removed with its block (RemoveBlocks); drop the line"
                        : "none of its own: it is fused into '" + owner.Name + "'; put the algorithm on that layer"));
                continue;
            }

            IReadOnlyList<string> available = node.Op.Algorithms(node);
            if (!available.Contains(entry.Algorithm))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.PlanAlgorithmUnknown, location, plan.File, entry.Line, entry.Layer,
                    declared.Kind, entry.Algorithm, string.Join(", ", available)));
            }
        }
    }
}
