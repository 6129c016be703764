using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using ModelCompiler.Common;
using ModelCompiler.IR;
using ModelCompiler.Lowering;
using ModelCompiler.Options;
using ModelCompiler.Ops;
using ModelCompiler.Spec;
using ModelCompiler.Weights;

namespace ModelCompiler.Report;

/// <summary>One row of the per-model summary: a node of the optimized graph, with the layers fused into it.</summary>
/// <param name="Layer">The node's layer name and the fused layers' names, joined by '+' (e.g. conv1+bn1+relu1).</param>
/// <param name="Op">The operator and the fused operators, joined by '+'.</param>
/// <param name="Parameters">Learned parameters as declared (a folded BatchNorm's scale and shift included).</param>
/// <param name="Macs">Multiply-accumulates per sample; a formula in H and W for an open input size.</param>
/// <param name="WeightBytes">Bytes of packed weights the node reads (without alignment padding).</param>
public sealed record ReportRow(string Layer, string Op, string Output, long Parameters, Dim Macs, long WeightBytes);

/// <summary>What a compiled model costs, for the build log (a plain-text table) and for a Markdown report.
/// Depends only on the declaration and options (never on weight values, source locations or the machine), so the
/// text is deterministic and only changes when the model does. Memory figures are the memory plan's, the same the
/// generated code allocates and its constants state. Numbers in invariant culture.</summary>
public static partial class ModelReport
{
    private static readonly string[] Headers = ["layer", "op", "output", "params", "MACs", "weight bytes"];

    public static IReadOnlyList<ReportRow> Rows(Graph graph, WeightLayout layout)
    {
        var rows = new List<ReportRow>();
        foreach (Node node in graph.Nodes)
        {
            var ops = new List<string> { node.Op.Name };
            ops.AddRange(node.Fused.Where(f => !(OpRegistry.Find(f.Kind)?.IsActivation ?? false)).Select(f => f.Kind));
            if (node.Epilogue.Activation is { } activation)
            {
                ops.Add(activation.ToString());
            }

            // A folded layer counts at the node's channel count (after pruning, fewer than it declared).
            int channels = node.Output.Shape.Rank > 0 && node.Output.Shape.C.IsConstant ? checked((int)node.Output.Shape.C.Value) : 0;
            long parameters = node.Op.Cost(node).Parameters
                + node.Fused.Sum(f => OpRegistry.Find(f.Kind) is { } op
                    ? op.WeightShapes(channels > 0 ? op.WithChannels(f.Attributes, channels, channels) : f.Attributes).Sum(w => w.Shape.Aggregate(1L, (a, b) => a * b))
                    : 0);
            rows.Add(new ReportRow(
                string.Join("+", new[] { node.Name }.Concat(node.FusedLayers)),
                string.Join("+", ops),
                node.Output.Shape.ToString(),
                parameters,
                node.Op.Cost(node).Macs,
                layout.Tensors.Where(t => t.Node == node.Name).Sum(t => t.Bytes)));
        }

        return rows;
    }

    /// <summary>The summary table for the build log: a title line, one row per node, a total row, and the memory line.</summary>
    public static string SummaryTable(ModelCompilation compilation, string weightsPath)
    {
        (Graph graph, WeightLayout layout, MemoryPlan memory) = Compiled(compilation);
        IReadOnlyList<ReportRow> rows = Rows(graph, layout);
        var cells = new List<string[]> { Headers };
        cells.AddRange(rows.Select(r => new[] { r.Layer, r.Op, r.Output, Number(r.Parameters), Number(r.Macs), Number(r.WeightBytes) }));
        cells.Add(["total", string.Empty, string.Empty, Number(rows.Sum(r => r.Parameters)), Number(Dim.Sum(rows.Select(r => r.Macs))), Number(rows.Sum(r => r.WeightBytes))]);
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

        if (Pruning(compilation) is { } pruning)
        {
            text.Append("  pruned: ").Append(PruningText(compilation, pruning)).Append("; MACs ").Append(Number(pruning.MacsBefore)).Append(" -> ")
                .Append(Number(Dim.Sum(rows.Select(r => r.Macs)))).Append(", weight bytes ").Append(Number(pruning.BytesBefore)).Append(" -> ")
                .Append(Number(rows.Sum(r => r.WeightBytes))).Append('\n');
        }

        text.Append("  memory: ").Append(MemoryText(memory)).Append("; weight block ").Append(Number(layout.TotalBytes)).Append(" bytes").Append('\n');
        foreach (SlicedGroup group in compilation.Groups)
        {
            Dim bands = memory.GroupFloats.TryGetValue(group, out Dim? planned) ? planned * 4 : Dim.Zero;
            text.Append("  group ").Append(group.Name).Append(": ").Append(group.Nodes[0].Name).Append(" to ").Append(group.Nodes[group.Nodes.Count - 1].Name)
                .Append(" band by band, ").Append(group.Rows).Append(" rows per step, bands ").Append(Number(bands)).Append(" bytes")
                .Append(graph.Input.Shape.H.IsConstant ? string.Empty : " at any height").Append('\n');
        }

        return text.ToString().Replace(" \n", "\n").TrimEnd('\n');
    }

