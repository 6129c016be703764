using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using ModelCompiler.IR;
using ModelCompiler.Lowering;
using ModelCompiler.Weights;

namespace ModelCompiler.Emit;

/// <summary>Prints one node's kernel plan as a nested static class: a summary, the node's places in the arena and
/// the weight block as constants (with an open input size, the arena places are fields of the geometry), and a
/// <c>Run</c> that makes the plan's calls in order: per-sample calls inside one loop over the chunk's samples,
/// chunk calls once. A call whose range may be split across threads becomes a static method of the class over
/// [start, end), run through the <c>WorkerPool</c> with this thread's <c>KernelFrame</c>: no allocation per call.</summary>
internal sealed class NodePrinter(CodeWriter w, EmittedModel model, LoweredNode lowered)
{
    private const string K = ModelEmitter.Kernels;

    private Node Node => lowered.Node;

    private KernelPlan Plan => lowered.Plan;

    private MemoryPlan Memory => model.Memory;

    private string Name => model.ClassNames[Node];

    /// <summary>The range methods of split calls, printed after Run: (method name, kernel, arguments, scope).</summary>
    private readonly List<(string Method, KernelCall Call, List<string> Args)> _ranges = [];

    private bool HasArenaScratch => Plan.Scratch.Any(b => !b.PerThread);

    /// <summary>Whether the node computes anything (a view computes nothing and gets no class).</summary>
    public static bool HasCode(KernelPlan plan) => !plan.Calls.IsEmpty;

    public void Print()
    {
        if (!HasCode(Plan))
        {
            return;
        }

        w.Line("/// <summary>" + ModelEmitter.Xml(Describe()) + "</summary>");
        w.Open("private static class " + Name);
        if (!model.Open)
        {
            PrintConstants();
        }
        else
        {
            PrintWeightConstants();
        }

        w.Line(ModelEmitter.Optimized);
        w.Open("public static void Run(float[] arena, " + ModelEmitter.WeightBlock + " weights, int n, " + ModelEmitter.VectorWidth + " width, bool parallel" + (model.Open ? ", Geometry g" : string.Empty) + ")");
        if (HasArenaScratch)
        {
            w.Line("int scratch = n * " + (model.Open ? "g.ActivationFloats" : "ActivationFloats") + ";");
        }

        var calls = Plan.Calls.ToList();
        for (int i = 0; i < calls.Count;)
        {
            if (calls[i].Scope == CallScope.Chunk)
            {
                PrintCall(calls[i++]);
                continue;
            }

            w.Open("for (int s = 0; s < n; s++)");
            while (i < calls.Count && calls[i].Scope == CallScope.Sample)
            {
                PrintCall(calls[i++]);
            }

            w.Close();
        }

        w.Close();
        foreach ((string method, KernelCall call, List<string> args) in _ranges)
        {
            PrintRangeMethod(method, call, args);
        }

        w.Close();
    }

    /// <summary>A split call's body: unpacks the frame into the names the arguments use, then calls the kernel over
    /// [start, end).</summary>
    private void PrintRangeMethod(string method, KernelCall call, List<string> args)
    {
        w.Line();
        w.Line("private static readonly global::System.Action<object, int, int> s_" + Camel(method) + " = " + method + ";");
        w.Line();
        w.Line(ModelEmitter.Optimized);
        w.Open("private static void " + method + "(object state, int start, int end)");
        w.Line("var frame = (global::ModelCompiler.Generated.KernelFrame)state;");
        string all = string.Join(" ", args);
        if (all.Contains("arena"))
        {
            w.Line("float[] arena = frame.Arena;");
        }

        if (all.Contains("weights"))
        {
            w.Line(ModelEmitter.WeightBlock + " weights = frame.Weights;");
        }

        if (all.Contains("(n * ") || all.Contains(": n"))
        {
            w.Line("int n = frame.Count;");
        }

        if (call.Scope == CallScope.Sample)
        {
            w.Line("int s = frame.Sample;");
        }

        if (all.Contains("scratch"))
        {
            w.Line("int scratch = frame.Scratch;");
        }

        if (model.Open && all.Contains("g."))
        {
            w.Line("var g = (Geometry)frame.Geometry!;");
        }

        if (args.Any(a => a.EndsWith(": width", System.StringComparison.Ordinal)))
        {
            w.Line(ModelEmitter.VectorWidth + " width = frame.Width;");
        }

        PrintKernelCall(w, call.Kernel, [.. args, "start: start", "end: end"]);
        w.Close();
    }

    internal static string Camel(string name) => char.ToLowerInvariant(name[0]) + name.Substring(1);

