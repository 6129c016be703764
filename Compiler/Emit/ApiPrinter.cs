using System.Linq;
using ModelCompiler.IR;
using ModelCompiler.Lowering;

namespace ModelCompiler.Emit;

/// <summary>Prints the public surface on the user's class: shape and cost constants, the memory the model needs
/// (the memory plan's figures, exactly what the code allocates), and <c>Run</c>. A model with an open input
/// height or width takes them as <c>Run</c> arguments and gets methods in their place of the size constants.</summary>
internal sealed class ApiPrinter(CodeWriter w, EmittedModel model)
{
    private const string Impl = ModelEmitter.ImplementationClass;
    private const string Width = ModelEmitter.VectorWidth;

    public void Print()
    {
        Graph graph = model.Graph;
        Shape input = graph.Input.Shape, output = graph.Output.Shape;
        if (model.Open)
        {
            PrintOpenShapes(input, output);
        }
        else
        {
            w.Line("/// <summary>Floats per input sample, laid out as " + input + " (NCHW, batch first).</summary>");
            w.Line("public const int InputSize = " + CodeWriter.Int(input.Size.Value) + ";");
            w.Line();
            ShapeConstants("Input", input);
            w.Line("/// <summary>Floats per output sample, laid out as " + output + ".</summary>");
            w.Line("public const int OutputSize = " + CodeWriter.Int(output.Size.Value) + ";");
            w.Line();
            ShapeConstants("Output", output);
        }

        w.Line("/// <summary>Multiply-accumulates per sample" + (model.Macs.IsConstant ? "." : " at a " + Dims() + " input: " + ModelEmitter.Xml(model.Macs.ToString()) + ".") + "</summary>");
        if (model.Macs.IsConstant)
        {
            w.Line("public const long MacsPerSample = " + CodeWriter.Int(model.Macs.Value) + ";");
        }
        else
        {
            w.Line("public static long MacsPerSample(int height, int width) => " + Formula(model.Macs) + ";");
        }

        w.Line();
        w.Line("/// <summary>Bytes of the packed weight block this model loads, alignment padding included (tensors start on");
        w.Line("/// 64-byte boundaries); the tensors themselves take " + CodeWriter.Int(model.Layout.TensorBytes) + ".</summary>");
        w.Line("public const long WeightBytes = " + CodeWriter.Int(model.Layout.TotalBytes) + ";");
        w.Line();
        PrintMemory();
        w.Line();
        w.Line("/// <summary>The most threads one call of this model uses, the calling thread included (default: one per core). A");
        w.Line("/// large batch splits across them by sample, a large layer by its output channels; 1 keeps every call on the");
        w.Line("/// calling thread.</summary>");
        w.Line("/// <exception cref=\"global::System.ArgumentOutOfRangeException\">The value is less than 1.</exception>");
        w.Open("public static int MaxThreads");
        w.Line("get => " + Impl + ".MaxThreads;");
        w.Line("set => " + Impl + ".MaxThreads = value >= 1 ? value : throw new global::System.ArgumentOutOfRangeException(nameof(value), value, \"A model needs at least one thread.\");");
        w.Close();
        w.Line();
        if (model.Groups.Count > 0)
        {
            PrintSlicing();
        }

        if (model.Open)
        {
            PrintOpenRun();
        }
        else
        {
            PrintRun();
        }
    }

