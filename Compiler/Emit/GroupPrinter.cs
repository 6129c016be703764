using System.Collections.Generic;
using System.Linq;
using ModelCompiler.IR;
using ModelCompiler.Lowering;
using ModelCompiler.Ops;
using ModelCompiler.Spec;
using ModelCompiler.Weights;

namespace ModelCompiler.Emit;

/// <summary>Prints a sliced group (<see cref="SlicedGroup"/>) as a nested static class: its rows per step (settable),
/// this thread's <c>RowSchedule</c> for the input size and rows (planned once, kept), a <c>Run</c> that walks the
/// steps for each sample of the chunk, and one method per member that computes the member's rows of this step: it
/// moves the rows its band still needs to the band's top, then makes its plan's calls on the bands (the same kernels
/// as unsliced, given the band's rows, the zero rows above it at the image's top and the bands' channel strides). The
/// bands lie in the scratch area; the group's inputs and output are the arena's.</summary>
internal sealed class GroupPrinter(CodeWriter w, EmittedModel model, SlicedGroup group)
{
    private const string K = ModelEmitter.Kernels;

    /// <summary>Elementwise kernels, run channel by channel over the band's rows.</summary>
    public static readonly IReadOnlyCollection<string> RowKernels = new HashSet<string>(System.StringComparer.Ordinal)
    {
        "Sum", "Accumulate", "ActivateInPlace", "Activation", "Copy",
    };

    private bool Open => model.Open;

    private string Name => model.GroupNames[group];

    private int Last => group.Members.Count - 1;

    /// <summary>The range methods of split calls, printed after the members: (method, member, call).</summary>
    private readonly List<(string Method, int Member, KernelCall Call)> _ranges = [];

    public void Print()
    {
        string first = group.Members[0].Node.Name, last = group.Members[Last].Node.Name;
        w.Line("/// <summary>Group " + ModelEmitter.Xml(group.Name) + ": " + ModelEmitter.Xml(first) + " to " + ModelEmitter.Xml(last)
            + " (" + CodeWriter.Int(group.Members.Count) + " nodes), band by band: each step computes the next rows of "
            + ModelEmitter.Xml(last) + ", every member only the rows its readers need, each member's output but the last in a band");
        w.Line("/// of the rows still read.</summary>");
        w.Open("internal static class " + Name);
        foreach (LoweredNode member in group.Members)
        {
            foreach (PackedTensor t in model.Layout.Tensors.Where(t => t.Node == member.Node.Name))
            {
                string constant = model.ClassNames[member.Node] + NodePrinter.Pascal(t.Role);
                w.Line("private const " + CodeWriter.OffsetType(t.Offset) + " " + constant + " = " + CodeWriter.Int(t.Offset) + ";");
                w.Line("private const int " + constant + "Count = " + CodeWriter.Int(t.Bytes / 4) + ";");
            }
        }

        w.Line();
        w.Line("[global::System.ThreadStatic]");
        w.Line("private static global::ModelCompiler.Generated.RowSchedule? t_schedule;");
        w.Line("private static int s_rows = " + CodeWriter.Int(group.Rows) + ";");
        w.Line();
        w.Line("/// <summary>Rows of " + ModelEmitter.Xml(last) + "'s output per step.</summary>");
        w.Line("internal static int Rows");
        w.Line("{");
        w.Line("    get => global::System.Threading.Volatile.Read(ref s_rows);");
        w.Line("    set => global::System.Threading.Volatile.Write(ref s_rows, value);");
        w.Line("}");
        w.Line();
        PrintSchedule();
        PrintRun();
        for (int m = 0; m < group.Members.Count; m++)
        {
            PrintMember(m);
        }

        foreach ((string method, int member, KernelCall call) in _ranges)
        {
            PrintRangeMethod(method, member, call);
        }

        w.Close();
    }