    /// <summary>Input sizes at which an open-size model's memory is shown as numbers beside its formula.</summary>
    private static readonly (int Height, int Width)[] ExampleSizes = [(224, 224), (720, 1280)];

    /// <summary>The memory line: what one thread allocates at batch 1, and how it grows with the batch. For an open input
    /// size the activations are a formula in H and W; a scratch formula longer than a line is summarized, and the
    /// total is also shown at a few common sizes (the generated PeakMemoryBytes(height, width) gives any).</summary>
    public static string MemoryText(MemoryPlan memory)
    {
        Dim activation = memory.ActivationFloats * 4, scratch = (memory.ScratchFloats + memory.ThreadScratchFloats) * 4;
        if ((activation + scratch).IsConstant)
        {
            return Number(activation + scratch) + " bytes per thread at batch 1 (activations " + Number(activation)
                + " per sample of a chunk, scratch " + Number(scratch) + ")";
        }

        string scratchText = scratch.ToString().Length <= 60 ? scratch.ToString() : "a function of the size";
        string examples = string.Join(", ", ExampleSizes.Select(size =>
            Number((activation + scratch).Evaluate(size.Height, size.Width)) + " at " + size.Width + "x" + size.Height));
        return "activations " + activation + " bytes per sample of a chunk, scratch " + scratchText + " (per thread at batch 1, width x height: " + examples + ")";
    }

    /// <summary>The Markdown report of one model: shapes, totals, the layer table, fused layers, kernel plans and the memory plan.</summary>
    /// <param name="weightsPath">The weights file as declared (relative to the project directory).</param>
    /// <param name="artifactName">The file the packed weights ship in, e.g. MyApp.mcweights.</param>
    public static string Markdown(ModelCompilation compilation, string weightsPath, string artifactName)
    {
        (Graph graph, WeightLayout layout, MemoryPlan memory) = Compiled(compilation);
        IReadOnlyList<ReportRow> rows = Rows(graph, layout);
        var md = new StringBuilder();
        void Line(string s = "") => md.Append(s).Append('\n');

        Line("# " + compilation.Spec.FullName);
        Line();
        Line("Written by ModelCompiler from the model's declaration at build time; do not edit. Costs are per sample"
            + (graph.HasOpenSize ? "; H and W are the input height and width, chosen at run time." : "."));
        Line();
        Line("| | |");
        Line("| --- | --- |");
        Line("| weights file | `" + weightsPath + "` |");
        Line("| packed into | `" + artifactName + "` (" + Number(layout.TotalBytes) + " bytes with alignment) |");
        Line("| input | " + graph.Input.Shape + " |");
        Line("| output | " + graph.Output.Shape + " |");
        Line("| parameters | " + Number(rows.Sum(r => r.Parameters)) + " |");
        Line("| MACs | " + Number(Dim.Sum(rows.Select(r => r.Macs))) + " |");
        Line("| weight bytes | " + Number(rows.Sum(r => r.WeightBytes)) + " |");
        Line("| memory | " + MemoryText(memory) + "; the generated `PeakMemoryBytes` |");
        Line();
        Line("## Layers");
        Line();
        Line("| layer | op | output | params | MACs | weight bytes |");
        Line("| --- | --- | --- | ---: | ---: | ---: |");
        foreach (ReportRow r in rows)
        {
            Line("| " + r.Layer + " | " + r.Op + " | " + r.Output + " | " + Number(r.Parameters) + " | " + Number(r.Macs) + " | " + Number(r.WeightBytes) + " |");
        }

        Line("| **total** | | | **" + Number(rows.Sum(r => r.Parameters)) + "** | **" + Number(Dim.Sum(rows.Select(r => r.Macs))) + "** | **" + Number(rows.Sum(r => r.WeightBytes)) + "** |");
        if (Pruning(compilation) is { } pruned)
        {
            PruningSection(Line, compilation, rows, pruned);
        }

        Line();
        Line("## Fused layers");
        Line();
        List<Node> fused = graph.Nodes.Where(n => n.Fused.Count > 0).ToList();
        if (fused.Count == 0)
        {
            Line("None: every declared layer runs on its own.");
        }

        foreach (Node node in fused)
        {
            var parts = new List<string>();
            foreach (LayerSpec layer in node.Fused)
            {
                parts.Add(OpRegistry.Find(layer.Kind)?.IsActivation ?? false
                    ? "`" + layer.Name + "` (" + node.Epilogue + ") applied in its epilogue"
                    : "`" + layer.Name + "` (" + layer.Kind + ") folded into its weights and bias");
            }

            Line("- `" + node.Name + "` (" + node.Op.Name + "): " + string.Join("; ", parts));
        }

        Line();
        Line("## Kernel plans and memory");
        Line();
        Line("Live activation floats per sample while each node runs (its inputs, its output and every value still to be read), and its scratch.");
        Line();
        Line("| node | algorithm | kernels | live floats | scratch floats |");
        Line("| --- | --- | --- | ---: | ---: |");
        foreach ((LoweredNode lowered, MemoryStep step) in compilation.Lowered.Zip(memory.Timeline, (l, m) => (l, m)))
        {
            string kernels = compilation.Groups.Any(g => g.Unbuilt.Contains(lowered.Node)) ? "(never built: its readers read its inputs where they are)"
                : lowered.Plan.Calls.IsEmpty ? (lowered.Plan.OutputAliasesInput ? "(a view: nothing to compute)" : "(inputs written in place: nothing to compute)") : string.Join(", ", lowered.Plan.Calls.Select(c => c.Kernel + (c.Range is { Parallel: true } ? " (split by " + c.Range.Axis + ")" : string.Empty)));
            Line("| " + lowered.Node.Name + " | " + lowered.Plan.Algorithm + " | " + kernels + " | " + Number(step.LiveFloats) + " | " + Number(step.ScratchFloats) + " |");
        }

        Line();
        Line("The arena places these in " + Number(memory.ActivationFloats) + " floats per sample (buffers reused once dead) plus "
            + Number(memory.ScratchFloats + memory.ThreadScratchFloats) + " floats of scratch.");
        foreach (SlicedGroup group in compilation.Groups)
        {
            GroupSection(Line, graph, memory, group);
        }

        return md.ToString();
    }