    /// <summary>SliceRows (every group's rows per step) and FitPeakMemory (the most rows within a budget).</summary>
    private void PrintSlicing()
    {
        string groups = string.Join(", ", model.Groups.Select(g => g.Name));
        string first = model.GroupNames[model.Groups[0]];
        w.Line("/// <summary>Rows of output per step of the groups that run band by band (" + ModelEmitter.Xml(groups) + "; declared: "
            + ModelEmitter.Xml(string.Join(", ", model.Groups.Select(g => CodeWriter.Int(g.Rows)))) + "). Fewer rows: less memory, more steps.");
        w.Line("/// Setting it sets every group's; set it before running, not while another thread runs the model.</summary>");
        w.Line("/// <exception cref=\"global::System.ArgumentOutOfRangeException\">The value is less than 1.</exception>");
        w.Open("public static int SliceRows");
        w.Line("get => " + Impl + "." + first + ".Rows;");
        w.Open("set");
        w.Open("if (value < 1)");
        w.Line("throw new global::System.ArgumentOutOfRangeException(nameof(value), value, \"A step computes at least one row.\");");
        w.Close();
        w.Line();
        foreach (SlicedGroup group in model.Groups)
        {
            w.Line(Impl + "." + model.GroupNames[group] + ".Rows = value;");
        }

        w.Close();
        w.Close();
        w.Line();
        string size = model.Open ? ", int height, int width" : string.Empty;
        string peak = model.Open ? "PeakMemoryBytes(height, width)" : "PeakMemoryBytes";
        w.Line("/// <summary>Sets <see cref=\"SliceRows\"/> to the most rows per step whose peak memory" + (model.Open ? " at this input size" : string.Empty) + " is within <paramref name=\"bytes\"/>.</summary>");
        w.Line("/// <param name=\"bytes\">The budget for one thread's peak memory (<see cref=\"PeakMemoryBytes\"/>).</param>");
        if (model.Open)
        {
            w.Line("/// <param name=\"height\">The input height.</param>");
            w.Line("/// <param name=\"width\">The input width.</param>");
        }

        w.Line("/// <returns>The rows per step chosen.</returns>");
        w.Line("/// <exception cref=\"global::System.ArgumentOutOfRangeException\">Even one row per step needs more than <paramref name=\"bytes\"/>.</exception>");
        w.Open("public static int FitPeakMemory(long bytes" + size + ")");
        Dim tallest = model.Groups.Select(g => g.Output.Shape.H).Aggregate(Dim.Max);
        w.Line("int low = 1, high = " + (model.Open ? "(int)global::System.Math.Max(1, " + Formula(tallest) + ")" : CodeWriter.Int(tallest.Value)) + ";");
        w.Line("SliceRows = 1;");
        w.Open("if (" + peak + " > bytes)");
        w.Line("throw new global::System.ArgumentOutOfRangeException(nameof(bytes), bytes, global::System.FormattableString.Invariant($\"One row per step needs {" + peak + "} bytes.\"));");
        w.Close();
        w.Line();
        w.Open("while (low < high)");
        w.Line("int rows = low + ((high - low + 1) / 2);");
        w.Line("SliceRows = rows;");
        w.Line("(low, high) = " + peak + " <= bytes ? (rows, high) : (low, rows - 1);");
        w.Close();
        w.Line();
        w.Line("SliceRows = low;");
        w.Line("return low;");
        w.Close();
        w.Line();
    }

    private void ShapeConstants(string prefix, Shape shape)
    {
        if (shape.Rank != 3)
        {
            return;
        }

        w.Line("/// <summary>" + prefix + " channels (dimension 1 of NCHW).</summary>");
        w.Line("public const int " + prefix + "Channels = " + CodeWriter.Int(shape.C.Value) + ";");
        w.Line();
        w.Line("/// <summary>" + prefix + " height (dimension 2 of NCHW).</summary>");
        w.Line("public const int " + prefix + "Height = " + CodeWriter.Int(shape.H.Value) + ";");
        w.Line();
        w.Line("/// <summary>" + prefix + " width (dimension 3 of NCHW).</summary>");
        w.Line("public const int " + prefix + "Width = " + CodeWriter.Int(shape.W.Value) + ";");
        w.Line();
    }

    private void PrintOpenShapes(Shape input, Shape output)
    {
        w.Line("/// <summary>Input channels (dimension 1 of NCHW); the height and width are chosen at run time.</summary>");
        w.Line("public const int InputChannels = " + CodeWriter.Int(input.C.Value) + ";");
        w.Line();
        w.Line("/// <summary>Output channels (dimension 1 of NCHW).</summary>");
        w.Line("public const int OutputChannels = " + CodeWriter.Int(output.C.Value) + ";");
        w.Line();
        w.Line("/// <summary>The output height for an input of height <paramref name=\"height\"/>: " + ModelEmitter.Xml(output.H.ToString()) + ".</summary>");
        w.Line("/// <param name=\"height\">The input height.</param>");
        w.Line("public static int OutputHeight(int height) => (int)" + Formula(output.H) + ";");
        w.Line();
        w.Line("/// <summary>The output width for an input of width <paramref name=\"width\"/>: " + ModelEmitter.Xml(output.W.ToString()) + ".</summary>");
        w.Line("/// <param name=\"width\">The input width.</param>");
        w.Line("public static int OutputWidth(int width) => (int)" + Formula(output.W) + ";");
        w.Line();
        w.Line("/// <summary>Floats per input sample of the given size, laid out as " + input + " (NCHW, batch first).</summary>");
        w.Line("/// <param name=\"height\">The input height.</param>");
        w.Line("/// <param name=\"width\">The input width.</param>");
        w.Line("public static long InputSize(int height, int width) => " + Formula(input.Size) + ";");
        w.Line();
        w.Line("/// <summary>Floats per output sample for an input of the given size, laid out as " + ModelEmitter.Xml(output.ToString()) + ".</summary>");
        w.Line("/// <param name=\"height\">The input height.</param>");
        w.Line("/// <param name=\"width\">The input width.</param>");
        w.Line("public static long OutputSize(int height, int width) => " + Formula(output.Size) + ";");
        w.Line();
    }