    /// <summary>Schedule(): this thread's schedule, planned again when the size or the rows changed.</summary>
    private void PrintSchedule()
    {
        string geometry = Open ? "Geometry g" : string.Empty;
        w.Line("/// <summary>This thread's schedule and band layout for the input size and <see cref=\"Rows\"/> (planned again when either changes).</summary>");
        w.Open("internal static global::ModelCompiler.Generated.RowSchedule Schedule(" + geometry + ")");
        w.Line("global::ModelCompiler.Generated.RowSchedule? schedule = t_schedule;");
        w.Line("int rows = Rows;");
        string height = Size(group.Output.Shape.H, "height of " + group.Output.Name);
        string width = Size(group.Output.Shape.W, "width of " + group.Output.Name);
        w.Open("if (schedule is null || schedule.RequestedRows != rows" + (Open ? " || schedule.Height != " + height + " || schedule.Width != " + width : string.Empty) + ")");
        w.Line("schedule = global::ModelCompiler.Generated.RowSchedule.Plan(");
        w.Line("    heights: [" + string.Join(", ", group.Members.Select(m => Size(m.Node.Output.Shape.H, "height of " + m.Node.Output.Name))) + "],");
        w.Line("    widths: [" + string.Join(", ", group.Members.Select(m => Size(m.Node.Output.Shape.W, "width of " + m.Node.Output.Name))) + "],");
        w.Line("    channels: [" + string.Join(", ", group.Members.Select(m => Size(m.Node.Output.Shape.C, "channels of " + m.Node.Output.Name))) + "],");
        w.Line("    quanta: [" + string.Join(", ", group.Quanta.Select(q => CodeWriter.Int(q))) + "],");
        w.Line("    consumer: [" + string.Join(", ", group.Edges.Select(e => CodeWriter.Int(e.Consumer))) + "],");
        w.Line("    producer: [" + string.Join(", ", group.Edges.Select(e => CodeWriter.Int(e.Producer))) + "],");
        w.Line("    span: [" + string.Join(", ", group.Edges.Select(e => CodeWriter.Int(e.Span))) + "],");
        w.Line("    stride: [" + string.Join(", ", group.Edges.Select(e => CodeWriter.Int(e.Stride))) + "],");
        w.Line("    pad: [" + string.Join(", ", group.Edges.Select(e => CodeWriter.Int(e.Pad))) + "],");
        w.Line("    factor: [" + string.Join(", ", group.Edges.Select(e => CodeWriter.Int(e.Factor))) + "],");
        w.Line("    rows: rows);");
        w.Line("t_schedule = schedule;");
        w.Close();
        w.Line();
        w.Line("return schedule;");
        w.Close();
        w.Line();
    }

    private void PrintRun()
    {
        string geometry = Open ? ", Geometry g" : string.Empty;
        w.Line(ModelEmitter.Optimized);
        w.Open("public static void Run(float[] arena, " + ModelEmitter.WeightBlock + " weights, int n, " + ModelEmitter.VectorWidth + " width, bool parallel" + geometry + ")");
        w.Line("int scratch = n * " + (Open ? "g.ActivationFloats" : "ActivationFloats") + ";");
        w.Line("global::ModelCompiler.Generated.RowSchedule bands = Schedule(" + (Open ? "g" : string.Empty) + ");");
        w.Open("for (int s = 0; s < n; s++)");
        w.Line("bands.Reset();");
        w.Open("while (bands.Next())");
        string args = "(arena, weights, n, s, scratch, width, parallel, bands" + (Open ? ", g" : string.Empty) + ");";
        foreach (LoweredNode member in group.Members)
        {
            w.Line(model.ClassNames[member.Node] + args);
        }

        w.Close();
        w.Close();
        w.Close();
    }