    /// <summary>A group that runs band by band: its rows per step, and each band's rows and bytes (a formula in the width
    /// alone when the height is open: the group's memory no longer grows with the height).</summary>
    private static void GroupSection(Action<string> line, Graph graph, MemoryPlan memory, SlicedGroup group)
    {
        Shape input = graph.Input.Shape;
        Node last = group.Members[group.Members.Count - 1].Node;
        IReadOnlyList<int> capacities = group.PlannedCapacities(input);
        Dim floats = memory.GroupFloats.TryGetValue(group, out Dim? planned) ? planned : Dim.Zero;
        line(string.Empty);
        line("## Group `" + group.Name + "`, band by band");
        line(string.Empty);
        line("`" + group.Nodes[0].Name + "` to `" + last.Name + "` (" + group.Nodes.Count + " nodes) run band by band: each step computes the next "
            + group.Rows + " rows of `" + last.Name + "`'s output (the generated `SliceRows`), every node only the rows its readers need, each "
            + "output but the last in a band of the rows still read. The bands take " + Number(floats * 4) + " bytes"
            + (input.H.IsConstant ? "." : ", whatever the input height: the group's memory grows with the width alone (at a width of 1280: "
                + Number((floats * 4).Evaluate(720, 1280)) + " bytes)."));
        if (group.Unbuilt.Count > 0)
        {
            line(string.Empty);
            line("Never built (read only by 1×1 convolutions, which read each part where it is): "
                + string.Join(", ", group.Unbuilt.Select(n => "`" + n.Name + "`")) + ".");
        }

        line(string.Empty);
        line("| node | output | rows per step | band rows | band bytes |");
        line("| --- | --- | ---: | ---: | ---: |");
        for (int m = 0; m < group.Members.Count; m++)
        {
            Node node = group.Members[m].Node;
            Shape shape = node.Output.Shape;
            bool isLast = m == group.Members.Count - 1;
            long height = shape.H.Evaluate(720, 1280), lastHeight = last.Output.Shape.H.Evaluate(720, 1280);
            long quantum = group.Quanta[m], scaled = ((group.Rows * height) + lastHeight - 1) / System.Math.Max(1, lastHeight);
            string rows = Number(System.Math.Max(quantum, (scaled + quantum - 1) / quantum * quantum));
            line("| " + node.Name + " | " + shape + " | " + rows + " | " + (isLast ? "(the group's output)" : Number(capacities[m])) + " | "
                + (isLast ? string.Empty : Number(shape.C * capacities[m] * shape.W * 4)) + " |");
        }
    }

    /// <summary>What pruning removed: the channel groups, and the declared network's costs beside the pruned one's.</summary>
    private sealed record PruningSummary(IReadOnlyList<ChannelGroup> Groups, IReadOnlyList<ReportRow> Before, Dim MacsBefore, long BytesBefore);

