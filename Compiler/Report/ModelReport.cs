using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using ModelCompiler.IR;
using ModelCompiler.Weights;

namespace ModelCompiler.Report;

/// <summary>One row of the per-model summary: a node of the optimized graph, with the layers fused into it.</summary>
/// <param name="Layer">The node's layer name and the fused layers' names, joined by '+' (e.g. conv1+bn1+relu1).</param>
/// <param name="Op">The operator and the fused operators, joined by '+'.</param>
/// <param name="WeightBytes">Bytes of packed float32 weights the node reads (without alignment padding).</param>
public sealed record ReportRow(string Layer, string Op, string Output, long Parameters, long Macs, long WeightBytes);

/// <summary>What a compiled model costs, for the build log (a plain-text table) and for a Markdown report.
/// Depends only on the declaration (never on weight values, source locations or the machine), so the text
/// is deterministic and only changes when the model's layout does. Numbers in invariant culture.</summary>
public static class ModelReport
{
    private static readonly string[] Headers = ["layer", "op", "output", "params", "MACs", "weight bytes"];

    public static IReadOnlyList<ReportRow> Rows(Graph graph, WeightLayout layout)
    {
        var rows = new List<ReportRow>();
        foreach (Node node in graph.Nodes)
        {
            var op = new StringBuilder(node.Op.ToString());
            if (node.FoldedBatchNorm is { } bn)
            {
                op.Append('+').Append(bn.Kind);
            }

            if (!node.Activation.IsNone)
            {
                op.Append('+').Append(node.Activation);
            }

            long weightBytes = layout.Tensors.Where(t => t.Node == node.Name).Sum(t => 4L * t.Length);
            rows.Add(new ReportRow(
                string.Join("+", new[] { node.Name }.Concat(node.FusedLayers)),
                op.ToString(),
                node.Output.Shape.ToString(),
                CostModel.Parameters(node),
                CostModel.Macs(node),
                weightBytes));
        }

        return rows;
    }

    /// <summary>Peak bytes of float32 activations per sample when every tensor (the input included) has its own
    /// buffer, allocated by its producer and freed after its last reader. An upper bound for what slicing and
    /// buffer reuse will achieve; 0 for an empty graph.</summary>
    public static long PeakActivationBytes(Graph graph)
    {
        var lastUse = new Dictionary<Value, int>();
        for (int i = 0; i < graph.Nodes.Count; i++)
        {
            foreach (Value input in graph.Nodes[i].Inputs)
            {
                lastUse[input] = i;
            }
        }

        lastUse[graph.Output] = graph.Nodes.Count;
        var live = new List<Value> { graph.Input };
        long peak = 4L * graph.Input.Shape.Size;
        for (int i = 0; i < graph.Nodes.Count; i++)
        {
            Value output = graph.Nodes[i].Output;
            peak = Math.Max(peak, live.Sum(v => 4L * v.Shape.Size) + (4L * output.Shape.Size));
            live.Add(output);
            live.RemoveAll(v => !lastUse.TryGetValue(v, out int last) || last <= i);
        }

        return peak;
    }

    /// <summary>The summary table for the build log: a title line, then one row per node and a total row.</summary>
    public static string SummaryTable(ModelCompilation compilation, string weightsPath)
    {
        (Graph graph, WeightLayout layout) = Compiled(compilation);
        IReadOnlyList<ReportRow> rows = Rows(graph, layout);
        var cells = new List<string[]> { Headers };
        cells.AddRange(rows.Select(r => new[] { r.Layer, r.Op, r.Output, Number(r.Parameters), Number(r.Macs), Number(r.WeightBytes) }));
        cells.Add(["total", string.Empty, string.Empty, Number(rows.Sum(r => r.Parameters)), Number(rows.Sum(r => r.Macs)), Number(rows.Sum(r => r.WeightBytes))]);
        int[] widths = Enumerable.Range(0, Headers.Length).Select(c => cells.Max(row => row[c].Length)).ToArray();

        var text = new StringBuilder();
        text.Append("ModelCompiler: ").Append(compilation.Spec.FullName).Append(" (weights: ").Append(weightsPath)
            .Append(", input ").Append(graph.Input.Shape).Append(", output ").Append(graph.Output.Shape).Append(')').Append('\n');
        foreach (string[] row in cells)
        {
            text.Append("  ");
            for (int c = 0; c < row.Length; c++)
            {
                // Text columns left-aligned, numbers right-aligned.
                string cell = c < 3 ? row[c].PadRight(widths[c]) : row[c].PadLeft(widths[c]);
                text.Append(cell).Append(c == row.Length - 1 ? string.Empty : "  ");
            }

            text.Append('\n');
        }

        return text.ToString().Replace(" \n", "\n").TrimEnd('\n');
    }

