using System.Collections.Generic;
using ModelCompiler.IR;
using ModelCompiler.Lowering;
using ModelCompiler.Spec;

namespace ModelCompiler.Ops;

/// <summary>torch.nn.AdaptiveAvgPool2d(1): the mean of each channel, [N, C, H, W] -> [N, C, 1, 1].</summary>
public sealed class GlobalAvgPool2dOp : OpDefinition
{
    public override string Name => "GlobalAvgPool2d";

    public override string NameStem => "gap";

    public override AttributeSet Declare(DeclaredArguments arguments) => AttributeSet.Empty;

    public override Shape? InferShape(InferenceContext c) => c.Rank(3, "[N, C, H, W]") ? new Shape(c.X.Shape.C, 1, 1) : null;

    public override IReadOnlyList<ChannelMap> Coupling(AttributeSet a, IReadOnlyList<Shape> inputs) => [ChannelMap.Identity];

    public override OpCost Cost(Node node) => OpCost.Traffic(node);

    public override void Interpret(InterpreterFrame f)
    {
        int plane = f.XShape[1] * f.XShape[2];
        for (int nc = 0; nc < f.Batch * f.XShape[0]; nc++)
        {
            double sum = 0;
            for (int p = 0; p < plane; p++)
            {
                sum += f.X[(nc * plane) + p];
            }

            f.Output[nc] = (float)(sum / plane);
        }
    }

    public override KernelPlan Lower(Node node, LoweringContext context)
    {
        Shape x = node.Input.Shape;
        return KernelPlan.Of("reduce", KernelCall.PerSample("GlobalAvgPool",
            new InputArg("x", 0), new OutputArg("y"), new DimArg("channels", x.C), new DimArg("planeSize", x.H * x.W)));
    }
}