    private void PrintMember(int m)
    {
        LoweredNode member = group.Members[m];
        Node node = member.Node;
        string name = model.ClassNames[node];
        w.Line();
        w.Line("/// <summary>" + ModelEmitter.Xml(node.Name + ": " + node.Op.Name + "(" + node.Attributes + ")"
            + (node.Epilogue.Activation is { } a ? ", then " + a : string.Empty) + "; " + member.Plan.Algorithm + ". Rows [Previous, Hi) of its output, "
            + node.Output.Shape + ".") + "</summary>");
        w.Line(ModelEmitter.Optimized);
        w.Open("private static void " + name + "(float[] arena, " + ModelEmitter.WeightBlock + " weights, int n, int s, int scratch, "
            + ModelEmitter.VectorWidth + " width, bool parallel, global::ModelCompiler.Generated.RowSchedule bands" + (Open ? ", Geometry g" : string.Empty) + ")");
        string at = CodeWriter.Int(m);
        w.Line("int rows = bands.Hi[" + at + "] - bands.Previous[" + at + "];");
        w.Open("if (rows == 0)");
        w.Line("return;");
        w.Close();
        w.Line();
        Shape output = node.Output.Shape;
        string outW = Size(output.W, "width of " + node.Output.Name);
        string outC = Size(output.C, "channels of " + node.Output.Name);
        if (m != Last)
        {
            w.Line(K + ".ShiftBand(arena, scratch + bands.Offset[" + at + "], bands, " + at + ", " + outC + ", bands.Plane[" + at + "], " + outW
                + ", parallel ? MaxThreads : 1);");
        }

        // Where this step's output rows go: the band after the rows it keeps, or the group's output in the arena.
        w.Line("int yAt = " + OutputStart(m) + ";");
        string op = node.Op.Name;
        if (op is "Conv2d" or "MaxPool2d" or "Upsample" or "PixelShuffle")
        {
            // Elementwise members address each channel's rows themselves.
            w.Line("int yLength = " + OutputLength(m) + ";");
        }

        if (op is "Conv2d" or "MaxPool2d")
        {
            PrintWindowed(m);
        }
        else if (op is "Upsample" or "PixelShuffle")
        {
            PrintUpsampling(m);
        }
        else
        {
            PrintRowwise(m);
        }

        w.Close();
    }

    /// <summary>A convolution or pooling: its input's rows from the first one its window reads for this step's first
    /// output row (zero rows above the image where that is negative), as many as the input has computed.</summary>
    private void PrintWindowed(int m)
    {
        LoweredNode member = group.Members[m];
        Node node = member.Node;
        GroupEdge edge = group.Edges.First(e => e.Consumer == m);
        string at = CodeWriter.Int(m);
        string inW = Size(node.Input.Shape.W, "width of " + node.Input.Name);
        bool parts = edge.Part >= 0;
        if (parts)
        {
            // A 1×1 convolution of a concat that was never built: each part's rows where they are.
            Node concat = node.Input.Producer!;
            var entries = new List<string>();
            foreach (GroupEdge part in group.Edges.Where(e => e.Consumer == m))
            {
                (string pBase, _, string pPlane, _, string pRow0) = Input(part);
                string name = "part" + CodeWriter.Int(part.Part);
                w.Line("int " + name + "At = " + pBase + " + ((bands.Previous[" + at + "] - " + pRow0 + ") * " + inW + ");");
                entries.Add(name + "At, " + Size(concat.Inputs[part.Part].Shape.C, "channels of " + concat.Inputs[part.Part].Name) + ", " + pPlane);
            }

            w.Line("global::System.ReadOnlySpan<int> parts = [" + string.Join(", ", entries) + "];");
        }
        else
        {
            (string xBase, string xRows, string xPlane, string xLength, string row0) = Input(edge);
            w.Line("int top = (bands.Previous[" + at + "] * " + CodeWriter.Int(edge.Stride) + ") - " + CodeWriter.Int(edge.Pad) + ";");
            w.Line("int skip = global::System.Math.Max(0, top - " + row0 + ");");
            w.Line("int padTop = global::System.Math.Max(0, " + row0 + " - top);");
            w.Line("int xAt = " + xBase + " + (skip * " + inW + ");");
            w.Line("int xLength = " + xLength + " - (skip * " + inW + ");");
            w.Line("int height = " + xRows + " - skip;");
            w.Line("int xPlane = " + xPlane + ";");
        }

        w.Line("int yPlane = " + Plane(m) + ";");
        foreach (KernelCall call in member.Plan.Calls)
        {
            if (call.Range is { Parallel: true } range)
            {
                string method = model.ClassNames[node] + "Range" + (_ranges.Count(r => r.Member == m) == 0 ? string.Empty : CodeWriter.Int(_ranges.Count(r => r.Member == m) + 1));
                _ranges.Add((method, m, call));
                string threads = "parallel && (long)rows * " + MacsPerRow(node) + " >= " + CodeWriter.Int(range.MinimumWork) + " ? MaxThreads : 1";
                w.Line("global::ModelCompiler.Generated.KernelFrame frame = global::ModelCompiler.Generated.KernelFrame.For(arena, weights, n, s, scratch, width, "
                    + (Open ? "g" : "null") + ")" + (parts ? ".WithBand(0, arena.Length, yAt, yLength, rows, 0, rows, 0, yPlane).WithParts(parts)" : ".WithBand(xAt, xLength, yAt, yLength, height, padTop, rows, xPlane, yPlane)") + ";");
                w.Line("global::ModelCompiler.Generated.WorkerPool.Run(frame, s_" + NodePrinter.Camel(method) + ", " + RangeCount(node, call, "rows") + ", " + CodeWriter.Int(range.Grain) + ", " + threads + ");");
                continue;
            }

            var args = BandArguments(node, call, local: true, parts).ToList();
            if (call.Range is { } whole)
            {
                args.Add("start: 0");
                args.Add("end: " + RangeCount(node, call, "rows"));
            }

            NodePrinter.PrintKernelCall(w, call.Kernel, args);
        }
    }