    /// <summary>The Markdown report of one model: shapes, totals, the layer table, fused layers, peak activations.</summary>
    /// <param name="weightsPath">The weights file as declared (relative to the project directory).</param>
    /// <param name="artifactName">The file the packed weights ship in, e.g. MyApp.mcweights.</param>
    public static string Markdown(ModelCompilation compilation, string weightsPath, string artifactName)
    {
        (Graph graph, WeightLayout layout) = Compiled(compilation);
        IReadOnlyList<ReportRow> rows = Rows(graph, layout);
        var md = new StringBuilder();
        void Line(string s = "") => md.Append(s).Append('\n');

        Line("# " + compilation.Spec.FullName);
        Line();
        Line("Written by ModelCompiler from the model's declaration at build time; do not edit. Costs are per sample.");
        Line();
        Line("| | |");
        Line("| --- | --- |");
        Line("| weights file | `" + weightsPath + "` |");
        Line("| packed into | `" + artifactName + "` (" + Number(4L * layout.TotalLength) + " bytes with alignment) |");
        Line("| input | " + graph.Input.Shape + " |");
        Line("| output | " + graph.Output.Shape + " |");
        Line("| parameters | " + Number(rows.Sum(r => r.Parameters)) + " |");
        Line("| MACs | " + Number(rows.Sum(r => r.Macs)) + " |");
        Line("| weight bytes | " + Number(rows.Sum(r => r.WeightBytes)) + " |");
        Line("| peak activation memory | " + Number(PeakActivationBytes(graph)) + " bytes (float32, one buffer per tensor, freed after its last reader) |");
        Line();
        Line("## Layers");
        Line();
        Line("| layer | op | output | params | MACs | weight bytes |");
        Line("| --- | --- | --- | ---: | ---: | ---: |");
        foreach (ReportRow r in rows)
        {
            Line("| " + r.Layer + " | " + r.Op + " | " + r.Output + " | " + Number(r.Parameters) + " | " + Number(r.Macs) + " | " + Number(r.WeightBytes) + " |");
        }

        Line("| **total** | | | **" + Number(rows.Sum(r => r.Parameters)) + "** | **" + Number(rows.Sum(r => r.Macs)) + "** | **" + Number(rows.Sum(r => r.WeightBytes)) + "** |");
        Line();
        Line("## Fused layers");
        Line();
        List<Node> fused = graph.Nodes.Where(n => n.FusedLayers.Count > 0).ToList();
        if (fused.Count == 0)
        {
            Line("None: every declared layer runs on its own.");
        }

        foreach (Node node in fused)
        {
            var parts = new List<string>();
            if (node.FoldedBatchNorm is { } bn)
            {
                parts.Add("`" + bn.Name + "` (BatchNorm2d) folded into its weights and bias");
            }

            if (!node.Activation.IsNone)
            {
                string activation = node.FusedLayers.Last();
                parts.Add("`" + activation + "` (" + node.Activation + ") applied in its epilogue");
            }

            Line("- `" + node.Name + "` (" + node.Op + "): " + string.Join("; ", parts));
        }

        return md.ToString();
    }

    private static (Graph Graph, WeightLayout Layout) Compiled(ModelCompilation compilation) =>
        compilation.Graph is { } graph && compilation.Layout is { } layout
            ? (graph, layout)
            : throw new ArgumentException("model '" + compilation.Spec.FullName + "' did not compile; there is nothing to report", nameof(compilation));

    private static string Number(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
