using System.Collections.Generic;
using ModelCompiler.IR;
using ModelCompiler.Lowering;
using ModelCompiler.Spec;

namespace ModelCompiler.Ops;

/// <summary>torch.nn.Upsample(scale_factor=f, mode="nearest"): out[y, x] = in[y / f, x / f].</summary>
public sealed class UpsampleOp : OpDefinition
{
    public const string ScaleFactor = "scale_factor";

    public override string Name => "Upsample";

    public override string NameStem => "upsample";

    public override AttributeSet Declare(DeclaredArguments a) => AttributeSet.Empty.With(ScaleFactor, a.Int("scaleFactor", 0));

    public override Shape? InferShape(InferenceContext c)
    {
        int f = c.Attributes.Int(ScaleFactor);
        if (!c.Rank(3, "[N, C, H, W]") || !c.Positive("scale_factor", f))
        {
            return null;
        }

        Shape s = c.X.Shape;
        return new Shape(s.C, s.H * f, s.W * f);
    }

    public override IReadOnlyList<ChannelMap> Coupling(AttributeSet a, IReadOnlyList<Shape> inputs) => [ChannelMap.Identity];

    public override OpCost Cost(Node node) => OpCost.Traffic(node);

    public override void Interpret(InterpreterFrame f)
    {
        int r = f.Attributes.Int(ScaleFactor);
        int[] i = f.XShape, o = f.OutputShape;
        for (int n = 0; n < f.Batch; n++)
        {
            for (int c = 0; c < o[0]; c++)
            {
                for (int oy = 0; oy < o[1]; oy++)
                {
                    for (int ox = 0; ox < o[2]; ox++)
                    {
                        f.Output[InterpreterFrame.Index(n, c, oy, ox, o)] = f.X[InterpreterFrame.Index(n, c, oy / r, ox / r, i)];
                    }
                }
            }
        }
    }

    public override KernelPlan Lower(Node node, LoweringContext context)
    {
        Shape x = node.Input.Shape;
        return KernelPlan.Of("resample", KernelCall.PerSample("UpsampleNearest",
            new InputArg("x", 0), new OutputArg("y"), new DimArg("channels", x.C), new DimArg("height", x.H), new DimArg("width", x.W),
            new DimArg("factor", node.Attributes.Int(ScaleFactor))));
    }
}