    private string Describe()
    {
        string layers = string.Join("+", new[] { Node.Name }.Concat(Node.FusedLayers));
        string folded = string.Join(string.Empty, Node.Fused.Where(f => !(Ops.OpRegistry.Find(f.Kind)?.IsActivation ?? false)).Select(f => ", " + f.Kind + " " + f.Name + " folded in"));
        string activation = Node.Epilogue.Activation is { } a ? ", then " + a : string.Empty;
        string inputs = string.Join(", ", Node.Inputs.Select(v => v.Name + " " + v.Shape));
        return layers + ": " + Node.Op.Name + "(" + Node.Attributes + ")" + folded + activation + "; " + Plan.Algorithm + ". "
            + inputs + " -> " + Node.Output.Shape + ".";
    }

    private void PrintConstants()
    {
        for (int i = 0; i < Node.Inputs.Count; i++)
        {
            PrintSlot(InputName(i), Memory.Values[Node.Inputs[i]]);
        }

        PrintSlot("Output", Memory.Values[Node.Output]);
        foreach (ScratchBuffer buffer in Plan.Scratch.Where(b => !b.PerThread))
        {
            ArenaSlot slot = Memory.Scratch[(Node, buffer.Name)];
            w.Line("private const int " + Pascal(buffer.Name) + " = " + CodeWriter.Int(slot.Offset.Value) + ";");
            w.Line("private const int " + Pascal(buffer.Name) + "Size = " + CodeWriter.Int(slot.Length.Value) + ";");
        }

        PrintWeightConstants();
    }

    /// <summary>A value's place in the arena: its offset (times the chunk size) and floats per sample; for a value placed
    /// in a concat's samples, also the floats from one sample to the next and where it starts within a sample.</summary>
    private void PrintSlot(string name, ArenaSlot slot)
    {
        w.Line("private const int " + name + " = " + CodeWriter.Int(slot.Offset.Value) + ";");
        w.Line("private const int " + name + "Size = " + CodeWriter.Int(slot.Length.Value) + ";");
        if (slot.IsPlaced)
        {
            w.Line("private const int " + name + "Stride = " + CodeWriter.Int(slot.Stride.Value) + ";");
            w.Line("private const int " + name + "At = " + CodeWriter.Int(slot.Inner.Value) + ";");
        }
    }

    private void PrintWeightConstants()
    {
        foreach (PackedTensor t in model.Layout.Tensors.Where(t => t.Node == Node.Name))
        {
            w.Line("private const " + CodeWriter.OffsetType(t.Offset) + " " + Pascal(t.Role) + " = " + CodeWriter.Int(t.Offset) + ";");
            // Floats as stored: a packed layout's padding included.
            w.Line("private const int " + Pascal(t.Role) + "Count = " + CodeWriter.Int(t.Bytes / 4) + ";");
        }

        w.Line();
    }

    private void PrintCall(KernelCall call)
    {
        var args = call.Args.SelectMany(a => Arguments(a, call.Scope)).ToList();
        if (call.Range is { } range)
        {
            string count = Size(range.Count, Node.Name + " " + range.Axis);
            if (range.Parallel)
            {
                string method = call.Kernel + (_ranges.Count == 0 ? string.Empty : CodeWriter.Int(_ranges.Count + 1));
                _ranges.Add((method, call, args));
                string threads = range.Work.IsConstant
                    ? "parallel ? MaxThreads : 1"
                    : "parallel && " + model.Sizes.Of(range.Work, Node.Name + " multiply-accumulates per sample", wide: true) + " >= " + CodeWriter.Int(range.MinimumWork) + " ? MaxThreads : 1";
                string frame = "global::ModelCompiler.Generated.KernelFrame.For(arena, weights, n, "
                    + (call.Scope == CallScope.Sample ? "s" : "0") + ", " + (HasArenaScratch ? "scratch" : "0") + ", width, " + (model.Open ? "g" : "null") + ")";
                w.Line("global::ModelCompiler.Generated.WorkerPool.Run(" + frame + ", s_" + Camel(method) + ", " + count + ", " + CodeWriter.Int(range.Grain) + ", " + threads + ");");
                return;
            }

            args.Add("start: 0");
            args.Add("end: " + count);
        }

        PrintKernelCall(w, call.Kernel, args);
    }

    /// <summary>A call of a run-time kernel, one named argument per line.</summary>
    internal static void PrintKernelCall(CodeWriter w, string kernel, IReadOnlyList<string> args)
    {
        w.Line(K + "." + kernel + "(");
        for (int i = 0; i < args.Count; i++)
        {
            w.Line("    " + args[i] + (i == args.Count - 1 ? ");" : ","));
        }
    }

