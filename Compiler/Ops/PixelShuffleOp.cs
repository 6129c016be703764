using System.Collections.Generic;
using ModelCompiler.IR;
using ModelCompiler.Lowering;
using ModelCompiler.Spec;

namespace ModelCompiler.Ops;

/// <summary>torch.nn.PixelShuffle(r): [N, C·r², H, W] -> [N, C, H·r, W·r], out[c, h·r + dy, w·r + dx] = in[c·r² + dy·r + dx, h, w].</summary>
public sealed class PixelShuffleOp : OpDefinition
{
    public const string UpscaleFactor = "upscale_factor";

    public override string Name => "PixelShuffle";

    public override string NameStem => "pixelshuffle";

    public override AttributeSet Declare(DeclaredArguments a) => AttributeSet.Empty.With(UpscaleFactor, a.Int("upscaleFactor", 0));

    public override Shape? InferShape(InferenceContext c)
    {
        int r = c.Attributes.Int(UpscaleFactor);
        if (!c.Rank(3, "[N, C, H, W]") || !c.Positive("upscale_factor", r))
        {
            return null;
        }

        Shape s = c.X.Shape;
        long r2 = (long)r * r;
        if (!s.C.IsConstant || s.C.Value % r2 != 0)
        {
            c.ShapeMismatch("channels divisible by " + r2, c.X, "upscale_factor");
            return null;
        }

        return new Shape(s.C.Value / r2, s.H * r, s.W * r);
    }

    /// <summary>Input channels [c·r², (c+1)·r²) make output channel c.</summary>
    public override IReadOnlyList<ChannelMap> Coupling(AttributeSet a, IReadOnlyList<Shape> inputs) =>
        [ChannelMap.Gather((long)a.Int(UpscaleFactor) * a.Int(UpscaleFactor))];

    public override OpCost Cost(Node node) => OpCost.Traffic(node);

    public override void Interpret(InterpreterFrame f)
    {
        int r = f.Attributes.Int(UpscaleFactor);
        int[] i = f.XShape, o = f.OutputShape;
        for (int n = 0; n < f.Batch; n++)
        {
            for (int c = 0; c < o[0]; c++)
            {
                for (int h = 0; h < i[1]; h++)
                {
                    for (int w = 0; w < i[2]; w++)
                    {
                        for (int dy = 0; dy < r; dy++)
                        {
                            for (int dx = 0; dx < r; dx++)
                            {
                                int ic = (c * r * r) + (dy * r) + dx;
                                f.Output[InterpreterFrame.Index(n, c, (h * r) + dy, (w * r) + dx, o)] = f.X[InterpreterFrame.Index(n, ic, h, w, i)];
                            }
                        }
                    }
                }
            }
        }
    }

    public override KernelPlan Lower(Node node, LoweringContext context)
    {
        Shape x = node.Input.Shape, o = node.Output.Shape;
        return KernelPlan.Of("resample", KernelCall.PerSample("PixelShuffle",
            new InputArg("x", 0), new OutputArg("y"), new DimArg("channels", o.C), new DimArg("height", x.H), new DimArg("width", x.W),
            new DimArg("factor", node.Attributes.Int(UpscaleFactor))));
    }
}
