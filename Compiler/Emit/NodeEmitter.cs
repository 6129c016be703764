using System.Collections.Generic;
using System.Linq;
using ModelCompiler.IR;
using ModelCompiler.Spec;
using ModelCompiler.Weights;

namespace ModelCompiler.Emit;

/// <summary>Emits one node as a nested static class: a summary, its arena offsets and shapes as constants,
/// and a Run method that calls the kernels. Bias and activation run in the loop that produces each row.</summary>
internal sealed class NodeEmitter(CodeWriter w, Node node, string className, BufferPlan plan, WeightLayout layout)
{
    private const string K = "global::ModelCompiler.Generated.Kernels";
    private const string Width = "global::ModelCompiler.Generated.VectorWidth";
    private const string Span = "global::System.Span<float>";
    private const string ReadOnlySpan = "global::System.ReadOnlySpan<float>";

    /// <summary>Layer methods skip tiered compilation: the first inference runs optimized code.</summary>
    private const string Optimized = "[global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]";

    private LayerSpec S => node.Spec;

    /// <summary>Whether the node's kernels take the vector width (the rest are copies and scalar loops).</summary>
    public static bool UsesWidth(Node node) => node.Op is OpKind.Conv2d or OpKind.Linear or OpKind.BatchNorm2d or OpKind.Add
        || node.Op.IsActivation();

    public static bool IsParallel(Node node) => CostModel.Macs(node) >= ModelEmitter.ParallelNodeMacs && node.Op is OpKind.Conv2d or OpKind.Linear;

    private bool Parallel => IsParallel(node);

    public void Emit()
    {
        w.Line("/// <summary>" + ModelEmitter.Xml(Describe()) + "</summary>");
        w.Open("private static class " + className);
        EmitConstants();
        w.Line();
        string parameters = "float[] arena" + (node.Op.HasWeights() ? ", float[] weights" : string.Empty)
            + (UsesWidth(node) ? ", " + Width + " width" : string.Empty) + (Parallel ? ", bool parallel" : string.Empty);
        switch (node.Op)
        {
            case OpKind.Conv2d:
                EmitConv(parameters);
                break;
            case OpKind.Linear:
                EmitLinear(parameters);
                break;
            default:
                w.Line(Optimized);
                w.Open("public static void Run(" + parameters + ")");
                EmitBody();
                w.Close();
                break;
        }

        w.Close();
    }

    private string Describe()
    {
        string layers = string.Join(" + ", new[] { node.Name }.Concat(node.FusedLayers));
        string op = node.Op switch
        {
            OpKind.Conv2d => "Conv2d " + S.InFeatures + "->" + S.OutFeatures + ", kernel " + S.KernelH + "x" + S.KernelW
                + ", stride " + S.StrideH + "x" + S.StrideW + ", padding " + S.PaddingH + "x" + S.PaddingW
                + (S.DilationH != 1 || S.DilationW != 1 ? ", dilation " + S.DilationH + "x" + S.DilationW : string.Empty)
                + (S.Groups != 1 ? ", groups " + S.Groups : string.Empty)
                + (node.FoldedBatchNorm is null ? string.Empty : ", BatchNorm folded"),
            OpKind.Linear => "Linear " + S.InFeatures + "->" + S.OutFeatures,
            OpKind.MaxPool2d or OpKind.AvgPool2d => node.Op + " " + S.KernelH + "x" + S.KernelW + ", stride " + S.StrideH + "x" + S.StrideW + ", padding " + S.PaddingH + "x" + S.PaddingW,
            OpKind.Upsample or OpKind.PixelShuffle => node.Op + " x" + S.Factor,
            _ => node.Op.ToString(),
        };
        string activation = node.Activation.IsNone ? string.Empty : ", then " + node.Activation;
        string inputs = string.Join(", ", node.Inputs.Select(v => v.Name + " " + v.Shape));
        return layers + ": " + op + activation + ". " + inputs + " -> " + node.Output.Shape + ".";
    }