    private void PrintMemory()
    {
        var memory = model.Memory;
        if (!model.Open)
        {
            long activation = 4 * memory.ActivationFloats.Value, scratch = 4 * (memory.ScratchFloats + memory.ThreadScratchFloats).Value;
            w.Line("/// <summary>Bytes of activation memory a thread's arena holds per sample of a chunk (the static memory plan).</summary>");
            w.Line("public const long ActivationBytesPerSample = " + CodeWriter.Int(activation) + ";");
            w.Line();
            if (model.Groups.Count == 0)
            {
                w.Line("/// <summary>Bytes of scratch memory a thread holds once, whatever the batch: in its arena, and its own tile buffer.</summary>");
                w.Line("public const long ScratchBytes = " + CodeWriter.Int(scratch) + ";");
            }
            else
            {
                w.Line("/// <summary>Bytes of scratch memory a thread holds once, whatever the batch: in its arena (the nodes' scratch or a");
                w.Line("/// group's bands at its rows per step: " + CodeWriter.Int(scratch) + " at the declared rows), and its own tile buffer.</summary>");
                w.Line("public static long ScratchBytes => 4L * (" + Impl + ".ScratchFloats + " + CodeWriter.Int(memory.ThreadScratchFloats.Value) + "L);");
            }
            w.Line();
            w.Line("/// <summary>The most samples a thread computes together; a larger batch runs chunk by chunk.</summary>");
            w.Line("public const int ChunkSize = " + CodeWriter.Int(Chunk(memory.ActivationFloats.Value)) + ";");
            w.Line();
            w.Line("/// <summary>Bytes a thread allocates, once, to run one sample: activations and scratch, exactly as the memory plan");
            w.Line("/// places them (inputs are copied in and outputs out of this arena).</summary>");
            w.Line("public " + (model.Groups.Count == 0 ? "const long PeakMemoryBytes =" : "static long PeakMemoryBytes =>") + " ActivationBytesPerSample + ScratchBytes;");
            w.Line();
            w.Line("/// <summary>Bytes a thread's arena holds to run <paramref name=\"batch\"/> samples (chunks of at most <see cref=\"ChunkSize\"/>).</summary>");
            w.Line("/// <param name=\"batch\">The number of samples, at least 1.</param>");
            w.Line("public static long MemoryBytes(int batch) => ((long)global::System.Math.Clamp(batch, 1, ChunkSize) * ActivationBytesPerSample) + ScratchBytes;");
            return;
        }

        w.Line("/// <summary>Bytes a thread's arena holds to run <paramref name=\"batch\"/> samples of the given size: the memory plan's");
        w.Line("/// activations, " + ModelEmitter.Xml("4*(" + memory.ActivationFloats + ")") + " per sample of a chunk, and its scratch,");
        w.Line("/// " + ModelEmitter.Xml("4*(" + (memory.ScratchFloats + memory.ThreadScratchFloats) + ")") + ". Each thread allocates this once and keeps the largest it needed.</summary>");
        w.Line("/// <param name=\"height\">The input height.</param>");
        w.Line("/// <param name=\"width\">The input width.</param>");
        w.Line("/// <param name=\"batch\">The number of samples, at least 1.</param>");
        w.Line("/// <exception cref=\"global::System.ArgumentException\">The model cannot run at this size.</exception>");
        w.Line("public static long PeakMemoryBytes(int height, int width, int batch = 1) => " + Impl + ".Geometry.For(height, width).MemoryBytes(batch);");
    }

    /// <summary>Samples per chunk: as many as fit the device profile's chunk budget, at least 1.</summary>
    internal long Chunk(long activationFloats) => System.Math.Max(1, System.Math.Min(ModelEmitter.MaxChunk, model.Device.ChunkBytes / System.Math.Max(1, 4 * activationFloats)));

