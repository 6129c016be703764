using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Text;
using ModelCompiler.IR;
using ModelCompiler.Lowering;
using ModelCompiler.Ops;
using ModelCompiler.Weights;

namespace ModelCompiler.Report;

public static partial class ModelReport
{
    /// <summary>Input size at which an open-size model's charts are drawn (its tables keep the formulas).</summary>
    private static readonly (int Height, int Width) ChartSize = ExampleSizes[0];

    private const int ChartWidth = 960, LabelWidth = 220, BarHeight = 18, Gap = 4;

    /// <summary>The HTML report of one model: one self-contained page (no network: the styles, the SVG charts and the
    /// small script that sorts the tables are all inline) with what the Markdown report says, and charts of where the
    /// multiply-adds, the weight bytes and the memory go. The layer table has empty columns for the estimated latency,
    /// the pruning ratio and the bit-width, which later compiler stages fill. Deterministic, like the Markdown.</summary>
    /// <param name="weightsPath">The weights file as declared (relative to the project directory).</param>
    /// <param name="artifactName">The file the packed weights ship in, e.g. MyApp.mcweights.</param>
    public static string Html(ModelCompilation compilation, string weightsPath, string artifactName)
    {
        (Graph graph, WeightLayout layout, MemoryPlan memory) = Compiled(compilation);
        IReadOnlyList<ReportRow> rows = Rows(graph, layout);
        bool open = graph.HasOpenSize;
        long At(Dim d) => d.IsConstant ? d.Value : d.Evaluate(ChartSize.Height, ChartSize.Width);
        string sizeNote = open ? " Charts at a " + ChartSize.Width + "×" + ChartSize.Height + " input; the tables give the formulas in H and W." : string.Empty;
        long totalMacs = rows.Sum(r => At(r.Macs));

        var h = new StringBuilder();
        void Line(string s = "") => h.Append(s).Append('\n');
        string name = Encode(compilation.Spec.FullName);

        Line("<!DOCTYPE html>");
        Line("<html lang=\"en\">");
        Line("<head>");
        Line("<meta charset=\"utf-8\">");
        Line("<title>" + name + " — ModelCompiler report</title>");
        Line("<style>");
        Line(Styles);
        Line("</style>");
        Line("</head>");
        Line("<body>");
        Line("<h1>" + name + "</h1>");
        Line("<p class=\"note\">Written by ModelCompiler from the model's declaration at build time; do not edit. Costs are per sample"
            + (open ? "; H and W are the input height and width, chosen at run time." : ".") + "</p>");
        Line("<table class=\"facts\">");
        Fact("weights file", "<code>" + Encode(weightsPath) + "</code>");
        Fact("packed into", "<code>" + Encode(artifactName) + "</code> (" + Number(layout.TotalBytes) + " bytes with alignment)");
        Fact("input", Encode(graph.Input.Shape.ToString()));
        Fact("output", Encode(graph.Output.Shape.ToString()));
        Fact("parameters", Number(rows.Sum(r => r.Parameters)));
        Fact("MACs", Encode(Number(Dim.Sum(rows.Select(r => r.Macs)))));
        Fact("weight bytes", Number(rows.Sum(r => r.WeightBytes)) + " (the tensors; the packed block adds alignment)");
        Fact("memory", Encode(MemoryText(memory)) + "; the generated <code>PeakMemoryBytes</code>");
        Line("</table>");

        Line("<h2>Where the work goes</h2>");
        Line("<p class=\"note\">Multiply-accumulates and weight bytes per layer; hover a bar for its value, click a layer in the table to mark it." + sizeNote + "</p>");
        Line("<div class=\"charts\">");
        Line(BarChart("macs", "MACs", rows.Select((r, i) => (graph.Nodes[i].Name, r.Layer, At(r.Macs))).ToList()));
        Line(BarChart("weights", "weight bytes", rows.Select((r, i) => (graph.Nodes[i].Name, r.Layer, r.WeightBytes)).ToList()));
        Line("</div>");

        Line("<h2>Memory over the layers</h2>");
        Line("<p class=\"note\">Left: bytes of live activations (inputs, output and every value still to be read) and scratch while each node runs. "
            + "Right: the arena as the memory plan lays it out, one bar per value from the node that writes it to the last that reads it (offset up, time across); "
            + "values whose lifetimes do not overlap share bytes." + sizeNote + "</p>");
        Line("<div class=\"charts\">");
        Line(StackedChart(memory.Timeline.Select(s => (s.Node.Name, 4 * At(s.LiveFloats), 4 * At(s.ScratchFloats))).ToList()));
        Line(ArenaChart(graph, memory, At));
        Line("</div>");

        Line("<h2>Layers</h2>");
        Line("<p class=\"note\">Click a column to sort. Latency, pruning and bits stay empty until the model declares pruning or quantization, or the latency model estimates it.</p>");
        Line("<table class=\"sortable layers\">");
        Line("<thead><tr><th>#</th><th>layer</th><th>op</th><th>output</th><th class=\"num\">params</th><th class=\"num\">MACs</th><th class=\"num\">% of MACs</th><th class=\"num\">weight bytes</th><th class=\"num\">latency (est.)</th><th>pruned</th><th>bits</th></tr></thead>");
        Line("<tbody>");
        for (int i = 0; i < rows.Count; i++)
        {
            ReportRow r = rows[i];
            double share = totalMacs == 0 ? 0 : 100.0 * At(r.Macs) / totalMacs;
            Line("<tr data-layer=\"" + Encode(graph.Nodes[i].Name) + "\"><td class=\"num\">" + (i + 1).ToString(CultureInfo.InvariantCulture) + "</td><td>" + Encode(r.Layer) + "</td><td>" + Encode(r.Op)
                + "</td><td>" + Encode(r.Output) + "</td>" + Cell(r.Parameters, Number(r.Parameters)) + Cell(At(r.Macs), Encode(Number(r.Macs)))
                + Cell((long)Math.Round(share * 100), share.ToString("F1", CultureInfo.InvariantCulture)) + Cell(r.WeightBytes, Number(r.WeightBytes))
                + "<td class=\"num\">—</td><td>—</td><td>fp32</td></tr>");
        }

        Line("</tbody>");
        Line("</table>");

        Line("<h2>Fused layers</h2>");
        List<Node> fused = graph.Nodes.Where(n => n.Fused.Count > 0).ToList();
        Line(fused.Count == 0 ? "<p>None: every declared layer runs on its own.</p>" : "<ul>");
        foreach (Node node in fused)
        {
            IEnumerable<string> parts = node.Fused.Select(layer => OpRegistry.Find(layer.Kind)?.IsActivation ?? false
                ? "<code>" + Encode(layer.Name) + "</code> (" + Encode(node.Epilogue.ToString()) + ") applied in its epilogue"
                : "<code>" + Encode(layer.Name) + "</code> (" + Encode(layer.Kind) + ") folded into its weights and bias");
            Line("<li><code>" + Encode(node.Name) + "</code> (" + Encode(node.Op.Name) + "): " + string.Join("; ", parts) + "</li>");
        }

        if (fused.Count > 0)
        {
            Line("</ul>");
        }

        Line("<h2>Kernel plans</h2>");
        Line("<table class=\"sortable plans\">");
        Line("<thead><tr><th>#</th><th>node</th><th>algorithm</th><th>kernels</th><th class=\"num\">live floats</th><th class=\"num\">scratch floats</th></tr></thead>");
        Line("<tbody>");
        int index = 0;
        foreach ((LoweredNode lowered, MemoryStep step) in compilation.Lowered.Zip(memory.Timeline, (l, m) => (l, m)))
        {
            string kernels = lowered.Plan.Calls.IsEmpty ? (lowered.Plan.OutputAliasesInput ? "(a view: nothing to compute)" : "(inputs written in place: nothing to compute)")
                : string.Join(", ", lowered.Plan.Calls.Select(c => c.Kernel + (c.Range is { Parallel: true } ? " (split by " + c.Range.Axis + ")" : string.Empty)));
            Line("<tr data-layer=\"" + Encode(lowered.Node.Name) + "\"><td class=\"num\">" + (++index).ToString(CultureInfo.InvariantCulture) + "</td><td>" + Encode(lowered.Node.Name)
                + "</td><td>" + Encode(lowered.Plan.Algorithm.ToString()) + "</td><td>" + Encode(kernels) + "</td>"
                + Cell(At(step.LiveFloats), Encode(Number(step.LiveFloats))) + Cell(At(step.ScratchFloats), Encode(Number(step.ScratchFloats))) + "</tr>");
        }

        Line("</tbody>");
        Line("</table>");
        Line("<p>The arena places these in " + Encode(Number(memory.ActivationFloats)) + " floats per sample (buffers reused once dead) plus "
            + Encode(Number(memory.ScratchFloats + memory.ThreadScratchFloats)) + " floats of scratch.</p>");
        Line("<script>");
        Line(Script);
        Line("</script>");
        Line("</body>");
        Line("</html>");
        return h.ToString();

        void Fact(string label, string html) => Line("<tr><th>" + label + "</th><td>" + html + "</td></tr>");
    }

