using System.Linq;
using ModelCompiler.Common;
using ModelCompiler.IR;
using ModelCompiler.Lowering;

namespace ModelCompiler.Emit;

/// <summary>Prints the nested implementation class: the memory plan as constants (or, with an open input size, a
/// <c>Geometry</c> class that computes it once per size), the per-thread arena, the weights, the batch loop
/// (chunks of samples, split across threads when the batch is large) and one class per node.</summary>
internal sealed class ImplementationPrinter(CodeWriter w, EmittedModel model)
{
    private const string K = ModelEmitter.Kernels;
    private const string Width = ModelEmitter.VectorWidth;
    private const string Block = ModelEmitter.WeightBlock;

    private bool Open => model.Open;

    /// <summary>", Geometry g" on every internal signature of an open model.</summary>
    private string GeometryParameter => Open ? ", Geometry g" : string.Empty;

    private string GeometryArgument => Open ? ", g" : string.Empty;

    public void Print()
    {
        Graph graph = model.Graph;
        MemoryPlan memory = model.Memory;

        // Node classes first, into their own writer: printing them registers the open sizes the Geometry class holds.
        var nodes = new CodeWriter(w.Indent + 1);
        foreach (LoweredNode lowered in model.Lowered)
        {
            if (model.GroupOf.TryGetValue(lowered.Node, out SlicedGroup? group))
            {
                if (group.Nodes[0] == lowered.Node)
                {
                    nodes.Line();
                    new GroupPrinter(nodes, model, group).Print();
                }

                continue;
            }

            nodes.Line();
            new NodePrinter(nodes, model, lowered).Print();
        }

        w.Line("/// <summary>The compiled layers, their memory plan and weights.</summary>");
        w.Line("[global::System.CodeDom.Compiler.GeneratedCode(\"ModelCompiler\", \"2\")]");
        w.Open("private static class " + ModelEmitter.ImplementationClass);
        if (!Open)
        {
            w.Line("/// <summary>Floats of activation arena per sample of a chunk (the static memory plan).</summary>");
            w.Line("internal const int ActivationFloats = " + CodeWriter.Int(memory.ActivationFloats.Value) + ";");
            w.Line();
            if (model.Groups.Count == 0)
            {
                w.Line("/// <summary>Floats of scratch after a chunk's activations.</summary>");
                w.Line("internal const int ScratchFloats = " + CodeWriter.Int(memory.ScratchFloats.Value) + ";");
            }
            else
            {
                w.Line("/// <summary>Floats of the nodes' scratch after a chunk's activations (the groups' bands share the area).</summary>");
                w.Line("internal const int NodeScratchFloats = " + CodeWriter.Int(memory.NodeScratchFloats.Value) + ";");
                w.Line();
                w.Line("/// <summary>Floats of scratch after a chunk's activations: the nodes' or a group's bands at its rows per step, whichever is larger.</summary>");
                w.Line("internal static int ScratchFloats => " + GroupScratch("NodeScratchFloats", string.Empty) + ";");
            }
            w.Line();
            w.Line("internal const int InputOffset = " + CodeWriter.Int(memory.Values[graph.Input].Offset.Value) + ";");
            w.Line("internal const int OutputOffset = " + CodeWriter.Int(memory.Values[graph.Output].Offset.Value) + ";");
        }

        w.Line("private const " + CodeWriter.OffsetType(model.Layout.TotalBytes) + " WeightBytes = " + CodeWriter.Int(model.Layout.TotalBytes) + ";");
        w.Line("private const ulong LayoutHash = 0x" + Hashing.ToHex(model.Compilation.LayoutHash) + "UL;");
        w.Line("private const long ParallelBatchMacs = " + CodeWriter.Int(model.Device.ParallelBatchMacs) + ";");
        w.Line();
        w.Line("[global::System.ThreadStatic]");
        w.Line("private static float[]? t_arena;");
        w.Line("[global::System.ThreadStatic]");
        w.Line("private static BatchFrame? t_batch;");
        w.Line("private static readonly global::System.Action<object, int, int> s_runRange = RunRange;");
        w.Line("private static " + Block + "? s_weights;");
        w.Line("private static int s_maxThreads = global::System.Environment.ProcessorCount;");
        w.Line();
        w.Line("/// <summary>The most threads one call uses.</summary>");
        w.Line("internal static int MaxThreads");
        w.Line("{");
        w.Line("    get => global::System.Threading.Volatile.Read(ref s_maxThreads);");
        w.Line("    set => global::System.Threading.Volatile.Write(ref s_maxThreads, value);");
        w.Line("}");
        w.Line();
        PrintWeights();
        PrintRun();
        PrintHelpers();
        if (Open)
        {
            new GeometryPrinter(w, model).Print();
        }

        w.Line();
        w.Line("/// <summary>One chunk of <paramref name=\"n\"/> samples through every layer; the inputs are already in the arena.</summary>");
        w.Line("/// <param name=\"arena\">This thread's arena: the chunk's activations, then the scratch area.</param>");
        w.Line("/// <param name=\"weights\">The model's weight block.</param>");
        w.Line("/// <param name=\"n\">The samples in the chunk.</param>");
        w.Line("/// <param name=\"width\">The widest vectors to use.</param>");
        w.Line("/// <param name=\"parallel\">Whether large layers may split their work across threads.</param>");
        if (Open)
        {
            w.Line("/// <param name=\"g\">The sizes at this run's input height and width.</param>");
        }

        w.Line(ModelEmitter.Optimized);
        w.Open("private static void RunChunk(float[] arena, " + Block + " weights, int n, " + Width + " width, bool parallel" + GeometryParameter + ")");
        foreach (LoweredNode lowered in model.Lowered)
        {
            if (model.GroupOf.TryGetValue(lowered.Node, out SlicedGroup? group))
            {
                if (group.Nodes[0] == lowered.Node)
                {
                    w.Line(model.GroupNames[group] + ".Run(arena, weights, n, width, parallel" + GeometryArgument + ");");
                }

                continue;
            }

            w.Line(NodePrinter.HasCode(lowered.Plan)
                ? model.ClassNames[lowered.Node] + ".Run(arena, weights, n, width, parallel" + GeometryArgument + ");"
                : lowered.Plan.OutputAliasesInput
                    ? "// " + ModelEmitter.Line(lowered.Node.Name) + ": a view of " + ModelEmitter.Line(lowered.Node.Input.Name) + ", nothing to compute."
                    : "// " + ModelEmitter.Line(lowered.Node.Name) + ": its inputs were written in place, nothing to compute.");
        }

        w.Close();
        w.Raw(nodes.ToString());
        w.Close();
    }

