using System.Collections.Generic;
using System.Linq;
using ModelCompiler.IR;
using ModelCompiler.Lowering;
using ModelCompiler.Spec;

namespace ModelCompiler.Ops;

/// <summary>torch.cat(dim=1): the inputs' channels (or features) one after another, in argument order.</summary>
public sealed class ConcatOp : OpDefinition
{
    public override string Name => "Concat";

    public override string NameStem => "concat";

    public override bool IsVariadic => true;

    public override AttributeSet Declare(DeclaredArguments arguments) => AttributeSet.Empty;

    public override Shape? InferShape(InferenceContext c)
    {
        Value first = c.X;
        Dim channels = Dim.Zero;
        foreach (Value v in c.Inputs)
        {
            if (v.Shape.Rank != first.Shape.Rank
                || (v.Shape.Rank == 3 && (!v.Shape.H.Equals(first.Shape.H) || !v.Shape.W.Equals(first.Shape.W))))
            {
                string expected = first.Shape.Rank == 3 ? "[N, *, " + first.Shape.H + ", " + first.Shape.W + "]" : "[N, *]";
                c.ShapeMismatch(expected + " (like '" + first.Name + "')", v, "inputs");
                return null;
            }

            channels += v.Shape[0];
        }

        return first.Shape.Rank == 3 ? new Shape(channels, first.Shape.H, first.Shape.W) : new Shape(channels);
    }

    /// <summary>Input i's channel c is output channel (channels of inputs before i) + c.</summary>
    public override IReadOnlyList<ChannelMap> Coupling(AttributeSet a, IReadOnlyList<Shape> inputs)
    {
        var maps = new List<ChannelMap>();
        Dim offset = Dim.Zero;
        foreach (Shape s in inputs)
        {
            maps.Add(ChannelMap.At(offset));
            offset += s[0];
        }

        return maps;
    }

    public override OpCost Cost(Node node) => OpCost.Traffic(node);

    public override void Interpret(InterpreterFrame f)
    {
        int total = InterpreterFrame.Size(f.OutputShape);
        for (int n = 0; n < f.Batch; n++)
        {
            int offset = n * total;
            for (int k = 0; k < f.Inputs.Count; k++)
            {
                int size = InterpreterFrame.Size(f.InputShapes[k]);
                System.Array.Copy(f.Inputs[k], n * size, f.Output, offset, size);
                offset += size;
            }
        }
    }

    /// <summary>Each input copied into its slice of each sample's output.</summary>
    public override KernelPlan Lower(Node node, LoweringContext context)
    {
        var calls = new List<KernelCall>();
        Dim offset = Dim.Zero;
        for (int i = 0; i < node.Inputs.Count; i++)
        {
            Dim size = node.Inputs[i].Shape.Size;
            calls.Add(KernelCall.PerSample("Copy", new InputArg("x", i), new OutputArg("y", offset, size)));
            offset += size;
        }

        return KernelPlan.Of("copy", [.. calls]);
    }
}