    /// <summary>A split call's body over [start, end): the band from the frame.</summary>
    private void PrintRangeMethod(string method, int m, KernelCall call)
    {
        Node node = group.Members[m].Node;
        w.Line();
        w.Line("private static readonly global::System.Action<object, int, int> s_" + NodePrinter.Camel(method) + " = " + method + ";");
        w.Line();
        w.Line(ModelEmitter.Optimized);
        w.Open("private static void " + method + "(object state, int start, int end)");
        w.Line("var frame = (global::ModelCompiler.Generated.KernelFrame)state;");
        w.Line("float[] arena = frame.Arena;");
        w.Line(ModelEmitter.WeightBlock + " weights = frame.Weights;");
        w.Line(ModelEmitter.VectorWidth + " width = frame.Width;");
        bool parts = group.Edges.Any(e => e.Consumer == m && e.Part >= 0);
        if (Open && BandArguments(node, call, local: false, parts).Any(a => a.Contains("g.")))
        {
            w.Line("var g = (Geometry)frame.Geometry!;");
        }

        NodePrinter.PrintKernelCall(w, call.Kernel, [.. BandArguments(node, call, local: false, parts), "start: start", "end: end"]);
        w.Close();
    }

    /// <summary>The call's arguments with the band's: from locals of the member's method, or from the frame.</summary>
    private IEnumerable<string> BandArguments(Node node, KernelCall call, bool local, bool parts)
    {
        string F(string name) => local ? name : "frame." + char.ToUpperInvariant(name[0]) + name.Substring(1);
        string outW = Size(node.Output.Shape.W, "width of " + node.Output.Name);
        foreach (KernelArg arg in call.Args)
        {
            switch (arg)
            {
                case InputArg input:
                    yield return input.Name + ": " + (parts ? "arena" : "Slice(arena, " + F("xAt") + ", " + F("xLength") + ")");
                    break;
                case OutputArg output:
                    yield return output.Name + ": Slice(arena, " + F("yAt") + ", " + F("yLength") + ")";
                    break;
                case WeightArg weight:
                    string constant = model.ClassNames[node] + NodePrinter.Pascal(weight.Role);
                    yield return weight.Name + ": " + (model.Layout.Find(node.Name, weight.Role) is null ? "default" : "weights.F32(" + constant + ", " + constant + "Count)");
                    break;
                case DimArg { Name: "height" }:
                    yield return "height: " + F("height");
                    break;
                case DimArg { Name: "padTop" or "padH" } pad:
                    yield return pad.Name + ": " + F("padTop");
                    break;
                case DimArg { Name: "outH" }:
                    yield return "outH: " + F("rows");
                    break;
                case DimArg { Name: "pixels" }:
                    yield return "pixels: " + F("rows") + " * " + outW;
                    break;
                default:
                    foreach (string text in NodePrinter.ValueArgument(arg, dim => Size(dim.Value, node.Name + " " + dim.Name)))
                    {
                        yield return text;
                    }

                    break;
            }
        }

        if (parts)
        {
            yield return "yPlane: " + F("yPlane");
            yield return "xParts: " + F("parts");
            yield break;
        }

        yield return "xPlane: " + F("xPlane");
        yield return "yPlane: " + F("yPlane");
    }