    /// <summary>A numeric cell that sorts by <paramref name="key"/> and shows <paramref name="text"/> (already encoded).</summary>
    private static string Cell(long key, string text) =>
        "<td class=\"num\" data-key=\"" + key.ToString(CultureInfo.InvariantCulture) + "\">" + text + "</td>";

    /// <summary>One horizontal bar per layer, scaled to the largest value.</summary>
    private static string BarChart(string id, string unit, IReadOnlyList<(string Node, string Label, long Value)> bars)
    {
        long max = Math.Max(1, bars.Count == 0 ? 1 : bars.Max(b => b.Value));
        int height = (bars.Count * (BarHeight + Gap)) + 30;
        int plot = (ChartWidth / 2) - LabelWidth - 90;
        var s = new StringBuilder();
        s.Append("<figure><figcaption>").Append(Encode(unit)).Append(" per layer</figcaption>\n");
        s.Append("<svg class=\"chart\" data-chart=\"").Append(id).Append("\" width=\"").Append(ChartWidth / 2).Append("\" height=\"").Append(height)
            .Append("\" viewBox=\"0 0 ").Append(ChartWidth / 2).Append(' ').Append(height).Append("\" role=\"img\" aria-label=\"").Append(Encode(unit)).Append(" per layer\">\n");
        for (int i = 0; i < bars.Count; i++)
        {
            (string node, string label, long value) = bars[i];
            int y = 10 + (i * (BarHeight + Gap));
            int w = value == 0 ? 0 : Math.Max(1, (int)Math.Round((double)value / max * plot));
            s.Append("<g data-layer=\"").Append(Encode(node)).Append("\"><title>").Append(Encode(label)).Append(": ").Append(Number(value)).Append(' ').Append(Encode(unit)).Append("</title>")
                .Append("<text x=\"").Append(LabelWidth - 6).Append("\" y=\"").Append(y + 13).Append("\" class=\"label\">").Append(Encode(Shorten(label))).Append("</text>")
                .Append("<rect class=\"bar\" x=\"").Append(LabelWidth).Append("\" y=\"").Append(y).Append("\" width=\"").Append(w).Append("\" height=\"").Append(BarHeight).Append("\"/>")
                .Append("<text x=\"").Append(LabelWidth + w + 4).Append("\" y=\"").Append(y + 13).Append("\" class=\"value\">").Append(Compact(value)).Append("</text></g>\n");
        }

        s.Append("</svg></figure>");
        return s.ToString();
    }