    /// <summary>Null when the model was not pruned (in width or depth). The declared network is compiled again without
    /// pruning, for the costs before.</summary>
    private static PruningSummary? Pruning(ModelCompilation compilation)
    {
        if (!compilation.Passes.Any(p => p.Pass is "prune" or "remove-blocks" && p.Changed))
        {
            return null;
        }

        IReadOnlyList<ChannelGroup> groups = compilation.ChannelGroups;
        ModelCompilation full = compilation.Unpruned();
        if (full.Graph is null || full.Layout is null)
        {
            return null;
        }

        IReadOnlyList<ReportRow> before = Rows(full.Graph, full.Layout);
        return new PruningSummary(groups, before, Dim.Sum(before.Select(r => r.Macs)), before.Sum(r => r.WeightBytes));
    }

    /// <summary>"conv1 8/16, conv2 8/16 channels kept (l1); blocks removed: add2": what pruning did, in one phrase.</summary>
    private static string PruningText(ModelCompilation compilation, PruningSummary pruning)
    {
        var parts = new List<string>();
        if (pruning.Groups.Count > 0)
        {
            parts.Add(string.Join(", ", pruning.Groups.Select(g => g.Id + " " + g.Keep + "/" + g.Size)) + " channels kept (" + pruning.Groups[0].Criterion + ")");
        }

        if (!compilation.Spec.RemovedBlocks.IsEmpty)
        {
            parts.Add("blocks removed: " + string.Join(", ", compilation.Spec.RemovedBlocks));
        }

        return string.Join("; ", parts);
    }

    /// <summary>The pruning section: what was pruned, and each declared layer's output, MACs and weight bytes before and
    /// after (a removed layer's after columns say so).</summary>
    private static void PruningSection(Action<string> line, ModelCompilation compilation, IReadOnlyList<ReportRow> rows, PruningSummary pruning)
    {
        line(string.Empty);
        line("## Pruning");
        line(string.Empty);
        line("Pruned: " + PruningText(compilation, pruning) + ". A channel group (channels pruned together) is named after its first producing "
            + "layer; kept channels are ranked most important first.");
        line(string.Empty);
        line("| layer | output declared | output pruned | MACs declared | MACs pruned | weight bytes declared | weight bytes pruned |");
        line("| --- | --- | --- | ---: | ---: | ---: | ---: |");
        var after = rows.ToDictionary(r => r.Layer.Split('+')[0], StringComparer.Ordinal);
        foreach (ReportRow before in pruning.Before)
        {
            string cells = after.TryGetValue(before.Layer.Split('+')[0], out ReportRow? now)
                ? now.Output + " | " + Number(before.Macs) + " | " + Number(now.Macs) + " | " + Number(before.WeightBytes) + " | " + Number(now.WeightBytes)
                : "(removed) | " + Number(before.Macs) + " | 0 | " + Number(before.WeightBytes) + " | 0";
            line("| " + before.Layer + " | " + before.Output + " | " + cells + " |");
        }

        line("| **total** | | | **" + Number(pruning.MacsBefore) + "** | **" + Number(Dim.Sum(rows.Select(r => r.Macs))) + "** | **"
            + Number(pruning.BytesBefore) + "** | **" + Number(rows.Sum(r => r.WeightBytes)) + "** |");
        var curves = compilation.Options.Plan.Layers.Where(l => l.Sensitivity is not null).ToList();
        if (curves.Count > 0)
        {
            line(string.Empty);
            line("The ratios come from `" + compilation.Options.Plan.File + "`, chosen by sensitivity (`dotnet build -t:ModelCompilerCalibrate`): the model's "
                + "relative output error on calibration inputs with each group pruned alone at each ratio.");
            line(string.Empty);
            line("| group | ratio chosen | error by ratio pruned alone |");
            line("| --- | ---: | --- |");
            foreach (LayerPlan curve in curves)
            {
                line("| " + curve.Layer + " | " + (curve.Prune?.ToString("0.####", CultureInfo.InvariantCulture) ?? "-") + " | "
                    + string.Join(", ", curve.Sensitivity!.Split(',').Select(p => p.Replace(":", " → "))) + " |");
            }
        }
    }

    private static (Graph Graph, WeightLayout Layout, MemoryPlan Memory) Compiled(ModelCompilation compilation) =>
        compilation.Graph is { } graph && compilation.Layout is { } layout && compilation.Memory is { } memory
            ? (graph, layout, memory)
            : throw new ArgumentException("model '" + compilation.Spec.FullName + "' did not compile; there is nothing to report", nameof(compilation));

    private static string Number(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>A constant with thousands separators, a formula as it is.</summary>
    private static string Number(Dim value) => value.IsConstant ? Number(value.Value) : value.ToString();
}
