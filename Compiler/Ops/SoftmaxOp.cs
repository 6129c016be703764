using System;
using System.Collections.Generic;
using ModelCompiler.IR;
using ModelCompiler.Lowering;
using ModelCompiler.Spec;

namespace ModelCompiler.Ops;

/// <summary>Softmax over dimension 1: the features of a rank-1 sample, the channels of each pixel of a rank-3 one.
/// Subtracts the max first, as every stable implementation does.</summary>
public sealed class SoftmaxOp : OpDefinition
{
    public override string Name => "Softmax";

    public override string NameStem => "softmax";

    public override AttributeSet Declare(DeclaredArguments arguments) => AttributeSet.Empty;

    public override Shape? InferShape(InferenceContext c) => c.X.Shape;

    public override IReadOnlyList<ChannelMap> Coupling(AttributeSet a, IReadOnlyList<Shape> inputs) => [ChannelMap.Entangled];

    public override OpCost Cost(Node node) => OpCost.Traffic(node);

    public override void Interpret(InterpreterFrame f)
    {
        int[] i = f.XShape;
        int channels = i[0];
        int plane = i.Length == 3 ? i[1] * i[2] : 1;
        double[] e = new double[channels];
        for (int n = 0; n < f.Batch; n++)
        {
            for (int p = 0; p < plane; p++)
            {
                int At(int c) => (((n * channels) + c) * plane) + p;
                double max = double.NegativeInfinity;
                for (int c = 0; c < channels; c++)
                {
                    max = Math.Max(max, f.X[At(c)]);
                }

                double sum = 0;
                for (int c = 0; c < channels; c++)
                {
                    e[c] = Math.Exp(f.X[At(c)] - max);
                    sum += e[c];
                }

                for (int c = 0; c < channels; c++)
                {
                    f.Output[At(c)] = (float)(e[c] / sum);
                }
            }
        }
    }

    public override KernelPlan Lower(Node node, LoweringContext context)
    {
        Shape x = node.Input.Shape;
        return KernelPlan.Of("reduce", KernelCall.PerSample("Softmax",
            new InputArg("x", 0), new OutputArg("y"), new DimArg("channels", x[0]), new DimArg("inner", x.Rank == 3 ? x.H * x.W : Dim.One)));
    }
}