    /// <summary>Live activation bytes and scratch bytes per node, stacked.</summary>
    private static string StackedChart(IReadOnlyList<(string Label, long Live, long Scratch)> steps)
    {
        long max = Math.Max(1, steps.Count == 0 ? 1 : steps.Max(b => b.Live + b.Scratch));
        int height = (steps.Count * (BarHeight + Gap)) + 40;
        int plot = (ChartWidth / 2) - LabelWidth - 90;
        var s = new StringBuilder();
        s.Append("<figure><figcaption>bytes while each node runs: <span class=\"key live\"></span> activations <span class=\"key scratch\"></span> scratch</figcaption>\n");
        s.Append("<svg class=\"chart\" data-chart=\"memory\" width=\"").Append(ChartWidth / 2).Append("\" height=\"").Append(height)
            .Append("\" viewBox=\"0 0 ").Append(ChartWidth / 2).Append(' ').Append(height).Append("\" role=\"img\" aria-label=\"memory while each node runs\">\n");
        for (int i = 0; i < steps.Count; i++)
        {
            (string label, long live, long scratch) = steps[i];
            int y = 10 + (i * (BarHeight + Gap));
            int wl = (int)Math.Round((double)live / max * plot), ws = (int)Math.Round((double)scratch / max * plot);
            s.Append("<g data-layer=\"").Append(Encode(label)).Append("\"><title>").Append(Encode(label)).Append(": ").Append(Number(live)).Append(" bytes of activations, ")
                .Append(Number(scratch)).Append(" bytes of scratch</title>")
                .Append("<text x=\"").Append(LabelWidth - 6).Append("\" y=\"").Append(y + 13).Append("\" class=\"label\">").Append(Encode(Shorten(label))).Append("</text>")
                .Append("<rect class=\"bar live\" x=\"").Append(LabelWidth).Append("\" y=\"").Append(y).Append("\" width=\"").Append(wl).Append("\" height=\"").Append(BarHeight).Append("\"/>")
                .Append("<rect class=\"bar scratch\" x=\"").Append(LabelWidth + wl).Append("\" y=\"").Append(y).Append("\" width=\"").Append(ws).Append("\" height=\"").Append(BarHeight).Append("\"/>")
                .Append("<text x=\"").Append(LabelWidth + wl + ws + 4).Append("\" y=\"").Append(y + 13).Append("\" class=\"value\">").Append(Compact(live + scratch)).Append("</text></g>\n");
        }

        s.Append("</svg></figure>");
        return s.ToString();
    }

