using System;
using System.Collections.Generic;
using System.Linq;
using ModelCompiler.IR;
using ModelCompiler.Ops;
using ModelCompiler.Weights;

namespace ModelCompiler.Interpreter;

/// <summary>The oracle every generated backend is tested against: runs a graph one node at a time with each
/// operator's reference semantics (<see cref="OpDefinition.Interpret"/>: plain loops, PyTorch conventions,
/// accumulation in double), then the node's epilogue. Slow on purpose; clarity is the point.
/// Weights come either from the weights file (each node's weight programs evaluated: BatchNorm folding and the
/// rest applied in double precision) or from packed bytes decoded back to floats, which is exactly what the
/// generated code reads, so comparing the two separates packing bugs from kernel bugs.</summary>
public static class ReferenceInterpreter
{
    /// <summary>Runs <paramref name="graph"/> on source tensors looked up by name as in a PyTorch state_dict
    /// (<c>{prefix}.weight</c>, <c>.bias</c>, <c>.running_mean</c>, <c>.running_var</c>).</summary>
    /// <param name="input"><paramref name="batch"/> samples of the graph's input shape, NCHW, contiguous.</param>
    /// <param name="height">The input height, for a graph whose height is open.</param>
    /// <param name="width">The input width, for a graph whose width is open.</param>
    /// <returns><paramref name="batch"/> samples of the graph's output shape.</returns>
    public static float[] Run(Graph graph, Func<string, float[]> tensors, float[] input, int batch, int height = 0, int width = 0) =>
        Execute(graph, node => node.Weights.ToDictionary(w => w.Role, w => WeightProgramRunner.EvaluateFloats(w.Program, tensors)), input, batch, height, width)[graph.Output];

    /// <summary>Runs an optimized graph on the packed weight block <paramref name="packed"/> laid out by
    /// <paramref name="layout"/>, decoding each tensor to canonical floats.</summary>
    public static float[] RunPacked(Graph graph, WeightLayout layout, byte[] packed, float[] input, int batch, int height = 0, int width = 0) =>
        Execute(graph, node => node.Weights.ToDictionary(w => w.Role, w =>
        {
            PackedTensor t = layout.Find(node.Name, w.Role) ?? throw new ArgumentException("the layout has no " + node.Name + "." + w.Role, nameof(layout));
            return WeightProgramRunner.Decode(t.Program, packed, t.Offset);
        }), input, batch, height, width)[graph.Output];

    /// <summary>Every value the graph computes (input included), for calibration and debugging.</summary>
    public static IReadOnlyDictionary<Value, float[]> RunAll(Graph graph, Func<string, float[]> tensors, float[] input, int batch, int height = 0, int width = 0) =>
        Execute(graph, node => node.Weights.ToDictionary(w => w.Role, w => WeightProgramRunner.EvaluateFloats(w.Program, tensors)), input, batch, height, width);

    /// <summary>Computes again the nodes from <paramref name="first"/> on (in order) into <paramref name="values"/>, which
    /// already holds every value an earlier run computed: what changed weights of <paramref name="first"/> change, without
    /// running the nodes before it again (a refit in execution order).</summary>
    public static void RunFrom(Graph graph, Func<string, float[]> tensors, Dictionary<Value, float[]> values, Node first, int batch, int height = 0, int width = 0) =>
        Execute(graph, node => node.Weights.ToDictionary(w => w.Role, w => WeightProgramRunner.EvaluateFloats(w.Program, tensors)), values[graph.Input], batch, height, width,
            values, graph.Nodes.IndexOf(first));

    /// <summary>An activation as its operator defines it, by name ("ReLU", "GELU", ...).</summary>
    public static double Activate(string kind, double x, float alpha) =>
        (OpRegistry.Find(kind) as ActivationOp ?? throw new ArgumentException(kind + " is not an activation", nameof(kind))).Apply(x, alpha);

    /// <summary>The error function to double precision.</summary>
    public static double Erf(double x) => ActivationOp.Erf(x);