    /// <summary>max(nodeScratch, each group's bands for this size and its rows).</summary>
    internal string GroupScratch(string nodeScratch, string geometry) => model.Groups.Aggregate(nodeScratch, (sum, group) =>
        "global::System.Math.Max(" + sum + ", checked((int)" + model.GroupNames[group] + ".Schedule(" + geometry + ").Floats))");

    private void PrintWeights()
    {
        w.Line("/// <summary>The packed weights, loaded from the artifact on first use and shared by every call.</summary>");
        w.Line("internal static " + Block + " Weights => global::System.Threading.Volatile.Read(ref s_weights) ?? LoadWeights();");
        w.Line();
        w.Open("private static " + Block + " LoadWeights()");
        w.Line(Block + " loaded = global::ModelCompiler.Generated.WeightStore.Load(" + CodeWriter.String(model.Graph.Spec.FullName) + ", LayoutHash, WeightBytes);");
        w.Line("return global::System.Threading.Interlocked.CompareExchange(ref s_weights, loaded, null) ?? loaded;");
        w.Close();
        w.Line();
    }

    private void PrintRun()
    {
        string macs = Open ? "g.MacsPerSample" : "MacsPerSample";
        w.Line("/// <summary>Runs a checked batch: across threads by sample when it is large, else chunk by chunk here.</summary>");
        w.Open("internal static void Run(global::System.ReadOnlySpan<float> input, global::System.Span<float> output, int batch, " + Width + " width" + GeometryParameter + ")");
        w.Line(Block + " weights = Weights;");
        w.Line(Width + " resolved = " + K + ".Resolve(width);");
        w.Open("if (batch > 1 && (long)batch * " + macs + " >= ParallelBatchMacs && MaxThreads > 1 && global::System.Environment.ProcessorCount > 1)");
        w.Line("RunParallel(input, output, batch, weights, resolved" + GeometryArgument + ");");
        w.Line("return;");
        w.Close();
        w.Line();
        w.Line("RunSamples(input, output, batch, weights, resolved, parallel: true" + GeometryArgument + ");");
        w.Close();
        w.Line();

        string inputSize = Open ? "g.InputSize" : "InputSize";
        string outputSize = Open ? "g.OutputSize" : "OutputSize";
        string inputOffset = Open ? "g.InputOffset" : "InputOffset";
        string outputOffset = Open ? "g.OutputOffset" : "OutputOffset";
        string activation = Open ? "g.ActivationFloats" : "ActivationFloats";
        string scratch = Open ? "g.ScratchFloats" : "ScratchFloats";
        string chunk = Open ? "g.ChunkSize" : "ChunkSize";
        w.Line("/// <summary>Samples in chunks: each chunk's inputs copied into this thread's arena, computed, outputs copied out.</summary>");
        w.Open("private static void RunSamples(global::System.ReadOnlySpan<float> input, global::System.Span<float> output, int batch, " + Block + " weights, " + Width + " width, bool parallel" + GeometryParameter + ")");
        w.Line("int chunk = global::System.Math.Min(batch, " + chunk + ");");
        w.Line("float[] arena = Arena((chunk * " + activation + ") + " + scratch + ");");
        if (!model.Memory.ThreadScratchFloats.Equals(Dim.Zero))
        {
            // The largest tile this thread fills, reserved at once (growing through each layer's size would allocate each).
            w.Line(K + ".TileBuffer(" + (Open ? "checked((int)g.ThreadScratchFloats)" : CodeWriter.Int(model.Memory.ThreadScratchFloats.Value)) + ");");
        }

        w.Open("for (int first = 0; first < batch; first += chunk)");
        w.Line("int n = global::System.Math.Min(chunk, batch - first);");
        w.Line("input.Slice(first * " + inputSize + ", n * " + inputSize + ").CopyTo(Slice(arena, n * " + inputOffset + ", n * " + inputSize + "));");
        w.Line("RunChunk(arena, weights, n, width, parallel" + GeometryArgument + ");");
        w.Line("Slice(arena, n * " + outputOffset + ", n * " + outputSize + ").CopyTo(output.Slice(first * " + outputSize + ", n * " + outputSize + "));");
        w.Close();
        w.Close();
        w.Line();
        w.Line("/// <summary>Splits a batch into one contiguous range of samples per thread, each with its own arena. Spans cannot");
        w.Line("/// reach the workers, so the batch is staged through per-thread arrays that grow once.</summary>");
        w.Open("private static void RunParallel(global::System.ReadOnlySpan<float> input, global::System.Span<float> output, int batch, " + Block + " weights, " + Width + " width" + GeometryParameter + ")");
        w.Line("BatchFrame frame = t_batch ??= new BatchFrame();");
        w.Line("frame.Input = Stage(frame.Input, input.Length);");
        w.Line("frame.Output = Stage(frame.Output, output.Length);");
        w.Line("input.CopyTo(frame.Input);");
        w.Line("frame.Weights = weights;");
        w.Line("frame.Width = width;");
        if (Open)
        {
            w.Line("frame.Geometry = g;");
        }

        w.Line("global::ModelCompiler.Generated.WorkerPool.Run(frame, s_runRange, batch, 1, MaxThreads);");
        w.Line("new global::System.ReadOnlySpan<float>(frame.Output, 0, output.Length).CopyTo(output);");
        w.Close();
        w.Line();
        w.Line("/// <summary>Samples [start, end) of a staged batch, on one thread.</summary>");
        w.Open("private static void RunRange(object state, int start, int end)");
        w.Line("var frame = (BatchFrame)state;");
        if (Open)
        {
            w.Line("Geometry g = frame.Geometry!;");
        }

        w.Line("RunSamples(");
        w.Line("    new global::System.ReadOnlySpan<float>(frame.Input, start * " + inputSize + ", (end - start) * " + inputSize + "),");
        w.Line("    new global::System.Span<float>(frame.Output, start * " + outputSize + ", (end - start) * " + outputSize + "),");
        w.Line("    end - start, frame.Weights, frame.Width, parallel: false" + GeometryArgument + ");");
        w.Close();
        w.Line();
        w.Line("/// <summary>A batch staged for the workers; one per calling thread, reused.</summary>");
        w.Open("private sealed class BatchFrame");
        w.Line("public float[] Input { get; set; } = [];");
        w.Line();
        w.Line("public float[] Output { get; set; } = [];");
        w.Line();
        w.Line("public " + Block + " Weights { get; set; } = " + Block + ".Empty;");
        w.Line();
        w.Line("public " + Width + " Width { get; set; }");
        if (Open)
        {
            w.Line();
            w.Line("public Geometry? Geometry { get; set; }");
        }

        w.Close();
        w.Line();
    }

    private void PrintHelpers()
    {
        w.Line("/// <summary>This thread's arena, grown once to the largest size it has needed.</summary>");
        w.Open("private static float[] Arena(int floats)");
        w.Line("float[]? arena = t_arena;");
        w.Open("if (arena is null || arena.Length < floats)");
        w.Line("arena = new float[floats];");
        w.Line("t_arena = arena;");
        w.Close();
        w.Line();
        w.Line("return arena;");
        w.Close();
        w.Line();
        w.Line("private static float[] Stage(float[] buffer, int length) => buffer.Length < length ? new float[length] : buffer;");
        w.Line();
        w.Line("/// <summary>A region of the arena.</summary>");
        w.Line("private static global::System.Span<float> Slice(float[] arena, int offset, int length) => new(arena, offset, length);");
        if (Open)
        {
            w.Line();
            w.Line("/// <summary>Floor division (rounds toward negative infinity, unlike '/').</summary>");
            w.Line("internal static long Fd(long a, long b) => a >= 0 ? a / b : -((-a + b - 1) / b);");
        }
    }
}