    private IEnumerable<string> Arguments(KernelArg arg, CallScope scope)
    {
        switch (arg)
        {
            case InputArg input:
                yield return input.Name + ": " + Tensor(InputName(input.Index), Node.Inputs[input.Index], scope, null, null);
                break;
            case OutputArg output:
                yield return output.Name + ": " + Tensor("Output", Node.Output, scope, output.Offset, output.Length);
                break;
            case WeightArg weight:
                yield return weight.Name + ": " + (model.Layout.Find(Node.Name, weight.Role) is null
                    ? "default"
                    : "weights.F32(" + Pascal(weight.Role) + ", " + Pascal(weight.Role) + "Count)");
                break;
            case ScratchArg scratch:
            {
                ArenaSlot slot = Memory.Scratch[(Node, scratch.Buffer)];
                string offset = model.Open ? Size(slot.Offset, Node.Name + " " + scratch.Buffer + " offset in the scratch area") : Pascal(scratch.Buffer);
                string size = model.Open ? Size(slot.Length, Node.Name + " " + scratch.Buffer + " floats") : Pascal(scratch.Buffer) + "Size";
                yield return scratch.Name + ": Slice(arena, " + (offset == "0" ? "scratch" : "scratch + " + offset) + ", " + size + ")";
                break;
            }

            case BatchArg batch:
                yield return batch.Name + ": n";
                break;
            default:
                foreach (string text in ValueArgument(arg, dim => Size(dim.Value, Node.Name + " " + dim.Name)))
                {
                    yield return text;
                }

                break;
        }
    }

    /// <summary>An argument that is a value of the plan (a size, a number, a flag, the activation, the vector width), as
    /// every printer prints it; <paramref name="size"/> spells a size.</summary>
    internal static IEnumerable<string> ValueArgument(KernelArg arg, System.Func<DimArg, string> size)
    {
        switch (arg)
        {
            case DimArg dim:
                yield return dim.Name + ": " + size(dim);
                break;
            case FloatArg f:
                yield return f.Name + ": " + CodeWriter.Float(f.Value);
                break;
            case BoolArg b:
                yield return b.Name + ": " + (b.Value ? "true" : "false");
                break;
            case ActivationArg activation:
                foreach (string text in ActivationArguments(activation.Activation))
                {
                    yield return text;
                }

                break;
            case VectorWidthArg vectors:
                yield return vectors.Name + ": width";
                break;
            default:
                throw new System.NotSupportedException("no printer for kernel argument " + arg.GetType().Name);
        }
    }

    /// <summary>The <c>activation</c> and <c>alpha</c> arguments of an epilogue's activation (none: ActivationKind.None).</summary>
    internal static IEnumerable<string> ActivationArguments(Activation? activation) =>
    [
        "activation: global::ModelCompiler.Generated.ActivationKind." + (activation?.Kind ?? "None"),
        "alpha: " + CodeWriter.Float(activation?.Alpha ?? 0f),
    ];

    /// <summary>A value's region: one sample's (sample scope) or the whole chunk's; a slice of each sample's output.</summary>
    private string Tensor(string name, Value value, CallScope scope, Dim? sliceOffset, Dim? sliceLength)
    {
        ArenaSlot slot = Memory.Values[value];
        string offset = model.Open ? Size(slot.Offset, "offset of " + value.Name + " in the arena, per sample") : name;
        string size = model.Open ? Size(slot.Length, "floats of " + value.Name + " per sample") : name + "Size";
        if (scope == CallScope.Chunk)
        {
            if (sliceOffset is not null || slot.IsPlaced)
            {
                throw new System.NotSupportedException("a chunk-scope call cannot read or write a slice of each sample");
            }

            return "Slice(arena, " + Sum(Times("n", offset)) + ", n * " + size + ")";
        }

        string stride = !slot.IsPlaced ? size : model.Open ? Size(slot.Stride, "floats from one sample of " + value.Name + " to the next") : name + "Stride";
        string? inner = !slot.IsPlaced ? null : model.Open ? Size(slot.Inner, "offset of " + value.Name + " in each sample of its concat") : name + "At";
        string? slice = sliceOffset is null || sliceOffset.Equals(Dim.Zero) ? null : Size(sliceOffset, "offset of a slice of " + value.Name);
        return "Slice(arena, " + Sum(Times("n", offset), Times("s", stride), inner == "0" ? null : inner, slice) + ", "
            + (sliceLength is null ? size : Size(sliceLength, "floats of a slice of " + value.Name)) + ")";
    }

    /// <summary>"(n * Output)", or null when the factor is the literal 0.</summary>
    private static string? Times(string factor, string term) => term == "0" ? null : "(" + factor + " * " + term + ")";

    /// <summary>The terms joined by '+' (a lone term without its parentheses), "0" when there is none.</summary>
    private static string Sum(params string?[] terms)
    {
        string[] present = terms.Where(t => t is not null).Select(t => t!).ToArray();
        return present.Length switch
        {
            0 => "0",
            1 => present[0].StartsWith("(", System.StringComparison.Ordinal) ? present[0].Substring(1, present[0].Length - 2) : present[0],
            _ => string.Join(" + ", present),
        };
    }

    private string InputName(int index) => Node.Inputs.Count == 1 ? "Input" : "Input" + index.ToString(CultureInfo.InvariantCulture);

    private string Size(Dim size, string what) => model.Sizes.Of(size, what);

    /// <summary>"columns" -> "Columns", "bias" -> "Bias".</summary>
    internal static string Pascal(string name) => char.ToUpperInvariant(name[0]) + name.Substring(1);
}