    /// <summary>Runs the samples of a batch in parts on the machine's cores: every sample is computed alone (the same loops,
    /// so the same values, however the batch is split), which is what lets calibration (a refit, a sensitivity analysis)
    /// run a thousand samples through a network in reasonable time. Weight programs are evaluated once, up front.</summary>
    private static Dictionary<Value, float[]> Execute(
        Graph graph, Func<Node, Dictionary<string, float[]>> weights, float[] input, int batch, int height, int width, Dictionary<Value, float[]>? known = null, int from = 0)
    {
        Validate(graph, input, batch, height, width);
        int parts = Math.Min(batch, Environment.ProcessorCount);
        if (parts < 2)
        {
            return ExecuteSerial(graph, weights, input, batch, height, width, known, from);
        }

        var nodeWeights = graph.Nodes.Skip(from).ToDictionary(n => n, weights);
        var results = new Dictionary<Value, float[]>[parts];
        int[] first = Enumerable.Range(0, parts + 1).Select(p => (int)((long)p * batch / parts)).ToArray();
        static float[] Samples(float[] all, int total, int start, int count)
        {
            int size = all.Length / total;
            float[] part = new float[(long)size * count];
            Array.Copy(all, (long)start * size, part, 0, part.LongLength);
            return part;
        }

        try
        {
            System.Threading.Tasks.Parallel.For(0, parts, p =>
            {
                int count = first[p + 1] - first[p];
                Dictionary<Value, float[]>? part = known?.ToDictionary(v => v.Key, v => Samples(v.Value, batch, first[p], count));
                results[p] = ExecuteSerial(graph, n => nodeWeights[n], Samples(input, batch, first[p], count), count, height, width, part, from);
            });
        }
        catch (AggregateException e) when (e.InnerExceptions.Count > 0)
        {
            // What a serial run would have thrown (a wrong input length, a size the graph cannot take).
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
            throw;
        }

        Dictionary<Value, float[]> values = known ?? [];
        foreach (Value value in results[0].Keys)
        {
            float[] all = new float[results.Sum(r => r[value].LongLength)];
            long at = 0;
            foreach (Dictionary<Value, float[]> r in results)
            {
                Array.Copy(r[value], 0, all, at, r[value].LongLength);
                at += r[value].LongLength;
            }

            values[value] = all;
        }

        return values;
    }

    /// <summary>The checks of a run's arguments, made once for the whole batch.</summary>
    private static void Validate(Graph graph, float[] input, int batch, int height, int width)
    {
        if (batch < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(batch), batch, "batch must be at least 1");
        }

        if (graph.HasOpenSize && (height < 1 || width < 1))
        {
            throw new ArgumentException("the graph's input size is open; give the height and width to run it at");
        }

        int[] inputShape = Sizes(graph.Input.Shape, height, width);
        if (input.Length != (long)batch * InterpreterFrame.Size(inputShape))
        {
            throw new ArgumentException(
                "input has " + input.Length + " floats; batch " + batch + " of " + graph.Input.Shape + " needs " + ((long)batch * InterpreterFrame.Size(inputShape)),
                nameof(input));
        }
    }

    /// <summary>A shape's dimensions at an input size.</summary>
    private static int[] Sizes(Shape shape, int height, int width) => shape.Evaluate(height, width).Select(d => d >= 1 && d <= int.MaxValue
        ? (int)d
        : throw new ArgumentException("at input size " + height + "x" + width + " a tensor of shape " + shape + " has dimension " + d)).ToArray();

    private static Dictionary<Value, float[]> ExecuteSerial(
        Graph graph, Func<Node, Dictionary<string, float[]>> weights, float[] input, int batch, int height, int width, Dictionary<Value, float[]>? known, int from)
    {
        int[] Concrete(Shape shape) => Sizes(shape, height, width);
        int[] inputShape = Concrete(graph.Input.Shape);
        Dictionary<Value, float[]> values = known ?? new Dictionary<Value, float[]> { [graph.Input] = input };
        var shapes = new Dictionary<Value, int[]> { [graph.Input] = inputShape };
        foreach (Node node in graph.Nodes.Take(from))
        {
            shapes[node.Output] = Concrete(node.Output.Shape);
        }

        foreach (Node node in graph.Nodes.Skip(from))
        {
            var frame = new InterpreterFrame(node, batch, node.Inputs.Select(v => values[v]).ToList(), node.Inputs.Select(v => shapes[v]).ToList(),
                Concrete(node.Output.Shape), weights(node));
            node.Op.Interpret(frame);
            if (node.Epilogue.Activation is { } activation)
            {
                var op = (ActivationOp)OpRegistry.Get(activation.Kind);
                for (int k = 0; k < frame.Output.Length; k++)
                {
                    frame.Output[k] = (float)op.Apply(frame.Output[k], activation.Alpha);
                }
            }

            values[node.Output] = frame.Output;
            shapes[node.Output] = frame.OutputShape;
        }

        return values;
    }
}
