using System.Collections.Generic;
using ModelCompiler.IR;
using ModelCompiler.Spec;

namespace ModelCompiler.Ops;

/// <summary>One node's evaluation in the reference interpreter: concrete shapes (open sizes resolved), the batch,
/// the inputs as contiguous NCHW batches, the node's weights as canonical (PyTorch-layout) floats, and the output
/// to fill. The interpreter applies the node's epilogue afterwards.</summary>
public sealed class InterpreterFrame
{
    public InterpreterFrame(Node node, int batch, IReadOnlyList<float[]> inputs, IReadOnlyList<int[]> inputShapes, int[] outputShape,
        IReadOnlyDictionary<string, float[]> weights)
    {
        Node = node;
        Batch = batch;
        Inputs = inputs;
        InputShapes = inputShapes;
        OutputShape = outputShape;
        Weights = weights;
        Output = new float[batch * Size(outputShape)];
    }

    public Node Node { get; }

    public AttributeSet Attributes => Node.Attributes;

    public int Batch { get; }

    public IReadOnlyList<float[]> Inputs { get; }

    public IReadOnlyList<int[]> InputShapes { get; }

    public int[] OutputShape { get; }

    public IReadOnlyDictionary<string, float[]> Weights { get; }

    public float[] Output { get; }

    public float[] X => Inputs[0];

    public int[] XShape => InputShapes[0];

    public float[]? Weight(string role) => Weights.TryGetValue(role, out float[]? w) ? w : null;

    public static int Size(int[] shape)
    {
        int size = 1;
        foreach (int d in shape)
        {
            size = checked(size * d);
        }

        return size;
    }

    /// <summary>Flat index of [n, c, y, x] in an NCHW batch of per-sample shape [C, H, W].</summary>
    public static int Index(int n, int c, int y, int x, int[] shape) => (((((n * shape[0]) + c) * shape[1]) + y) * shape[2]) + x;
}