    /// <summary>The range's count for a band of <paramref name="rows"/> output rows: Winograd's blocks of tiles follow
    /// the rows; every other split is over output channels.</summary>
    private string RangeCount(Node node, KernelCall call, string rows)
    {
        if (call.Kernel == "WinogradConv3x3")
        {
            long blockTiles = call.Args.OfType<DimArg>().First(a => a.Name == "blockTiles").Value.Value;
            string tilesW = Size(Dim.CeilDiv(node.Output.Shape.W, Conv2dOp.WinogradTile), node.Name + " tiles per row");
            return "((((" + rows + " + " + CodeWriter.Int(Conv2dOp.WinogradTile - 1) + ") / " + CodeWriter.Int(Conv2dOp.WinogradTile) + ") * " + tilesW + ") + "
                + CodeWriter.Int(blockTiles - 1) + ") / " + CodeWriter.Int(blockTiles);
        }

        return Size(call.Range!.Count, node.Name + " " + call.Range.Axis);
    }

    /// <summary>Multiply-accumulates per output row of a convolution (what decides whether a band's call splits).</summary>
    private string MacsPerRow(Node node)
    {
        AttributeSet a = node.Attributes;
        int[] k = a.Ints(Conv2dOp.KernelSize);
        long perPixel = (long)a.Int(Conv2dOp.OutChannels) * (a.Int(Conv2dOp.InChannels) / a.Int(Conv2dOp.Groups)) * k[0] * k[1];
        return Size(node.Output.Shape.W * perPixel, node.Name + " multiply-accumulates per output row", wide: true);
    }

    /// <summary>Nearest upsampling or pixel shuffle: the input rows from the one this step's first output row reads.</summary>
    private void PrintUpsampling(int m)
    {
        Node node = group.Members[m].Node;
        GroupEdge edge = group.Edges.First(e => e.Consumer == m);
        string at = CodeWriter.Int(m);
        (string xBase, string xRows, string xPlane, string xLength, string row0) = Input(edge);
        string inW = Size(node.Input.Shape.W, "width of " + node.Input.Name);
        w.Line("int skip = (bands.Previous[" + at + "] / " + CodeWriter.Int(edge.Factor) + ") - " + row0 + ";");
        string kernel = node.Op.Name == "Upsample" ? "UpsampleNearest" : "PixelShuffle";
        NodePrinter.PrintKernelCall(w, kernel,
        [
            "x: Slice(arena, " + xBase + " + (skip * " + inW + "), " + xLength + " - (skip * " + inW + "))",
            "y: Slice(arena, yAt, yLength)",
            "channels: " + Size(node.Output.Shape.C, "channels of " + node.Output.Name),
            "height: " + xRows + " - skip",
            "width: " + inW,
            "factor: " + CodeWriter.Int(edge.Factor),
            "xPlane: " + xPlane,
            "yPlane: " + Plane(m),
            "firstRow: bands.Previous[" + at + "]",
            "outRows: rows",
        ]);
    }

    /// <summary>An elementwise node or a concat: channel by channel, this step's rows of each input onto the same rows
    /// of the output (a concat's input i onto its channels).</summary>
    private void PrintRowwise(int m)
    {
        LoweredNode member = group.Members[m];
        Node node = member.Node;
        string at = CodeWriter.Int(m);
        string outW = Size(node.Output.Shape.W, "width of " + node.Output.Name);
        for (int i = 0; i < node.Inputs.Count; i++)
        {
            GroupEdge edge = group.Edges.First(e => e.Consumer == m && e.Input == i);
            (string xBase, _, string xPlane, _, string row0) = Input(edge);
            w.Line("int x" + CodeWriter.Int(i) + "At = " + xBase + " + ((bands.Previous[" + at + "] - " + row0 + ") * " + outW + ");");
            w.Line("int x" + CodeWriter.Int(i) + "Plane = " + xPlane + ";");
        }

        w.Line("int yPlane = " + Plane(m) + ";");
        string threads = "parallel ? MaxThreads : 1";
        foreach (KernelCall call in member.Plan.Calls)
        {
            if (!RowKernels.Contains(call.Kernel))
            {
                throw new System.NotSupportedException("no band printer for kernel " + call.Kernel);
            }

            // Each kernel as a PlaneOp over the channels' rows: a (and b) the inputs it reads, y its output (a concat's
            // copy writes the channels after the inputs before it).
            int[] inputs = call.Args.OfType<InputArg>().Select(a => a.Index).ToArray();
            string channels = Size(node.Output.Shape.C, "channels of " + node.Output.Name);
            string y = "yAt";
            if (call.Kernel == "Copy")
            {
                channels = Size(node.Inputs[inputs[0]].Shape.C, "channels of " + node.Inputs[inputs[0]].Name);
                Dim offset = Dim.Sum(node.Inputs.Take(inputs[0]).Select(v => v.Shape.C));
                y = offset.Equals(Dim.Zero) ? "yAt" : "yAt + (" + Size(offset, "channel offset in " + node.Output.Name) + " * yPlane)";
            }

            (string At, string Plane) a = inputs.Length > 0 ? ("x" + CodeWriter.Int(inputs[0]) + "At", "x" + CodeWriter.Int(inputs[0]) + "Plane") : ("yAt", "yPlane");
            (string At, string Plane) b = inputs.Length > 1 ? ("x" + CodeWriter.Int(inputs[1]) + "At", "x" + CodeWriter.Int(inputs[1]) + "Plane") : ("0", "0");
            Activation? activation = call.Args.OfType<ActivationArg>().FirstOrDefault()?.Activation;
            NodePrinter.PrintKernelCall(w, "Planes",
            [
                "op: global::ModelCompiler.Generated.PlaneOp." + call.Kernel,
                "arena: arena",
                "aAt: " + a.At,
                "aPlane: " + a.Plane,
                "bAt: " + b.At,
                "bPlane: " + b.Plane,
                "yAt: " + y,
                "yPlane: yPlane",
                "channels: " + channels,
                "floats: rows * " + outW,
                .. NodePrinter.ActivationArguments(activation),
                "width: width",
                "threads: " + threads,
            ]);
        }
    }

