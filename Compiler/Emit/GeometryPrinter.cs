using System.Linq;
using ModelCompiler.IR;

namespace ModelCompiler.Emit;

/// <summary>Prints, for a model with an open input height or width, the <c>Geometry</c> class: every size that
/// depends on the input size (the memory plan's offsets and totals, the kernels' size arguments), computed once
/// per size in checked 64-bit arithmetic and cached per thread. A size the model cannot run at (a layer's output
/// would be empty, or the arena would outgrow an array) is an ArgumentException that says which.</summary>
internal sealed class GeometryPrinter(CodeWriter w, EmittedModel model)
{
    public void Print()
    {
        Graph graph = model.Graph;
        var memory = model.Memory;
        w.Line();
        w.Line("/// <summary>The sizes of one input height and width: the memory plan's offsets and totals and the kernels'");
        w.Line("/// size arguments, computed once per size (checked) and cached per thread.</summary>");
        w.Open("internal sealed class Geometry");
        w.Line("[global::System.ThreadStatic]");
        w.Line("private static Geometry? t_last;");
        w.Line();
        w.Open("private Geometry(int height, int width)");
        w.Open("if (height < 1)");
        w.Line("throw new global::System.ArgumentOutOfRangeException(nameof(height), height, \"The input height must be at least 1.\");");
        w.Close();
        w.Line();
        w.Open("if (width < 1)");
        w.Line("throw new global::System.ArgumentOutOfRangeException(nameof(width), width, \"The input width must be at least 1.\");");
        w.Close();
        w.Line();
        w.Line("Height = height;");
        w.Line("Width = width;");
        foreach (Node node in graph.Nodes)
        {
            Shape shape = node.Output.Shape;
            for (int d = 1; d < shape.Rank; d++)
            {
                if (!shape[d].IsConstant)
                {
                    w.Line("Require(" + Formula(shape[d]) + ", " + CodeWriter.String("output " + (d == 1 ? "height" : "width") + " of layer '" + node.Name + "'") + ", height, width);");
                }
            }
        }

        w.Line("long activation = " + Formula(memory.ActivationFloats) + ";");
        w.Line("long scratch = " + Formula(model.Groups.Count == 0 ? memory.ScratchFloats : memory.NodeScratchFloats) + ";");
        w.Line("long tile = " + Formula(memory.ThreadScratchFloats) + ";");
        w.Open("if (checked(activation + scratch) > int.MaxValue)");
        w.Line("throw new global::System.ArgumentException(global::System.FormattableString.Invariant(");
        w.Line("    $\"An input of {height}x{width} needs {activation + scratch} floats of memory per sample, more than one array holds; run smaller tiles.\"));");
        w.Close();
        w.Line();
        w.Line("ActivationFloats = (int)activation;");
        w.Line((model.Groups.Count == 0 ? "ScratchFloats" : "NodeScratchFloats") + " = (int)scratch;");
        w.Line("ThreadScratchFloats = tile;");
        w.Line("ChunkSize = (int)global::System.Math.Max(1, global::System.Math.Min(" + CodeWriter.Int(ModelEmitter.MaxChunk) + ", "
            + CodeWriter.Int(model.Device.ChunkBytes) + " / (4 * global::System.Math.Max(1, activation))));");
        w.Line("InputSize = " + Int(graph.Input.Shape.Size) + ";");
        w.Line("OutputSize = " + Int(graph.Output.Shape.Size) + ";");
        w.Line("InputOffset = " + Int(memory.Values[graph.Input].Offset) + ";");
        w.Line("OutputOffset = " + Int(memory.Values[graph.Output].Offset) + ";");
        w.Line("MacsPerSample = " + Formula(model.Macs) + ";");
        for (int k = 0; k < model.Sizes.Sizes.Count; k++)
        {
            (Dim size, _, bool wide) = model.Sizes.Sizes[k];
            w.Line("D" + CodeWriter.Int(k) + " = " + (wide ? Formula(size) : Int(size)) + ";");
        }

        w.Close();
        w.Line();
        w.Line("public int Height { get; }");
        w.Line();
        w.Line("public int Width { get; }");
        w.Line();
        w.Line("/// <summary>Floats of activation arena per sample of a chunk: " + ModelEmitter.Xml(memory.ActivationFloats.ToString()) + ".</summary>");
        w.Line("public int ActivationFloats { get; }");
        w.Line();
        if (model.Groups.Count == 0)
        {
            w.Line("/// <summary>Floats of scratch after a chunk's activations: " + ModelEmitter.Xml(memory.ScratchFloats.ToString()) + ".</summary>");
            w.Line("public int ScratchFloats { get; }");
        }
        else
        {
            w.Line("/// <summary>Floats of the nodes' scratch after a chunk's activations: " + ModelEmitter.Xml(memory.NodeScratchFloats.ToString()) + ".</summary>");
            w.Line("public int NodeScratchFloats { get; }");
            w.Line();
            w.Line("/// <summary>Floats of scratch after a chunk's activations: the nodes' or a group's bands at this size and its rows per step,");
            w.Line("/// whichever is larger (at the declared rows: " + ModelEmitter.Xml(memory.ScratchFloats.ToString()) + ").</summary>");
            w.Line("public int ScratchFloats => " + new ImplementationPrinter(w, model).GroupScratch("NodeScratchFloats", "this") + ";");
        }
        w.Line();
        w.Line("/// <summary>Floats of each computing thread's own tile buffer: " + ModelEmitter.Xml(memory.ThreadScratchFloats.ToString()) + ".</summary>");
        w.Line("public long ThreadScratchFloats { get; }");
        w.Line();
        w.Line("/// <summary>The most samples a thread computes together at this size.</summary>");
        w.Line("public int ChunkSize { get; }");
        w.Line();
        w.Line("public int InputSize { get; }");
        w.Line();
        w.Line("public int OutputSize { get; }");
        w.Line();
        w.Line("public int InputOffset { get; }");
        w.Line();
        w.Line("public int OutputOffset { get; }");
        w.Line();
        w.Line("public long MacsPerSample { get; }");
        for (int k = 0; k < model.Sizes.Sizes.Count; k++)
        {
            (Dim size, string what, bool wide) = model.Sizes.Sizes[k];
            w.Line();
            w.Line("/// <summary>" + ModelEmitter.Xml(what) + ": " + ModelEmitter.Xml(size.ToString()) + ".</summary>");
            w.Line("public " + (wide ? "long" : "int") + " D" + CodeWriter.Int(k) + " { get; }");
        }

        w.Line();
        w.Line("/// <summary>The geometry of this size: this thread's last one, or a new one.</summary>");
        w.Open("public static Geometry For(int height, int width)");
        w.Line("Geometry? g = t_last;");
        w.Open("if (g is null || g.Height != height || g.Width != width)");
        w.Line("g = new Geometry(height, width);");
        w.Line("t_last = g;");
        w.Close();
        w.Line();
        w.Line("return g;");
        w.Close();
        w.Line();
        w.Line("/// <summary>Bytes a thread's arena holds for <paramref name=\"batch\"/> samples of this size.</summary>");
        w.Line("public long MemoryBytes(int batch) => 4L * (((long)global::System.Math.Clamp(batch, 1, ChunkSize) * ActivationFloats) + ScratchFloats + ThreadScratchFloats);");
        w.Line();
        w.Open("private static void Require(long size, string what, int height, int width)");
        w.Open("if (size < 1)");
        w.Line("throw new global::System.ArgumentException(global::System.FormattableString.Invariant(");
        w.Line("    $\"An input of {height}x{width} is too small for this model: the {what} would be {size}.\"));");
        w.Close();
        w.Close();
        w.Close();
    }

    /// <summary>A size as an int: the arena check has shown that sizes within the arena fit, and the cast is checked for
    /// any other.</summary>
    private static string Int(Dim size) =>
        size.IsConstant ? CodeWriter.Int(size.Value)
        : size.Equals(Dim.Height) ? "height"
        : size.Equals(Dim.Width) ? "width"
        : "checked((int)(" + Expression(size) + "))";

    /// <summary>A size as a long, in checked arithmetic.</summary>
    private static string Formula(Dim size) =>
        size.IsConstant ? CodeWriter.Int(size.Value)
        : size.Equals(Dim.Height) ? "height"
        : size.Equals(Dim.Width) ? "width"
        : "checked(" + Expression(size) + ")";

    private static string Expression(Dim size) => size.ToCSharp(v => v == "H" ? "(long)height" : "(long)width", "Fd");
}