    private void EmitConstants()
    {
        for (int i = 0; i < node.Inputs.Count; i++)
        {
            string name = node.Inputs.Count == 1 ? "Input" : "Input" + i;
            w.Line("private const int " + name + " = " + CodeWriter.Int(plan.Values[node.Inputs[i]].Offset) + ";");
        }

        w.Line("private const int Output = " + CodeWriter.Int(plan.Values[node.Output].Offset) + ";");
        if (plan.Scratch.TryGetValue(node, out ArenaSlot? scratch))
        {
            w.Line("private const int Columns = " + CodeWriter.Int(scratch.Offset) + ";");
        }

        foreach (PackedTensor t in layout.Tensors.Where(t => t.Node == node.Name))
        {
            string name = char.ToUpperInvariant(t.Role[0]) + t.Role.Substring(1);
            w.Line("private const int " + name + " = " + CodeWriter.Int(t.Offset) + ";");
        }
    }

    private string Activation => node.Activation.Kind switch
    {
        null => "global::ModelCompiler.Generated.ActivationKind.None",
        OpKind k => "global::ModelCompiler.Generated.ActivationKind." + k,
    };

    private string ActivateCall(string target) => node.Activation.IsNone
        ? string.Empty
        : K + ".Activate(" + target + ", " + Activation + ", " + CodeWriter.Float(node.Activation.Alpha) + ", width);";

    private void EmitConv(string parameters)
    {
        Shape x = node.Input.Shape, o = node.Output.Shape;
        int depth = S.InFeatures / S.Groups * S.KernelH * S.KernelW;
        int outPerGroup = S.OutFeatures / S.Groups;
        bool pointwise = BufferPlan.IsPointwise(S);
        w.Line("private const int Channels = " + CodeWriter.Int(S.OutFeatures) + ";");
        w.Line("private const int Pixels = " + CodeWriter.Int(o.H * o.W) + "; // output pixels per channel");
        w.Line("private const int Depth = " + CodeWriter.Int(depth) + "; // weights per output channel: (in / groups) * kernel");
        if (S.Groups > 1)
        {
            w.Line("private const int ChannelsPerGroup = " + CodeWriter.Int(outPerGroup) + ";");
        }

        w.Line();
        w.Line(Optimized);
        w.Open("public static void Run(" + parameters + ")");
        if (!pointwise)
        {
            w.Line(K + ".Im2Col(");
            w.Line("    global::System.MemoryExtensions.AsSpan(arena, Input, " + CodeWriter.Int(x.Size) + "), global::System.MemoryExtensions.AsSpan(arena, Columns, " + CodeWriter.Int(S.InFeatures * S.KernelH * S.KernelW) + " * Pixels),");
            w.Line("    channels: " + Ints(x.C) + ", height: " + Ints(x.H) + ", width: " + Ints(x.W) + ", kernelH: " + Ints(S.KernelH) + ", kernelW: " + Ints(S.KernelW)
                + ", strideH: " + Ints(S.StrideH) + ", strideW: " + Ints(S.StrideW) + ",");
            w.Line("    padH: " + Ints(S.PaddingH) + ", padW: " + Ints(S.PaddingW) + ", dilationH: " + Ints(S.DilationH) + ", dilationW: " + Ints(S.DilationW)
                + ", outH: " + Ints(o.H) + ", outW: " + Ints(o.W) + ");");
        }

        EmitChannelLoop("channel");
        w.Close();
        w.Line();
        w.Line("/// <summary>One output channel: bias, the weighted sum of the column rows, then the activation.</summary>");
        w.Line(Optimized);
        w.Open("private static void Channel(float[] arena, float[] weights, " + Width + " width, int channel)");
        string columnsBase = pointwise ? "Input" : "Columns";
        string group = S.Groups > 1 ? " + (channel / ChannelsPerGroup * Depth * Pixels)" : string.Empty;
        w.Line(ReadOnlySpan + " columns = global::System.MemoryExtensions.AsSpan(arena, " + columnsBase + group + ", Depth * Pixels);");
        w.Line(ReadOnlySpan + " weight = global::System.MemoryExtensions.AsSpan(weights, Weight + (channel * Depth), Depth);");
        w.Line(Span + " row = global::System.MemoryExtensions.AsSpan(arena, Output + (channel * Pixels), Pixels);");
        w.Line(HasBias ? "row.Fill(weights[Bias + channel]);" : "row.Clear();");
        w.Open("for (int k = 0; k < Depth; k++)");
        w.Line(K + ".MultiplyAdd(columns.Slice(k * Pixels, Pixels), weight[k], row, width);");
        w.Close();
        if (!node.Activation.IsNone)
        {
            w.Line();
            w.Line(ActivateCall("row"));
        }

        w.Close();
    }