    /// <summary>The activation arena of one sample: each value a rectangle from its producer to its last reader (time
    /// across, in node order) at its offset and length (up); values placed inside a concat's output sit inside it.</summary>
    private static string ArenaChart(Graph graph, MemoryPlan memory, Func<Dim, long> at)
    {
        var order = new Dictionary<Node, int>();
        for (int i = 0; i < graph.Nodes.Count; i++)
        {
            order[graph.Nodes[i]] = i;
        }

        int steps = Math.Max(1, graph.Nodes.Count);
        long total = Math.Max(1, at(memory.ActivationFloats));
        const int Height = 360, Left = 70, Top = 10;
        int plot = (ChartWidth / 2) - Left - 10;
        var s = new StringBuilder();
        s.Append("<figure><figcaption>the arena of one sample: ").Append(Number(4 * at(memory.ActivationFloats))).Append(" bytes</figcaption>\n");
        s.Append("<svg class=\"chart\" data-chart=\"arena\" width=\"").Append(ChartWidth / 2).Append("\" height=\"").Append(Height + 40)
            .Append("\" viewBox=\"0 0 ").Append(ChartWidth / 2).Append(' ').Append(Height + 40).Append("\" role=\"img\" aria-label=\"arena layout over time\">\n");
        s.Append("<rect class=\"frame\" x=\"").Append(Left).Append("\" y=\"").Append(Top).Append("\" width=\"").Append(plot).Append("\" height=\"").Append(Height).Append("\"/>\n");
        s.Append("<text x=\"").Append(Left - 6).Append("\" y=\"").Append(Top + 10).Append("\" class=\"label\">").Append(Compact(4 * total)).Append("</text>")
            .Append("<text x=\"").Append(Left - 6).Append("\" y=\"").Append(Top + Height).Append("\" class=\"label\">0</text>")
            .Append("<text x=\"").Append(Left).Append("\" y=\"").Append(Top + Height + 24).Append("\" class=\"axis\">nodes in execution order →</text>\n");
        foreach (KeyValuePair<Value, ArenaSlot> entry in memory.Values.OrderBy(e => at(e.Value.Offset)).ThenBy(e => e.Key.Name, StringComparer.Ordinal))
        {
            Value value = entry.Key;
            ArenaSlot slot = entry.Value;
            int first = value.Producer is { } producer && order.TryGetValue(producer, out int p) ? p : 0;
            int last = value == graph.Output ? steps - 1 : value.Consumers.Select(c => order.TryGetValue(c, out int q) ? q : first).DefaultIfEmpty(first).Max();
            long offset = at(slot.Offset) + at(slot.Inner), length = at(slot.Length);
            double x = Left + ((double)first / steps * plot), w = Math.Max(2.0, (double)(last - first + 1) / steps * plot);
            double y = Top + Height - ((double)(offset + length) / total * Height), hgt = Math.Max(1.0, (double)length / total * Height);
            s.Append("<g data-layer=\"").Append(Encode(value.Producer?.Name ?? value.Name)).Append("\"><title>").Append(Encode(value.Name)).Append(": ")
                .Append(Number(4 * length)).Append(" bytes at byte ").Append(Number(4 * offset)).Append(", live from node ").Append(first + 1).Append(" to ").Append(last + 1).Append("</title>")
                .Append("<rect class=\"slot").Append(slot.IsPlaced ? " placed" : string.Empty).Append("\" x=\"").Append(Fixed(x)).Append("\" y=\"").Append(Fixed(y))
                .Append("\" width=\"").Append(Fixed(w)).Append("\" height=\"").Append(Fixed(hgt)).Append("\"/></g>\n");
        }

        s.Append("</svg></figure>");
        return s.ToString();
    }