    private void PrintRun()
    {
        w.Line("/// <summary>Runs the model on <paramref name=\"batch\"/> samples. Thread-safe; allocates nothing per call");
        w.Line("/// on the sequential path once a thread has run the model once.</summary>");
        w.Line("/// <param name=\"input\">batch * <see cref=\"InputSize\"/> floats.</param>");
        w.Line("/// <param name=\"output\">batch * <see cref=\"OutputSize\"/> floats, overwritten.</param>");
        w.Line("/// <param name=\"batch\">The number of samples, at least 1.</param>");
        w.Line("/// <exception cref=\"global::System.ArgumentException\">A span's length does not match the batch.</exception>");
        w.Line("public static void Run(global::System.ReadOnlySpan<float> input, global::System.Span<float> output, int batch = 1) =>");
        w.Line("    Run(input, output, batch, " + Width + ".Auto);");
        w.Line();
        w.Line("/// <summary>Runs the model using SIMD vectors no wider than <paramref name=\"width\"/> (for tests and tuning).</summary>");
        w.Line("/// <param name=\"input\">batch * <see cref=\"InputSize\"/> floats.</param>");
        w.Line("/// <param name=\"output\">batch * <see cref=\"OutputSize\"/> floats, overwritten.</param>");
        w.Line("/// <param name=\"batch\">The number of samples, at least 1.</param>");
        w.Line("/// <param name=\"width\">The widest vectors to use.</param>");
        w.Open("internal static void Run(global::System.ReadOnlySpan<float> input, global::System.Span<float> output, int batch, " + Width + " width)");
        CheckBatch();
        CheckSpan("input", "InputSize", "InputSize");
        CheckSpan("output", "OutputSize", "OutputSize");
        w.Line(Impl + ".Run(input, output, batch, width);");
        w.Close();
    }

    private void PrintOpenRun()
    {
        w.Line("/// <summary>Runs the model on <paramref name=\"batch\"/> samples of <paramref name=\"height\"/> x <paramref name=\"width\"/>.");
        w.Line("/// Thread-safe; allocates nothing per call on the sequential path once a thread has run the model at this size");
        w.Line("/// (or a larger one).</summary>");
        w.Line("/// <param name=\"input\">batch * <see cref=\"InputSize\"/>(height, width) floats.</param>");
        w.Line("/// <param name=\"output\">batch * <see cref=\"OutputSize\"/>(height, width) floats, overwritten.</param>");
        w.Line("/// <param name=\"height\">The input height.</param>");
        w.Line("/// <param name=\"width\">The input width.</param>");
        w.Line("/// <param name=\"batch\">The number of samples, at least 1.</param>");
        w.Line("/// <exception cref=\"global::System.ArgumentException\">The model cannot run at this size, or a span's length does not match.</exception>");
        w.Line("public static void Run(global::System.ReadOnlySpan<float> input, global::System.Span<float> output, int height, int width, int batch = 1) =>");
        w.Line("    Run(input, output, height, width, batch, " + Width + ".Auto);");
        w.Line();
        w.Line("/// <summary>Runs the model using SIMD vectors no wider than <paramref name=\"vectorWidth\"/> (for tests and tuning).</summary>");
        w.Line("/// <param name=\"input\">batch * <see cref=\"InputSize\"/>(height, width) floats.</param>");
        w.Line("/// <param name=\"output\">batch * <see cref=\"OutputSize\"/>(height, width) floats, overwritten.</param>");
        w.Line("/// <param name=\"height\">The input height.</param>");
        w.Line("/// <param name=\"width\">The input width.</param>");
        w.Line("/// <param name=\"batch\">The number of samples, at least 1.</param>");
        w.Line("/// <param name=\"vectorWidth\">The widest vectors to use.</param>");
        w.Open("internal static void Run(global::System.ReadOnlySpan<float> input, global::System.Span<float> output, int height, int width, int batch, " + Width + " vectorWidth)");
        CheckBatch();
        w.Line(Impl + ".Geometry g = " + Impl + ".Geometry.For(height, width);");
        CheckSpan("input", "g.InputSize", "InputSize(height, width)");
        CheckSpan("output", "g.OutputSize", "OutputSize(height, width)");
        w.Line(Impl + ".Run(input, output, batch, vectorWidth, g);");
        w.Close();
    }

    private void CheckBatch()
    {
        w.Open("if (batch < 1)");
        w.Line("throw new global::System.ArgumentOutOfRangeException(nameof(batch), batch, \"The batch size must be at least 1.\");");
        w.Close();
        w.Line();
    }

    private void CheckSpan(string span, string size, string sizeText)
    {
        w.Open("if (" + span + ".Length != (long)batch * " + size + ")");
        w.Line("throw new global::System.ArgumentException(");
        w.Line("    global::System.FormattableString.Invariant($\"The " + span + " span has {" + span + ".Length} floats, but batch {batch} needs batch * "
            + sizeText + " = {(long)batch * " + size + "}.\"),");
        w.Line("    nameof(" + span + "));");
        w.Close();
        w.Line();
    }

    private static string Dims() => "height x width";

    /// <summary>A size formula as C# over the parameters <c>height</c> and <c>width</c>, in checked 64-bit arithmetic.</summary>
    internal static string Formula(Dim size) =>
        size.IsConstant
            ? CodeWriter.Int(size.Value)
            : "checked(" + size.ToCSharp(v => v == "H" ? "(long)height" : "(long)width", Impl + ".Fd") + ")";
}