    private bool HasBias => layout.Find(node.Name, "bias") is not null;

    private void EmitLinear(string parameters)
    {
        w.Line("private const int In = " + CodeWriter.Int(S.InFeatures) + ";");
        w.Line("private const int Out = " + CodeWriter.Int(S.OutFeatures) + ";");
        w.Line();
        w.Line(Optimized);
        w.Open("public static void Run(" + parameters + ")");
        EmitChannelLoop("feature");
        if (!node.Activation.IsNone)
        {
            w.Line();
            w.Line(ActivateCall("global::System.MemoryExtensions.AsSpan(arena, Output, Out)"));
        }

        w.Close();
        w.Line();
        w.Line("/// <summary>One output feature: a dot product of a weight row with the input, plus the bias.</summary>");
        w.Line(Optimized);
        w.Open("private static void Feature(float[] arena, float[] weights, " + Width + " width, int feature)");
        w.Line("float sum = " + K + ".Dot(global::System.MemoryExtensions.AsSpan(weights, Weight + (feature * In), In), global::System.MemoryExtensions.AsSpan(arena, Input, In), width);");
        w.Line("arena[Output + feature] = sum" + (HasBias ? " + weights[Bias + feature]" : string.Empty) + ";");
        w.Close();
    }

    /// <summary>Loops the per-channel (or per-feature) method, across threads when the node is large.</summary>
    private void EmitChannelLoop(string kind)
    {
        string method = kind == "channel" ? "Channel" : "Feature";
        string count = kind == "channel" ? "Channels" : "Out";
        if (Parallel)
        {
            w.Open("if (parallel)");
            w.Line("global::System.Threading.Tasks.Parallel.For(0, " + count + ", " + kind + " => " + method + "(arena, weights, width, " + kind + "));");
            w.Line("return;");
            w.Close();
            w.Line();
        }

        w.Open("for (int " + kind + " = 0; " + kind + " < " + count + "; " + kind + "++)");
        w.Line(method + "(arena, weights, width, " + kind + ");");
        w.Close();
    }