    private static string Fixed(double value) => value.ToString("F1", CultureInfo.InvariantCulture);

    private static string Encode(string text) => WebUtility.HtmlEncode(text);

    private static string Shorten(string label) => label.Length <= 30 ? label : label.Substring(0, 29) + "…";

    /// <summary>1234567 → 1.23M: the value beside a bar.</summary>
    private static string Compact(long value) =>
        value >= 1_000_000_000 ? (value / 1e9).ToString("0.##", CultureInfo.InvariantCulture) + "G"
        : value >= 1_000_000 ? (value / 1e6).ToString("0.##", CultureInfo.InvariantCulture) + "M"
        : value >= 10_000 ? (value / 1e3).ToString("0.#", CultureInfo.InvariantCulture) + "k"
        : value.ToString(CultureInfo.InvariantCulture);

    private const string Styles = """
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 24px 32px; color: #1d2330; max-width: 1200px; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 17px; margin: 28px 0 6px; border-bottom: 1px solid #dde2ea; padding-bottom: 4px; }
.note { color: #5b6474; margin: 4px 0 10px; }
table { border-collapse: collapse; margin: 6px 0; } th, td { padding: 3px 10px; border-bottom: 1px solid #eef0f4; text-align: left; vertical-align: top; }
table.facts th { color: #5b6474; font-weight: 500; } .num { text-align: right; font-variant-numeric: tabular-nums; }
table.sortable th { cursor: pointer; user-select: none; background: #f5f7fa; } table.sortable th.sorted::after { content: " ▾"; } table.sortable th.sorted.up::after { content: " ▴"; }
tr.marked td { background: #fff4d6; } g.marked .bar, g.marked .slot { fill: #e8a200; }
.charts { display: flex; flex-wrap: wrap; gap: 16px; } figure { margin: 0; } figcaption { color: #5b6474; margin-bottom: 4px; }
svg.chart text { font-size: 11px; fill: #1d2330; } svg.chart text.label { text-anchor: end; } svg.chart text.value, svg.chart text.axis { fill: #5b6474; }
.bar { fill: #4c78a8; } .bar.live { fill: #4c78a8; } .bar.scratch { fill: #f58518; } .frame { fill: none; stroke: #cfd5df; }
.slot { fill: #4c78a8; fill-opacity: 0.55; stroke: #2d4f75; stroke-width: 0.5; } .slot.placed { fill: #54a24b; }
.key { display: inline-block; width: 10px; height: 10px; margin: 0 3px 0 8px; } .key.live { background: #4c78a8; } .key.scratch { background: #f58518; }
code { font-size: 13px; background: #f5f7fa; padding: 0 3px; border-radius: 3px; }
""";

    /// <summary>Sorting by a column header; clicking a row marks the layer in every chart. Sets data-ready on the body
    /// once wired, which the browser check reads.</summary>
    private const string Script = """
(function () {
  'use strict';
  function key(cell) {
    var k = cell.getAttribute('data-key');
    return k !== null ? Number(k) : cell.textContent.trim().toLowerCase();
  }
  document.querySelectorAll('table.sortable').forEach(function (table) {
    var headers = table.querySelectorAll('thead th');
    headers.forEach(function (th, column) {
      th.addEventListener('click', function () {
        var up = th.classList.contains('sorted') && !th.classList.contains('up');
        headers.forEach(function (other) { other.classList.remove('sorted', 'up'); });
        th.classList.add('sorted');
        if (up) { th.classList.add('up'); }
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = key(a.cells[column]), y = key(b.cells[column]);
          var order = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
          return up ? order : -order;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
  });
  document.querySelectorAll('tr[data-layer]').forEach(function (row) {
    row.addEventListener('click', function () {
      var layer = row.getAttribute('data-layer');
      var wasMarked = row.classList.contains('marked');
      document.querySelectorAll('[data-layer]').forEach(function (element) {
        element.classList.toggle('marked', !wasMarked && element.getAttribute('data-layer') === layer);
      });
    });
  });
  var drawn = document.querySelectorAll('svg.chart rect.bar, svg.chart rect.slot').length;
  document.body.setAttribute('data-ready', drawn > 0 ? 'charts=' + drawn : 'no-charts');
})();
""";
}
