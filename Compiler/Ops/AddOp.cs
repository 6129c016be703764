using System.Collections.Generic;
using System.Linq;
using ModelCompiler.IR;
using ModelCompiler.Lowering;
using ModelCompiler.Spec;

namespace ModelCompiler.Ops;

/// <summary>The elementwise sum of two or more layers of the same shape (residual connections). All inputs share
/// one channel set: pruning one prunes all.</summary>
public sealed class AddOp : OpDefinition
{
    public override string Name => "Add";

    public override string NameStem => "add";

    public override bool IsVariadic => true;

    public override bool TakesEpilogue => true;

    public override AttributeSet Declare(DeclaredArguments arguments) => AttributeSet.Empty;

    public override Shape? InferShape(InferenceContext c)
    {
        Shape s = c.X.Shape;
        foreach (Value other in c.Inputs.Skip(1))
        {
            if (!other.Shape.Equals(s))
            {
                c.ShapeMismatch(s + " (the shape of '" + c.X.Name + "')", other, "inputs");
                return null;
            }
        }

        return s;
    }

    public override IReadOnlyList<ChannelMap> Coupling(AttributeSet a, IReadOnlyList<Shape> inputs) => inputs.Select(_ => ChannelMap.Identity).ToList();

    public override OpCost Cost(Node node) => OpCost.Traffic(node);

    public override void Interpret(InterpreterFrame f)
    {
        for (int k = 0; k < f.Output.Length; k++)
        {
            double sum = 0;
            foreach (float[] t in f.Inputs)
            {
                sum += t[k];
            }

            f.Output[k] = (float)sum;
        }
    }

    /// <summary>y = x0 + x1, then y += xi for each further input, then the epilogue's activation over y; each over
    /// the whole chunk at once (or sample by sample where a value lies in a concat).</summary>
    public override KernelPlan Lower(Node node, LoweringContext context)
    {
        var calls = new List<KernelCall>
        {
            KernelCall.Elementwise("Sum", new InputArg("a", 0), new InputArg("b", 1), new OutputArg("y"), new VectorWidthArg()),
        };
        for (int i = 2; i < node.Inputs.Count; i++)
        {
            calls.Add(KernelCall.Elementwise("Accumulate", new InputArg("x", i), new OutputArg("y"), new VectorWidthArg()));
        }

        if (node.Epilogue.Activation is { } activation)
        {
            calls.Add(KernelCall.Elementwise("ActivateInPlace", new OutputArg("y"), new ActivationArg(activation), new VectorWidthArg()));
        }

        return KernelPlan.Of("elementwise", [.. calls]);
    }
}