    /// <summary>Where an edge's input is: (the arena offset of its top row held, the rows it holds from there, the floats
    /// from one channel to the next, the floats from its start the call may read, the absolute row at its top).</summary>
    private (string Base, string Rows, string Plane, string Length, string Row0) Input(GroupEdge edge)
    {
        Node consumer = group.Members[edge.Consumer].Node;
        Value value = consumer.Inputs[edge.Input];
        if (edge.Producer < 0)
        {
            string h = Size(value.Shape.H, "height of " + value.Name);
            string size = Size(value.Shape.Size, "floats of " + value.Name + " per sample");
            return (ArenaStart(value), h, Size(value.Shape.H * value.Shape.W, "plane of " + value.Name), size, "0");
        }

        string p = CodeWriter.Int(edge.Producer);
        string channels = Size(value.Shape.C, "channels of " + value.Name);
        return ("scratch + bands.Offset[" + p + "]", "bands.Hi[" + p + "] - bands.Base[" + p + "]", "bands.Plane[" + p + "]",
            channels + " * bands.Plane[" + p + "]", "bands.Base[" + p + "]");
    }

    private string OutputStart(int m)
    {
        string at = CodeWriter.Int(m);
        Node node = group.Members[m].Node;
        string outW = Size(node.Output.Shape.W, "width of " + node.Output.Name);
        return m == Last
            ? ArenaStart(node.Output) + " + (bands.Previous[" + at + "] * " + outW + ")"
            : "scratch + bands.Offset[" + at + "] + ((bands.Previous[" + at + "] - bands.Base[" + at + "]) * " + outW + ")";
    }

    private string OutputLength(int m)
    {
        string at = CodeWriter.Int(m);
        Node node = group.Members[m].Node;
        string outW = Size(node.Output.Shape.W, "width of " + node.Output.Name);
        return m == Last
            ? Size(node.Output.Shape.Size, "floats of " + node.Output.Name + " per sample") + " - (bands.Previous[" + at + "] * " + outW + ")"
            : "(" + Size(node.Output.Shape.C, "channels of " + node.Output.Name) + " * bands.Plane[" + at + "]) - ((bands.Previous[" + at + "] - bands.Base[" + at + "]) * " + outW + ")";
    }

    private string Plane(int m) => "bands.Plane[" + CodeWriter.Int(m) + "]";

    /// <summary>Where sample s of a value held whole in the arena starts.</summary>
    private string ArenaStart(Value value)
    {
        ArenaSlot slot = model.Memory.Values[value];
        string offset = Size(slot.Offset, "offset of " + value.Name + " in the arena, per sample");
        string size = Size(slot.Length, "floats of " + value.Name + " per sample");
        return (offset == "0" ? string.Empty : "(n * " + offset + ") + ") + "(s * " + size + ")";
    }

    private string Size(Dim size, string what, bool wide = false) => model.Sizes.Of(size, what, wide);

}