    private void EmitBody()
    {
        Shape x = node.Input.Shape, o = node.Output.Shape;
        string input = In(0);
        string output = "global::System.MemoryExtensions.AsSpan(arena, Output, " + CodeWriter.Int(o.Size) + ")";
        switch (node.Op)
        {
            case OpKind.BatchNorm2d:
                w.Line("int plane = " + CodeWriter.Int(x.H * x.W) + ";");
                w.Open("for (int c = 0; c < " + CodeWriter.Int(x.C) + "; c++)");
                w.Line(Span + " row = global::System.MemoryExtensions.AsSpan(arena, Output + (c * plane), plane);");
                w.Line(K + ".ScaleShift(global::System.MemoryExtensions.AsSpan(arena, Input + (c * plane), plane), weights[Scale + c], weights[Shift + c], row, width);");
                if (!node.Activation.IsNone)
                {
                    w.Line(ActivateCall("row"));
                }

                w.Close();
                return;
            case OpKind.ReLU or OpKind.ReLU6 or OpKind.LeakyReLU or OpKind.Sigmoid or OpKind.Tanh or OpKind.GELU or OpKind.SiLU or OpKind.HardSwish:
                w.Line(Span + " y = " + output + ";");
                w.Line(input + ".CopyTo(y);");
                w.Line(K + ".Activate(y, global::ModelCompiler.Generated.ActivationKind." + node.Op + ", " + CodeWriter.Float(S.Alpha) + ", width);");
                return;
            case OpKind.MaxPool2d:
                w.Line(K + ".MaxPool2d(" + input + ", " + output + ", " + PoolArgs(x, o) + ");");
                return;
            case OpKind.AvgPool2d:
                w.Line(K + ".AvgPool2d(" + input + ", " + output + ", " + PoolArgs(x, o) + ", countIncludePad: " + (S.CountIncludePad ? "true" : "false") + ");");
                return;
            case OpKind.GlobalAvgPool2d:
                w.Line(K + ".GlobalAvgPool(" + input + ", " + output + ", channels: " + Ints(x.C) + ", planeSize: " + Ints(x.H * x.W) + ");");
                return;
            case OpKind.Flatten:
                w.Line(input + ".CopyTo(" + output + ");");
                return;
            case OpKind.Add:
                w.Line(Span + " y = " + output + ";");
                w.Line(K + ".Add(" + In(0) + ", " + In(1) + ", y, width);");
                for (int i = 2; i < node.Inputs.Count; i++)
                {
                    w.Line(K + ".Add(y, " + In(i) + ", y, width);");
                }

                if (!node.Activation.IsNone)
                {
                    w.Line(ActivateCall("y"));
                }

                return;
            case OpKind.Concat:
            {
                int offset = 0;
                for (int i = 0; i < node.Inputs.Count; i++)
                {
                    int size = node.Inputs[i].Shape.Size;
                    w.Line(In(i) + ".CopyTo(global::System.MemoryExtensions.AsSpan(arena, Output + " + CodeWriter.Int(offset) + ", " + CodeWriter.Int(size) + "));");
                    offset += size;
                }

                return;
            }

            case OpKind.Upsample:
                w.Line(K + ".UpsampleNearest(" + input + ", " + output + ", channels: " + Ints(x.C) + ", height: " + Ints(x.H) + ", width: " + Ints(x.W) + ", factor: " + Ints(S.Factor) + ");");
                return;
            case OpKind.PixelShuffle:
                w.Line(K + ".PixelShuffle(" + input + ", " + output + ", channels: " + Ints(o.C) + ", height: " + Ints(x.H) + ", width: " + Ints(x.W) + ", factor: " + Ints(S.Factor) + ");");
                return;
            case OpKind.Softmax:
                w.Line(K + ".Softmax(" + input + ", " + output + ", channels: " + Ints(x[0]) + ", inner: " + Ints(x.Rank == 3 ? x.H * x.W : 1) + ");");
                return;
            default:
                throw new System.NotSupportedException("no emitter for " + node.Op);
        }
    }

    private string In(int i)
    {
        string name = node.Inputs.Count == 1 ? "Input" : "Input" + i;
        return "global::System.MemoryExtensions.AsSpan(arena, " + name + ", " + CodeWriter.Int(node.Inputs[i].Shape.Size) + ")";
    }

    private string PoolArgs(Shape x, Shape o) =>
        "channels: " + Ints(x.C) + ", height: " + Ints(x.H) + ", width: " + Ints(x.W) + ", kernelH: " + Ints(S.KernelH) + ", kernelW: " + Ints(S.KernelW)
        + ", strideH: " + Ints(S.StrideH) + ", strideW: " + Ints(S.StrideW) + ", padH: " + Ints(S.PaddingH) + ", padW: " + Ints(S.PaddingW)
        + ", outH: " + Ints(o.H) + ", outW: " + Ints(o.W);

    private static string Ints(int v) => CodeWriter.Int(v);
}
